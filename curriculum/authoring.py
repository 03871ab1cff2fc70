"""Writes for curriculum authoring in the browser: edits go into a draft version.

Invariants every function here keeps:
- Only a draft changes. Published and archived versions are immutable; every write locks the
  version row and checks its state first, so an edit racing a publish either lands before the
  publish or is refused after it.
- An item is stored exactly as an import of its Markdown would store it: the same parser call
  (`importer.program.parse_item_file`), the same link resolution and block rows
  (`services.link_resolver_for`, `services.block_rows`). So exporting a draft and importing the
  export gives "no changes" (tests/curriculum/test_authoring.py).
- No lost update: a Markdown save names the content hash it was based on; when the item has
  changed since, the save is refused (EditConflict) and nothing is written.
- Every change to an item records an ItemRevision (who, when, Markdown before and after).
- After every write the draft's content hash and its change summary against the published
  version are recomputed with the import's own code (`version_as_parsed`,
  `version_change_summary`), so publishing a draft shows what changed, as for an import.
- Blocks keep the parser's stable keys, and a new draft copies its base version's keys, so a
  hire's progress survives wherever a block's text did not change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Literal

from django.db import transaction
from django.db.models import Max, ProtectedError
from django.utils.text import Truncator

from accounts.models import User

from .exporter import shortcode, version_as_parsed
from .importer import DEFAULT_LIMITS, ImportRefused, ParsedProgram, SourceTree
from .importer.links import resolve_reference, scan_references
from .importer.program import decode_text, external_item, parse_item_file
from .importer.toc import TocEntry, plain
from .markdown.structure import ItemKind, ParsedItem
from .markdown.structure import Warning as ParseWarning
from .models import (
    Asset,
    Block,
    Chapter,
    Item,
    ItemRevision,
    ItemRevisionAction,
    Program,
    ProgramVersion,
    VersionState,
)
from .paths import item_url
from .services import (
    block_rows,
    item_fields,
    item_key,
    link_resolver_for,
    render_block_html,
    version_change_summary,
)

Direction = Literal["up", "down"]
TITLE_MAX = 200
# Kinds a file item may take. The importer decides a file's kind from its name first
# (`day_03.md` is a day), so changing the kind renames the file to match.
FILE_KINDS = (ItemKind.DAY, ItemKind.EXERCISE, ItemKind.SHOWCASE, ItemKind.TEMPLATE)
_KIND_LABEL = {
    ItemKind.DAY: "Day",
    ItemKind.EXERCISE: "Exercise",
    ItemKind.SHOWCASE: "Showcase",
    ItemKind.TEMPLATE: "",
}
_POSITION_OFFSET = 1_000_000  # renumbering steps over the (parent, position) unique constraints
_URL_IN_TOC = re.compile(r"^https?://[^\s()<>\[\]]+$")


class AuthoringError(Exception):
    """A refused edit, with a message for the person who tried it."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class EditConflict(AuthoringError):
    """The item changed since the editor was opened: saving would overwrite someone's work."""


# --- the draft ---------------------------------------------------------------------------------


def draft_for_program(*, program: Program, user: User | None) -> ProgramVersion:
    """The program's open draft (its latest version, when that is a draft), or a new one.

    A new draft copies the published version (or, before any publish, the latest): chapters,
    items, blocks with the same keys, assets. Block HTML is rendered again so links point at
    the draft's own items and files. Two admins opening a draft at once get the same one (the
    program row is locked).
    """
    with transaction.atomic():
        Program.objects.select_for_update().filter(pk=program.pk).first()
        latest = program.versions.order_by("-number").first()
        if latest is None:
            raise AuthoringError("This program has no version yet: import it first.")
        if latest.state == VersionState.DRAFT:
            return latest
        base = program.versions.filter(state=VersionState.PUBLISHED).first() or latest
        draft = ProgramVersion(
            program=program,
            number=latest.number + 1,
            state=VersionState.DRAFT,
            title=base.title,
            created_by=user,
            source_kind=base.source_kind,
            source_location=base.source_location,
            source_ref=base.source_ref,
            source_commit=base.source_commit,
            content_hash=base.content_hash,
            warnings=list(base.warnings),
            based_on=base,
        )
        draft.save()
        _copy_content(source=base, draft=draft)
        _draft_refresh(draft)
    return draft


