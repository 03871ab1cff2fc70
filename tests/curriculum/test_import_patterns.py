"""Real programs' quirks, each as a small program of its own, with the structure expected item by
item: TOC entries reconciled with files, link-only files, week-based syllabi, exercises whose
body is prose or a list, near-miss resource lines. No database: this is what a dry run reads."""

from curriculum.importer import parse_program
from curriculum.markdown.parse import parse_item
from curriculum.markdown.structure import BlockKind
from tests.curriculum.support import DAY, write_tree


def outline(program) -> list:
    return [
        (c.number, c.title, [(i.source, str(i.kind), i.number, i.title, i.url) for i in c.items])
        for c in program.chapters
    ]


def messages(program) -> list[tuple[str, int | None, str]]:
    return [(w.source, w.line, w.message) for w in program.warnings]


class TestTocAndFiles:
    README = (
        "# Ops\n\n"
        "## Chapter 01: Basics\n"
        "- **[Day 01](./chapter_01/day_01.md):** One\n\n"
        "## Chapter 02: Openshift - #INTERNAL\n"
        "- **[Day 02](https://internal.example/day-2):** Two inside\n"
        "- **[Day 03](https://internal.example/day-3):** Three inside\n"
    )

    def test_an_outside_link_naming_a_file_day_is_that_one_item(self, tmp_path):
        root = write_tree(
            tmp_path / "p",
            {
                "readme.md": self.README,
                "chapter_01/day_01.md": DAY.format(n=1, title="One"),
                "chapter_02/day_02.md": DAY.format(n=2, title="Two"),
                "chapter_02/day_04.md": DAY.format(n=4, title="Four"),
            },
        )
        program = parse_program(root)
        assert program.errors == []
        assert outline(program) == [
            (1, "Basics", [("chapter_01/day_01.md", "day", 1, "One", "")]),
            (
                2,
                "Openshift - #INTERNAL",
                [
                    ("chapter_02/day_02.md", "day", 2, "Two", "https://internal.example/day-2"),
                    ("", "external", 3, "Three inside", "https://internal.example/day-3"),
                    # not listed: joins chapter 02 (its folder's number), no second "chapter 2"
                    ("chapter_02/day_04.md", "day", 4, "Four", ""),
                ],
            ),
        ]
        reconciled = [m for s, line, m in messages(program) if line == 7]
        assert reconciled == [
            "'Day 02' links to https://internal.example/day-2 and chapter_02/day_02.md is in the "
            "program: imported from the file, the outside link kept on it"
        ]

    def test_a_file_titled_with_the_day_is_found_whatever_its_name(self, tmp_path):
        root = write_tree(
            tmp_path / "p",
            {
                "readme.md": self.README,
                "chapter_01/day_01.md": DAY.format(n=1, title="One"),
                "chapter_02/openshift_basics.md": DAY.format(n=3, title="Three"),
            },
        )
        program = parse_program(root)
        assert [(i.source, str(i.kind), i.number, i.url) for i in program.chapters[1].items] == [
            ("", "external", 2, "https://internal.example/day-2"),
            ("chapter_02/openshift_basics.md", "day", 3, "https://internal.example/day-3"),
        ]
        assert not any("appears twice" in m for _, _, m in messages(program))

    def test_a_file_listed_elsewhere_is_not_claimed_by_an_outside_link(self, tmp_path):
        readme = self.README + "\n## Chapter 03: Later\n- **[Day 02](./chapter_02/day_02.md):** 2\n"
        root = write_tree(
            tmp_path / "p",
            {
                "readme.md": readme,
                "chapter_01/day_01.md": DAY.format(n=1, title="One"),
                "chapter_02/day_02.md": DAY.format(n=2, title="Two"),
            },
        )
        program = parse_program(root)
        chapters = {c.number: [(i.source, str(i.kind)) for i in c.items] for c in program.chapters}
        assert chapters[2] == [("", "external"), ("", "external")]
        assert chapters[3] == [("chapter_02/day_02.md", "day")]
        assert [c.number for c in program.chapters] == [1, 2, 3]

    def test_chapter_listed_twice_is_one_chapter(self, tmp_path):
        readme = (
            "# P\n## Chapter 01: A\n- **[Day 01](./c/day_01.md):** x\n"
            "## Chapter 01: A again\n- **[Day 02](./c/day_02.md):** y\n"
        )
        root = write_tree(
            tmp_path / "p",
            {
                "readme.md": readme,
                "c/day_01.md": DAY.format(n=1, title="One"),
                "c/day_02.md": DAY.format(n=2, title="Two"),
            },
        )
        program = parse_program(root)
        assert [(c.number, [i.source for i in c.items]) for c in program.chapters] == [
            (1, ["c/day_01.md", "c/day_02.md"])
        ]
        assert ("readme.md", 4, "chapter 1 is listed twice; its entries join the first") in (
            messages(program)
        )

    def test_a_day_number_used_twice_is_warned(self, tmp_path):
        root = write_tree(
            tmp_path / "p",
            {
                "a/day_01.md": DAY.format(n=1, title="One"),
                "b/day_01.md": DAY.format(n=1, title="Again"),
            },
        )
        program = parse_program(root)
        assert ("b/day_01.md", None, "day 1 appears twice (a/day_01.md and b/day_01.md)") in (
            messages(program)
        )

    def test_a_link_only_file_is_an_external_item(self, tmp_path):
        root = write_tree(
            tmp_path / "p",
            {
                "readme.md": "# P\n## Chapter 01: A\n- **[Day 01](./c/day_01.md):** x\n"
                "- **[Day 02](./c/day_02.md):** y\n",
                "c/day_01.md": DAY.format(n=1, title="One"),
                "c/day_02.md": "# [Click here](https://wiki.example/day-2)\n",
            },
        )
        program = parse_program(root)
        assert outline(program) == [
            (
                1,
                "A",
                [
                    ("c/day_01.md", "day", 1, "One", ""),
                    ("c/day_02.md", "external", None, "Click here", "https://wiki.example/day-2"),
                ],
            )
        ]


