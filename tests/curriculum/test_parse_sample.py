"""The real sample program, parsed file by file, against counts established by reading each file.

How the counts were read (the rules the parser implements):
- goals / action items: the list items under the heading (not the heading, not prose after it);
- notes: one per callout (`:warning: **Note:**` + its list, or a `#### **PAY ATTENTION**` heading);
- sections: numbered top-level headings (`## 1.`, `## 1 .`, `## II.`), `## Tasks` and headings right
  under it; `### Core Concepts`, `#### 1. ...` inside a section are content, not sections;
- questions: numbered items under `## Excercise` / `### Chapter N:`, and items ending in "?" in tasks
  or under a heading that says "answer the following questions";
- reflection prompts: list items under "Wrapping Up", or its paragraph when it has no list
  (a paragraph ending in ":" introduces prompts and is not one);
- resources: list items starting with a link under a resources heading;
- checklist items: `- [ ]` items; meeting requests: "ask your mentor to arrange this",
  "ask him to schedule a meeting".
"""

from __future__ import annotations

from pathlib import Path

import pytest

from curriculum.markdown.parse import normalise_source, parse_item
from curriculum.markdown.structure import BlockKind, ItemKind, ParsedItem

SAMPLE = "883-newbies-sample"


def counts(
    goals: int = 0,
    notes: int = 0,
    sections: int = 0,
    questions: int = 0,
    reflection_prompts: int = 0,
    action_items: int = 0,
    resources: int = 0,
    checklist_items: int = 0,
    meeting_requests: int = 0,
) -> dict[str, int]:
    return {
        "goals": goals,
        "notes": notes,
        "sections": sections,
        "questions": questions,
        "reflection_prompts": reflection_prompts,
        "action_items": action_items,
        "resources": resources,
        "checklist_items": checklist_items,
        "meeting_requests": meeting_requests,
    }


# path under ../shared/curriculum: (kind, number, title, emoji, counts)
EXPECTED = {
    f"{SAMPLE}/chapter_00/day_00.md": (
        ItemKind.DAY,
        0,
        "Welcome & Introduction",
        "🎯",
        # 4 goals; 1 note; section "1. Introduction to the 883 Group"; wrap-up items 54-56;
        # 2 action items; 6 linked resources (77-80 is prose); BUSY, BISON, Share folders, MI, GO;
        # "ask him to schedule a meeting with the RAMAD" (line 51).
        counts(4, 1, 1, 0, 3, 2, 6, 5, 1),
    ),
    f"{SAMPLE}/chapter_00/day_01.md": (
        ItemKind.DAY,
        1,
        "Introduction to Data Core Concepts",
        "👶",
        # wrap-up: "### Reflection" 1 item + "### Mentor Discussion" 3 items; the challenge under
        # "### Ready for a Challenge?" is content, not an action item.
        counts(3, 1, 1, 0, 4, 2, 4, 0, 0),
    ),
    f"{SAMPLE}/chapter_00/day_02.md": (
        ItemKind.DAY,
        2,
        "Customer Interaction and Insight into Data Operations & Data Lifecycle in the Unit",
        "👪",
        # "(ask your mentor to arrange this)" in section 3 (line 27).
        counts(5, 1, 3, 0, 4, 1, 3, 0, 1),
    ),
    f"{SAMPLE}/chapter_01/day_03.md": (
        ItemKind.DAY,
        3,
        "Introduction to Data concept & Hadoop Ecosystem",
        "🐘",
        # sections 1 (written "## 1 ."), 2, 3, 4; questions 1-20 under four "### Chapter N:".
        counts(5, 1, 4, 20, 1, 4, 12, 0, 0),
    ),
    f"{SAMPLE}/chapter_01/day_04.md": (
        ItemKind.DAY,
        4,
        "Hadoop Distributed File System (HDFS)",
        "🐘",
        counts(3, 1, 1, 5, 1, 4, 4, 0, 0),  # section "## 5. ... :star:"; questions 21-25
    ),
    f"{SAMPLE}/chapter_01/day_05.md": (
        ItemKind.DAY,
        5,
        "MapReduce Programming Model, YARN & Oozie",
        "🐘",
        counts(4, 1, 3, 15, 1, 4, 6, 0, 0),  # sections 6, 7, 8; questions 26-40
    ),
    f"{SAMPLE}/chapter_01/day_06.md": (
        ItemKind.DAY,
        6,
        "Introduction to Partitioning & Hive",
        "🐘",
        counts(5, 1, 2, 10, 1, 4, 1, 0, 0),  # sections 9, 10; questions 41-50
    ),
    f"{SAMPLE}/chapter_01/day_07.md": (
        ItemKind.DAY,
        7,
        "Introduction to Impala",
        "🐘",
        counts(5, 1, 1, 5, 1, 4, 2, 0, 0),  # section 11; questions 41-45 (again: see day_06)
    ),
    f"{SAMPLE}/chapter_01/day_08.md": (
        ItemKind.DAY,
        8,
        "Introduction to HBase",
        "🐘",
        counts(3, 1, 1, 5, 1, 4, 2, 0, 0),  # section 12; questions 31-35
    ),
    f"{SAMPLE}/chapter_01/practical_exercise_01.md": (
        ItemKind.EXERCISE,
        None,
        "Meet the Hadoop Ecosystem in Action",
        "",
        # sections: Tasks, "Getting to know the Cloudera Manager", "Interacting with the services",
        # "883 Group Dashboards - ... answer the following questions:"; questions: steps 4, 13 and
        # 8 (they ask something) and the two dashboard questions; 4 additional resources.
        counts(5, 1, 4, 5, 0, 0, 4, 0, 0),
    ),
    f"{SAMPLE}/chapter_01/showcase/showcase_01.md": (
        ItemKind.SHOWCASE,
        None,
        "In-Depth Exploration of Hadoop Ecosystem Component(s)",
        "📖",
        counts(8, 1, 1, 0, 0, 0, 0, 0, 0),  # section: "### Instructions"
    ),
    f"{SAMPLE}/chapter_01/showcase/research_doc_template_01.md": (
        ItemKind.TEMPLATE,
        None,
        "Research Document: An In-Depth Exploration of Hadoop Ecosystem Component - [Component Name]",
        "",
        counts(),  # an outline: nothing to check off
    ),
    f"{SAMPLE}/readme.md": (
        ItemKind.DAY,  # not an item: the importer reads it as the table of contents
        None,
        "883 Group Onboarding - Newbies",
        "🍼",
        counts(notes=1),  # "#### **PAY ATTENTION**: :warning:"
    ),
    "seed/day_02.md": (
        ItemKind.DAY,
        2,
        "Customer Interaction and Insight into Data Operations & Data Lifecycle in the Unit",
        "👪",
        counts(3, 1, 3, 0, 4, 2, 3, 0, 1),
    ),
}


