"""A whole program, parsed in memory: chapters of ParsedItems, assets, warnings and errors.

`parse_program` never touches the database (this is what `import_curriculum --dry-run` runs) and
never raises for bad input: refusals come back in `errors`, each naming the file and line.
"""

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

import emoji as emoji_lib

from curriculum.markdown.parse import parse_item
from curriculum.markdown.structure import ItemKind, ParsedItem, Warning

from .errors import ImportRefused
from .limits import DEFAULT_LIMITS, Limits
from .links import Resolution, resolve_reference, scan_references
from .sources import SourceTree, content_type_for, is_markdown, load_source
from .toc import SHORTCODE, TableOfContents, TocChapter, TocEntry, parse_toc, plain
from .weeks import Syllabus, split_syllabus

README_NAMES = ("readme.md", "README.md", "Readme.md")
_NUMBER = re.compile(r"\d+")


@dataclass
class ParsedChapter:
    number: int | None
    title: str
    items: list[ParsedItem] = field(default_factory=list)


@dataclass
class ParsedAsset:
    path: str
    content: bytes
    content_type: str
    sha256: str


@dataclass
class ParsedProgram:
    """Everything an import would write, and why it might not. `errors` empty means importable."""

    title: str
    tree: SourceTree
    chapters: list[ParsedChapter] = field(default_factory=list)
    warnings: list[Warning] = field(default_factory=list)
    errors: list[Warning] = field(default_factory=list)
    markdown: dict[str, str] = field(default_factory=dict)  # item source -> decoded text
    assets: dict[str, ParsedAsset] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def items(self) -> list[ParsedItem]:
        return [item for chapter in self.chapters for item in chapter.items]

    @property
    def item_sources(self) -> set[str]:
        return {item.source for item in self.items if item.source}

    def resolve(self, url: str, *, from_source: str) -> Resolution:
        return resolve_reference(
            url, from_source=from_source, items=self.item_sources, files=self.assets
        )

    def as_json(self) -> dict:
        """The shape of `import_curriculum --json` and `python -m curriculum.lint --json`."""
        return {
            "program": {"title": self.title, "source": self.tree.location},
            "chapters": [
                {
                    "number": chapter.number,
                    "title": chapter.title,
                    "items": [
                        {
                            "source": item.source,
                            "kind": str(item.kind),
                            "number": item.number,
                            "title": item.title,
                            "counts": item.counts(),
                        }
                        for item in chapter.items
                    ],
                }
                for chapter in self.chapters
            ],
            "warnings": [warning.as_dict() for warning in self.warnings],
            "errors": [error.as_dict() for error in self.errors],
        }

    def content_hash(self) -> str:
        """Equal for an identical re-import, whatever the source (folder, zip, git)."""
        canonical = {
            "title": self.title,
            "chapters": [
                {
                    "number": chapter.number,
                    "title": chapter.title,
                    "items": [item_fingerprint(item) for item in chapter.items],
                }
                for chapter in self.chapters
            ],
            "markdown": {
                source: hashlib.sha256(text.encode()).hexdigest()
                for source, text in sorted(self.markdown.items())
            },
            "assets": {path: asset.sha256 for path, asset in sorted(self.assets.items())},
        }
        return _sha256_json(canonical)


def item_fingerprint(item: ParsedItem) -> dict:
    return {
        "source": item.source,
        "kind": str(item.kind),
        "number": item.number,
        "title": item.title,
        "emoji": item.emoji,
        "raw_title": item.raw_title,
        "url": item.url,
        "blocks": [block_fingerprint(block) for block in item.blocks],
    }


def block_fingerprint(block) -> list:
    return [
        str(block.kind),
        block.key,
        block.title,
        block.markdown,
        block.depth,
        block.parent_key,
        block.data,
    ]


def _sha256_json(value: object) -> str:
    payload = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def item_hash(item: ParsedItem) -> str:
    return _sha256_json(item_fingerprint(item))


