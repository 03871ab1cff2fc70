"""Pass 1 of the parser: markdown-it tokens -> units (heading, paragraph, list item, quote...)
with their source line ranges, disjoint and covering every non-blank line.

A list item is split into its own lines and its nested items only when a nested item must stand
alone (a `- [ ]` checklist item, a meeting request, or in a syllabus a link of its own).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

from .text import _collapse_spaces

# "ask your mentor to arrange this", "ask him to schedule a meeting with the RAMAD",
# "your mentor will set up a call with the client team".
_MEETING_REQUEST = re.compile(
    r"\bask\s+(?:(?:your|the|my)\s+)?(?:mentor|manager|team\s*lead(?:er)?|buddy|him|her|them)\s+"
    r"(?:to|if\s+(?:he|she|they)\s+can)\s+(?:arrange|schedule|set\s*up|organi[sz]e|book|coordinate)\b"
    r"|\b(?:mentor|he|she|they)\s+(?:will|should|can|must)\s+(?:arrange|schedule|set\s*up|book)\s+"
    r"(?:a|an|the)\s+(?:\w+\s+){0,2}?(?:meeting|call|session|sync|meetup|introduction)\b",
    re.IGNORECASE,
)
_TASK_MARKER = re.compile(r"\[([ xX])\](?:[ \t]|$)")


class _UnitType(Enum):
    HEADING = "heading"
    PARAGRAPH = "paragraph"
    LIST_ITEM = "list_item"
    QUOTE = "quote"
    CONTINUATION = "continuation"  # the lines after the nested items of a split list item
    OTHER = "other"  # fence, table, raw HTML, hr, lines no token covers


@dataclass
class _Link:
    text: str
    url: str
    description: str = ""  # the text after the link, for a resource line


@dataclass
class _Unit:
    type: _UnitType
    start: int  # 0-based first line
    end: int  # 0-based last line, inclusive, never blank
    text: str = ""  # plain text (markup removed); for a list item, its own lines only
    level: int = 0  # heading level
    number: int | None = None  # an ordered list item's number
    checked: bool | None = None  # a "- [ ]" / "- [x]" item
    leading_link: _Link | None = None
    urls: list[str] = field(default_factory=list)


def _build_markdown_it() -> MarkdownIt:
    # Same preset as render.py, so structure and display agree; linkify needs a package we don't
    # ship and adds nothing to structure.
    md = MarkdownIt("gfm-like", options_update={"linkify": False})
    md.disable("linkify")
    return md


_MD = _build_markdown_it()


def _is_blank(line: str) -> bool:
    return not line.strip()


def _units(lines: list[str], text: str, *, split_links: bool = False) -> list[_Unit]:
    """Units in source order, disjoint, covering every non-blank line.

    With SPLIT_LINKS (a syllabus), a nested list item that starts with a link stands alone, so
    it can be a resource of its own."""
    root = SyntaxTreeNode(_MD.parse(text))
    units: list[_Unit] = []
    for node in root.children:
        units.extend(_node_units(node, split_links))
    return _fill_gaps(_tidy(units, lines), lines)


def _node_units(node: SyntaxTreeNode, split_links: bool = False) -> Iterator[_Unit]:
    if node.map is None:
        return
    start, end = node.map[0], node.map[1] - 1
    if node.type == "heading":
        summary = _inline_summary(node)
        yield _Unit(
            _UnitType.HEADING,
            start,
            end,
            summary.text,
            level=int(node.tag[1:]),
            leading_link=summary.leading_link,  # "# [Click here](https://...)": a link-only file
        )
    elif node.type == "paragraph":
        summary = _inline_summary(node)
        yield _Unit(
            _UnitType.PARAGRAPH,
            start,
            end,
            summary.text,
            leading_link=summary.leading_link,
            urls=summary.urls,
        )
    elif node.type in ("bullet_list", "ordered_list"):
        for item in node.children:
            yield from _list_item_units(item, split_links)
    elif node.type == "blockquote":
        summary = _inline_summary(node)
        yield _Unit(_UnitType.QUOTE, start, end, summary.text, urls=summary.urls)
    else:
        yield _Unit(_UnitType.OTHER, start, end, _text_of_leaf(node))


def _list_item_units(item: SyntaxTreeNode, split_links: bool = False) -> Iterator[_Unit]:
    """One unit per item, or, when a nested item must stand alone, the item's own lines, then
    its nested items (recursively), then any lines after them."""
    if item.map is None:
        return
    start, end = item.map[0], item.map[1] - 1
    own = _inline_summary(item, skip_lists=True)
    first_inline = _first_inline_content(item)
    task = _TASK_MARKER.match(first_inline)
    unit = _Unit(
        _UnitType.LIST_ITEM,
        start,
        end,
        _TASK_MARKER.sub("", own.text, count=1).strip() if task else own.text,
        number=_item_number(item),
        checked=(task.group(1) != " ") if task else None,
        leading_link=own.leading_link,
        urls=_inline_summary(item).urls,
    )
    nested_lists = [child for child in item.children if child.type.endswith("_list")]
    if not any(
        _must_stand_alone(nested, split_links) for lst in nested_lists for nested in lst.children
    ):
        yield unit
        return
    first_nested = nested_lists[0].map[0] if nested_lists[0].map else end + 1
    unit.end = first_nested - 1
    yield unit
    for child in item.children:
        if child.map is None or child.map[0] < first_nested:
            continue
        if child.type.endswith("_list"):
            for nested in child.children:
                yield from _list_item_units(nested, split_links)
        else:
            text = _text_of_leaf(child)
            yield _Unit(_UnitType.CONTINUATION, child.map[0], child.map[1] - 1, text)


def _must_stand_alone(item: SyntaxTreeNode, split_links: bool = False) -> bool:
    if _TASK_MARKER.match(_first_inline_content(item)):
        return True
    own = _inline_summary(item, skip_lists=True)
    if _MEETING_REQUEST.search(own.text):
        return True
    if split_links and own.leading_link is not None:
        return True
    return any(
        _must_stand_alone(nested, split_links)
        for child in item.children
        if child.type.endswith("_list")
        for nested in child.children
    )


def _item_number(item: SyntaxTreeNode) -> int | None:
    if item.parent is None or item.parent.type != "ordered_list":
        return None
    return int(item.info) if item.info.isdigit() else None  # markdown-it keeps "21" in `info`


def _first_inline_content(node: SyntaxTreeNode) -> str:
    for child in node.children:
        if child.type == "paragraph" and child.children:
            return child.children[0].content
        if child.type != "paragraph":
            return ""
    return ""


def _text_of_leaf(node: SyntaxTreeNode) -> str:
    if node.type in ("fence", "code_block", "html_block"):
        return node.content
    return _inline_summary(node).text


@dataclass
class _InlineSummary:
    text: str
    urls: list[str]
    leading_link: _Link | None


def _inline_summary(node: SyntaxTreeNode, *, skip_lists: bool = False) -> _InlineSummary:
    """Plain text, link URLs and the leading link ("[title](url) - description") of a block.

    Iterative walk: nesting depth is bounded by markdown-it's maxNesting, but a loop costs nothing.
    """
    parts: list[str] = []
    urls: list[str] = []
    leading: _Link | None = None
    link_text_start: int | None = None
    seen_text_before_link = False
    stack = list(reversed(node.children))
    while stack:
        current = stack.pop()
        if isinstance(current, tuple):  # the marker pushed after a link's children
            _, url = current
            if leading is None and link_text_start is not None:
                leading = _Link("".join(parts[link_text_start:]).strip(), url)
                link_text_start = len(parts)
            continue
        kind = current.type
        if skip_lists and kind.endswith("_list"):
            continue
        if kind in ("text", "code_inline"):
            if current.content.strip() and link_text_start is None and leading is None:
                seen_text_before_link = True
            parts.append(current.content)
        elif kind in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif kind == "image":
            parts.append(str(current.attrs.get("alt", "") or ""))
            urls.append(str(current.attrs.get("src", "")))
        elif kind == "fence" or kind == "code_block":
            parts.append(current.content)
        elif kind == "link":
            url = str(current.attrs.get("href", ""))
            urls.append(url)
            if leading is None and not seen_text_before_link and link_text_start is None:
                link_text_start = len(parts)
                stack.append(("link_end", url))  # type: ignore[arg-type]
            stack.extend(reversed(current.children))
        else:
            if kind in ("paragraph", "heading", "list_item", "table", "tr", "blockquote"):
                parts.append(" ")
            stack.extend(reversed(current.children))
    text = _collapse_spaces("".join(parts))
    if leading is not None and link_text_start is not None:
        leading.description = _collapse_spaces("".join(parts[link_text_start:])).lstrip(" -–—:.,|)")
    return _InlineSummary(text, urls, leading)


def _tidy(units: list[_Unit], lines: list[str]) -> list[_Unit]:
    """Trim blank lines off unit ends, and make ranges disjoint and ordered (defensive)."""
    tidy: list[_Unit] = []
    last_end = -1
    for unit in units:
        unit.start = max(unit.start, last_end + 1)
        unit.end = min(unit.end, len(lines) - 1)
        while unit.end >= unit.start and _is_blank(lines[unit.end]):
            unit.end -= 1
        while unit.start <= unit.end and _is_blank(lines[unit.start]):
            unit.start += 1
        if unit.start > unit.end:
            continue
        tidy.append(unit)
        last_end = unit.end
    return tidy


def _fill_gaps(units: list[_Unit], lines: list[str]) -> list[_Unit]:
    """Lines markdown-it gives no token (reference definitions...) become OTHER units."""
    filled: list[_Unit] = []
    next_line = 0
    for unit in [*units, None]:
        gap_end = (unit.start if unit else len(lines)) - 1
        gap_start = next_line
        while gap_start <= gap_end and _is_blank(lines[gap_start]):
            gap_start += 1
        while gap_end >= gap_start and _is_blank(lines[gap_end]):
            gap_end -= 1
        if gap_start <= gap_end:
            gap_text = "\n".join(lines[gap_start : gap_end + 1])
            filled.append(_Unit(_UnitType.OTHER, gap_start, gap_end, gap_text))
        if unit is not None:
            filled.append(unit)
            next_line = unit.end + 1
    return filled
