"""parse_item on small authored snippets: every authoring habit of real programs (curriculum/README.md)."""

from __future__ import annotations

import pytest

from curriculum.markdown.parse import parse_item
from curriculum.markdown.structure import BlockKind, ItemKind, ParsedBlock, ParsedItem
from tests.curriculum.test_parse_sample import assert_faithful


def parse(text: str, source: str = "chapter_01/day_03.md") -> ParsedItem:
    item = parse_item(text, source=source)
    assert_faithful(text, item)
    return item


def of_kind(item: ParsedItem, kind: BlockKind) -> list[ParsedBlock]:
    return [block for block in item.blocks if block.kind == kind]


class TestTitle:
    @pytest.mark.parametrize(
        ("line", "number", "title", "emoji"),
        [
            (
                "# Day 03 - Introduction to Data concept & Hadoop Ecosystem :elephant:",
                3,
                "Introduction to Data concept & Hadoop Ecosystem",
                "🐘",
            ),
            (
                "# Day 01: Introduction to Data Core Concepts :baby:",
                1,
                "Introduction to Data Core Concepts",
                "👶",
            ),
            ("# Day 12 – Spark 🔥", 12, "Spark", "🔥"),
            ("# Day 5 - Two emoji :fire: :rocket:", 5, "Two emoji", "🔥🚀"),
            ("# Day 7 - Unknown :not_an_emoji_code:", 7, "Unknown :not_an_emoji_code:", ""),
            (
                "# Practical Exercise - Meet the Hadoop Ecosystem in Action",
                None,
                "Meet the Hadoop Ecosystem in Action",
                "",
            ),
            ("# Final Exercise 02 - Clean Code Refactoring", 2, "Clean Code Refactoring", ""),
            ("# ShowCase: In-Depth Exploration :book:", None, "In-Depth Exploration", "📖"),
            ("# Just a title", None, "Just a title", ""),
        ],
    )
    def test_title_line(self, line: str, number: int | None, title: str, emoji: str) -> None:
        item = parse(line + "\n")
        assert (item.number, item.title, item.emoji, item.raw_title) == (number, title, emoji, line)

    def test_title_line_is_a_block_marked_as_the_title(self) -> None:
        item = parse("# Day 03 - X\n\ntext\n")
        assert item.blocks[0].data == {"level": 1, "role": "title"}

    def test_no_title_line_is_a_warning(self) -> None:
        item = parse("## Goals\n- a\n")
        assert item.title == "" and item.number is None
        assert item.warnings[0].line == 1
        assert "no title line" in item.warnings[0].message

    @pytest.mark.parametrize(
        ("source", "kind"),
        [
            ("chapter_01/day_03.md", ItemKind.DAY),
            ("chapter_01/practical_exercise_01.md", ItemKind.EXERCISE),
            ("chapter_02/final_exercise_02.md", ItemKind.EXERCISE),
            ("chapter_01/showcase/showcase_01.md", ItemKind.SHOWCASE),
            ("chapter_01/showcase/research_doc_template_01.md", ItemKind.TEMPLATE),
        ],
    )
    def test_item_kind_from_the_file_name(self, source: str, kind: ItemKind) -> None:
        assert parse("# Something\n", source).kind == kind

    @pytest.mark.parametrize(
        ("line", "kind"),
        [
            ("# Day 03 - X", ItemKind.DAY),
            ("# Practical Exercise - X", ItemKind.EXERCISE),
            ("# ShowCase: X", ItemKind.SHOWCASE),
            ("# Research template", ItemKind.TEMPLATE),
        ],
    )
    def test_item_kind_from_the_title_when_the_name_says_nothing(
        self, line: str, kind: ItemKind
    ) -> None:
        assert parse(line + "\n", source="notes.md").kind == kind


GOALS_HEADINGS = [
    "## Goals",
    "## Goals:",
    "## **Goals:**",
    "### Goals",
    "## **Goals:** :dart:",
    "## Objectives",
]


@pytest.mark.parametrize("heading", GOALS_HEADINGS)
def test_goals_heading_variants(heading: str) -> None:
    item = parse(f"# Day 01 - X\n\n{heading}\n- Understand A.\n- Explore B.\n\nAfter.\n")
    goals = of_kind(item, BlockKind.GOAL)
    assert [g.title for g in goals] == ["Understand A.", "Explore B."]
    heading_block = next(b for b in item.blocks if b.key == goals[0].parent_key)
    assert heading_block.title.startswith("Goals") or heading_block.title == "Objectives"
    assert of_kind(item, BlockKind.TEXT)[-1].markdown == "After."


