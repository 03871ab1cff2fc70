"""In Chromium: a hire requests the client-team meeting of the shared seed day, the mentor
arranges it, the task books it, and both see the booked time, each in their own zone."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from curriculum.models import Item
from curriculum.services import program_import
from onboarding.models import Meeting, MeetingState
from onboarding.services.journey import enrollment_create
from onboarding.services.meetings import arrange_window_default
from tests.factories import TEST_PASSWORD
from tests.onboarding.meetings_support import client_team, next_week_monday, set_zone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in_through_the_form(page, live_server, email):
    page.context.clear_cookies()
    page.goto(live_server.url + reverse("account_login"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def _log_in_past_mfa(page, live_server, user, mfa_passed):
    client = mfa_passed(Client(), user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_hire_requests_mentor_arranges_and_both_see_the_booked_time(
    page, live_server, hire, mentor, admin, mfa_passed, shoot, shared_curriculum
):
    set_zone(hire, "America/New_York")
    set_zone(mentor, "Europe/London")
    # The day this product was specified from: "Engage with one of our client teams ... ask
    # your mentor to arrange this".
    seed = program_import(
        source=shared_curriculum / "seed" / "day_02.md", program_slug="seed", publish=True
    ).version
    enrollment = enrollment_create(
        hire=hire, version=seed, mentor=mentor, start_date=datetime.date.today()
    )
    client_team(admin, name="Acme Payments", zone="Asia/Jerusalem")
    day = Item.objects.get(version=seed)

    # The hire asks from the day's meeting block.
    _log_in_through_the_form(page, live_server, hire.email)
    page.goto(live_server.url + reverse("journey:item", args=[enrollment.pk, day.pk]))
    block = page.locator("[data-block-kind=meeting_request]").first
    block.get_by_label("What would you like from it? (optional)").fill(
        "The queue incident, please."
    )
    block.get_by_role("button", name="Request this meeting").click()
    expect(page.locator("[data-block-kind=meeting_request]").first).to_contain_text(
        "Meeting requested"
    )

    # The mentor arranges it with the client team.
    _log_in_past_mfa(page, live_server, mentor, mfa_passed)
    page.goto(live_server.url + reverse("meetings:index"))
    requests = page.get_by_role("region", name="Requests to arrange")
    expect(requests).to_contain_text(hire.name)
    requests.get_by_role("link", name="Arrange").click()
    expect(page.get_by_label("Title")).to_have_value(re.compile(hire.name))
    page.get_by_label("Client team").select_option(label="Acme Payments (Asia/Jerusalem)")
    page.get_by_label("Length").select_option("30")
    earliest, latest = arrange_window_default(organiser=mentor)  # filled in already
    expect(page.get_by_label("Earliest day")).to_have_value(earliest.isoformat())
    expect(page.get_by_label("Latest day")).to_have_value(latest.isoformat())
    monday = next_week_monday()
    page.get_by_label("Earliest day").fill(monday.isoformat())
    page.get_by_label("Latest day").fill((monday + datetime.timedelta(days=4)).isoformat())
    shoot("meeting-arrange")
    page.get_by_role("button", name="Find a time and invite").click()

    # Tests run tasks eagerly after commit: the page after the redirect shows the booking.
    meeting = Meeting.objects.get()
    assert meeting.state == MeetingState.BOOKED
    london = meeting.starts_at.astimezone(ZoneInfo("Europe/London"))
    expect(page.locator("[data-meeting-state]")).to_have_text("Booked")
    expect(page.locator(".messages")).to_contain_text(
        "Arranged and booked. Everyone has been sent an invite."
    )
    expect(page.locator("[data-meeting-when]")).to_contain_text(f"{london:%H:%M}")
    expect(page.locator("[data-meeting-when]")).to_contain_text("Europe/London")
    shoot("meeting-detail-mentor")

    # The hire sees the same meeting in New York time: on their home page, and on the list.
    _log_in_through_the_form(page, live_server, hire.email)
    new_york = meeting.starts_at.astimezone(ZoneInfo("America/New_York"))
    expect(page.get_by_role("region", name="Meetings")).to_contain_text(f"{new_york:%H:%M}")
    page.goto(live_server.url + reverse("journey:item", args=[enrollment.pk, day.pk]))
    expect(page.get_by_role("region", name="Meetings")).to_contain_text(f"{new_york:%H:%M}")
    shoot("meeting-on-the-seed-day")
    page.goto(live_server.url + reverse("meetings:index"))
    upcoming = page.get_by_role("region", name="Meetings")
    expect(upcoming).to_contain_text(f"{new_york:%H:%M}")
    expect(upcoming).to_contain_text("America/New_York")
    upcoming.get_by_role("link", name=meeting.title).click()
    expect(page.locator("[data-meeting-when]")).to_contain_text(f"{new_york:%a %-d %b %Y, %H:%M}")
    # The client contact's own (Jerusalem) time is on the page too.
    jerusalem = meeting.starts_at.astimezone(ZoneInfo("Asia/Jerusalem"))
    expect(page.get_by_role("table")).to_contain_text(f"{jerusalem:%H:%M}")
    shoot("meeting-detail-hire")
