"""The review state machine, through the services: submit, request changes, resubmit, accept."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from onboarding.models import (
    ItemProgress,
    OutboundEmail,
    ProgressState,
    ReviewComment,
    SubmissionRound,
    SubmissionState,
)
from onboarding.services.journey import item_complete, reflection_save_draft
from onboarding.services.mentoring import mentor_assign
from onboarding.services.review import (
    review_comment_add,
    submission_accept,
    submission_request_changes,
)
from tests.onboarding import desk_support
from tests.onboarding.desk_support import prompt_keys, submit_answer, submit_reflection
from tests.support.clock import THURSDAY_NINE, WEDNESDAY_EVENING, WEDNESDAY_MORNING, pin_clock

pytestmark = pytest.mark.django_db

# The shared desk fixtures, by name (pytest finds fixtures among a module's attributes).
day1 = desk_support.day1
day3 = desk_support.day3
enrollment = desk_support.enrollment
version = desk_support.version


def test_request_changes_resubmit_accept_keeps_every_round(enrollment, mentor, day1):
    submission = submit_reflection(enrollment, day1, "First")
    assert (submission.state, submission.round) == (SubmissionState.SUBMITTED, 1)

    submission_request_changes(submission=submission, by=mentor, comment="Say *why*, please.")
    submission.refresh_from_db()
    assert submission.state == SubmissionState.CHANGES_REQUESTED

    # The hire edits (draft) and resubmits: the next round.
    keys = prompt_keys(day1)
    reflection_save_draft(
        enrollment=enrollment, by=enrollment.hire, item=day1, answers={keys[0]: "Half way"}
    )
    resubmitted = submit_reflection(enrollment, day1, "Second")
    assert (resubmitted.state, resubmitted.round) == (SubmissionState.SUBMITTED, 2)

    accepted = submission_accept(submission=resubmitted, by=mentor, comment="Good.")
    assert accepted.state == SubmissionState.ACCEPTED

    rounds = list(SubmissionRound.objects.filter(submission=submission).order_by("round"))
    assert [(r.round, r.outcome) for r in rounds] == [
        (1, "changes_requested"),
        (2, "accepted"),
    ]
    assert rounds[0].answers[keys[0]] == "First on prompt 1"
    assert rounds[1].answers[keys[0]] == "Second on prompt 1"
    comments = list(ReviewComment.objects.filter(submission=submission).order_by("created_at"))
    assert [(c.round, c.body) for c in comments] == [(1, "Say *why*, please."), (2, "Good.")]
    assert "<em>why</em>" in comments[0].body_html


@pytest.mark.parametrize(
    ("moment", "emails_now", "email_due_at"),
    [(WEDNESDAY_MORNING, 1, WEDNESDAY_MORNING), (WEDNESDAY_EVENING, 0, THURSDAY_NINE)],
    ids=["in working hours", "after hours"],
)
def test_the_hire_is_notified_of_each_decision_once(
    enrollment, mentor, day1, monkeypatch, moment, emails_now, email_due_at
):
    from onboarding.models import Notification

    pin_clock(monkeypatch, moment)
    submission = submit_reflection(enrollment, day1)
    submission_request_changes(submission=submission, by=mentor, comment="More, please.")
    note = Notification.objects.get(recipient=enrollment.hire, kind="review")
    assert "asked for changes" in note.title
    # The email goes now, or waits for the hire's working hours: once either way.
    assert OutboundEmail.objects.filter(to=enrollment.hire.email).count() == emails_now
    assert note.email_due_at == email_due_at


@pytest.mark.parametrize("decide", ["accept", "request_changes"])
def test_a_draft_cannot_be_decided(enrollment, mentor, day1, decide):
    keys = prompt_keys(day1)
    draft = reflection_save_draft(
        enrollment=enrollment, by=enrollment.hire, item=day1, answers={keys[0]: "x"}
    )
    with pytest.raises(ValidationError, match="still a draft"):
        _decide(decide, draft, mentor)
    draft.refresh_from_db()
    assert draft.state == SubmissionState.DRAFT
    assert not SubmissionRound.objects.exists()


@pytest.mark.parametrize("decide", ["accept", "request_changes"])
def test_an_accepted_submission_is_final(enrollment, mentor, day1, decide):
    submission = submission_accept(submission=submit_reflection(enrollment, day1), by=mentor)
    with pytest.raises(ValidationError, match="already accepted"):
        _decide(decide, submission, mentor)
    with pytest.raises(ValidationError, match="accepted"):
        submit_reflection(enrollment, day1, "Sneaky edit")
    assert SubmissionRound.objects.count() == 1


@pytest.mark.parametrize("decide", ["accept", "request_changes"])
def test_changes_requested_waits_for_the_resubmission(enrollment, mentor, day1, decide):
    submission = submit_reflection(enrollment, day1)
    submission_request_changes(submission=submission, by=mentor, comment="Again.")
    with pytest.raises(ValidationError, match="once the hire resubmits"):
        _decide(decide, submission, mentor)


def test_request_changes_needs_a_comment(enrollment, mentor, day1):
    submission = submit_reflection(enrollment, day1)
    with pytest.raises(ValidationError, match="what the hire should change"):
        submission_request_changes(submission=submission, by=mentor, comment="   ")
    submission.refresh_from_db()
    assert submission.state == SubmissionState.SUBMITTED


def test_a_bad_comment_saves_nothing(enrollment, mentor, day1):
    submission = submit_reflection(enrollment, day1)
    with pytest.raises(ValidationError, match="control characters"):
        submission_accept(submission=submission, by=mentor, comment="ok\x00")
    submission.refresh_from_db()
    assert submission.state == SubmissionState.SUBMITTED
    assert not SubmissionRound.objects.exists() and not ReviewComment.objects.exists()


@pytest.mark.parametrize("who", ["other_mentor", "hire", "other_hire"])
def test_only_the_mentor_or_an_admin_decides(enrollment, day1, request, who):
    person = request.getfixturevalue(who)
    submission = submit_reflection(enrollment, day1)
    with pytest.raises(PermissionDenied):
        submission_accept(submission=submission, by=person)
    with pytest.raises(PermissionDenied):
        submission_request_changes(submission=submission, by=person, comment="No.")


def test_a_program_admin_and_a_co_mentor_may_decide(enrollment, admin, other_mentor, day1, day3):
    submission_accept(submission=submit_reflection(enrollment, day1), by=admin)
    mentor_assign(enrollment=enrollment, mentor=other_mentor, by=admin, role="co_mentor")
    answer = submit_answer(enrollment, day3)
    assert submission_accept(submission=answer, by=other_mentor).state == "accepted"


def test_a_reassigned_mentor_can_no_longer_decide(enrollment, mentor, other_mentor, admin, day1):
    submission = submit_reflection(enrollment, day1)
    mentor_assign(enrollment=enrollment, mentor=other_mentor, by=admin)
    with pytest.raises(PermissionDenied):
        submission_accept(submission=submission, by=mentor)
    submission_accept(submission=submission, by=other_mentor)


def test_accepting_the_last_waiting_submission_makes_a_completed_item_done(
    enrollment, mentor, day1
):
    from onboarding.services.journey import block_check_toggle
    from tests.onboarding.test_journey_services import keys

    for key in keys(day1, "action_item"):
        block_check_toggle(
            enrollment=enrollment, by=enrollment.hire, item=day1, block_key=key, checked=True
        )
    submission = submit_reflection(enrollment, day1)
    progress = item_complete(enrollment=enrollment, by=enrollment.hire, item=day1)
    assert progress.state == ProgressState.WAITING_REVIEW
    submission_accept(submission=submission, by=mentor)
    assert ItemProgress.objects.get(pk=progress.pk).state == ProgressState.DONE


def test_answers_are_reviewed_like_reflections(enrollment, mentor, day3):
    answer = submit_answer(enrollment, day3, "First try")
    submission_request_changes(submission=answer, by=mentor, comment="Think about locks.")
    again = submit_answer(enrollment, day3, "Second try")
    assert again.round == 2
    submission_accept(submission=again, by=mentor)
    assert list(SubmissionRound.objects.values_list("body", flat=True).order_by("round")) == [
        "First try",
        "Second try",
    ]


def test_comment_thread_both_ways_and_sanitised(enrollment, mentor, other_hire, day1):
    submission = submit_reflection(enrollment, day1)
    mine = review_comment_add(
        submission=submission,
        by=mentor,
        body="<script>alert(1)</script>\n\n**Nice** [x](javascript:alert(1))",
    )
    assert "<script>" not in mine.body_html and "<strong>Nice</strong>" in mine.body_html
    assert 'href="javascript' not in mine.body_html  # left as inert text
    reply = review_comment_add(submission=submission, by=enrollment.hire, body="Thanks!")
    assert reply.round == 1
    with pytest.raises(PermissionDenied):
        review_comment_add(submission=submission, by=other_hire, body="Hi")
    assert OutboundEmail.objects.filter(dedupe_key=f"review-comment:{mine.pk}").exists()


def test_a_draft_has_no_comment_thread(enrollment, mentor, day1):
    keys = prompt_keys(day1)
    draft = reflection_save_draft(
        enrollment=enrollment, by=enrollment.hire, item=day1, answers={keys[0]: "x"}
    )
    with pytest.raises(ValidationError, match="draft"):
        review_comment_add(submission=draft, by=mentor, body="Early")


def _decide(decide, submission, by):
    if decide == "accept":
        return submission_accept(submission=submission, by=by)
    return submission_request_changes(submission=submission, by=by, comment="Change it.")
