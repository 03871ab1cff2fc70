"""What the notification selectors return and what the review and answer notes say, exactly.

Written against mutation-testing survivors (docs/quality.md): the outbox's filters, the count
of held emails, whose notes a list or "mark all read" touches, the words and links of the
review and answer notes, and that the in-app-only notes never add an email, even for a
person who chose email too.
"""

import datetime

import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from onboarding.models import (
    Notification,
    OutboundEmail,
    Question,
    QuestionMessage,
    Submission,
    SubmissionKind,
)
from onboarding.selectors.notifications import (
    emails_held_count,
    notifications_for_user,
    outbox_for_admin,
)
from onboarding.services.notifications import (
    kinds_for,
    notification_mark_read,
    notifications_mark_all_read,
    notify,
    question_answered_notify,
    question_asked_notify,
    submission_reviewed_notify,
    submission_what,
)
from tests.factories import HireFactory, MentorFactory
from tests.onboarding.test_notifications import MONDAY, _first_item, _submit_reflection
from tests.onboarding.test_notifications_support import enroll, hire_in, program, utc

pytestmark = pytest.mark.django_db

NOW = utc(2026, 3, 4, 12)


def _email(key: str, minutes_ago: int, **fields) -> OutboundEmail:
    return OutboundEmail.objects.create(
        to=f"{key}@example.com",
        subject=key,
        body_text=".",
        dedupe_key=key,
        created_at=NOW - datetime.timedelta(minutes=minutes_ago),
        **fields,
    )


# --- the outbox -----------------------------------------------------------------------------------


def test_the_outbox_filters_by_state_newest_first(admin):
    sent = _email("sent", 4, sent_at=NOW)
    waiting = _email("waiting", 3)
    retrying = _email("retrying", 2, attempts=1, last_error="SMTPServerDisconnected")
    gave_up = _email("gave-up", 1, attempts=1, last_error="550 no such user", gave_up_at=NOW)

    def subjects(**state):
        return [email.subject for email in outbox_for_admin(user=admin, **state)]

    assert subjects() == ["gave-up", "retrying", "waiting", "sent"]
    assert subjects(state="all") == subjects()
    assert subjects(state="failed") == ["gave-up", "retrying"]
    assert subjects(state="unsent") == ["retrying", "waiting"]  # not the given-up one
    assert subjects(state="sent") == ["sent"]
    # Same minute: the newer row first.
    twin = _email("twin", 4, sent_at=NOW)
    OutboundEmail.objects.filter(pk=twin.pk).update(created_at=sent.created_at)
    assert subjects(state="sent") == ["twin", "sent"]
    # By when it was written, not by id: a row written later about an older email goes last.
    _email("backfilled", 60, sent_at=NOW)
    assert subjects(state="sent") == ["twin", "sent", "backfilled"]
    assert {waiting.pk, retrying.pk, gave_up.pk} < {e.pk for e in outbox_for_admin(user=admin)}


def test_the_outbox_names_the_first_notification_behind_each_email(admin, hire):
    email = _email("digest", 1)
    for kind, key in (("review", "a"), ("questions", "b")):
        Notification.objects.create(
            recipient=hire, kind=kind, dedupe_key=key, title=key, email=email
        )
    [row] = outbox_for_admin(user=admin)
    assert row.kind == "review"


def test_the_outbox_shows_the_newest_200(admin):
    OutboundEmail.objects.bulk_create(
        OutboundEmail(to="x@example.com", subject=f"s{n}", body_text=".", dedupe_key=f"k{n}")
        for n in range(201)
    )
    assert len(outbox_for_admin(user=admin)) == 200


def test_the_outbox_and_its_held_count_are_for_program_admins(mentor):
    with pytest.raises(Http404):
        outbox_for_admin(user=mentor)
    with pytest.raises(Http404):
        emails_held_count(user=mentor)


def test_held_emails_are_notes_owed_an_email_not_yet_written(admin, hire):
    email = _email("written", 1)
    # Three held, one written already, two in the app only: each way of miscounting differs.
    rows = [("held", {"email_due_at": NOW})] * 3 + [
        ("written", {"email_due_at": NOW, "email": email})
    ]
    rows += [("in-app only", {})] * 2
    for n, (key, fields) in enumerate(rows):
        Notification.objects.create(
            recipient=hire, kind="review", dedupe_key=f"{key}{n}", title=key, **fields
        )
    assert emails_held_count(user=admin) == 3


# --- a person's list ---------------------------------------------------------------------------


def _note(user, key: str, minutes_ago: int = 0, **fields) -> Notification:
    return Notification.objects.create(
        recipient=user,
        kind="review",
        dedupe_key=key,
        title=key,
        created_at=NOW - datetime.timedelta(minutes=minutes_ago),
        **fields,
    )


def test_a_persons_list_is_their_in_app_notes_newest_first(hire, other_hire):
    _note(hire, "older", 5)
    _note(hire, "newer", 1)
    _note(hire, "email only", 0, in_app=False)
    _note(other_hire, "theirs", 0)
    assert [n.title for n in notifications_for_user(user=hire)] == ["newer", "older"]
    # Same minute: the newer row first.
    _note(hire, "twin", 1)
    assert [n.title for n in notifications_for_user(user=hire)] == ["twin", "newer", "older"]
    _note(hire, "backfilled", 60)  # by when, not by id
    assert [n.title for n in notifications_for_user(user=hire)][-1] == "backfilled"


