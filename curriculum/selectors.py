"""Reads about programs and their content, scoped to what the viewer may see.

Program admins (and superusers) see every version, drafts included; everybody else sees only
published versions. Lists prefetch what they show, so query counts do not grow with rows.
"""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from accounts.models import User
from accounts.permissions import is_program_admin

from .markdown.structure import COUNTED_KINDS
from .models import (
    Asset,
    Block,
    Chapter,
    ImportRequest,
    Item,
    ItemRevision,
    Program,
    ProgramVersion,
    VersionState,
)
from .services import item_key


def programs_visible_to(*, user: User | AnonymousUser) -> QuerySet[Program]:
    if is_program_admin(user):
        return Program.objects.all()
    if not user.is_authenticated:
        return Program.objects.none()
    return Program.objects.filter(versions__state=VersionState.PUBLISHED).distinct()


def program_published_version(*, program: Program) -> ProgramVersion | None:
    """The version new enrollments start on, or None before the first publish."""
    return (
        ProgramVersion.objects.select_related("program")
        .filter(program=program, state=VersionState.PUBLISHED)
        .first()
    )


def program_latest_version(*, program: Program) -> ProgramVersion | None:
    return program.versions.order_by("-number").first()


def program_versions(*, program: Program) -> QuerySet[ProgramVersion]:
    return program.versions.select_related("created_by", "published_by").order_by("-number")


def _blocks_in_order() -> Prefetch:
    return Prefetch("blocks", queryset=Block.objects.order_by("position"))


def version_chapters(*, version: ProgramVersion) -> QuerySet[Chapter]:
    """Chapters in order with their items in order (no blocks): a table of contents."""
    items = Item.objects.order_by("position").defer("markdown")
    return (
        Chapter.objects.filter(version=version)
        .order_by("position")
        .prefetch_related(Prefetch("items", queryset=items))
    )


def version_items_with_blocks(*, version: ProgramVersion) -> QuerySet[Item]:
    """Every item of a version in reading order, blocks prefetched in order: 2 queries."""
    return (
        Item.objects.filter(version=version)
        .select_related("chapter")
        .order_by("chapter__position", "position")
        .prefetch_related(_blocks_in_order())
    )


def _items_visible_to(user: User | AnonymousUser) -> QuerySet[Item]:
    items = Item.objects.select_related("chapter", "version__program")
    if is_program_admin(user):
        return items
    if not user.is_authenticated:
        return items.none()
    # Hires enrolled on an older version will see it through their enrollment (onboarding app).
    return items.filter(version__state=VersionState.PUBLISHED)


def item_for_user(*, user: User | AnonymousUser, item_id: int) -> Item:
    """One item with its blocks in order; a missing id and a hidden one give the same 404."""
    item = _items_visible_to(user).prefetch_related(_blocks_in_order()).filter(pk=item_id).first()
    if item is None:
        raise Http404("No such item.")
    return item


def asset_for_user(*, user: User | AnonymousUser, asset_id: int) -> Asset:
    assets = Asset.objects.all()
    if not is_program_admin(user):
        if not user.is_authenticated:
            raise Http404("No such file.")
        assets = assets.filter(version__state=VersionState.PUBLISHED)
    asset = assets.filter(pk=asset_id).first()
    if asset is None:
        raise Http404("No such file.")
    return asset


def programs_with_versions(*, user: User | AnonymousUser) -> QuerySet[Program]:
    """Programs with all their versions (newest first) prefetched: 2 queries, whatever the count."""
    versions = ProgramVersion.objects.select_related("created_by").order_by("-number")
    return (
        programs_visible_to(user=user)
        .order_by("title")
        .prefetch_related(Prefetch("versions", queryset=versions))
    )


def version_for_user(*, user: User | AnonymousUser, version_id: int) -> ProgramVersion:
    """One version; drafts only for program admins. Missing and hidden ids give the same 404."""
    versions = ProgramVersion.objects.select_related("program", "created_by", "published_by")
    if not is_program_admin(user):
        versions = versions.filter(state=VersionState.PUBLISHED)
    version = versions.filter(pk=version_id).first()
    if version is None:
        raise Http404("No such version.")
    return version


def version_chapters_with_counts(*, version: ProgramVersion) -> QuerySet[Chapter]:
    """Chapters in order, items in order, each item annotated with its block counts by kind.

    Two queries whatever the size of the program: the counts are SQL aggregates.
    """
    counts = {
        f"count_{name}": Count("blocks", filter=Q(blocks__kind=kind))
        for name, kind in COUNTED_KINDS.items()
    }
    items = Item.objects.order_by("position").defer("markdown").annotate(**counts)
    return (
        Chapter.objects.filter(version=version)
        .order_by("position")
        .prefetch_related(Prefetch("items", queryset=items))
    )


def import_request_for_user(*, user: User | AnonymousUser, import_request_id: int) -> ImportRequest:
    """A git import request: program admins only; the same 404 for hidden and missing ids."""
    if not is_program_admin(user):
        raise Http404("No such import.")
    request = ImportRequest.objects.filter(pk=import_request_id).first()
    if request is None:
        raise Http404("No such import.")
    return request


# --- Authoring in the browser (program admins only) -------------------------------------------


def program_for_admin(*, user: User | AnonymousUser, program_id: int) -> Program:
    if not is_program_admin(user):
        raise Http404("No such program.")
    program = Program.objects.filter(pk=program_id).first()
    if program is None:
        raise Http404("No such program.")
    return program


def item_for_admin(*, user: User | AnonymousUser, item_id: int) -> Item:
    """An item of any version, for the editor: program admins only, the same 404 otherwise."""
    if not is_program_admin(user):
        raise Http404("No such item.")
    return item_for_user(user=user, item_id=item_id)


def chapter_for_admin(
    *, user: User | AnonymousUser, version: ProgramVersion, chapter_id
) -> Chapter:
    if not is_program_admin(user):
        raise Http404("No such chapter.")
    chapter = Chapter.objects.filter(version=version, pk=chapter_id).first()
    if chapter is None:
        raise Http404("No such chapter.")
    return chapter


def item_in_version(*, version: ProgramVersion, item: Item) -> Item | None:
    """The item of VERSION that is ITEM (same file; same link and title for external items)."""
    items = Item.objects.filter(version=version)
    if item.source_path:
        return items.filter(source_path=item.source_path).first()
    return items.filter(kind=item.kind, url=item.url, title=item.title).first()


def item_revisions(*, item: Item) -> QuerySet[ItemRevision]:
    """Every browser change to ITEM across the program's versions, newest first: 1 query."""
    return (
        ItemRevision.objects.filter(
            program_id=item.version.program_id,
            item_key=item_key(item.source_path, item.kind, item.url, item.title),
        )
        .select_related("created_by", "version")
        .order_by("-created_at", "-pk")
    )


def revision_for_item(*, item: Item, revision_id: int) -> ItemRevision:
    revision = item_revisions(item=item).filter(pk=revision_id).first()
    if revision is None:
        raise Http404("No such revision.")
    return revision


def version_item(*, version: ProgramVersion, item_id: int) -> Item:
    """An item of VERSION (the version already access-checked); another version's id: 404."""
    item = (
        Item.objects.select_related("chapter", "version__program")
        .filter(version=version, pk=item_id)
        .first()
    )
    if item is None:
        raise Http404("No such item.")
    return item
