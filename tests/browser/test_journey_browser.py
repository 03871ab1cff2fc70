"""A hire works through a day in Chromium: check, reflect, complete, rate, on to the next."""

import datetime
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from onboarding.services.journey import enrollment_create
from tests.factories import TEST_PASSWORD
from tests.onboarding.journey_support import demo_version

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page, live_server, email):
    page.goto(live_server.url + reverse("account_login"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign In").click()


@pytest.fixture
def enrolled_hire(hire, mentor):
    # Day 00 is today's: the home button points at today's day (tests/onboarding/test_journey_todo)
    start = datetime.date.today()
    enrollment_create(hire=hire, version=demo_version(), mentor=mentor, start_date=start)
    return hire


def test_hire_checks_reflects_completes_rates_and_lands_on_the_next_day(
    page, live_server, enrolled_hire, shoot
):
    _log_in(page, live_server, enrolled_hire.email)
    expect(page.get_by_role("heading", name="Your program")).to_be_visible()
    expect(page.get_by_text("0 of 8 done")).to_be_visible()
    shoot("journey-home")

    page.get_by_role("link", name=re.compile(r"^Start Day 00")).click()
    expect(page.get_by_role("heading", level=1, name=re.compile("Day 00"))).to_be_visible()
    shoot("journey-day")

    goal = page.locator("[data-block-kind=goal]").first.get_by_role("checkbox")
    goal.click()
    expect(page.locator("[data-block-kind=goal]").first.get_by_role("checkbox")).to_have_attribute(
        "aria-checked", "true"
    )
    expect(page).not_to_have_url(re.compile("#block-"))  # htmx swapped the block in place
    actions = page.locator("[data-block-kind=action_item]")
    for index in range(actions.count()):
        actions.nth(index).get_by_role("checkbox").click()
        expect(actions.nth(index).get_by_role("checkbox")).to_have_attribute("aria-checked", "true")

    reflection = page.locator("#reflection")
    fields = reflection.locator("textarea")
    for index in range(fields.count() - 1):  # the last one is the optional notes
        fields.nth(index).fill(f"My answer to prompt {index + 1}.")
    reflection.get_by_role("button", name="Submit reflection").click()
    expect(page.get_by_text("Reflection sent to your mentor.")).to_be_visible()

    page.get_by_role("button", name="Complete day").click()
    expect(page.get_by_role("heading", name="Completed ✓")).to_be_visible()
    page.get_by_label("4").check()
    page.get_by_label("What was unclear? (optional)").fill("The VPN part.")
    shoot("journey-rate")
    page.get_by_role("button", name="Rate and go to the next item").click()

    expect(page.get_by_role("heading", level=1, name=re.compile("Day 01"))).to_be_visible()
    page.goto(live_server.url + reverse("home"))
    expect(page.get_by_text("1 of 8 done")).to_be_visible()
    shoot("journey-home-after")


# --- the shared seed day, end to end, at phone and desktop width ----------------------------------

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 860}}


