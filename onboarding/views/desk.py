"""The mentor's desk: dashboard, review queue and page, question inbox and threads, mentee page.

Thin: a selector from `selectors.desk` reads (scoped to the viewer, 404 otherwise), a form
checks shape, a service writes. Posts answer htmx with the changed fragment and plain form
posts with a redirect, so every page works without JavaScript. Mounted at /desk/.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from accounts.permissions import is_program_admin

from ..audit import audit_read
from ..edge import parse_id
from ..forms import (
    DeskFilterForm,
    FaqPromoteForm,
    MarkdownMessageForm,
    MentorAssignForm,
    QuestionAskForm,
    ReviewDecisionForm,
)
from ..permissions import user_may_mentor
from ..selectors import desk as selectors
from ..selectors import journey as journey_selectors
from ..services import mentoring, questions, review
from .refused import refused_redirect, refused_take


def _messages_of(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- dashboard ------------------------------------------------------------------------------------


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """Every mentee at a glance, people who need the mentor first; filter by cohort and state."""
    cohort_id = parse_id(request.GET.get("cohort"))
    state = request.GET.get("state") or "active"
    board = selectors.desk_dashboard(user=request.user, cohort_id=cohort_id, state=state)
    form = DeskFilterForm(
        initial={"cohort": board.cohort_id, "state": board.state},
        cohorts=board.cohorts,
        states=board.states,
    )
    return render(request, "onboarding/desk/dashboard.html", {"board": board, "form": form})


# --- reviews ----------------------------------------------------------------------------------------


@login_required
@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    """Submitted reflections and answers, oldest first, with their age."""
    rows = selectors.review_queue(user=request.user)
    return render(request, "onboarding/desk/review_queue.html", {"rows": rows})


def _render_review(
    request: HttpRequest,
    submission,
    *,
    comment_form: MarkdownMessageForm | None = None,
    decision_form: ReviewDecisionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    page = selectors.review_page(submission=submission)
    context = {
        "page": page,
        "submission": submission,
        "enrollment": submission.enrollment,
        "comment_form": comment_form or MarkdownMessageForm(label="Add a comment"),
        "decision_form": decision_form or ReviewDecisionForm(),
    }
    return render(request, "onboarding/desk/review.html", context, status=status)


@login_required
@require_GET
def review_detail(request: HttpRequest, submission_id: int) -> HttpResponse:
    """Each prompt or question beside the hire's answer, every round, the comment thread."""
    submission = selectors.submission_for_reviewer(user=request.user, submission_id=submission_id)
    audit_read(request, subject=submission.enrollment.hire_id, obj=submission)
    return _render_review(
        request,
        submission,
        comment_form=refused_take(
            request, key=f"review-comment:{submission.pk}", build=_comment_form
        ),
        decision_form=refused_take(
            request, key=f"review-decision:{submission.pk}", build=ReviewDecisionForm
        ),
    )


def _comment_form(data=None) -> MarkdownMessageForm:
    return MarkdownMessageForm(data, label="Add a comment")


@login_required
@require_POST
def review_comment(request: HttpRequest, submission_id: int) -> HttpResponse:
    """Add a comment to the thread (htmx swaps the thread in place)."""
    submission = selectors.submission_for_reviewer(user=request.user, submission_id=submission_id)
    form = MarkdownMessageForm(request.POST, label="Add a comment")
    if form.is_valid():
        try:
            review.review_comment_add(
                submission=submission, by=request.user, body=form.cleaned_data["body"]
            )
        except ValidationError as error:
            form.add_error("body", error)
    if form.is_valid():
        if request.htmx:
            page = selectors.review_page(submission=submission)
            fresh = MarkdownMessageForm(label="Add a comment")
            context = {"page": page, "submission": submission, "comment_form": fresh}
            return render(request, "onboarding/desk/_review_thread.html", context)
        messages.success(request, "Comment added.")
        return redirect(reverse("desk:review", args=[submission.pk]) + "#thread")
    if request.htmx:  # refused: the thread again, in place, with the message and the text
        # (200: htmx swaps only a success, and a 4xx would be a console error in the browser)
        page = selectors.review_page(submission=submission)
        context = {"page": page, "submission": submission, "comment_form": form}
        return render(request, "onboarding/desk/_review_thread.html", context)
    return refused_redirect(
        request,
        form,
        key=f"review-comment:{submission.pk}",
        to=reverse("desk:review", args=[submission.pk]),
        anchor="#thread",
    )