def parse_shared(root: Path, relative: str) -> ParsedItem:
    return parse_item((root / relative).read_text(encoding="utf-8"), source=relative)


def test_every_sample_file_is_listed(shared_curriculum: Path) -> None:
    on_disk = {str(p.relative_to(shared_curriculum)) for p in shared_curriculum.rglob("*.md")}
    assert on_disk == set(EXPECTED)


@pytest.mark.parametrize("relative", sorted(EXPECTED))
def test_sample_file(shared_curriculum: Path, relative: str) -> None:
    kind, number, title, emoji, expected_counts = EXPECTED[relative]
    item = parse_shared(shared_curriculum, relative)
    assert (item.kind, item.number, item.title, item.emoji) == (kind, number, title, emoji)
    assert item.counts() == expected_counts


@pytest.mark.parametrize("relative", sorted(EXPECTED))
def test_sample_file_is_parsed_faithfully(shared_curriculum: Path, relative: str) -> None:
    text = (shared_curriculum / relative).read_text(encoding="utf-8")
    assert_faithful(text, parse_item(text, source=relative))


@pytest.mark.parametrize("relative", sorted(EXPECTED))
def test_sample_file_keys_are_unique_and_parents_exist(
    shared_curriculum: Path, relative: str
) -> None:
    item = parse_shared(shared_curriculum, relative)
    keys = [block.key for block in item.blocks]
    assert len(keys) == len(set(keys))
    earlier: set[str] = set()
    for block in item.blocks:
        assert block.parent_key is None or block.parent_key in earlier
        earlier.add(block.key)


def test_sample_warnings(shared_curriculum: Path) -> None:
    warnings = {
        relative: [(w.line, w.message) for w in parse_shared(shared_curriculum, relative).warnings]
        for relative in EXPECTED
    }
    assert warnings[f"{SAMPLE}/chapter_01/day_07.md"] == [
        (
            116,
            "a link URL looks malformed: 'https://impala.apache.org/docs/build/html/topics/"
            "impala_overview.html%5D(https://impala.apache.org/impala-docs.html)'",
        )
    ]
    assert warnings[f"{SAMPLE}/chapter_01/showcase/research_doc_template_01.md"] == [
        (53, "another level-1 heading: only the first is the title")
    ]
    assert [line for line, _ in warnings[f"{SAMPLE}/readme.md"]] == [None]
    noisy = {r for r, w in warnings.items() if w} - {
        f"{SAMPLE}/chapter_01/day_07.md",
        f"{SAMPLE}/chapter_01/showcase/research_doc_template_01.md",
        f"{SAMPLE}/readme.md",
    }
    assert noisy == set()


