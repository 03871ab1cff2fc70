"""Selectors: what each person may see, in a number of queries that does not grow with rows."""

import pytest
from django.http import Http404

from curriculum.selectors import (
    item_for_user,
    program_published_version,
    version_chapters,
    version_items_with_blocks,
)
from curriculum.services import program_import, version_publish
from tests.curriculum.support import write_tree

pytestmark = pytest.mark.django_db


def day_with_sections(count: int) -> str:
    sections = "".join(f"\n## {n}. Topic {n}\nText of topic {n}.\n" for n in range(1, count + 1))
    return f"# Day 01 - Many :rocket:\n{sections}"


def import_day(tmp_path, count: int, *, publish: bool = True):
    root = write_tree(tmp_path / f"p{count}", {"c1/day_01.md": day_with_sections(count)})
    return program_import(source=root, program_slug=f"p{count}", publish=publish).version


@pytest.mark.parametrize("count", [5, 50])
def test_item_with_blocks_takes_two_queries_whatever_the_block_count(
    tmp_path, hire, count, django_assert_num_queries
):
    version = import_day(tmp_path, count)
    item_id = version.items.get().pk

    with django_assert_num_queries(2):
        item = item_for_user(user=hire, item_id=item_id)
        blocks = list(item.blocks.all())
        _ = (item.chapter.title, item.version.program.title)

    assert len(blocks) >= count
    assert [b.position for b in blocks] == sorted(b.position for b in blocks)


def import_chapters(tmp_path, chapters: int, items: int):
    """CHAPTERS chapters of ITEMS days each, every day with three sections (blocks)."""
    files = {
        f"c{c}/day_{c * 10 + i:02d}.md": day_with_sections(3).replace("Day 01", f"Day {c * 10 + i}")
        for c in range(1, chapters + 1)
        for i in range(1, items + 1)
    }
    root = write_tree(tmp_path / f"p{chapters}x{items}", files)
    return program_import(source=root, program_slug=f"p{chapters}x{items}").version


@pytest.mark.parametrize(("chapters", "items"), [(2, 2), (4, 3)])
def test_version_lists_do_not_grow_with_rows(tmp_path, chapters, items, django_assert_num_queries):
    """Several chapters of several items, so that a list without its prefetch (one query per
    item or per chapter) is seen."""
    version = import_chapters(tmp_path, chapters, items)
    with django_assert_num_queries(2):
        listed = [
            (item.chapter.title, len(item.blocks.all()))
            for item in version_items_with_blocks(version=version)
        ]
    assert len(listed) == chapters * items
    assert all(blocks >= 3 for _, blocks in listed)
    with django_assert_num_queries(2):
        contents = [len(chapter.items.all()) for chapter in version_chapters(version=version)]
    assert contents == [items] * chapters


def test_the_list_test_would_see_a_missing_prefetch(tmp_path):
    """Its negative case: the same lists with their prefetches removed take one query per row,
    which the shape above (N > 1 of each) turns into a failure."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    version = import_chapters(tmp_path, 2, 2)
    with CaptureQueriesContext(connection) as items_without:
        for item in version_items_with_blocks(version=version).prefetch_related(None):
            list(item.blocks.all())
    with CaptureQueriesContext(connection) as chapters_without:
        for chapter in version_chapters(version=version).prefetch_related(None):
            list(chapter.items.all())

    assert len(items_without) == 1 + 4
    assert len(chapters_without) == 1 + 2


def test_drafts_are_for_program_admins_only(tmp_path, hire, admin):
    draft = import_day(tmp_path, 3, publish=False)
    item_id = draft.items.get().pk

    assert item_for_user(user=admin, item_id=item_id).pk == item_id
    with pytest.raises(Http404):
        item_for_user(user=hire, item_id=item_id)
    with pytest.raises(Http404):
        item_for_user(user=hire, item_id=item_id + 10_000)

    version_publish(version=draft, published_by=admin)
    assert item_for_user(user=hire, item_id=item_id).pk == item_id
    assert program_published_version(program=draft.program) == draft


def test_strs_read_well(tmp_path):
    version = import_day(tmp_path, 1)
    item = version.items.get()
    assert str(version) == "P1 v1 (published)"
    assert str(item) == "Day 01 - Many"
    assert str(item.chapter).startswith("P1") or item.chapter.title
    assert str(item.blocks.first())


def test_paths_in_imported_html_match_the_curriculum_routes():
    from django.urls import resolve

    from curriculum.paths import URL_PREFIX, asset_url

    match = resolve("/" + asset_url(7, "assets/x.gif").removeprefix(URL_PREFIX), "curriculum.urls")
    assert match.url_name == "asset_file"
    assert match.kwargs == {"asset_id": 7, "name": "x.gif"}
