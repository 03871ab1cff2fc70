"""Rate-limited logins and second-factor codes answer 429 with Retry-After; password-reset
links are built from SITE_URL, never from the request's Host header."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core import mail
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()  # allauth counts attempts in the (Redis) cache
    yield
    cache.clear()


def _login(client, email, password=TEST_PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_a_rate_limited_login_is_a_429_with_retry_after_and_the_message(client, hire):
    for _ in range(5):
        assert _login(client, hire.email, "wrong-password").status_code == 200

    response = _login(client, hire.email)

    assert response.status_code == 429
    assert response["Retry-After"] == "300"  # the longest login_failed window (5/300s/key)
    assert "Too many failed login attempts" in response.content.decode()


def test_a_wrong_password_that_is_not_limited_stays_a_200(client, hire):
    response = _login(client, hire.email, "wrong-password")
    assert response.status_code == 200
    assert "Retry-After" not in response


def test_rate_limited_mfa_codes_are_a_429_with_retry_after(client, mentor):
    TOTP.activate(mentor, generate_totp_secret())
    assert _login(client, mentor.email)["Location"].startswith(reverse("mfa_authenticate"))
    for _ in range(5):
        wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
        assert wrong.status_code == 200

    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})

    assert response.status_code == 429
    assert response["Retry-After"] == "300"
    assert "Too many failed login attempts" in response.content.decode()


@override_settings(
    SITE_URL="https://onboarding.example.com", ALLOWED_HOSTS=["testserver", "evil.example"]
)
def test_a_reset_link_names_site_url_whatever_the_host_header_says(
    client, hire, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("account_reset_password"), {"email": hire.email}, HTTP_HOST="evil.example"
        )

    [message] = mail.outbox
    link = next(word for word in message.body.split() if "/accounts/password/reset/key/" in word)
    assert link.startswith("https://onboarding.example.com/accounts/password/reset/key/")
    assert "evil.example" not in message.body
    response = client.get(link.removeprefix("https://onboarding.example.com"), follow=True)
    assert "Change Password" in response.content.decode()
