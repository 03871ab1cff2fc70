"""Meetings through the real parts: Redis → Celery worker processes → PostgreSQL → SMTP sink.

- Two workers book two meetings that need the same person in the same only-possible slot, at
  the same moment: exactly one booking exists, the other meeting says why it has no time.
- The invite reaches every participant over SMTP as one parseable VEVENT.
"""

import datetime
import time

import psycopg
import pytest
from django.db import connection
from icalendar import Calendar

from onboarding.celery import app as celery_app
from onboarding.models import Meeting, MeetingBooking, MeetingState
from onboarding.services.meetings import meeting_arrange
from tests.factories import MentorFactory
from tests.onboarding.meetings_support import client_team, enroll, next_week_monday, set_zone
from tests.support import celery_worker as worker_support
from tests.support.celery_worker import celery_worker
from tests.support.smtp_sink import SmtpSink

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def smtp_sink():
    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def real_broker():
    """Send tasks to Redis for real (the unit tests run them eagerly)."""
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = True


def _wait(predicate, timeout: float = 60, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _backends_waiting_on_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def test_two_workers_booking_the_same_slot_at_once_make_one_booking(hire, mentor, real_broker):
    enrollment = enroll(hire, mentor)
    # Pat works 09:00-10:00 UTC only: next Monday 09:00 is the one slot either meeting can have.
    pat = set_zone(MentorFactory(email="pat@example.com", display_name="Pat Busy"), "UTC", 9, 10)
    monday = next_week_monday()
    meetings = [
        meeting_arrange(
            organiser=mentor,
            enrollment=enrollment,
            title=f"Meeting {n}",
            duration_minutes=60,
            earliest=monday,
            latest=monday,
            colleagues=[pat],
            min_notice_hours=0,
        )
        for n in (1, 2)
    ]  # committed; both tasks wait in Redis until a worker starts
    ids = [m.pk for m in meetings]

    # Another connection holds both meeting rows, so each worker computes its slot and then
    # waits at the booking step; releasing them together makes the two bookings concurrent.
    holder = psycopg.connect(worker_support.test_database_url())
    try:
        holder.execute("SELECT id FROM onboarding_meeting WHERE id = ANY(%s) FOR UPDATE", [ids])
        with celery_worker(name="meet-a"), celery_worker(name="meet-b"):
            _wait(lambda: _backends_waiting_on_a_lock() >= 2, what="both workers at the lock")
            holder.commit()  # both workers go at once
            _wait(
                lambda: (
                    not Meeting.objects.filter(pk__in=ids, state=MeetingState.SCHEDULING).exists()
                ),
                what="both meetings decided",
            )
    finally:
        holder.close()

    booked = Meeting.objects.filter(pk__in=ids, state=MeetingState.BOOKED)
    failed = Meeting.objects.filter(pk__in=ids, state=MeetingState.FAILED)
    assert booked.count() == 1 and failed.count() == 1
    winner, loser = booked.get(), failed.get()
    assert winner.starts_at == datetime.datetime.combine(
        monday, datetime.time(9), tzinfo=datetime.UTC
    )
    assert loser.failure_reason == "Pat Busy is fully booked in the window."
    pat_bookings = MeetingBooking.objects.filter(person=f"user:{pat.pk}")
    assert list(pat_bookings.values_list("meeting_id", flat=True)) == [winner.pk]
    # Every person of the winner holds the slot exactly once; the loser holds nothing.
    assert MeetingBooking.objects.filter(meeting=winner).count() == 3
    assert not MeetingBooking.objects.filter(meeting=loser).exists()


def _calendar_of(message) -> tuple[str, str]:
    [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    return part.get_param("method"), part.get_payload(decode=True).decode()


def test_every_participant_receives_a_parseable_invite_over_smtp(
    hire, mentor, admin, smtp_sink, real_broker
):
    enrollment = enroll(hire, mentor)
    set_zone(hire, "America/New_York")
    team = client_team(admin, name="Tel Aviv team", zone="Asia/Jerusalem", contacts=2)
    monday = next_week_monday()
    with celery_worker(email_url=smtp_sink.url, name="meet-mail"):
        meeting = meeting_arrange(
            organiser=mentor,
            enrollment=enrollment,
            title="Kick-off END:VEVENT BEGIN:VEVENT",
            agenda="Intro\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:injected",
            duration_minutes=30,
            earliest=monday,
            latest=monday + datetime.timedelta(days=4),
            client_team=team,
        )
        messages = smtp_sink.wait_for(4)
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.BOOKED

    people = {hire.email, mentor.email, "carla0@acme.example", "carla1@acme.example"}
    assert {m["To"] for m in messages} == people
    for message in messages:
        method, text = _calendar_of(message)
        assert method == "REQUEST"
        calendar = Calendar.from_ical(text)
        [event] = [c for c in calendar.walk() if c.name == "VEVENT"]
        assert str(event["UID"]) == meeting.uid
        assert str(event["SUMMARY"]) == meeting.title
        assert {str(a).removeprefix("mailto:") for a in event["ATTENDEE"]} == people
        assert event.decoded("DTSTART") == meeting.starts_at
        assert event.decoded("DTEND") == meeting.ends_at
        assert "DTSTART:" + meeting.starts_at.strftime("%Y%m%dT%H%M%SZ") in text  # UTC form
