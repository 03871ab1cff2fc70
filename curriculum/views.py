"""Curriculum pages. Thin: objects come from permission-scoped selectors only."""

import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import is_program_admin
from onboarding.views.refused import refused_redirect, refused_take

from . import exporter, selectors, services
from .forms import ImportForm
from .importer.errors import ImportRefused
from .selectors import asset_for_user


@require_GET
@login_required
def asset_file(request: HttpRequest, asset_id: int, name: str) -> HttpResponse:
    """An imported image or file. Versions never change, so the browser may keep it."""
    asset = asset_for_user(user=request.user, asset_id=asset_id)
    response = HttpResponse(bytes(asset.content), content_type=asset.content_type)
    response["Cache-Control"] = "private, max-age=86400, immutable"
    response["X-Content-Type-Options"] = "nosniff"
    # An SVG opened on its own could run script: sandbox it, whatever it holds. It is a document
    # then, so no other site may frame it either (the site-wide policy is replaced here).
    response["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; sandbox; frame-ancestors 'none'"
    )
    return response


# --- Program admin pages: import, preview, publish, browse -------------------------------------


def _program_admin(request: HttpRequest) -> None:
    if not is_program_admin(request.user):
        raise Http404("No such page.")


@login_required
@require_http_methods(["GET", "POST"])
def program_list(request: HttpRequest) -> HttpResponse:
    """Every program with its published and latest versions, and the import form."""
    _program_admin(request)
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            if form.cleaned_data.get("git_url"):
                return _queue_git_import(request, form)
            result = _import_upload(form, imported_by=request.user)
            if result.status == "no_changes":
                messages.info(
                    request, "No changes: this content is identical to the latest version."
                )
                return redirect("curriculum:version_detail", version_id=result.version.pk)
            if result.status != "refused":
                messages.success(request, f"Imported as draft version {result.version.number}.")
                return redirect("curriculum:version_detail", version_id=result.version.pk)
            for problem in result.parsed.errors:
                form.add_error(None, _problem_text(problem))
        return _import_refused(request, form)
    # Checked again without the upload (a browser never refills a file input), the form would
    # only say "choose a file": it shows the problems of the refusal instead.
    form = refused_take(request, key=_IMPORT_KEY, build=ImportForm, revalidate=False)
    programs = selectors.programs_with_versions(user=request.user)
    return render(
        request,
        "curriculum/program_list.html",
        {"form": form or ImportForm(), "programs": programs},
    )


_IMPORT_KEY = "curriculum-import"


def _import_refused(request: HttpRequest, form: ImportForm) -> HttpResponse:
    """Back to the programs page at the import form (post/redirect/get), the problems once."""
    return refused_redirect(
        request,
        form,
        key=_IMPORT_KEY,
        to=reverse("curriculum:program_list"),
        anchor="#import-heading",
    )


def _queue_git_import(request: HttpRequest, form: ImportForm) -> HttpResponse:
    """Cloning can take a while: a worker runs it, and the browser watches its status page."""
    data = form.cleaned_data
    try:
        import_request = services.import_request_create(
            requested_by=request.user,
            git_url=data["git_url"],
            ref=data.get("ref", ""),
            program_slug=data.get("program_slug", ""),
        )
    except ImportRefused as refused:
        form.add_error("git_url", refused.problem.message)
        return _import_refused(request, form)
    return redirect("curriculum:import_request_detail", import_request_id=import_request.pk)


def _import_upload(form: ImportForm, *, imported_by) -> services.ImportResult:
    data = form.cleaned_data
    slug = data.get("program_slug") or None
    upload = data["upload"]
    suffix = ".zip" if upload.name.lower().endswith(".zip") else ".md"
    with tempfile.TemporaryDirectory() as folder:
        # Keep the uploaded name (minus any path) so a lone .md file names its program.
        safe_name = Path(upload.name).name or f"upload{suffix}"
        path = Path(folder) / safe_name
        with path.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        return services.program_import(source=path, program_slug=slug, imported_by=imported_by)


def _problem_text(problem) -> str:
    where = ":".join(str(part) for part in (problem.source, problem.line) if part)
    return f"{where}: {problem.message}" if where else problem.message


@login_required
@require_GET
def version_detail(request: HttpRequest, version_id: int) -> HttpResponse:
    """A version's structure, warnings and change summary: what an admin checks before publishing."""
    _program_admin(request)
    version = selectors.version_for_user(user=request.user, version_id=version_id)
    chapters = selectors.version_chapters_with_counts(version=version)
    return render(
        request, "curriculum/version_detail.html", {"version": version, "chapters": chapters}
    )


@login_required
@require_POST
def version_publish(request: HttpRequest, version_id: int) -> HttpResponse:
    _program_admin(request)
    version = selectors.version_for_user(user=request.user, version_id=version_id)
    services.version_publish(version=version, published_by=request.user)
    messages.success(request, f"Version {version.number} is now the one new hires start on.")
    return redirect("curriculum:version_detail", version_id=version.pk)


@login_required
@require_GET
def version_export(request: HttpRequest, version_id: int) -> HttpResponse:
    """The version as an authoring-style Markdown folder (zip); importing it gives no changes."""
    _program_admin(request)
    version = selectors.version_for_user(user=request.user, version_id=version_id)
    response = HttpResponse(
        exporter.version_export_zip(version=version), content_type="application/zip"
    )
    name = exporter.export_file_name(version=version)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
def item_detail(request: HttpRequest, item_id: int) -> HttpResponse:
    """An item rendered exactly as hires see it (blocks in authored order, cached HTML).

    Links between items point here (rendered once, at import). A hire enrolled on the item's
    version is sent to their own journey page of it instead, with their controls; whoever may
    author stays on this reader."""
    can_author = is_program_admin(request.user)
    if not can_author:
        from onboarding.selectors.journey import own_journey_item_url

        own = own_journey_item_url(user=request.user, item_id=item_id)
        if own is not None:
            return redirect(own)
    item = selectors.item_for_user(user=request.user, item_id=item_id)
    blocks = list(item.blocks.all())
    # The authored title line ("# Day 03 - ... :elephant:") is the page's heading, not a repeat.
    title_block = blocks[0] if blocks and blocks[0].data.get("role") == "title" else None
    return render(
        request,
        "curriculum/item_detail.html",
        {
            "item": item,
            "title_block": title_block,
            "blocks": blocks[1:] if title_block else blocks,
            "can_author": can_author,  # the version page is the authors'; others go home
        },
    )


@login_required
@require_GET
def import_request_detail(request: HttpRequest, import_request_id: int) -> HttpResponse:
    """Where a git import stands; the page refreshes itself until the worker is done."""
    _program_admin(request)
    import_request = selectors.import_request_for_user(
        user=request.user, import_request_id=import_request_id
    )
    if import_request.finished and import_request.version_id:
        if import_request.state == "no_changes":
            messages.info(request, "No changes: the repository matches the latest version.")
        else:
            messages.success(request, "Imported from git as a new draft version.")
        return redirect("curriculum:version_detail", version_id=import_request.version_id)
    return render(
        request, "curriculum/import_request_detail.html", {"import_request": import_request}
    )
