"""The program's `readme.md` as a table of contents: its title, chapters in order, and the entries
(label, link target, description) listed under each chapter heading.

Only the text is read here; whether a target exists is decided by the program builder.
"""

import re
from dataclasses import dataclass, field

from curriculum.markdown.structure import Warning

_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_CHAPTER = re.compile(
    r"^[*_\s]*chapter\s+(\d+)[*_\s]*(?:[:.\-\u2013\u2014][*_\s]*)?(.*?)[*_\s]*$", re.IGNORECASE
)
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(.*\S)\s*$")
_LINK = re.compile(r"\[(?P<label>[^\]]*)\]\(\s*<?(?P<target>[^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
_BRACKET_ONLY = re.compile(r"\[(?P<label>[^\]]+)\](?!\()")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
# What joins a link to its description: "):** ", "** : "; never the colon of ":fire:".
_SEPARATOR = re.compile(r"^[\s*_]*(?::(?![a-z0-9_+\-]+:))?[\s*_]*")
SHORTCODE = re.compile(r":[a-z0-9_+\-]+:")


def strip_shortcodes(text: str) -> str:
    return re.sub(r"\s{2,}", " ", SHORTCODE.sub("", text)).strip()


def plain(text: str) -> str:
    """Markdown emphasis and shortcodes off a one-line label or title."""
    text = strip_shortcodes(text)
    text = re.sub(r"(\*\*|__|\*|`)", "", text)
    return text.strip(" :-\t")


@dataclass
class TocEntry:
    label: str
    target: str | None  # None when the entry has no link
    description: str  # as authored after the link, emoji shortcodes included
    line: int


@dataclass
class TocChapter:
    number: int | None
    title: str
    line: int
    entries: list[TocEntry] = field(default_factory=list)


@dataclass
class TableOfContents:
    title: str
    chapters: list[TocChapter]
    warnings: list[Warning]


def parse_toc(text: str, *, source: str = "readme.md") -> TableOfContents:
    title = ""
    chapters: list[TocChapter] = []
    warnings: list[Warning] = []
    current: TocChapter | None = None
    current_level = 0
    in_fence = False
    for number, line in enumerate(text.split("\n"), start=1):
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        heading = _HEADING.match(line)
        if heading:
            level, words = len(heading.group(1)), heading.group(2)
            chapter = _CHAPTER.match(re.sub(r"(\*\*|__)", "", words))
            if chapter:
                current = TocChapter(int(chapter.group(1)), plain(chapter.group(2)), number)
                current_level = level
                chapters.append(current)
            elif level == 1 and not title:
                title = plain(words)
            elif current is not None and level <= current_level:
                current = None  # "## Contribution" after the last chapter ends it
            continue
        if current is None:
            continue
        item = _LIST_ITEM.match(line)
        if item:
            entry = _entry(item.group(1), number, source, warnings)
            if entry:
                current.entries.append(entry)
    return TableOfContents(title=title, chapters=chapters, warnings=warnings)


def _entry(body: str, line: int, source: str, warnings: list[Warning]) -> TocEntry | None:
    link = _LINK.search(body)
    if link:
        description = body[link.end() :]
        return TocEntry(
            label=plain(link.group("label")),
            target=link.group("target").strip(),
            description=_SEPARATOR.sub("", description).strip(),  # shortcodes kept: the emoji
            line=line,
        )
    bracket = _BRACKET_ONLY.search(body)
    label = plain(bracket.group("label")) if bracket else plain(body)
    warnings.append(
        Warning(source, line, f"table of contents entry '{label}' has no link; no item made")
    )
    return None
