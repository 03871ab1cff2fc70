"""Versions: identical re-imports create nothing, edits keep unchanged blocks' keys, publish."""

import pytest
from django.db import IntegrityError, transaction

from curriculum.models import Asset, Block, Chapter, Item, Program, ProgramVersion
from curriculum.services import program_import, version_publish
from tests.curriculum.support import DAY, write_tree

pytestmark = pytest.mark.django_db

README = (
    "# Versioned\n## Chapter 01: A\n- **[Day 01](./c1/day_01.md):** One\n"
    "- **[Day 02](./c1/day_02.md):** Two\n"
)


@pytest.fixture
def program_dir(tmp_path):
    return write_tree(
        tmp_path / "versioned",
        {
            "readme.md": README,
            "c1/day_01.md": DAY.format(n=1, title="One") + "\n![p](../assets/p.gif)\n",
            "c1/day_02.md": DAY.format(n=2, title="Two"),
            "assets/p.gif": b"GIF89a",
        },
    )


def row_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Program, ProgramVersion, Chapter, Item, Block, Asset)
    }


def keys(version, source) -> list[str]:
    return list(
        Block.objects.filter(item__version=version, item__source_path=source)
        .order_by("position")
        .values_list("key", flat=True)
    )


def test_first_import_is_a_draft_with_everything_added(program_dir, admin):
    result = program_import(source=program_dir, imported_by=admin)

    assert result.status == "imported"
    version = result.version
    assert (version.number, version.state, version.created_by) == (1, "draft", admin)
    assert version.source_kind == "folder"
    assert len(version.content_hash) == 64
    assert version.change_summary["items"]["added"] == ["c1/day_01.md", "c1/day_02.md"]
    assert version.change_summary["compared_with"] is None
    assert Asset.objects.get().path == "assets/p.gif"


def test_identical_reimport_says_no_changes_and_creates_nothing(program_dir):
    first = program_import(source=program_dir)
    before = row_counts()

    again = program_import(source=program_dir)

    assert again.status == "no_changes"
    assert again.version == first.version
    assert row_counts() == before


def test_editing_one_goal_changes_only_that_blocks_key(program_dir, admin):
    first = program_import(source=program_dir, publish=True, imported_by=admin).version
    day_01 = program_dir / "c1" / "day_01.md"
    day_01.write_text(day_01.read_text().replace("- Practise One", "- Practise One every day"))

    second = program_import(source=program_dir).version

    assert second.number == 2
    old, new = keys(first, "c1/day_01.md"), keys(second, "c1/day_01.md")
    assert len(old) == len(new)
    changed = [(a, b) for a, b in zip(old, new, strict=True) if a != b]
    assert len(changed) == 1  # progress on every other block survives through its key
    assert keys(first, "c1/day_02.md") == keys(second, "c1/day_02.md")
    summary = second.change_summary
    assert summary["compared_with"] == 1
    assert summary["items"] == {
        "added": [], "removed": [], "changed": ["c1/day_01.md"], "renamed": [], "ambiguous": [],
        "unchanged": 1,
    }  # fmt: skip
    # A lightly reworded goal is the same goal under a new key: not "removed + added".
    assert summary["changes"]["c1/day_01.md"] == {
        "added": [], "removed": [], "changed": [], "renamed": {changed[0][0]: changed[0][1]}
    }  # fmt: skip


def test_editing_a_sections_text_changes_only_that_block(program_dir):
    first = program_import(source=program_dir, publish=True).version
    day_01 = program_dir / "c1" / "day_01.md"
    day_01.write_text(day_01.read_text().replace("Read about One.", "Read all about One, again."))

    second = program_import(source=program_dir).version

    def blocks(version):
        return list(
            Block.objects.filter(item__version=version, item__source_path="c1/day_01.md")
            .order_by("position")
            .values_list("key", "markdown")
        )

    differing = [(a, b) for a, b in zip(blocks(first), blocks(second), strict=True) if a != b]
    assert len(differing) == 1
    summary = second.change_summary["blocks"]
    assert summary["changed"] + summary["added"] == 1


def test_removed_and_added_items_are_summarised(program_dir):
    program_import(source=program_dir, publish=True)
    (program_dir / "c1" / "day_02.md").unlink()
    write_tree(program_dir, {"c1/day_03.md": DAY.format(n=3, title="Three")})

    summary = program_import(source=program_dir).version.change_summary

    assert summary["items"]["removed"] == ["c1/day_02.md"]
    assert summary["items"]["added"] == ["c1/day_03.md"]


def test_publish_makes_a_version_current_and_archives_the_previous(program_dir, admin):
    first = program_import(source=program_dir, publish=True, imported_by=admin).version
    (program_dir / "c1" / "day_02.md").write_text(DAY.format(n=2, title="Two, revised"))
    second = program_import(source=program_dir).version
    assert second.state == "draft"

    version_publish(version=second, published_by=admin)
    version_publish(version=second, published_by=admin)  # twice: nothing more happens

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, second.state) == ("archived", "published")
    assert second.published_by == admin and second.published_at is not None
    assert ProgramVersion.objects.filter(state="published").count() == 1


def test_the_database_refuses_two_published_versions(program_dir):
    first = program_import(source=program_dir, publish=True).version
    (program_dir / "c1" / "day_02.md").write_text(DAY.format(n=2, title="Other"))
    second = program_import(source=program_dir).version
    second.state = "published"
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()
    assert first.program.versions.filter(state="published").get() == first


def test_identical_reimport_with_publish_publishes_the_draft(program_dir):
    draft = program_import(source=program_dir).version
    before = row_counts()
    result = program_import(source=program_dir, publish=True)
    assert result.status == "no_changes"
    draft.refresh_from_db()
    assert draft.state == "published"
    assert row_counts() == before


def test_program_slug_can_be_chosen(program_dir):
    result = program_import(source=program_dir, program_slug="newbies")
    assert result.program.slug == "newbies"
    assert result.program.title == "Versioned"


def test_hostile_markdown_is_stored_without_active_html(tmp_path):
    nested = "> " * 3000 + "deep\n\n" + "".join("  " * i + "- item\n" for i in range(500))
    hostile = (
        "# Day 01 - Hostile\n\n## Overview\n"
        "[x](javascript:alert(1)) [y](data:text/html,hi) <script>alert(1)</script>\n"
        '<img src="x" onerror="alert(1)"> <iframe src="https://e.com"></iframe>\n'
        "<svg onload=alert(1)></svg> <form action=/x><input></form>\n\n" + nested
    )
    root = write_tree(tmp_path / "hostile", {"c1/day_01.md": hostile})

    result = program_import(source=root)

    assert result.status == "imported"
    html = "".join(Block.objects.values_list("html", flat=True)).lower()
    # Refused links stay as visible text ("[x](javascript:...)"); no attribute may carry them.
    for active in ("<script", '="javascript:', '="data:', "onerror=", "<iframe", "<svg", "<form"):
        assert active not in html, active