def _copy_content(*, source: ProgramVersion, draft: ProgramVersion) -> None:
    chapter_ids: dict[int, Chapter] = {}
    for chapter in Chapter.objects.filter(version=source).order_by("position"):
        chapter_ids[chapter.pk] = Chapter(
            version=draft, position=chapter.position, number=chapter.number, title=chapter.title
        )
    Chapter.objects.bulk_create(chapter_ids.values())
    old_items = list(Item.objects.filter(version=source).order_by("chapter__position", "position"))
    new_items = [
        Item(
            chapter=chapter_ids[item.chapter_id],
            version=draft,
            **{field: getattr(item, field) for field in _ITEM_COPY_FIELDS},
        )
        for item in old_items
    ]
    Item.objects.bulk_create(new_items)
    Asset.objects.bulk_create(
        [
            Asset(
                version=draft,
                path=asset.path,
                content=asset.content,
                content_type=asset.content_type,
                size=asset.size,
                sha256=asset.sha256,
            )
            for asset in Asset.objects.filter(version=source)
        ]
    )
    item_ids, asset_ids = _ids(draft)
    new_by_old = {old.pk: new for old, new in zip(old_items, new_items, strict=True)}
    resolvers = {
        new.pk: link_resolver_for(source=new.source_path, item_ids=item_ids, asset_ids=asset_ids)
        for new in new_items
    }
    blocks = []
    for block in Block.objects.filter(item__version=source).order_by("item_id", "position"):
        item = new_by_old[block.item_id]
        block.pk = None
        block.item = item
        block.html = render_block_html(
            block.markdown, link_resolver=resolvers[item.pk], source=item.source_path
        )
        blocks.append(block)
    Block.objects.bulk_create(blocks, batch_size=1000)


_ITEM_COPY_FIELDS = (
    "position",
    "kind",
    "number",
    "title",
    "raw_title",
    "emoji",
    "source_path",
    "url",
    "markdown",
    "content_hash",
)


def _ids(version: ProgramVersion) -> tuple[dict[str, int], dict[str, int]]:
    item_ids = dict(
        Item.objects.filter(version=version)
        .exclude(source_path="")
        .values_list("source_path", "pk")
    )
    asset_ids = dict(Asset.objects.filter(version=version).values_list("path", "pk"))
    return item_ids, asset_ids


def _draft_refresh(draft: ProgramVersion) -> None:
    """Hash and change summary computed as an import of this content would compute them."""
    parsed = version_as_parsed(version=draft)
    published = (
        ProgramVersion.objects.filter(program_id=draft.program_id, state=VersionState.PUBLISHED)
        .exclude(pk=draft.pk)
        .first()
    )
    draft.content_hash = parsed.content_hash()
    draft.change_summary = version_change_summary(previous=published, parsed=parsed)
    draft.save(update_fields=["content_hash", "change_summary", "warnings"])


def _locked_draft(version_id: int) -> ProgramVersion:
    version = (
        ProgramVersion.objects.select_for_update()
        .select_related("program")
        .filter(pk=version_id)
        .first()
    )
    if version is None:
        raise AuthoringError("This version no longer exists.")
    if version.state != VersionState.DRAFT:
        raise AuthoringError(
            f"Version {version.number} is {version.get_state_display().lower()} and cannot "
            "change; edit a draft instead."
        )
    return version


def _locked_item(item: Item) -> tuple[ProgramVersion, Item]:
    version = _locked_draft(item.version_id)
    current = Item.objects.select_for_update().filter(pk=item.pk, version=version).first()
    if current is None:
        raise AuthoringError("This item is no longer in the draft.")
    return version, current


# --- one item's Markdown -----------------------------------------------------------------------


@dataclass
class ItemParse:
    """An item's Markdown as the importer reads it: the parse, the stored text, its warnings."""

    item: ParsedItem
    text: str
    warnings: list[ParseWarning] = field(default_factory=list)


