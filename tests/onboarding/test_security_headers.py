"""Headers every page sends (docs/quality.md)."""

import pytest
from django.urls import reverse

from tests.access_table import OK, TABLE
from tests.access_world import world_for_module
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["account_login", "healthz"])
def test_public_pages_send_the_security_headers(client, name):
    response = client.get(reverse(name))

    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp.split("script-src", 1)[1].split(";", 1)[0]
    assert "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


@pytest.fixture
def a_hire(db):
    """Not the `hire` persona: this module's world (built once, below) already has that email,
    and in a random order the world may be built before a test that asks for `hire`."""
    from tests.factories import HireFactory

    return HireFactory(email="headers.hire@example.com")


def test_logged_in_pages_are_no_store_and_carry_csp(client, a_hire):
    client.force_login(a_hire)
    response = client.get(reverse("home"))
    assert "no-store" in response["Cache-Control"]
    assert "default-src 'self'" in response["Content-Security-Policy"]


SECURITY_SETTINGS = (
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "SESSION_COOKIE_NAME",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_NAME",
)


def _production_settings() -> dict:
    """The security settings onboarding.settings.production really has, read in a process of
    its own (the test cannot choose them: it only applies what production says)."""
    import json
    import os
    import subprocess
    import sys

    from tests.conftest import REPO_ROOT

    names = ", ".join(repr(name) for name in SECURITY_SETTINGS)
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        f"print(json.dumps({{n: getattr(settings, n) for n in ({names},)}}))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "onboarding.settings.production",
        "DJANGO_SECRET_KEY": "not-a-secret-only-to-read-the-settings",
        "ALLOWED_HOSTS": "testserver",
    }
    env.pop("SECURE_HSTS_SECONDS", None)
    env.pop("SECURE_SSL_REDIRECT", None)
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_production_settings_send_hsts_and_secure_cookies(client, settings, a_hire):
    production = _production_settings()
    for name, value in production.items():
        setattr(settings, name, tuple(value) if isinstance(value, list) else value)

    assert client.get(reverse("account_login")).status_code == 301  # plain HTTP: to https
    page = client.get(reverse("account_login"), secure=True)
    response = client.post(
        reverse("account_login"),
        {"login": a_hire.email, "password": TEST_PASSWORD},
        secure=True,
    )

    hsts = dict(
        [*part.strip().split("="), ""][:2] for part in page["Strict-Transport-Security"].split(";")
    )
    assert int(hsts["max-age"]) >= 365 * 24 * 3600
    assert "includeSubDomains" in hsts
    assert response.status_code == 302
    session = response.cookies[production["SESSION_COOKIE_NAME"]]
    assert session["secure"] is True and session["httponly"] is True
    assert session["samesite"] in ("Lax", "Strict")
    csrf = page.cookies[production["CSRF_COOKIE_NAME"]]
    assert csrf["secure"] is True
    for cookie in (session, csrf):
        if cookie.key.startswith("__Host-"):  # the browser keeps it only if so
            assert cookie["path"] == "/" and not cookie["domain"]


# --- every page ------------------------------------------------------------------------------------
# The access table (tests/access_table.py) says which role gets each page (a 200 to a GET); each
# is read here as that role over HTTPS with production's HSTS, and as an anonymous visitor too
# where the page is public.

PREFERRED = ("hire", "mentor", "program_admin", "superuser", "other_hire", "other_mentor")


def _readers(row) -> list[str]:
    signed_in = [role for role in PREFERRED if row.get[role] == OK][:1]
    return signed_in + (["anonymous"] if row.get["anonymous"] == OK else [])


PAGES = [
    pytest.param(route, obj, id=f"{route}[{obj}]")
    for (route, obj), row in TABLE.items()
    if _readers(row)
]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    with world_for_module(django_db_blocker, tmp_path_factory.mktemp("headers")) as built:
        yield built


def _policy(csp: str) -> dict[str, str]:
    directives = (part.strip().split(None, 1) for part in csp.split(";") if part.strip())
    return {d[0]: d[1] if len(d) > 1 else "" for d in directives}


@pytest.mark.parametrize(("route", "obj"), PAGES)
def test_every_page_sends_the_security_headers(client, settings, world, route, obj):
    settings.SECURE_HSTS_SECONDS = 31536000  # as production sets it
    row = TABLE[(route, obj)]
    url = reverse(route, kwargs=row.kwargs(world))
    for role in _readers(row):
        client.cookies.clear()
        world.sign_in(client, role)
        response = client.get(url, secure=True)
        said = f"{role} GET {url}"
        assert response.status_code == 200, said

        policy = _policy(response["Content-Security-Policy"])
        scripts = policy.get("script-src", policy.get("default-src", ""))
        assert scripts and "unsafe-inline" not in scripts, f"{said}: scripts {scripts!r}"
        assert policy.get("frame-ancestors") == "'none'", f"{said}: {policy}"
        if response["Content-Type"].startswith("text/html"):
            assert policy.get("script-src") == "'self'", said
            assert response["Referrer-Policy"] == "same-origin", said
        assert response["X-Content-Type-Options"] == "nosniff", said
        assert response["Strict-Transport-Security"].startswith("max-age=31536000"), said
        if role != "anonymous" and route != "curriculum:asset_file":
            assert "no-store" in response["Cache-Control"], f"{said}: {response['Cache-Control']}"


def test_curriculum_files_are_kept_by_the_viewers_browser_only(client, world):
    """An image of a published version never changes: the browser keeps it a day, shared
    caches never (private), and the no-store every other signed-in answer gets is not added."""
    row = TABLE[("curriculum:asset_file", "published asset")]
    world.sign_in(client, "hire")
    response = client.get(reverse("curriculum:asset_file", kwargs=row.kwargs(world)))
    assert response.status_code == 200
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"private", "max-age=86400", "immutable"} <= directives
    assert "no-store" not in directives and "public" not in directives
