"""Authoring services: edits go into a draft, no lost update, history, and a round trip to Markdown."""

from pathlib import Path

import pytest

from curriculum import authoring
from curriculum.authoring import AuthoringError, EditConflict
from curriculum.exporter import version_as_parsed, version_export_zip
from curriculum.importer import load_zip
from curriculum.models import Block, Chapter, Item, ItemRevision, ProgramVersion
from curriculum.services import program_import, version_publish
from tests.curriculum.html_safety import assert_no_active_html
from tests.curriculum.support import DAY, write_tree

pytestmark = pytest.mark.django_db

DEMO = Path(__file__).resolve().parents[2] / "curriculum" / "demo" / "program"


@pytest.fixture
def published(admin):
    return program_import(source=DEMO, program_slug="lighthouse", publish=True).version


@pytest.fixture
def draft(published, admin):
    return authoring.draft_for_program(program=published.program, user=admin)


def day(version: ProgramVersion, source: str = "chapter_01/day_03.md") -> Item:
    return Item.objects.get(version=version, source_path=source)


def keys(item: Item) -> list[str]:
    return list(item.blocks.order_by("position").values_list("key", flat=True))


def assert_round_trip(version: ProgramVersion) -> None:
    """Export, import: "no changes", and the stored rows hash as the import of their export."""
    version.refresh_from_db()
    assert version_as_parsed(version=version).content_hash() == version.content_hash
    again = program_import(
        source=load_zip(version_export_zip(version=version), name="export.zip"),
        program_slug=version.program.slug,
    )
    assert again.status == "no_changes", again.summary
    assert again.version == version


def test_a_draft_copies_the_published_version_with_the_same_keys(published, draft, admin):
    assert (draft.number, draft.state, draft.based_on) == (2, "draft", published)
    assert (
        Item.objects.filter(version=draft).count() == Item.objects.filter(version=published).count()
    )
    assert keys(day(draft)) == keys(day(published))
    assert draft.content_hash == published.content_hash
    assert draft.change_summary["items"]["changed"] == []
    assert draft.change_summary["compared_with"] == published.number
    # Links in the copy point at the draft's own items, not the published ones.
    html = "".join(Block.objects.filter(item__version=draft).values_list("html", flat=True))
    for item_id in Item.objects.filter(version=published).values_list("pk", flat=True):
        assert f"/curriculum/items/{item_id}/" not in html
    assert authoring.draft_for_program(program=published.program, user=admin) == draft


def test_saving_markdown_reparses_records_history_and_updates_the_summary(draft, admin):
    item = day(draft)
    before_keys = keys(item)
    text = item.markdown.replace("## Goals:", "## Goals:\n- Draw the schema on paper", 1)
    assert text != item.markdown

    saved = authoring.item_update_markdown(
        item=item, markdown=text, base_hash=item.text_hash, user=admin
    )

    assert saved.markdown == text
    assert any(k.startswith("goal-draw-the-schema") for k in keys(saved))
    # Blocks whose text did not change keep their keys: progress on them survives.
    assert set(before_keys) - set(keys(saved)) == set()
    revision = ItemRevision.objects.get()
    assert (revision.created_by, revision.action, revision.item_key) == (
        admin,
        "edit",
        "chapter_01/day_03.md",
    )
    assert revision.markdown_after == text
    draft.refresh_from_db()
    assert draft.change_summary["items"]["changed"] == ["chapter_01/day_03.md"]
    assert draft.change_summary["blocks"]["added"] >= 1
    assert_round_trip(draft)


def test_browser_line_endings_are_stored_as_an_import_would(draft, admin):
    item = day(draft)
    crlf = item.markdown.replace("\n", "\r\n") + "\r\nOne more line.\r\n"

    saved = authoring.item_update_markdown(
        item=item, markdown=crlf, base_hash=item.text_hash, user=admin
    )

    assert "\r" not in saved.markdown
    assert_round_trip(draft)


