"""A program in one Markdown file, organised by weeks (or modules, parts, phases, units).

`## Week 1: ...` headings become items (days of the program, numbered by the week), grouped into
chapters where the file groups them (`## Phase 1` above `### Week 1`). Inside a week, labelled
bullets are structure (`- **Chapter 1:** ...` a section, `- **Exercise:** ...` a question,
`- **Showcase:** ...` an action item, links resources; see `curriculum.markdown.recognise`).

No line is lost: text before the first week (or between a chapter heading and its first week)
becomes an item of its own, titled by its heading. Every item's Markdown is its own lines of the
file, so warnings name the file and its real line.
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from curriculum.markdown.parse import parse_item
from curriculum.markdown.structure import ItemKind, ParsedItem, Warning

from .toc import plain

_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_WEEK = re.compile(
    r"(?P<label>week|module|part|phase|unit|stage|sprint)\s*(?P<number>\d{1,3})\b"
    r"\s*(?:[:.\-\u2013\u2014]\s*)?(?P<rest>.*)",
    re.IGNORECASE,
)


@dataclass
class WeekItem:
    source: str  # a name of its own beside the file ("syllabus.week-01.md")
    text: str
    offset: int  # lines before it in the file
    item: ParsedItem


@dataclass
class WeekChapter:
    number: int | None
    title: str
    items: list[WeekItem] = field(default_factory=list)


@dataclass
class Syllabus:
    title: str
    chapters: list[WeekChapter]
    warnings: list[Warning]


@dataclass
class _Heading:
    index: int  # 0-based line
    level: int
    text: str  # plain


def _headings(lines: list[str]) -> list[_Heading]:
    found: list[_Heading] = []
    in_fence = False
    for index, line in enumerate(lines):
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        match = None if in_fence else _HEADING.match(line)
        if match:
            found.append(_Heading(index, len(match.group(1)), plain(match.group(2))))
    return found


def week_level(headings: list[_Heading]) -> int | None:
    """The deepest heading level with at least two week/module/part headings, or None."""
    levels = Counter(h.level for h in headings if h.level > 1 and _WEEK.fullmatch(h.text))
    deep = [level for level, count in levels.items() if count >= 2]
    return max(deep) if deep else None


def split_syllabus(text: str, *, source: str) -> Syllabus | None:
    """The file as chapters of week items, or None when it is not organised by weeks."""
    lines = text.split("\n")
    headings = _headings(lines)
    level = week_level(headings)
    if level is None:
        return None
    title = next((h.text for h in headings if h.level == 1), "")
    # Chapter headings: the nearest level above the weeks (the title excepted), if any.
    above = [h.level for h in headings if 1 < h.level < level]
    chapter_level = max(above) if above else None
    cuts = [h for h in headings if h.level <= level and (h.level > 1 or h is headings[0])]
    if not cuts or (cuts[0].index > 0 and any(line.strip() for line in lines[: cuts[0].index])):
        cuts.insert(0, _Heading(0, 1, title))
    syllabus = Syllabus(title=title, chapters=[], warnings=[])
    names: Counter[str] = Counter()
    for position, heading in enumerate(cuts):
        end = cuts[position + 1].index if position + 1 < len(cuts) else len(lines)
        segment = lines[heading.index : end]
        if heading.level == chapter_level:
            week = _WEEK.fullmatch(heading.text)
            number = int(week.group("number")) if week else None
            syllabus.chapters.append(WeekChapter(number, _title_of(heading.text)))
        if not any(line.strip() for line in segment[1:]) and heading.level != level:
            continue  # a heading alone: the chapter's title says it all
        name = _segment_name(heading, level)
        names[name] += 1
        if names[name] > 1:
            name = f"{name}-{names[name]}"
        if not syllabus.chapters:
            syllabus.chapters.append(WeekChapter(None, title or "Program"))
        week_item = _week_item(source, name, segment, heading, level, syllabus.warnings)
        syllabus.chapters[-1].items.append(week_item)
    _warn_repeated_numbers(syllabus, source)
    return syllabus


def _segment_name(heading: _Heading, level: int) -> str:
    week = _WEEK.fullmatch(heading.text)
    if week and heading.level == level:
        return f"{week.group('label').lower()}-{int(week.group('number')):02d}"
    slug = re.sub(r"[^a-z0-9]+", "-", heading.text.lower()).strip("-")[:40]
    return slug or "intro"


def _title_of(text: str) -> str:
    week = _WEEK.fullmatch(text)
    return (week.group("rest").strip(" :-") if week else "") or text


def _week_item(
    source: str,
    name: str,
    segment: list[str],
    heading: _Heading,
    level: int,
    warnings: list[Warning],
) -> WeekItem:
    path = PurePosixPath(source)
    own = str(path.with_name(f"{path.stem}.{name}{path.suffix or '.md'}"))
    text = "\n".join(segment).rstrip("\n") + "\n"
    item = parse_item(
        text, source=own, title_level=heading.level, syllabus=True, default_kind=ItemKind.DAY
    )
    week = _WEEK.fullmatch(heading.text)
    if week and heading.level == level:
        item.kind = ItemKind.DAY
        item.number = int(week.group("number"))
        rest = week.group("rest").strip(" :-")
        if rest:
            item.title = rest
    for warning in item.warnings:
        line = None if warning.line is None else warning.line + heading.index
        warnings.append(Warning(source, line, warning.message))
    item.warnings = []
    return WeekItem(source=own, text=text, offset=heading.index, item=item)


def _warn_repeated_numbers(syllabus: Syllabus, source: str) -> None:
    seen: dict[int, str] = {}
    for chapter in syllabus.chapters:
        for week in chapter.items:
            number = week.item.number
            if number is None:
                continue
            if number in seen:
                syllabus.warnings.append(
                    Warning(
                        source,
                        week.offset + 1,
                        f"week {number} appears twice ({seen[number]} and {week.item.title})",
                    )
                )
            else:
                seen[number] = week.item.title