def test_goals_label_inside_overview() -> None:
    item = parse("# Day 01 - X\n\n## Overview\nToday we learn.\n\n**Goals:**\n- A\n- B\n")
    assert [b.kind for b in item.blocks] == [
        BlockKind.TEXT,
        BlockKind.OVERVIEW,
        BlockKind.TEXT,
        BlockKind.GOAL,
        BlockKind.GOAL,
    ]
    assert item.blocks[1].markdown == "## Overview\nToday we learn."


def test_goals_heading_with_nothing_under_it_warns_with_its_line() -> None:
    item = parse("# Day 01 - X\n\n## Goals:\n\n## 1. Topic\ntext\n")
    assert [(w.line, w.message) for w in item.warnings] == [(3, "'Goals' has no goal under it")]


@pytest.mark.parametrize(
    "heading",
    [
        "## Recommended Articles and Videos:",
        "## Recommended Videos",
        "## Recommended Resources",
        "## References",
        "## Additional Resources:",
        "### Further Reading",
    ],
)
def test_resources_heading_variants(heading: str) -> None:
    item = parse(
        f"# Day 01 - X\n\n{heading}\n"
        "- [Hadoop Ecosystem Explained](https://www.youtube.com/watch?v=AZovvBgRLIY) - This video provides an overview.\n"
        "- [OLAP vs OLTP](https://www.youtube.com/watch?v=iw-5kFzIdgY)\n"
        " - [How I Ranked 1st](https://www.youtube.com/watch?v=76yqErAib5g): Provides 20 study tips.\n"
        "-  [Feynman](https://www.youtube.com/watch?v=MlJdMr3O5J4).\n: This video explores it.\n"
    )
    resources = of_kind(item, BlockKind.RESOURCE)
    assert [(r.title, r.data["url"], r.data["description"]) for r in resources] == [
        (
            "Hadoop Ecosystem Explained",
            "https://www.youtube.com/watch?v=AZovvBgRLIY",
            "This video provides an overview.",
        ),
        ("OLAP vs OLTP", "https://www.youtube.com/watch?v=iw-5kFzIdgY", ""),
        (
            "How I Ranked 1st",
            "https://www.youtube.com/watch?v=76yqErAib5g",
            "Provides 20 study tips.",
        ),
        ("Feynman", "https://www.youtube.com/watch?v=MlJdMr3O5J4", "This video explores it."),
    ]


def test_a_resource_without_a_link_is_text_and_a_warning() -> None:
    item = parse("# Day 01 - X\n\n## References\n- The Hadoop book, chapter 3\n")
    assert of_kind(item, BlockKind.RESOURCE) == []
    assert any(w.line == 4 and "without a link" in w.message for w in item.warnings)


WRAP_UP_HEADINGS = [
    "## Wrapping Up",
    "## Wrapping Up:",
    "## **Wrapping Up:** :hourglass_flowing_sand:",
    "## Wrapping Up the Day",
    "## Wrap-up",
    "## Wrapping Up :trophy:",
]


@pytest.mark.parametrize("heading", WRAP_UP_HEADINGS)
def test_wrap_up_list_items_are_reflection_prompts(heading: str) -> None:
    item = parse(
        f"# Day 01 - X\n\n{heading}\nTake a moment to reflect:\n"
        "- What surprised you today?\n- Note down key takeaways.\n"
    )
    prompts = of_kind(item, BlockKind.REFLECTION_PROMPT)
    assert [p.title for p in prompts] == ["What surprised you today?", "Note down key takeaways."]


def test_wrap_up_paragraph_without_a_list_is_a_prompt() -> None:
    item = parse("# Day 01 - X\n\n## Wrapping Up :trophy:\nTalk with your mentor about today.\n")
    assert [p.markdown for p in of_kind(item, BlockKind.REFLECTION_PROMPT)] == [
        "Talk with your mentor about today."
    ]


def test_wrap_up_subheadings_keep_the_role() -> None:
    item = parse(
        "# Day 01 - X\n\n## Wrapping Up:\n### Reflection\n- A\n\n### Mentor Discussion\n"
        "Discuss the following with your mentor:\n- B\n- C\n\n## Action Items\n- D\n"
    )
    assert len(of_kind(item, BlockKind.REFLECTION_PROMPT)) == 3
    assert len(of_kind(item, BlockKind.ACTION_ITEM)) == 1


