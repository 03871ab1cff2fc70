"""Text helpers the parser's passes share: emoji, titles, normalised labels, numbers."""

from __future__ import annotations

import re
import unicodedata

import emoji

TITLE_MAX_CHARS = 200
_SHORTCODE = re.compile(r":[a-zA-Z0-9_+\-]+:")
_TRAILING_SHORTCODE = re.compile(r":[a-zA-Z0-9_+\-]+:$")
_NUMBERED_HEADING = re.compile(
    r"(?P<num>\d{1,4}|(?=[IVXLCDM])M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3}))"
    r"\s*[.)]\s*(?P<rest>\S.*)",
    re.DOTALL,
)


def _collapse_spaces(text: str) -> str:
    return " ".join(text.split())


def _strip_emoji(text: str) -> str:
    """Remove emoji characters and known `:shortcode:`s (unknown ones may be real text)."""
    without_shortcodes = _SHORTCODE.sub(
        lambda m: "" if emoji.emojize(m.group(0), language="alias") != m.group(0) else m.group(0),
        text,
    )
    return emoji.replace_emoji(without_shortcodes, replace="").replace("\ufe0f", "")


def _heading_label(text: str) -> str:
    """Normalised heading text for the registry: "## **Wrapping Up:** :hourglass:" -> "wrapping up"."""
    label = _collapse_spaces(_strip_emoji(text)).strip(" \t*_:;.,!-–—").casefold()
    numbered = _NUMBERED_HEADING.fullmatch(label.upper())
    if numbered:
        label = numbered.group("rest").casefold().strip(" \t*_:;.,!-–—")
    return label


def _ends_with_question_mark(text: str) -> bool:
    return _strip_emoji(text).rstrip(" \t*_)").endswith(("?", "？", "؟"))


def _block_title(text: str) -> str:
    title = _collapse_spaces(emoji.emojize(text, language="alias"))
    if title.endswith(":") and not _TRAILING_SHORTCODE.search(title):
        title = title.rstrip(" :")  # "Goals:" -> "Goals", but ":unknown_code:" stays whole
    if len(title) > TITLE_MAX_CHARS:
        title = title[: TITLE_MAX_CHARS - 1].rstrip() + "…"
    return title


def _normalise(text: str) -> str:
    """What keys compare: NFKC, case-folded, whitespace collapsed."""
    return _collapse_spaces(unicodedata.normalize("NFKC", text).casefold())


def _parse_number(numeral: str) -> int:
    if numeral.isdigit():
        return int(numeral)
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
    total = 0
    for here, after in zip(numeral, [*numeral[1:], ""], strict=True):
        value = values[here]
        total += -value if after and values[after] > value else value
    return total
