"""A program admin imports a CSV of hires, finds them on the People page, and reads the
completion funnel chart (phone and desktop screenshots)."""

import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from onboarding.models import Cohort, Enrollment
from tests.onboarding.analytics_support import seed
from tests.onboarding.journey_support import demo_version

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSV = """email,name,role,mentor email,cohort,start date
hana.levi@example.com,Hana Levi,hire,mentor@example.com,Spring 2026,2026-03-02
omer.cohen@example.com,Omer Cohen,hire,mentor@example.com,Spring 2026,2026-03-02
dana.katz@example.com,Dana Katz,hire,,,
"""


def test_admin_imports_hires_sees_them_and_opens_the_funnel(
    page, live_server, admin, mentor, mfa_passed, client, shoot, tmp_path
):
    version = demo_version()
    Cohort.objects.create(name="Spring 2026", start_date=datetime.date(2026, 3, 2))
    seed(version, mentor, 40)  # earlier hires with progress, so the funnel has a shape
    bad = tmp_path / "people-bad.csv"
    bad.write_text(CSV + "=cmd|' /C calc'!A0,Evil,hire,,,\n", encoding="utf-8")
    good = tmp_path / "people.csv"
    good.write_text(CSV, encoding="utf-8")
    mfa_passed(client, admin)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])

    page.goto(live_server.url + reverse("home"))
    page.get_by_role("link", name="Manage").click()
    expect(page.get_by_role("heading", name="People in the program")).to_be_visible()
    page.get_by_role("link", name="Import CSV").click()
    page.get_by_label("CSV file").set_input_files(str(bad))
    page.get_by_role("button", name="Check and import").click()
    expect(page.get_by_text("Nothing was imported.")).to_be_visible()
    expect(page.get_by_text("Line 5, email")).to_be_visible()
    shoot("manage-import-refused")
    assert not Enrollment.objects.filter(hire__email="hana.levi@example.com").exists()

    page.get_by_label("CSV file").set_input_files(str(good))
    page.get_by_role("button", name="Check and import").click()
    expect(page.get_by_text("Imported 3 people")).to_be_visible()
    expect(page.get_by_role("link", name="Hana Levi")).to_be_visible()
    expect(page.get_by_role("link", name="Dana Katz")).to_be_visible()
    shoot("manage-people")

    page.get_by_role("link", name="Analytics").click()
    page.get_by_role("link", name="Completion funnel").click()
    chart = page.locator("svg#funnel-chart")
    expect(chart).to_be_visible()
    expect(page.locator("#funnel-chart-title")).to_contain_text("Completion funnel")
    expect(page.locator(".chart-card__lead")).to_contain_text("43 hires enrolled")
    shoot("manage-funnel")