@pytest.mark.parametrize(
    "note",
    [
        ":warning: **Note:**",
        "**⚠️ Note:**",
        "**Note:**",
        "⚠️ **Notes:**",
    ],
)
def test_note_variants(note: str) -> None:
    item = parse(f"# Day 01 - X\n\n{note}\n- First thing.\n- Second thing.\n\nAfter the note.\n")
    notes = of_kind(item, BlockKind.NOTE)
    assert len(notes) == 1
    assert notes[0].markdown == f"{note}\n- First thing.\n- Second thing."
    assert item.blocks[-1].kind == BlockKind.TEXT


def test_note_heading_holds_everything_up_to_the_next_heading() -> None:
    text = "# Readme\n\n#### **PAY ATTENTION**: :warning:\n- Day is not a day.\n\nMore.\n## Next\n"
    (note,) = of_kind(parse(text), BlockKind.NOTE)
    assert note.markdown == "#### **PAY ATTENTION**: :warning:\n- Day is not a day.\n\nMore."


def test_inline_note_paragraph() -> None:
    item = parse("# Day 01 - X\n\n**Note:** run it in DEV only.\n")
    assert [n.markdown for n in of_kind(item, BlockKind.NOTE)] == ["**Note:** run it in DEV only."]


class TestSections:
    @pytest.mark.parametrize(
        ("heading", "number", "title"),
        [
            ("## 1. Introduction to Data Pipelines", 1, "Introduction to Data Pipelines"),
            ("## 1 .Introduction to Big Data and Hadoop", 1, "Introduction to Big Data and Hadoop"),
            ("## II. Data Lifecycle", 2, "Data Lifecycle"),
            ("## IV) Security", 4, "Security"),
            (
                "## 5. Hadoop Distributed File System (HDFS) :star:",
                5,
                "Hadoop Distributed File System (HDFS)",
            ),
        ],
    )
    def test_numbered_heading_variants(self, heading: str, number: int, title: str) -> None:
        item = parse(f"# Day 01 - X\n\n{heading}\nSome prose.\n- a point\n")
        (section,) = of_kind(item, BlockKind.SECTION)
        assert (section.data["number"], section.title) == (number, title)
        assert section.markdown == f"{heading}\nSome prose.\n- a point"

    def test_subheadings_nest_under_the_section(self) -> None:
        item = parse(
            "# Day 01 - X\n\n## 2. Apache ZooKeeper\nIntro.\n\n### Core Concepts\n\n"
            "#### 1. Coordination\n- ZooKeeper coordinates.\n\n## 3. Apache Kafka\n"
        )
        sections = of_kind(item, BlockKind.SECTION)
        assert [s.data["number"] for s in sections] == [2, 3]  # "#### 1." is content
        core, coordination = of_kind(item, BlockKind.TEXT)[1:]
        assert (core.parent_key, core.depth) == (sections[0].key, 1)
        assert (coordination.parent_key, coordination.depth) == (core.key, 2)

    def test_tasks_with_numbered_subsections(self) -> None:
        item = parse(
            "# Exercise - X\n\n## Tasks\nMake sure to include photos.\n\n### 1. Set up\n- Install it.\n"
            "### 2. Run it\n1. Start it.\n2. What does the log say?\n"
        )
        tasks, first, second = of_kind(item, BlockKind.SECTION)
        assert (tasks.title, first.title, second.title) == ("Tasks", "Set up", "Run it")
        assert first.parent_key == tasks.key and first.depth == 1
        (question,) = of_kind(item, BlockKind.QUESTION)
        assert question.title == "What does the log say?" and question.parent_key == second.key

    def test_renumbering_a_section_keeps_its_key(self) -> None:
        before = of_kind(parse("# Day 1 - X\n\n## 1. Kafka\ntext\n"), BlockKind.SECTION)[0]
        after = of_kind(parse("# Day 1 - X\n\n## 2. Kafka\ntext\n"), BlockKind.SECTION)[0]
        assert before.key == after.key


