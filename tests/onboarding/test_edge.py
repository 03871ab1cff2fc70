"""The edge (onboarding/edge.py): ids, tokens and text from outside are read once, there.

The route-wide fuzz test (tests/test_fuzz_routes.py) asks every route; these pin each rule,
the requests that answered 500 before it, and the lint that keeps views from parsing ids.
"""

import ast
from pathlib import Path

import pytest
from django.urls import Resolver404, resolve, reverse

from onboarding.edge import BIGINT_MAX, IdField, parse_id, search_text

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("value", "parsed"),
    [
        ("1", 1),
        ("42", 42),
        (str(BIGINT_MAX), BIGINT_MAX),
        (str(BIGINT_MAX + 1), None),
        ("0", None),
        ("-1", None),
        ("²", None),  # str.isdigit() says yes, int() raises
        ("٣", None),  # int() reads it as 3
        ("１２", None),
        (" 1", None),
        ("1.0", None),
        ("", None),
        (None, None),
        (["1"], None),
        ("1\x00", None),
    ],
)
def test_parse_id_takes_only_ascii_digits_within_bigint(value, parsed):
    assert parse_id(value) == parsed


@pytest.mark.parametrize("value", ["٣", "²", "१२", str(BIGINT_MAX + 1), "0", "-5", "1e3"])
def test_id_field_refuses_what_is_not_an_ascii_id(value):
    field = IdField(required=False)
    with pytest.raises(Exception) as refused:
        field.clean(value)
    assert refused.typename == "ValidationError"


def test_id_field_reads_an_id_and_lets_an_empty_value_be_none():
    field = IdField(required=False)
    assert field.clean("17") == 17
    assert field.clean("") is None


def test_search_text_is_trimmed_bounded_and_without_control_characters():
    assert search_text("  ada\x00\x1b lovelace ") == "ada lovelace"
    assert len(search_text("x" * 100_000)) == 200
    assert search_text(None) == ""


@pytest.mark.parametrize(
    "path",
    [
        "/desk/reviews/٣/",
        "/desk/reviews/²/",
        f"/desk/reviews/{BIGINT_MAX + 1}/",
        "/desk/reviews/99999999999999999999/",
        "/invitations/abc def/",
        "/invitations/<script>/",
        "/meetings/calendar/a\u202eb.ics",
    ],
)
def test_converters_refuse_other_digits_beyond_bigint_and_bad_token_characters(path):
    with pytest.raises(Resolver404):
        resolve(path)


def test_converters_take_what_the_app_makes():
    assert resolve(f"/desk/reviews/{BIGINT_MAX}/").kwargs == {"submission_id": BIGINT_MAX}
    token = "AbC_-09.x:y"
    assert resolve(f"/meetings/answer/{token}/").kwargs == {"token": token}
    assert reverse("desk:review", kwargs={"submission_id": 5}) == "/desk/reviews/5/"


# --- the request-level rule ----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/invitations/abc%00def/",  # anonymous: answered 500 before
        "/meetings/calendar/abc%00def.ics",  # anonymous: answered 500 before
        "/accounts/login/?next=%0d%0aSet-Cookie:x",
        "/accounts/login/?q=%00",
        "/accounts/login/?q=%FF%FE",
    ],
)
def test_nul_control_characters_and_bad_utf8_in_a_url_are_a_400_with_a_message(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert b"This request could not be read" in response.content
    assert b"control character" in response.content or b"not valid UTF-8" in response.content
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        (b"login=a%00b&password=x", "application/x-www-form-urlencoded", b"control character"),
        (b"login=%FF%FE&password=x", "application/x-www-form-urlencoded", b"not valid UTF-8"),
        (
            "login=café",  # the test client encodes it in the charset named
            "application/x-www-form-urlencoded; charset=latin-1",
            b"UTF-8 only",
        ),
    ],
)
def test_a_form_with_nul_bad_bytes_or_another_charset_is_a_400(client, body, content_type, reason):
    response = client.post("/accounts/login/", body, content_type=content_type)
    assert response.status_code == 400
    assert reason in response.content


