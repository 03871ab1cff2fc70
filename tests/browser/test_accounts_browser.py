"""What a person does in the browser: join by invitation, log in with TOTP, get rate-limited."""

import re

import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import Role
from accounts.services import invitation_create
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _current_totp(secret: str) -> str:
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


def _log_in(page, live_server, email, password=TEST_PASSWORD):
    page.goto(live_server.url + reverse("account_login"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()


def test_invited_hire_sets_a_password_logs_in_and_lands_home(page, live_server, admin, shoot):
    invitation = invitation_create(
        invited_by=admin, email="nora@example.com", role=Role.HIRE, display_name="Nora New"
    )

    page.goto(live_server.url + reverse("accounts:invitation_accept", args=[invitation.key]))
    expect(page.get_by_role("heading", name="Welcome!")).to_be_visible()
    shoot("invitation-accept")
    page.get_by_label("Your time zone").fill("Asia/Jerusalem")
    page.get_by_label("Choose a password").fill("a-long-enough-passphrase")
    page.get_by_label("Type it again").fill("a-long-enough-passphrase")
    page.get_by_role("button", name="Create my account").click()

    # Logged in at once (no second log-in with an empty email box).
    expect(page.get_by_text("Successfully signed in as Nora New")).to_be_visible()
    expect(page.get_by_role("heading", name="Hello, Nora New")).to_be_visible()
    expect(page.get_by_role("heading", name="Your program")).to_be_visible()
    expect(page.get_by_text("Times are shown in Asia/Jerusalem")).to_be_visible()
    shoot("hire-home")


def test_a_used_invitation_link_shows_a_clear_page(page, live_server, admin, shoot):
    invitation = invitation_create(invited_by=admin, email="nora@example.com", role=Role.HIRE)
    url = live_server.url + reverse("accounts:invitation_accept", args=[invitation.key])
    page.goto(url)
    page.get_by_label("Your name").fill("Nora")
    page.get_by_label("Choose a password").fill("a-long-enough-passphrase")
    page.get_by_label("Type it again").fill("a-long-enough-passphrase")
    page.get_by_role("button", name="Create my account").click()

    page.goto(url)

    expect(page.get_by_role("heading", name="This link can’t be used")).to_be_visible()
    expect(page.get_by_text("already been used")).to_be_visible()
    shoot("invitation-used")


def test_new_mentor_enrols_totp_first(page, live_server, mentor, shoot):
    _log_in(page, live_server, mentor.email)

    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/"))
    shoot("mfa-enrol")
    secret = page.locator("#authenticator_secret").input_value()
    page.get_by_label("Authenticator code").fill(_current_totp(secret))
    page.get_by_role("button", name="Activate").click()

    expect(page.get_by_role("heading", name="Recovery Codes")).to_be_visible()
    shoot("mfa-recovery-codes")
    page.goto(live_server.url + reverse("home"))
    expect(page.get_by_role("heading", name="Your mentees")).to_be_visible()


def test_mentor_logs_in_with_a_totp_code(page, live_server, mentor, shoot):
    secret = generate_totp_secret()
    TOTP.activate(mentor, secret)

    _log_in(page, live_server, mentor.email)
    expect(page.get_by_role("heading", name="Two-Factor Authentication")).to_be_visible()
    shoot("mfa-code")
    page.get_by_label("Code").fill(_current_totp(secret))
    page.get_by_role("button", name="Sign In").click()

    expect(page.get_by_role("heading", name="Your mentees")).to_be_visible()
    shoot("mentor-home")


def test_five_wrong_passwords_are_rate_limited_with_a_clear_message(page, live_server, hire, shoot):
    for _ in range(5):
        _log_in(page, live_server, hire.email, "not-the-password")
        expect(page.get_by_text("are not correct")).to_be_visible()

    _log_in(page, live_server, hire.email)

    expect(page.get_by_text("Too many failed login attempts")).to_be_visible()
    shoot("login-rate-limited")