def test_the_second_of_two_saves_from_the_same_text_is_refused_and_nothing_is_lost(
    draft, admin, mentor
):
    item = day(draft)
    base = item.text_hash
    first = item.markdown + "\nFirst admin's paragraph.\n"
    second = item.markdown + "\nSecond admin's paragraph.\n"

    authoring.item_update_markdown(item=item, markdown=first, base_hash=base, user=admin)
    with pytest.raises(EditConflict, match="Someone else saved this item"):
        authoring.item_update_markdown(item=item, markdown=second, base_hash=base, user=admin)

    item.refresh_from_db()
    assert item.markdown == first
    assert ItemRevision.objects.count() == 1


def test_published_and_archived_versions_cannot_be_edited(published, draft, admin):
    item = day(published)
    before = item.markdown

    with pytest.raises(AuthoringError, match="Version 1 is published"):
        authoring.item_update_markdown(
            item=item, markdown="# Day 03 - Gone\n", base_hash=item.text_hash, user=admin
        )
    with pytest.raises(AuthoringError, match="published"):
        authoring.item_remove(item=item, user=admin)
    with pytest.raises(AuthoringError, match="published"):
        authoring.chapter_add(version=published, title="New", user=admin)
    item.refresh_from_db()
    assert item.markdown == before
    assert not ItemRevision.objects.exists()


def test_an_edit_after_the_draft_is_published_is_refused(draft, admin):
    item = day(draft)
    version_publish(version=draft, published_by=admin)

    with pytest.raises(AuthoringError, match="published"):
        authoring.item_update_markdown(
            item=item, markdown=item.markdown + "x", base_hash=item.text_hash, user=admin
        )


def test_hostile_markdown_is_saved_without_active_html(draft, admin):
    item = day(draft)
    hostile = (
        "# Day 03 - Hostile <script>alert(1)</script>\n\n"
        "<img src=x onerror=alert(1)>\n\n[click](javascript:alert(1))\n\n"
        '<iframe src="https://evil.example"></iframe>\n\n<svg onload=alert(1)></svg>\n\n'
        '<a href="data:text/html,<script>alert(1)</script>">x</a>\n'
        "<form action=https://evil.example><button>go</button></form>\n"
    )

    authoring.item_update_markdown(
        item=item, markdown=hostile, base_hash=item.text_hash, user=admin
    )
    preview = authoring.item_markdown_preview(item=item, markdown=hostile)

    for html in Block.objects.filter(item=item).values_list("html", flat=True):
        assert_no_active_html(html)
    for block in preview.blocks:
        assert_no_active_html(block.html)


def test_too_large_or_too_deep_text_is_refused_with_a_message(draft, admin):
    item = day(draft)

    with pytest.raises(AuthoringError, match="larger than"):
        authoring.item_update_markdown(
            item=item, markdown="x" * 1_100_000, base_hash=item.text_hash, user=admin
        )
    preview = authoring.item_markdown_preview(item=item, markdown="x" * 1_100_000)
    assert "larger than" in preview.error
    item.refresh_from_db()
    assert not ItemRevision.objects.exists()


def test_restore_an_older_text(draft, admin):
    item = day(draft)
    original = item.markdown
    authoring.item_update_markdown(
        item=item, markdown=original + "\nAn edit.\n", base_hash=item.text_hash, user=admin
    )
    item.refresh_from_db()
    revision = ItemRevision.objects.get()

    authoring.item_restore(
        item=item, revision=revision, base_hash=item.text_hash, user=admin, which="before"
    )

    item.refresh_from_db()
    assert item.markdown == original
    assert [r.action for r in ItemRevision.objects.order_by("pk")] == ["edit", "restore"]
    draft.refresh_from_db()
    assert draft.change_summary["items"]["changed"] == []
    assert_round_trip(draft)


