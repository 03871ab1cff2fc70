"""Authoring pages for program admins: item editor with live preview, structure editor, history,
"preview as a hire". Thin: selectors fetch (404 for everyone but program admins), services in
`curriculum.authoring` write, and their AuthoringError becomes a message on the page (4xx)."""

import difflib
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from accounts.permissions import is_program_admin
from onboarding.edge import parse_id
from onboarding.views.refused import refused_redirect, refused_take

from . import authoring, selectors
from .authoring import AuthoringError, EditConflict
from .forms import ItemMarkdownForm, StructureForm
from .markdown.structure import CHECKABLE_KINDS, ItemKind
from .models import Item, ProgramVersion, VersionState


def _program_admin(request: HttpRequest) -> None:
    if not is_program_admin(request.user):
        raise Http404("No such page.")


def _user(request: HttpRequest) -> User:
    # Every view here is behind login_required and _program_admin: never anonymous.
    return cast(User, request.user)


@login_required
@require_POST
def program_draft(request: HttpRequest, program_id: int) -> HttpResponse:
    """Open the program's draft (copying the published version if there is none) for editing.

    With `item`, go straight to that item's copy in the draft.
    """
    _program_admin(request)
    program = selectors.program_for_admin(user=request.user, program_id=program_id)
    try:
        draft = authoring.draft_for_program(program=program, user=_user(request))
    except AuthoringError as refused:
        messages.error(request, refused.message)
        return redirect("curriculum:program_list")
    item_id = parse_id(request.POST.get("item"))
    if item_id is not None:
        item = selectors.item_for_admin(user=request.user, item_id=item_id)
        copy = selectors.item_in_version(version=draft, item=item)
        if copy is not None:
            return redirect("curriculum:item_edit", item_id=copy.pk)
    return redirect("curriculum:version_structure", version_id=draft.pk)


# --- the item editor ---------------------------------------------------------------------------


def _editor_context(item: Item, form: ItemMarkdownForm, text: str) -> dict:
    return {
        "item": item,
        "version": item.version,
        "form": form,
        "preview": authoring.item_markdown_preview(item=item, markdown=text),
        "editable": item.version.state == VersionState.DRAFT and item.kind != ItemKind.EXTERNAL,
    }


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, item_id: int) -> HttpResponse:
    """The Markdown of one item, a live preview beside it, and Save (into the draft).

    Without JavaScript the "Preview" button posts here and the page comes back with the
    preview of the posted text; with htmx the preview follows the typing.
    """
    _program_admin(request)
    item = selectors.item_for_admin(user=request.user, item_id=item_id)
    key = f"item-edit:{item.pk}"
    if request.method == "GET":
        return _editor_page(request, item, key)
    form = ItemMarkdownForm(request.POST)
    text = request.POST.get("markdown", "")
    if form.is_valid() and request.POST.get("action") != "save":
        # "Preview" without JavaScript: nothing is written, so this page at the POST's URL is
        # harmless to refresh (it previews the same text again).
        return render(request, "curriculum/item_edit.html", _editor_context(item, form, text))
    if form.is_valid():
        try:
            authoring.item_update_markdown(
                item=item,
                markdown=form.cleaned_data["markdown"],
                base_hash=form.cleaned_data["base_hash"],
                user=_user(request),
            )
        except EditConflict as conflict:
            # Their text stays in the box; the other save is shown beside it (the page reads
            # it fresh). Saving again is a decision made with both in view.
            form.add_error(None, conflict.message)
            request.session[key + ":conflict"] = True
        except AuthoringError as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, "Saved into the draft.")
            return redirect("curriculum:item_edit", item_id=item.pk)
    # Back to the editor by GET (post/redirect/get) with the typed Markdown and the message.
    return refused_redirect(
        request, form, key=key, to=reverse("curriculum:item_edit", args=[item.pk]), anchor="#editor"
    )


def _editor_page(request: HttpRequest, item: Item, key: str) -> HttpResponse:
    conflict = request.session.pop(key + ":conflict", False)
    item_hash = item.text_hash

    def build(data):
        if conflict:
            # After a conflict the form carries the current hash: saving again overwrites.
            data = data.copy()
            data["base_hash"] = item_hash
        return ItemMarkdownForm(data)

    form = refused_take(request, key=key, build=build)
    if form is None:
        form = ItemMarkdownForm(initial={"markdown": item.markdown, "base_hash": item.text_hash})
        return render(
            request, "curriculum/item_edit.html", _editor_context(item, form, item.markdown)
        )
    text = form.data.get("markdown", "")
    context = _editor_context(item, form, text)
    if conflict:
        context["conflict_text"] = item.markdown
    return render(request, "curriculum/item_edit.html", context)


@login_required
@require_POST
def item_edit_preview(request: HttpRequest, item_id: int) -> HttpResponse:
    """The preview fragment for the editor (htmx): parsed blocks, rendered, and warnings."""
    _program_admin(request)
    item = selectors.item_for_admin(user=request.user, item_id=item_id)
    form = ItemMarkdownForm(request.POST)
    text = request.POST.get("markdown", "")
    preview = authoring.item_markdown_preview(item=item, markdown=text)
    if not form.is_valid() and "markdown" in form.errors:
        preview.error = " ".join(str(e) for e in form.errors["markdown"])
    return render(request, "curriculum/includes/item_preview.html", {"preview": preview})


# --- history -----------------------------------------------------------------------------------


def _diff(before: str, after: str) -> str:
    lines = difflib.unified_diff(
        before.split("\n"), after.split("\n"), "before", "after", lineterm="", n=1
    )
    return "\n".join(list(lines)[2:])


