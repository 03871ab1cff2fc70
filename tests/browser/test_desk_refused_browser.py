"""In Chromium: a refused desk action keeps the mentor where they were. An empty "request
changes" shows its message by the comment box, in place (htmx), with nothing sent and the URL
unchanged; without JavaScript the same refusal comes back by GET, so a reload never re-posts."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from curriculum.models import Item
from onboarding.models import Submission, SubmissionState
from onboarding.services.journey import enrollment_create
from tests.onboarding.desk_support import submit_reflection
from tests.onboarding.journey_support import demo_version

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def review_url(hire, mentor, live_server):
    version = demo_version()
    start = datetime.date.today() - datetime.timedelta(days=3)
    enrollment = enrollment_create(hire=hire, version=version, mentor=mentor, start_date=start)
    day1 = Item.objects.get(version=version, source_path="chapter_00/day_01.md")
    submit_reflection(enrollment, day1, "Short")
    return live_server.url + reverse("desk:review", args=[Submission.objects.get().pk])


def _sign_in(context, live_server, mentor, mfa_passed):
    client = mfa_passed(Client(), mentor)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_an_empty_request_for_changes_is_refused_in_place(
    page, live_server, mentor, mfa_passed, review_url, shoot
):
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    _sign_in(page.context, live_server, mentor, mfa_passed)
    page.goto(review_url)
    page.evaluate("window.__sameDocument = true")
    page.get_by_role("button", name="Request changes").click()
    decide = page.locator("#decide")
    expect(decide).to_contain_text("Say what the hire should change")
    assert page.url == review_url and page.evaluate("window.__sameDocument") is True
    assert Submission.objects.get().state == SubmissionState.SUBMITTED
    shoot("desk-review-refused")
    # Now with a comment: sent, and the mentor lands on the queue.
    page.get_by_label("Comment for the hire").fill("Name the customer, please.")
    page.get_by_role("button", name="Request changes").click()
    expect(page.get_by_text("Sent back to")).to_be_visible()
    assert page.url.endswith(reverse("desk:review_queue"))
    assert Submission.objects.get().state == SubmissionState.CHANGES_REQUESTED
    assert not errors, errors


def test_without_javascript_the_refusal_comes_back_by_get(
    browser, live_server, mentor, mfa_passed, review_url
):
    context = browser.new_context(java_script_enabled=False)
    _sign_in(context, live_server, mentor, mfa_passed)
    page = context.new_page()
    page.goto(review_url)
    page.get_by_label("Comment for the hire").fill("   ")
    page.get_by_role("button", name="Request changes").click()
    expect(page.locator("#decide")).to_contain_text("Say what the hire should change")
    assert page.url == review_url + "#decide"  # the review page, not the POST's URL
    page.reload()  # a GET: nothing is posted again, and the message has gone
    expect(page.locator("#decide")).not_to_contain_text("Say what the hire should change")
    assert Submission.objects.get().state == SubmissionState.SUBMITTED
    context.close()
