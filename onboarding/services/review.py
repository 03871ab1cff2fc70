"""Reviewing a hire's reflections and answers: comment, request changes, accept.

The state machine of a `Submission` (the hire's side lives in `services.journey`):

    draft --hire submits--> submitted --mentor: request changes--> changes_requested
                              |  ^                                         |
                              |  +-------- hire resubmits (round + 1) -----+
                              +--mentor: accept--> accepted (final)

Only `submitted` can be decided; anything else is refused with a ValidationError that says why.
Each decision keeps the round it decided as a `SubmissionRound`, so every round stays readable.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.links import absolute_url
from accounts.models import User

from ..models import (
    ItemProgress,
    ProgressState,
    ReviewComment,
    ReviewOutcome,
    Submission,
    SubmissionRound,
    SubmissionState,
)
from ..permissions import user_may_mentor
from .mail import email_queue
from .mentoring import markdown_clean, mentor_acts
from .notifications import submission_reviewed_notify

_NOT_DECIDABLE = {
    SubmissionState.DRAFT: "is still a draft: the hire has not submitted it",
    SubmissionState.CHANGES_REQUESTED: (
        "already has changes requested; it can be decided again once the hire resubmits"
    ),
    SubmissionState.ACCEPTED: "was already accepted",
}


def _what(submission: Submission) -> str:
    return "reflection" if submission.kind == "reflection" else "answer"


def _decidable_locked(*, submission: Submission, by: User) -> Submission:
    mentor_acts(enrollment=submission.enrollment, by=by)
    locked = Submission.objects.select_for_update().get(pk=submission.pk)
    if locked.state != SubmissionState.SUBMITTED:
        reason = _NOT_DECIDABLE.get(SubmissionState(locked.state), "can't be decided now")
        raise ValidationError(f"This {_what(locked)} {reason}.", code="illegal_transition")
    return locked


def _decide(
    *, submission: Submission, by: User, outcome: ReviewOutcome, comment: str
) -> Submission:
    text_html = markdown_clean(comment, label="Your comment") if comment.strip() else None
    with transaction.atomic():
        locked = _decidable_locked(submission=submission, by=by)
        now = timezone.now()
        SubmissionRound.objects.create(
            submission=locked,
            round=locked.round,
            body=locked.body,
            answers=locked.answers,
            submitted_at=locked.submitted_at,
            outcome=outcome,
            reviewed_by=by,
            reviewed_at=now,
        )
        if text_html is not None:
            ReviewComment.objects.create(
                submission=locked,
                author=by,
                body=text_html[0],
                body_html=text_html[1],
                round=locked.round,
                created_at=now,
            )
        locked.state = SubmissionState(outcome.value)
        locked.updated_at = now
        locked.save(update_fields=["state", "updated_at"])
        if outcome == ReviewOutcome.ACCEPTED:
            _progress_done_when_nothing_waits(locked)
        # In-app and/or email as the hire prefers, once per round and outcome.
        submission_reviewed_notify(
            submission=locked,
            by=by,
            changes_requested=outcome == ReviewOutcome.CHANGES_REQUESTED,
            comment=text_html[0] if text_html else "",
        )
    return locked


def _progress_done_when_nothing_waits(submission: Submission) -> None:
    """A completed item waits for review until none of its submissions is left submitted."""
    still_waiting = Submission.objects.filter(
        enrollment_id=submission.enrollment_id,
        item_id=submission.item_id,
        state=SubmissionState.SUBMITTED,
    ).exists()
    if not still_waiting:
        ItemProgress.objects.filter(
            enrollment_id=submission.enrollment_id,
            item_id=submission.item_id,
            state=ProgressState.WAITING_REVIEW,
        ).update(state=ProgressState.DONE)


def submission_request_changes(*, submission: Submission, by: User, comment: str) -> Submission:
    """Send a submitted reflection or answer back to the hire, saying what to change.

    Only a submitted one, only by the hire's mentor or a program admin, and the comment is
    required (the hire must know what to change). The hire can then edit and resubmit, which
    starts the next round.
    """
    if not comment.strip():
        raise ValidationError("Say what the hire should change.", code="comment_required")
    return _decide(
        submission=submission, by=by, outcome=ReviewOutcome.CHANGES_REQUESTED, comment=comment
    )


def submission_accept(*, submission: Submission, by: User, comment: str = "") -> Submission:
    """Accept a submitted reflection or answer; it can no longer change (final).

    Only a submitted one, only by the hire's mentor or a program admin. When nothing else of
    the item waits on review, a completed item becomes done.
    """
    return _decide(submission=submission, by=by, outcome=ReviewOutcome.ACCEPTED, comment=comment)


def review_comment_add(*, submission: Submission, by: User, body: str) -> ReviewComment:
    """Add a comment to a submission's review thread (Markdown, sanitised).

    The hire's mentor, a program admin, or the hire themself may comment, on anything but a
    draft (a draft has not reached the mentor). The other side is told by email.
    """
    is_hire = submission.enrollment.hire_id == by.pk
    if not is_hire and not user_may_mentor(user=by, enrollment=submission.enrollment):
        raise PermissionDenied("Only the hire, their mentor or a program admin can comment.")
    text, html = markdown_clean(body, label="Your comment")
    with transaction.atomic():
        locked = Submission.objects.select_for_update().get(pk=submission.pk)
        if locked.state == SubmissionState.DRAFT:
            raise ValidationError(
                f"This {_what(locked)} is a draft; comments start once it is submitted.",
                code="draft",
            )
        comment = ReviewComment.objects.create(
            submission=locked, author=by, body=text, body_html=html, round=locked.round
        )
        enrollment = submission.enrollment
        if is_hire:
            recipient = enrollment.mentor
            path = reverse("desk:review", kwargs={"submission_id": locked.pk})
        else:
            recipient = enrollment.hire
            path = reverse(
                "journey:item",
                kwargs={"enrollment_id": enrollment.pk, "item_id": locked.item_id},
            )
        if recipient is not None and recipient.pk != by.pk:
            email_queue(
                to=recipient.email,
                subject=f"{by.name} commented on the {_what(locked)} for {locked.item}",
                body_text=f"{text}\n\nReply: {absolute_url(path)}\n",
                dedupe_key=f"review-comment:{comment.pk}",
            )
    return comment
