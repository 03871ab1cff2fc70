"""Writes about curriculum: importing a program as a new version, publishing a version.

Invariants every function here keeps:
- A version's content (chapters, items, blocks, assets) is written in the transaction that creates
  the version. Published and archived versions never change; only a draft may be edited, and only
  through `curriculum.authoring` (browser edits), which keeps its hash and change summary current.
- Importing content identical to the program's latest version creates nothing.
- At most one version per program is published (also a partial unique constraint in the DB).
- A block's key is the parser's stable key: unchanged text keeps its key across versions, so
  progress recorded against a key survives a re-import.
"""

import datetime
import hashlib
import html
import json
import logging
import os
from dataclasses import dataclass
from typing import Literal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User

from .importer import DEFAULT_LIMITS, Limits, ParsedProgram, SourceTree, parse_program
from .importer.errors import ImportRefused
from .importer.identity import Matching, match_renamed
from .importer.links import NEUTRAL_URL, resolve_reference
from .importer.program import item_hash
from .importer.sources import check_git_host, check_git_ref, check_git_url
from .markdown.render import LinkResolver, render_block_markdown
from .markdown.structure import ItemKind, ParsedBlock, ParsedItem
from .models import (
    Asset,
    Block,
    Chapter,
    ImportRequest,
    ImportRequestState,
    Item,
    Program,
    ProgramVersion,
    VersionState,
)
from .paths import asset_url, item_url

logger = logging.getLogger(__name__)

ImportStatus = Literal["imported", "no_changes", "refused"]
_KEY_MAX = 255


@dataclass
class ImportResult:
    """What `program_import` did. `version` is the new draft, or the identical latest one."""

    parsed: ParsedProgram
    status: ImportStatus
    program: Program | None = None
    version: ProgramVersion | None = None

    @property
    def ok(self) -> bool:
        return self.status != "refused"

    @property
    def summary(self) -> dict:
        return self.version.change_summary if self.version and self.status == "imported" else {}


