"""Notifications through the services and the sweep: preferences, quiet hours, the digest, each
rule and its threshold, the events, and the pages (bell, list, mark read, the outbox log)."""

import datetime

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from curriculum.markdown.structure import BlockKind
from curriculum.models import Block, Item
from onboarding.models import (
    ItemProgress,
    Notification,
    OutboundEmail,
    ProgressState,
    Question,
    QuestionMessage,
    ReminderDue,
    Submission,
    SubmissionState,
)
from onboarding.services.journey import reflection_submit
from onboarding.services.notifications import (
    next_local_time,
    notification_mark_read,
    notify,
    question_answered_notify,
    submission_reviewed_notify,
    submission_submitted_notify,
)
from onboarding.services.notifications_bulk import emails_release
from onboarding.services.reminder_rules import notifications_sweep
from tests.factories import HireFactory, ProgramAdminFactory
from tests.onboarding.test_notifications_support import (
    enroll,
    hire_in,
    local,
    mentor_in,
    program,
    utc,
)

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 3, 2)


def _first_item(version):
    return Item.objects.filter(version=version).order_by("chapter__position", "position").first()


def _submit_reflection(enrollment, item, *, at):
    prompts = Block.objects.filter(item=item, kind=BlockKind.REFLECTION_PROMPT)
    submission = reflection_submit(
        enrollment=enrollment,
        by=enrollment.hire,
        item=item,
        answers={block.key: "I learned things." for block in prompts},
    )
    Submission.objects.filter(pk=submission.pk).update(submitted_at=at, updated_at=at)
    ItemProgress.objects.filter(enrollment=enrollment, item=item).update(started_at=at)
    submission.refresh_from_db()
    return submission


# --- pure time arithmetic ------------------------------------------------------------------------


def test_next_local_time_moves_the_utc_instant_not_the_local_hour():
    from zoneinfo import ZoneInfo

    london = ZoneInfo("Europe/London")
    nine = datetime.time(9)
    # Saturday before the spring change: 09:00 GMT = 09:00Z; Sunday after: 09:00 BST = 08:00Z.
    assert next_local_time(after=utc(2026, 3, 28, 8), zone=london, at=nine) == utc(2026, 3, 28, 9)
    assert next_local_time(after=utc(2026, 3, 28, 9), zone=london, at=nine) == utc(2026, 3, 29, 8)
    # Weekdays only: from Friday evening, Monday.
    assert next_local_time(
        after=utc(2026, 3, 27, 18), zone=london, at=nine, weekdays=[0, 1, 2, 3, 4]
    ) == utc(2026, 3, 30, 8)
    # A wall time inside the spring-forward gap lands just after the gap, never skipped.
    gap = next_local_time(after=utc(2026, 3, 28, 12), zone=london, at=datetime.time(1, 30))
    assert gap == utc(2026, 3, 29, 1, 30)


# --- preferences, quiet hours, digest --------------------------------------------------------------


@pytest.mark.parametrize(
    ("channel", "in_app", "emails"),
    [("both", True, 1), ("in_app", True, 0), ("email", False, 1), ("off", None, 0)],
)
def test_notify_honours_the_persons_channel(channel, in_app, emails):
    hire = hire_in("UTC", notification_preferences={"review": channel})
    noon = utc(2026, 3, 2, 12)  # Monday, inside 09:00-17:00

    notification = notify(
        recipient=hire, kind="review", dedupe_key="s1:r1", title="Reviewed", now=noon
    )

    if in_app is None:
        assert notification is None and not Notification.objects.exists()
    else:
        assert notification.in_app is in_app
    assert OutboundEmail.objects.count() == emails


def test_notify_twice_for_one_occurrence_writes_one_row_and_one_email(
    django_capture_on_commit_callbacks,
):
    hire = hire_in("UTC")
    noon = utc(2026, 3, 2, 12)
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            notify(recipient=hire, kind="review", dedupe_key="s1:r1", title="Reviewed", now=noon)

    assert Notification.objects.get().dedupe_key == f"u{hire.pk}:review:s1:r1"
    assert OutboundEmail.objects.count() == 1
    assert len(mail.outbox) == 1  # tasks run eagerly in unit tests: sent once