def _decide(request: HttpRequest, submission_id: int, *, accept: bool) -> HttpResponse:
    submission = selectors.submission_for_reviewer(user=request.user, submission_id=submission_id)
    form = ReviewDecisionForm(request.POST)
    if form.is_valid():
        try:
            if accept:
                review.submission_accept(
                    submission=submission, by=request.user, comment=form.cleaned_data["comment"]
                )
            else:
                review.submission_request_changes(
                    submission=submission, by=request.user, comment=form.cleaned_data["comment"]
                )
        except ValidationError as error:
            form.add_error("comment", error)
    if not form.is_valid():
        if request.htmx:  # refused: the decision again, in place, with the message and the text
            context = {
                "page": selectors.review_page(submission=submission),
                "submission": submission,
                "enrollment": submission.enrollment,
                "decision_form": form,
            }
            return render(request, "onboarding/desk/_review_decision.html", context)
        return refused_redirect(
            request,
            form,
            key=f"review-decision:{submission.pk}",
            to=reverse("desk:review", args=[submission.pk]),
            anchor="#decide",
        )
    who = submission.enrollment.hire.name
    messages.success(
        request, f"Accepted. {who} will see it." if accept else f"Sent back to {who} for changes."
    )
    if request.htmx:
        return HttpResponseClientRedirect(reverse("desk:review_queue"))
    return redirect("desk:review_queue")


@login_required
@require_POST
def review_request_changes(request: HttpRequest, submission_id: int) -> HttpResponse:
    """Send the submission back to the hire with a comment saying what to change."""
    return _decide(request, submission_id, accept=False)


@login_required
@require_POST
def review_accept(request: HttpRequest, submission_id: int) -> HttpResponse:
    """Accept the submission (final), with an optional comment."""
    return _decide(request, submission_id, accept=True)


# --- questions -------------------------------------------------------------------------------------


@login_required
@require_GET
def question_inbox(request: HttpRequest) -> HttpResponse:
    """Questions from mentees, anchored to the item and block they came from."""
    state = request.GET.get("state", "open")
    if state not in dict(selectors.INBOX_STATES):
        state = "open"
    rows = selectors.question_inbox(user=request.user, state=state)
    context = {"rows": rows, "state": state, "states": selectors.INBOX_STATES}
    return render(request, "onboarding/desk/question_inbox.html", context)


def _render_question(
    request: HttpRequest,
    question,
    *,
    message_form: MarkdownMessageForm | None = None,
    promote_form: FaqPromoteForm | None = None,
    status: int = 200,
) -> HttpResponse:
    page = selectors.question_page(question=question)
    is_hire = question.enrollment.hire_id == request.user.pk
    may_mentor = not is_hire and user_may_mentor(user=request.user, enrollment=question.enrollment)
    if promote_form is None and may_mentor:
        promote_form = FaqPromoteForm(
            initial={"question_text": question.body, "answer": page.suggested_answer}
        )
    context = {
        "page": page,
        "question": question,
        "enrollment": question.enrollment,
        "is_hire": is_hire,
        "may_mentor": may_mentor,
        "is_program_admin": is_program_admin(request.user),
        "message_form": message_form
        or MarkdownMessageForm(label="Your reply" if is_hire else "Your answer"),
        "promote_form": promote_form,
    }
    return render(request, "onboarding/desk/question.html", context, status=status)


@login_required
@require_GET
def question_detail(request: HttpRequest, question_id: int) -> HttpResponse:
    """The question and its thread: the hire who asked, their mentors and admins read it."""
    question = selectors.question_for_user(user=request.user, question_id=question_id)
    audit_read(request, subject=question.enrollment.hire_id, obj=question)
    label = _message_label(request, question)
    return _render_question(
        request,
        question,
        message_form=refused_take(
            request,
            key=f"question-message:{question.pk}",
            build=lambda data: MarkdownMessageForm(data, label=label),
        ),
        promote_form=refused_take(request, key=f"faq-promote:{question.pk}", build=FaqPromoteForm),
    )


