"""What the parser recognises in one authored Markdown file.

These dataclasses are the contract between `curriculum.markdown.parse` (which builds them) and
`curriculum.importer` / `curriculum.services` (which store them as Item and Block rows).
"""

from dataclasses import dataclass, field
from enum import StrEnum


class BlockKind(StrEnum):
    OVERVIEW = "overview"
    GOAL = "goal"
    NOTE = "note"
    SECTION = "section"  # a topic section: "## 1. ...", "## II. ...", "### 1." under "## Tasks"
    QUESTION = "question"  # an exercise question the hire answers
    REFLECTION_PROMPT = "reflection_prompt"  # a wrap-up prompt the hire reflects on
    QA = "qa"  # the Q&A session with the mentor
    ACTION_ITEM = "action_item"
    RESOURCE = "resource"  # a recommended article or video: title, url, description
    CHECKLIST_ITEM = "checklist_item"  # "- [ ] ..."
    MEETING_REQUEST = "meeting_request"  # "ask your mentor to arrange/schedule ..."
    TEXT = "text"  # anything not recognised: kept, shown, never lost


class ItemKind(StrEnum):
    DAY = "day"
    EXERCISE = "exercise"
    SHOWCASE = "showcase"
    TEMPLATE = "template"
    EXTERNAL = "external"


# Block kinds a hire can tick off or answer (the rest are read-only content).
CHECKABLE_KINDS = frozenset({BlockKind.GOAL, BlockKind.ACTION_ITEM, BlockKind.CHECKLIST_ITEM})
COUNTED_KINDS = {
    "goals": BlockKind.GOAL,
    "notes": BlockKind.NOTE,
    "sections": BlockKind.SECTION,
    "questions": BlockKind.QUESTION,
    "reflection_prompts": BlockKind.REFLECTION_PROMPT,
    "action_items": BlockKind.ACTION_ITEM,
    "resources": BlockKind.RESOURCE,
    "checklist_items": BlockKind.CHECKLIST_ITEM,
    "meeting_requests": BlockKind.MEETING_REQUEST,
}


@dataclass(frozen=True)
class Warning:
    source: str  # path relative to the program root ("chapter_01/day_03.md"); "" for a lone file
    line: int | None  # 1-based; None when it concerns the whole file
    message: str

    def as_dict(self) -> dict:
        return {"source": self.source, "line": self.line, "message": self.message}


@dataclass
class ParsedBlock:
    kind: BlockKind
    key: str  # stable: derived from kind + normalised text (+ an ordinal for repeats)
    markdown: str  # the block's own source lines, exactly as authored (rendered for display)
    line: int  # 1-based first source line
    end_line: int  # 1-based last source line (inclusive)
    title: str = ""  # a short plain-text label: the goal text, the section heading, the question
    depth: int = 0  # nesting: 0 top level, 1 inside a section, ...
    parent_key: str | None = None  # the enclosing section or heading block, if any
    data: dict = field(default_factory=dict)  # kind-specific: {"url", "description"} for a
    # resource, {"number": 3} for a question or section, {"checked": True} for "- [x]"


@dataclass
class ParsedItem:
    source: str  # path relative to the program root
    kind: ItemKind
    number: int | None  # from the item's own title ("Day 03" -> 3), None when it has none
    title: str  # without the "Day 03 -" prefix and without the emoji shortcode
    emoji: str  # the shortcode's character(s), "" when none
    raw_title: str  # the title line as authored
    blocks: list[ParsedBlock] = field(default_factory=list)
    warnings: list[Warning] = field(default_factory=list)
    url: str = ""  # only for external items

    def counts(self) -> dict[str, int]:
        return {
            name: sum(1 for block in self.blocks if block.kind == kind)
            for name, kind in COUNTED_KINDS.items()
        }
