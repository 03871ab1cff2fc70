"""Benchmark (not a timed test): key pages under load, against gunicorn with production settings.

    uv run python -m tests.bench.bench_load [--users 20] [--seconds 15] [--workers N] [--reseed]
        [--pages item,desk] [--think 1] [--json results.json]

What it does, all on this machine:
1. Seeds a template database once (`bench_load_template`: `manage.py seed_load`, 5,000 hires,
   20 cohorts, 200 mentors, 25 items) and copies it for each run (`CREATE DATABASE ... TEMPLATE`),
   so every run starts from the same state however many reflections the last one submitted.
2. Starts a private redis-server (broker and cache) and gunicorn (sync workers, default 2 per
   core + 1) with `onboarding.settings.production`, behind a pretend TLS proxy
   (X-Forwarded-Proto: https), after collectstatic.
3. Logs people in by writing their sessions as Django would (a hire, a mentor or an admin who
   has passed MFA), then drives one page at a time with locust (tests/bench/load_client.py):
   USERS concurrent virtual users in a closed loop (or, with --think T, each waiting about T
   seconds between requests, as people reading would: latency at that many people). Each page's SECONDS are split over ROUNDS
   of all pages in turn (after WARMUP seconds the first time), so a machine whose speed drifts
   during the run weighs on every page and on the floor alike.
4. Prints requests per second, p50/p95/p99 and CPU per request (web, PostgreSQL, client) for each page, next to the floor (GET /floor:
   the same middleware and one row by primary key) measured in the same run, and whether each
   page meets the targets of issue 9 (at least 40 % of the floor's rate, p95 under 100 ms).

Environment: DATABASE_URL names the server (its database part is ignored), default
postgres://postgres@127.0.0.1:5432/.
"""

import argparse
import datetime
import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DB = "bench_load_template"  # --database-prefix changes both names
RUN_DB = "bench_load_run"
SERVER = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/")
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}
# Hires with an item in progress whose sessions the plan holds: each submits its reflection
# once, and a page measured for 15 s at ~150 req/s (plus warm-ups) needs a few thousand.
HIRES_IN_PLAN = 5000


def database_url(name: str) -> str:
    return urlparse(SERVER)._replace(path=f"/{name}").geturl()


def admin_sql(*statements: str) -> None:
    import psycopg

    with psycopg.connect(database_url("postgres"), autocommit=True) as connection:
        for statement in statements:
            connection.execute(statement)  # names below are our own constants, never input


def database_exists(name: str) -> bool:
    import psycopg

    with psycopg.connect(database_url("postgres"), autocommit=True) as connection:
        row = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        return row.fetchone() is not None


def manage(env: dict, *args: str) -> None:
    subprocess.run(  # nosec B603: our own manage.py with fixed arguments
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True
    )


def template_ensure(env: dict, *, reseed: bool, seed_args: list[str]) -> None:
    if reseed and database_exists(TEMPLATE_DB):
        admin_sql(f'DROP DATABASE "{TEMPLATE_DB}"')
    if database_exists(TEMPLATE_DB):  # seeded before: only bring its schema up to date
        manage({**env, "DATABASE_URL": database_url(TEMPLATE_DB)}, "migrate", "--no-input", "-v0")
        return
    print(f"seeding {TEMPLATE_DB} (once; --reseed starts again)", file=sys.stderr, flush=True)
    admin_sql(f'CREATE DATABASE "{TEMPLATE_DB}"')
    try:
        template_env = {**env, "DATABASE_URL": database_url(TEMPLATE_DB)}
        manage(template_env, "migrate", "--no-input", "-v0")
        manage(template_env, "seed_load", *seed_args)
    except BaseException:
        admin_sql(f'DROP DATABASE IF EXISTS "{TEMPLATE_DB}"')
        raise


def run_database_fresh() -> None:
    admin_sql(
        f'DROP DATABASE IF EXISTS "{RUN_DB}" WITH (FORCE)',
        f'CREATE DATABASE "{RUN_DB}" TEMPLATE "{TEMPLATE_DB}"',
    )


