"""Patterns the parser recognises beyond headings and roles, kept apart from `parse.py`'s passes.

- near-miss link syntax on a resource line (`-[title] (url)`, `[title] (url)`, a link without its
  bullet right under a bulleted link, which would merge into it): repaired in the
  copy markdown-it tokenises (same lines, so line ranges still hold) and reported with its line;
- `## Exercise N: ...`: one question whatever its body, numbered sub-points are its parts;
- the bulleted labels of a week- or module-based syllabus (`- **Chapter 1:** ...`,
  `- **Exercise:** ...`, `- **Showcase:** ...`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .structure import BlockKind

# "[title] (url)" with a space before the parenthesis, or "-[title](url)" with no space after
# the bullet. Only URL-looking targets: "[1] (page 3)" in prose is not a link anyone meant.
_NEAR_MISS = re.compile(
    r"^(?P<indent>[ \t]*)(?P<bullet>[-+*](?P<gap>[ \t]*))?"
    r"\[(?P<label>[^\]\n]{2,})\](?P<space>[ \t]*)"
    r"\((?P<url>(?:https?://|www\.|\.{0,2}/)[^)\s]*)\)"
)
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")


@dataclass(frozen=True)
class NearMiss:
    line: int  # 0-based
    original: str
    repaired: str


def repair_near_misses(lines: list[str]) -> tuple[list[str], list[NearMiss]]:
    """Lines with near-miss links rewritten for tokenising, and what was rewritten where."""
    repaired = list(lines)
    found: list[NearMiss] = []
    in_fence = False
    for index, line in enumerate(lines):
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        match = _NEAR_MISS.match(line)
        if match is None:
            continue
        previous = _previous_bullet(lines, index)
        if match.group("bullet") is None and previous is not None:
            # "- [a](x)" then "[b](y)" on the next line: a lazy continuation that would merge
            # the second link into the first resource.
            fixed = f"{previous}[{match.group('label')}]({match.group('url')})"
            repaired[index] = fixed + line[match.end() :]
            found.append(NearMiss(index, line[: match.end()].strip(), fixed.strip()))
            continue
        bullet = match.group("bullet")
        glued_bullet = bullet is not None and not match.group("gap") and bullet[0] in "-+"
        if not (glued_bullet or match.group("space")):
            continue  # well-formed
        if bullet is not None and match.group("gap") == "" and bullet[0] == "*":
            continue  # "*[x](y)*" is emphasis around a link
        marker = f"{bullet[0]} " if bullet else ""
        fixed = f"{match.group('indent')}{marker}[{match.group('label')}]({match.group('url')})"
        repaired[index] = fixed + line[match.end() :]
        found.append(NearMiss(index, line[: match.end()].strip(), fixed.strip()))
    return repaired, found


_BULLET_LINK = re.compile(r"^(?P<marker>[ \t]*[-+*][ \t]+)\[")


def _previous_bullet(lines: list[str], index: int) -> str | None:
    """The bullet marker ("- ") of the line right above, when it is a list item with a link."""
    if index == 0:
        return None
    above = _BULLET_LINK.match(lines[index - 1])
    return above.group("marker") if above else None


# "Exercise 3: Kafka", "Excercise 3", "Exercise 3 - ..." (normalised heading text, lower case).
ONE_EXERCISE = re.compile(r"ex(?:c)?ercise\s*#?(?P<number>\d{1,4})(?:\s*[:.\-–—)]\s*(?P<rest>.*))?")

# A syllabus bullet's bold label, after markup is removed: "Chapter 1: Linux basics".
_SYLLABUS_LABEL = re.compile(
    r"(?P<label>chapters?|lessons?|topics?|sessions?|days?|exercises?|excercises?|assignments?"
    r"|homework|quiz|labs?|practice|tasks?|showcases?|presentations?|demos?|projects?"
    r"|deliverables?|readings?|resources?|links?|articles?|videos?|materials?|docs?"
    r"|documentation)\b\s*(?P<number>\d{1,4})?\s*[:.\-–—]\s*(?P<rest>.*)",
    re.IGNORECASE | re.DOTALL,
)
_SECTION_LABELS = {"chapter", "lesson", "topic", "session", "day"}
_QUESTION_LABELS = {"exercise", "excercise", "assignment", "homework", "quiz", "lab", "practice"}
_ACTION_LABELS = {"task", "showcase", "presentation", "demo", "project", "deliverable"}


@dataclass(frozen=True)
class SyllabusBullet:
    kind: BlockKind
    number: int | None
    rest: str


def syllabus_bullet(text: str, *, has_url: bool) -> SyllabusBullet | None:
    """What a labelled bullet of a syllabus is, or None when it has no known label."""
    match = _SYLLABUS_LABEL.match(text.strip(" *_"))
    if match is None:
        return None
    label = match.group("label").lower()
    label = label[:-1] if label.endswith("s") and label[:-1] in _ALL_SINGULAR else label
    number = int(match.group("number")) if match.group("number") else None
    rest = match.group("rest").strip()
    if label in _SECTION_LABELS:
        return SyllabusBullet(BlockKind.SECTION, number, rest)
    if label in _QUESTION_LABELS:
        return SyllabusBullet(BlockKind.QUESTION, number, rest)
    if label in _ACTION_LABELS:
        return SyllabusBullet(BlockKind.ACTION_ITEM, number, rest)
    if has_url:  # "Reading: [Title](url)"
        return SyllabusBullet(BlockKind.RESOURCE, number, rest)
    return None


_ALL_SINGULAR = (
    _SECTION_LABELS
    | _QUESTION_LABELS
    | _ACTION_LABELS
    | {
        "reading",
        "resource",
        "link",
        "article",
        "video",
        "material",
        "doc",
    }
)
