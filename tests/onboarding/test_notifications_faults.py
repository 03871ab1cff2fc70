"""Fault tests with the real parts (QUALITY.md, "Background work"): a private Redis that the test
stops and starts, real Celery worker processes that the test kills, a real SMTP server.

Each test prints one line, "sent N, lost L, duplicated D", counted from what the SMTP server
received against the outbox rows that had to go out.

The machine's Redis on 6379 is shared and never stopped: each test runs its own `redis-server`
(tests/support/redis_server.py) and points this process's broker and cache, and its workers'
REDIS_URL, at it.
"""

import datetime
import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from contextlib import contextmanager, suppress
from email.message import Message

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from curriculum.markdown.structure import BlockKind
from curriculum.models import Block, Item
from onboarding.celery import app as celery_app
from onboarding.models import Notification, OutboundEmail, Submission
from onboarding.services import email_queue
from onboarding.services.reminder_rules import notifications_sweep, rule_settings
from tests.onboarding.test_notifications_support import enroll, hire_in, mentor_in, program
from tests.support import celery_worker as worker_support
from tests.support.redis_server import redis_server
from tests.support.smtp_sink import SmtpSink

ALL_DAY = {"working_hours_start": datetime.time(0, 0), "working_hours_end": datetime.time(23, 59)}


@pytest.fixture
def redis():
    with redis_server() as server:
        yield server


@contextmanager
def smtp_sink_running(*, delay: float = 0.0):
    log = logging.getLogger("mail.log")  # aiosmtpd logs every SMTP command at INFO
    level = log.level
    log.setLevel(logging.WARNING)
    sink = SmtpSink(delay=delay).start()
    try:
        yield sink
    finally:
        sink.stop()
        log.setLevel(level)


@contextmanager
def broker_at(url: str):
    """This process sends its tasks to URL through the broker (not eagerly), on new connections."""
    original, original_eager = celery_app.conf.broker_url, celery_app.conf.task_always_eager

    def reset_pools():
        # New pools: connections to a Redis that was stopped are dead, and the URL may differ.
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    celery_app.conf.broker_url = url
    celery_app.conf.task_always_eager = False
    reset_pools()
    try:
        yield
    finally:
        celery_app.conf.broker_url = original
        celery_app.conf.task_always_eager = original_eager
        reset_pools()


