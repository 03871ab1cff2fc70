"""Delivery under faults, with the real parts: two sweeps at once, every task delivered twice,
Redis down while hires submit reflections (a real worker and a real SMTP sink once it is back),
and a sweep whose query count does not depend on the number of enrollments.

Redis is "down" by pointing this process at a port where nothing listens: the machine's Redis
is shared with other runs and is never stopped."""

import datetime
import threading

import pytest
from django.core import mail
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from curriculum.markdown.structure import BlockKind
from curriculum.models import Block, Item
from onboarding.celery import app as celery_app
from onboarding.models import Notification, OutboundEmail, ReminderDue, RuleCursor
from onboarding.services import email_unsent_ids, reminder_rules
from onboarding.services.reminder_rules import notifications_sweep
from tests.factories import ProgramAdminFactory
from tests.onboarding.test_notifications_support import enroll, hire_in, mentor_in, program, utc
from tests.support.celery_worker import broker_at, celery_worker, wait_for_tasks
from tests.support.smtp_sink import SmtpSink

DEAD_BROKER = "redis://127.0.0.1:1/0"
ALL_DAY = {"working_hours_start": datetime.time(0, 0), "working_hours_end": datetime.time(23, 59)}


def _hires_due(tmp_path, count, *, mentor=None, start=datetime.date(2026, 3, 2), prefix="h"):
    version = program(tmp_path)
    hires = [hire_in("UTC", email=f"{prefix}{n}@example.com", **ALL_DAY) for n in range(count)]
    for hire in hires:
        enroll(hire, version, start=start, mentor=mentor)
    return version, hires


# --- two sweeps at once ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_send_each_reminder_once(tmp_path, monkeypatch):
    _hires_due(tmp_path, 30)
    notifications_sweep(now=utc(2026, 3, 3, 8))  # seed: every row due at 09:00
    nine = utc(2026, 3, 3, 9)
    start = threading.Barrier(2)
    # Both sweeps hold their claimed rows at once: each waits, after its claim and before it
    # writes, for the other to get there too (run one after the other, this barrier breaks).
    both_claimed = threading.Barrier(2, timeout=30)
    claims_read = reminder_rules._claims_read

    def claims_read_once_both_claimed(**kwargs):
        both_claimed.wait()
        return claims_read(**kwargs)

    monkeypatch.setattr(reminder_rules, "_claims_read", claims_read_once_both_claimed)
    errors = []
    reports = []

    def sweep():
        try:
            start.wait()
            # Each claims at most half: the other half is locked by the other sweep.
            reports.append(notifications_sweep(now=nine, cap=15, batch_size=4))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors
    assert [report.claimed for report in reports] == [15, 15]  # skip_locked split them
    assert Notification.objects.filter(kind="daily_item").count() == 30
    notes = Notification.objects.count()  # this morning's item, and "behind" since day 2
    assert OutboundEmail.objects.count() == notes
    # Tasks run eagerly after each commit: every email sent once, none twice.
    assert len(mail.outbox) == notes
    assert len({(m.to[0], m.subject) for m in mail.outbox}) == notes


# --- every task delivered twice, through a real worker ---------------------------------------------


@pytest.fixture
def smtp_sink():
    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_every_task_delivered_twice_sends_no_duplicate_email(tmp_path, smtp_sink):
    from onboarding.tasks import notifications_sweep_run, outbound_email_send

    _hires_due(tmp_path, 5, start=timezone.now().date())
    with broker_at(celery_app.conf.broker_url), celery_worker(email_url=smtp_sink.url) as worker:
        # Reminders due now (the real clock: the worker's sweep uses it too).
        now = timezone.now()
        notifications_sweep(now=now - datetime.timedelta(days=2))  # seed
        ReminderDue.objects.update(due_at=now - datetime.timedelta(minutes=1))
        sweeps = [notifications_sweep_run.delay(), notifications_sweep_run.delay()]  # beat, twice
        wait_for_tasks(worker, [task.id for task in sweeps])
        smtp_sink.wait_for(5)
        duplicates = [
            outbound_email_send.delay(email_id).id  # every send delivered twice more
            for email_id in OutboundEmail.objects.values_list("pk", flat=True)
            for _ in range(2)
        ]
        # The worker says it ran every duplicate, so the count below is after them, not before.
        wait_for_tasks(worker, duplicates)

    assert len(duplicates) == 10
    assert not OutboundEmail.objects.filter(sent_at__isnull=True).exists()
    assert len(smtp_sink.messages) == 5
    assert sorted(m["To"] for m in smtp_sink.messages) == [f"h{n}@example.com" for n in range(5)]
    assert Notification.objects.filter(kind="daily_item").count() == 5