@pytest.fixture
def seed_day_hire(hire, mentor, shared_curriculum):
    """The hire enrolled in the shared seed day, imported on its own as a one-file program."""
    from curriculum.services import program_import

    seed = shared_curriculum / "seed" / "day_02.md"
    if not seed.is_file():
        pytest.skip(f"{seed} is not in the shared curriculum")
    result = program_import(source=seed, program_slug="seed-day", publish=True)
    assert result.ok, result.parsed.errors
    enrollment_create(hire=hire, version=result.version, mentor=mentor)
    return hire


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_hire_works_through_the_shared_seed_day(
    page, live_server, seed_day_hire, shoot, screenshot_dir, size
):
    from onboarding.models import BlockCheck, MeetingRequest, OutboundEmail, Question

    page.set_viewport_size(SIZES[size])
    _log_in(page, live_server, seed_day_hire.email)
    page.get_by_role("link", name=re.compile(r"^Start Day 02")).click()
    expect(page.get_by_role("heading", level=1, name=re.compile("Day 02"))).to_be_visible()
    page.screenshot(path=str(screenshot_dir / f"seed-day-start-{size}.png"), full_page=True)

    for kind in ("goal", "action_item"):
        blocks = page.locator(f"[data-block-kind={kind}]")
        assert blocks.count() >= 2
        for index in range(blocks.count()):
            blocks.nth(index).get_by_role("checkbox").click()
            expect(blocks.nth(index).get_by_role("checkbox")).to_have_attribute(
                "aria-checked", "true"
            )

    # "ask your mentor to arrange this" becomes a request, in place
    meeting = page.locator("[data-block-kind=meeting_request]").first
    meeting.get_by_label("What would you like from it? (optional)").fill("A team using streaming.")
    meeting.get_by_role("button", name="Request this meeting").click()
    expect(page.locator("[data-block-kind=meeting_request]").first).to_contain_text(
        "Meeting requested"
    )

    # opening a resource counts as read; the day stays open in its tab
    resource = page.locator("[data-block-kind=resource]").first
    # (the resource itself is outside; no network here, so only its request is checked)
    youtube = re.compile(r"^https://www\.youtube\.com/watch")
    with (
        page.context.expect_page() as opened,
        page.context.expect_event("request", lambda request: youtube.match(request.url)),
    ):
        resource.get_by_role("link", name=re.compile("^Open")).click()
    opened.value.close()
    expect(page.locator("[data-block-kind=resource]").first).to_contain_text("Read ✓")

    ask = page.locator("#questions")
    ask.get_by_label("Your question").fill("Which client team works with streaming data?")
    ask.get_by_role("button", name="Send question").click()
    expect(page.get_by_text("Question sent to your mentor.")).to_be_visible()
    expect(page.locator("#questions")).to_contain_text("Waiting for your mentor")

    reflection = page.locator("#reflection")
    fields = reflection.locator("textarea")
    for index in range(fields.count() - 1):  # the last one is the optional notes
        fields.nth(index).fill(f"My answer to prompt {index + 1}.")
    reflection.get_by_role("button", name="Submit reflection").click()
    expect(page.get_by_text("Reflection sent to your mentor.")).to_be_visible()

    page.get_by_role("button", name="Complete day").click()
    expect(page.get_by_role("heading", name="Completed ✓")).to_be_visible()
    page.get_by_label("5").check()
    page.screenshot(path=str(screenshot_dir / f"seed-day-rate-{size}.png"), full_page=True)
    page.get_by_role("button", name="Rate and finish").click()

    page.wait_for_url(live_server.url + reverse("home"))  # htmx goes home once it is rated
    expect(page.get_by_text("1 of 1 done")).to_be_visible()
    expect(page.get_by_text("A meeting you asked for (requested)")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / f"seed-day-home-after-{size}.png"), full_page=True)
    if size == "desktop":
        shoot("seed-day-home")
    assert MeetingRequest.objects.get().note == "A team using streaming."
    assert OutboundEmail.objects.filter(dedupe_key__startswith="meeting-request:").count() == 1
    assert BlockCheck.objects.filter(block_key__startswith="resource-").count() == 1
    assert Question.objects.get().body == "Which client team works with streaming data?"


# --- keyboard only ---------------------------------------------------------------------------------


def _tab_to(page, locator, *, limit=400):
    """Press Tab until LOCATOR has the focus (the way a keyboard user gets there)."""
    for _ in range(limit):
        if locator.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{locator} never got the focus with Tab")


