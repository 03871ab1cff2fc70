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
    start = datetime.date.today() - datetime.timedelta(days=3)
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