# --- Redis down while hires submit reflections -------------------------------------------------------


def _reflection_post(client, enrollment, item):
    prompts = Block.objects.filter(item=item, kind=BlockKind.REFLECTION_PROMPT).count()
    data = {f"prompt_{n}": "What I learned today." for n in range(1, prompts + 1)}
    data.update(notes="", action="submit")
    url = reverse(
        "journey:reflection_save", kwargs={"enrollment_id": enrollment.pk, "item_id": item.pk}
    )
    return client.post(url, data)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_redis_down_while_hires_submit_then_every_notification_is_delivered(
    tmp_path, client, smtp_sink
):
    mentor = mentor_in("UTC", email="mira@example.com", **ALL_DAY)
    version = program(tmp_path)
    item = Item.objects.filter(version=version).order_by("chapter__position", "position").first()
    hires = [hire_in("UTC", email=f"h{n}@example.com", **ALL_DAY) for n in range(4)]
    enrollments = [
        enroll(h, version, start=datetime.date(2026, 3, 2), mentor=mentor) for h in hires
    ]

    with broker_at(DEAD_BROKER):
        notifications_sweep()  # the sweep itself survives the outage (and starts its cursors)
        for enrollment in enrollments:
            client.force_login(enrollment.hire)
            response = _reflection_post(client, enrollment, item)
            assert response.status_code == 302, response.content[:500]
        # The submit path itself told the mentor, though Redis was down.
        assert Notification.objects.filter(recipient=mentor, kind="new_submission").count() == 4
        assert OutboundEmail.objects.filter(to=mentor.email, sent_at__isnull=True).count() == 4

    # Redis is back: a real worker, the sweeps beat would run, the real SMTP sink.
    from onboarding.tasks import outbound_email_send

    with broker_at(celery_app.conf.broker_url), celery_worker(email_url=smtp_sink.url) as worker:
        notifications_sweep()  # finds the same submissions under the same keys: nothing new
        sends = [
            outbound_email_send.delay(email_id).id  # what outbound_email_sweep does each minute
            for email_id in email_unsent_ids(older_than_seconds=0)
        ]
        wait_for_tasks(worker, sends)

    assert len(sends) == 4

    assert len(smtp_sink.messages) == 4
    assert {m["To"] for m in smtp_sink.messages} == {"mira@example.com"}
    assert not OutboundEmail.objects.filter(sent_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=mentor, kind="new_submission").count() == 4


# --- query count ------------------------------------------------------------------------------------


def _sweep_queries(now):
    """One sweep at NOW over every enrollment, from a clean slate (same rules fire each time).

    Rows are fetched 7 at a time, so the larger run fetches many more times than the smaller:
    the statements counted here stay the same."""
    Notification.objects.all().delete()
    OutboundEmail.objects.all().delete()
    ReminderDue.objects.update(due_at=now - datetime.timedelta(minutes=1))
    RuleCursor.objects.update(next_due_at=now - datetime.timedelta(minutes=1))
    with CaptureQueriesContext(connection) as queries:
        report = notifications_sweep(now=now, batch_size=7)
    return len(queries), report


@pytest.mark.django_db
def test_the_sweep_query_count_does_not_grow_with_enrollments(tmp_path):
    ProgramAdminFactory()  # escalations reach an admin in both runs
    mentor = mentor_in("UTC")
    nine = utc(2026, 3, 11, 9)  # far enough behind that every rule and escalation fires
    _hires_due(tmp_path / "small", 10, mentor=mentor)
    notifications_sweep(now=nine - datetime.timedelta(hours=1))
    small, small_report = _sweep_queries(nine)

    _hires_due(tmp_path / "big", 290, mentor=mentor, prefix="more")
    notifications_sweep(now=nine - datetime.timedelta(hours=1))
    big, big_report = _sweep_queries(nine)

    assert small_report.claimed == 11 and big_report.claimed == 301  # hires + the admin's summary
    assert big_report.notifications == 30 * small_report.notifications - 29  # one summary
    assert OutboundEmail.objects.count() == big_report.notifications  # all owed at once
    assert big == small, (small, big)
