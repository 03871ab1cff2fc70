"""A hire's questions to their mentor, their threads, and the item FAQ good answers go into.

States of a `Question`: `open` (waits on the mentor) -> `answered` (the mentor wrote; a reply
from the hire opens it again) -> `resolved` (closed by anyone in the thread; a new message
reopens it). FAQ entries are promoted by the hire's mentor or a program admin, removed only by
a program admin, and shown to every hire of the item in that program.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.links import absolute_url
from accounts.models import User
from accounts.permissions import is_program_admin
from curriculum.models import Block, Item

from ..models import (
    Enrollment,
    EnrollmentState,
    FaqEntry,
    Question,
    QuestionMessage,
    QuestionState,
)
from ..selectors.desk import faq_anchor
from .mail import email_queue
from .mentoring import markdown_clean, mentor_acts
from .notifications import emails_wanted, question_answered_notify, question_asked_notify

QUESTION_MAX_CHARS = 5_000


def _thread_url(question: Question) -> str:
    return absolute_url(reverse("desk:question", kwargs={"question_id": question.pk}))


def question_ask(
    *, enrollment: Enrollment, by: User, item: Item, body: str, block_key: str = ""
) -> Question:
    """The hire asks their mentor about ITEM (and one of its blocks, when asked from one).

    Only the enrollment's own hire, while it is active, about an item of its version and a
    block of that item. The mentor hears of it through the channels they chose (an in-app note
    opening the thread, and an email after commit).
    """
    if enrollment.hire_id != by.pk:
        raise PermissionDenied("Only the hire can ask in their own name.")
    if enrollment.state != EnrollmentState.ACTIVE:
        raise ValidationError("This enrollment is not active.", code="inactive")
    if item.version_id != enrollment.version_id:
        raise ValidationError("That item is not part of this program.", code="wrong_item")
    if block_key and not Block.objects.filter(item=item, key=block_key).exists():
        raise ValidationError("That part of the page can't be asked about.", code="wrong_block")
    text, html = markdown_clean(body, label="Your question", max_chars=QUESTION_MAX_CHARS)
    with transaction.atomic():
        question = Question.objects.create(
            enrollment=enrollment,
            item=item,
            block_key=block_key,
            asked_by=by,
            body=text,
            body_html=html,
        )
        if enrollment.mentor is not None:
            question_asked_notify(question=question)  # in-app, as the mentor chose
            if emails_wanted(enrollment.mentor, "question_asked"):
                email_queue(
                    to=enrollment.mentor.email,
                    subject=f"{by.name} asked a question about {item}",
                    body_text=f"{text}\n\nAnswer it: {_thread_url(question)}\n",
                    dedupe_key=f"question-asked:{question.pk}",
                )
    return question


def _message_add(
    *, question: Question, by: User, body: str, state: QuestionState
) -> QuestionMessage:
    text, html = markdown_clean(body, label="Your message")
    with transaction.atomic():
        locked = Question.objects.select_for_update().get(pk=question.pk)
        message = QuestionMessage.objects.create(
            question=locked, author=by, body=text, body_html=html
        )
        locked.state = state
        locked.updated_at = message.created_at
        locked.resolved_at = None
        locked.save(update_fields=["state", "updated_at", "resolved_at"])
        enrollment = question.enrollment
        if state == QuestionState.ANSWERED:
            if enrollment.hire_id != by.pk:
                # In-app and/or email as the hire prefers.
                question_answered_notify(message=message)
        elif enrollment.mentor is not None and enrollment.mentor_id != by.pk:
            email_queue(
                to=enrollment.mentor.email,
                subject=f"{by.name} replied to the question about {question.item}",
                body_text=f"{text}\n\nThe thread: {_thread_url(question)}\n",
                dedupe_key=f"question-message:{message.pk}",
            )
    return message


def question_answer(*, question: Question, by: User, body: str) -> QuestionMessage:
    """The mentor (or a program admin) answers in the thread; the question is then `answered`."""
    mentor_acts(enrollment=question.enrollment, by=by)
    return _message_add(question=question, by=by, body=body, state=QuestionState.ANSWERED)


def question_reply(*, question: Question, by: User, body: str) -> QuestionMessage:
    """The hire who asked writes again in the thread; it is `open` (waiting on the mentor) again."""
    if question.enrollment.hire_id != by.pk:
        raise PermissionDenied("Only the hire who asked can reply as the hire.")
    return _message_add(question=question, by=by, body=body, state=QuestionState.OPEN)


def question_resolve(*, question: Question, by: User) -> Question:
    """Close the question: the hire who asked, their mentor or a program admin. Idempotent."""
    if question.enrollment.hire_id != by.pk:
        mentor_acts(enrollment=question.enrollment, by=by)
    with transaction.atomic():
        locked = Question.objects.select_for_update().get(pk=question.pk)
        if locked.state != QuestionState.RESOLVED:
            locked.state = QuestionState.RESOLVED
            locked.resolved_at = locked.updated_at = timezone.now()
            locked.save(update_fields=["state", "resolved_at", "updated_at"])
    return locked


def faq_promote(*, question: Question, by: User, question_text: str, answer: str) -> FaqEntry:
    """Put a question and its answer into the item's FAQ (both as given: they may be edited,
    for instance to drop the hire's name).

    By the asking hire's mentor or a program admin. One live entry per question: promoting it
    again is refused until a program admin removes the first. Every hire of the item in this
    program sees the entry, on this version and later ones (anchored by the item's source path).
    """
    mentor_acts(enrollment=question.enrollment, by=by)
    q_text, q_html = markdown_clean(
        question_text, label="The question", max_chars=QUESTION_MAX_CHARS
    )
    a_text, a_html = markdown_clean(answer, label="The answer")
    with transaction.atomic():
        Question.objects.select_for_update().get(pk=question.pk)
        if FaqEntry.objects.filter(question=question, removed_at__isnull=True).exists():
            raise ValidationError("This question is already in the FAQ.", code="duplicate")
        item = question.item
        return FaqEntry.objects.create(
            program_id=question.enrollment.program_id,
            item_source_path=faq_anchor(item),
            item=item,
            question=question,
            question_text=q_text,
            question_html=q_html,
            answer=a_text,
            answer_html=a_html,
            promoted_by=by,
        )


def faq_remove(*, entry: FaqEntry, by: User) -> FaqEntry:
    """Take an entry out of the FAQ (program admins only). The row stays, marked removed."""
    if not is_program_admin(by):
        raise PermissionDenied("Only a program admin can remove an FAQ entry.")
    with transaction.atomic():
        locked = FaqEntry.objects.select_for_update().get(pk=entry.pk)
        if locked.removed_at is None:
            locked.removed_at = timezone.now()
            locked.removed_by = by
            locked.save(update_fields=["removed_at", "removed_by"])
    return locked