@pytest.mark.django_db
def test_a_replacement_character_typed_on_purpose_is_ordinary_text(client):
    # Sent as browsers send a form without files; its bytes are checked as bytes.
    response = client.post(
        "/accounts/login/",
        "login=a%EF%BF%BDb&password=x",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200


@pytest.mark.django_db
def test_a_multipart_form_with_bytes_that_are_not_utf8_is_a_400(client):
    boundary = "XyZ"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="login"\r\n\r\n'.encode()
        + b"caf\xe9\r\n"
        + f"--{boundary}--\r\n".encode()
    )
    response = client.post(
        "/accounts/login/", body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code == 400
    assert b"not valid in its character set" in response.content


@pytest.mark.django_db
def test_line_breaks_and_tabs_in_a_form_are_ordinary_text(client):
    response = client.post("/accounts/login/", {"login": "a\r\n\tb", "password": "x"})
    assert response.status_code == 200  # the login form's own error, not the edge's 400


@pytest.mark.django_db
def test_the_issues_500s_are_clean_answers_now(client, mfa_passed, admin, mentor):
    mfa_passed(client, admin)
    assert client.get("/manage/?q=%00").status_code == 400
    assert client.get("/manage/?cohort=%C2%B2").status_code == 200
    assert client.get("/manage/analytics/?program=%C2%B2&cohort=%D9%A3").status_code == 200
    assert client.get("/manage/audit/?person=%C2%B2").status_code == 200
    assert client.get(f"/manage/?cohort={BIGINT_MAX + 1}").status_code == 200
    mfa_passed(client, mentor)
    assert client.get("/desk/?cohort=%C2%B2").status_code == 200


# --- the lint: no view parses an id itself -------------------------------------------------------

VIEW_MODULES = [
    ROOT / "accounts" / "views.py",
    ROOT / "accounts" / "adapter.py",
    ROOT / "curriculum" / "views.py",
    ROOT / "curriculum" / "authoring_views.py",
    ROOT / "onboarding" / "admin.py",
    *sorted((ROOT / "onboarding" / "views").glob("*.py")),
]
_DIGIT_CHECKS = {"isdigit", "isdecimal", "isnumeric"}


def parses_by_hand(source: str) -> list[int]:
    """Lines that call int() or str.isdigit()/isdecimal()/isnumeric()."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        if isinstance(node.func, ast.Name) and node.func.id == "int":
            lines.append(node.lineno)
        if isinstance(node.func, ast.Attribute) and node.func.attr in _DIGIT_CHECKS:
            lines.append(node.lineno)
    return sorted(lines)


def test_no_view_calls_int_or_isdigit_on_what_it_was_sent():
    found = {
        str(path.relative_to(ROOT)): lines
        for path in VIEW_MODULES
        if (lines := parses_by_hand(path.read_text()))
    }
    assert not found, f"parse ids with onboarding.edge (parse_id, IdField, <id:>): {found}"


def test_the_lint_finds_what_it_looks_for():
    source = 'def view(request):\n    x = request.GET.get("a", "")\n    if x.isdigit():\n        return int(x)\n'
    assert parses_by_hand(source) == [3, 4]


# --- the meta-test: every route reads its ids and tokens through the edge's converters -----------


def _route_converters():
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(resolver, prefix):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                if pattern.app_name != "admin":  # the Django admin's own routes
                    yield from walk(pattern, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                for name, converter in pattern.pattern.converters.items():
                    yield f"{prefix}{pattern.pattern}", name, converter

    yield from walk(get_resolver(), "")


def test_no_route_of_ours_uses_djangos_int_or_str_converter():
    from django.urls.converters import IntConverter, StringConverter

    from onboarding.edge import IdConverter

    plain = [
        f"{route} <{name}>"
        for route, name, converter in _route_converters()
        if type(converter) in (IntConverter, StringConverter)
    ]
    assert any(isinstance(c, IdConverter) for *_, c in _route_converters())
    assert not plain, f"use <id:...> or <token:...> (onboarding/edge.py): {plain}"
