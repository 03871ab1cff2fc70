"""The hire's journey pages. Thin: a selector reads (scoped to the viewer), a service writes.

Journey interactions answer htmx requests with the changed fragment and plain form posts with a
redirect back to the block, so every page works without JavaScript. A refused post does the same
(post/redirect/get): htmx gets the fragment with the message next to the control (422, swapped in
place by static/js/app.js); a plain post is redirected to the item page, which shows the form
once more with what was typed and the message (`views.refused`), so a refresh never re-submits.
"""

import contextlib
import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect, HttpResponseClientRefresh

from curriculum.models import Item

from ..audit import audit_read
from ..forms import AnswerForm, BlockKeyForm, MeetingRequestForm, RateForm, ReflectionForm
from ..links import path_maker
from ..models import Enrollment
from ..selectors import journey as selectors
from ..services import journey as services
from .refused import refused_redirect, refused_take


def _item_url(enrollment: Enrollment, item_id: int, anchor: str = "") -> str:
    url = reverse("journey:item", kwargs={"enrollment_id": enrollment.pk, "item_id": item_id})
    return f"{url}#{anchor}" if anchor else url


# The item's form targets, named as their routes. One path_maker each, so an item page of
# twenty blocks formats them once rather than reversing a URL per block.
_ITEM_FORMS = ("block_check", "resource_read", "answer_save", "meeting_request")


def _item_links(enrollment: Enrollment, item: Item) -> dict[str, str]:
    return {
        name: path_maker(f"journey:{name}", "enrollment_id", "item_id")(enrollment.pk, item.pk)
        for name in _ITEM_FORMS
    }


def _messages_of(error: ValidationError) -> str:
    return " ".join(error.messages)


class _RefusalForm(forms.Form):
    """No fields: carries why a button without inputs ("Complete") was refused."""


# Refused forms are kept for the item page's next GET, one per form of an item: an answer's and
# a meeting request's block key is a field of the form, so one key per item covers every block.
def _refused_key(name: str, enrollment: Enrollment, item_id: int) -> str:
    return f"journey-{name}:{enrollment.pk}:{item_id}"


def _refused(
    request: HttpRequest,
    form: forms.Form,
    *,
    name: str,
    enrollment: Enrollment,
    item_id: int,
    anchor: str,
) -> HttpResponse:
    """Back to the item page at the control, the form kept for its next GET."""
    return refused_redirect(
        request,
        form,
        key=_refused_key(name, enrollment, item_id),
        to=_item_url(enrollment, item_id),
        anchor=f"#{anchor}" if anchor else "",
    )


def _block_anchor(item: Item, key: str) -> str:
    block = selectors.item_block(item=item, key=key)
    return f"block-{block.position}" if block is not None else ""


def _done(request: HttpRequest, url: str) -> HttpResponse:
    """After a write that changes the whole page (a reflection, completing): htmx reloads it.
    A reload, not a redirect: URL is this page at an anchor, and a browser told to go to its
    own page's anchor only scrolls."""
    return HttpResponseClientRefresh() if request.htmx else redirect(url)