def item_parse(*, source: str, markdown: str, label: str = "") -> ItemParse:
    """Normalise (BOM, CRLF, NUL) and parse one item's Markdown exactly as an import would.

    Refuses (AuthoringError) what an import refuses: over the file size limit, nested too deep.
    """
    data = markdown.encode("utf-8", errors="replace")
    if len(data) > DEFAULT_LIMITS.max_file_bytes:
        raise AuthoringError(
            f"The text is larger than {DEFAULT_LIMITS.max_file_bytes // 1_000_000} MB; "
            "split it into several items."
        )
    try:
        text, warnings = decode_text(data, source)
        scratch = ParsedProgram(title="", tree=SourceTree(kind="", location="", name=""))
        parsed = parse_item_file(source, text, scratch, label=label)
    except ImportRefused as refused:
        raise AuthoringError(refused.problem.message) from None
    return ItemParse(item=parsed, text=text, warnings=warnings + scratch.warnings)


def _label_for(item: Item) -> str:
    # What the exported table of contents will label an item without a title line.
    return plain(item.title)


def item_update_markdown(
    *,
    item: Item,
    markdown: str,
    base_hash: str,
    user: User | None,
    action: str = ItemRevisionAction.EDIT,
    summary: str = "",
) -> Item:
    """Replace a draft item's Markdown, re-parsed and re-rendered; returns the item.

    Refused (EditConflict, nothing written) when BASE_HASH is not the `text_hash` of the
    item's current Markdown: someone saved since this text was loaded. Saving the same text again changes nothing
    and records no revision.
    """
    with transaction.atomic():
        version, current = _locked_item(item)
        if current.text_hash != base_hash:
            raise EditConflict(
                "Someone else saved this item after you opened it. Your text was not saved: "
                "copy it, reload the editor to see their version, and apply your change again."
            )
        _save_markdown(version, current, markdown, user=user, action=action, summary=summary)
    return current


def _save_markdown(
    version: ProgramVersion,
    item: Item,
    markdown: str,
    *,
    user: User | None,
    action: str,
    summary: str = "",
    source: str | None = None,
) -> bool:
    if item.kind == ItemKind.EXTERNAL:
        raise AuthoringError("An external item is a link, with no Markdown of its own to edit.")
    source = item.source_path if source is None else source
    parse = item_parse(source=source, markdown=markdown, label=_label_for(item))
    if parse.text == item.markdown and source == item.source_path:
        return False
    before = item.markdown
    old_key = item_key(item.source_path, item.kind, item.url, item.title)
    for name, value in item_fields(parse.item, markdown=parse.text).items():
        setattr(item, name, value)
    item.save()
    Block.objects.filter(item=item).delete()
    item_ids, asset_ids = _ids(version)
    resolver = link_resolver_for(source=source, item_ids=item_ids, asset_ids=asset_ids)
    Block.objects.bulk_create(
        block_rows(item=item, blocks=parse.item.blocks, link_resolver=resolver)
    )
    new_key = item_key(item.source_path, item.kind, item.url, item.title)
    if new_key != old_key:
        # History follows the item: it is found by key, and the key is its file's path.
        ItemRevision.objects.filter(program_id=version.program_id, item_key=old_key).update(
            item_key=new_key
        )
    _record(version, item, action, user=user, before=before, after=parse.text, summary=summary)
    _replace_warnings(version, source, parse, item_ids, asset_ids)
    _draft_refresh(version)
    return True


def _record(
    version: ProgramVersion,
    item: Item | None,
    action: str,
    *,
    user: User | None,
    before: str = "",
    after: str = "",
    summary: str = "",
    key: str = "",
) -> None:
    if not key and item is not None:
        key = item_key(item.source_path, item.kind, item.url, item.title)
    ItemRevision.objects.create(
        program_id=version.program_id,
        version=version,
        item=item,
        item_key=key,
        action=action,
        summary=Truncator(summary).chars(500),
        markdown_before=before,
        markdown_after=after,
        created_by=user,
    )


def _replace_warnings(
    version: ProgramVersion,
    source: str,
    parse: ItemParse,
    item_ids: dict[str, int],
    asset_ids: dict[str, int],
) -> None:
    """The item's own warnings, fresh: its parse's and its links', as an import reports them."""
    warnings = [w for w in version.warnings if w.get("source") != source]
    warnings.extend(w.as_dict() for w in parse.warnings)
    warnings.extend(w.as_dict() for w in link_warnings(source, parse.text, item_ids, asset_ids))
    version.warnings = warnings