def test_structure_edits_round_trip_to_markdown(draft, admin):
    chapters = list(Chapter.objects.filter(version=draft).order_by("position"))
    first, second = chapters[0], chapters[1]

    new_day = authoring.item_add(chapter=second, kind="day", title="Caching with Redis", user=admin)
    link = authoring.item_add(
        chapter=first,
        kind="external",
        title="Python tutorial",
        url="https://docs.python.org/3/",
        user=admin,
    )
    authoring.item_rename(item=new_day, title="Caching, properly", user=admin)
    authoring.item_change_kind(item=day(draft, "chapter_01/day_04.md"), kind="exercise", user=admin)
    authoring.item_move(item=day(draft, "chapter_01/day_03.md"), direction="up", user=admin)
    authoring.item_move(item=day(draft, "chapter_01/day_03.md"), direction="up", user=admin)
    authoring.item_remove(item=day(draft, "chapter_00/day_01.md"), user=admin)
    authoring.item_rename(item=link, title="The Python tutorial", user=admin)
    extra = authoring.chapter_add(version=draft, title="Going further", user=admin)
    authoring.chapter_rename(chapter=extra, title="Going further still", user=admin)
    authoring.chapter_move(chapter=extra, direction="up", user=admin)
    empty = authoring.chapter_add(version=draft, title="Empty", user=admin)
    authoring.chapter_remove(chapter=empty, user=admin)

    new_day.refresh_from_db()
    assert new_day.source_path == "chapter_01/day_05.md"
    assert new_day.markdown.startswith("# Day 05 - Caching, properly\n")
    exercise = Item.objects.get(version=draft, source_path="chapter_01/exercise_04.md")
    assert exercise.kind == "exercise"
    moved = day(draft, "chapter_01/day_03.md")
    assert moved.chapter == first
    assert [c.title for c in Chapter.objects.filter(version=draft).order_by("position")][-2:] == [
        "Going further still",
        second.title,
    ]
    summary = ProgramVersion.objects.get(pk=draft.pk).change_summary
    assert "chapter_01/day_05.md" in summary["items"]["added"]
    assert "chapter_00/day_01.md" in summary["items"]["removed"]
    assert_round_trip(draft)


def test_structure_refusals_say_why(draft, admin):
    chapter = Chapter.objects.filter(version=draft).order_by("position").first()

    with pytest.raises(AuthoringError, match="items first"):
        authoring.chapter_remove(chapter=chapter, user=admin)
    with pytest.raises(AuthoringError, match="already at that end"):
        authoring.chapter_move(chapter=chapter, direction="up", user=admin)
    with pytest.raises(AuthoringError, match="Give a title"):
        authoring.item_add(chapter=chapter, kind="day", title="  ", user=admin)
    with pytest.raises(AuthoringError, match="http"):
        authoring.item_add(
            chapter=chapter, kind="external", title="x", url="javascript:alert(1)", user=admin
        )
    with pytest.raises(AuthoringError, match="Choose"):
        authoring.item_change_kind(item=day(draft), kind="external", user=admin)


def test_the_last_item_cannot_be_removed(tmp_path, admin):
    root = write_tree(tmp_path / "one", {"c1/day_01.md": DAY.format(n=1, title="Only")})
    version = program_import(source=root).version

    with pytest.raises(AuthoringError, match="at least one item"):
        authoring.item_remove(item=Item.objects.get(version=version), user=admin)


def test_a_save_based_on_text_that_only_gained_blank_lines_is_still_refused(admin):
    version = program_import(source=DEMO, program_slug="blank", publish=True).version
    draft = authoring.draft_for_program(program=version.program, user=admin)
    item = Item.objects.filter(version=draft, kind="day").order_by("pk").first()
    opened = item.text_hash
    authoring.item_update_markdown(
        item=item, markdown=item.markdown + "\n\n\n", base_hash=opened, user=admin
    )
    item.refresh_from_db()
    saved = item.markdown

    with pytest.raises(EditConflict):
        authoring.item_update_markdown(
            item=item, markdown=saved + "A late edit.\n", base_hash=opened, user=admin
        )

    item.refresh_from_db()
    assert item.markdown == saved
