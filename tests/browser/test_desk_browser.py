"""The mentor's desk in Chromium: a review round trip, and a question promoted to the FAQ."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from curriculum.models import Item
from onboarding.models import FaqEntry, Submission, SubmissionState
from onboarding.services.journey import enrollment_create
from tests.onboarding.desk_support import submit_reflection
from tests.onboarding.journey_support import demo_version

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _session(browser_context, live_server, user, mfa_passed=None):
    """Sign BROWSER_CONTEXT in as USER with a session made by Django's test client."""
    client = Client()
    if mfa_passed is not None:
        mfa_passed(client, user)
    else:
        client.force_login(user)
    browser_context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


@pytest.fixture
def program(hire, other_hire, mentor):
    version = demo_version()
    start = datetime.date.today() - datetime.timedelta(days=3)
    first = enrollment_create(hire=hire, version=version, mentor=mentor, start_date=start)
    second = enrollment_create(hire=other_hire, version=version, mentor=mentor, start_date=start)
    day1 = Item.objects.get(version=version, source_path="chapter_00/day_01.md")
    return first, second, day1


def test_mentor_requests_changes_hire_resubmits_mentor_accepts(
    page, browser, live_server, mentor, mfa_passed, program, shoot
):
    enrollment, _, day1 = program
    submit_reflection(enrollment, day1, "Short")
    item_url = live_server.url + reverse("journey:item", args=[enrollment.pk, day1.pk])
    _session(page.context, live_server, mentor, mfa_passed)
    hire_context = browser.new_context(viewport={"width": 390, "height": 844})
    _session(hire_context, live_server, enrollment.hire)
    hire_page = hire_context.new_page()

    page.goto(live_server.url + reverse("home"))
    expect(page.get_by_role("heading", name="Your mentees")).to_be_visible()
    expect(page.get_by_text("1 to review").first).to_be_visible()
    shoot("desk-home-mentor")
    page.get_by_role("link", name="Open your desk").click()
    expect(page.get_by_role("heading", name="Your mentees")).to_be_visible()
    shoot("desk-dashboard")
    page.get_by_role("link", name="Reviews").click()
    shoot("desk-review-queue")
    page.get_by_role("link", name="Review", exact=True).first.click()
    expect(page.get_by_text("Short on prompt 1")).to_be_visible()
    page.get_by_label("Comment for the hire").fill("Tell me **which** customer, and why.")
    shoot("desk-review")
    page.get_by_role("button", name="Request changes").click()
    expect(page.get_by_text("Sent back to Hana Hire for changes.")).to_be_visible()

    hire_page.goto(item_url)
    # The mentor's comment stands inside the reflection card, beside what it is about.
    expect(hire_page.locator("#reflection")).to_contain_text("Changes requested")
    expect(hire_page.locator("#reflection .review-inline strong", has_text="which")).to_be_visible()
    shoot_page(hire_page, "desk-hire-changes-requested")
    fields = hire_page.locator("#reflection textarea")
    for index in range(fields.count() - 1):
        fields.nth(index).fill(f"Longer answer {index + 1}, with the customer named.")
    hire_page.locator("#reflection").get_by_role("button", name="Submit reflection").click()
    expect(hire_page.get_by_text("Reflection sent to your mentor.")).to_be_visible()

    submission = Submission.objects.get(enrollment=enrollment, kind="reflection")
    page.goto(live_server.url + reverse("desk:review", args=[submission.pk]))
    expect(page.get_by_role("heading", name=re.compile("Round 1"))).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("Round 2"))).to_be_visible()
    expect(page.get_by_text("Longer answer 1, with the customer named.")).to_be_visible()
    shoot("desk-review-round-2")
    page.get_by_label("Comment for the hire").fill("Much better.")
    page.get_by_role("button", name="Accept").click()
    expect(page.get_by_text("Accepted. Hana Hire will see it.")).to_be_visible()
    submission.refresh_from_db()
    assert (submission.state, submission.round) == (SubmissionState.ACCEPTED, 2)

    hire_page.goto(item_url)
    expect(hire_page.locator("#reflection")).to_contain_text("Accepted")
    expect(hire_page.locator("#reflection .review-inline")).to_contain_text("Much better.")
    shoot_page(hire_page, "desk-hire-accepted")
    page.goto(live_server.url + reverse("desk:mentee", args=[enrollment.pk]))
    expect(page.get_by_text("Round 1: changes requested")).to_be_visible()
    page.get_by_role("textbox", name="Private note").fill("Strong on product; nudge on **detail**.")
    page.get_by_role("button", name="Save note").click()
    expect(page.get_by_text("Note saved.")).to_be_visible()
    shoot("desk-mentee")
    hire_context.close()


def test_mentor_answers_a_question_and_promotes_it_for_the_next_hire(
    page, browser, live_server, mentor, mfa_passed, program, shoot
):
    enrollment, second, day1 = program
    hire_context = browser.new_context(viewport={"width": 390, "height": 844})
    _session(hire_context, live_server, enrollment.hire)
    hire_page = hire_context.new_page()
    hire_page.goto(live_server.url + reverse("journey:item", args=[enrollment.pk, day1.pk]))
    ask = hire_page.locator("#questions")
    ask.get_by_label("Your question").fill("Why are reminders sent the evening before?")
    ask.get_by_role("button", name="Send question").click()
    expect(hire_page.get_by_text("Question sent to your mentor.")).to_be_visible()
    expect(ask).to_contain_text("Waiting for your mentor")

    _session(page.context, live_server, mentor, mfa_passed)
    page.goto(live_server.url + reverse("desk:question_inbox"))
    shoot("desk-question-inbox")
    page.get_by_role("link", name="Why are reminders sent the evening before?").click()
    page.get_by_label("Your answer").fill(
        "Clinics found *fewer no-shows* with an evening reminder."
    )
    page.get_by_role("button", name="Send answer").click()
    expect(page.locator("#thread em", has_text="fewer no-shows")).to_be_visible()
    expect(page.locator("#id_answer")).to_have_value(
        "Clinics found *fewer no-shows* with an evening reminder."
    )
    shoot("desk-question")
    page.get_by_role("button", name="Promote to FAQ").click()
    expect(page.get_by_text("Added to the item's FAQ.")).to_be_visible()
    assert FaqEntry.objects.filter(removed_at__isnull=True).count() == 1

    hire_page.goto(live_server.url + reverse("journey:item", args=[enrollment.pk, day1.pk]))
    expect(hire_page.locator("#questions")).to_contain_text("fewer no-shows")
    hire_context.close()

    second_context = browser.new_context(viewport={"width": 1280, "height": 860})
    _session(second_context, live_server, second.hire)
    second_page = second_context.new_page()
    second_page.goto(live_server.url + reverse("journey:item", args=[second.pk, day1.pk]))
    faq = second_page.locator("#faq")
    expect(faq.get_by_role("heading", name="Questions other hires asked")).to_be_visible()
    faq.locator("summary").first.click()
    expect(faq.locator("em", has_text="fewer no-shows")).to_be_visible()
    shoot_page(second_page, "desk-second-hire-faq")
    second_context.close()


def shoot_page(page, name):
    """Screenshots of a page that is not the `page` fixture, at phone and desktop width."""
    from tests.browser.conftest import DESKTOP, PHONE
    from tests.conftest import REPO_ROOT

    folder = REPO_ROOT / "test-output" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    for label, size in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(size)
        page.screenshot(path=str(folder / f"{name}-{label}.png"), full_page=True)
