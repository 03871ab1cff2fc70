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

from tests.access_table import NOT_FOUND, TABLE, Answer
from tests.access_world import ROLES, SIGNED_IN, World, world_for_module, writes_so_far

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


def test_every_route_is_in_the_table():
    every = {name for name, _ in _routes(get_resolver())}
    # The Django admin's ~150 model pages share its site's checks: the table samples them.
    required = {name for name in every if not name.startswith("admin:")} | {"admin:index"}
    in_table = {route for route, _ in TABLE}
    assert not required - in_table, f"routes missing from the table: {sorted(required - in_table)}"
    assert not in_table - every, f"rows for routes that no longer exist: {in_table - every}"


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

    response = _ask(client, world, method, url, row)

    after = writes_so_far()
    written = sorted(table for table, n in after.items() if n != before.get(table, 0))
    said = f"{role}: table says {expected}"
    location = response.get("Location", "")
    if response.status_code != expected.status:
        return [f"{said}, got {response.status_code} {location} {response.content[:160]!r}"], after
    problems = []
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
    if expected.writes and not written:
        problems.append(f"{said}, wrote nothing")
    # A GET let through may write (an audit line when a mentor reads); nothing else may.
    if not expected.writes and written and (method == "POST" or expected.refused):
        problems.append(f"{said}, wrote to {written}")
    return problems, after


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
