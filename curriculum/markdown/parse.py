"""One authored Markdown file -> `ParsedItem`: blocks in authored order, with warnings.

How it works, in three passes:

1. **Units** (`units.py`). markdown-it-py tokenises the text; each top-level block (heading,
   paragraph, list item, fence, table, quote, raw HTML) becomes a `_Unit` with its source line
   range (tokens carry `.map`). A list item is split into its own lines and its nested items only
   when a nested item must stand alone (a `- [ ]` checklist item or a meeting request). Lines no
   token covers (link reference definitions, say) become units too. Near-miss link lines are
   repaired in the copy that is tokenised (`recognise.py`).
2. **Classification.** Headings are looked up in a small registry (`_HEADING_RULES`) that names
   their *role* ("goals", "wrap-up", ...); a role (`_ROLE_RULES`) says what its list items and
   paragraphs become. Bold label paragraphs (`**Goals:**`, `:warning: **Note:**`) give a role to the
   list right below them. Anything unrecognised is TEXT.
3. **Blocks.** Consecutive units of a "content" kind merge into the block before them (a section
   heading with its prose, a note with its list); keys are derived at the end.

The title line and the item's kind are read in `titles.py`; shared text helpers are `text.py`.

Invariants (tested in tests/curriculum/test_parse*.py):
- faithful: every non-blank source line lies in exactly one block's [line, end_line] range, blocks
  are in source order and don't overlap, and `block.markdown` is exactly those source lines
  (after BOM removal and CRLF/CR -> LF, NUL -> U+FFFD, as markdown-it reads them);
- stable keys: `key` = kind + a slug and digest of the block's normalised identity text (case and
  whitespace don't matter; a section's number doesn't either), plus `-2`, `-3`... for repeats;
  unique within an item;
- oddities are `Warning`s with line numbers, never exceptions; `parse_item` never raises on any
  `str` and is deterministic.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from .recognise import ONE_EXERCISE, repair_near_misses, syllabus_bullet
from .structure import BlockKind, ItemKind, ParsedBlock, ParsedItem
from .structure import Warning as ParseWarning
from .text import (
    _NUMBERED_HEADING,
    _block_title,
    _collapse_spaces,
    _ends_with_question_mark,
    _heading_label,
    _normalise,
    _parse_number,
    _strip_emoji,
)
from .titles import _item_kind, _parse_title, _Title
from .units import _MEETING_REQUEST, _fill_gaps, _Link, _Unit, _units, _UnitType

# The importer refuses files over 1 MB; past twice that the parser stops looking for structure
# (one TEXT block keeps the page faithful) so that it stays fast whatever it is handed.
MAX_STRUCTURED_CHARS = 2_000_000
_SLUG_MAX_CHARS = 32


# --------------------------------------------------------------------------------------------
# Roles: what a heading (or a bold label) says about the content under it.
# --------------------------------------------------------------------------------------------


class Role(StrEnum):
    TITLE = "title"
    OVERVIEW = "overview"
    GOALS = "goals"
    NOTES = "notes"
    WRAP_UP = "wrap_up"
    QA = "qa"
    ACTION_ITEMS = "action_items"
    RESOURCES = "resources"
    EXERCISE = "exercise"
    ONE_EXERCISE = "one_exercise"  # "## Exercise 3: ...": the heading and its body are one question
    TASKS = "tasks"


@dataclass(frozen=True)
class _HeadingRule:
    role: Role
    pattern: re.Pattern[str]  # full match on the normalised heading text (see _heading_label)
    warn_if_empty: bool = False  # "## Goals" with no goal under it is worth a warning


def _rule(role: Role, pattern: str, *, warn_if_empty: bool = False) -> _HeadingRule:
    return _HeadingRule(role, re.compile(pattern), warn_if_empty)


# First match wins. Texts are normalised: lower case, no emoji, no leading number, no trailing ":".
_HEADING_RULES: tuple[_HeadingRule, ...] = (
    _rule(Role.OVERVIEW, r"overview"),
    _rule(
        Role.GOALS,
        r"(?:learning |today'?s |day )?(?:goals?|objectives?)(?: (?:of|for) (?:the day|today))?",
        warn_if_empty=True,
    ),
    _rule(Role.NOTES, r"notes?|important|warning|attention|pay attention|caution"),
    _rule(Role.WRAP_UP, r"wrap(?:ping)?[ -]?up(?: .*)?|reflections?", warn_if_empty=True),
    _rule(Role.QA, r"q ?(?:&|and) ?a(?: session)?|questions? (?:and|&) answers?"),
    _rule(Role.ACTION_ITEMS, r"action items?|next steps|to-?dos?|homework", warn_if_empty=True),
    _rule(
        Role.RESOURCES,
        r"(?:(?:recommended|additional|further|useful|extra) )?"
        r"(?:articles|videos|resources|reading|links|references|materials)"
        r"(?: (?:and|&) (?:articles|videos|resources|reading|links|references|materials))?",
        warn_if_empty=True,
    ),
    _rule(Role.EXERCISE, r"ex(?:c)?ercises?(?: \d+)?(?:\s*[:.\-–—].*)?", warn_if_empty=True),
    _rule(
        Role.EXERCISE, r"chapter \d+\s*[:.\-–—].*|questions|.*\banswer the following questions\b.*"
    ),
    _rule(Role.TASKS, r"tasks?|assignments?|instructions"),
)

# Roles a bold label paragraph may take (an "Overview" label or a "Tasks" label is just text).
_LABEL_ROLES = frozenset(
    {
        Role.GOALS,
        Role.NOTES,
        Role.WRAP_UP,
        Role.QA,
        Role.ACTION_ITEMS,
        Role.RESOURCES,
        Role.EXERCISE,
    }
)


@dataclass(frozen=True)
class _RoleRule:
    """What a role makes of the units under it.

    `content_kind` is the kind of the heading's own block and of plain content in scope (it merges
    into that block); `item` / `paragraph` pick a structural kind for a unit or return None (then
    the unit is content); `inherits` says whether unrecognised subheadings stay in the role;
    `counted` is the kind whose absence makes an empty-section warning.
    """

    content_kind: BlockKind
    item: Callable[[_Unit], BlockKind | None]
    paragraph: Callable[[_Unit], BlockKind | None]
    inherits: bool
    counted: BlockKind | None = None


def _never(_: _Unit) -> BlockKind | None:
    return None


def _always(kind: BlockKind) -> Callable[[_Unit], BlockKind | None]:
    return lambda _: kind


def _prompt_unless_intro(unit: _Unit) -> BlockKind | None:
    # "Discuss the following with your mentor:" introduces the prompts; it is not one.
    return None if unit.text.rstrip().endswith(":") else BlockKind.REFLECTION_PROMPT


def _question_if_asked(unit: _Unit) -> BlockKind | None:
    return BlockKind.QUESTION if _ends_with_question_mark(unit.text) else None


def _exercise_item(unit: _Unit) -> BlockKind | None:
    # "21.  What is HDFS? Explain its architecture." -- numbered items are the questions.
    return BlockKind.QUESTION if unit.number is not None else _question_if_asked(unit)


def _resource_if_linked(unit: _Unit) -> BlockKind | None:
    return BlockKind.RESOURCE if unit.leading_link is not None else None


_PLAIN = _RoleRule(BlockKind.TEXT, _never, _never, inherits=False)

_ROLE_RULES: dict[Role | None, _RoleRule] = {
    None: _PLAIN,
    Role.TITLE: _PLAIN,
    Role.OVERVIEW: _RoleRule(BlockKind.OVERVIEW, _never, _never, inherits=False),
    Role.GOALS: _RoleRule(
        BlockKind.TEXT, _always(BlockKind.GOAL), _never, inherits=False, counted=BlockKind.GOAL
    ),
    Role.NOTES: _RoleRule(BlockKind.NOTE, _never, _never, inherits=False),
    Role.WRAP_UP: _RoleRule(
        BlockKind.TEXT,
        _always(BlockKind.REFLECTION_PROMPT),
        _prompt_unless_intro,
        inherits=True,
        counted=BlockKind.REFLECTION_PROMPT,
    ),
    Role.QA: _RoleRule(BlockKind.QA, _never, _never, inherits=True),
    Role.ACTION_ITEMS: _RoleRule(
        BlockKind.TEXT,
        _always(BlockKind.ACTION_ITEM),
        _never,
        inherits=False,
        counted=BlockKind.ACTION_ITEM,
    ),
    Role.RESOURCES: _RoleRule(
        BlockKind.TEXT,
        _resource_if_linked,
        _resource_if_linked,
        inherits=False,
        counted=BlockKind.RESOURCE,
    ),
    Role.EXERCISE: _RoleRule(
        BlockKind.TEXT,
        _exercise_item,
        _question_if_asked,
        inherits=True,
        counted=BlockKind.QUESTION,
    ),
    # Steps of a task are content, but a step that asks something ("What is the namenode's
    # transaction count?") is a question the hire answers.
    Role.TASKS: _RoleRule(BlockKind.TEXT, _question_if_asked, _never, inherits=True),
    Role.ONE_EXERCISE: _RoleRule(BlockKind.QUESTION, _never, _never, inherits=True),
}

# Kinds that merge into the block before them when that block's content kind is the same.
_CONTENT_KINDS = frozenset({BlockKind.TEXT, BlockKind.OVERVIEW, BlockKind.NOTE, BlockKind.QA})


# "Note:", "Important:" at the start of a paragraph (emoji removed): a callout.
_NOTE_MARKER = re.compile(r"(?:notes?|important|warning|attention|pay attention|caution)\s*:", re.I)
# "[x](https://a.example/x](https://b.example))": an author pasted a link into a link's URL.
_MALFORMED_URL = re.compile(r"(?:\]|%5D)\(", re.IGNORECASE)


# --------------------------------------------------------------------------------------------
# Pass 2 and 3: classify units and build blocks
# --------------------------------------------------------------------------------------------


@dataclass
class _Draft:
    """A block under construction; keys are assigned once all drafts exist."""

    kind: BlockKind
    start: int
    end: int
    title: str
    identity: str  # what its key is derived from ("" -> the merged units' text)
    parent: int | None
    depth: int
    data: dict
    absorbs: BlockKind | None = None  # content units of this kind merge into it
    texts: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Scope:
    """A heading (or bold label) in force: its role, and the drafts it involves."""

    role: Role | None
    draft: int | None  # the heading's own draft: the parent of blocks under it
    origin: int | None  # the draft whose heading named the role (inherited by subheadings)
    level: int  # heading level; labels use 7 so that any heading ends them
    section: bool = False


_DOCUMENT = _Scope(None, None, None, 0)


class _Builder:
    """Turns units into drafts, tracking the enclosing headings and the role in force."""

    def __init__(self, source: str, *, syllabus: bool = False) -> None:
        self.source = source
        self.syllabus = syllabus  # a week of a syllabus: its labelled bullets are structure
        self.drafts: list[_Draft] = []
        self.warnings: list[ParseWarning] = []
        self.headings: list[_Scope] = []  # enclosing headings, outermost first
        self.label: _Scope | None = None  # a bold label's role, for the list right below it
        self.found: Counter[int] = Counter()  # origin draft -> structural blocks under it
        self.expecting: dict[int, BlockKind] = {}  # origin draft -> what it promised

    def scope(self) -> _Scope:
        if self.label is not None:
            return self.label
        return self.headings[-1] if self.headings else _DOCUMENT

    def parent_and_depth(self) -> tuple[int | None, int]:
        scopes = [*self.headings, *([self.label] if self.label else [])]
        enclosing = [scope.draft for scope in scopes if scope.draft is not None]
        return (enclosing[-1] if enclosing else None), len(enclosing)

    def add_title(self, unit: _Unit) -> None:
        data = {"level": 1, "role": Role.TITLE.value}
        self.new_draft(BlockKind.TEXT, unit, _block_title(unit.text), "title", data)
        self.headings.append(_Scope(Role.TITLE, None, None, 1))

    def add_heading(self, unit: _Unit) -> None:
        self.label = None
        while self.headings and self.headings[-1].level >= unit.level:
            self.headings.pop()
        enclosing = self.headings[-1] if self.headings else _DOCUMENT
        if enclosing.role == Role.ONE_EXERCISE and enclosing.draft is not None:
            self.extend(enclosing.draft, unit)  # "### Hints" under "## Exercise 2" is part of it
            return
        one = ONE_EXERCISE.fullmatch(_heading_label(unit.text))
        if one is not None:
            self.add_one_exercise(unit, enclosing, int(one.group("number")), one.group("rest"))
            return
        own = _heading_rule(unit.text)
        inherited = own is None and _ROLE_RULES[enclosing.role].inherits
        role = own.role if own else enclosing.role if inherited else None
        numbered = _NUMBERED_HEADING.fullmatch(_strip_emoji(unit.text).strip())
        is_section = _is_section(role, numbered is not None, enclosing)
        title = _block_title(numbered.group("rest") if is_section and numbered else unit.text)
        data: dict = {"level": unit.level}
        if role is not None:
            data["role"] = role.value
        if is_section and numbered:
            data["number"] = _parse_number(numbered.group("num"))
        content = BlockKind.TEXT if is_section else _ROLE_RULES[role].content_kind
        kind = BlockKind.SECTION if is_section else content
        index = self.new_draft(kind, unit, title, _normalise(title), data, absorbs=content)
        # "### Chapter 1: ..." under "## Exercise" is more of the same: the questions count there.
        same_role = own is not None and own.role == enclosing.role and enclosing.origin is not None
        origin = enclosing.origin if inherited or same_role else index if own else None
        counted = _ROLE_RULES[role].counted if role is not None else None
        if origin == index and own and own.warn_if_empty and counted:
            self.expecting[index] = counted
        self.headings.append(_Scope(role, index, origin, unit.level, is_section))

    def add_one_exercise(
        self, unit: _Unit, enclosing: _Scope, number: int, rest: str | None
    ) -> None:
        """ "## Exercise N: ..." is one question: its body (a paragraph, a list, code) merges into
        it, whatever its form; numbered sub-points ("1)", "2.") become its parts."""
        title = _block_title(_strip_emoji(unit.text).strip(" *_"))
        data: dict = {"level": unit.level, "role": Role.EXERCISE.value, "number": number}
        data["parts"] = []
        identity = _normalise(rest) if rest else _normalise(title)
        index = self.new_draft(BlockKind.QUESTION, unit, title, identity, data)
        if (
            enclosing.origin is not None
            and _ROLE_RULES[enclosing.role].counted == BlockKind.QUESTION
        ):
            self.found[enclosing.origin] += 1
        self.headings.append(_Scope(Role.ONE_EXERCISE, index, index, unit.level))

    def extend(self, index: int, unit: _Unit) -> None:
        draft = self.drafts[index]
        draft.end = unit.end
        draft.texts.append(unit.text)
        self.check_urls(unit)

    def add_label(self, unit: _Unit, role: Role) -> None:
        """A bold label ("**Goals:**", ":warning: **Note:**"): its role covers the list below it."""
        rule = _ROLE_RULES[role]
        data = {} if rule.content_kind == BlockKind.NOTE else {"role": role.value}
        kind = rule.content_kind or BlockKind.TEXT  # every label rule names its content kind
        index = self.new_draft(kind, unit, _block_title(unit.text), "", data, absorbs=kind)
        self.label = _Scope(role, index, index, 7)

    def add_unit(self, unit: _Unit) -> None:
        exercise = self.headings[-1] if self.headings else _DOCUMENT
        if exercise.role == Role.ONE_EXERCISE and exercise.draft is not None:
            self.extend(exercise.draft, unit)
            if unit.type == _UnitType.LIST_ITEM and unit.number is not None:
                part = {"number": unit.number, "title": _block_title(unit.text)}
                self.drafts[exercise.draft].data["parts"].append(part)
            return
        if unit.type not in (_UnitType.LIST_ITEM, _UnitType.CONTINUATION):
            self.label = None
        label_role = _label_role(unit)
        if label_role is not None:
            self.add_label(unit, label_role)
            return
        scope = self.scope()
        kind = self.classify(unit, scope.role)
        last = self.drafts[-1] if self.drafts else None
        if kind in _CONTENT_KINDS and last is not None and last.absorbs == kind:
            last.end = unit.end
            last.texts.append(unit.text)
            self.check_urls(unit)
            return
        title, identity, data = _describe(unit, kind)
        if self.syllabus and unit.type == _UnitType.LIST_ITEM:
            title, data = _syllabus_describe(unit, kind, title, data)
        self.new_draft(
            kind, unit, title, identity, data, absorbs=kind if kind in _CONTENT_KINDS else None
        )
        if scope.origin is not None and _ROLE_RULES[scope.role].counted == kind:
            self.found[scope.origin] += 1

    def classify(self, unit: _Unit, role: Role | None) -> BlockKind:
        """Meeting requests first, then notes, then what the role makes of the unit."""
        if unit.type in (_UnitType.PARAGRAPH, _UnitType.LIST_ITEM) and _MEETING_REQUEST.search(
            unit.text
        ):
            return BlockKind.MEETING_REQUEST
        if unit.type in (_UnitType.PARAGRAPH, _UnitType.QUOTE) and _is_note(unit.text):
            return BlockKind.NOTE
        rule = _ROLE_RULES[role]
        kind: BlockKind | None = None
        if self.syllabus and role in (None, Role.TITLE) and unit.type == _UnitType.LIST_ITEM:
            bullet = syllabus_bullet(unit.text, has_url=bool(unit.urls))
            if bullet is not None:
                return bullet.kind
            if unit.leading_link is not None:
                return BlockKind.RESOURCE
        if unit.type == _UnitType.LIST_ITEM:
            kind = rule.item(unit)
        elif unit.type == _UnitType.PARAGRAPH:
            kind = rule.paragraph(unit)
        if kind is None and unit.checked is not None:
            kind = BlockKind.CHECKLIST_ITEM
        if role == Role.RESOURCES and unit.type == _UnitType.LIST_ITEM and kind is None:
            self.warn(unit.start, "a resource without a link at its start is kept as text")
        return kind or rule.content_kind

    def new_draft(
        self,
        kind: BlockKind,
        unit: _Unit,
        title: str,
        identity: str,
        data: dict,
        *,
        absorbs: BlockKind | None = None,
    ) -> int:
        self.check_urls(unit)
        parent, depth = self.parent_and_depth()
        draft = _Draft(kind, unit.start, unit.end, title, identity, parent, depth, data, absorbs)
        draft.texts.append(unit.text)
        self.drafts.append(draft)
        return len(self.drafts) - 1

    def check_urls(self, unit: _Unit) -> None:
        for url in unit.urls:
            if _MALFORMED_URL.search(url):
                self.warn(unit.start, f"a link URL looks malformed: {url[:120]!r}")

    def finish(self) -> None:
        """Warnings that need the whole file: empty sections, repeated numbers."""
        for origin, expected in self.expecting.items():
            if not self.found[origin]:
                draft = self.drafts[origin]
                what = expected.value.replace("_", " ")
                self.warn(draft.start, f"{draft.title!r} has no {what} under it")
        for kind in (BlockKind.SECTION, BlockKind.QUESTION):
            seen: set[int] = set()
            for draft in self.drafts:
                number = draft.data.get("number") if draft.kind == kind else None
                if number is None:
                    continue
                if number in seen:
                    self.warn(draft.start, f"{kind.value} number {number} is used twice")
                seen.add(number)

    def warn(self, line_index: int | None, message: str) -> None:
        line = None if line_index is None else line_index + 1
        self.warnings.append(ParseWarning(self.source, line, message))


def _syllabus_describe(unit: _Unit, kind: BlockKind, title: str, data: dict) -> tuple[str, dict]:
    """A syllabus bullet's title and data: "Chapter 1: Linux" is section 1 titled "Linux"."""
    bullet = syllabus_bullet(unit.text, has_url=bool(unit.urls))
    if bullet is None:
        return title, data
    data = dict(data)
    if bullet.number is not None and kind in (BlockKind.SECTION, BlockKind.QUESTION):
        data["number"] = bullet.number
    if kind == BlockKind.RESOURCE and "url" not in data and unit.urls:
        data = {"url": unit.urls[0], "description": ""}
    return (_block_title(bullet.rest) or title), data


