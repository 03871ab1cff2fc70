"""Hostile input on every route, as every role: nothing answers 5xx, nothing is half-saved.

Every route in the access table (tests/access_table.py, which a meta-test keeps complete) is
asked with a hostile value in each path parameter, in the query parameters views read, and
in every field of its form: NUL, digits of other scripts, 2^63, negative numbers, 100,000
characters, invalid UTF-8 percent-escapes, CR/LF, a right-to-left override, and a form posted
in another charset. Each role the table lets through sends every query and form; the roles
it refuses take turns (they are stopped before any value is read), and so do the roles let
through for a path value (a converter or the middleware refuses it before any role matters). The values come from a seeded
generator, so a failure repeats. Each request runs in a savepoint rolled back after it; a
refused one (4xx) must not have written anything.

`bin/test tests/test_fuzz_routes.py -s -p no:randomly` prints the counts.
"""

import random
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter

from tests.access_table import NO_METHOD, TABLE
from tests.access_world import ROLES, World, world_for_module, writes_so_far

pytestmark = pytest.mark.django_db

SEED = 16

# Every query parameter a view reads (a parameter nobody reads is harmless by definition).
QUERY_NAMES = (
    "cohort", "state", "q", "program", "a", "b", "request", "enrollment", "person",
    "page", "next", "item", "revision", "which",
)  # fmt: skip


@dataclass(frozen=True)
class Hostile:
    name: str
    text: str  # the value as a string (for a form field sent by the test client)
    escaped: str = ""  # how it goes into a URL, when not simply percent-quoted

    @property
    def in_url(self) -> str:
        return self.escaped or quote(self.text, safe="")


# Refused at the edge (the middleware) wherever they are sent.
EDGE_VALUES = (
    Hostile("nul", "abc\x00def"),
    Hostile("lone nul", "\x00"),
    Hostile("invalid utf-8", "\ufffd", escaped="%FF%FE%C0%AF"),
    Hostile("cr/lf", "a\r\nSet-Cookie: x=1"),
)
# Read by the views: each must be refused or used there, never a 500.
ALWAYS = (
    Hostile("superscript two", "²"),  # str.isdigit() says yes, int() raises
    Hostile("2^63", str(2**63)),  # one past bigint
)
ROTATING = (
    Hostile("arabic-indic three", "٣"),  # int() reads it as 3
    Hostile("devanagari twelve", "१२"),
    Hostile("fullwidth twelve", "１２"),
    Hostile("nko one", "߁"),
    Hostile("2^64", str(2**64)),
    Hostile("minus one", "-1"),
    Hostile("below bigint", str(-(2**63) - 1)),
    Hostile("100,000 characters", "x" * 100_000),
    Hostile("right-to-left override", "\u202egpj.exe"),
    Hostile("zero", "0"),
    Hostile("spaced digits", " 1 "),
)
VALUES = (*EDGE_VALUES, *ALWAYS, *ROTATING)
CHARSET = Hostile("latin-1 form", "Café ça")  # the whole body in ISO-8859-1, said so
# Fields some views read from a POST besides their form's own.
EXTRA_FORM_NAMES = ("request", "revision", "item", "mentor", "cohort", "action")


@dataclass
class Counts:
    requests: int = 0
    server_errors: int = 0
    half_saved: int = 0


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    with world_for_module(django_db_blocker, tmp_path_factory.mktemp("fuzz")) as built:
        yield built


def _converters() -> dict[str, dict[str, object]]:
    found: dict[str, dict[str, object]] = {}

    def walk(resolver: URLResolver, namespace: str, inherited: dict) -> None:
        for pattern in resolver.url_patterns:
            converters = {**inherited, **pattern.pattern.converters}
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern, inner, converters)
            elif isinstance(pattern, URLPattern) and pattern.name:
                found.setdefault(f"{namespace}{pattern.name}", converters)

    walk(get_resolver(), "", {})
    return found


def _sentinel(converter: object, n: int) -> object:
    return 7_770_000_000 + n if isinstance(converter, IntConverter) else f"zzfuzz{n}zz"


def _url_with(route: str, kwargs: dict, name: str, value: Hostile, converters: dict) -> str:
    sentinel = _sentinel(converters.get(name), 1)
    url = reverse(route, kwargs={**kwargs, name: sentinel})
    return url.replace(str(sentinel), value.in_url, 1)


def _form_body(data: dict, value: Hostile) -> tuple[bytes, str]:
    """Every field set to the hostile value, as a urlencoded body (raw bytes where needed)."""
    names = [*data, *(n for n in EXTRA_FORM_NAMES if n not in data)]
    if value is CHARSET:
        return urlencode({n: value.text for n in names}, encoding="latin-1").encode(), "latin-1"
    return "&".join(f"{quote(n, safe='')}={value.in_url}" for n in names).encode(), "utf-8"