def test_quiet_hours_hold_the_email_until_the_persons_working_day_starts(
    django_capture_on_commit_callbacks,
):
    hire = hire_in("Asia/Kolkata", every_day=False)  # 09:00-17:00, Monday to Friday
    saturday_night = local("Asia/Kolkata", 2026, 3, 7, 23, 0)

    notification = notify(
        recipient=hire, kind="review", dedupe_key="s1:r1", title="Reviewed", now=saturday_night
    )

    assert notification.in_app and notification.email_id is None
    assert notification.email_due_at == local("Asia/Kolkata", 2026, 3, 9, 9, 0)  # Monday 09:00
    notifications_sweep(now=local("Asia/Kolkata", 2026, 3, 9, 8, 59))
    assert not OutboundEmail.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        notifications_sweep(now=local("Asia/Kolkata", 2026, 3, 9, 9, 0))
        notifications_sweep(now=local("Asia/Kolkata", 2026, 3, 9, 9, 1))  # again: nothing new
    assert OutboundEmail.objects.get().to == hire.email
    assert len(mail.outbox) == 1


def test_meetings_are_not_held_for_quiet_hours():
    hire = hire_in("UTC", every_day=False)
    night = utc(2026, 3, 2, 23)

    notify(recipient=hire, kind="meetings", dedupe_key="m1:1h", title="In one hour", now=night)

    assert OutboundEmail.objects.count() == 1


def test_a_mentor_who_chose_the_digest_gets_one_email_a_day(tmp_path):
    version = program(tmp_path)
    mentor = mentor_in("Europe/London", notification_preferences={"digest": "daily"})
    hires = [hire_in("UTC") for _ in range(3)]
    enrollments = [enroll(h, version, start=MONDAY, mentor=mentor) for h in hires]
    item = _first_item(version)
    ten = utc(2026, 3, 2, 10)
    for enrollment in enrollments:
        submission = _submit_reflection(enrollment, item, at=ten)
        submission_submitted_notify(submission=submission)  # now: held for the digest anyway

    notes = Notification.objects.filter(recipient=mentor, kind="new_submission")
    assert notes.count() == 3
    assert not OutboundEmail.objects.filter(to=mentor.email).exists()
    due = notes[0].email_due_at
    assert due.astimezone(mentor.zone).time() == datetime.time(9, 0)
    notifications_sweep(now=due - datetime.timedelta(minutes=1))
    assert not OutboundEmail.objects.filter(to=mentor.email).exists()
    notifications_sweep(now=due)

    digest = OutboundEmail.objects.get(to=mentor.email)
    assert "3 updates" in digest.subject
    assert Notification.objects.filter(recipient=mentor, email=digest).count() == 3


# --- rules and thresholds ---------------------------------------------------------------------------


def test_the_sweep_tells_the_mentor_about_a_new_submission_once(tmp_path, mentor):
    version = program(tmp_path)
    enrollment = enroll(hire_in("UTC"), version, start=MONDAY, mentor=mentor)
    notifications_sweep(now=utc(2026, 3, 2, 10))  # the cursor starts here
    _submit_reflection(enrollment, _first_item(version), at=utc(2026, 3, 2, 10, 0, 30))

    for minute in range(1, 4):
        notifications_sweep(now=utc(2026, 3, 2, 10, minute))

    assert Notification.objects.filter(recipient=mentor, kind="new_submission").count() == 1


def test_review_overdue_after_the_deadline_and_question_unanswered_after_a_day(tmp_path, mentor):
    version = program(tmp_path)
    enrollment = enroll(hire_in("UTC"), version, start=MONDAY, mentor=mentor)
    item = _first_item(version)
    start = utc(2026, 3, 2, 10)
    notifications_sweep(now=start)
    _submit_reflection(enrollment, item, at=start + datetime.timedelta(seconds=30))
    question = Question.objects.create(
        enrollment=enrollment, item=item, body="Why?", body_html="<p>Why?</p>"
    )
    Question.objects.filter(pk=question.pk).update(
        created_at=start + datetime.timedelta(seconds=30),
        updated_at=start + datetime.timedelta(seconds=30),
    )

    def kinds_at(hours):
        notifications_sweep(now=start + datetime.timedelta(hours=hours, minutes=1))
        return set(Notification.objects.filter(recipient=mentor).values_list("kind", flat=True))

    assert "question_waiting" not in kinds_at(23)
    assert "question_waiting" in kinds_at(24)
    assert "review_overdue" not in kinds_at(47)
    with override_settings(NOTIFICATION_RULES={"review_deadline_hours": 48}):
        assert "review_overdue" in kinds_at(48)
    kinds_at(49)
    assert Notification.objects.filter(kind="review_overdue").count() == 1


