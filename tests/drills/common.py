"""What the fault drills share: a private stack, the hire/mentor load, the count, the command.

- `Stack`: a private Redis (broker and cache), a real SMTP server (aiosmtpd), real Celery worker
  processes and a beat thread that sends the outbox sweep, as beat does each minute.
- `JourneyLoad`: hires submitting reflections and their mentors reviewing them, through the
  real views, from a few threads, each request retried until it goes through.
- `Drill`: marks when a fault struck and ended, waits until every outbox row is sent, and counts
  "sent N, lost L, duplicated D" from what the SMTP server received against the outbox rows.
- `main`: the command line of each drill (a throw-away database, sizes from the drill's
  keyword arguments, the figures printed, exit status 1 when a target is missed).

The outbox's clock runs 30 times faster in a drill (production keeps its defaults, in
settings/base.py): a failed send is retried within 1 s, 2 s, 4 s... instead of 30 s, 60 s...
(`WORKER_ENV`), and beat sends the sweep every 2 s, which hands on rows unsent for 2 s, where
production does both each minute.
"""

import argparse
import datetime
import inspect
import logging
import os
import re
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.db import close_old_connections, connection, connections
from django.db.utils import Error as DatabaseError
from django.test import Client, override_settings
from django.test.utils import setup_test_environment
from django.urls import reverse
from django.utils import timezone

from curriculum.markdown.structure import BlockKind
from curriculum.models import Block, Item
from onboarding.models import OutboundEmail, Submission
from onboarding.services import email_queue
from onboarding.tasks import outbound_email_sweep
from tests.onboarding.test_notifications_support import enroll, hire_in, mentor_in, program
from tests.support.celery_worker import broker_at, celery_worker
from tests.support.postgres_server import PostgresServer
from tests.support.redis_server import RedisServer
from tests.support.smtp_sink import SmtpSink

Key = tuple[str, str]  # an email told apart by (to, subject)

WORKER_ENV = {"OUTBOX_RETRY_BACKOFF_SECONDS": "1", "OUTBOX_SWEEP_AFTER_SECONDS": "2"}
BEAT_EVERY = 2.0  # beat's minute
ALL_DAY = {"working_hours_start": datetime.time(0, 0), "working_hours_end": datetime.time(23, 59)}