def sessions_and_plan(
    *, host: str, users: int, seconds: float, warmup: float, rounds: int = 3
) -> dict:
    """Log people in (sessions written as Django's login would) and list each page's requests."""
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.middleware.csrf import _get_new_csrf_string
    from django.urls import reverse

    from accounts.middleware import SESSION_FLAG as MFA_ENROLLED
    from accounts.models import User
    from curriculum.markdown.structure import BlockKind
    from curriculum.models import Block
    from onboarding.models import ItemProgress, ProgressState, Submission, SubmissionState
    from onboarding.seed_load import DOMAIN

    csrf = _get_new_csrf_string()

    def cookie(user: User) -> str:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session[MFA_ENROLLED] = True  # mentors and admins have passed their second factor
        session.create()
        return (
            f"{settings.SESSION_COOKIE_NAME}={session.session_key}; "
            f"{settings.CSRF_COOKIE_NAME}={csrf}"
        )

    # Hires on an item today (in progress), one request list entry per hire.
    current = list(
        ItemProgress.objects.filter(
            state=ProgressState.IN_PROGRESS, enrollment__hire__email__endswith=DOMAIN
        )
        .select_related("enrollment__hire")
        .order_by("enrollment_id")[:HIRES_IN_PLAN]
    )
    if not current:
        raise SystemExit("the seeded instance has no hire with an item in progress")
    blocks: dict[int, dict[str, list[str]]] = {}
    for item_id, kind, key in Block.objects.filter(
        item_id__in={p.item_id for p in current},
        kind__in=[BlockKind.GOAL, BlockKind.REFLECTION_PROMPT],
    ).values_list("item_id", "kind", "key"):
        blocks.setdefault(item_id, {}).setdefault(kind, []).append(key)
    hires = []
    for progress in current:
        enrollment = progress.enrollment
        args = [enrollment.pk, progress.item_id]
        item_blocks = blocks.get(progress.item_id, {})
        hires.append(
            {
                "cookie": cookie(enrollment.hire),
                "item": reverse("journey:item", args=args),
                "check": reverse("journey:block_check", args=args),
                "reflection": reverse("journey:reflection_save", args=args),
                "goal": item_blocks.get(BlockKind.GOAL, [""])[-1],
                "prompts": len(item_blocks.get(BlockKind.REFLECTION_PROMPT, [])),
            }
        )
    # Reflections waiting for review, with their mentor's session (one session per mentor).
    waiting = list(
        Submission.objects.filter(
            state=SubmissionState.SUBMITTED, kind="reflection", enrollment__mentor__isnull=False
        )
        .select_related("enrollment__mentor")
        .order_by("pk")[:2000]
    )
    mentor_cookies: dict[int, str] = {}
    for submission in waiting:
        mentor = submission.enrollment.mentor
        if mentor.pk not in mentor_cookies:
            mentor_cookies[mentor.pk] = cookie(mentor)
    admins = User.objects.filter(is_program_admin=True, email__endswith=DOMAIN)
    admin_cookies = [cookie(admin) for admin in admins]

    htmx = {"HX-Request": "true", "X-CSRFToken": csrf}
    post = {"X-CSRFToken": csrf, "Origin": host.replace("http://", "https://")}
    goal_checks = []
    for hire in hires:
        for checked in ("on", ""):  # tick, then untick: every request writes
            goal_checks.append(
                {
                    "path": hire["check"],
                    "cookie": hire["cookie"],
                    "data": {"block_key": hire["goal"], "checked": checked},
                    "headers": {**htmx, **post},
                }
            )
    reflections = [
        {
            "path": hire["reflection"],
            "cookie": hire["cookie"],
            "data": {
                **{
                    f"prompt_{n}": "Tracing one request end to end made it all click."
                    for n in range(1, hire["prompts"] + 1)
                },
                "notes": "",
                "action": "submit",
            },
            "headers": post,
        }
        for hire in hires
        if hire["prompts"]
    ]

    def gets(pairs: list[tuple[str, str]]) -> list[dict]:
        return [{"path": path, "cookie": c} for path, c in pairs]

    scenarios = [
        (
            "floor (one row by primary key)",
            "GET",
            200,
            gets([(reverse("floor"), h["cookie"]) for h in hires]),
        ),
        ("hire home", "GET", 200, gets([(reverse("home"), h["cookie"]) for h in hires])),
        ("item page", "GET", 200, gets([(h["item"], h["cookie"]) for h in hires])),
        ("check a goal (htmx)", "POST", 200, goal_checks),
        ("submit a reflection", "POST", 302, reflections),
        (
            "mentor dashboard",
            "GET",
            200,
            gets([(reverse("desk:dashboard"), c) for c in mentor_cookies.values()]),
        ),
        (
            "review page",
            "GET",
            200,
            gets(
                [
                    (reverse("desk:review", args=[s.pk]), mentor_cookies[s.enrollment.mentor_id])
                    for s in waiting
                ]
            ),
        ),
        (
            "admin funnel",
            "GET",
            200,
            gets([(reverse("manage:analytics_funnel"), c) for c in admin_cookies]),
        ),
    ]
    return {
        "host": host,
        "users": users,
        "seconds": seconds,
        "warmup": warmup,
        "rounds": rounds,
        "headers": PROXY_HEADERS,
        "scenarios": [
            {
                "name": name,
                "method": method,
                "expect": expect,
                "requests": requests,
                "once": name == "submit a reflection",
            }
            for name, method, expect, requests in scenarios
        ],
    }


