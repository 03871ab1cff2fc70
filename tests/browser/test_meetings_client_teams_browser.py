"""In Chromium, on the demo data: the demo hire asks for Day 01's client-team meeting, the demo
mentor arranges it with the demo's client team (after adding another team in place, without
losing the form), and the meeting page turns from "Finding a time" to "Booked" by itself when a
real Celery worker books it: no reload."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import User
from curriculum.models import Item
from onboarding.celery import app as celery_app
from onboarding.demo import DEMO_CLIENT_TEAM, demo_people_seed
from onboarding.models import ClientTeam, Enrollment, Meeting, MeetingState
from tests.onboarding.meetings_support import next_week_monday
from tests.support.celery_worker import celery_worker

pytestmark = [
    pytest.mark.browser,
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def real_broker():
    """The live server sends the booking task to Redis; a worker started later takes it."""
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = True


def _as(page, live_server, client: Client) -> None:
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_mentor_arranges_the_demo_client_team_meeting_and_sees_it_booked_without_reload(
    page, live_server, mfa_passed, shoot, real_broker
):
    demo_people_seed()
    hire = User.objects.get(email="hire@example.com")
    mentor = User.objects.get(email="mentor@example.com")
    enrollment = Enrollment.objects.get(hire=hire)
    day = Item.objects.get(version=enrollment.version, source_path="chapter_00/day_01.md")
    errors: list[str] = []
    page.on(
        "console", lambda m: errors.append(f"{page.url}: {m.text}") if m.type == "error" else None
    )

    # The hire asks from Day 01's meeting block ("ask your mentor to arrange this").
    hire_client = Client()
    hire_client.force_login(hire)
    _as(page, live_server, hire_client)
    page.goto(live_server.url + reverse("journey:item", args=[enrollment.pk, day.pk]))
    block = page.locator("[data-block-kind=meeting_request]").first
    block.get_by_label("What would you like from it? (optional)").fill("A Monday morning, please.")
    block.get_by_role("button", name="Request this meeting").click()
    expect(page.locator("[data-block-kind=meeting_request]").first).to_contain_text(
        "Meeting requested"
    )

    # The mentor opens the request; the demo's client team is there to pick.
    _as(page, live_server, mfa_passed(Client(), mentor))
    page.goto(live_server.url + reverse("meetings:index"))
    page.get_by_role("region", name="Requests to arrange").get_by_role(
        "link", name="Arrange"
    ).click()
    expect(page.get_by_label("Title")).to_have_value(re.compile(hire.name))
    page.get_by_label("Title").fill("Front desk morning with Dana")
    monday = next_week_monday()
    page.get_by_label("Earliest day").fill(monday.isoformat())
    page.get_by_label("Latest day").fill((monday + datetime.timedelta(days=4)).isoformat())

    # Adding another team in place (htmx) keeps everything typed above.
    page.get_by_text("Add a client team").click()
    page.get_by_label("Team name").fill("Second clinic front desk")
    page.get_by_label("Contact's name").fill("Rina Second")
    page.get_by_label("Contact's email").fill("not an email")
    page.get_by_role("button", name="Add the team").click()
    expect(page.locator("#client-team-picker")).to_contain_text("Enter a valid email address.")
    expect(page.get_by_label("Title")).to_have_value("Front desk morning with Dana")
    shoot("meeting-arrange-team-refused")
    # Playwright's screenshot (hiding the caret) leaves an empty style="" on every field; htmx's
    # settle copies it onto the swapped-in fields, which the CSP reports. Not the page's doing.
    page.evaluate(
        "document.querySelectorAll('[style=\"\"]').forEach(e => e.removeAttribute('style'))"
    )
    page.get_by_label("Contact's email").fill("rina@second.example")
    page.get_by_role("button", name="Add the team").click()
    expect(page.locator("#client-team-picker")).to_contain_text("Second clinic front desk added")
    expect(page.get_by_label("Client team")).to_have_value(
        str(ClientTeam.objects.get(name="Second clinic front desk").pk)
    )
    expect(page.get_by_label("Title")).to_have_value("Front desk morning with Dana")
    expect(page.get_by_label("Earliest day")).to_have_value(monday.isoformat())
    shoot("meeting-arrange-team-added")

    demo_team = ClientTeam.objects.get(name=DEMO_CLIENT_TEAM)
    page.get_by_label("Client team").select_option(str(demo_team.pk))
    page.get_by_label("Length").select_option("60")
    page.get_by_role("button", name="Find a time and invite").click()

    # No worker yet: the page says it is looking, and asks again every 3 s.
    expect(page.locator("[data-meeting-state]")).to_have_text("Finding a time")
    meeting = Meeting.objects.get()
    assert meeting.state == MeetingState.SCHEDULING and meeting.client_team == demo_team
    shoot("meeting-finding-a-time")
    page.evaluate("window.__sameDocument = true")  # a reload would lose it

    with celery_worker(name="booker"):
        expect(page.locator("[data-meeting-state]")).to_have_text("Booked", timeout=90_000)
    assert page.evaluate("window.__sameDocument") is True
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.BOOKED
    expect(page.locator("[data-meeting-when]")).to_contain_text("Europe/London")
    expect(page.locator("#meeting-announce")).to_contain_text("Booked")
    expect(page.locator("[data-meeting-polling]")).to_have_count(0)  # stopped asking
    expect(page.get_by_role("button", name="Send answer")).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text("Noa Levi")
    shoot("meeting-booked-without-reload")
    # Mentors read the client teams (to know whom they can invite); admins change them.
    page.goto(live_server.url + reverse("meetings:client_teams"))
    expect(page.get_by_role("region", name="Teams")).to_contain_text(DEMO_CLIENT_TEAM)
    expect(page.get_by_role("heading", name="Add a team")).to_have_count(0)
    shoot("client-teams-for-a-mentor")
    page.get_by_role("link", name=DEMO_CLIENT_TEAM).click()
    expect(page.get_by_role("region", name="Contacts")).to_contain_text("frontdesk@clinic.example")
    expect(page.get_by_role("button", name="Remove")).to_have_count(0)
    shoot("client-team-for-a-mentor")

    # The program admin decides whether the program's mentors add teams.
    _as(page, live_server, mfa_passed(Client(), User.objects.get(email="admin@example.com")))
    page.goto(live_server.url + reverse("meetings:client_teams"))
    policy = page.get_by_role("region", name="Who adds client teams")
    policy.get_by_role("checkbox").uncheck()
    policy.get_by_role("button", name="Save").click()
    expect(
        page.get_by_text("Only program admins add client teams in that program now.")
    ).to_be_visible()
    expect(
        page.get_by_role("region", name="Who adds client teams").get_by_role("checkbox")
    ).not_to_be_checked()
    shoot("client-teams-for-an-admin")
    assert not errors, "\n".join(errors)