def link_warnings(
    source: str, text: str, item_ids: dict[str, int], asset_ids: dict[str, int]
) -> list[ParseWarning]:
    files = set(item_ids) | set(asset_ids)
    found = []
    for reference in scan_references(text):
        resolution = resolve_reference(
            reference.url, from_source=source, items=item_ids, files=files
        )
        if resolution.note:
            found.append(ParseWarning(source, reference.line, resolution.note))
    return found


def item_restore(
    *, item: Item, revision: ItemRevision, base_hash: str, user: User | None, which: str = "after"
) -> Item:
    """Put an older text of ITEM (a revision's text after, or before, its change) into the draft.

    The revision must be of this item; the save is refused like any other when BASE_HASH is stale.
    """
    if revision.program_id != item.version.program_id or revision.item_key != item_key(
        item.source_path, item.kind, item.url, item.title
    ):
        raise AuthoringError("That revision belongs to another item.")
    text = revision.markdown_before if which == "before" else revision.markdown_after
    if not text.strip():
        raise AuthoringError("That change holds no text to restore.")
    when = revision.created_at.strftime("%Y-%m-%d %H:%M UTC")
    return item_update_markdown(
        item=item,
        markdown=text,
        base_hash=base_hash,
        user=user,
        action=ItemRevisionAction.RESTORE,
        summary=f"text {'before' if which == 'before' else 'as saved'} on {when}",
    )


# --- structure: items --------------------------------------------------------------------------


def _clean_title(title: str) -> str:
    """One line, plain: what the table of contents and a title line can carry unchanged."""
    cleaned = plain(" ".join(title.split()))
    if not cleaned:
        raise AuthoringError("Give a title.")
    if len(cleaned) > TITLE_MAX:
        raise AuthoringError(f"Keep the title under {TITLE_MAX} characters.")
    return cleaned


def item_rename(*, item: Item, title: str, user: User | None) -> Item:
    """Give ITEM a new title. A file item's title lives in its title line, so that is rewritten
    (number prefix and emoji kept); an external item's title is its table of contents text."""
    new_title = _clean_title(title)
    with transaction.atomic():
        version, current = _locked_item(item)
        if current.kind == ItemKind.EXTERNAL:
            before = current.title
            current.title = new_title.replace("[", "(").replace("]", ")")
            current.save(update_fields=["title"])
            _record(
                version,
                current,
                ItemRevisionAction.RENAME,
                user=user,
                before="",
                after="",
                summary=f"{before} → {current.title}",
                key=item_key("", current.kind, current.url, before),
            )
            ItemRevision.objects.filter(
                program_id=version.program_id,
                item_key=item_key("", current.kind, current.url, before),
            ).update(item_key=item_key("", current.kind, current.url, current.title))
            _draft_refresh(version)
            return current
        markdown = _with_title(current, new_title)
        _save_markdown(
            version,
            current,
            markdown,
            user=user,
            action=ItemRevisionAction.RENAME,
            summary=f"{current.title} → {new_title}",
        )
    return current


def _title_line(kind: str, number: int | None, title: str, emoji: str = "") -> str:
    label = _KIND_LABEL.get(ItemKind(kind), "")
    prefix = f"{label} {number:02d} - " if label and number is not None else ""
    code = shortcode(emoji)
    return f"# {prefix}{title}{' ' + code if code else ''}"


def _with_title(item: Item, title: str) -> str:
    lines = item.markdown.split("\n")
    if item.raw_title:
        for index, line in enumerate(lines):
            if line.strip() == item.raw_title:
                if item.title and item.title in line:
                    lines[index] = line.replace(item.title, title, 1)
                else:
                    lines[index] = _title_line(item.kind, item.number, title, item.emoji)
                return "\n".join(lines)
    return _title_line(item.kind, item.number, title) + "\n\n" + item.markdown


