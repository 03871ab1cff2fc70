"""Reads about programs and their content, scoped to what the viewer may see.

Program admins (and superusers) see every version, drafts included; everybody else sees only
published versions. Lists prefetch what they show, so query counts do not grow with rows.
"""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from accounts.models import User

from .models import Asset, Block, Chapter, Item, Program, ProgramVersion, VersionState


def can_see_drafts(user: User | AnonymousUser) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.is_program_admin))


def programs_visible_to(*, user: User | AnonymousUser) -> QuerySet[Program]:
    if can_see_drafts(user):
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
    if can_see_drafts(user):
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
    if not can_see_drafts(user):
        if not user.is_authenticated:
            raise Http404("No such file.")
        assets = assets.filter(version__state=VersionState.PUBLISHED)
    asset = assets.filter(pk=asset_id).first()
    if asset is None:
        raise Http404("No such file.")
    return asset