def _moved_on(request: HttpRequest, url: str) -> HttpResponse:
    """After a write that leads to another page (rating: the next item, or home)."""
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _render_item(
    request: HttpRequest,
    page: selectors.ItemPage,
    *,
    answer_forms: dict[str, AnswerForm] | None = None,
    reflection_form: ReflectionForm | None = None,
    rate_form: RateForm | None = None,
    meeting_forms: dict[str, MeetingRequestForm] | None = None,
    complete_form: forms.Form | None = None,
    status: int = 200,
) -> HttpResponse:
    answer_forms = answer_forms or {}
    meeting_forms = meeting_forms or {}
    for view in page.blocks:  # a refused answer's form takes its block's field ids
        form = answer_forms.get(view.block.key)
        if form is not None:
            form.auto_id = f"id_answer_{view.block.position}_%s"
    for view in page.blocks:
        if view.block.kind == "question" and view.block.key not in answer_forms:
            body = view.submission.body if view.submission else ""
            answer_forms[view.block.key] = AnswerForm(
                initial={"block_key": view.block.key, "body": body},
                auto_id=f"id_answer_{view.block.position}_%s",
            )
    if reflection_form is None and page.prompts:
        reflection = page.reflection
        reflection_form = ReflectionForm(
            prompts=page.prompts,
            initial=ReflectionForm.initial_from(
                reflection.answers if reflection else {},
                reflection.body if reflection else "",
                page.prompts,
            ),
        )
    for view in page.blocks:
        view.answer_form = answer_forms.get(view.block.key)
        view.meeting_form = meeting_forms.get(view.block.key)
    context = {
        "page": page,
        "enrollment": page.enrollment,
        "item": page.item,
        "links": _item_links(page.enrollment, page.item),
        "reflection_form": reflection_form,
        "rate_form": rate_form or RateForm(initial=_rate_initial(page)),
        "complete_form": complete_form,
        "blockers": [] if page.completed else page.blockers,
    }
    return render(request, "onboarding/item.html", context, status=status)


def _render_fragment(
    request: HttpRequest, template: str, page: selectors.ItemPage, **forms_
) -> HttpResponse:
    """One refused card of the item page (the reflection, "Complete"), for htmx to swap."""
    context = {
        "page": page,
        "enrollment": page.enrollment,
        "item": page.item,
        "rate_form": forms_.pop("rate_form", None) or RateForm(initial=_rate_initial(page)),
        "blockers": [] if page.completed else page.blockers,
        **forms_,
    }
    return render(request, template, context, status=422)


def _rate_initial(page: selectors.ItemPage) -> dict:
    if page.progress is None or page.progress.rating is None:
        return {}
    return {"rating": page.progress.rating, "comment": page.progress.rating_comment}


@login_required
@require_GET
def item_detail(request: HttpRequest, enrollment_id: int, item_id: int) -> HttpResponse:
    """One item of the hire's program: every block in authored order, with their writing."""
    enrollment = selectors.enrollment_for_user(user=request.user, enrollment_id=enrollment_id)
    page = selectors.item_page(enrollment=enrollment, item_id=item_id)
    audit_read(request, subject=enrollment.hire_id, obj=page.item, object_type="item page")
    # A form refused by the last post comes back once, as typed, with its message.
    kept = {
        name: refused_take(request, key=_refused_key(name, enrollment, item_id), build=build)
        for name, build in (
            ("answer", AnswerForm),
            ("meeting", MeetingRequestForm),
            ("reflection", lambda data: ReflectionForm(data, prompts=page.prompts)),
            ("complete", _RefusalForm),
            ("rate", RateForm),
        )
    }
    answer, meeting = kept["answer"], kept["meeting"]
    return _render_item(
        request,
        page,
        answer_forms={answer.data.get("block_key", ""): answer} if answer else None,
        meeting_forms={meeting.data.get("block_key", ""): meeting} if meeting else None,
        reflection_form=kept["reflection"],
        complete_form=kept["complete"],
        rate_form=kept["rate"],
    )


def _block_fragment(
    request: HttpRequest, enrollment: Enrollment, item: Item, block_key: str, **extra
) -> HttpResponse:
    view = selectors.block_view(enrollment=enrollment, item=item, block_key=block_key)
    form = extra.pop("answer_form", None)
    if view.block.kind == "question" and form is None:
        form = AnswerForm(
            initial={
                "block_key": block_key,
                "body": view.submission.body if view.submission else "",
            },
            auto_id=f"id_answer_{view.block.position}_%s",
        )
    view.answer_form = form
    view.meeting_form = extra.pop("meeting_form", None)
    context = {
        "view": view,
        "enrollment": enrollment,
        "item": item,
        "links": _item_links(enrollment, item),
        **extra,
    }
    return render(request, "onboarding/_block.html", context)