def item_add(
    *,
    chapter: Chapter,
    kind: str,
    title: str,
    user: User | None,
    url: str = "",
) -> Item:
    """Add an item at the end of CHAPTER: a new Markdown file with a starter text, or (kind
    external) a link. A file item gets a path the importer reads back as the same kind."""
    title = _clean_title(title)
    with transaction.atomic():
        version = _locked_draft(chapter.version_id)
        chapter = Chapter.objects.select_for_update().get(pk=chapter.pk, version=version)
        top = chapter.items.aggregate(top=Max("position"))["top"]
        position = 0 if top is None else top + 1
        if kind == ItemKind.EXTERNAL:
            return _external_add(version, chapter, position, title, url, user)
        if kind not in FILE_KINDS:
            raise AuthoringError("Choose a kind: day, exercise, showcase or template.")
        number = _next_number(version, kind)
        source = _free_path(version, _folder_of(chapter), kind, number)
        markdown = _starter(kind, number, title)
        parse = item_parse(source=source, markdown=markdown)
        item = Item(
            chapter=chapter,
            version=version,
            position=position,
            **item_fields(parse.item, markdown=parse.text),
        )
        item.save()
        item_ids, asset_ids = _ids(version)
        resolver = link_resolver_for(source=source, item_ids=item_ids, asset_ids=asset_ids)
        Block.objects.bulk_create(
            block_rows(item=item, blocks=parse.item.blocks, link_resolver=resolver)
        )
        _record(version, item, ItemRevisionAction.CREATE, user=user, before="", after=parse.text)
        # Links other items wrote to this file before it existed resolve now.
        _rerender(version, Block.objects.filter(markdown__contains=PurePosixPath(source).stem))
        _replace_warnings(version, source, parse, item_ids, asset_ids)
        _draft_refresh(version)
    return item


def _external_add(
    version: ProgramVersion,
    chapter: Chapter,
    position: int,
    title: str,
    url: str,
    user: User | None,
) -> Item:
    url = url.strip()
    if not _URL_IN_TOC.match(url):
        raise AuthoringError(
            "Give the link as an http:// or https:// address without spaces or brackets."
        )
    label = title.replace("[", "(").replace("]", ")")
    # Built by the importer's own function, so the exported table of contents reads back alike.
    parsed = external_item(TocEntry(label=label, target=url, description="", line=0))
    item = Item(
        chapter=chapter,
        version=version,
        position=position,
        **item_fields(parsed, markdown=""),
    )
    item.save()
    _record(version, item, ItemRevisionAction.CREATE, user=user, before="", after="", summary=url)
    _draft_refresh(version)
    return item


def _next_number(version: ProgramVersion, kind: str) -> int:
    top = Item.objects.filter(version=version, kind=kind).aggregate(top=Max("number"))["top"]
    return 1 if top is None else top + 1


def _folder_of(chapter: Chapter) -> str:
    """The folder the chapter's files live in; a new chapter gets `chapter_NN`."""
    for source in chapter.items.exclude(source_path="").values_list("source_path", flat=True):
        parent = PurePosixPath(source).parent.as_posix()
        return "" if parent == "." else parent.split("/")[0]
    return f"chapter_{(chapter.number if chapter.number is not None else chapter.position):02d}"


def _free_path(version: ProgramVersion, folder: str, kind: str, number: int) -> str:
    taken = set(Item.objects.filter(version=version).values_list("source_path", flat=True))
    taken |= set(Asset.objects.filter(version=version).values_list("path", flat=True))
    stem = f"{kind}_{number:02d}"
    candidate, ordinal = stem, 1
    while _joined(folder, candidate) in taken or _joined(folder, candidate).lower() in {
        t.lower() for t in taken
    }:
        ordinal += 1
        candidate = f"{stem}_{ordinal}"
    return _joined(folder, candidate)


def _joined(folder: str, stem: str) -> str:
    return f"{folder}/{stem}.md" if folder else f"{stem}.md"


def _starter(kind: str, number: int, title: str) -> str:
    return (
        f"{_title_line(kind, number, title)}\n\n"
        "## Overview:\nWhat this is about, in a sentence or two.\n\n"
        "## Goals:\n- A first goal\n"
    )


