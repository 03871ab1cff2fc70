"""A program admin's overview in the browser: every analytics chart fills its card at phone and
desktop width with readable, distinct ticks; the audit log names people; the home page is a
dashboard of figures (screenshots at 390 and 1280 px)."""

import datetime
import itertools
import re

import pytest
from django.db.models import F
from django.urls import reverse
from playwright.sync_api import expect

from onboarding.models import Cohort, Enrollment, ItemProgress
from tests.browser.conftest import DESKTOP, PHONE
from tests.onboarding.analytics_support import seed
from tests.onboarding.journey_support import demo_version

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHARTS = {
    "funnel": ["funnel-chart"],
    "time": ["time-chart"],
    "stuck": ["stuck-chart"],
    "mentors": ["mentors-chart"],
    "cohorts": ["cohorts-chart", "cohorts-items-chart"],
}


def _log_in(page, live_server, client, mfa_passed, user):
    mfa_passed(client, user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


def _check_chart(page, chart_id: str, shot) -> None:
    """The chart spans (nearly) its card, and its tick labels are distinct and do not overlap."""
    chart = page.locator(f"svg#{chart_id}")
    expect(chart).to_be_visible()
    card = chart.locator("xpath=ancestor::section[1]")
    chart_box, card_box = chart.bounding_box(), card.bounding_box()
    assert chart_box["width"] >= 0.85 * card_box["width"], (chart_id, chart_box, card_box)
    ticks = chart.locator("text.chart__tick")
    labels = ticks.all_text_contents()
    assert len(labels) >= 3 and len(set(labels)) == len(labels), labels
    boxes = [ticks.nth(i).bounding_box() for i in range(ticks.count())]
    for left, right in itertools.pairwise(boxes):
        assert left["x"] + left["width"] <= right["x"] + 1, (chart_id, labels)
    # Text keeps its size whatever the width (no viewBox scaling it up or down).
    size = chart.locator("text.chart__label").first.evaluate(
        "e => parseFloat(getComputedStyle(e).fontSize)"
    )
    assert 11 <= size <= 14, size
    # Every label fits inside the chart (a long one is shortened on a phone).
    for label in chart.locator("text.chart__label").all():
        box = label.bounding_box()
        if box is not None:  # the other width's label is not displayed
            assert box["x"] + box["width"] <= chart_box["x"] + chart_box["width"] + 1
    chart.screenshot(path=str(shot))


def test_every_analytics_chart_fills_its_card_at_phone_and_desktop_width(
    page, live_server, admin, mentor, mfa_passed, client, shoot, screenshot_dir
):
    version = demo_version()
    alpha = Cohort.objects.create(name="Alpha", start_date=datetime.date(2026, 1, 5))
    beta = Cohort.objects.create(name="Beta", start_date=datetime.date(2026, 2, 2))
    seed(version, mentor, 12, cohorts=[alpha, beta])
    # The first item takes minutes (the case that printed "0.0h" on every tick).
    first = ItemProgress.objects.order_by("item__chapter__position", "item__position").first()
    ItemProgress.objects.filter(item_id=first.item_id).update(
        completed_at=F("started_at") + datetime.timedelta(minutes=25)
    )
    _log_in(page, live_server, client, mfa_passed, admin)
    for name, chart_ids in CHARTS.items():
        query = f"?program={version.program_id}"
        if name == "cohorts":
            query += f"&a={alpha.pk}&b={beta.pk}"
        page.goto(live_server.url + reverse(f"manage:analytics_{name}") + query)
        for label, size in (("phone", PHONE), ("desktop", DESKTOP)):
            page.set_viewport_size(size)
            for chart_id in chart_ids:
                _check_chart(page, chart_id, screenshot_dir / f"{chart_id}-only-{label}.png")
        shoot(f"analytics-{name}")


def test_version_structure_shows_every_column_on_a_desktop_and_cards_on_a_phone(
    page, live_server, admin, mfa_passed, client, shoot
):
    version = demo_version()
    _log_in(page, live_server, client, mfa_passed, admin)
    page.goto(live_server.url + reverse("curriculum:version_detail", args=[version.pk]))
    page.set_viewport_size(DESKTOP)
    tables = page.locator("table.structure")
    assert tables.count() >= 2
    for table in tables.all():
        # Nothing to scroll sideways: every column is inside the visible width.
        wrap = table.locator("xpath=..")
        assert wrap.evaluate("e => e.scrollWidth <= e.clientWidth + 1")
        last = table.locator("thead th").last
        expect(last).to_have_text("Meetings")
        box = last.bounding_box()
        assert (
            box["x"] + box["width"] <= wrap.bounding_box()["x"] + wrap.bounding_box()["width"] + 1
        )
    page.set_viewport_size(PHONE)
    for table in tables.all():
        wrap = table.locator("xpath=..")
        assert wrap.evaluate("e => e.scrollWidth <= e.clientWidth + 1")
    # Each count names itself on a phone, where the header row is only for screen readers.
    first_count = tables.first.locator("td[data-label=Goals]").first
    label = first_count.evaluate("e => getComputedStyle(e, '::before').content")
    assert label == '"Goals"'
    shoot("version-structure")


def test_admin_home_is_a_dashboard_and_the_audit_log_names_people(
    page, live_server, admin, mentor, mfa_passed, client, shoot
):
    from onboarding.models import AuditAction, AuditEvent

    version = demo_version()
    seed(version, mentor, 6)
    hire = Enrollment.objects.order_by("pk").first().hire
    AuditEvent.objects.create(
        actor=mentor, subject=hire, action=AuditAction.READ, object_type="submission"
    )
    AuditEvent.objects.create(
        actor=admin, subject=hire, action=AuditAction.CHANGE, object_type="enrollment"
    )
    _log_in(page, live_server, client, mfa_passed, admin)
    page.goto(live_server.url + reverse("home"))
    panel = page.locator('[data-role-panel="program_admin"]')
    expect(panel.locator('[data-figure="active"]')).to_have_text("6")
    expect(panel.locator('[data-figure="behind"]')).to_have_text("6")
    expect(panel.locator('[data-figure="reviews"]')).to_have_text("6")
    expect(panel.get_by_text(f"version {version.number} published")).to_be_visible()
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        # Nothing wider than the screen: the page never scrolls sideways.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shoot("admin-home")
    panel.get_by_role("link", name=re.compile("to review")).click()
    expect(page).to_have_url(re.compile(reverse("desk:review_queue") + "$"))

    page.goto(live_server.url + reverse("manage:audit"))
    expect(page.get_by_role("link", name=mentor.display_name).first).to_be_visible()
    expect(page.get_by_text(hire.email).first).to_be_visible()
    expect(page.get_by_text(f"person {hire.pk}")).to_have_count(0)
    page.set_viewport_size(PHONE)
    # On a phone each event is a card: nothing scrolls sideways.
    wrap = page.locator("table.audit").locator("xpath=..")
    assert wrap.evaluate("e => e.scrollWidth <= e.clientWidth + 1")
    shoot("audit-log")