Case = tuple[str, str, str, str, str, Hostile]  # route, object, method, target, role, value


def _cases() -> Iterator[Case]:
    """For each route, method and target: a path value is asked by one role let through and
    one refused, in turn (a converter or the middleware decides before any role matters); a
    query or a form reaches the view, so it is asked by every role let through, with the
    values that must always be tried, one more in turn and one the edge refuses; and by one
    refused role. Seeded: a failure repeats."""
    rng = random.Random(SEED)
    converters = _converters()
    seen_routes: set[str] = set()
    turn = 0
    for (route, obj), row in TABLE.items():
        if route in seen_routes:
            continue
        seen_routes.add(route)
        for method, cells in (("GET", row.get), ("POST", row.post)):
            through = [r for r in ROLES if not cells[r].refused and cells[r] != NO_METHOD]
            refused = [r for r in ROLES if cells[r].refused and cells[r] != NO_METHOD]
            targets = [f"path:{n}" for n in converters.get(route, {})]
            targets += ["query", "form"] if method == "POST" else ["query"]
            for target in targets:
                turn += 1
                if refused:
                    yield (
                        route,
                        obj,
                        method,
                        target,
                        refused[turn % len(refused)],
                        rng.choice(VALUES),
                    )
                if not through:
                    continue
                if target.startswith("path:"):
                    yield (
                        route,
                        obj,
                        method,
                        target,
                        through[turn % len(through)],
                        rng.choice(VALUES),
                    )
                    continue
                edge = [*EDGE_VALUES, CHARSET] if target == "form" else list(EDGE_VALUES)
                values = [*ALWAYS, rng.choice(ROTATING), rng.choice(edge)]
                for k in range(max(len(values), len(through))):
                    yield (
                        route,
                        obj,
                        method,
                        target,
                        through[k % len(through)],
                        values[k % len(values)],
                    )


def _ask(client, world: World, route: str, obj: str, method: str, target: str, value: Hostile):
    row = TABLE[(route, obj)]
    kwargs = row.kwargs(world)
    url = reverse(route, kwargs=kwargs)
    if target.startswith("path:"):
        url = _url_with(route, kwargs, target.removeprefix("path:"), value, _converters()[route])
    if target == "query":
        # 100,000 characters go into one parameter, not fourteen (1.4 MB buys nothing more).
        names = QUERY_NAMES if len(value.text) < 1000 else ("q",)
        url += "?" + "&".join(f"{n}={value.in_url}" for n in names)
    if method == "GET":
        return client.get(url)
    data = row.data(world)
    if target != "form":
        return client.post(url, data)
    if any(isinstance(v, SimpleUploadedFile) for v in data.values()):
        # A multipart form keeps its file; every other field gets the value as text.
        hostile = {
            k: (v if isinstance(v, SimpleUploadedFile) else value.text) for k, v in data.items()
        }
        return client.post(url, hostile)
    body, charset = _form_body(data, value)
    return client.post(
        url, body, content_type=f"application/x-www-form-urlencoded; charset={charset}"
    )


_CASES = list(_cases())


def test_the_fuzz_covers_every_route_role_target_and_value():
    assert {case[0] for case in _CASES} == {route for route, _ in TABLE}
    assert {case[4] for case in _CASES} == set(ROLES)
    assert {case[3] for case in _CASES} >= {"query", "form"}
    assert any(case[3].startswith("path:") for case in _CASES)
    assert {case[5].name for case in _CASES} == {v.name for v in (*VALUES, CHARSET)}


def test_no_hostile_value_answers_5xx_or_half_saves(client, world):
    problems: list[str] = []
    counts = Counts()
    for route, obj, method, target, role, value in _CASES:
        client.cookies.clear()
        world.sign_in(client, role)
        before = writes_so_far()
        status = 500
        with transaction.atomic():
            try:
                status = _ask(client, world, route, obj, method, target, value).status_code
            except Exception as error:  # the test client re-raises what a view raised
                problems.append(f"{method} {route} {target}={value.name} as {role}: {error!r}")
            written = sorted(t for t, n in writes_so_far().items() if n != before.get(t, 0))
            transaction.set_rollback(True)
        counts.requests += 1
        if status >= 500:
            counts.server_errors += 1
            problems.append(f"{method} {route} {target}={value.name} as {role}: {status}")
        elif status >= 400 and written:
            counts.half_saved += 1
            problems.append(
                f"{method} {route} {target}={value.name} as {role}: {status} wrote {written}"
            )
    routes = len({case[0] for case in _CASES})
    print(
        f"\nfuzz: {counts.requests} requests over {routes} routes as {len(ROLES)} roles"
        f" (seed {SEED}): {counts.server_errors} answered 5xx, {counts.half_saved} half-saved"
    )
    assert not problems, "\n".join(problems[:40])
