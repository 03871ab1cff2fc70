"""In Chromium: an address with a NUL byte gets the edge's 400 page, which says why."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_nul_in_the_address_gets_a_page_that_says_why(page, live_server, shoot):
    response = page.goto(live_server.url + "/invitations/abc%00def/")

    assert response is not None and response.status == 400
    expect(page.get_by_role("heading", name="This request could not be read")).to_be_visible()
    expect(page.get_by_text("control character")).to_be_visible()
    shoot("edge-400")
