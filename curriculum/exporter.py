"""A stored version back to Markdown: the authoring-style folder (zip) an import reads.

Read-only. The contract, tested in tests/curriculum/test_export_roundtrip.py: importing the export
of a version gives an identical version (`program_import` answers "no_changes"), because

- every item's file is written at its source path with its Markdown exactly as stored;
- `readme.md` is a table of contents the importer's own `parse_toc` reads back to the same
  program title, chapters (number, title, order) and items (order; external items as links);
- assets are written at their paths.

`version_as_parsed` is the other direction of the same mapping: a stored version as the
importer's in-memory `ParsedProgram`, so hashes and change summaries of drafts edited in the
browser are computed by the very code that computes them for imports.
"""

import io
import re
import zipfile
from pathlib import PurePosixPath
from urllib.parse import quote

import emoji as emoji_lib
from django.db.models import Prefetch

from .importer import ParsedAsset, ParsedChapter, ParsedProgram, SourceTree
from .importer.links import resolve_reference, scan_references
from .importer.toc import plain
from .markdown.structure import BlockKind, ItemKind, ParsedBlock, ParsedItem
from .models import Asset, Block, Chapter, Item, ProgramVersion

README = "readme.md"
# A fixed timestamp: the same version always exports to the same bytes.
_ZIP_DATE = (2020, 1, 1, 0, 0, 0)
_LINK_LABEL_UNSAFE = re.compile(r"[\[\]\n\r]")


def version_chapters_for_export(*, version: ProgramVersion) -> list[Chapter]:
    """Chapters in order with their items (markdown included) in order: 2 queries."""
    items = Item.objects.order_by("position")
    return list(
        Chapter.objects.filter(version=version)
        .order_by("position")
        .prefetch_related(Prefetch("items", queryset=items))
    )


def version_export_files(*, version: ProgramVersion) -> dict[str, bytes]:
    """{path: bytes} of the authoring-style folder: readme.md, item files, assets."""
    chapters = version_chapters_for_export(version=version)
    files: dict[str, bytes] = {README: toc_markdown(version=version, chapters=chapters).encode()}
    for chapter in chapters:
        for item in chapter.items.all():
            if item.source_path:
                files[item.source_path] = item.markdown.encode()
    for path, content in Asset.objects.filter(version=version).values_list("path", "content"):
        files.setdefault(path, bytes(content))
    return files


def version_export_zip(*, version: ProgramVersion) -> bytes:
    """The export as a zip with one top folder named after the program (its slug on re-import)."""
    top = version.program.slug or "program"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, content in sorted(version_export_files(version=version).items()):
            info = zipfile.ZipInfo(f"{top}/{path}", date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, content)
    return buffer.getvalue()


def export_file_name(*, version: ProgramVersion) -> str:
    return f"{version.program.slug or 'program'}-v{version.number}.zip"


def toc_markdown(*, version: ProgramVersion, chapters: list[Chapter]) -> str:
    """readme.md: the program title, then `## Chapter NN: title` and one entry per item."""
    lines = [f"# {version.title}", ""]
    for position, chapter in enumerate(chapters):
        # The table of contents can only say "Chapter NN": a chapter imported without a number
        # (a lone .md file, a folder without one) gets its position, and re-imports numbered.
        number = chapter.number if chapter.number is not None else position
        lines.append(f"## Chapter {number:02d}: {chapter.title}")
        lines.extend(_toc_entry(item) for item in chapter.items.all())
        lines.append("")
    return "\n".join(lines)