def test_keyboard_only_completion_of_a_day(page, live_server, enrolled_hire):
    _log_in(page, live_server, enrolled_hire.email)
    expect(page.get_by_role("heading", name="Your program")).to_be_visible()
    start = page.get_by_role("link", name=re.compile(r"^Start Day 00"))
    _tab_to(page, start)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name=re.compile("Day 00"))).to_be_visible()

    for kind in ("goal", "action_item"):
        blocks = page.locator(f"[data-block-kind={kind}]")
        for index in range(blocks.count()):
            box = blocks.nth(index).get_by_role("checkbox")
            _tab_to(page, box)
            page.keyboard.press("Space")
            expect(box).to_have_attribute("aria-checked", "true")
            # htmx swapped the block; the same checkbox keeps the focus
            expect(blocks.nth(index).get_by_role("checkbox")).to_be_focused()

    reflection = page.locator("#reflection")
    fields = reflection.locator("textarea")
    for index in range(fields.count() - 1):
        _tab_to(page, fields.nth(index))
        page.keyboard.type(f"Typed answer {index + 1}.")
    _tab_to(page, reflection.get_by_role("button", name="Submit reflection"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("Reflection sent to your mentor.")).to_be_visible()

    _tab_to(page, page.get_by_role("button", name="Complete day"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Completed ✓")).to_be_visible()
    _tab_to(page, page.get_by_label("1", exact=True))
    for _ in range(3):  # arrow keys move through the radio group: 1 -> 4
        page.keyboard.press("ArrowRight")
    expect(page.get_by_label("4", exact=True)).to_be_checked()
    _tab_to(page, page.get_by_role("button", name="Rate and go to the next item"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name=re.compile("Day 01"))).to_be_visible()


# --- right-to-left content does not turn the page's own controls ----------------------------------


def test_hebrew_content_leaves_the_item_pages_controls_left_to_right(
    page, live_server, enrolled_hire
):
    _log_in(page, live_server, enrolled_hire.email)
    page.get_by_role("link", name=re.compile(r"^Start Day 00")).click()
    hebrew = page.locator(".prose p", has_text="ברוכים הבאים").first
    expect(hebrew).to_be_visible()
    controls = [
        page.locator("[data-block-kind=goal]").first.get_by_role("checkbox"),
        page.locator("#reflection").get_by_role("button", name="Submit reflection"),
        page.locator("#reflection textarea").first,
        page.get_by_role("button", name="Complete day"),
        page.locator(".item-nav"),
    ]
    for control in controls:
        assert control.evaluate("element => getComputedStyle(element).direction") == "ltr"
        assert control.evaluate("element => element.closest('[dir=rtl], [dir=auto]')") is None


# --- a finished day that a newer version changed ---------------------------------------------------


def test_finished_day_says_what_a_newer_version_changed(page, live_server, hire, tmp_path, shoot):
    from curriculum.markdown.structure import BlockKind
    from curriculum.models import Block, Item
    from onboarding.services.journey import completion_policy_set, item_complete
    from tests.factories import ProgramAdminFactory
    from tests.onboarding.journey_versions_support import (
        DAY_ONE,
        DAY_TWO,
        import_published,
        write_program,
    )

    root = write_program(tmp_path / "program", {"day_01.md": DAY_ONE, "day_02.md": DAY_TWO})
    version = import_published(root)
    enrollment = enrollment_create(hire=hire, version=version)
    completion_policy_set(
        program=version.program,
        by=ProgramAdminFactory(email="boss@example.com"),
        require_action_items=False,
        require_reflection=False,
    )
    day = Item.objects.get(version=version, source_path="chapter_00/day_01.md")
    item_complete(enrollment=enrollment, by=hire, item=day)
    changed = DAY_ONE.replace("- Set up your laptop.", "- Set up your laptop and the VPN.")
    write_program(
        root,
        {
            "day_01.md": changed + "\n## Notes\n- שלום: say hello in #general.\n",
            "day_02.md": DAY_TWO,
        },
    )
    import_published(root)
    assert Block.objects.filter(item=day, kind=BlockKind.GOAL).count() == 2

    _log_in(page, live_server, hire.email)
    page.goto(live_server.url + reverse("journey:item", args=[enrollment.pk, day.pk]))
    notice = page.locator("#changes")
    expect(
        notice.get_by_role("heading", name="This day changed since you finished it")
    ).to_be_visible()
    expect(notice).to_contain_text("Set up your laptop.")
    notice.get_by_text("Show the changed text").press("Enter")  # keyboard opens the details
    expect(notice.locator("ins", has_text="Set up your laptop and the VPN.")).to_be_visible()
    # a diff line that starts with Hebrew keeps its "+" marker on the left (source reads LTR)
    hebrew_line = notice.locator("ins", has_text="say hello in #general")
    assert hebrew_line.evaluate("element => getComputedStyle(element).direction") == "ltr"
    shoot("journey-day-changed")
