"""The hire's side of issue 15 in Chromium, at phone and desktop width.

Home is the to-do list (what the mentor sent back first, with the comment), the comment stands
beside its answer, a link between days stays in the journey, a refused "Complete" answers in
place, and a long day has contents that follow the hire's ticks.
"""

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from curriculum.markdown.structure import BlockKind
from curriculum.models import Block, Item
from onboarding.demo import working_days_ago
from onboarding.models import Submission
from onboarding.schedule import local_today
from onboarding.services.journey import (
    answer_submit,
    block_check_toggle,
    enrollment_create,
    item_complete,
    reflection_submit,
)
from onboarding.services.review import submission_request_changes
from tests.factories import TEST_PASSWORD
from tests.onboarding.journey_support import demo_version

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 860}}


def _log_in(page, live_server, email):
    page.goto(live_server.url + reverse("account_login"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def _blocks(item, kind):
    return list(Block.objects.filter(item=item, kind=kind).order_by("position"))


@pytest.fixture
def journey(hire, mentor):
    """Day 00 done, its reflection sent back; Day 01's answer sent back; Day 02 is today's."""
    version = demo_version()
    items = list(Item.objects.filter(version=version).order_by("chapter__position", "position"))
    start = working_days_ago(local_today(now=timezone.now(), zone=hire.zone), 2)
    enrollment = enrollment_create(hire=hire, version=version, mentor=mentor, start_date=start)
    day0, day1 = items[0], items[1]
    for block in _blocks(day0, BlockKind.ACTION_ITEM):
        block_check_toggle(
            enrollment=enrollment, by=hire, item=day0, block_key=block.key, checked=True
        )
    prompts = _blocks(day0, BlockKind.REFLECTION_PROMPT)
    reflection_submit(
        enrollment=enrollment, by=hire, item=day0, answers={p.key: "It went well." for p in prompts}
    )
    item_complete(enrollment=enrollment, by=hire, item=day0)
    question = _blocks(day1, BlockKind.QUESTION)[0]
    answer_submit(
        enrollment=enrollment, by=hire, item=day1, block_key=question.key, body="Clinics pay."
    )
    for submission, comment in zip(
        Submission.objects.filter(enrollment=enrollment).order_by("pk"),
        ["Say which part went well, and **why**.", "Who else pays? Think of **insurers**."],
        strict=True,
    ):
        submission_request_changes(submission=submission, by=mentor, comment=comment)
    return enrollment, items


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_home_lists_changes_first_and_the_comment_stands_beside_the_answer(
    page, live_server, hire, journey, screenshot_dir, size
):
    page.set_viewport_size(SIZES[size])
    _log_in(page, live_server, hire.email)
    todo = page.locator("[data-todo=changes]")
    expect(todo.get_by_role("heading", name="Needs your changes")).to_be_visible()
    expect(todo).to_contain_text("Who else pays? Think of insurers.")
    expect(todo).to_contain_text("Say which part went well, and why.")
    page.screenshot(path=str(screenshot_dir / f"h15-home-todo-{size}.png"), full_page=True)

    todo.get_by_role("link", name=re.compile("^Revise your answer to question 1")).click()
    expect(page).to_have_url(re.compile(r"/items/\d+/#block-\d+$"))
    question = page.locator("[data-block-kind=question]").first
    expect(question).to_contain_text("Who else pays? Think of insurers.")
    expect(question.get_by_role("textbox", name="Your answer")).to_have_value("Clinics pay.")
    expect(page.locator("[data-item-state]")).to_have_text("Changes requested")
    question.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / f"h15-answer-comment-{size}.png"))


def test_a_link_to_another_day_stays_in_the_journey(page, live_server, hire, journey):
    enrollment, items = journey
    _log_in(page, live_server, hire.email)
    page.goto(live_server.url + reverse("journey:item", args=[enrollment.pk, items[2].pk]))
    page.locator(".day-page").get_by_role("link", name="Day 01").first.click()
    expect(page).to_have_url(
        re.compile(re.escape(reverse("journey:item", args=[enrollment.pk, items[1].pk])))
    )
    expect(page.get_by_role("link", name="← Your program")).to_be_visible()
    expect(page.get_by_role("button", name="Complete day")).to_be_visible()


def test_completing_too_early_is_refused_in_place_and_a_reload_clears_it(
    page, live_server, hire, journey, screenshot_dir
):
    enrollment, items = journey
    _log_in(page, live_server, hire.email)
    item_url = live_server.url + reverse("journey:item", args=[enrollment.pk, items[2].pk])
    page.goto(item_url)
    page.get_by_role("button", name="Complete day").click()
    refused = page.locator("#complete-refused")
    expect(refused).to_contain_text("Check your action items")
    expect(page).to_have_url(item_url)  # not the POST's URL
    page.locator("#complete").screenshot(path=str(screenshot_dir / "h15-complete-refused.png"))
    page.reload()
    expect(page.locator("#complete-refused")).to_have_count(0)


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_long_day_has_contents_that_follow_the_ticks(
    page, live_server, hire, journey, screenshot_dir, size
):
    enrollment, items = journey
    page.set_viewport_size(SIZES[size])
    _log_in(page, live_server, hire.email)
    page.goto(live_server.url + reverse("journey:item", args=[enrollment.pk, items[2].pk]))
    toc = page.get_by_role("navigation", name="On this page")
    goals_entry = toc.get_by_role("link", name=re.compile(r"^Overview"))
    if size == "phone":  # folded above the day; the keyboard opens it
        expect(goals_entry).to_be_hidden()
        page.screenshot(path=str(screenshot_dir / f"h15-day-toc-{size}-folded.png"))
        toc.locator("summary").focus()
        page.keyboard.press("Enter")
    expect(goals_entry).to_be_visible()
    expect(goals_entry).to_have_accessible_name(re.compile(r"^Overview\s*, 0 of \d+ done\s*$"))
    page.screenshot(path=str(screenshot_dir / f"h15-day-toc-{size}.png"))

    goal = page.locator("[data-block-kind=goal]").first
    goal.get_by_role("checkbox").click()
    expect(goal.get_by_role("checkbox")).to_have_attribute("aria-checked", "true")
    expect(goals_entry).to_have_accessible_name(re.compile(r", 1 of \d+ done"))

    goals_entry.click()
    expect(page).to_have_url(re.compile(r"#block-\d+$"))
    if size == "desktop":  # it stays in view beside the day while the hire scrolls
        page.mouse.wheel(0, 4000)
        page.wait_for_function("window.scrollY > 2000")
        expect(goals_entry).to_be_in_viewport()
        page.screenshot(path=str(screenshot_dir / f"h15-day-toc-{size}-scrolled.png"))