def _is_section(role: Role | None, numbered: bool, enclosing: _Scope) -> bool:
    """A topic section: "## Tasks"; a numbered heading at the top level ("## 1. ...", "## II.");
    any heading right under "## Tasks" ("### 1. ...")."""
    if role == Role.TASKS:
        return True
    if role not in (None, Role.EXERCISE, Role.TASKS):
        return False
    if enclosing.role == Role.TASKS and enclosing.section:
        return True
    at_top = enclosing.level <= 1
    return numbered and at_top


def _heading_rule(text: str) -> _HeadingRule | None:
    label = _heading_label(text)
    return next((rule for rule in _HEADING_RULES if rule.pattern.fullmatch(label)), None)


def _label_role(unit: _Unit) -> Role | None:
    """The role of a bold label paragraph ("**Goals:**", "**⚠️ Note:**"), else None."""
    if unit.type != _UnitType.PARAGRAPH or len(unit.text) > 80:
        return None
    rule = _heading_rule(unit.text)
    if rule is None or rule.role not in _LABEL_ROLES:
        return None
    return rule.role


def _is_note(text: str) -> bool:
    return _NOTE_MARKER.match(_strip_emoji(text).lstrip(" *_")) is not None


def _describe(unit: _Unit, kind: BlockKind) -> tuple[str, str, dict]:
    """Title, key identity and data of a block that starts with `unit`."""
    title = _block_title(unit.text)
    data: dict = {}
    identity = ""  # the block's text
    if kind == BlockKind.RESOURCE and unit.leading_link is not None:
        link = unit.leading_link
        title = _block_title(link.text) or _block_title(link.url)
        data = {"url": link.url, "description": link.description}
        identity = link.url or link.text
    elif kind == BlockKind.QUESTION and unit.number is not None:
        data = {"number": unit.number}
    elif kind == BlockKind.CHECKLIST_ITEM:
        data = {"checked": bool(unit.checked)}
    elif kind == BlockKind.MEETING_REQUEST:
        match = _MEETING_REQUEST.search(unit.text)
        data = {"phrase": match.group(0) if match else ""}
    return title, identity, data