SYLLABUS = """# Data Track

Intro to the track.

## Phase 1: Foundations

### Week 1: Linux and Git
- **Chapter 1:** The shell
  - [Shell guide](https://example.com/shell)
  - Practise every day
- **Chapter 2:** Git basics
- **Exercise:** Write a script that counts files
- **Showcase:** Present your script to the team
- [Pro Git](https://git-scm.com/book)

### Week 2: Python
- **Chapter 3:** Types
- **Exercise:** Parse a CSV file

## Phase 2: Data

### Week 3: SQL
- **Chapter 4:** Joins
- **Reading:** [SQL tutorial](https://example.com/sql)
"""


def test_a_week_based_single_file_program(tmp_path):
    root = write_tree(tmp_path, {"track.md": SYLLABUS})
    program = parse_program(root / "track.md")
    assert program.errors == []
    assert program.title == "Data Track"
    assert [(c.number, c.title, [(i.source, i.number, i.title) for i in c.items])
            for c in program.chapters] == [
        (None, "Data Track", [("track.data-track.md", None, "Data Track")]),  # the intro text
        (1, "Foundations", [("track.week-01.md", 1, "Linux and Git"),
                            ("track.week-02.md", 2, "Python")]),
        (2, "Data", [("track.week-03.md", 3, "SQL")]),
    ]  # fmt: skip
    week1 = program.chapters[1].items[0]
    structure = [
        (str(b.kind), b.title, b.data.get("number"), b.data.get("url")) for b in week1.blocks
    ]
    assert structure == [
        ("text", "Week 1: Linux and Git", None, None),
        ("section", "The shell", 1, None),
        ("resource", "Shell guide", None, "https://example.com/shell"),
        ("text", "Practise every day", None, None),  # nested list kept
        ("section", "Git basics", 2, None),
        ("question", "Write a script that counts files", None, None),
        ("action_item", "Present your script to the team", None, None),
        ("resource", "Pro Git", None, "https://git-scm.com/book"),
    ]  # fmt: skip
    week3 = program.chapters[2].items[0]
    assert [(str(b.kind), b.title) for b in week3.blocks[1:]] == [
        ("section", "Joins"),
        ("resource", "SQL tutorial"),
    ]
    assert week3.blocks[2].data["url"] == "https://example.com/sql"
    # every other line of the file is in an item (the title line heads the intro item): the
    # phase headings, with nothing under them but weeks, are the chapters' titles
    kept = "".join(program.markdown[i.source] for i in program.items).splitlines()
    titles = {"## Phase 1: Foundations", "## Phase 2: Data"}
    assert [line for line in SYLLABUS.splitlines() if line.strip() and line not in titles] == [
        line for line in kept if line.strip()
    ]