class TestExercises:
    def test_numbered_questions_under_chapter_headings(self) -> None:
        item = parse(
            "# Day 04 - X\n\n## Excercise\n\n### Chapter 5: HDFS\n\n"
            "21.  What is HDFS? Explain its architecture.\n22.  What is the role of the NameNode in HDFS?\n"
        )
        questions = of_kind(item, BlockKind.QUESTION)
        assert [(q.data["number"], q.title) for q in questions] == [
            (21, "What is HDFS? Explain its architecture."),
            (22, "What is the role of the NameNode in HDFS?"),
        ]
        assert item.warnings == []

    def test_exercise_n_heading_is_one_question_with_its_numbered_points_as_parts(self) -> None:
        item = parse(
            "# Day 04 - X\n\n## Exercise 2: Kafka\n1. What is a topic?\n2. Explain partitions.\n"
        )
        (question,) = of_kind(item, BlockKind.QUESTION)
        assert question.data["number"] == 2
        assert question.data["parts"] == [
            {"number": 1, "title": "What is a topic?"},
            {"number": 2, "title": "Explain partitions."},
        ]

    def test_chapter_heading_at_level_two(self) -> None:
        item = parse("# Day 04 - X\n\n## Chapter 1: Hadoop\n1.  What is Apache Hadoop?\n")
        assert len(of_kind(item, BlockKind.QUESTION)) == 1

    def test_an_exercise_heading_without_questions_warns(self) -> None:
        item = parse("# Day 04 - X\n\n## Exercise\nNothing yet.\n")
        assert [w.line for w in item.warnings] == [3]

    def test_repeated_question_numbers_warn(self) -> None:
        item = parse("# Day 04 - X\n\n## Exercise\n1. What?\n\n### Chapter 2: Y\n1. Why?\n")
        assert any("question number 1 is used twice" in w.message for w in item.warnings)


def test_qa_section_is_one_block() -> None:
    item = parse(
        "# Day 02 - X\n\n## **Q&A Session:** :raising_hand:\n   - Engage in an open Q&A session.\n"
        "   - Seek clarity.\n\n## Action Items\n- A\n"
    )
    (qa,) = of_kind(item, BlockKind.QA)
    assert qa.markdown.endswith("   - Seek clarity.")
    assert of_kind(item, BlockKind.ACTION_ITEM)[0].title == "A"


@pytest.mark.parametrize(
    "sentence",
    [
        "Engage with one of our client teams. **(ask your mentor to arrange this)**",
        "Ask your mentor about the RAMAD meeting and ask him to schedule a meeting with the RAMAD.",
        "Ask your mentor to set up a call with the client team.",
        "Your mentor will arrange a meeting with the data team.",
    ],
)
def test_meeting_requests_are_detected(sentence: str) -> None:
    for text in (f"- {sentence}\n", f"{sentence}\n"):
        item = parse(f"# Day 02 - X\n\n## 3. Customers\n{text}")
        (meeting,) = of_kind(item, BlockKind.MEETING_REQUEST)
        assert meeting.markdown == text.rstrip("\n")
        assert meeting.data["phrase"]


@pytest.mark.parametrize(
    "sentence",
    [
        "Ask your mentor to guide you - how to insert your fingerprint.",
        "ask your mentor to join you to 883 mail and whastapp group.",
        "please ask your mentor to provide you one or find a solution for you",
        "Ask your mentor for the link to the project.",
        "Learn how meetings are scheduled in Outlook.",
    ],
)
def test_other_mentor_asks_are_not_meeting_requests(sentence: str) -> None:
    assert of_kind(parse(f"# Day 00 - X\n\n- {sentence}\n"), BlockKind.MEETING_REQUEST) == []


def test_checklist_items_nested_under_a_plain_item() -> None:
    text = (
        "# Day 00 - X\n\n### **Unit Setup**:\n- Talk with your mentor.\n"
        "- Ask your mentor about the following platforms:\n  - [ ] BUSY\n  - [x] BISON\n"
        "- After that.\n"
    )
    item = parse(text)
    checklist = of_kind(item, BlockKind.CHECKLIST_ITEM)
    assert [(c.title, c.data, c.markdown) for c in checklist] == [
        ("BUSY", {"checked": False}, "  - [ ] BUSY"),
        ("BISON", {"checked": True}, "  - [x] BISON"),
    ]
    assert item.blocks[1].markdown.endswith("- Ask your mentor about the following platforms:")
    assert item.blocks[-1].markdown == "- After that."


def test_right_to_left_text_is_kept_as_written() -> None:
    line = '- Talk with your mentor about TORANOYUT" (תורניות) and insert your אי זמינויות to the "BUSY" platform.'
    item = parse(f"# Day 00 - X\n\n## Action Items\n{line}\n")
    (action,) = of_kind(item, BlockKind.ACTION_ITEM)
    assert action.markdown == line
    assert "תורניות" in action.title