def test_a_started_item_without_a_reflection_after_a_day(tmp_path):
    version = program(tmp_path)
    hire = hire_in("UTC")
    enrollment = enroll(hire, version, start=MONDAY)
    item = _first_item(version)
    start = utc(2026, 3, 2, 10)
    notifications_sweep(now=start)
    ItemProgress.objects.create(
        enrollment=enrollment,
        item=item,
        state=ProgressState.IN_PROGRESS,
        started_at=start + datetime.timedelta(minutes=1),
    )

    notifications_sweep(now=start + datetime.timedelta(hours=20))
    assert not Notification.objects.filter(kind="reflection_missing").exists()
    notifications_sweep(now=start + datetime.timedelta(hours=24, minutes=2))
    notifications_sweep(now=start + datetime.timedelta(hours=24, minutes=3))
    assert Notification.objects.filter(recipient=hire, kind="reflection_missing").count() == 1


def test_behind_schedule_escalates_to_the_mentor_then_to_program_admins(tmp_path, mentor):
    version = program(tmp_path, items=12)
    admin = ProgramAdminFactory()
    hire = hire_in("UTC")
    enroll(hire, version, start=MONDAY, mentor=mentor)  # every day a working day, nothing done

    def morning(day):
        notifications_sweep(now=utc(2026, 3, day, 9))
        return {
            (n.recipient_id, n.kind)
            for n in Notification.objects.filter(created_at=utc(2026, 3, day, 9))
            if n.kind != "weekly_summary"  # Monday 2 March is also the admins' summary
        }

    notifications_sweep(now=utc(2026, 3, 2, 8))  # seeds the row: due at 09:00
    assert morning(2) == {(hire.pk, "daily_item")}  # day 0: nothing due before today
    assert (hire.pk, "behind") in morning(3)  # 1 working day behind: N = 1
    assert (mentor.pk, "mentee_behind") not in morning(4)
    assert (mentor.pk, "mentee_behind") in morning(5)  # 3 = N + M
    assert (admin.pk, "hire_escalation") not in morning(6)
    assert (admin.pk, "hire_escalation") in morning(7)  # 5 = N + M + K


def test_program_admins_get_a_weekly_summary_on_monday_morning(tmp_path):
    admin = ProgramAdminFactory(time_zone="America/New_York")
    version = program(tmp_path)
    enroll(hire_in("UTC"), version, start=MONDAY)
    notifications_sweep(now=utc(2026, 3, 4, 12))  # a Wednesday: the row is seeded for Monday
    assert ReminderDue.objects.get(user=admin, rule="weekly_summary").due_at == local(
        "America/New_York", 2026, 3, 9, 9, 0
    )

    for hour in (12, 13, 14):  # Monday 09:00 EDT is 13:00Z (the clocks changed on the 8th)
        notifications_sweep(now=utc(2026, 3, 9, hour))

    summary = Notification.objects.get(recipient=admin, kind="weekly_summary")
    assert "active hires: 1" in summary.body
    assert summary.created_at == utc(2026, 3, 9, 13)


# --- events -----------------------------------------------------------------------------------------


def test_events_notify_the_hire_once_per_review_round_and_answer(tmp_path, mentor):
    version = program(tmp_path)
    hire = hire_in("UTC")
    enrollment = enroll(hire, version, start=MONDAY, mentor=mentor)
    item = _first_item(version)
    submission = _submit_reflection(enrollment, item, at=utc(2026, 3, 2, 10))
    question = Question.objects.create(enrollment=enrollment, item=item, body="?", body_html="?")
    message = QuestionMessage.objects.create(
        question=question, author=mentor, body="Because.", body_html="<p>Because.</p>"
    )

    for _ in range(2):
        submission_reviewed_notify(submission=submission, by=mentor, changes_requested=True)
        question_answered_notify(message=message)

    kinds = sorted(Notification.objects.filter(recipient=hire).values_list("kind", flat=True))
    assert kinds == ["questions", "review"]


# --- pages -------------------------------------------------------------------------------------------


def _note(user, key, **fields):
    return notify(recipient=user, kind="review", dedupe_key=key, title=f"Note {key}", **fields)