def parse_program(
    source: str | os.PathLike[str] | SourceTree,
    *,
    ref: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> ParsedProgram:
    """Read and parse SOURCE into a ParsedProgram; refusals are returned as `errors`."""
    tree = source if isinstance(source, SourceTree) else None
    try:
        if tree is None:
            assert not isinstance(source, SourceTree)
            tree = load_source(source, ref=ref, limits=limits)
        return _build(tree)
    except ImportRefused as refused:
        if tree is None:
            location = source.location if isinstance(source, SourceTree) else os.fspath(source)
            tree = SourceTree(kind="", location=location, name="")
        return ParsedProgram(title="", tree=tree, errors=[refused.problem])


def decode_text(data: bytes, source: str) -> tuple[str, list[Warning]]:
    """UTF-8 (a BOM is fine), any line ending; invalid bytes refuse naming file and line."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportRefused(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at line {line}); save the file as UTF-8",
            source=source,
            line=line,
        ) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    warnings = []
    if "\x00" in text:
        # PostgreSQL text cannot hold NUL; the character is shown as a replacement mark instead.
        line = text[: text.index("\x00")].count("\n") + 1
        warnings.append(Warning(source, line, "NUL characters replaced"))
        text = text.replace("\x00", "\ufffd")
    return text, warnings


def _build(tree: SourceTree) -> ParsedProgram:
    program = ParsedProgram(title="", tree=tree, warnings=list(tree.warnings))
    texts = _decode_all(tree, program)
    if tree.single_file:
        (source,) = texts
        syllabus = split_syllabus(texts[source], source=source)
        if syllabus is not None:
            _chapters_from_syllabus(syllabus, program)
            program.title = syllabus.title or _humanise(PurePosixPath(source).stem)
        else:
            item = parse_item_file(source, texts[source], program)
            program.title = item.title
            program.chapters = [ParsedChapter(number=None, title=item.title, items=[item])]
    else:
        readme = next((name for name in README_NAMES if name in texts), None)
        toc = parse_toc(texts[readme], source=readme) if readme else None
        if toc is not None and not toc.chapters:
            program.warnings.append(
                Warning(readme or "", None, "readme.md lists no chapters; using folder order")
            )
        syllabus = None
        if readme and (toc is None or not toc.chapters):
            syllabus = split_syllabus(texts[readme], source=readme)
        if syllabus is not None:
            program.warnings[:] = [w for w in program.warnings if w.source != readme or w.line]
            _chapters_from_syllabus(syllabus, program)
            _chapters_from_folders(texts, program, readme)
        elif toc is not None and toc.chapters:
            program.warnings.extend(toc.warnings)
            _chapters_from_toc(toc, texts, program)
        else:
            _chapters_from_folders(texts, program, readme)
        title = syllabus.title if syllabus else toc.title if toc else ""
        program.title = title or _humanise(tree.name)
        _warn_repeated_days(program)
    if not program.items:
        raise ImportRefused("no Markdown items found in this source")
    _resolve_links(program)
    return program


def _decode_all(tree: SourceTree, program: ParsedProgram) -> dict[str, str]:
    texts: dict[str, str] = {}
    for path in sorted(tree.files, key=natural_key):
        if is_markdown(path):
            text, warnings = decode_text(tree.files[path], path)
            program.warnings.extend(warnings)
            texts[path] = text
    if not texts:
        raise ImportRefused("no Markdown (.md) files found in this source")
    return texts


def natural_key(path: str) -> list:
    """chapter_2 before chapter_10; files in a folder before its subfolders."""
    parts = path.lower().split("/")
    key: list = []
    for index, part in enumerate(parts):
        is_file = index == len(parts) - 1
        key.append(
            (0 if is_file else 1, [int(t) if t.isdigit() else t for t in _split_digits(part)])
        )
    return key


def _split_digits(text: str) -> list[str]:
    return [token for token in re.split(r"(\d+)", text) if token]


def parse_item_file(source: str, text: str, program: ParsedProgram, label: str = "") -> ParsedItem:
    """Parse one item's file as an import does (also used by browser edits, so they match).

    Its warnings go to PROGRAM; an item without a title line takes LABEL (its table of
    contents label) or a title made from the file name. Refusals raise ImportRefused.
    """

    if not text.strip():
        program.warnings.append(Warning(source, None, "the file is empty"))
    try:
        item = parse_item(text, source=source)
    except RecursionError:
        raise ImportRefused("the Markdown is nested too deeply to read", source=source) from None
    except Exception as exc:
        # A parser bug must not become a traceback for the person importing.
        raise ImportRefused(
            f"could not be parsed ({type(exc).__name__}: {exc})", source=source
        ) from None
    item.source = source
    if not item.title:
        item.title = label or _humanise(PurePosixPath(source).stem)
    program.markdown[source] = text
    program.warnings.extend(item.warnings)
    return item


def _chapters_from_syllabus(syllabus: Syllabus, program: ParsedProgram) -> None:
    """A file organised by weeks: its chapters of week items (see `weeks.py`)."""
    program.warnings.extend(syllabus.warnings)
    for week_chapter in syllabus.chapters:
        chapter = ParsedChapter(number=week_chapter.number, title=week_chapter.title)
        program.chapters.append(chapter)
        for week in week_chapter.items:
            program.markdown[week.source] = week.text
            chapter.items.append(week.item)


def _chapters_from_toc(toc: TableOfContents, texts: dict[str, str], program: ParsedProgram) -> None:
    listed: set[str] = set()
    # Files some entry links to: an entry linking outside may only claim a file none lists.
    claimed = _linked_files(toc, texts)
    by_number: dict[int, ParsedChapter] = {}
    for toc_chapter in toc.chapters:
        chapter = by_number.get(toc_chapter.number) if toc_chapter.number is not None else None
        if chapter is not None:
            program.warnings.append(
                Warning(
                    "readme.md",
                    toc_chapter.line,
                    f"chapter {toc_chapter.number} is listed twice; its entries join the first",
                )
            )
        else:
            chapter = ParsedChapter(number=toc_chapter.number, title=toc_chapter.title)
            program.chapters.append(chapter)
            if toc_chapter.number is not None:
                by_number[toc_chapter.number] = chapter
        for entry in toc_chapter.entries:
            item = _item_from_entry(entry, texts, program, listed, claimed, toc_chapter.number)
            if item is not None:
                chapter.items.append(item)
    _add_unlisted(texts, program, listed, toc.chapters)
    # An authored chapter whose files are all missing still shows (with its warnings).


def _linked_files(toc: TableOfContents, texts: dict[str, str]) -> set[str]:
    linked: set[str] = set()
    for toc_chapter in toc.chapters:
        for entry in toc_chapter.entries:
            resolution = resolve_reference(
                entry.target or "", from_source="readme.md", items=texts, files=texts
            )
            if resolution.kind == "item" and not resolution.note:
                linked.add(resolution.path)
    return linked


_NAME_TOKEN = re.compile(r"[a-z]+|\d+")


def _name_tokens(text: str) -> tuple:
    """ "Day 12" and "day_12" alike: words and numbers (02 is 2)."""
    return tuple(
        int(token) if token.isdigit() else token for token in _NAME_TOKEN.findall(text.lower())
    )


def _file_for_label(
    entry: TocEntry, texts: dict[str, str], taken: set[str], chapter_number: int | None
) -> str | None:
    """The one file not linked by any entry that the label names ("Day 12" -> day_12.md)."""
    wanted = _name_tokens(entry.label)
    if not wanted or not any(isinstance(token, int) for token in wanted):
        return None
    free = [source for source in texts if source not in taken and source not in README_NAMES]
    found = [source for source in free if _name_tokens(PurePosixPath(source).stem) == wanted]
    if not found and len(wanted) == 2 and wanted[0] == "day":
        # openshift_basics.md titled "# Day 12 - ..." is Day 12 too.
        found = [source for source in free if _title_day(texts[source]) == wanted[1]]
    if len(found) > 1 and chapter_number is not None:
        in_chapter = [s for s in found if _first_number(_top_folder(s)) == chapter_number]
        found = in_chapter or found
    return found[0] if len(found) == 1 else None


_DAY_TITLE = re.compile(r"\A\s*#\s+(?:\*\*)?day\s*0*(\d{1,4})\b", re.IGNORECASE)


def _title_day(text: str) -> int | None:
    match = _DAY_TITLE.match(text)
    return int(match.group(1)) if match else None


def _item_from_entry(
    entry: TocEntry,
    texts: dict[str, str],
    program: ParsedProgram,
    listed: set[str],
    claimed: set[str] | None = None,
    chapter_number: int | None = None,
) -> ParsedItem | None:
    target = entry.target or ""
    scheme = target.split(":", 1)[0].lower() if ":" in target else ""
    if scheme in ("http", "https"):
        source = _file_for_label(entry, texts, listed | (claimed or set()), chapter_number)
        if source is None:
            return external_item(entry)
        # The day is both a link outside and a file here: one item, from the file.
        listed.add(source)
        item = parse_item_file(source, texts[source], program, label=entry.label)
        item.url = target
        program.warnings.append(
            Warning(
                "readme.md",
                entry.line,
                f"'{entry.label}' links to {target} and {source} is in the program: "
                "imported from the file, the outside link kept on it",
            )
        )
        return item
    resolution = resolve_reference(target, from_source="readme.md", items=texts, files=texts)
    # A listed file is taken only as written: guessing by name would hide a broken TOC.
    if resolution.kind != "item" or resolution.note:
        message = f"'{entry.label}' links to {target}, which is missing; no item made"
        if resolution.kind == "blocked":
            message = resolution.note
        program.warnings.append(Warning("readme.md", entry.line, message))
        return None
    source = resolution.path
    if source in listed:
        program.warnings.append(
            Warning("readme.md", entry.line, f"{source} is listed twice; kept the first")
        )
        return None
    listed.add(source)
    item = parse_item_file(source, texts[source], program, label=entry.label)
    _check_label(entry, item, program)
    return item


def _check_label(entry: TocEntry, item: ParsedItem, program: ParsedProgram) -> None:
    """A "Day 12" label linking to day_16.md titled Day 16: the file wins, with a warning."""
    label_number = _first_number(entry.label)
    if label_number is None or item.number is None or label_number == item.number:
        return
    program.warnings.append(
        Warning(
            "readme.md",
            entry.line,
            f"the table of contents says '{entry.label}' but {item.source} is titled "
            f"'{item.raw_title.lstrip('# ').strip()}'; the file's title is used",
        )
    )


def _first_number(text: str) -> int | None:
    match = _NUMBER.search(text)
    return int(match.group()) if match else None


def external_item(entry: TocEntry) -> ParsedItem:
    """A table of contents entry linking outside the program: title, emoji, number from it."""
    description = entry.description
    shortcodes = SHORTCODE.findall(description + " " + entry.label)
    title = plain(description) or plain(entry.label)
    label_kind = entry.label.lower()
    number = _first_number(entry.label) if label_kind.startswith("day") else None
    return ParsedItem(
        source="",
        kind=ItemKind.EXTERNAL,
        number=number,
        title=title,
        emoji="".join(emoji_lib.emojize(code, language="alias") for code in shortcodes[:1]),
        raw_title=entry.label,
        url=entry.target or "",
    )


def _add_unlisted(
    texts: dict[str, str], program: ParsedProgram, listed: set[str], toc_chapters: list[TocChapter]
) -> None:
    """Files in the tree the TOC forgot: imported under their folder's chapter, with a warning."""
    by_folder: dict[str, ParsedChapter] = {}
    for chapter in program.chapters:
        for item in chapter.items:
            if item.source:
                by_folder.setdefault(_top_folder(item.source), chapter)
    by_number = {c.number: c for c in reversed(program.chapters) if c.number is not None}
    for source in texts:
        if source in listed or source in README_NAMES:
            continue
        folder = _top_folder(source)
        # chapter_03/ joins "Chapter 03" even when the TOC lists only outside links there.
        number = _first_number(folder)
        found = by_folder.get(folder) or (by_number.get(number) if number is not None else None)
        if found is not None:
            chapter = found
        else:
            chapter = ParsedChapter(
                number=_first_number(folder), title=_humanise(folder or "Other")
            )
            program.chapters.append(chapter)
            by_folder[folder] = chapter
        item = parse_item_file(source, texts[source], program)
        chapter.items.append(item)
        program.warnings.append(
            Warning(source, None, "not listed in readme.md; imported at the end of its chapter")
        )


def _warn_repeated_days(program: ParsedProgram) -> None:
    """Day numbers name a day of the program: a repeat is a mistake worth telling the author."""
    seen: dict[int, ParsedItem] = {}
    for item in program.items:
        if item.kind != ItemKind.DAY or item.number is None:
            continue
        first = seen.setdefault(item.number, item)
        if first is not item:
            program.warnings.append(
                Warning(
                    item.source,
                    None,
                    f"day {item.number} appears twice ({first.source or first.url} and "
                    f"{item.source or item.url})",
                )
            )


def _top_folder(source: str) -> str:
    parts = source.split("/")
    return parts[0] if len(parts) > 1 else ""


def _chapters_from_folders(
    texts: dict[str, str], program: ParsedProgram, readme: str | None
) -> None:
    """No table of contents: one chapter per top-level folder, files in natural order."""
    for source in texts:  # already in natural order
        if source == readme:
            continue
        folder = _top_folder(source)
        title = _humanise(folder) if folder else _humanise(program.tree.name)
        if not program.chapters or program.chapters[-1].title != title:
            program.chapters.append(ParsedChapter(number=_first_number(folder), title=title))
        program.chapters[-1].items.append(parse_item_file(source, texts[source], program))


def _humanise(name: str) -> str:
    words = re.sub(r"[_\-]+", " ", name).strip()
    return words[:1].upper() + words[1:] if words else "Program"


def _resolve_links(program: ParsedProgram) -> None:
    """Warn about every link that is blocked, missing or guessed; keep the assets referenced."""
    sources = program.item_sources
    files = program.tree.files
    for source in sorted(sources, key=natural_key):
        for reference in scan_references(program.markdown[source]):
            resolution = resolve_reference(
                reference.url, from_source=source, items=sources, files=files
            )
            if resolution.note:
                program.warnings.append(Warning(source, reference.line, resolution.note))
            if resolution.kind == "asset" and resolution.path not in program.assets:
                data = files[resolution.path]
                program.assets[resolution.path] = ParsedAsset(
                    path=resolution.path,
                    content=data,
                    content_type=content_type_for(resolution.path),
                    sha256=hashlib.sha256(data).hexdigest(),
                )