def _toc_entry(item: Item) -> str:
    if item.source_path and item.url and item.kind != ItemKind.EXTERNAL:
        # A file whose entry links outside: the label names the file, so the import matches them.
        label = _LINK_LABEL_UNSAFE.sub(" ", PurePosixPath(item.source_path).stem)
        return f"- **[{label}]({item.url}):** {_LINK_LABEL_UNSAFE.sub(' ', item.title)}".rstrip()
    if item.kind == ItemKind.EXTERNAL and not item.source_path:
        # The importer makes an external item's title from this description and its emoji from
        # the first shortcode, and keeps the label as raw_title: write them back that way.
        description = " ".join(part for part in (item.title, shortcode(item.emoji)) if part)
        return f"- **[{item.raw_title}]({item.url}):** {description}".rstrip()
    target = "./" + quote(item.source_path, safe="/")
    if not item.raw_title:
        # No title line in the file: the importer takes the title from this label.
        return f"- **[{item.title}]({target})**"
    label = _label(item)
    description = " ".join(part for part in (item.title, shortcode(item.emoji)) if part)
    return f"- **[{label}]({target}):** {_LINK_LABEL_UNSAFE.sub(' ', description)}".rstrip()


def _label(item: Item) -> str:
    """ "Day 03", "Exercise 01"; the title when there is no number. Only read for a warning."""
    if item.number is not None:
        return f"{ItemKind(item.kind).name.title()} {item.number:02d}"
    return _LINK_LABEL_UNSAFE.sub(" ", plain(item.title)) or "Item"


def shortcode(character: str) -> str:
    if not character:
        return ""
    code = emoji_lib.demojize(character, language="alias")
    return code if code.startswith(":") and code.endswith(":") else ""


def version_as_parsed(*, version: ProgramVersion) -> ParsedProgram:
    """A stored version as the importer's ParsedProgram (asset bytes left out): 4 queries.

    Only assets some item still refers to are included, as an import would: the importer
    keeps the files its items link to, nothing else.
    """
    blocks = Block.objects.order_by("position")
    items = Item.objects.order_by("position").prefetch_related(Prefetch("blocks", queryset=blocks))
    chapters = (
        Chapter.objects.filter(version=version)
        .order_by("position")
        .prefetch_related(Prefetch("items", queryset=items))
    )
    tree = SourceTree(
        kind=version.source_kind, location=version.source_location, name=version.program.slug
    )
    parsed = ParsedProgram(title=version.title, tree=tree)
    for chapter in chapters:
        parsed_chapter = ParsedChapter(number=chapter.number, title=chapter.title)
        parsed.chapters.append(parsed_chapter)
        for item in chapter.items.all():
            parsed_chapter.items.append(_parsed_item(item))
            if item.source_path:
                parsed.markdown[item.source_path] = item.markdown
    stored_assets = {
        path: (content_type, sha256)
        for path, content_type, sha256 in Asset.objects.filter(version=version).values_list(
            "path", "content_type", "sha256"
        )
    }
    for path in referenced_assets(markdown=parsed.markdown, asset_paths=stored_assets):
        content_type, sha256 = stored_assets[path]
        parsed.assets[path] = ParsedAsset(path, b"", content_type, sha256)
    return parsed


def referenced_assets(*, markdown: dict[str, str], asset_paths: set[str] | dict) -> set[str]:
    """Asset paths the items' links and images point at, resolved as the importer does."""
    items = set(markdown)
    files = items | set(asset_paths) | {README}
    found: set[str] = set()
    for source, text in markdown.items():
        for reference in scan_references(text):
            resolution = resolve_reference(
                reference.url, from_source=source, items=items, files=files
            )
            if resolution.kind == "asset" and resolution.path in asset_paths:
                found.add(resolution.path)
    return found


def _parsed_item(item: Item) -> ParsedItem:
    return ParsedItem(
        source=item.source_path,
        kind=ItemKind(item.kind),
        number=item.number,
        title=item.title,
        emoji=item.emoji,
        raw_title=item.raw_title,
        url=item.url,
        blocks=[
            ParsedBlock(
                kind=BlockKind(block.kind),
                key=block.key,
                markdown=block.markdown,
                line=block.line,
                end_line=block.end_line,
                title=block.title,
                depth=block.depth,
                parent_key=block.parent_key or None,  # stored as "", parsed as None
                data=block.data,
            )
            for block in item.blocks.all()
        ],
    )