def test_links_between_days_and_inline_html_stay_in_the_block() -> None:
    text = (
        "# Day 01 - X\n\n### Ready for a Challenge? :trophy:\n"
        "- Write down every concept from [Understanding](#1-understanding-the-data-landscape)\n"
        ' and evaluate it\n        <img src="../assets/challenge_accepted.gif" alt="Challege Accepted" width="300"/>\n'
        "- Reflect with the Challenge from [Day 01](./day_01#ready-for-a-challenge-trophy)\n"
    )
    item = parse(text)
    assert len(item.blocks) == 2
    assert '<img src="../assets/challenge_accepted.gif"' in item.blocks[1].markdown
    assert item.blocks[1].markdown.endswith("(./day_01#ready-for-a-challenge-trophy)")


def test_code_fences_are_never_split() -> None:
    text = "# Day 03 - X\n\n## Goals\n- A\n\n~~~\n## 1. not a heading\n- [ ] not a task\n~~~\n"
    item = parse(text)
    assert item.blocks[-1].markdown == "~~~\n## 1. not a heading\n- [ ] not a task\n~~~"
    assert of_kind(item, BlockKind.SECTION) == [] and of_kind(item, BlockKind.CHECKLIST_ITEM) == []


class TestKeys:
    TEXT = (
        "# Day 01 - X\n\n## Goals\n- Understand A.\n- Understand B.\n\n## 1. Topic\nProse.\n\n"
        "## Action Items\n- Do it.\n- Do it.\n"
    )

    def test_keys_are_unique_and_repeats_get_an_ordinal(self) -> None:
        keys = [b.key for b in parse(self.TEXT).blocks]
        assert len(keys) == len(set(keys))
        actions = [k for k in keys if k.startswith("action_item-")]
        assert actions[1] == actions[0] + "-2"

    def test_keys_survive_edits_elsewhere(self) -> None:
        before = {b.markdown: b.key for b in parse(self.TEXT).blocks}
        edited = self.TEXT.replace("- Understand A.\n", "- A brand new goal.\n- Understand A.\n")
        edited = edited.replace("Prose.", "Prose, rewritten.")
        after = {b.markdown: b.key for b in parse(edited).blocks}
        for markdown in ("- Understand A.", "- Understand B.", "- Do it.", "## Goals"):
            assert before[markdown] == after[markdown]

    def test_keys_ignore_case_and_whitespace(self) -> None:
        one = of_kind(parse("# Day 1 - X\n\n## Goals\n- Understand   A.\n"), BlockKind.GOAL)[0]
        two = of_kind(parse("# Day 1 - X\n\n## Goals\n- understand a.\n"), BlockKind.GOAL)[0]
        assert one.key == two.key


class TestAwkwardInput:
    def test_empty(self) -> None:
        item = parse("")
        assert item.blocks == [] and any(w.message == "the file is empty" for w in item.warnings)

    def test_bom_and_crlf(self) -> None:
        item = parse("\ufeff# Day 01 - X\r\n\r\n## Goals\r\n- A\r\n")
        assert item.number == 1 and item.raw_title == "# Day 01 - X"
        assert of_kind(item, BlockKind.GOAL)[0].markdown == "- A"

    def test_nul_bytes(self) -> None:
        item = parse("# Day 01 - X\n\nbad\0byte\n")
        assert (3, "NUL bytes replaced") in [(w.line, w.message) for w in item.warnings]
        assert "\ufffd" in item.blocks[-1].markdown

    @pytest.mark.parametrize(
        "text",
        [
            ">" * 5000 + " deep quote",
            "".join("  " * i + "- item\n" for i in range(300)),
            "[" * 20000,
            "*a" * 20000,
            "\n".join("#" * (i % 7) + " x" for i in range(2000)),
            "a\u2028b\x0cc\x0bd\x85e",
            "[ref]: https://a.example\n\n[x][ref]",
            "| a |\n|---|\n" + "| b |\n" * 1000,
        ],
    )
    def test_never_raises_and_stays_faithful(self, text: str) -> None:
        parse(text)

    def test_huge_text_is_kept_as_one_text_block(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import curriculum.markdown.parse as parse_module

        monkeypatch.setattr(parse_module, "MAX_STRUCTURED_CHARS", 100)
        item = parse("# Day 01 - X\n\n" + "- [ ] a\n" * 50)
        assert [b.kind for b in item.blocks] == [BlockKind.TEXT]
        assert any("plain text" in w.message for w in item.warnings)