def item_remove(*, item: Item, user: User | None) -> None:
    """Remove ITEM from the draft (its text stays in its history). A program keeps one item."""
    with transaction.atomic():
        version, current = _locked_item(item)
        if Item.objects.filter(version=version).count() <= 1:
            raise AuthoringError("A program needs at least one item; add another one first.")
        chapter_id, item_id = current.chapter_id, current.pk
        _record(
            version,
            None,
            ItemRevisionAction.REMOVE,
            user=user,
            before=current.markdown,
            after="",
            summary=current.title,
            key=item_key(current.source_path, current.kind, current.url, current.title),
        )
        try:
            with transaction.atomic():
                current.delete()
        except ProtectedError:
            raise AuthoringError(
                "Hires have progress on this item in this version; it cannot be removed."
            ) from None
        _renumber(list(Item.objects.filter(chapter_id=chapter_id).order_by("position")))
        if current.source_path:
            version.warnings = [
                w for w in version.warnings if w.get("source") != current.source_path
            ]
        _rerender(version, Block.objects.filter(html__contains=item_url(item_id)))
        _draft_refresh(version)


def item_move(*, item: Item, direction: Direction, user: User | None) -> Item:
    """Move ITEM one place up or down; past the chapter's edge it moves into the next chapter."""
    with transaction.atomic():
        version, current = _locked_item(item)
        siblings = list(Item.objects.filter(chapter_id=current.chapter_id).order_by("position"))
        index = next(i for i, sibling in enumerate(siblings) if sibling.pk == current.pk)
        target = index - 1 if direction == "up" else index + 1
        if 0 <= target < len(siblings):
            siblings[index], siblings[target] = siblings[target], siblings[index]
            _renumber(siblings)
        else:
            chapters = list(Chapter.objects.filter(version=version).order_by("position"))
            at = next(i for i, chapter in enumerate(chapters) if chapter.pk == current.chapter_id)
            other = at - 1 if direction == "up" else at + 1
            if not 0 <= other < len(chapters):
                raise AuthoringError("The item is already at that end of the program.")
            _park(current)
            siblings.pop(index)
            _renumber(siblings)
            receiving = list(
                Item.objects.filter(chapter_id=chapters[other].pk).order_by("position")
            )
            current.chapter = chapters[other]
            receiving = [*receiving, current] if direction == "up" else [current, *receiving]
            _renumber(receiving)
        current.refresh_from_db()
        where = "up" if direction == "up" else "down"
        _record(version, current, ItemRevisionAction.MOVE, user=user, summary=f"moved {where}")
        _draft_refresh(version)
    return current


def _park(row: Item | Chapter) -> None:
    """Out of the way of the unique (parent, position) constraint while rows are renumbered."""
    row.position += _POSITION_OFFSET
    row.save(update_fields=["position"])


def _renumber(rows: list) -> None:
    """Positions 0..n-1 in list order, in two passes so no two rows ever share a position."""
    if not rows:
        return
    model = type(rows[0])
    for row in rows:
        row.position += _POSITION_OFFSET * 2
    fields = ["position", "chapter"] if model is Item else ["position"]
    model.objects.bulk_update(rows, fields)
    for index, row in enumerate(rows):
        row.position = index
    model.objects.bulk_update(rows, fields)


def item_change_kind(*, item: Item, kind: str, user: User | None) -> Item:
    """Make ITEM a day, exercise, showcase or template.

    The importer reads a file's kind from its name first, so the file is renamed to match
    (`day_05.md` -> `exercise_05.md`); links other items wrote to the old name are reported.
    """
    if kind not in FILE_KINDS:
        raise AuthoringError("Choose day, exercise, showcase or template.")
    with transaction.atomic():
        version, current = _locked_item(item)
        if current.kind == ItemKind.EXTERNAL:
            raise AuthoringError("An external item is a link; add a new item of that kind.")
        if current.kind == kind:
            return current
        old_source, old_kind = current.source_path, current.kind
        folder = PurePosixPath(old_source).parent.as_posix()
        number = current.number if current.number is not None else _next_number(version, kind)
        source = _free_path(version, "" if folder == "." else folder, kind, number)
        changed = _save_markdown(
            version,
            current,
            current.markdown,
            user=user,
            action=ItemRevisionAction.KIND,
            summary=f"{old_kind} → {kind} ({old_source} → {source})",
            source=source,
        )
        if changed:
            version.warnings = [w for w in version.warnings if w.get("source") != old_source]
            _rerender(version, Block.objects.filter(html__contains=item_url(current.pk)))
            version.save(update_fields=["warnings"])
    return current