def test_the_bell_shows_the_unread_count(client, hire):
    client.force_login(hire)
    _note(hire, "a")
    _note(hire, "b")

    page = client.get(reverse("home")).content.decode()

    assert '<span class="bell__count">2</span>' in page


def test_mark_read_with_htmx_returns_the_row_and_the_bell(client, hire):
    client.force_login(hire)
    first = _note(hire, "a")
    _note(hire, "b")

    response = client.post(
        reverse("notifications:read", args=[first.pk]), headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="notification-{first.pk}"' in body and 'hx-swap-oob="true"' in body
    assert '<span class="bell__count">1</span>' in body
    first.refresh_from_db()
    assert first.read_at is not None


def test_mark_read_and_mark_all_without_javascript(client, hire):
    client.force_login(hire)
    first = _note(hire, "a")
    _note(hire, "b")

    response = client.post(reverse("notifications:read", args=[first.pk]))
    assert response.status_code == 302
    client.post(reverse("notifications:read_all"))
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_open_marks_read_and_goes_only_to_a_path_inside_the_app(client, hire):
    client.force_login(hire)
    inside = _note(hire, "a", link="/journey/1/items/2/")
    outside = _note(hire, "b", link="https://evil.example/")

    assert client.post(reverse("notifications:open", args=[inside.pk]))["Location"] == (
        "/journey/1/items/2/"
    )
    assert client.post(reverse("notifications:open", args=[outside.pk]))["Location"] == reverse(
        "notifications:list"
    )


def test_another_persons_notification_is_a_404(client, hire, other_hire):
    theirs = _note(other_hire, "a")
    client.force_login(hire)

    for name in ("read", "open"):
        assert client.post(reverse(f"notifications:{name}", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("notifications:read", args=[999999])).status_code == 404
    notification_mark_read(user=hire, notification_id=theirs.pk)
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.query_count("notifications:list")
def test_the_list_query_count_does_not_grow_with_notifications(
    client, hire, django_assert_num_queries
):
    client.force_login(hire)
    _note(hire, "first")
    client.get(reverse("notifications:list"))
    # session, user, the list, the bell; then the session is saved (savepoint, update, release)
    with django_assert_num_queries(7) as one:
        client.get(reverse("notifications:list"))
    for n in range(40):
        _note(hire, f"n{n}")
    with django_assert_num_queries(len(one.captured_queries)):
        page = client.get(reverse("notifications:list")).content.decode()
    assert "Note n39" in page


def test_the_outbox_log_is_for_program_admins(client, hire, admin, mfa_passed):
    _note(hire, "a", now=utc(2026, 3, 2, 12))
    OutboundEmail.objects.create(
        to="x@example.com",
        subject="Broken",
        body_text=".",
        dedupe_key="broken",
        attempts=3,
        last_error="SMTPServerDisconnected: gone",
    )
    client.force_login(hire)
    assert client.get(reverse("notifications:outbox")).status_code == 404

    mfa_passed(client, admin)
    page = client.get(reverse("notifications:outbox") + "?state=failed").content.decode()
    assert "SMTPServerDisconnected: gone" in page and "Broken" in page
    page = client.get(reverse("notifications:outbox")).content.decode()
    assert hire.email in page and "review" in page


def test_profile_offers_the_kinds_of_the_persons_roles(client, hire, mentor, mfa_passed):
    client.force_login(hire)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "notify_behind" in page and "notify_new_submission" not in page

    mfa_passed(client, mentor)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "notify_new_submission" in page and "notify_digest" in page
    response = client.post(
        reverse("accounts:profile"),
        {
            "display_name": "Mira",
            "time_zone": "Europe/London",
            "working_hours_start": "09:00",
            "working_hours_end": "17:00",
            "working_days": ["0", "1", "2", "3", "4"],
            "notify_new_submission": "in_app",
            "notify_digest": "daily",
        },
    )
    assert response.status_code == 302
    mentor.refresh_from_db()
    assert mentor.notification_preferences["new_submission"] == "in_app"
    assert mentor.notification_preferences["digest"] == "daily"


def test_an_inactive_recipient_gets_nothing():
    hire = HireFactory()
    hire.is_active = False
    hire.save()
    assert notify(recipient=hire, kind="review", dedupe_key="x", title="t") is None
    assert emails_release(now=utc(2030, 1, 1)) == 0
    assert not Submission.objects.filter(state=SubmissionState.SUBMITTED).exists()