def gunicorn_start(env: dict, port: int, workers: int) -> subprocess.Popen:
    process = subprocess.Popen(  # nosec B603: fixed arguments
        [
            sys.executable,
            "-m",
            "gunicorn",
            "onboarding.wsgi",
            f"--bind=127.0.0.1:{port}",
            f"--workers={workers}",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):  # nosec B310
                return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise SystemExit("gunicorn did not answer /healthz within 30 s")


def _cpu_text(result: dict) -> str:
    cpu = result.get("cpu_ms") or {}
    if not cpu:
        return ""
    return (
        f"{cpu['web']:.1f} + {cpu['database']:.1f} + {cpu['client']:.1f} = {sum(cpu.values()):.1f}"
    )


def report_print(
    results: list[dict], *, users: int, seconds: float, workers: int, think: float
) -> None:
    floor = results[0]
    loop = f"each waiting about {think:g} s between requests" if think else "in a closed loop"
    print(
        f"\n{users} concurrent users {loop}, {seconds:g} s per page (in rounds), gunicorn "
        f"{workers} sync workers, {os.cpu_count()} cores, {datetime.date.today():%Y-%m-%d}\n"
    )
    print(
        "| page | req/s | % of floor | p50 ms | p95 ms | p99 ms | failures | targets "
        "| CPU ms per request: web + database + client |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---|---|")
    for result in results:
        share = result["rps"] / floor["rps"] * 100 if floor["rps"] else 0
        # Paced users ask for what they ask for: the rate is theirs, so only latency counts.
        met = result is floor or ((think or share >= 40) and result["p95"] < 100)
        print(
            f"| {result['name']} | {result['rps']:.0f} | {share:.0f} % | {result['p50']:.0f} | "
            f"{result['p95']:.0f} | {result['p99']:.0f} | {result['failures']}/"
            f"{result['requests']} | {'met' if met else 'missed'} | {_cpu_text(result)} |"
        )
        for error in result["errors"]:
            print(f"    {result['name']}: {error}", file=sys.stderr)
    floor_cpu = sum((floor.get("cpu_ms") or {}).values())
    if floor_cpu and not think:
        print(
            f"\nThe floor costs {floor_cpu:.1f} ms of CPU per request (web + database + client); "
            f"at 40 % of its rate a page may cost {floor_cpu / 0.4:.1f} ms."
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument(
        "--think",
        type=float,
        default=0,
        help="seconds each user waits between requests (default 0: a closed loop)",
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="split each page's seconds over rounds of all pages"
    )
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--reseed", action="store_true", help="seed the template again")
    parser.add_argument(
        "--seed-args", default="", help='passed to seed_load, e.g. "--hires 500 --mentors 20"'
    )
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument(
        "--pages",
        default="",
        help='only pages whose name contains one of these words, e.g. "item,desk" (and the floor)',
    )
    parser.add_argument(
        "--database-prefix", default="bench_load", help="names the template and run databases"
    )
    args = parser.parse_args()
    global TEMPLATE_DB, RUN_DB
    TEMPLATE_DB, RUN_DB = f"{args.database_prefix}_template", f"{args.database_prefix}_run"

    sys.path.insert(0, str(ROOT))
    from tests.support.redis_server import redis_server
    from tests.support.smtp_sink import free_port

    with redis_server() as redis:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "onboarding.settings.production",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(48),
            "DATABASE_URL": database_url(RUN_DB),
            "REDIS_URL": redis.url,
            "ALLOWED_HOSTS": "127.0.0.1",
            "EMAIL_URL": "consolemail://",
            "PYTHONUNBUFFERED": "1",
        }
        template_ensure(env, reseed=args.reseed, seed_args=args.seed_args.split())
        run_database_fresh()
        manage(env, "collectstatic", "--no-input", "-v0")
        port = free_port()
        os.environ.update(env)
        plan = sessions_and_plan(
            host=f"http://127.0.0.1:{port}",
            users=args.users,
            seconds=args.seconds,
            warmup=args.warmup,
            rounds=args.rounds,
        )
        plan["think"] = args.think
        if args.pages:
            words = [word.strip() for word in args.pages.split(",") if word.strip()]
            plan["scenarios"] = [
                scenario
                for number, scenario in enumerate(plan["scenarios"])
                if number == 0 or any(word in scenario["name"] for word in words)
            ]
        from django.db import connections

        connections.close_all()
        server = gunicorn_start(env, port, args.workers)
        try:
            client = subprocess.run(  # nosec B603: our own module
                [sys.executable, "-m", "tests.bench.load_client"],
                cwd=ROOT,
                input=json.dumps(plan),
                env={**os.environ, "BENCH_WEB_PGID": str(server.pid), "BENCH_DATABASE": RUN_DB},
                capture_output=False,
                stdout=subprocess.PIPE,
                text=True,
                check=True,
            )
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        results = json.loads(client.stdout)
    report_print(
        results, users=args.users, seconds=args.seconds, workers=args.workers, think=args.think
    )
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    admin_sql(f'DROP DATABASE IF EXISTS "{RUN_DB}" WITH (FORCE)')
    failed = [r["name"] for r in results if r["failures"] or not r["requests"]]
    if failed:
        print(f"pages with failed or no requests: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