def _rerender(version: ProgramVersion, blocks) -> None:
    """Render again the draft's blocks whose links may now resolve differently."""
    rows = list(blocks.filter(item__version=version).select_related("item"))
    if not rows:
        return
    item_ids, asset_ids = _ids(version)
    for block in rows:
        resolver = link_resolver_for(
            source=block.item.source_path, item_ids=item_ids, asset_ids=asset_ids
        )
        block.html = render_block_html(
            block.markdown, link_resolver=resolver, source=block.item.source_path
        )
    Block.objects.bulk_update(rows, ["html"])


# --- structure: chapters -----------------------------------------------------------------------


def chapter_add(*, version: ProgramVersion, title: str, user: User | None) -> Chapter:
    """A new, empty chapter at the end, numbered after the highest chapter number."""
    title = _clean_title(title)
    with transaction.atomic():
        version = _locked_draft(version.pk)
        top = Chapter.objects.filter(version=version).aggregate(
            position=Max("position"), number=Max("number")
        )
        chapter = Chapter(
            version=version,
            position=0 if top["position"] is None else top["position"] + 1,
            number=0 if top["number"] is None else top["number"] + 1,
            title=title,
        )
        chapter.full_clean()
        chapter.save()
        _draft_refresh(version)
    return chapter


def chapter_rename(*, chapter: Chapter, title: str, user: User | None) -> Chapter:
    title = _clean_title(title)
    with transaction.atomic():
        version = _locked_draft(chapter.version_id)
        chapter = Chapter.objects.select_for_update().get(pk=chapter.pk, version=version)
        chapter.title = title
        chapter.save(update_fields=["title"])
        _draft_refresh(version)
    return chapter


def chapter_remove(*, chapter: Chapter, user: User | None) -> None:
    """Remove an empty chapter (move or remove its items first: nothing is dropped silently)."""
    with transaction.atomic():
        version = _locked_draft(chapter.version_id)
        chapter = Chapter.objects.select_for_update().get(pk=chapter.pk, version=version)
        if chapter.items.exists():
            raise AuthoringError("Move or remove this chapter's items first.")
        chapter.delete()
        _renumber(list(Chapter.objects.filter(version=version).order_by("position")))
        _draft_refresh(version)


def chapter_move(*, chapter: Chapter, direction: Direction, user: User | None) -> Chapter:
    with transaction.atomic():
        version = _locked_draft(chapter.version_id)
        chapters = list(Chapter.objects.filter(version=version).order_by("position"))
        index = next(i for i, row in enumerate(chapters) if row.pk == chapter.pk)
        target = index - 1 if direction == "up" else index + 1
        if not 0 <= target < len(chapters):
            raise AuthoringError("The chapter is already at that end of the program.")
        chapters[index], chapters[target] = chapters[target], chapters[index]
        _renumber(chapters)
        _draft_refresh(version)
    return chapters[target]


# --- reads used by the editor --------------------------------------------------------------------


@dataclass
class PreviewBlock:
    kind: str
    key: str
    title: str
    depth: int
    data: dict
    html: str


@dataclass
class ItemPreview:
    """What saving this text would store: the parse, each block's HTML, the warnings."""

    item: ParsedItem
    blocks: list[PreviewBlock]
    warnings: list[ParseWarning]
    error: str = ""


def item_markdown_preview(*, item: Item, markdown: str) -> ItemPreview:
    """Parse and render MARKDOWN as ITEM's text would be saved; never writes, never raises."""
    try:
        parse = item_parse(source=item.source_path, markdown=markdown, label=_label_for(item))
    except AuthoringError as refused:
        empty = ParsedItem(
            source=item.source_path,
            kind=ItemKind.DAY,
            number=None,
            title="",
            emoji="",
            raw_title="",
        )
        return ItemPreview(item=empty, blocks=[], warnings=[], error=refused.message)
    item_ids, asset_ids = _ids(item.version)
    resolver = link_resolver_for(source=item.source_path, item_ids=item_ids, asset_ids=asset_ids)
    blocks = [
        PreviewBlock(
            kind=str(block.kind),
            key=block.key,
            title=block.title,
            depth=block.depth,
            data=block.data,
            html=render_block_html(block.markdown, link_resolver=resolver),
        )
        for block in parse.item.blocks
    ]
    warnings = parse.warnings + link_warnings(item.source_path, parse.text, item_ids, asset_ids)
    return ItemPreview(item=parse.item, blocks=blocks, warnings=warnings)
