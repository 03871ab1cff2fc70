"""In Chromium: a hire makes their calendar address, sees it once with its links, copies it,
and finds it gone from the page on the next visit."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_feed_address_is_shown_once_and_copied(page, live_server, hire, shoot):
    page.goto(live_server.url + reverse("account_login"))
    page.get_by_label("Email").fill(hire.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])

    page.goto(live_server.url + reverse("meetings:feed_settings"))
    page.get_by_role("button", name="Make my calendar address").click()

    address = page.get_by_label("Address")
    url = address.input_value()
    assert "/meetings/calendar/" in url and url.endswith(".ics")
    expect(page.get_by_role("link", name="Add to Google Calendar")).to_be_visible()
    expect(page.get_by_role("link", name="Add to Outlook")).to_be_visible()
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == url
    shoot("feed-shown-once")

    page.reload()
    expect(page.get_by_text("It was shown once")).to_be_visible()
    assert url not in page.content()
    shoot("feed-on")