def test_day_03_in_detail(shared_curriculum: Path) -> None:
    item = parse_shared(shared_curriculum, f"{SAMPLE}/chapter_01/day_03.md")
    assert item.raw_title == "# Day 03 - Introduction to Data concept & Hadoop Ecosystem :elephant:"
    sections = [b for b in item.blocks if b.kind == BlockKind.SECTION]
    assert [(s.data["number"], s.title) for s in sections] == [
        (1, "Introduction to Big Data and Hadoop"),
        (2, "Apache ZooKeeper"),
        (3, "Apache Kafka"),
        (4, "Kerberos Authentication"),
    ]
    questions = [b for b in item.blocks if b.kind == BlockKind.QUESTION]
    assert [q.data["number"] for q in questions] == list(range(1, 21))
    assert questions[0].title == "What is Apache Hadoop?"
    assert questions[0].markdown == "1.  What is Apache Hadoop?"
    chapter = next(b for b in item.blocks if b.key == questions[0].parent_key)
    assert chapter.title == "Chapter 1: Introduction to Big Data and Hadoop"
    prompt = next(b for b in item.blocks if b.kind == BlockKind.REFLECTION_PROMPT)
    assert prompt.title.startswith("Talk with your mentor about the concepts")
    action = [b for b in item.blocks if b.kind == BlockKind.ACTION_ITEM][-1]
    # the lazy continuation line ":trophy:" belongs to the item above it
    assert action.markdown.endswith("(./day_01#ready-for-a-challenge-trophy) \n:trophy:")


def test_day_00_in_detail(shared_curriculum: Path) -> None:
    item = parse_shared(shared_curriculum, f"{SAMPLE}/chapter_00/day_00.md")
    checklist = [b for b in item.blocks if b.kind == BlockKind.CHECKLIST_ITEM]
    assert [(c.title, c.data, c.line) for c in checklist] == [
        ("BUSY", {"checked": False}, 39),
        ("BISON", {"checked": False}, 40),
        ("Share folders", {"checked": False}, 41),
        ("MI", {"checked": False}, 42),
        ("GO", {"checked": False}, 43),
    ]
    meeting = next(b for b in item.blocks if b.kind == BlockKind.MEETING_REQUEST)
    assert meeting.line == 51
    resources = [b for b in item.blocks if b.kind == BlockKind.RESOURCE]
    feynman = resources[2]
    assert feynman.title == "How to Study Way More Effectively | The Feynman Technique"
    assert feynman.data == {
        "url": "https://www.youtube.com/watch?v=MlJdMr3O5J4",
        "description": "This video explores the Feynman Technique, a method to understand "
        "concepts deeply and retain information.",
    }
    assert (feynman.line, feynman.end_line) == (68, 69)
    hebrew = next(b for b in item.blocks if "תורניות" in b.markdown)
    assert "אי זמינויות" in hebrew.markdown


def test_seed_day_02_meeting_request_sits_in_its_section(shared_curriculum: Path) -> None:
    item = parse_shared(shared_curriculum, "seed/day_02.md")
    meeting = next(b for b in item.blocks if b.kind == BlockKind.MEETING_REQUEST)
    section = next(b for b in item.blocks if b.key == meeting.parent_key)
    assert section.kind == BlockKind.SECTION
    assert section.title == "Customer-Centric Data Operations"
    assert "(ask your mentor to arrange this)" in meeting.markdown
    assert meeting.depth == 1


def test_links_between_days_are_kept_verbatim(shared_curriculum: Path) -> None:
    item = parse_shared(shared_curriculum, f"{SAMPLE}/chapter_01/day_04.md")
    linking = [b for b in item.blocks if "./day_01#ready-for-a-challenge-trophy" in b.markdown]
    assert [b.kind for b in linking] == [BlockKind.ACTION_ITEM]


def assert_faithful(text: str, item: ParsedItem) -> None:
    """Every non-blank line in exactly one block; blocks ordered; markdown = those lines."""
    lines = normalise_source(text).split("\n")
    covered: list[int] = []
    previous_end = 0
    for block in item.blocks:
        assert previous_end < block.line <= block.end_line <= len(lines), block
        assert block.markdown == "\n".join(lines[block.line - 1 : block.end_line])
        covered.extend(range(block.line, block.end_line + 1))
        previous_end = block.end_line
    non_blank = {number for number, line in enumerate(lines, 1) if line.strip()}
    assert non_blank <= set(covered), sorted(non_blank - set(covered))[:10]
