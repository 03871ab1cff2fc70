"""Whole-program structure: table of contents, folders without one, single files, links, assets."""

import pytest

from curriculum.importer import parse_program
from tests.curriculum.support import DAY, write_tree

GIF = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"


def sources(program) -> list[list[str]]:
    return [[item.source or item.url for item in chapter.items] for chapter in program.chapters]


def messages(program) -> list[tuple[str, int | None, str]]:
    return [(w.source, w.line, w.message) for w in program.warnings]


def test_toc_orders_chapters_and_items_and_the_file_title_wins(tmp_path):
    write_tree(
        tmp_path,
        {
            "readme.md": (
                "# My Program :tada:\n\n## Table of Contents\n"
                "## CHAPTER 01: Second folder first\n"
                "- **[Day 02](./b/day_02.md):** Two\n"
                "- **[Day 12](./b/day_16.md):** Advanced\n"
                "## chapter 02: Then\n"
                "- **[Day 01](./a/day_01.md):** One\n"
                "- **[Docs](https://example.com/docs):** Read these :book:\n"
                "- **[No Link]:** nothing\n"
                "- **[Gone](./a/gone.md):** missing\n"
                "## Contribution\n- [Not an item](./a/day_01.md)\n"
            ),
            "a/day_01.md": DAY.format(n=1, title="One"),
            "b/day_02.md": DAY.format(n=2, title="Two"),
            "b/day_16.md": DAY.format(n=16, title="Advanced"),
            "b/extra.md": DAY.format(n=99, title="Extra"),
        },
    )
    program = parse_program(tmp_path)

    assert program.ok, program.errors
    assert program.title == "My Program"
    assert [(c.number, c.title) for c in program.chapters] == [
        (1, "Second folder first"),
        (2, "Then"),
    ]
    assert sources(program) == [
        ["b/day_02.md", "b/day_16.md", "b/extra.md"],
        ["a/day_01.md", "https://example.com/docs"],
    ]
    day_16 = program.chapters[0].items[1]
    assert day_16.number == 16  # the file's own title, not the label "Day 12"
    external = program.chapters[1].items[1]
    assert (external.kind, external.title, external.emoji) == ("external", "Read these", "📖")
    found = messages(program)
    assert any(
        s == "readme.md" and line == 6 and "Day 12" in m and "Day 16" in m for s, line, m in found
    )
    assert ("readme.md", 10, "table of contents entry 'No Link' has no link; no item made") in found
    assert any(s == "readme.md" and line == 11 and "./a/gone.md" in m for s, line, m in found)
    assert (
        "b/extra.md",
        None,
        "not listed in readme.md; imported at the end of its chapter",
    ) in found


def test_folder_without_readme_uses_folder_and_file_order(tmp_path):
    write_tree(
        tmp_path,
        {
            "chapter_10/day_02.md": DAY.format(n=2, title="B"),
            "chapter_2/day_10.md": DAY.format(n=10, title="C"),
            "chapter_2/day_9.md": DAY.format(n=9, title="A"),
            "chapter_2/sub/day_11.md": DAY.format(n=11, title="D"),
        },
    )
    program = parse_program(tmp_path)

    assert program.ok, program.errors
    assert [c.number for c in program.chapters] == [2, 10]
    assert sources(program) == [
        ["chapter_2/day_9.md", "chapter_2/day_10.md", "chapter_2/sub/day_11.md"],
        ["chapter_10/day_02.md"],
    ]


def test_single_markdown_file_is_one_chapter_with_one_item(tmp_path):
    path = write_tree(tmp_path, {"day_03.md": DAY.format(n=3, title="Hadoop")}) / "day_03.md"
    program = parse_program(path)

    assert program.ok, program.errors
    assert len(program.chapters) == 1
    assert sources(program) == [["day_03.md"]]
    assert program.chapters[0].items[0].number == 3


def test_links_to_items_and_images_resolve_and_outside_paths_are_blocked(tmp_path):
    outside = tmp_path / "secret.md"
    outside.write_text("# secret\n")
    root = write_tree(
        tmp_path / "program",
        {
            "c1/day_01.md": DAY.format(n=1, title="One"),
            "c1/day_02.md": (
                "# Day 02 - Two\n\n"
                "See [Day 01](./day_01#goals) and [one](day_01.md).\n"
                '<img src="../assets/pic.gif" width="300"/>\n\n'
                "![remote](https://example.com/x.png)\n"
                "[etc](../../etc/passwd) [abs](/etc/passwd) [f](file:///etc/passwd)\n"
                "[up](../../secret.md)\n"
            ),
            "assets/pic.gif": GIF,
            "assets/unused.gif": GIF,
        },
    )
    program = parse_program(root)

    assert program.ok, program.errors
    assert list(program.assets) == ["assets/pic.gif"]  # only what an item uses
    resolve = program.resolve
    assert resolve("./day_01#goals", from_source="c1/day_02.md").path == "c1/day_01.md"
    assert resolve("./day_01#goals", from_source="c1/day_02.md").fragment == "goals"
    assert resolve("../assets/pic.gif", from_source="c1/day_02.md").kind == "asset"
    assert resolve("https://example.com/x.png", from_source="c1/day_02.md").kind == "keep"
    blocked = [(line, m) for s, line, m in messages(program) if s == "c1/day_02.md"]
    assert [line for line, _ in blocked] == [7, 7, 7, 8]
    assert "leaves the program folder" in blocked[0][1]
    assert "absolute path" in blocked[1][1]
    assert "file: URL" in blocked[2][1]
    assert "secret" not in "".join(program.markdown.values()).replace("secret.md", "")


@pytest.mark.parametrize("target", ["../outside.md", "/etc/passwd", "file:///etc/passwd"])
def test_toc_entries_outside_the_root_are_never_read(tmp_path, target):
    (tmp_path / "outside.md").write_text("# Day 01 - Outside\n")
    root = write_tree(
        tmp_path / "program",
        {
            "readme.md": f"# P\n## Chapter 01: A\n- **[Day 01]({target}):** x\n- **[Day 02](./d.md):** y\n",
            "d.md": DAY.format(n=2, title="Inside"),
        },
    )
    program = parse_program(root)

    assert sources(program) == [["d.md"]]
    assert all("Outside" not in text for text in program.markdown.values())
    assert any(w.source == "readme.md" and w.line == 3 for w in program.warnings)