def _complete_card_oob(request: HttpRequest, enrollment: Enrollment, item: Item) -> bytes:
    """The item page's "Complete" card as it stands now, marked for htmx to swap by its id."""
    page = selectors.item_page(enrollment=enrollment, item_id=item.pk)
    context = {
        "page": page,
        "enrollment": enrollment,
        "item": item,
        "rate_form": RateForm(initial=_rate_initial(page)),
        "blockers": [] if page.completed else page.blockers,
        "oob": True,
    }
    return render_to_string("onboarding/_complete.html", context, request=request).encode()


def _block_refused(
    request: HttpRequest, enrollment: Enrollment, item: Item, key: str, error: ValidationError
) -> HttpResponse:
    """A tick or a "read" the service refused (a paused enrollment, a block that can't be
    ticked): the block again with the message in it (htmx, in place), or back to it on the page
    with the message (a plain post). A key naming no such block is bad input: a 400."""
    if getattr(error, "code", None) in ("wrong_block", "wrong_item"):
        return HttpResponse(_messages_of(error), status=400)
    if request.htmx:
        response = _block_fragment(request, enrollment, item, key, block_error=_messages_of(error))
        response.status_code = 422
        return response
    messages.error(request, _messages_of(error))
    return redirect(_item_url(enrollment, item.pk, _block_anchor(item, key)))


def _block_done(
    request: HttpRequest, enrollment: Enrollment, item: Item, key: str, message: str = ""
) -> HttpResponse:
    """After a block changed: htmx gets the block back, and the "Complete" card with it (out of
    band: a tick changes what the card still asks for); a plain post returns to the block."""
    if request.htmx:
        response = _block_fragment(request, enrollment, item, key)
        response.content += _complete_card_oob(request, enrollment, item)
        return response
    if message:
        messages.success(request, message)
    view = selectors.block_view(enrollment=enrollment, item=item, block_key=key)
    return redirect(_item_url(enrollment, item.pk, f"block-{view.block.position}"))


@login_required
@require_POST
def block_check(request: HttpRequest, enrollment_id: int, item_id: int) -> HttpResponse:
    """Tick or untick a goal, action item or checklist item (htmx swaps the block)."""
    enrollment = selectors.enrollment_for_user(user=request.user, enrollment_id=enrollment_id)
    item = selectors.item_for_enrollment(enrollment=enrollment, item_id=item_id)
    form = BlockKeyForm(request.POST)
    if not form.is_valid():
        return HttpResponse("That check could not be read.", status=400)
    key = form.cleaned_data["block_key"]
    try:
        services.block_check_toggle(
            enrollment=enrollment,
            by=request.user,
            item=item,
            block_key=key,
            checked=form.cleaned_data["checked"],
        )
    except ValidationError as error:
        return _block_refused(request, enrollment, item, key, error)
    return _block_done(request, enrollment, item, key)


@login_required
@require_POST
def resource_read(request: HttpRequest, enrollment_id: int, item_id: int) -> HttpResponse:
    """Mark a recommended resource read (htmx swaps the block)."""
    enrollment = selectors.enrollment_for_user(user=request.user, enrollment_id=enrollment_id)
    item = selectors.item_for_enrollment(enrollment=enrollment, item_id=item_id)
    form = BlockKeyForm(request.POST)
    if not form.is_valid():
        return HttpResponse("That resource could not be read.", status=400)
    key = form.cleaned_data["block_key"]
    try:
        services.resource_mark_read(
            enrollment=enrollment, by=request.user, item=item, block_key=key
        )
    except ValidationError as error:
        return _block_refused(request, enrollment, item, key, error)
    return _block_done(request, enrollment, item, key)