def wait_until(condition: Callable[[], bool], *, timeout: float, step: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return False


# --- the stack --------------------------------------------------------------------------------


class Stack:
    """A private Redis, an SMTP server and workers; this process's broker and cache point at
    that Redis while the stack is up (the machine's Redis on 6379 is never stopped)."""

    def __init__(self, *, smtp_delay: float = 0.0) -> None:
        self.redis = RedisServer()
        self.sink = SmtpSink(delay=smtp_delay)
        self.beat_sent = 0
        self.beat_failed = 0
        self._workers: list = []

    def __enter__(self) -> "Stack":
        with ExitStack() as started:  # on a failure half-way, what started is stopped
            started.enter_context(self.redis)
            started.enter_context(_quieter("mail.log"))  # aiosmtpd logs each command at INFO
            started.callback(self.sink.stop)
            self.sink.start()
            started.enter_context(broker_at(self.redis.url))
            cache = {**settings.CACHES["default"], "LOCATION": self.redis.url}
            started.enter_context(override_settings(CACHES={"default": cache}))
            self._started = started.pop_all()
        return self

    def __exit__(self, *exc) -> None:
        self._started.close()

    @contextmanager
    def worker(self, name: str) -> Iterator:
        """A real worker process on this stack's Redis, sending to its SMTP server."""
        with celery_worker(
            email_url=self.sink.url, redis_url=self.redis.url, name=name, extra_env=WORKER_ENV
        ) as process:
            self._workers.append(process)
            yield process

    def worker_log(self, lines: int = 40) -> str:
        return "".join(line for process in self._workers for line in process.log[-lines:])

    @contextmanager
    def beat(self) -> Iterator[None]:
        """Send the outbox sweep to the workers every BEAT_EVERY seconds, as beat does each
        minute; a sweep that cannot reach Redis is counted and tried again next time."""
        stop = threading.Event()

        def tick() -> None:
            while not stop.wait(BEAT_EVERY):
                try:
                    outbound_email_sweep.delay()
                    self.beat_sent += 1
                except Exception:
                    self.beat_failed += 1

        thread = threading.Thread(target=tick, name="beat", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join(timeout=10)


@contextmanager
def _quieter(logger_name: str) -> Iterator[None]:
    logger = logging.getLogger(logger_name)
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


# --- the count --------------------------------------------------------------------------------


def _unfold(header: str) -> str:
    """A long header arrives folded over lines (RFC 5322): join it back to the one line queued."""
    return re.sub(r"\r?\n(?=[ \t])", "", str(header))


def received_keys(messages: list[Message]) -> Counter[Key]:
    return Counter((_unfold(m["To"]), _unfold(m["Subject"])) for m in messages)


@dataclass
class Fault:
    what: str
    struck_at: datetime.datetime  # wall clock, comparable with OutboundEmail.sent_at
    began: float  # monotonic
    ended: float | None = None
    ended_at: datetime.datetime | None = None
    # What the SMTP server held when the fault ended: a send already under way when it struck
    # may finish during it (and then fail to be recorded); none can start while it lasts.
    received: Counter[Key] = field(default_factory=Counter)


@dataclass
class Outcome:
    title: str
    sent: int
    lost: int
    duplicated: int
    seconds: float
    explained: int = 0  # duplicates sent but not yet recorded when a fault struck
    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    worker_log: str = ""

    @property
    def met(self) -> bool:
        return self.lost == 0 and self.duplicated <= self.explained and not self.problems

    def render(self) -> str:
        out = [
            f"[{self.title}] sent {self.sent}, lost {self.lost}, duplicated {self.duplicated} "
            f"in {self.seconds:.1f} s"
        ]
        out += [f"  {line}" for line in self.lines]
        if self.duplicated:
            out.append(
                f"  duplicates: {self.explained} of {self.duplicated} were sent and not yet "
                "recorded when the fault struck (at-least-once delivery allows those)"
            )
        out += [f"  NOT MET: {problem}" for problem in self.problems]
        if self.met:
            out.append("  target met: nothing lost; duplicates only where sent but not recorded")
        return "\n".join(out)


class Drill:
    """One run: the faults as they strike and end, then the count against the outbox."""

    def __init__(self, title: str, stack: Stack) -> None:
        self.title = title
        self.stack = stack
        self.began = time.monotonic()
        self.faults: list[Fault] = []
        self.lines: list[str] = []
        self.problems: list[str] = []

    def struck(self, what: str) -> Fault:
        """Call once the fault is in effect (the process is dead, the server stopped)."""
        fault = Fault(what, timezone.now(), time.monotonic())
        self.faults.append(fault)
        return fault

    def ended(self, fault: Fault) -> None:
        fault.ended = time.monotonic()
        fault.ended_at = timezone.now()
        fault.received = received_keys(self.stack.sink.messages)

    def outage(self, what: str, server, seconds: float) -> Fault:
        """Stop SERVER (a Redis, PostgreSQL or SMTP server of the drill's), keep it down for
        SECONDS while the load goes on, and start it again on the same port."""
        server.stop()
        fault = self.struck(what)
        time.sleep(seconds)
        server.start()
        self.ended(fault)
        return fault

    def delivered(self, *, timeout: float) -> None:
        """Wait until every outbox row is recorded as sent (or TIMEOUT), then a moment more
        for a duplicate to arrive, were there one."""

        def all_sent() -> bool:
            close_old_connections()
            return not OutboundEmail.objects.filter(sent_at__isnull=True).exists()

        if not wait_until(all_sent, timeout=timeout, step=0.1):
            self.problems.append(f"outbox rows still unsent {timeout:.0f} s after the load ended")
        time.sleep(1.5)

    def _held_back(self, fault: Fault) -> str:
        """How many emails the fault held back (queued before it ended, sent after it struck),
        and when the last of them went out, from the times the worker recorded."""
        held = OutboundEmail.objects.filter(
            created_at__lte=fault.ended_at, sent_at__gt=fault.struck_at
        )
        last = max(held.values_list("sent_at", flat=True), default=None)
        if last is None:
            return f"{fault.what}: no email was held back"
        assert fault.ended_at is not None
        return (
            f"{fault.what}: {held.count()} emails held back; the last went out "
            f"{(last - fault.ended_at).total_seconds():.1f} s after it ended"
        )

    def outcome(self) -> Outcome:
        close_old_connections()  # a connection from before a database restart is replaced
        rows = list(OutboundEmail.objects.order_by("pk").values_list("to", "subject", "sent_at"))
        expected = [(to, subject) for to, subject, _ in rows]
        if len(set(expected)) != len(expected):
            raise AssertionError("the drill's outbox rows must be told apart by to+subject")
        sent_at = {(to, subject): at for to, subject, at in rows}
        got = received_keys(self.stack.sink.messages)
        strangers = set(got) - set(expected)
        if strangers:
            self.problems.append(f"received {len(strangers)} emails nobody queued")
        duplicated = sum(got[key] - 1 for key in expected if got[key] > 1)
        # A duplicate is allowed where the first copy had reached the SMTP server by the end of
        # a fault and the row was recorded as sent only after the fault struck: sent, and the
        # fault kept it from being recorded.
        explained = sum(
            min(
                got[key] - 1,
                sum(
                    1
                    for f in self.faults
                    if f.received[key] and (sent_at[key] is None or sent_at[key] > f.struck_at)
                ),
            )
            for key in expected
            if got[key] > 1
        )
        self.lines += [self._held_back(fault) for fault in self.faults if fault.ended_at]
        if self.stack.beat_failed:
            self.lines.append(
                f"beat: {self.stack.beat_sent} sweeps sent, {self.stack.beat_failed} could not "
                "reach Redis (tried again a beat later)"
            )
        return Outcome(
            self.title,
            sent=sum(got.values()),
            lost=sum(1 for key in expected if got[key] == 0),
            duplicated=duplicated,
            explained=explained,
            seconds=time.monotonic() - self.began,
            lines=self.lines,
            problems=self.problems,
            worker_log=self.stack.worker_log(),
        )


def email_numbered(stream: str, n: int) -> None:
    """Queue email N of STREAM through the outbox, with its own address and subject (the count
    tells emails apart by both)."""
    email_queue(
        to=f"{stream}{n:04d}@drill.example",
        subject=f"{stream.capitalize()} {n:04d}",
        body_text=f"Message {n} of the {stream}.",
        dedupe_key=f"drill-{stream}:{n}",
    )


# --- the load: hires submit, mentors review -----------------------------------------------------


@contextmanager
def journey_under_load(
    title: str, *, hires: int, mentors: int, items: int, threads: int
) -> Iterator[tuple[Stack, Drill, "JourneyLoad"]]:
    """A stack with one worker and beat, and the journey load running; the caller brings the
    fault once a third of the reflections are in. On exit the load has finished, its rows are
    checked, and every email is sent (or the drill says it is not)."""
    with Stack() as stack, stack.worker("journey"), stack.beat():
        drill = Drill(title, stack)
        load = JourneyLoad(hires=hires, mentors=mentors, items=items, threads=threads).start()
        wait_until(lambda: load.done >= load.total // 3, timeout=120)
        yield stack, drill, load
        load.join(timeout=300)
        load.check(drill)
        drill.delivered(timeout=60)


@dataclass
class Request:
    what: str
    began: float  # monotonic
    seconds: float
    status: int  # 0: the request raised before it had an answer


class JourneyLoad:
    """HIRES hires with MENTORS mentors, ITEMS reflections each: THREADS threads submit each
    reflection and have the mentor accept it (or ask for changes, every other one), through
    the real views. A request answered 5xx is tried again until it goes through, as a person
    would; every attempt is recorded."""

    def __init__(self, *, hires: int, mentors: int, items: int, threads: int) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="drill-program-")
        version = program(Path(self._folder.name), items=items)
        self.items = list(
            Item.objects.filter(version=version).order_by("chapter__position", "position")
        )
        self.prompts = {
            item.pk: Block.objects.filter(item=item, kind=BlockKind.REFLECTION_PROMPT).count()
            for item in self.items
        }
        people = [
            mentor_in(
                "UTC", email=f"mentor{m}@drill.example", display_name=f"Mentor {m}", **ALL_DAY
            )
            for m in range(mentors)
        ]
        for mentor in people:
            _totp_enrolled(mentor)
        start = datetime.date.today() - datetime.timedelta(days=len(self.items))
        self.enrollments = [
            enroll(
                hire_in("UTC", email=f"h{n}@drill.example", display_name=f"Hire {n}", **ALL_DAY),
                version,
                start=start,
                mentor=people[n % mentors],
            )
            for n in range(hires)
        ]
        self.total = hires * len(self.items)  # reflections, each submitted then reviewed
        self.done = 0
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self._threads = [
            threading.Thread(target=self._run, args=(self.enrollments[t::threads],), daemon=True)
            for t in range(threads)
        ]
        self.errors: list[BaseException] = []

    def start(self) -> "JourneyLoad":
        for thread in self._threads:
            thread.start()
        return self

    def join(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        self._folder.cleanup()

    def _run(self, enrollments: list) -> None:
        try:
            clients = {}
            for enrollment in enrollments:
                for person in (enrollment.hire, enrollment.mentor):
                    if person.pk not in clients:
                        clients[person.pk] = Client(raise_request_exception=False)
                        _until_database_answers(
                            lambda c=clients[person.pk], p=person: c.force_login(p)
                        )
            for number, item in enumerate(self.items):
                for enrollment in enrollments:
                    self._submit(clients[enrollment.hire_id], enrollment, item)
                    submission_id = _until_database_answers(
                        lambda e=enrollment, i=item: _submission_id(e, i)
                    )
                    decision = "review_request_changes" if number % 2 else "review_accept"
                    self._post(
                        clients[enrollment.mentor_id],
                        "review",
                        reverse(f"desk:{decision}", args=[submission_id]),
                        {"comment": "Thanks."},
                    )
                    with self._lock:
                        self.done += 1
        except BaseException as error:  # reported by the drill, not lost in a thread
            self.errors.append(error)
        finally:
            connection.close()

    def _submit(self, client, enrollment, item) -> None:
        data = {f"prompt_{n}": "What I learned today." for n in range(1, self.prompts[item.pk] + 1)}
        data.update(notes="", action="submit")
        url = reverse(
            "journey:reflection_save",
            kwargs={"enrollment_id": enrollment.pk, "item_id": item.pk},
        )
        self._post(client, "submit", url, data)

    def _post(self, client, what: str, url: str, data: dict) -> None:
        """POST until the answer is not a server error. A 400 after a 5xx means the first try
        went through before the answer failed (the submission is already with the mentor):
        the drill checks the rows at the end, not the answers."""
        while True:
            # What Django's request handler does around each request (the test client skips it):
            # persistent connections are health-checked, and a broken one replaced.
            close_old_connections()
            began = time.monotonic()
            try:
                status = client.post(url, data).status_code
            except Exception:
                status = 0
            close_old_connections()
            with self._lock:
                self.requests.append(Request(what, began, time.monotonic() - began, status))
            if 0 < status < 500:
                return
            time.sleep(0.2)

    def check(self, drill: Drill) -> None:
        """Every reflection was submitted and reviewed, each with its two emails in the outbox
        (nothing half-saved, nothing skipped)."""
        if self.errors:
            drill.problems.append(f"a load thread failed: {self.errors[0]!r}")
        close_old_connections()
        decided = Submission.objects.filter(
            enrollment__in=self.enrollments, state__in=["accepted", "changes_requested"]
        ).count()
        if decided != self.total:
            drill.problems.append(f"{decided} of {self.total} reflections submitted and reviewed")
        # Each reflection owes two emails, written with the change that caused them: the
        # mentor's "submitted" and the hire's review. One missing is a change saved without it.
        owed = OutboundEmail.objects.count()
        if owed != 2 * self.total:
            drill.problems.append(f"the outbox holds {owed} emails for {self.total} reflections")

    def during(self, fault: Fault, *, margin: float = 0.0) -> list[Request]:
        end = fault.ended if fault.ended is not None else float("inf")
        return [r for r in self.requests if fault.began - margin <= r.began + r.seconds <= end]

    def summary(self) -> str:
        answered = [r for r in self.requests if 0 < r.status < 500]
        failed = len(self.requests) - len(answered)
        slowest = max((r.seconds for r in self.requests), default=0.0)
        return (
            f"requests: {len(answered)} went through, {failed} failed and were retried; "
            f"slowest {slowest:.2f} s"
        )


def _submission_id(enrollment, item) -> int:
    return Submission.objects.get(enrollment=enrollment, item=item, kind="reflection").pk


def _totp_enrolled(user) -> None:
    """Mentors must have TOTP to use the desk; the drill is not about logging in."""
    TOTP.activate(user, generate_totp_secret())


def _until_database_answers(query: Callable, *, timeout: float = 60):
    """The drill's own bookkeeping reads wait out a database outage like the load does."""
    deadline = time.monotonic() + timeout
    while True:
        close_old_connections()
        try:
            return query()
        except DatabaseError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


# --- the command ------------------------------------------------------------------------------


def main(drill: Callable[..., Outcome], *, private_postgres: bool = False) -> int:
    """Run DRILL once on a throw-away database and print its figures; exit 1 if a target is
    missed. Its keyword arguments with a number for default become options (`--hires 40`)."""
    module = sys.modules[drill.__module__].__spec__.name  # not "__main__" under `python -m`
    parser = argparse.ArgumentParser(
        prog=f"python -m {module}", description=(drill.__doc__ or "").split("\n")[0]
    )
    sizes = {
        key: p.default
        for key, p in inspect.signature(drill).parameters.items()
        if isinstance(p.default, int | float) and not isinstance(p.default, bool)
    }
    for key, default in sizes.items():
        parser.add_argument(
            f"--{key.replace('_', '-')}", type=type(default), default=default, metavar="N"
        )
    parser.add_argument("--verbose", action="store_true", help="keep the logs (workers' too)")
    args = parser.parse_args()
    if not args.verbose:
        logging.disable(logging.CRITICAL)  # the drill counts failures; it prints figures

    database = connection.settings_dict
    database["TEST"]["NAME"] = os.environ.get(
        "DRILL_DATABASE_NAME", f"drill_{module.rsplit('.', 1)[-1]}"
    )
    # Web processes keep their connections, as in production (the test settings do not).
    database["CONN_MAX_AGE"] = 60
    postgres = PostgresServer().start() if private_postgres else None
    if postgres is not None:  # no connection is open yet: point them all at the private cluster
        database.update(HOST="127.0.0.1", PORT=str(postgres.port), USER="postgres", PASSWORD="")
    kwargs = {key: getattr(args, key) for key in sizes}
    if postgres is not None:
        kwargs["postgres"] = postgres
    try:
        setup_test_environment()
        old_name = database["NAME"]
        connection.creation.create_test_db(verbosity=0, autoclobber=True)
        try:
            outcome = drill(**kwargs)
        finally:
            connections.close_all()
            connection.creation.destroy_test_db(old_name, verbosity=0)
    finally:
        if postgres is not None:
            postgres.close()
    print(outcome.render(), flush=True)
    if args.verbose or not outcome.met:
        print("--- the workers' last lines ---\n" + outcome.worker_log, end="", flush=True)
    return 0 if outcome.met else 1


def run(drill: Callable[..., Outcome], **options) -> None:
    """`python -m tests.drills.<name>`: the drill's command, its exit status the process's."""
    sys.exit(main(drill, **options))