def test_a_persons_list_holds_their_newest_100(hire):
    Notification.objects.bulk_create(
        Notification(recipient=hire, kind="review", dedupe_key=f"k{n}", title=f"n{n}")
        for n in range(101)
    )
    assert len(notifications_for_user(user=hire)) == 100


def test_marking_read_touches_only_the_persons_unread_notes(hire, other_hire):
    earlier = NOW - datetime.timedelta(days=1)
    read = _note(hire, "read", read_at=earlier)
    unread = _note(hire, "unread")
    theirs = _note(other_hire, "theirs")

    assert notifications_mark_all_read(user=hire) == 1
    read.refresh_from_db(), unread.refresh_from_db(), theirs.refresh_from_db()
    assert read.read_at == earlier  # when it was first read stays
    assert unread.read_at is not None and theirs.read_at is None

    notification_mark_read(user=hire, notification_id=read.pk)
    read.refresh_from_db()
    assert read.read_at == earlier


# --- the kinds a person can choose ----------------------------------------------------------------


def test_meetings_reach_mentors_who_are_not_hires_too(admin):
    mentor = MentorFactory()
    both = HireFactory(is_mentor=True)
    assert "meetings" in [k.key for k in kinds_for(mentor)]
    assert [k.key for k in kinds_for(both)].count("meetings") == 1  # once, as a hire
    superuser = HireFactory(is_superuser=True)
    assert "weekly_summary" in [k.key for k in kinds_for(superuser)]
    assert "weekly_summary" not in [k.key for k in kinds_for(mentor)]


# --- what the notes say -------------------------------------------------------------------------


@pytest.fixture
def reviewed(tmp_path, mentor):
    enrollment = enroll(hire_in("UTC"), program(tmp_path), start=MONDAY, mentor=mentor)
    item = _first_item(enrollment.version)
    return _submit_reflection(enrollment, item, at=utc(2026, 3, 2, 10))


def test_a_review_note_says_who_did_what_to_which_writing(reviewed, mentor):
    item, enrollment = reviewed.item, reviewed.enrollment
    link = reverse("journey:item", args=[enrollment.pk, item.pk])
    changes = submission_reviewed_notify(
        submission=reviewed, by=mentor, changes_requested=True, comment="Say more." * 300
    )
    assert changes.title == f"{mentor.name} asked for changes to your reflection on {item}"
    assert changes.body == ("Say more." * 300)[:2000]
    assert changes.link == link and changes.recipient == enrollment.hire

    accepted = submission_reviewed_notify(submission=reviewed, by=mentor, changes_requested=False)
    assert accepted.title == f"{mentor.name} accepted your reflection on {item}"
    assert accepted.body == "" and accepted.link == link
    # Accepted after changes in the same round is news of its own; each once.
    assert Notification.objects.filter(kind="review").count() == 2
    submission_reviewed_notify(submission=reviewed, by=mentor, changes_requested=False)
    assert Notification.objects.filter(kind="review").count() == 2


def test_writing_is_a_reflection_or_an_answer():
    assert submission_what(Submission(kind=SubmissionKind.REFLECTION)) == "reflection"
    assert submission_what(Submission(kind=SubmissionKind.ANSWER)) == "answer"


def test_an_answer_note_names_who_answered_and_opens_the_item(reviewed, mentor):
    enrollment, item = reviewed.enrollment, reviewed.item
    question = Question.objects.create(enrollment=enrollment, item=item, body="?", body_html="?")

    def answer(author, body):
        message = QuestionMessage.objects.create(
            question=question, author=author, body=body, body_html=body
        )
        return question_answered_notify(message=message)

    named = answer(mentor, "Because." * 300)
    assert named.title == f"{mentor.name} answered your question on {item}"
    assert named.body == ("Because." * 300)[:2000]
    assert named.link == reverse("journey:item", args=[enrollment.pk, item.pk])
    unnamed = answer(None, "Still because.")
    assert unnamed.title == f"Your mentor answered your question on {item}"
    assert Notification.objects.filter(kind="questions").count() == 2  # one per message


def test_an_in_app_question_note_adds_no_email_even_for_a_mentor_who_wants_both(reviewed, mentor):
    mentor.notification_preferences = {"question_asked": "both"}
    mentor.save(update_fields=["notification_preferences"])
    question = Question.objects.create(
        enrollment=reviewed.enrollment, item=reviewed.item, body="Why?" * 600, body_html="?"
    )
    note = question_asked_notify(question=question)
    assert note.in_app and note.email_due_at is None and not note.by_email
    assert note.body == ("Why?" * 600)[:2000]
    assert question_asked_notify(question=question).pk == note.pk  # once per question
    # The same preference does bring an email for a note that may send one.
    emailed = notify(recipient=mentor, kind="question_asked", dedupe_key="x", title="x", now=NOW)
    assert emailed.email_due_at is not None
    assert timezone.is_aware(emailed.email_due_at)
