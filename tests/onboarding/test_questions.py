"""Questions, their threads and the item FAQ; mentor assignment and private notes (services)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from curriculum.models import Block, Item
from onboarding.models import (
    FaqEntry,
    MentorAssignment,
    MentorNote,
    Notification,
    OutboundEmail,
    Question,
    QuestionState,
)
from onboarding.permissions import user_may_mentor
from onboarding.selectors.desk import hire_item_desk
from onboarding.services.journey import enrollment_create
from onboarding.services.mentoring import mentor_assign, mentor_note_add, mentor_unassign
from onboarding.services.questions import (
    faq_promote,
    faq_remove,
    question_answer,
    question_ask,
    question_reply,
    question_resolve,
)
from tests.factories import HireFactory
from tests.onboarding import desk_support
from tests.onboarding.desk_support import question_key
from tests.support.clock import (
    THURSDAY_NINE,
    WEDNESDAY_EVENING,
    WEDNESDAY_MORNING,
    pin_clock,
)

pytestmark = pytest.mark.django_db

# The shared desk fixtures, by name (pytest finds fixtures among a module's attributes).
day1 = desk_support.day1
day3 = desk_support.day3
enrollment = desk_support.enrollment
version = desk_support.version


def ask(enrollment, item, body="Why is the reminder sent at 18:00?", block_key=""):
    return question_ask(
        enrollment=enrollment, by=enrollment.hire, item=item, body=body, block_key=block_key
    )


# --- questions ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "emails_now", "email_due_at"),
    [(WEDNESDAY_MORNING, 1, WEDNESDAY_MORNING), (WEDNESDAY_EVENING, 0, THURSDAY_NINE)],
    ids=["in working hours", "after hours"],
)
def test_ask_answer_reply_resolve(
    enrollment, mentor, day3, monkeypatch, moment, emails_now, email_due_at
):
    pin_clock(monkeypatch, moment)
    question = ask(enrollment, day3, block_key=question_key(day3))
    assert question.state == QuestionState.OPEN and question.block_key
    assert OutboundEmail.objects.filter(to=mentor.email, dedupe_key__startswith="question").exists()

    question_answer(question=question, by=mentor, body="Because clinics close at 18:00.")
    question.refresh_from_db()
    assert question.state == QuestionState.ANSWERED
    # The hire is notified once; the email goes now, or waits for their working hours.
    note = Notification.objects.get(recipient=enrollment.hire, kind="questions")
    assert OutboundEmail.objects.filter(to=enrollment.hire.email).count() == emails_now
    assert note.email_due_at == email_due_at

    question_reply(question=question, by=enrollment.hire, body="And on weekends?")
    question.refresh_from_db()
    assert question.state == QuestionState.OPEN

    question_resolve(question=question, by=enrollment.hire)
    question_resolve(question=question, by=mentor)  # twice: no change, no error
    question.refresh_from_db()
    assert question.state == QuestionState.RESOLVED and question.resolved_at is not None


def test_only_the_hire_asks_and_only_about_their_program(
    enrollment, other_hire, mentor, day1, tmp_path
):
    with pytest.raises(PermissionDenied):
        question_ask(enrollment=enrollment, by=other_hire, item=day1, body="Hi")
    with pytest.raises(PermissionDenied):
        question_ask(enrollment=enrollment, by=mentor, item=day1, body="Hi")
    from tests.onboarding.journey_support import generated_version

    foreign = Item.objects.filter(version=generated_version(tmp_path, items=1)).first()
    with pytest.raises(ValidationError, match="not part of this program"):
        ask(enrollment, foreign)
    with pytest.raises(ValidationError, match="can't be asked about"):
        ask(enrollment, day1, block_key="no-such-block")
    assert not Question.objects.exists()


@pytest.mark.parametrize(
    ("body", "message"),
    [("", "empty"), ("   ", "empty"), ("a\x00b", "control characters"), ("x" * 5001, "too long")],
)
def test_bad_questions_are_refused_with_a_message(enrollment, day1, body, message):
    with pytest.raises(ValidationError, match=message):
        ask(enrollment, day1, body=body)
    assert not Question.objects.exists()


def test_question_markdown_is_sanitised(enrollment, day1):
    question = ask(enrollment, day1, body='<img src=x onerror="alert(1)"> **bold**')
    assert "onerror" not in question.body_html and "<strong>bold</strong>" in question.body_html


def test_another_mentor_cannot_answer_resolve_or_promote(
    enrollment, other_mentor, other_hire, day1
):
    question = ask(enrollment, day1)
    with pytest.raises(PermissionDenied):
        question_answer(question=question, by=other_mentor, body="Hi")
    with pytest.raises(PermissionDenied):
        question_resolve(question=question, by=other_mentor)
    with pytest.raises(PermissionDenied):
        question_reply(question=question, by=other_hire, body="Me too")
    with pytest.raises(PermissionDenied):
        faq_promote(question=question, by=other_mentor, question_text="Q", answer="A")


# --- the FAQ -----------------------------------------------------------------------------------


def test_promoted_answer_is_seen_by_every_later_hire_of_the_item(enrollment, mentor, version, day1):
    question = ask(enrollment, day1)
    question_answer(question=question, by=mentor, body="Because clinics close at 18:00.")
    entry = faq_promote(
        question=question,
        by=mentor,
        question_text="Why 18:00?",
        answer="Because clinics **close** then.",
    )
    assert entry.item_source_path == "chapter_00/day_01.md"
    assert "<strong>close</strong>" in entry.answer_html

    later = enrollment_create(
        hire=HireFactory(), version=version, start_date=datetime.date(2027, 1, 4)
    )
    seen = hire_item_desk(enrollment=later, item=day1, submissions=[])
    assert [e.question_text for e in seen.faq] == ["Why 18:00?"]
    day2 = Item.objects.get(version=version, source_path="chapter_00/day_02.md")
    assert hire_item_desk(enrollment=later, item=day2, submissions=[]).faq == []


def test_the_faq_follows_the_item_into_a_new_version(enrollment, mentor, day1, tmp_path):
    import shutil

    from curriculum.services import program_import
    from tests.onboarding.journey_support import DEMO_PROGRAM

    question = ask(enrollment, day1)
    faq_promote(question=question, by=mentor, question_text="Q?", answer="A.")
    edited = tmp_path / "program"
    shutil.copytree(DEMO_PROGRAM, edited)
    day2 = edited / "chapter_00" / "day_02.md"
    day2.write_text(day2.read_text() + "\nOne more line, so this is a new version.\n")
    newer = program_import(source=edited, program_slug="demo", publish=True).version
    assert newer is not None and newer.pk != enrollment.version_id
    same_item = Item.objects.get(version=newer, source_path="chapter_00/day_01.md")
    later = enrollment_create(
        hire=HireFactory(), version=newer, start_date=datetime.date(2027, 1, 4)
    )
    assert len(hire_item_desk(enrollment=later, item=same_item, submissions=[]).faq) == 1


def test_promote_twice_is_refused_and_only_admins_remove(enrollment, mentor, admin, day1):
    question = ask(enrollment, day1)
    entry = faq_promote(question=question, by=mentor, question_text="Q?", answer="A.")
    with pytest.raises(ValidationError, match="already in the FAQ"):
        faq_promote(question=question, by=mentor, question_text="Q?", answer="A.")
    with pytest.raises(PermissionDenied):
        faq_remove(entry=entry, by=mentor)
    faq_remove(entry=entry, by=admin)
    faq_remove(entry=entry, by=admin)  # idempotent
    entry.refresh_from_db()
    assert entry.removed_at is not None and entry.removed_by == admin
    assert hire_item_desk(enrollment=enrollment, item=day1, submissions=[]).faq == []
    # Once removed, a better version may be promoted again.
    faq_promote(question=question, by=mentor, question_text="Q?", answer="Better A.")
    assert FaqEntry.objects.filter(removed_at__isnull=True).count() == 1


def test_promote_refuses_an_empty_answer(enrollment, mentor, day1):
    question = ask(enrollment, day1)
    with pytest.raises(ValidationError, match="empty"):
        faq_promote(question=question, by=mentor, question_text="Q?", answer=" ")
    assert not FaqEntry.objects.exists()


# --- mentor assignment and notes -----------------------------------------------------------------


def test_reassignment_keeps_history_and_moves_access(enrollment, mentor, other_mentor, admin):
    assert user_may_mentor(user=mentor, enrollment=enrollment)
    mentor_assign(enrollment=enrollment, mentor=other_mentor, by=admin)
    enrollment.refresh_from_db()
    assert enrollment.mentor == other_mentor
    assert not user_may_mentor(user=mentor, enrollment=enrollment)
    assert user_may_mentor(user=other_mentor, enrollment=enrollment)
    history = list(MentorAssignment.objects.filter(enrollment=enrollment).order_by("started_at"))
    assert [(a.mentor, a.role, a.ended_at is None) for a in history] == [
        (mentor, "primary", False),
        (other_mentor, "primary", True),
    ]
    # Assigning again changes nothing.
    again = mentor_assign(enrollment=enrollment, mentor=other_mentor, by=admin)
    assert again == history[1]
    assert MentorAssignment.objects.count() == 2


def test_a_co_mentor_sees_the_mentee_until_unassigned(enrollment, mentor, other_mentor, admin):
    mentor_assign(enrollment=enrollment, mentor=other_mentor, by=admin, role="co_mentor")
    enrollment.refresh_from_db()
    assert enrollment.mentor == mentor  # the primary stays
    assert user_may_mentor(user=other_mentor, enrollment=enrollment)
    with pytest.raises(ValidationError, match="already the mentor"):
        mentor_assign(enrollment=enrollment, mentor=mentor, by=admin, role="co_mentor")
    mentor_unassign(enrollment=enrollment, mentor=other_mentor, by=admin)
    assert not user_may_mentor(user=other_mentor, enrollment=enrollment)
    assert MentorAssignment.objects.get(mentor=other_mentor).ended_at is not None


def test_only_program_admins_assign_and_only_mentors_can_be_assigned(
    enrollment, mentor, other_mentor, other_hire, admin
):
    with pytest.raises(PermissionDenied):
        mentor_assign(enrollment=enrollment, mentor=other_mentor, by=mentor)
    with pytest.raises(ValidationError, match="mentor role"):
        mentor_assign(enrollment=enrollment, mentor=other_hire, by=admin)
    with pytest.raises(ValidationError, match="Choose"):
        mentor_assign(enrollment=enrollment, mentor=other_mentor, by=admin, role="boss")
    assert not MentorAssignment.objects.exists()


def test_private_notes_by_mentors_only(enrollment, mentor, other_mentor, day1):
    note = mentor_note_add(
        enrollment=enrollment, by=mentor, body="Quiet in stand-ups; ask **1:1**."
    )
    assert "<strong>1:1</strong>" in note.body_html
    with pytest.raises(PermissionDenied):
        mentor_note_add(enrollment=enrollment, by=other_mentor, body="x")
    with pytest.raises(PermissionDenied):
        mentor_note_add(enrollment=enrollment, by=enrollment.hire, body="x")
    assert MentorNote.objects.count() == 1


def test_blocks_exist_for_anchoring(day3):
    assert Block.objects.filter(item=day3, key=question_key(day3)).exists()
