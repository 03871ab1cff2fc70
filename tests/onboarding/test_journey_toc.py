"""A long day has contents: each "## ..." heading with the hire's progress under it."""

import datetime
import re

import pytest
from django.urls import reverse

from curriculum.markdown.structure import BlockKind
from curriculum.models import Block, Item
from onboarding.selectors.journey import item_page
from onboarding.services.journey import (
    answer_submit,
    block_check_toggle,
    enrollment_create,
    reflection_submit,
)
from tests.onboarding.journey_support import demo_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrollment(hire, mentor):
    return enrollment_create(
        hire=hire, version=demo_version(), mentor=mentor, start_date=datetime.date(2026, 11, 2)
    )


@pytest.fixture
def day1(enrollment):
    return Item.objects.get(version=enrollment.version, source_path="chapter_00/day_01.md")


def _blocks(item, kind):
    return list(Block.objects.filter(item=item, kind=kind).order_by("position"))


def _by_title(page):
    return {section.title: section for section in page.sections}


def test_sections_follow_the_headings_with_what_the_hire_does_under_each(enrollment, day1):
    sections = item_page(enrollment=enrollment, item_id=day1.pk).sections
    titles = [section.title for section in sections]
    assert titles[:3] == ["Goals", "Overview", "1. What Beacon Is"]
    assert "Wrapping Up" in titles and "Action Items" in titles
    by_title = {section.title: section for section in sections}
    assert (by_title["Goals"].done, by_title["Goals"].total) == (0, 4)
    assert by_title["Overview"].total == 0  # reading matter only
    assert by_title["Wrapping Up"].total == 1  # the reflection counts once, not per prompt
    assert by_title["Recommended Resources"].total == 3
    assert by_title["Exercise 1: Know Our Customers"].total == 1
    assert all(section.anchor.startswith("block-") for section in sections)


def test_progress_per_section_moves_with_ticks_answers_and_the_reflection(hire, enrollment, day1):
    for goal in _blocks(day1, BlockKind.GOAL)[:2]:
        block_check_toggle(
            enrollment=enrollment, by=hire, item=day1, block_key=goal.key, checked=True
        )
    for action in _blocks(day1, BlockKind.ACTION_ITEM):
        block_check_toggle(
            enrollment=enrollment, by=hire, item=day1, block_key=action.key, checked=True
        )
    question = _blocks(day1, BlockKind.QUESTION)[0]
    answer_submit(enrollment=enrollment, by=hire, item=day1, block_key=question.key, body="Me.")
    prompts = _blocks(day1, BlockKind.REFLECTION_PROMPT)
    reflection_submit(
        enrollment=enrollment, by=hire, item=day1, answers={p.key: "Yes." for p in prompts}
    )
    by_title = _by_title(item_page(enrollment=enrollment, item_id=day1.pk))
    assert (by_title["Goals"].done, by_title["Goals"].complete) == (2, False)
    assert by_title["Action Items"].complete
    assert by_title["Exercise 1: Know Our Customers"].complete
    assert by_title["Wrapping Up"].complete
    assert not by_title["Overview"].complete  # nothing to do is not "done"


def test_the_page_shows_the_contents_with_links_and_spoken_progress(client, hire, enrollment, day1):
    goals = _blocks(day1, BlockKind.GOAL)
    block_check_toggle(
        enrollment=enrollment, by=hire, item=day1, block_key=goals[0].key, checked=True
    )
    client.force_login(hire)
    html = client.get(reverse("journey:item", args=[enrollment.pk, day1.pk])).content.decode()
    toc = html[html.index("data-day-toc") : html.index("</nav>", html.index("data-day-toc"))]
    assert '<summary class="day-toc__summary" id="day-toc-heading">On this page</summary>' in toc
    page = item_page(enrollment=enrollment, item_id=day1.pk)
    for section in page.sections:
        assert f'href="#{section.anchor}"' in toc
        assert f'id="{section.anchor}"' in html  # every entry lands on its heading
    assert "1/4</span>" in toc and ", 1 of 4 done" in toc
    assert 'href="#complete"' in toc
    # each to-do block says its state, so the script can recount after an htmx swap
    assert html.count('data-todo="done"') == 1
    assert len(re.findall(r"data-section-start", html)) == len(page.sections)


def test_a_day_with_one_heading_has_no_contents(client, hire, mentor, tmp_path):
    from curriculum.services import program_import

    path = tmp_path / "day_00.md"
    path.write_text("# Day 00 - Short\n\n## Goals\n- Read this.\n")
    version = program_import(source=path, program_slug="short", publish=True).version
    enrollment = enrollment_create(hire=hire, version=version, mentor=mentor)
    item = Item.objects.get(version=version)
    client.force_login(hire)
    html = client.get(reverse("journey:item", args=[enrollment.pk, item.pk])).content.decode()
    assert "data-day-toc" not in html