@login_required
@require_POST
def answer_save(request: HttpRequest, enrollment_id: int, item_id: int) -> HttpResponse:
    """Save an answer as a draft (also while typing, "autosave") or submit it."""
    enrollment = selectors.enrollment_for_user(user=request.user, enrollment_id=enrollment_id)
    item = selectors.item_for_enrollment(enrollment=enrollment, item_id=item_id)
    form = AnswerForm(request.POST)
    key = request.POST.get("block_key", "")[:255]
    if form.is_valid():
        write = (
            services.answer_submit
            if form.cleaned_data["action"] == "submit"
            else services.answer_save_draft
        )
        try:
            write(
                enrollment=enrollment,
                by=request.user,
                item=item,
                block_key=form.cleaned_data["block_key"],
                body=form.cleaned_data["body"],
            )
        except ValidationError as error:
            form.add_error("body", error)
    autosave = request.POST.get("action") == "autosave"
    if form.is_valid():
        if autosave:
            return HttpResponse("Draft saved.")
        submitted = form.cleaned_data["action"] == "submit"
        message = "Answer sent to your mentor." if submitted else "Draft saved."
        return _block_done(request, enrollment, item, key, message)
    if autosave:
        # htmx swaps only 2xx answers by default; the message replaces the "saved" status.
        return HttpResponse(" ".join(m for errors in form.errors.values() for m in errors))
    if request.htmx:
        response = _block_fragment(request, enrollment, item, key, answer_form=form)
        response.status_code = 422
        return response
    return _refused(
        request,
        form,
        name="answer",
        enrollment=enrollment,
        item_id=item_id,
        anchor=_block_anchor(item, key),
    )