@login_required
@require_http_methods(["GET", "POST"])
def item_history(request: HttpRequest, item_id: int) -> HttpResponse:
    """Who changed this item, when and how; restore an older text into the draft (POST)."""
    _program_admin(request)
    item = selectors.item_for_admin(user=request.user, item_id=item_id)
    if request.method == "POST":
        revision_id = parse_id(request.POST.get("revision"))
        if revision_id is None:
            raise Http404("No such revision.")
        revision = selectors.revision_for_item(item=item, revision_id=revision_id)
        try:
            authoring.item_restore(
                item=item,
                revision=revision,
                base_hash=request.POST.get("base_hash", ""),
                user=_user(request),
                which="before" if request.POST.get("which") == "before" else "after",
            )
        except AuthoringError as refused:
            # Back to the history by GET (post/redirect/get) at the revision, the message once.
            messages.error(request, refused.message)
            return redirect(
                reverse("curriculum:item_history", args=[item.pk]) + f"#revision-{revision.pk}"
            )
        messages.success(request, "Restored into the draft.")
        return redirect("curriculum:item_edit", item_id=item.pk)
    revisions = [
        (revision, _diff(revision.markdown_before, revision.markdown_after))
        for revision in selectors.item_revisions(item=item)
    ]
    return render(
        request,
        "curriculum/item_history.html",
        {
            "item": item,
            "version": item.version,
            "revisions": revisions,
            "editable": item.version.state == VersionState.DRAFT,
        },
    )


# --- preview as a hire -------------------------------------------------------------------------


@login_required
@require_GET
def item_hire_preview(request: HttpRequest, item_id: int) -> HttpResponse:
    """ITEM as a hire's day page shows it, every control inert: nothing can be checked or sent."""
    _program_admin(request)
    item = selectors.item_for_admin(user=request.user, item_id=item_id)
    blocks = list(item.blocks.all())
    prompts = [block for block in blocks if block.kind == "reflection_prompt"]
    return render(
        request,
        "curriculum/item_hire_preview.html",
        {
            "item": item,
            "blocks": blocks,
            "prompts": prompts,
            "first_prompt": prompts[0] if prompts else None,
            "checkable_kinds": [str(kind) for kind in CHECKABLE_KINDS],
        },
    )


# --- the structure editor ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def version_structure(request: HttpRequest, version_id: int) -> HttpResponse:
    """Chapters and items of a version: add, remove, rename, move, change kind (drafts only)."""
    _program_admin(request)
    version = selectors.version_for_user(user=request.user, version_id=version_id)
    if request.method == "POST":
        # Every outcome goes back to this page by GET (post/redirect/get), at the chapter.
        form = StructureForm(request.POST)
        chapter_id = None
        if form.is_valid():
            chapter_id = form.cleaned_data.get("chapter")
            try:
                done = _structure_action(request, version, form.cleaned_data)
            except AuthoringError as refused:
                messages.error(request, refused.message)
            else:
                messages.success(request, done)
        else:
            for field, errors in form.errors.items():
                messages.error(request, f"{field}: {' '.join(str(e) for e in errors)}")
        anchor = f"#chapter-{chapter_id}" if chapter_id else ""
        return redirect(reverse("curriculum:version_structure", args=[version.pk]) + anchor)
    return render(
        request,
        "curriculum/version_structure.html",
        {
            "version": version,
            "chapters": selectors.version_chapters(version=version),
            "editable": version.state == VersionState.DRAFT,
            "kind_choices": StructureForm.base_fields["kind"].choices,  # type: ignore[attr-defined]
        },
    )


def _structure_action(request: HttpRequest, version: ProgramVersion, data: dict) -> str:
    """Call the service an action names; return the message to show."""
    user = _user(request)
    action = data["action"]
    chapter = (
        selectors.chapter_for_admin(user=user, version=version, chapter_id=data["chapter"])
        if data.get("chapter")
        else None
    )
    item = (
        selectors.version_item(version=version, item_id=data["item"]) if data.get("item") else None
    )
    title, direction = data.get("title", ""), data.get("direction", "up")
    if action == "chapter_add":
        added = authoring.chapter_add(version=version, title=title, user=user)
        return f"Added chapter {added.number:02d}."
    if action == "item_add":
        if chapter is None:
            raise AuthoringError("Choose a chapter.")
        new = authoring.item_add(
            chapter=chapter, kind=data["kind"], title=title, url=data.get("url", ""), user=user
        )
        return f"Added {new.title}" + (f" as {new.source_path}." if new.source_path else ".")
    if action.startswith("chapter_"):
        if chapter is None:
            raise AuthoringError("Choose a chapter.")
        if action == "chapter_rename":
            authoring.chapter_rename(chapter=chapter, title=title, user=user)
            return "Chapter renamed."
        if action == "chapter_move":
            authoring.chapter_move(chapter=chapter, direction=direction, user=user)
            return f"Chapter moved {direction}."
        authoring.chapter_remove(chapter=chapter, user=user)
        return "Chapter removed."
    if item is None:
        raise AuthoringError("Choose an item.")
    if action == "item_rename":
        authoring.item_rename(item=item, title=title, user=user)
        return "Item renamed."
    if action == "item_kind":
        changed = authoring.item_change_kind(item=item, kind=data["kind"], user=user)
        kind = changed.get_kind_display().lower()
        return f"{changed.title} is now a {kind} ({changed.source_path})."
    if action == "item_move":
        authoring.item_move(item=item, direction=direction, user=user)
        return f"Item moved {direction}."
    authoring.item_remove(item=item, user=user)
    return f"Removed {item.title}; its text stays in its history."