def program_import(
    *,
    source: str | os.PathLike[str] | SourceTree | ParsedProgram,
    program_slug: str | None = None,
    imported_by: User | None = None,
    publish: bool = False,
    ref: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> ImportResult:
    """Parse SOURCE and store it as a new draft version of its program.

    Nothing is written when the source is refused (errors) or identical to the latest version.
    Reading the source (a git clone, maybe) happens before the transaction, so no lock is held
    while waiting on the network. With `publish`, the version also becomes the current one.
    """
    parsed = source if isinstance(source, ParsedProgram) else None
    if parsed is None:
        parsed = parse_program(source, ref=ref, limits=limits)  # type: ignore[arg-type]
    if not parsed.ok:
        return ImportResult(parsed=parsed, status="refused")
    content_hash = parsed.content_hash()
    slug = program_slug or slugify(parsed.tree.name) or slugify(parsed.title) or "program"
    with transaction.atomic():
        program = _program_locked(slug=slug, parsed=parsed)
        latest = program.versions.order_by("-number").first()
        if latest is not None and latest.content_hash == content_hash:
            if publish and latest.state != VersionState.PUBLISHED:
                version_publish(version=latest, published_by=imported_by)
            return ImportResult(parsed=parsed, status="no_changes", program=program, version=latest)
        published = program.versions.filter(state=VersionState.PUBLISHED).first()
        version = ProgramVersion(
            program=program,
            number=(latest.number + 1) if latest else 1,
            title=parsed.title[:300],
            created_by=imported_by,
            source_kind=parsed.tree.kind,
            source_location=parsed.tree.location[:1000],
            source_ref=parsed.tree.ref,
            source_commit=parsed.tree.commit,
            content_hash=content_hash,
            change_summary=version_change_summary(previous=published, parsed=parsed),
            warnings=[warning.as_dict() for warning in parsed.warnings],
        )
        version.full_clean()
        version.save()
        _store_content(version=version, parsed=parsed)
        if publish:
            version_publish(version=version, published_by=imported_by)
    logger.info("curriculum import: program=%s version=%s", program.pk, version.pk)
    return ImportResult(parsed=parsed, status="imported", program=program, version=version)


def _program_locked(*, slug: str, parsed: ParsedProgram) -> Program:
    """The program row, locked so two imports of one program number their versions in turn."""
    program = Program.objects.select_for_update().filter(slug=slug).first()
    if program is None:
        program = Program(slug=slug, title=parsed.title[:300], source=parsed.tree.location[:1000])
        program.full_clean()
        program.save()
        return program
    if (program.title, program.source) != (parsed.title[:300], parsed.tree.location[:1000]):
        program.title = parsed.title[:300]
        program.source = parsed.tree.location[:1000]
        program.save(update_fields=["title", "source"])
    return program


def version_publish(*, version: ProgramVersion, published_by: User | None) -> ProgramVersion:
    """Make VERSION the program's current one; the previously published version is archived.

    Safe to call twice: publishing the published version changes nothing. An archived version
    may be published again (a rollback).
    """
    with transaction.atomic():
        Program.objects.select_for_update().filter(pk=version.program_id).first()
        version.refresh_from_db(fields=["state"])
        if version.state == VersionState.PUBLISHED:
            return version
        ProgramVersion.objects.filter(
            program_id=version.program_id, state=VersionState.PUBLISHED
        ).update(state=VersionState.ARCHIVED)
        version.state = VersionState.PUBLISHED
        version.published_at = timezone.now()
        version.published_by = published_by
        version.save(update_fields=["state", "published_at", "published_by"])
    return version


# --- storing a parsed program ------------------------------------------------------------------


def _store_content(*, version: ProgramVersion, parsed: ParsedProgram) -> None:
    """Chapters, items and assets first (their ids make link URLs), then blocks, rendered."""
    chapters: list[Chapter] = []
    items: list[tuple[Item, ParsedItem]] = []
    for chapter_position, parsed_chapter in enumerate(parsed.chapters):
        chapter = Chapter(
            version=version,
            position=chapter_position,
            number=parsed_chapter.number,
            title=parsed_chapter.title[:500],
        )
        chapters.append(chapter)
        for position, parsed_item in enumerate(parsed_chapter.items):
            items.append((_item_row(version, chapter, position, parsed_item, parsed), parsed_item))
    # bulk_create: rows are built from parsed data already validated by the importer, and a
    # full_clean per row would cost a query per unique constraint on a 3,000-block program.
    Chapter.objects.bulk_create(chapters)
    for item, _ in items:
        item.chapter_id = item.chapter.pk
    Item.objects.bulk_create([item for item, _ in items])
    assets = Asset.objects.bulk_create(
        [
            Asset(
                version=version,
                path=asset.path,
                content=asset.content,
                content_type=asset.content_type,
                size=len(asset.content),
                sha256=asset.sha256,
            )
            for asset in parsed.assets.values()
        ]
    )
    item_ids = {item.source_path: item.pk for item, _ in items if item.source_path}
    asset_ids = {asset.path: asset.pk for asset in assets}
    blocks: list[Block] = []
    for item, parsed_item in items:
        blocks.extend(_block_rows(item, parsed_item, parsed, item_ids, asset_ids))
    Block.objects.bulk_create(blocks, batch_size=1000)


def _item_row(
    version: ProgramVersion,
    chapter: Chapter,
    position: int,
    parsed_item: ParsedItem,
    parsed: ParsedProgram,
) -> Item:
    return Item(
        chapter=chapter,
        version=version,
        position=position,
        **item_fields(parsed_item, markdown=parsed.markdown.get(parsed_item.source, "")),
    )


def item_fields(parsed_item: ParsedItem, *, markdown: str) -> dict:
    """An Item's content columns from its parse: the one mapping imports and edits share."""
    return {
        "kind": str(parsed_item.kind),
        "number": parsed_item.number,
        "title": parsed_item.title,
        "raw_title": parsed_item.raw_title,
        "emoji": parsed_item.emoji[:32],
        "source_path": parsed_item.source[:1000],
        "url": parsed_item.url[:2000],
        "markdown": markdown,
        "content_hash": item_hash(parsed_item),
    }


def _block_rows(
    item: Item,
    parsed_item: ParsedItem,
    parsed: ParsedProgram,
    item_ids: dict[str, int],
    asset_ids: dict[str, int],
) -> list[Block]:
    # `parsed.resolve` looks paths up in the program's item sources and assets: exactly the keys
    # of item_ids and asset_ids, which is what link_resolver_for looks them up in.
    resolver = link_resolver_for(source=parsed_item.source, item_ids=item_ids, asset_ids=asset_ids)
    return block_rows(item=item, blocks=parsed_item.blocks, link_resolver=resolver)


def link_resolver_for(
    *, source: str, item_ids: dict[str, int], asset_ids: dict[str, int]
) -> LinkResolver:
    """How links written in the file SOURCE become app URLs (item pages, asset files).

    `item_ids` maps every item source path of the version to its Item id, `asset_ids` every
    asset path to its Asset id. Imports, browser edits and previews all resolve through this.
    """

    def link_resolver(url: str, is_image: bool) -> str | None:
        resolution = resolve_reference(url, from_source=source, items=item_ids, files=asset_ids)
        if resolution.kind == "item" and resolution.path in item_ids:
            return item_url(item_ids[resolution.path], resolution.fragment)
        if resolution.kind == "asset" and resolution.path in asset_ids:
            return asset_url(asset_ids[resolution.path], resolution.path)
        if resolution.kind == "blocked":
            return NEUTRAL_URL
        return None

    return link_resolver


def render_block_html(
    markdown: str, *, link_resolver: LinkResolver, source: str = "", line: int = 0
) -> str:
    """One block's sanitised HTML; a renderer bug shows escaped text rather than failing."""
    try:
        return render_block_markdown(markdown, link_resolver=link_resolver)
    except Exception:
        logger.exception("render failed: %s line %s", source, line)
        return f"<pre>{html.escape(markdown)}</pre>"


def block_rows(
    *, item: Item, blocks: list[ParsedBlock], link_resolver: LinkResolver
) -> list[Block]:
    """Unsaved Block rows for ITEM from its parsed blocks, rendered, keys made DB-safe."""
    # Blocks cut from a nested list keep their indentation; the block renderer dedents first.
    rows = []
    seen: set[str] = set()
    for position, block in enumerate(blocks):
        key = _unique_key(block.key, seen)
        seen.add(key)
        rows.append(
            Block(
                item=item,
                position=position,
                kind=str(block.kind),
                key=key,
                title=block.title,
                markdown=block.markdown,
                html=render_block_html(
                    block.markdown,
                    link_resolver=link_resolver,
                    source=item.source_path,
                    line=block.line,
                ),
                depth=max(0, block.depth),
                parent_key=(block.parent_key or "")[:_KEY_MAX],
                data=block.data,
                line=max(1, block.line),
                end_line=max(1, block.end_line),
            )
        )
    return rows


def _unique_key(key: str, seen: set[str]) -> str:
    """The parser promises unique keys of modest length; the database insists, so make sure."""
    if len(key) > _KEY_MAX:
        key = key[: _KEY_MAX - 17] + "-" + hashlib.sha256(key.encode()).hexdigest()[:16]
    candidate, ordinal = key, 1
    while candidate in seen:
        ordinal += 1
        candidate = f"{key[: _KEY_MAX - 8]}~{ordinal}"
    return candidate


# --- what changed -----------------------------------------------------------------------------


def item_key(source: str, kind: str, url: str, title: str) -> str:
    """Files are known by path; external items (no file) by their link and label."""
    if source:
        return source
    return f"{ItemKind.EXTERNAL}:{url}:{title}" if kind == ItemKind.EXTERNAL else f":{title}"


def block_signature(
    *, kind: str, title: str, markdown: str, depth: int, parent_key: str | None, data: dict
) -> str:
    """What "the same block" means when a key is found in both versions (the key aside)."""
    payload = [str(kind), title, markdown, depth, parent_key or "", data or {}]
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _parsed_signature(block: ParsedBlock) -> str:
    return block_signature(
        kind=block.kind,
        title=block.title,
        markdown=block.markdown,
        depth=block.depth,
        parent_key=block.parent_key,
        data=block.data,
    )


def version_change_summary(*, previous: ProgramVersion | None, parsed: ParsedProgram) -> dict:
    """Items and blocks added, removed, changed and renamed against PREVIOUS (the published one).

    Items are matched by path (external ones by link and label), blocks by stable key; what is
    left unmatched on both sides is paired by content similarity (`importer.identity`): a file
    moved or renamed with small edits is "renamed from ...", a lightly reworded block too.
    "changed" is a same-key block whose content differs. Two queries, whatever the size.
    """
    before_items: dict[str, tuple] = {}
    before_blocks: dict[str, dict[str, str]] = {}
    before_text: dict[str, str] = {}
    before_block_text: dict[str, dict[str, tuple[str, str]]] = {}
    if previous is not None:
        id_to_key: dict[int, str] = {}
        for pk, source, kind, url, title, number, text in Item.objects.filter(
            version=previous
        ).values_list("pk", "source_path", "kind", "url", "title", "number", "markdown"):
            key = item_key(source, kind, url, title)
            id_to_key[pk] = key
            before_items[key] = (kind, title, number)
            before_blocks[key] = {}
            before_block_text[key] = {}
            if source:
                before_text[key] = text
        for item_id, key, kind, title, markdown, depth, parent_key, data in (
            Block.objects.filter(item__version=previous)
            .order_by("item_id", "position")
            .values_list(
                "item_id", "key", "kind", "title", "markdown", "depth", "parent_key", "data"
            )
        ):
            before_blocks[id_to_key[item_id]][key] = block_signature(
                kind=kind,
                title=title,
                markdown=markdown,
                depth=depth,
                parent_key=parent_key,
                data=data,
            )
            before_block_text[id_to_key[item_id]][key] = (kind, markdown)
    return _compare(previous, before_items, before_blocks, parsed, before_text, before_block_text)


def match_blocks(before: dict[str, tuple[str, str]], after: dict[str, tuple[str, str]]) -> Matching:
    """Blocks of one item (key -> (kind, markdown)) whose key changed with a light edit."""
    kinds = {key: kind for key, (kind, _) in [*before.items(), *after.items()]}
    return match_renamed(
        {key: text for key, (_, text) in before.items()},
        {key: text for key, (_, text) in after.items()},
        by="words",
        group=kinds,
    )


def _compare(
    previous: ProgramVersion | None,
    before_items: dict[str, tuple],
    before_blocks: dict[str, dict[str, str]],
    parsed: ParsedProgram,
    before_text: dict[str, str] | None = None,
    before_block_text: dict[str, dict[str, tuple[str, str]]] | None = None,
) -> dict:
    added: list[str] = []
    removed: list[str] = []
    changed: list[str] = []
    renamed: list[dict] = []
    unchanged = 0
    blocks = {"added": 0, "removed": 0, "changed": 0, "renamed": 0, "unchanged": 0}
    changes: dict[str, dict] = {}
    after_keys = set()
    keyed = [
        (item_key(item.source, item.kind, item.url, item.title), item) for item in parsed.items
    ]
    items_renamed = match_renamed(
        before_text or {},
        {key: parsed.markdown.get(item.source, "") for key, item in keyed if item.source},
    )
    renamed_from = {new: old for old, new in items_renamed.renamed.items()}
    for key, parsed_item in keyed:
        after_keys.add(key)
        after = {block.key: _parsed_signature(block) for block in parsed_item.blocks}
        old_key = key if key in before_items else renamed_from.get(key)
        if old_key is None:
            added.append(key)
            blocks["added"] += len(after)
            continue
        old = before_blocks.get(old_key, {})
        moved = match_blocks(
            (before_block_text or {}).get(old_key, {}),
            {block.key: (str(block.kind), block.markdown) for block in parsed_item.blocks},
        )
        renamed_to = set(moved.renamed.values())
        diff: dict = {
            "added": [k for k in after if k not in old and k not in renamed_to],
            "removed": [k for k in old if k not in after and k not in moved.renamed],
            "changed": [k for k in after if k in old and old[k] != after[k]],
        }
        if moved.renamed:
            diff["renamed"] = moved.renamed
        if moved.ambiguous:
            diff["ambiguous"] = moved.ambiguous
        for name in ("added", "removed", "changed"):
            blocks[name] += len(diff[name])
        blocks["renamed"] += len(moved.renamed)
        blocks["unchanged"] += sum(1 for k in after if k in old and old[k] == after[k])
        if old_key != key:
            renamed.append(
                {"from": old_key, "to": key, "similarity": items_renamed.similarity[old_key]}
            )
            changes[key] = {"renamed_from": old_key, **diff}
            continue
        meta_changed = before_items[key] != (
            str(parsed_item.kind),
            parsed_item.title,
            parsed_item.number,
        )
        order_changed = [k for k in old if k in after] != [k for k in after if k in old]
        if meta_changed or order_changed or any(diff.values()):
            changed.append(key)
            changes[key] = diff
        else:
            unchanged += 1
    for key, old in before_blocks.items():
        if key not in after_keys and key not in items_renamed.renamed:
            removed.append(key)
            blocks["removed"] += len(old)
    return {
        "compared_with": previous.number if previous else None,
        "items": {
            "added": added,
            "removed": removed,
            "changed": changed,
            "renamed": renamed,
            "ambiguous": items_renamed.ambiguous,
            "unchanged": unchanged,
        },
        "blocks": blocks,
        "changes": changes,
    }


@dataclass
class VersionIdentity:
    """Which item of a newer version each old item is, and the block keys that changed with it."""

    items: dict[int, int]  # old Item id -> new Item id
    block_keys: dict[int, dict[str, str]]  # old Item id -> {old block key: new block key}
    left: list[str]  # keys of old items the new version no longer has


def version_identity(*, old: ProgramVersion, new: ProgramVersion) -> VersionIdentity:
    """Items matched by path (or link), then by content similarity; blocks within each matched
    item by key, then by similarity. Four queries, whatever the size of the program."""

    def read(version: ProgramVersion):
        rows = Item.objects.filter(version=version).values_list(
            "pk", "source_path", "kind", "url", "title", "markdown"
        )
        keyed = {
            item_key(src, kind, url, title): (pk, src, text)
            for pk, src, kind, url, title, text in rows
        }
        texts: dict[int, dict[str, tuple[str, str]]] = {}
        for item_id, key, kind, markdown in Block.objects.filter(item__version=version).values_list(
            "item_id", "key", "kind", "markdown"
        ):
            texts.setdefault(item_id, {})[key] = (kind, markdown)
        return keyed, texts

    (old_items, old_blocks), (new_items, new_blocks) = read(old), read(new)
    matching = match_renamed(
        {key: text for key, (_, src, text) in old_items.items() if src},
        {key: text for key, (_, src, text) in new_items.items() if src},
    )
    items: dict[int, int] = {}
    block_keys: dict[int, dict[str, str]] = {}
    left: list[str] = []
    for key, (old_id, _, _) in old_items.items():
        new_key = key if key in new_items else matching.renamed.get(key)
        if new_key is None:
            left.append(key)
            continue
        new_id = new_items[new_key][0]
        items[old_id] = new_id
        moved = match_blocks(old_blocks.get(old_id, {}), new_blocks.get(new_id, {}))
        if moved.renamed:
            block_keys[old_id] = moved.renamed
    return VersionIdentity(items=items, block_keys=block_keys, left=sorted(left))


# --- Imports from git, run in the background ------------------------------------------------

STALE_RUNNING = datetime.timedelta(minutes=15)  # longer than any clone + import may take


def import_request_create(
    *, requested_by: User | None, git_url: str, ref: str = "", program_slug: str = ""
) -> ImportRequest:
    """Record a git import and hand it to a worker after commit (the clone can take a while).

    The URL and ref are checked here, so a request that could never run is refused at once.
    """
    from onboarding.services import enqueue_on_commit

    from .tasks import import_request_run_task

    check_git_url(git_url)
    _check_web_git_host(git_url)
    if git_url.lower().startswith("file:") and not settings.CURRICULUM_WEB_ALLOWS_FILE_GIT_URLS:
        # From the browser, a file: URL would let an admin read repositories on the server.
        raise ImportRefused("file: URLs can only be imported from the command line")
    if ref:
        check_git_ref(ref)
    request = ImportRequest(
        git_url=git_url, ref=ref, program_slug=program_slug, requested_by=requested_by
    )
    request.full_clean(exclude=["version", "requested_by"])
    with transaction.atomic():
        request.save()
        enqueue_on_commit(import_request_run_task, request.pk)
    return request


def _check_web_git_host(git_url: str) -> None:
    """An import asked from the browser may fetch only public hosts, or those the
    CURRICULUM_GIT_ALLOWED_HOSTS setting names (the command line may fetch anything)."""
    allowed = frozenset(h.lower() for h in settings.CURRICULUM_GIT_ALLOWED_HOSTS)
    check_git_host(git_url, allowed_hosts=allowed)


def import_request_run(*, import_request_id: int) -> ImportRequest | None:
    """Run one queued git import. A second delivery of the same id does nothing.

    The row is claimed (queued -> running) in its own short transaction, so no lock is held
    while git clones; the outcome is stored when the import returns.
    """
    with transaction.atomic():
        request = (
            ImportRequest.objects.select_for_update(skip_locked=True)
            .filter(pk=import_request_id, state=ImportRequestState.QUEUED)
            .first()
        )
        if request is None:
            return None
        request.state = ImportRequestState.RUNNING
        request.started_at = timezone.now()
        request.save(update_fields=["state", "started_at"])
    try:
        _check_web_git_host(request.git_url)  # again: what a name resolves to can change
    except ImportRefused as refused:
        request.state = ImportRequestState.REFUSED
        request.errors = [refused.as_dict()]
        request.finished_at = timezone.now()
        request.save(update_fields=["state", "errors", "finished_at"])
        return request
    result = program_import(
        source=request.git_url,
        ref=request.ref or None,
        program_slug=request.program_slug or None,
        imported_by=request.requested_by,
    )
    request.state = {
        "imported": ImportRequestState.IMPORTED,
        "no_changes": ImportRequestState.NO_CHANGES,
        "refused": ImportRequestState.REFUSED,
    }[result.status]
    request.version = result.version
    request.errors = [problem.as_dict() for problem in result.parsed.errors]
    request.finished_at = timezone.now()
    request.save(update_fields=["state", "version", "errors", "finished_at"])
    return request


def import_requests_to_retry() -> list[int]:
    """Queued requests whose enqueue was lost, and runs whose worker died: queue them again."""
    now = timezone.now()
    ImportRequest.objects.filter(
        state=ImportRequestState.RUNNING, started_at__lt=now - STALE_RUNNING
    ).update(state=ImportRequestState.QUEUED)
    return list(
        ImportRequest.objects.filter(
            state=ImportRequestState.QUEUED, created_at__lt=now - datetime.timedelta(minutes=1)
        ).values_list("pk", flat=True)[:100]
    )
