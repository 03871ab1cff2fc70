"""Hostile input on every route, as every role: nothing answers 5xx, nothing is half-saved.

Every route in the access table (tests/access_table.py, which a meta-test keeps complete) is
asked with a hostile value in each path parameter, in the query parameters views read, and
in every field of its form: NUL, digits of other scripts, 2^63, negative numbers, 100,000
characters, invalid UTF-8 percent-escapes, CR/LF, a right-to-left override, and a form posted
in another charset. Each role the table lets through gets every target; the roles it refuses
take turns (they are stopped before any value is read). The values come from a seeded
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


VALUES = (
    Hostile("nul", "abc\x00def"),
    Hostile("lone nul", "\x00"),
    Hostile("superscript two", "²"),
    Hostile("arabic-indic three", "٣"),
    Hostile("devanagari twelve", "१२"),
    Hostile("fullwidth twelve", "１２"),
    Hostile("nko one", "߁"),
    Hostile("2^63", str(2**63)),
    Hostile("2^64", str(2**64)),
    Hostile("minus one", "-1"),
    Hostile("below bigint", str(-(2**63) - 1)),
    Hostile("100,000 characters", "x" * 100_000),
    Hostile("invalid utf-8", "\ufffd", escaped="%FF%FE%C0%AF"),
    Hostile("cr/lf", "a\r\nSet-Cookie: x=1"),
    Hostile("right-to-left override", "\u202egpj.exe"),
    Hostile("zero", "0"),
    Hostile("spaced digits", " 1 "),
)
CHARSET = "latin-1 form"  # a form target: the whole body in ISO-8859-1, said so in its header


@dataclass
class Counts:
    requests: int = 0
    server_errors: int = 0
    half_saved: int = 0
    routes: int = 0


COUNTS = Counts()


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
    if value.name == CHARSET:
        fields = {k: "Café ça" for k in data}
        return urlencode(fields, doseq=True, encoding="latin-1").encode(), "latin-1"
    pairs = [f"{quote(k, safe='')}={value.in_url}" for k in data]
    return "&".join(pairs).encode(), "utf-8"


def _cells() -> Iterator[tuple[str, str, str, str, str]]:
    """(route, object, method, target, role): every target for each role let through, and
    the refused roles in turn."""
    converters = _converters()
    seen_routes: set[str] = set()
    turn = 0
    for (route, obj), row in TABLE.items():
        if route.startswith("admin:") or route in seen_routes:
            continue
        seen_routes.add(route)
        path_names = [n for n in converters.get(route, {})]
        for method, cells in (("GET", row.get), ("POST", row.post)):
            targets = [f"path:{n}" for n in path_names] + ["query"]
            if method == "POST":
                targets.append("form")
            through = [r for r in ROLES if not cells[r].refused and cells[r] != NO_METHOD]
            refused = [r for r in ROLES if cells[r].refused and cells[r] != NO_METHOD]
            for target in targets:
                yield from ((route, obj, method, target, role) for role in through)
                if refused:
                    yield route, obj, method, target, refused[turn % len(refused)]
                    turn += 1


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
    body, charset = _form_body(data or {"field": ""}, value)
    return client.post(
        url, body, content_type=f"application/x-www-form-urlencoded; charset={charset}"
    )


_CASES = list(_cells())


def test_the_fuzz_covers_every_route_and_role():
    routes = {route for route, *_ in _CASES}
    table_routes = {route for route, _ in TABLE if not route.startswith("admin:")}
    assert routes == table_routes
    assert {role for *_, role in _CASES} == set(ROLES)
    assert {t for *_, t, _ in _CASES} >= {"query", "form"}
    assert any(t.startswith("path:") for *_, t, _ in _CASES)


def test_no_hostile_value_answers_5xx_or_half_saves(client, world):
    rng = random.Random(SEED)
    problems: list[str] = []
    form_values = [*VALUES, Hostile(CHARSET, "Café ça")]
    for route, obj, method, target, role in _CASES:
        value = rng.choice(form_values if target == "form" else VALUES)
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
        COUNTS.requests += 1
        if status >= 500:
            COUNTS.server_errors += 1
            problems.append(f"{method} {route} {target}={value.name} as {role}: {status}")
        elif status >= 400 and written:
            COUNTS.half_saved += 1
            problems.append(
                f"{method} {route} {target}={value.name} as {role}: {status} wrote {written}"
            )
    COUNTS.routes = len({route for route, *_ in _CASES})
    print(
        f"\nfuzz: {COUNTS.requests} requests over {COUNTS.routes} routes as {len(ROLES)} roles"
        f" (seed {SEED}): {COUNTS.server_errors} answered 5xx, {COUNTS.half_saved} half-saved"
    )
    assert not problems, "\n".join(problems[:40])
