"""The access-control table (tests/access_table.py), one test per (route, object, action, role).

Every cell is asked for real, against one world of hires, mentors and admins built once for the
module (tests/access_world.py). A meta-test walks every URL route and fails on any that the
table does not name, so no page ships without someone deciding who may see it.
"""

from collections.abc import Iterator

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter
from django.urls.resolvers import RegexPattern

from tests.access_table import NOT_FOUND, TABLE, Answer
from tests.access_world import ROLES, SIGNED_IN, World, world_for_module, writes_so_far
from tests.access_writes import WRITES, rows_now

pytestmark = pytest.mark.django_db

METHODS = ("GET", "POST")
MISSING_ID = 2_000_000_000


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    with world_for_module(django_db_blocker, tmp_path_factory.mktemp("access")) as built:
        yield built


def _cell(route: str, obj: str, method: str, role: str) -> Answer:
    row = TABLE[(route, obj)]
    return (row.get if method == "GET" else row.post)[role]


def _ask(client, world: World, method: str, url: str, row):
    return client.get(url) if method == "GET" else client.post(url, row.data(world))


# --- the meta-tests ---------------------------------------------------------------------------------


def _routes(resolver: URLResolver, namespace: str = "") -> Iterator[tuple[str, URLPattern]]:
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _routes(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", pattern


def _unnamed_routes(resolver: URLResolver, prefix: str = "") -> Iterator[str]:
    """Routes the table cannot name (no `name=`), outside the Django admin's own."""
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name != "admin":
                yield from _unnamed_routes(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and not pattern.name:
            yield prefix + str(pattern.pattern)


def _table_gaps(resolver: URLResolver) -> list[str]:
    every = {name for name, _ in _routes(resolver)}
    # The Django admin's ~150 model pages share its site's checks: the table samples them.
    required = {name for name in every if not name.startswith("admin:")} | {"admin:index"}
    in_table = {route for route, _ in TABLE}
    return [f"without a name: {route}" for route in _unnamed_routes(resolver)] + [
        f"missing from the table: {name}" for name in sorted(required - in_table)
    ]


def test_every_route_is_in_the_table():
    assert not _table_gaps(get_resolver())
    every = {name for name, _ in _routes(get_resolver())}
    in_table = {route for route, _ in TABLE}
    assert not in_table - every, f"rows for routes that no longer exist: {in_table - every}"


def test_a_route_without_a_name_or_a_row_is_reported():
    """The meta-test's negative case: a throw-away URL conf that adds a route with no name, and
    one with a name the table does not know, beside the real ones."""
    from django.http import HttpResponse
    from django.urls import include, path

    def page(request):
        return HttpResponse("")

    urlconf = type("urlconf", (), {})
    urlconf.urlpatterns = [
        path("", include(get_resolver().urlconf_name)),
        path("sneaky/", page),
        path("nested/", include([path("deep/", page)])),
        path("named/", page, name="not_in_the_table"),
    ]

    found = _table_gaps(URLResolver(RegexPattern(r"^/"), urlconf))

    assert [gap for gap in found if gap not in _table_gaps(get_resolver())] == [
        "without a name: sneaky/",
        "without a name: nested/deep/",
        "missing from the table: not_in_the_table",
    ]


def test_every_write_the_table_lets_through_says_where_it_lands():
    writing = {key for key, row in TABLE.items() if any(a.writes for a in row.post.values())}
    assert not writing - set(WRITES), f"add to tests/access_writes.py: {writing - set(WRITES)}"
    assert not set(WRITES) - writing, f"not written by the table: {set(WRITES) - writing}"


def test_every_row_answers_for_every_role_and_method():
    for key, row in TABLE.items():
        for method, cells in (("GET", row.get), ("POST", row.post)):
            assert set(cells) == set(ROLES), f"{key} {method}: {set(ROLES) ^ set(cells)}"


# --- the table ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("route", "obj", "method"),
    [
        pytest.param(route, obj, method, id=f"{route}[{obj}]-{method}")
        for (route, obj) in TABLE
        for method in METHODS
    ],
)
def test_access(client, world, route, obj, method):
    """Each role in turn; every cell that differs from the table is reported. A cell the table
    lets through runs in a savepoint rolled back after it, so the next role finds the world as
    it was; a refusal must not write at all (which the cell checks)."""
    problems: list[str] = []
    # PostgreSQL's write counters only grow (rolled-back savepoints count too), so one reading
    # after each cell is the reading before the next.
    writes = writes_so_far()
    for role in ROLES:
        expected = _cell(route, obj, method, role)
        try:
            if expected.refused:
                found, writes = _cell_problems(client, world, route, obj, method, role, writes)
            else:
                with transaction.atomic():
                    found, writes = _cell_problems(client, world, route, obj, method, role, writes)
                    transaction.set_rollback(True)
        except Exception as error:  # an error page (a 500): report it with the other roles
            problems.append(f"{role}: raised {error!r}")
            writes = writes_so_far()
        else:
            problems += found
    assert not problems, f"{method} {route} [{obj}]:\n  " + "\n  ".join(problems)


def _cell_problems(
    client, world: World, route: str, obj: str, method: str, role: str, before: dict[str, int]
) -> tuple[list[str], dict[str, int]]:
    """What differs from the table in one cell, and the write counters after it."""
    row = TABLE[(route, obj)]
    expected = _cell(route, obj, method, role)
    url = reverse(route, kwargs=row.kwargs(world))
    client.cookies.clear()
    world.sign_in(client, role)
    rows_before = rows_now((route, obj), world, role) if expected.writes else None

    response = _ask(client, world, method, url, row)

    after = writes_so_far()
    written = sorted(table for table, n in after.items() if n != before.get(table, 0))
    said = f"{role}: table says {expected}"
    location = response.get("Location", "")
    if response.status_code != expected.status:
        return [f"{said}, got {response.status_code} {location} {response.content[:160]!r}"], after
    problems = _refusal_body_problems(response) if expected.refused else []
    if expected.to and not location.startswith(reverse(expected.to)):
        problems.append(f"{said}, sent to {location}")
    if not expected.to and location.startswith(reverse("account_login")):
        problems.append(f"{said}, sent to log in")
    cache_control = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    # Signed-in answers are no-store, except a curriculum file, kept by the viewer's browser only
    # ("private, immutable": versions never change).
    if (
        role in SIGNED_IN
        and not expected.to
        and "no-store" not in cache_control
        and not {"private", "immutable"} <= cache_control
    ):
        problems.append(f"{role}: a signed-in answer without Cache-Control: no-store")
    if expected.writes and rows_before == rows_now((route, obj), world, role):
        model = WRITES.get((route, obj), ("(no line in tests/access_writes.py)",))[0]
        problems.append(f"{said}, but the {model} rows it must write did not change")
    if expected.writes and not written:
        problems.append(f"{said}, wrote nothing")
    # A GET let through may write (an audit line when a mentor reads); nothing else may.
    if not expected.writes and written and (method == "POST" or expected.refused):
        problems.append(f"{said}, wrote to {written}")
    return problems, after


def _plain_refusals() -> dict[int, bytes]:
    """What a refusal may say: Django's own 403 and 404 pages (no detail of what was asked for,
    nor of who asked), an empty 405 and an empty redirect."""
    from django.core.exceptions import PermissionDenied
    from django.http import Http404
    from django.test import RequestFactory
    from django.views import defaults

    request = RequestFactory().get("/")
    return {
        403: defaults.permission_denied(request, PermissionDenied("secret")).content,
        404: defaults.page_not_found(request, Http404("secret")).content,
        405: b"",
        302: b"",
    }


def _refusal_body_problems(response) -> list[str]:
    plain = _plain_refusals()
    if response.status_code in plain and response.content != plain[response.status_code]:
        return [f"a refused {response.status_code} says more: {response.content[:200]!r}"]
    return []


def test_a_refusal_that_says_more_than_the_plain_page_is_reported():
    """The body check's negative case: a 404 or 403 that leaks what it refused."""
    from django.http import HttpResponse, HttpResponseForbidden, HttpResponseNotFound

    plain = _plain_refusals()
    for leaky in (
        HttpResponseNotFound(plain[404] + b"<!-- hana@example.com -->"),
        HttpResponseForbidden(b"<h1>403 Forbidden</h1><p>Only Hana Hire may see this.</p>"),
        HttpResponse(b"Hana's reflection", status=302),
    ):
        assert _refusal_body_problems(leaky), leaky.content
    assert not _refusal_body_problems(HttpResponseNotFound(plain[404]))


def test_a_write_that_lands_on_another_row_is_reported(client, world, monkeypatch):
    """The write check's negative case: the mentor's comment on the reflection, checked as if
    it had to land on the answer (as a view that picked the wrong submission would)."""
    key = ("desk:review_comment", "reflection")
    wrong_row = ("onboarding.ReviewComment", lambda w, role: {"submission": w.answer})
    with transaction.atomic():
        right, _ = _cell_problems(client, world, *key, "POST", "mentor", writes_so_far())
        transaction.set_rollback(True)
    monkeypatch.setitem(WRITES, key, wrong_row)
    with transaction.atomic():
        wrong, _ = _cell_problems(client, world, *key, "POST", "mentor", writes_so_far())
        transaction.set_rollback(True)

    assert right == []
    assert wrong == [
        "mentor: table says done, but the onboarding.ReviewComment rows it must write did not change"
    ]


# --- another person's id and a missing id get the same answer ----------------------------------------


def _hidden_cases() -> Iterator:
    """Per row with an id in its URL and per method, the first role the table refuses with a
    404 although the object exists; the same role then asks for an id that does not exist."""
    with_ids = {
        name
        for name, pattern in _routes(get_resolver())
        if any(isinstance(c, IntConverter) for c in pattern.pattern.converters.values())
    }
    for (route, obj), row in TABLE.items():
        if route not in with_ids:
            continue
        for method, cells in (("GET", row.get), ("POST", row.post)):
            role = next((r for r in SIGNED_IN if cells[r] == NOT_FOUND), None)
            if role is not None and any(cells[r] != NOT_FOUND for r in SIGNED_IN):
                yield pytest.param(route, obj, method, role, id=f"{route}[{obj}]-{method}-{role}")


@pytest.mark.parametrize(("route", "obj", "method", "role"), list(_hidden_cases()))
def test_a_hidden_object_and_a_missing_one_look_the_same(client, world, route, obj, method, role):
    row = TABLE[(route, obj)]
    kwargs = row.kwargs(world)
    missing = {
        name: MISSING_ID if isinstance(value, int) else value for name, value in kwargs.items()
    }
    world.sign_in(client, role)

    hidden = _ask(client, world, method, reverse(route, kwargs=kwargs), row)
    absent = _ask(client, world, method, reverse(route, kwargs=missing), row)

    assert (hidden.status_code, absent.status_code) == (404, 404)
    assert hidden.content == absent.content


def test_a_deactivated_hire_is_out_of_their_own_pages_on_the_next_request(client, world):
    world.sign_in(client, "deactivated")
    own = {"enrollment_id": world.former_enrollment.pk}
    for url in (
        reverse("journey:item", kwargs={**own, "item_id": world.day1.pk}),
        reverse("journey:export_json", kwargs=own),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_login")), url
