"""The "Complete" card follows the hire's ticks without a reload, at phone and desktop width."""

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from curriculum.markdown.structure import BlockKind
from curriculum.models import Block, Item
from onboarding.demo import working_days_ago
from onboarding.schedule import local_today
from onboarding.services.journey import enrollment_create
from tests.factories import TEST_PASSWORD
from tests.onboarding.journey_support import demo_version

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 860}}


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_ticking_every_action_item_clears_it_from_the_complete_card(
    page, live_server, hire, mentor, screenshot_dir, size
):
    version = demo_version()
    day = next(
        item
        for item in Item.objects.filter(version=version).order_by("chapter__position", "position")
        if Block.objects.filter(item=item, kind=BlockKind.ACTION_ITEM).count() > 1
    )
    start = working_days_ago(local_today(now=timezone.now(), zone=hire.zone), 0)
    enrollment = enrollment_create(hire=hire, version=version, mentor=mentor, start_date=start)
    page.set_viewport_size(SIZES[size])
    page.goto(live_server.url + reverse("account_login"))
    page.get_by_label("Email").fill(hire.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.goto(live_server.url + reverse("journey:item", args=[enrollment.pk, day.pk]))

    card = page.locator("#complete")
    expect(card).to_contain_text("Check your action items")
    actions = page.locator("[data-block-kind=action_item]")
    for n in range(actions.count()):
        box = actions.nth(n).get_by_role("checkbox")
        box.click()
        expect(box).to_have_attribute("aria-checked", "true")
    # No reload: the card came along with the last tick's answer.
    expect(card).not_to_contain_text("Check your action items")
    card.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / f"h11-complete-card-after-ticks-{size}.png"))