@contextmanager
def worker_process(*, email_url: str, redis_url: str, name: str):
    """A real worker (prefork, one child) in its own process group, so a test can SIGKILL the
    parent and the child that holds the task together. Output is drained to `process.log`."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "onboarding.settings.local",
        "DJANGO_DEBUG": "false",
        "DATABASE_URL": worker_support.test_database_url(),
        "REDIS_URL": redis_url,
        "EMAIL_URL": email_url,
        "CELERY_QUEUE": django_settings.CELERY_TASK_DEFAULT_QUEUE,
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "onboarding",
            "worker",
            "--loglevel=INFO",
            "--pool=prefork",
            "--concurrency=1",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            f"--hostname={name}@%h",
        ],
        cwd=worker_support.REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    process.log = []

    def drain():
        for line in process.stdout:
            process.log.append(line)

    try:
        worker_support._wait_until_ready(process)
        threading.Thread(target=drain, daemon=True).start()
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        with suppress(ProcessLookupError):  # the prefork child, if it outlived its parent
            os.killpg(process.pid, signal.SIGKILL)


def sigkill(process: subprocess.Popen) -> None:
    """Kill the worker and its pool child at once, as the OOM killer or a lost machine would."""
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def wait_until(condition, *, timeout: float, step: float = 0.02, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout} s waiting for {what or condition}")


def _unfold(header: str) -> str:
    """A long header arrives folded over lines (RFC 5322): join it back to the one line queued."""
    return re.sub(r"\r?\n(?=[ \t])", "", str(header))


def delivery_report(expected: list[tuple[str, str]], received: list[Message]) -> dict[str, int]:
    """Sent / lost / duplicated, matching received messages to outbox rows by (to, subject)."""
    assert len(set(expected)) == len(expected), "outbox rows must be told apart by to+subject"
    counts = Counter((_unfold(m["To"]), _unfold(m["Subject"])) for m in received)
    strangers = set(counts) - set(expected)
    assert not strangers, f"received emails nobody queued: {sorted(strangers)}"
    return {
        "sent": len(received),
        "lost": sum(1 for key in expected if counts[key] == 0),
        "duplicated": sum(counts[key] - 1 for key in expected if counts[key] > 1),
    }


def print_report(title: str, report: dict[str, int]) -> None:
    print(
        f"\n[{title}] sent {report['sent']}, lost {report['lost']}, "
        f"duplicated {report['duplicated']}"
    )


def outbox_keys() -> list[tuple[str, str]]:
    return list(OutboundEmail.objects.order_by("pk").values_list("to", "subject"))


def outage_lasted(minutes: int) -> None:
    """The outbox sweep leaves rows younger than a minute to their first enqueue; the outage
    (and the burst) lasted longer than that, so make the rows as old as they would be."""
    OutboundEmail.objects.update(created_at=F("created_at") - datetime.timedelta(minutes=minutes))


# --- Redis stopped while hires submit reflections ------------------------------------------------


def _reflection_submit(client, enrollment, item):
    prompts = Block.objects.filter(item=item, kind=BlockKind.REFLECTION_PROMPT).count()
    data = {f"prompt_{n}": "What I learned today." for n in range(1, prompts + 1)}
    data.update(notes="", action="submit")
    url = reverse(
        "journey:reflection_save", kwargs={"enrollment_id": enrollment.pk, "item_id": item.pk}
    )
    return client.post(url, data)


HIRES = 6


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_redis_stopped_while_hires_submit_every_request_succeeds_and_every_email_arrives_once(
    tmp_path, client, settings, redis, mfa_passed, caplog
):
    from onboarding.tasks import outbound_email_sweep

    # Redis down means the cache too: the requests run against the same stopped server.
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": redis.url}}
    mentor = mentor_in("UTC", email="mira@example.com", **ALL_DAY)
    version = program(tmp_path)
    item = Item.objects.filter(version=version).order_by("chapter__position", "position").first()
    enrollments = [
        enroll(
            hire_in("UTC", email=f"h{n}@example.com", display_name=f"Hire {n}", **ALL_DAY),
            version,
            start=timezone.localdate(),
            mentor=mentor,
        )
        for n in range(HIRES)
    ]

    with broker_at(redis.url):
        notifications_sweep()  # beat has been running: the rule cursors start from here
        redis.stop()

        timings = []
        for enrollment in enrollments:
            client.force_login(enrollment.hire)
            began = time.monotonic()
            response = _reflection_submit(client, enrollment, item)
            timings.append(time.monotonic() - began)
            assert response.status_code == 302, response.content[:500]
            assert response["Location"].endswith("#reflection")
        submissions = list(Submission.objects.filter(item=item, state="submitted").order_by("pk"))
        assert len(submissions) == HIRES

        # The minute sweep, already running in a worker when Redis went away: it writes the
        # mentor's "new submission" notes and their outbox emails (the submit request itself
        # leaves that to the sweep); handing the emails to the broker fails quietly.
        later = timezone.now() + datetime.timedelta(seconds=rule_settings()["scan_every_seconds"])
        notifications_sweep(now=later)

        # The mentor answers every submission, still without Redis: these requests notify the
        # hire in their own transaction and try the broker after commit.
        mfa_passed(client, mentor)
        caplog.clear()
        for number, submission in enumerate(submissions):
            decision = "review_request_changes" if number % 2 else "review_accept"
            began = time.monotonic()
            response = client.post(
                reverse(f"desk:{decision}", args=[submission.pk]), {"comment": "Thanks."}
            )
            timings.append(time.monotonic() - began)
            assert response.status_code == 302, response.content[:500]
        assert "broker unavailable" in caplog.text  # the broker was tried, and was down
        assert max(timings) < 5, f"a request waited {max(timings):.1f} s on the stopped broker"

    notes = Notification.objects.filter(recipient=mentor, kind="new_submission")
    assert notes.count() == HIRES
    hires_told = Notification.objects.filter(recipient__in=[e.hire for e in enrollments])
    assert hires_told.count() == HIRES
    assert not OutboundEmail.objects.filter(sent_at__isnull=False).exists()
    expected = outbox_keys()
    assert {(mentor.email, n.title) for n in notes} <= set(expected)
    assert {(n.recipient.email, n.title) for n in hires_told.filter(kind="review")} <= set(expected)
    assert len(expected) == 2 * HIRES
    print(f"\n[redis stopped] {len(timings)} requests, all succeeded; slowest {max(timings):.2f} s")

    # Redis is back (empty: nothing queued during the outage survived anywhere but PostgreSQL).
    redis.start()
    outage_lasted(minutes=2)
    with (
        smtp_sink_running() as sink,
        broker_at(redis.url),
        worker_process(email_url=sink.url, redis_url=redis.url, name="after-outage"),
    ):
        outbound_email_sweep.delay()  # what beat sends each minute, to the real worker
        wait_until(
            lambda: not OutboundEmail.objects.filter(sent_at__isnull=True).exists(),
            timeout=20,
            what="every outbox row sent",
        )
        outbound_email_sweep.delay()  # a second sweep finds nothing, sends nothing
        time.sleep(1.5)  # time for a duplicate to arrive, were there one
        received = sink.messages

    report = delivery_report(expected, received)
    print_report("redis stopped while hires submit", report)
    assert report == {"sent": len(expected), "lost": 0, "duplicated": 0}


# --- a worker killed in the middle of sending ----------------------------------------------------

BURST = 40
KILL_AT = (8, 22)  # SIGKILL the worker once the SMTP server has received this many


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_send_loses_nothing_and_duplicates_at_most_one_per_kill(redis):
    from onboarding.tasks import outbound_email_sweep

    with smtp_sink_running(delay=0.15) as sink, broker_at(redis.url):
        with transaction.atomic():
            for n in range(BURST):
                email_queue(
                    to=f"b{n:02d}@example.com",
                    subject=f"Burst {n:02d}",
                    body_text=f"Message {n} of the burst.",
                    dedupe_key=f"fault-burst:{n}",
                )
        # Committed: 40 sends are now queued in our Redis.
        expected = outbox_keys()
        assert len(expected) == BURST

        kills = 0
        for number, kill_at in enumerate(KILL_AT):
            with worker_process(
                email_url=sink.url, redis_url=redis.url, name=f"doomed{number}"
            ) as worker:
                wait_until(
                    lambda kill_at=kill_at: len(sink.messages) >= kill_at,
                    timeout=20,
                    step=0.005,
                    what=f"{kill_at} emails at the sink",
                )
                sigkill(worker)
                kills += 1
            assert len(sink.messages) < BURST, "the burst ended before the kill: not mid-send"

        # The killed workers' unacknowledged tasks wait out Redis's visibility timeout (an hour);
        # the outbox sweep is what hands them to a worker again.
        outage_lasted(minutes=2)
        with worker_process(email_url=sink.url, redis_url=redis.url, name="survivor"):
            deadline = time.monotonic() + 20
            while OutboundEmail.objects.filter(sent_at__isnull=True).exists():
                assert time.monotonic() < deadline, "rows still unsent after 20 s of sweeps"
                outbound_email_sweep.delay()
                time.sleep(1)
            time.sleep(1)  # time for a duplicate to arrive, were there one
            received = sink.messages

    report = delivery_report(expected, received)
    print_report(f"worker killed mid-send x{kills}", report)
    assert report["lost"] == 0
    assert report["duplicated"] <= kills
    assert not OutboundEmail.objects.filter(sent_at__isnull=True).exists()