# --------------------------------------------------------------------------------------------
# Keys
# --------------------------------------------------------------------------------------------


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > _SLUG_MAX_CHARS:
            break
        slug = candidate
    return slug or words[0][:_SLUG_MAX_CHARS] if words else slug


def _assign_keys(drafts: list[_Draft], lines: list[str]) -> list[str]:
    """kind-slug-digest of the normalised identity; "-2", "-3"... for repeats, in source order."""
    keys: list[str] = []
    seen: Counter[str] = Counter()
    for draft in drafts:
        identity = _normalise(draft.identity or " ".join(draft.texts))
        if not identity:  # a rule, an empty HTML block: its source lines are all it has
            identity = _normalise("\n".join(lines[draft.start : draft.end + 1]))
        digest = hashlib.blake2s(identity.encode(), digest_size=4).hexdigest()
        slug = _slug(identity)
        base = f"{draft.kind.value}-{slug}-{digest}" if slug else f"{draft.kind.value}-{digest}"
        seen[base] += 1
        keys.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
    return keys


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------


def normalise_source(text: str) -> str:
    """The text as the parser (and markdown-it) reads it: no BOM, LF line ends, no NUL."""
    return (
        text.removeprefix("\ufeff")
        .replace("\r\n", "\n")
        .replace("\r", "\n")
        .replace("\0", "\ufffd")
    )


