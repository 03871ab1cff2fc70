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


@pytest.mark.parametrize("count", [5, 50])
def test_version_lists_do_not_grow_with_rows(tmp_path, count, django_assert_num_queries):
    version = import_day(tmp_path, count)
    with django_assert_num_queries(2):
        for item in version_items_with_blocks(version=version):
            list(item.blocks.all())
    with django_assert_num_queries(2):
        for chapter in version_chapters(version=version):
            list(chapter.items.all())


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