@login_required
@require_POST
def reflection_save(request: HttpRequest, enrollment_id: int, item_id: int) -> HttpResponse:
    """Save the wrap-up reflection as a draft, or submit it to the mentor."""
    enrollment = selectors.enrollment_for_user(user=request.user, enrollment_id=enrollment_id)
    item = selectors.item_for_enrollment(enrollment=enrollment, item_id=item_id)
    form = ReflectionForm(request.POST, prompts=selectors.reflection_prompts(item=item))
    if form.is_valid():
        write = (
            services.reflection_submit
            if form.cleaned_data["action"] == "submit"
            else services.reflection_save_draft
        )
        try:
            write(
                enrollment=enrollment,
                by=request.user,
                item=item,
                answers=form.answers_by_key(),
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            submitted = form.cleaned_data["action"] == "submit"
            messages.success(
                request, "Reflection sent to your mentor." if submitted else "Draft saved."
            )
            return _done(request, _item_url(enrollment, item_id, "reflection"))
    if request.htmx:
        page = selectors.item_page(enrollment=enrollment, item_id=item_id)
        return _render_fragment(request, "onboarding/_reflection.html", page, reflection_form=form)
    return _refused(
        request,
        form,
        name="reflection",
        enrollment=enrollment,
        item_id=item_id,
        anchor="reflection",
    )


@login_required
@require_POST
def item_complete(request: HttpRequest, enrollment_id: int, item_id: int) -> HttpResponse:
    """Complete the item (refused, in words, until it is ready), then rate it."""
    enrollment = selectors.enrollment_for_user(user=request.user, enrollment_id=enrollment_id)
    item = selectors.item_for_enrollment(enrollment=enrollment, item_id=item_id)
    try:
        services.item_complete(enrollment=enrollment, by=request.user, item=item)
    except ValidationError as error:
        form = _RefusalForm({})
        form.add_error(None, _messages_of(error))
        if request.htmx:
            page = selectors.item_page(enrollment=enrollment, item_id=item_id)
            return _render_fragment(request, "onboarding/_complete.html", page, complete_form=form)
        return _refused(
            request,
            form,
            name="complete",
            enrollment=enrollment,
            item_id=item_id,
            anchor="complete",
        )
    messages.success(request, "Completed. How was it?")
    return _done(request, _item_url(enrollment, item_id, "complete"))


@login_required
@require_POST
def item_rate(request: HttpRequest, enrollment_id: int, item_id: int) -> HttpResponse:
    """Rate a completed item 1 to 5, then go on to the next item (or home after the last)."""
    enrollment = selectors.enrollment_for_user(user=request.user, enrollment_id=enrollment_id)
    page = selectors.item_page(enrollment=enrollment, item_id=item_id)
    form = RateForm(request.POST)
    if form.is_valid():
        try:
            services.item_rate(
                enrollment=enrollment,
                by=request.user,
                item=page.item,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Thanks for rating it.")
            if page.next_item_id is None:
                return _moved_on(request, reverse("home"))
            return _moved_on(request, _item_url(enrollment, page.next_item_id))
    if request.htmx:
        return _render_fragment(request, "onboarding/_complete.html", page, rate_form=form)
    return _refused(
        request, form, name="rate", enrollment=enrollment, item_id=item_id, anchor="complete"
    )


@login_required
@require_GET
def resource_open(
    request: HttpRequest, enrollment_id: int, item_id: int, block_key: str
) -> HttpResponse:
    """Open a recommended resource: count it as read, then redirect to its link.

    The target is only ever the URL stored on that resource block (never one from the request),
    so this is no open redirect. A GET that writes, on purpose: it is what a link does, and the
    one thing it can record is that the hire opened their own resource. Others who may see the
    enrollment (a mentor, later) are redirected without recording anything.
    """
    enrollment = selectors.enrollment_for_user(user=request.user, enrollment_id=enrollment_id)
    item = selectors.item_for_enrollment(enrollment=enrollment, item_id=item_id)
    target = selectors.resource_target(item=item, block_key=block_key)
    if enrollment.hire_id == request.user.pk:
        # A paused enrollment refuses the write: the hire may still read, it just isn't recorded.
        with contextlib.suppress(ValidationError):
            services.resource_mark_read(
                enrollment=enrollment, by=request.user, item=item, block_key=block_key
            )
    response = HttpResponseRedirect(target)
    response["Referrer-Policy"] = "no-referrer"  # the enrollment id stays ours
    return response


@login_required
@require_POST
def meeting_request(request: HttpRequest, enrollment_id: int, item_id: int) -> HttpResponse:
    """Ask the mentor to arrange the meeting a block calls for (htmx swaps the block)."""
    enrollment = selectors.enrollment_for_user(user=request.user, enrollment_id=enrollment_id)
    item = selectors.item_for_enrollment(enrollment=enrollment, item_id=item_id)
    form = MeetingRequestForm(request.POST)
    key = request.POST.get("block_key", "")[:255]
    if form.is_valid():
        try:
            services.meeting_request_create(
                enrollment=enrollment,
                by=request.user,
                item=item,
                block_key=form.cleaned_data["block_key"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_error("note" if error.code == "control_characters" else None, error)
    if form.is_valid():
        message = "Meeting requested. Your mentor will arrange it."
        return _block_done(request, enrollment, item, key, message)
    if "block_key" in form.errors or form.non_field_errors():
        return HttpResponse(" ".join(m for e in form.errors.values() for m in e), status=400)
    if request.htmx:  # the block comes back with the message in it (422, swapped in place)
        response = _block_fragment(request, enrollment, item, key, meeting_form=form)
        response.status_code = 422
        return response
    return _refused(
        request,
        form,
        name="meeting",
        enrollment=enrollment,
        item_id=item_id,
        anchor=_block_anchor(item, key),
    )


def _export_name(enrollment: Enrollment, extension: str) -> str:
    hire = slugify(enrollment.hire.name) or "hire"
    program = slugify(enrollment.version.program.title)[:40] or "program"
    return f"{hire}-{program}-onboarding.{extension}"


@login_required
@require_GET
def export_json(request: HttpRequest, enrollment_id: int) -> HttpResponse:
    """Everything the hire wrote in this enrollment, machine-readable (JSON)."""
    enrollment = selectors.enrollment_for_user(user=request.user, enrollment_id=enrollment_id)
    audit_read(request, subject=enrollment.hire_id, obj=enrollment, object_type="export.json")
    data = selectors.enrollment_export(enrollment=enrollment)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{_export_name(enrollment, "json")}"'
    return response


@login_required
@require_GET
def export_markdown(request: HttpRequest, enrollment_id: int) -> HttpResponse:
    """Everything the hire wrote in this enrollment, readable (Markdown)."""
    enrollment = selectors.enrollment_for_user(user=request.user, enrollment_id=enrollment_id)
    audit_read(request, subject=enrollment.hire_id, obj=enrollment, object_type="export.md")
    text = selectors.enrollment_export_markdown(selectors.enrollment_export(enrollment=enrollment))
    response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_export_name(enrollment, "md")}"'
    return response