def parse_item(
    text: str,
    *,
    source: str = "",
    title_level: int = 1,
    syllabus: bool = False,
    default_kind: ItemKind | None = None,
) -> ParsedItem:
    """Parse one authored Markdown file into an item and its blocks (see the module docstring).

    A week of a single-file syllabus is parsed with its own heading's TITLE_LEVEL, SYLLABUS on
    (labelled bullets are structure) and a DEFAULT_KIND instead of a "cannot tell" warning.
    """
    warnings: list[ParseWarning] = []
    if "\0" in text:
        warnings.append(ParseWarning(source, _first_line_with(text, "\0"), "NUL bytes replaced"))
    normalised = normalise_source(text)
    lines = normalised.split("\n")
    builder = _Builder(source, syllabus=syllabus)
    if len(normalised) > MAX_STRUCTURED_CHARS:
        builder.warn(None, f"over {MAX_STRUCTURED_CHARS:,} characters: shown as plain text")
        units = _fill_gaps([], lines)
    else:
        tokenised, near_misses = repair_near_misses(lines)
        for miss in near_misses:
            builder.warn(
                miss.line,
                f"near-miss link syntax {miss.original!r} read as {miss.repaired!r}; "
                "write it that way",
            )
        units = _units(lines, "\n".join(tokenised), split_links=syllabus)
    if not units:
        builder.warn(None, "the file is empty")
    first = units[0] if units else None
    is_title = first is not None and first.type == _UnitType.HEADING
    title_unit = first if is_title and first is not None and first.level == title_level else None
    if units and title_unit is None:
        builder.warn(units[0].start, "no title line ('# Day NN - Title') at the top of the file")
    for unit in units:
        if unit is title_unit:
            builder.add_title(unit)
        elif unit.type == _UnitType.HEADING:
            if unit.level <= title_level:
                builder.warn(unit.start, "another level-1 heading: only the first is the title")
            builder.add_heading(unit)
        else:
            builder.add_unit(unit)
    builder.finish()
    title = _parse_title(title_unit.text) if title_unit else _Title(None, "", "", "")
    link = _only_a_link(units, title_unit)
    kind = ItemKind.EXTERNAL if link is not None else _item_kind(source, title)
    if kind is None and default_kind is not None:
        kind = default_kind
    if kind is None:
        builder.warn(
            None, f"cannot tell the item kind of {source or 'this file'!r}; taken as a day"
        )
        kind = ItemKind.DAY
    raw_title = lines[title_unit.start].strip() if title_unit else ""
    item = ParsedItem(
        source=source,
        kind=kind,
        number=title.number,
        title=_block_title(title.title) if title_unit else "",
        emoji=title.emoji,
        raw_title=raw_title,
        warnings=warnings + builder.warnings,
    )
    if link is not None:
        # "# [Click here](https://...)" and nothing else: the page lives elsewhere.
        item.title = _block_title(link.text) or _block_title(link.url)
        item.url = link.url
    item.blocks = _blocks(builder.drafts, lines)
    return item


def _only_a_link(units: list[_Unit], title_unit: _Unit | None) -> _Link | None:
    """The link of a file whose title line is one outside link and which holds nothing else."""
    if title_unit is None or len(units) != 1 or title_unit.leading_link is None:
        return None
    link = title_unit.leading_link
    if link.description or not link.url.lower().startswith(("http://", "https://")):
        return None
    if _collapse_spaces(title_unit.text) != _collapse_spaces(link.text):
        return None  # text before the link
    return link


def _blocks(drafts: list[_Draft], lines: list[str]) -> list[ParsedBlock]:
    keys = _assign_keys(drafts, lines)
    return [
        ParsedBlock(
            kind=draft.kind,
            key=keys[index],
            markdown="\n".join(lines[draft.start : draft.end + 1]),
            line=draft.start + 1,
            end_line=draft.end + 1,
            title=draft.title,
            depth=draft.depth,
            parent_key=keys[draft.parent] if draft.parent is not None else None,
            data=draft.data,
        )
        for index, draft in enumerate(drafts)
    ]


def _first_line_with(text: str, needle: str) -> int:
    return text.count("\n", 0, text.index(needle)) + 1
