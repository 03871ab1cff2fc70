"""Invite = enroll, in the browser: the admin invites a hire into the program with a mentor and
a cohort, the hire accepts (time zone from the browser), and lands logged in on day one; the
People page and the person page enroll someone already here; the profile's days away are
date boxes added and removed (screenshots at 390 and 1280 px)."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import Invitation
from curriculum.models import Item
from onboarding.models import Enrollment, MentorRole
from onboarding.services.cohorts import cohort_create
from tests.browser.conftest import DESKTOP, PHONE
from tests.factories import HireFactory
from tests.onboarding.journey_support import demo_version

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-enough-pass-phrase-42"


def _shoot(page, screenshot_dir, name: str) -> None:
    for label, size in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(size)
        page.screenshot(path=str(screenshot_dir / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def _as(page, client, live_server, user, login) -> None:
    login(client, user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


def test_invited_hire_accepts_and_lands_logged_in_on_day_one(
    page, browser, live_server, admin, mentor, other_mentor, mfa_passed, client, screenshot_dir
):
    version = demo_version()
    cohort = cohort_create(name="Spring", start_date=version.created_at.date(), by=admin)
    _as(page, client, live_server, admin, mfa_passed)

    page.goto(live_server.url + reverse("manage:dashboard"))
    page.get_by_role("link", name="Invitations").click()
    page.get_by_label("Email:", exact=True).fill("nora@example.com")
    page.get_by_label("Name (optional)").fill("Nora New")
    page.get_by_label("Cohort (optional)").select_option(str(cohort.pk))
    # Choosing the cohort filled in its start date.
    expect(page.get_by_label("Start date")).to_have_value(cohort.start_date.isoformat())
    page.get_by_label("Program:", exact=True).select_option(label=version.choice_label)
    page.get_by_label("Mentor (optional):", exact=True).select_option(str(mentor.pk))
    page.get_by_label("Co-mentor (optional)").select_option(str(other_mentor.pk))
    _shoot(page, screenshot_dir, "invite-hire")
    # A mentor's invitation enrolls nobody: the enrollment's fields step aside.
    page.get_by_label("Role:", exact=True).select_option("mentor")
    expect(page.get_by_label("Program:", exact=True)).to_be_hidden()
    page.get_by_label("Role:", exact=True).select_option("hire")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation sent to nora@example.com; enrolled in")).to_be_visible()

    enrollment = Enrollment.objects.get(hire__email="nora@example.com")
    assert enrollment.version == version and enrollment.cohort == cohort
    assert enrollment.mentor == mentor
    assert enrollment.mentor_assignments.filter(role=MentorRole.CO_MENTOR).get().mentor == (
        other_mentor
    )
    page.goto(live_server.url + reverse("manage:dashboard"))
    row = page.locator(f'tr[data-enrollment="{enrollment.pk}"]')
    expect(row).to_contain_text("Nora New")
    expect(row).to_contain_text("Invited")

    # The hire, in a browser of their own whose clock is in Jerusalem.
    context = browser.new_context(timezone_id="Asia/Jerusalem")
    hire_page = context.new_page()
    invitation = Invitation.objects.get(email="nora@example.com", accepted_at__isnull=True)
    hire_page.goto(live_server.url + reverse("accounts:invitation_accept", args=[invitation.key]))
    expect(hire_page.get_by_label("Your time zone")).to_have_value("Asia/Jerusalem")
    _shoot(hire_page, screenshot_dir, "invite-accept")
    hire_page.get_by_label("Choose a password").fill(PASSWORD)
    hire_page.get_by_label("Type it again").fill(PASSWORD)
    hire_page.get_by_role("button", name="Create my account").click()

    first = Item.objects.filter(version=version).order_by("chapter__position", "position")[0]
    expect(hire_page).to_have_url(re.compile(rf"/journey/{enrollment.pk}/items/{first.pk}/$"))
    expect(hire_page.get_by_role("heading", level=1).first).to_contain_text(str(first))
    expect(hire_page.get_by_text("Successfully signed in as Nora New")).to_be_visible()
    expect(hire_page.get_by_text("Times are shown in Asia/Jerusalem")).to_be_visible()
    _shoot(hire_page, screenshot_dir, "invite-day-one")
    context.close()


def test_admin_enrolls_someone_not_enrolled_from_the_people_page(
    page, live_server, admin, mentor, mfa_passed, client, screenshot_dir
):
    version = demo_version()
    lone = HireFactory(email="lone@example.com", display_name="Lena Lone")
    _as(page, client, live_server, admin, mfa_passed)

    page.goto(live_server.url + reverse("manage:dashboard"))
    unenrolled = page.locator(f'li[data-person="{lone.pk}"]')
    expect(unenrolled).to_contain_text("Not enrolled")
    _shoot(page, screenshot_dir, "people-not-enrolled")
    unenrolled.get_by_role("link", name="Enroll").click()
    expect(page.get_by_role("heading", name="Lena Lone")).to_be_visible()
    page.get_by_label("Program:", exact=True).select_option(label=version.choice_label)
    page.get_by_label("Mentor (optional):", exact=True).select_option(str(mentor.pk))
    _shoot(page, screenshot_dir, "person-enroll")
    page.get_by_role("button", name="Enroll").click()
    expect(page.get_by_text("Lena Lone is enrolled in")).to_be_visible()
    assert Enrollment.objects.get(hire=lone).mentor == mentor

    page.get_by_role("link", name="Invite hires").first.click()
    page.get_by_label("People, one a line").fill("ok@example.com, Ok Person\nnot an email")
    page.get_by_label("Program:", exact=True).select_option(label=version.choice_label)
    page.get_by_role("button", name="Invite and enroll").click()
    expect(page.get_by_text("Nobody was invited.")).to_be_visible()
    expect(page.get_by_text("Line 2:")).to_be_visible()
    _shoot(page, screenshot_dir, "invite-many-refused")
    page.get_by_label("People, one a line").fill("ok@example.com, Ok Person\nyes@example.com")
    page.get_by_role("button", name="Invite and enroll").click()
    expect(page.get_by_text("2 invitations sent")).to_be_visible()


def test_days_away_are_picked_as_dates_and_removed(page, live_server, hire, client, screenshot_dir):
    client.force_login(hire)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
    page.goto(live_server.url + reverse("accounts:profile"))
    page.get_by_label("Day away 1").fill("2026-12-24")
    page.get_by_role("button", name="Add a date").click()
    page.get_by_label("Day away 3").fill("2026-12-31")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()
    hire.refresh_from_db()
    assert hire.days_away == ["2026-12-24", "2026-12-31"]
    _shoot(page, screenshot_dir, "profile-days-away")
    page.get_by_role("button", name="Remove day away 1").click()
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()
    hire.refresh_from_db()
    assert hire.days_away == ["2026-12-31"]
