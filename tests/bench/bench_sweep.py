"""Benchmark (not a timed test): the reminder sweep over N enrollments, all due in one minute.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/onboarding REDIS_URL=redis://127.0.0.1:6379/4 \
        uv run python -m tests.bench.bench_sweep [N] [--batch 500]

N defaults to 100000. It creates its own throw-away database (`bench_sweep`, or
$BENCH_DATABASE_NAME), seeds it with bulk_create (hires across five time zones, 1 mentor per 20
hires, one 25-item program, every hire's morning row due this minute, working hours all day so
every reminder also writes its email), runs the sweep once, and prints its time, its query count
(statements: the claimed rows are streamed through a server-side cursor, --batch rows per fetch,
and one sweep claims at most `sweep_cap` rows, 200,000 by default) and how many notifications
and emails it wrote; then a second sweep (nothing due) for the floor. Handing emails to the
broker after commit is left out (it is Redis, not the sweep), and so is loading the URLconf (a
worker has it loaded after its first task: the first reverse() imports every view).
"""

import argparse
import datetime
import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onboarding.settings.test")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/onboarding")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/4")
os.environ["TEST_DATABASE_NAME"] = os.environ.get("BENCH_DATABASE_NAME", "bench_sweep")

ZONES = [
    "Europe/London",
    "America/New_York",
    "Asia/Kolkata",
    "Australia/Lord_Howe",
    "America/Santiago",
]


def seed(n: int, now: datetime.datetime) -> None:
    import tempfile
    from pathlib import Path

    from accounts.models import User
    from onboarding.models import Enrollment, ReminderDue
    from tests.onboarding.journey_support import generated_version

    version = generated_version(Path(tempfile.mkdtemp()), items=25)
    every_day = [0, 1, 2, 3, 4, 5, 6]
    all_day = {"working_hours_start": datetime.time(0), "working_hours_end": datetime.time(23, 59)}
    mentors = User.objects.bulk_create(
        [
            User(
                email=f"mentor{i}@bench.example", is_mentor=True, working_days=every_day, **all_day
            )
            for i in range(max(1, n // 20))
        ],
        batch_size=5000,
    )
    hires = User.objects.bulk_create(
        [
            User(
                email=f"hire{i}@bench.example",
                is_hire=True,
                time_zone=ZONES[i % len(ZONES)],
                working_days=every_day,
                **all_day,
            )
            for i in range(n)
        ],
        batch_size=5000,
    )
    start = (now - datetime.timedelta(days=3)).date()
    Enrollment.objects.bulk_create(
        [
            Enrollment(
                hire=hire,
                program_id=version.program_id,
                version=version,
                mentor=mentors[i % len(mentors)],
                start_date=start,
                working_days=every_day,
            )
            for i, hire in enumerate(hires)
        ],
        batch_size=5000,
    )
    due = now - datetime.timedelta(minutes=1)
    ReminderDue.objects.bulk_create(
        [ReminderDue(user=hire, rule="daily", due_at=due) for hire in hires], batch_size=5000
    )
    # What autovacuum does within a minute of a bulk load on a live instance: statistics for
    # the planner and the visibility map (without them the seeding check fetches every row).
    from django.db import connection

    with connection.cursor() as cursor:
        for model in (User, Enrollment, ReminderDue):
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=2000)
    args = parser.parse_args()

    import django

    django.setup()
    import logging

    logging.getLogger("curriculum").setLevel(logging.WARNING)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.urls import reverse
    from django.utils import timezone

    import onboarding.services.notifications_bulk as notifications_bulk
    from onboarding.models import Notification, OutboundEmail
    from onboarding.services.reminder_rules import notifications_sweep

    notifications_bulk._send_after_commit = lambda email_ids: None  # the broker is not the sweep
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        now = timezone.now().replace(second=0, microsecond=0)
        began = time.perf_counter()
        seed(args.n, now)
        seeded = time.perf_counter() - began
        reverse("home")  # the URLconf, as a worker that has run a task before has it
        with CaptureQueriesContext(connection) as queries:
            began = time.perf_counter()
            report = notifications_sweep(now=now, batch_size=args.batch)
            elapsed = time.perf_counter() - began
        with CaptureQueriesContext(connection) as idle_queries:
            began = time.perf_counter()
            notifications_sweep(now=now + datetime.timedelta(minutes=1), batch_size=args.batch)
            idle = time.perf_counter() - began
        written = Notification.objects.count()
        emails = OutboundEmail.objects.count()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    print(f"enrollments: {args.n} (seeded in {seeded:.1f} s), batch size {args.batch}")
    print(
        f"sweep, all due:   {elapsed:8.2f} s  {len(queries):6d} queries  "
        f"{report.claimed} rows claimed  {written} notifications  {emails} emails"
    )
    print(f"  per enrollment: {elapsed / max(args.n, 1) * 1000:.3f} ms")
    print(f"sweep, none due:  {idle:8.3f} s  {len(idle_queries):6d} queries")
    return 0


if __name__ == "__main__":
    sys.exit(main())