def _message_label(request: HttpRequest, question) -> str:
    return "Your reply" if question.enrollment.hire_id == request.user.pk else "Your answer"


@login_required
@require_POST
def question_answer(request: HttpRequest, question_id: int) -> HttpResponse:
    """Write in the thread: the mentor's answer, or the hire's reply."""
    question = selectors.question_for_user(user=request.user, question_id=question_id)
    is_hire = question.enrollment.hire_id == request.user.pk
    form = MarkdownMessageForm(request.POST, label="Your reply" if is_hire else "Your answer")
    if form.is_valid():
        write = questions.question_reply if is_hire else questions.question_answer
        try:
            write(question=question, by=request.user, body=form.cleaned_data["body"])
        except ValidationError as error:
            form.add_error("body", error)
        else:
            messages.success(request, "Sent.")
            return redirect(reverse("desk:question", args=[question.pk]) + "#thread")
    return refused_redirect(
        request,
        form,
        key=f"question-message:{question.pk}",
        to=reverse("desk:question", args=[question.pk]),
        anchor="#thread",
    )


@login_required
@require_POST
def question_resolve(request: HttpRequest, question_id: int) -> HttpResponse:
    """Mark the question resolved (the hire who asked, their mentor, or an admin)."""
    question = selectors.question_for_user(user=request.user, question_id=question_id)
    questions.question_resolve(question=question, by=request.user)
    messages.success(request, "Marked resolved.")
    return redirect("desk:question", question_id=question.pk)


