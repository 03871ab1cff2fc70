"""Meeting notifications (issue 7): booked or moved (in the app only: the invite is the email),
the day before at the person's local 09:00, and in one hour; each once per meeting, sequence and
moment. The sweep is driven with explicit `now` values; nothing sleeps."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from onboarding.models import (
    Meeting,
    MeetingParticipant,
    MeetingResponse,
    MeetingState,
    Notification,
    OutboundEmail,
    ReminderDue,
    RuleCursor,
)
from onboarding.services import meetings as services
from onboarding.services.notifications import meeting_notify
from onboarding.services.reminder_rules import (
    DEFAULTS,
    meeting_reminder_moment,
    notifications_sweep,
)
from tests.factories import HireFactory
from tests.onboarding.meetings_support import client_team, enroll, next_week_monday, set_zone
from tests.onboarding.test_notifications_support import EVERY_DAY, hire_in, mentor_in, utc

pytestmark = pytest.mark.django_db
STEP = datetime.timedelta(minutes=15)


def _arrange(mentor, enrollment, *, earliest, latest=None, now=None, **kwargs):
    """Arrange, then book as the worker would, at NOW (the task is not run on commit here)."""
    meeting = services.meeting_arrange(
        organiser=mentor,
        enrollment=enrollment,
        title="Meet the client team",
        agenda="1. Introductions",
        duration_minutes=60,
        earliest=earliest,
        latest=latest or earliest,
        now=now,
        **kwargs,
    )
    services.meeting_schedule(meeting_id=meeting.pk, now=now)
    meeting.refresh_from_db()
    return meeting


def _notes(meeting, moment, user=None):
    rows = Notification.objects.filter(
        kind="meetings", dedupe_key__endswith=f":m{meeting.pk}:seq{meeting.sequence}:{moment}"
    )
    return list(rows.filter(recipient=user) if user is not None else rows)


def _sweep(start, end, step=STEP):
    now = start
    while now <= end:
        notifications_sweep(now=now)
        now += step


# --- booked ----------------------------------------------------------------------------------------


def test_booked_note_is_written_once_in_the_app_and_sends_no_second_email(
    hire, mentor, admin, django_capture_on_commit_callbacks
):
    enrollment = enroll(hire, mentor)
    team = client_team(admin)
    with django_capture_on_commit_callbacks(execute=True):
        meeting = services.meeting_arrange(
            organiser=mentor,
            enrollment=enrollment,
            title="Meet the client team",
            earliest=next_week_monday(),
            latest=next_week_monday() + datetime.timedelta(days=4),
            client_team=team,
        )
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.BOOKED

    notes = _notes(meeting, "booked")
    # Everyone with an account, once; the client contact has only the invite.
    assert sorted(n.recipient_id for n in notes) == sorted([hire.pk, mentor.pk])
    assert all(n.in_app and not n.by_email and n.email_id is None for n in notes)
    assert notes[0].title == "Meeting booked: Meet the client team"
    assert notes[0].link == f"/meetings/{meeting.pk}/"
    # The three invites, nothing more.
    assert OutboundEmail.objects.count() == 3 and len(mail.outbox) == 3

    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_schedule(meeting_id=meeting.pk)  # delivered twice: nothing new
    assert len(_notes(meeting, "booked")) == 2
    assert OutboundEmail.objects.count() == 3 and len(mail.outbox) == 3


@pytest.mark.parametrize(("channel", "noted"), [("off", False), ("email", False), ("in_app", True)])
def test_booked_note_honours_the_persons_choice(hire, mentor, channel, noted):
    type(hire).objects.filter(pk=hire.pk).update(notification_preferences={"meetings": channel})
    hire.refresh_from_db()
    meeting = _arrange(mentor, enroll(hire, mentor), earliest=next_week_monday())

    assert bool(_notes(meeting, "booked", hire)) is noted
    assert len(_notes(meeting, "booked", mentor)) == 1
    # "Email only" already had its email: the invite. No email is owed for any note.
    assert all(e.dedupe_key.startswith("meeting:") for e in OutboundEmail.objects.all())
    assert not Notification.objects.filter(by_email=True).exists()


@pytest.mark.parametrize(("channel", "in_app"), [("both", True), ("email", None), ("off", None)])
def test_meeting_notify_without_email_writes_the_in_app_note_only(channel, in_app):
    person = hire_in("UTC", notification_preferences={"meetings": channel})
    note = meeting_notify(
        recipient=person,
        occurrence="m1:seq0:booked",
        title="Booked",
        now=utc(2026, 3, 2, 12),
        email=False,
    )
    assert (note.in_app and not note.by_email) if in_app else note is None
    assert not OutboundEmail.objects.exists()


# --- tomorrow and in one hour ------------------------------------------------------------------


def test_the_reminder_moment_rule():
    conf = dict(DEFAULTS)
    london = ZoneInfo("Europe/London")
    start = utc(2026, 6, 10, 14)  # Wednesday 15:00 BST

    def moment(now):
        return meeting_reminder_moment(starts_at=start, zone=london, now=now, conf=conf)

    assert moment(utc(2026, 6, 9, 7, 59)) is None  # the day before, 08:59 local
    assert moment(utc(2026, 6, 9, 8)) == "tomorrow"  # 09:00 local the day before
    assert moment(utc(2026, 6, 9, 22, 59)) == "tomorrow"  # 23:59 local: still the day before
    assert moment(utc(2026, 6, 9, 23)) is None  # the day itself: only the hour is left
    assert moment(utc(2026, 6, 10, 12, 59)) is None
    assert moment(utc(2026, 6, 10, 13)) == "1h"
    assert moment(utc(2026, 6, 10, 13, 59)) == "1h"
    assert moment(utc(2026, 6, 10, 14)) is None  # started


def test_tomorrow_and_one_hour_reminders_once_each_through_a_simulated_day_across_dst():
    """London springs forward at 01:00 UTC on Sunday 29 March 2026, inside the day simulated."""
    hire = hire_in("Europe/London", email="hana@example.com")
    mentor = mentor_in("Asia/Kolkata", email="mira@example.com")
    enrollment = enroll(hire, mentor)
    sunday = datetime.date(2026, 3, 29)
    meeting = _arrange(mentor, enrollment, earliest=sunday, now=utc(2026, 3, 26, 12))
    # The earliest hour both work: 09:00 BST (08:00 UTC, an hour earlier than a week before).
    assert meeting.starts_at == utc(2026, 3, 29, 8)

    _sweep(utc(2026, 3, 27, 23), utc(2026, 3, 29, 9))

    expected = {
        # London: 09:00 GMT on Saturday (= 09:00 UTC); Kolkata: 09:00 IST on Saturday.
        (hire, "tomorrow"): utc(2026, 3, 28, 9),
        (mentor, "tomorrow"): utc(2026, 3, 28, 3, 30),
        (hire, "1h"): utc(2026, 3, 29, 7),  # 08:00 BST on Sunday: before working hours
        (mentor, "1h"): utc(2026, 3, 29, 7),
    }
    for (person, moment), due in expected.items():
        [note] = _notes(meeting, moment, person)
        assert due <= note.created_at < due + STEP, (person.time_zone, moment, note.created_at)
        # Emailed at once: meeting reminders are not held for quiet hours.
        assert note.by_email and note.email_id is not None
        assert note.email.to == person.email
    [soon] = _notes(meeting, "1h", hire)
    assert soon.title == "Soon, at 09:00: Meet the client team"
    assert "Sun 29 Mar 2026, 09:00" in soon.body
    [tomorrow] = _notes(meeting, "tomorrow", mentor)
    assert tomorrow.title == "Tomorrow at 13:30: Meet the client team"
    assert Notification.objects.filter(kind="meetings").count() == 6  # + two "booked"
    assert OutboundEmail.objects.filter(notifications__kind="meetings").count() == 4


def test_a_meeting_booked_after_the_day_befores_morning_is_reminded_at_once(hire, mentor):
    set_zone(hire, "UTC")
    set_zone(mentor, "UTC")
    type(hire).objects.filter(pk__in=[hire.pk, mentor.pk]).update(working_days=EVERY_DAY)
    wednesday = datetime.date(2026, 6, 10)
    meeting = _arrange(
        mentor,
        enroll(hire, mentor),
        earliest=wednesday,
        now=utc(2026, 6, 9, 16),
        min_notice_hours=0,
    )
    assert meeting.starts_at == utc(2026, 6, 10, 9)

    notifications_sweep(now=utc(2026, 6, 9, 16, 1))
    assert len(_notes(meeting, "tomorrow")) == 2
    _sweep(utc(2026, 6, 9, 16, 2), utc(2026, 6, 10, 9, 30))
    assert len(_notes(meeting, "tomorrow")) == 2 and len(_notes(meeting, "1h")) == 2


def test_a_meeting_booked_for_later_the_same_day_gets_only_the_hour(hire, mentor):
    type(hire).objects.filter(pk__in=[hire.pk, mentor.pk]).update(working_days=EVERY_DAY)
    meeting = _arrange(
        mentor,
        enroll(hire, mentor),
        earliest=datetime.date(2026, 6, 10),
        now=utc(2026, 6, 10, 8),
        min_notice_hours=0,
    )
    assert meeting.starts_at == utc(2026, 6, 10, 9)

    _sweep(utc(2026, 6, 10, 8, 1), utc(2026, 6, 10, 10))
    assert not _notes(meeting, "tomorrow")
    assert len(_notes(meeting, "1h")) == 2


def test_a_rescheduled_meeting_is_reminded_again_under_its_new_sequence(hire, mentor):
    type(hire).objects.filter(pk__in=[hire.pk, mentor.pk]).update(working_days=EVERY_DAY)
    enrollment = enroll(hire, mentor)
    meeting = _arrange(
        mentor, enrollment, earliest=datetime.date(2026, 6, 10), now=utc(2026, 6, 1, 12)
    )
    assert meeting.starts_at == utc(2026, 6, 10, 9) and meeting.sequence == 0
    _sweep(utc(2026, 6, 9, 8), utc(2026, 6, 9, 12))
    assert len(_notes(meeting, "tomorrow")) == 2

    moved_at = utc(2026, 6, 9, 12, 5)
    services.meeting_reschedule(
        actor=mentor,
        meeting=meeting,
        earliest=datetime.date(2026, 6, 12),
        latest=datetime.date(2026, 6, 12),
        now=moved_at,
    )
    services.meeting_schedule(meeting_id=meeting.pk, now=moved_at)
    meeting.refresh_from_db()
    assert meeting.starts_at == utc(2026, 6, 12, 9) and meeting.sequence == 1

    [moved] = _notes(meeting, "booked", hire)
    assert moved.title == "Meeting moved: Meet the client team" and not moved.by_email
    _sweep(utc(2026, 6, 9, 12, 15), utc(2026, 6, 12, 9))
    for moment in ("tomorrow", "1h"):
        assert len(_notes(meeting, moment)) == 2, moment
    # Nothing for the old time once it moved: the sequence-0 hour never came.
    assert not Notification.objects.filter(dedupe_key__endswith=f":m{meeting.pk}:seq0:1h")
    assert Notification.objects.filter(dedupe_key__contains=f":m{meeting.pk}:").count() == 2 * 5


def test_a_cancelled_meeting_is_not_reminded(hire, mentor):
    type(hire).objects.filter(pk__in=[hire.pk, mentor.pk]).update(working_days=EVERY_DAY)
    meeting = _arrange(
        mentor, enroll(hire, mentor), earliest=datetime.date(2026, 6, 10), now=utc(2026, 6, 1)
    )
    services.meeting_cancel(actor=mentor, meeting=meeting)

    _sweep(utc(2026, 6, 9, 8), utc(2026, 6, 10, 10))
    assert not Notification.objects.filter(kind="meetings").exclude(
        dedupe_key__endswith=":seq0:booked"
    )


def test_a_person_who_declined_is_not_reminded(hire, mentor):
    type(hire).objects.filter(pk__in=[hire.pk, mentor.pk]).update(working_days=EVERY_DAY)
    meeting = _arrange(
        mentor, enroll(hire, mentor), earliest=datetime.date(2026, 6, 10), now=utc(2026, 6, 1)
    )
    MeetingParticipant.objects.filter(meeting=meeting, user=hire).update(
        response=MeetingResponse.DECLINED
    )

    _sweep(utc(2026, 6, 9, 8), utc(2026, 6, 10, 10))
    assert not _notes(meeting, "tomorrow", hire) and not _notes(meeting, "1h", hire)
    assert len(_notes(meeting, "tomorrow", mentor)) == len(_notes(meeting, "1h", mentor)) == 1


# --- query count -------------------------------------------------------------------------------


def _booked_meetings(n, *, enrollment, mentor, starts_at):
    """N booked meetings at one time, each with the mentor, the hire and a colleague of its own
    (rows written directly: the rule reads meetings, not how they were booked)."""
    for i in range(n):
        meeting = Meeting.objects.create(
            enrollment=enrollment,
            organiser=mentor,
            title=f"Meeting {i}",
            duration_minutes=30,
            window_start=starts_at - datetime.timedelta(days=7),
            window_end=starts_at + datetime.timedelta(days=1),
            state=MeetingState.BOOKED,
            starts_at=starts_at,
            ends_at=starts_at + datetime.timedelta(minutes=30),
        )
        colleague = HireFactory(email=f"colleague{n}.{i}@example.com")
        MeetingParticipant.objects.bulk_create(
            [
                MeetingParticipant(
                    meeting=meeting, user=person, name=person.name, email=person.email
                )
                for person in (mentor, enrollment.hire, colleague)
            ]
        )


def _rule_queries(n, *, enrollment, mentor):
    """One sweep at the hour before N meetings, from a clean slate (same rules fire each time)."""
    Meeting.objects.all().delete()
    Notification.objects.all().delete()
    OutboundEmail.objects.all().delete()
    ReminderDue.objects.all().delete()
    RuleCursor.objects.all().delete()
    starts_at = utc(2026, 6, 10, 10)
    _booked_meetings(n, enrollment=enrollment, mentor=mentor, starts_at=starts_at)
    notifications_sweep(now=starts_at - datetime.timedelta(days=3))  # cursors and due rows
    with CaptureQueriesContext(connection) as queries:
        report = notifications_sweep(now=starts_at - datetime.timedelta(minutes=30))
    assert Notification.objects.filter(kind="meetings").count() == 3 * n
    return len(queries), report


def test_the_meeting_rule_query_count_does_not_grow_with_meetings(hire, mentor):
    enrollment = enroll(hire, mentor)
    small, small_report = _rule_queries(2, enrollment=enrollment, mentor=mentor)
    big, big_report = _rule_queries(40, enrollment=enrollment, mentor=mentor)

    assert "meeting_reminders" in small_report.scanned_rules
    assert big_report.notifications - small_report.notifications == 3 * 38
    assert big == small, (small, big)