def test_a_week_based_readme_without_chapters(tmp_path):
    text = "# Track\n\n## Week 1: A\n- **Exercise:** Do A\n\n## Week 2: B\n- **Exercise:** Do B\n"
    root = write_tree(tmp_path / "p", {"README.md": text})
    program = parse_program(root)
    assert program.errors == []
    assert [(c.title, [(i.number, i.title, i.counts()["questions"]) for i in c.items])
            for c in program.chapters] == [("Track", [(1, "A", 1), (2, "B", 1)])]  # fmt: skip


class TestExercises:
    def test_each_exercise_n_is_one_question_whatever_its_body(self):
        item = parse_item(
            "# Final Exercise 02 - Spark\n\n"
            "## Exercise 1: Word count\n"
            "Write a job that counts words in the logs and explain how it scales.\n\n"
            "## Exercise 2: Joins\n"
            "- Join the two tables.\n- Say which join you chose.\n\n"
            "## Exercise 3: Tuning\n"
            "Tune the job:\n\n1) measure it\n2) change one setting\n\n"
            "```\nspark-submit job.py\n```\n",
            source="c/final_exercise_02.md",
        )
        questions = [
            (b.title, b.data["number"], b.data["parts"], b.line, b.end_line)
            for b in item.blocks
            if b.kind == BlockKind.QUESTION
        ]
        assert questions == [
            ("Exercise 1: Word count", 1, [], 3, 4),
            ("Exercise 2: Joins", 2, [], 6, 8),
            (
                "Exercise 3: Tuning",
                3,
                [
                    {"number": 1, "title": "measure it"},
                    {"number": 2, "title": "change one setting"},
                ],
                10,
                18,
            ),
        ]
        assert item.warnings == []

    def test_an_edit_to_its_body_keeps_the_question_key(self):
        before = parse_item("# Day 1 - X\n\n## Exercise 1: Build\nDo it.\n")
        after = parse_item("# Day 1 - X\n\n## Exercise 1: Build\nDo it twice.\n")
        assert before.blocks[1].key == after.blocks[1].key


class TestNearMissResources:
    def test_a_glued_bullet_with_a_space_before_the_url_is_its_own_resource(self):
        item = parse_item(
            "# Day 1 - X\n\n## Resources\n"
            "- [Guide](https://a.example/guide) - read it\n"
            "-[Second] (https://b.example/two)\n"
            "- [Third] (https://c.example/three)\n",
            source="d/day_01.md",
        )
        resources = [(b.title, b.data["url"], b.line) for b in item.blocks if b.kind == "resource"]
        assert resources == [
            ("Guide", "https://a.example/guide", 4),
            ("Second", "https://b.example/two", 5),
            ("Third", "https://c.example/three", 6),
        ]
        assert [(w.source, w.line) for w in item.warnings] == [
            ("d/day_01.md", 5),
            ("d/day_01.md", 6),
        ]
        assert "-[Second] (https://b.example/two)" in item.warnings[0].message
        # the stored text is the author's, untouched
        assert item.blocks[3].markdown == "-[Second] (https://b.example/two)"

    def test_a_link_without_its_bullet_is_not_merged_into_the_resource_above(self):
        item = parse_item(
            "# Day 1 - X\n\n## Resources\n- [One](https://a.example/1)\n[Two](https://a.example/2)\n",
            source="d/day_01.md",
        )
        assert [(b.title, b.line) for b in item.blocks if b.kind == "resource"] == [
            ("One", 4),
            ("Two", 5),
        ]
        assert [(w.line, "[Two](https://a.example/2)" in w.message) for w in item.warnings] == [
            (5, True)
        ]

    def test_well_formed_links_and_prose_brackets_are_left_alone(self):
        item = parse_item(
            "# Day 1 - X\n\n## Resources\n- [Guide](https://a.example/g)\n\nSee [1] (page 3).\n"
        )
        assert item.warnings == []
