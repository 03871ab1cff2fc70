"""Login, MFA enrolment, rate limits, enumeration and session policies."""

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from accounts.services import user_set_active
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()  # allauth counts attempts in the (Redis) cache
    yield
    cache.clear()


def _login(client, email, password=TEST_PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_hire_logs_in_with_email_and_lands_home(client, hire):
    response = _login(client, "HIRE@example.com")

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_login_gives_a_new_session_id(client, hire):
    client.get(reverse("account_login"))
    client.session.save()
    before = client.session.session_key
    _login(client, hire.email)
    assert client.session.session_key != before


def test_mentor_is_sent_to_enrol_mfa_before_anything_else(client, mentor):
    _login(client, mentor.email)

    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))
    assert client.get(reverse("mfa_activate_totp")).status_code == 200


def test_same_answer_for_known_and_unknown_emails(client, hire):
    known = _login(client, hire.email, "wrong-password-1").content.decode()
    unknown = _login(client, "nobody@example.com", "wrong-password-1").content.decode()

    message = "The email address and/or password you specified are not correct."
    assert message in known
    assert message in unknown


def test_password_reset_answers_the_same_for_unknown_emails(client, hire):
    known = client.post(reverse("account_reset_password"), {"email": hire.email})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.com"})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]


def test_five_wrong_passwords_lock_the_account_with_a_clear_message(client, hire):
    for _ in range(5):
        _login(client, hire.email, "wrong-password")

    response = _login(client, hire.email)  # even the right password is refused now

    assert response.status_code == 429  # with Retry-After: tests/accounts/test_login_hardening.py
    assert "Too many failed login attempts" in response.content.decode()


def test_signup_is_closed(client):
    response = client.get(reverse("account_signup"))
    assert "Sign Up Closed" in response.content.decode() or response.status_code in (403, 404)


def test_deactivated_user_is_out_on_the_next_request(client, hire):
    _login(client, hire.email)
    assert client.get(reverse("home")).status_code == 200

    user_set_active(user=hire, active=False)

    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def _signed_out(client, old_session_key: str) -> None:
    """Out for real: pages send to the login page, the old session is gone from the store, and
    replaying its cookie does not sign anyone back in."""
    from django.conf import settings
    from django.contrib.sessions.models import Session

    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session
    assert not Session.objects.filter(session_key=old_session_key).exists()
    client.cookies[settings.SESSION_COOKIE_NAME] = old_session_key
    assert client.get(reverse("home"))["Location"].startswith(reverse("account_login"))


def test_a_signed_in_client_is_not_signed_out(client, hire):
    """The check above, on its negative case: right after login it must not pass."""
    _login(client, hire.email)
    with pytest.raises(AssertionError):
        _signed_out(client, client.session.session_key)


@override_settings(SESSION_ABSOLUTE_SECONDS=0)
def test_session_ends_after_its_absolute_lifetime(client, hire):
    _login(client, hire.email)
    old = client.session.session_key
    assert _session_exists(old)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    _signed_out(client, old)


def test_logout_ends_the_session(client, hire):
    _login(client, hire.email)
    old = client.session.session_key
    assert client.get(reverse("home")).status_code == 200

    response = client.post(reverse("account_logout"))

    assert response.status_code == 302
    _signed_out(client, old)


def _session_exists(key: str) -> bool:
    from django.contrib.sessions.models import Session

    return Session.objects.filter(session_key=key).exists()


def test_django_admin_login_goes_through_allauth(client):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_logged_in_pages_are_not_stored(client, hire):
    _login(client, hire.email)
    response = client.get(reverse("home"))
    assert "no-store" in response["Cache-Control"]


def test_password_reset_mail_goes_through_the_outbox_with_a_working_link(
    client, hire, django_capture_on_commit_callbacks
):
    from django.core import mail

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": hire.email})

    [message] = mail.outbox
    link = next(word for word in message.body.split() if "/accounts/password/reset/key/" in word)
    response = client.get(link.replace("http://testserver", ""), follow=True)
    assert "Change Password" in response.content.decode()