@login_required
@require_POST
def faq_promote(request: HttpRequest, question_id: int) -> HttpResponse:
    """Put the question and its answer into the item's FAQ, for every later hire of it."""
    question = selectors.question_for_mentor(user=request.user, question_id=question_id)
    form = FaqPromoteForm(request.POST)
    if form.is_valid():
        try:
            questions.faq_promote(
                question=question,
                by=request.user,
                question_text=form.cleaned_data["question_text"],
                answer=form.cleaned_data["answer"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Added to the item's FAQ. Every hire of this item sees it.")
            return redirect("desk:question", question_id=question.pk)
    return refused_redirect(
        request,
        form,
        key=f"faq-promote:{question.pk}",
        to=reverse("desk:question", args=[question.pk]),
        anchor="#promote",
    )


@login_required
@require_POST
def faq_remove(request: HttpRequest, entry_id: int) -> HttpResponse:
    """Take an entry out of the FAQ (program admins)."""
    entry = selectors.faq_entry_for_admin(user=request.user, entry_id=entry_id)
    questions.faq_remove(entry=entry, by=request.user)
    messages.success(request, "Removed from the FAQ.")
    if entry.question_id is not None:
        return redirect("desk:question", question_id=entry.question_id)
    return redirect("desk:dashboard")


@login_required
@require_POST
def question_ask(request: HttpRequest, enrollment_id: int, item_id: int) -> HttpResponse:
    """The hire asks their mentor about an item (from the item page), then goes back to it."""
    enrollment = journey_selectors.enrollment_for_user(
        user=request.user, enrollment_id=enrollment_id
    )
    item = journey_selectors.item_for_enrollment(enrollment=enrollment, item_id=item_id)
    form = QuestionAskForm(request.POST, blocks=selectors.item_askable_blocks(item=item))
    item_url = reverse("journey:item", kwargs={"enrollment_id": enrollment.pk, "item_id": item.pk})
    if form.is_valid():
        try:
            questions.question_ask(
                enrollment=enrollment,
                by=request.user,
                item=item,
                block_key=form.cleaned_data["block_key"],
                body=form.cleaned_data["body"],
            )
        except ValidationError as error:
            form.add_error("body", error)
        else:
            messages.success(request, "Question sent to your mentor.")
            return redirect(item_url + "#questions")
    errors = " ".join(m for errs in form.errors.values() for m in errs)
    messages.error(request, f"Your question was not sent: {errors}")
    return redirect(item_url + "#questions")


# --- mentee page, notes, mentor assignment ---------------------------------------------------------


@login_required
@require_GET
def mentee_detail(request: HttpRequest, enrollment_id: int) -> HttpResponse:
    """One mentee: timeline, ratings, submissions with review history, private notes."""
    enrollment = selectors.mentee_for_user(user=request.user, enrollment_id=enrollment_id)
    audit_read(request, subject=enrollment.hire_id, obj=enrollment, object_type="mentee page")
    note_form = refused_take(
        request,
        key=f"mentor-note:{enrollment.pk}",
        build=lambda data: MarkdownMessageForm(data, label="Private note"),
    )
    return _render_mentee(request, enrollment, note_form=note_form)


def _render_mentee(
    request: HttpRequest, enrollment, *, note_form: MarkdownMessageForm | None = None, status=200
) -> HttpResponse:
    page = selectors.mentee_page(enrollment=enrollment)
    context = {
        "page": page,
        "enrollment": enrollment,
        "note_form": note_form or MarkdownMessageForm(label="Private note"),
        "is_program_admin": is_program_admin(request.user),
    }
    return render(request, "onboarding/desk/mentee.html", context, status=status)


@login_required
@require_POST
def mentor_note_add(request: HttpRequest, enrollment_id: int) -> HttpResponse:
    """Add a private note on the mentee (never shown to the hire)."""
    enrollment = selectors.mentee_for_user(user=request.user, enrollment_id=enrollment_id)
    form = MarkdownMessageForm(request.POST, label="Private note")
    if form.is_valid():
        try:
            mentoring.mentor_note_add(
                enrollment=enrollment, by=request.user, body=form.cleaned_data["body"]
            )
        except ValidationError as error:
            form.add_error("body", error)
        else:
            messages.success(request, "Note saved. Only mentors and program admins see it.")
            return redirect(reverse("desk:mentee", args=[enrollment.pk]) + "#notes")
    return refused_redirect(
        request,
        form,
        key=f"mentor-note:{enrollment.pk}",
        to=reverse("desk:mentee", args=[enrollment.pk]),
        anchor="#notes",
    )


@login_required
@require_http_methods(["GET", "POST"])
def mentor_assign(request: HttpRequest, enrollment_id: int) -> HttpResponse:
    """Program admins assign or reassign the mentor, or add a co-mentor; history is kept."""
    enrollment = selectors.enrollment_for_program_admin(
        user=request.user, enrollment_id=enrollment_id
    )
    mentors = selectors.mentors_assignable(enrollment=enrollment)
    key = f"mentor-assign:{enrollment.pk}"
    if request.method == "POST":
        form = MentorAssignForm(request.POST, mentors=mentors)
        if form.is_valid():
            mentor = next(m for m in mentors if m.pk == form.cleaned_data["mentor"])
            try:
                mentoring.mentor_assign(
                    enrollment=enrollment,
                    mentor=mentor,
                    by=request.user,
                    role=form.cleaned_data["role"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"{mentor.name} is assigned.")
                return redirect("desk:mentee", enrollment_id=enrollment.pk)
        return refused_redirect(
            request,
            form,
            key=key,
            to=reverse("desk:mentor_assign", args=[enrollment.pk]),
            anchor="#assign-heading",
        )
    form = refused_take(
        request, key=key, build=lambda data: MentorAssignForm(data, mentors=mentors)
    ) or MentorAssignForm(mentors=mentors)
    page = selectors.mentee_page(enrollment=enrollment)
    return render(
        request,
        "onboarding/desk/mentor_assign.html",
        {"form": form, "enrollment": enrollment, "page": page},
    )


@login_required
@require_POST
def mentor_unassign(request: HttpRequest, enrollment_id: int) -> HttpResponse:
    """Program admins end one mentor's (or co-mentor's) assignment; history is kept."""
    enrollment = selectors.enrollment_for_program_admin(
        user=request.user, enrollment_id=enrollment_id
    )
    mentor_id = parse_id(request.POST.get("mentor"))
    mentor = next(
        (m for m in selectors.mentors_assignable(enrollment=enrollment) if m.pk == mentor_id), None
    )
    if mentor is None:
        # Back to the page the buttons are on (post/redirect/get), the message above them.
        messages.error(request, "Choose a mentor.")
        return redirect(reverse("desk:mentor_assign", args=[enrollment.pk]) + "#current-heading")
    mentoring.mentor_unassign(enrollment=enrollment, mentor=mentor, by=request.user)
    messages.success(request, f"{mentor.name} no longer mentors {enrollment.hire.name}.")
    return redirect("desk:mentor_assign", enrollment_id=enrollment.pk)
