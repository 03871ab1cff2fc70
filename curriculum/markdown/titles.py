"""An item's title line and kind: "# Day 03 - Introduction to ... :elephant:" -> 3, the title,
the emoji; the kind from the file name, else the title's label."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

import emoji

from .structure import ItemKind
from .text import _TRAILING_SHORTCODE, _collapse_spaces

_TITLE = re.compile(
    r"(?P<label>day|(?:big\s+)?(?:practical\s+|final\s+)?ex(?:c)?ercise|show\s*case)\b"
    r"\s*(?P<number>\d{1,4})?\s*(?:[-–—:.|]\s*)?(?P<rest>.*)",
    re.IGNORECASE | re.DOTALL,
)
_KIND_BY_FILE_NAME: tuple[tuple[re.Pattern[str], ItemKind], ...] = (
    (re.compile(r"template"), ItemKind.TEMPLATE),
    (re.compile(r"^day[_\- ]?\d+"), ItemKind.DAY),
    (re.compile(r"ex(?:c)?ercise"), ItemKind.EXERCISE),
    (re.compile(r"show_?case"), ItemKind.SHOWCASE),
)
_KIND_BY_TITLE_LABEL = {"day": ItemKind.DAY, "showcase": ItemKind.SHOWCASE}


@dataclass
class _Title:
    number: int | None
    title: str
    emoji: str
    label: str  # "day", "practical exercise", ... ("" when the title has none)


def _parse_title(text: str) -> _Title:
    """ "Day 03 - Introduction to ... :elephant:" -> 3, "Introduction to ...", "🐘"."""
    body, emoji_chars = _split_trailing_emoji(_collapse_spaces(text))
    match = _TITLE.fullmatch(body)
    if match is None:
        return _Title(None, body, emoji_chars, "")
    number = int(match.group("number")) if match.group("number") else None
    rest = match.group("rest").strip()
    return _Title(number, rest or body, emoji_chars, _collapse_spaces(match.group("label")).lower())


def _split_trailing_emoji(text: str) -> tuple[str, str]:
    """Peel emoji (shortcodes or characters) off the end of a title."""
    found: list[str] = []
    body = text.rstrip()
    while body:
        shortcode = _TRAILING_SHORTCODE.search(body)
        if shortcode and emoji.emojize(shortcode.group(0), language="alias") != shortcode.group(0):
            found.insert(0, emoji.emojize(shortcode.group(0), language="alias"))
            body = body[: shortcode.start()].rstrip()
            continue
        last = emoji.emoji_list(body[-8:])
        if last and last[-1]["match_end"] == len(body[-8:]):
            found.insert(0, last[-1]["emoji"])
            body = body[: len(body) - len(last[-1]["emoji"])].rstrip()
            continue
        break
    return body, "".join(found)


def _item_kind(source: str, title: _Title) -> ItemKind | None:
    stem = PurePosixPath(source.replace("\\", "/")).stem.lower() if source else ""
    for pattern, kind in _KIND_BY_FILE_NAME:
        if stem and pattern.search(stem):
            return kind
    label = title.label.replace(" ", "")
    if label in _KIND_BY_TITLE_LABEL:
        return _KIND_BY_TITLE_LABEL[label]
    if "ercise" in label:
        return ItemKind.EXERCISE
    if "template" in title.title.lower():
        return ItemKind.TEMPLATE
    return None
