"""manage.py create_admin: how a fresh install gets the program admin who sends the first invite."""

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command

from accounts.models import User

pytestmark = pytest.mark.django_db

STRONG = "violet-harbour-1937"


def test_the_first_admin_is_a_verified_program_admin_with_the_given_password(monkeypatch):
    monkeypatch.setenv("ONBOARDING_ADMIN_PASSWORD", STRONG)
    call_command("create_admin", "Ada@Example.com", name="Ada Admin", time_zone="Europe/London")
    user = User.objects.get()
    assert (user.email, user.display_name, user.time_zone) == (
        "ada@example.com",
        "Ada Admin",
        "Europe/London",
    )
    assert user.is_program_admin and not user.is_hire and not user.is_mentor
    assert user.check_password(STRONG)
    assert EmailAddress.objects.get(user=user).verified


def test_the_password_is_asked_twice_at_the_prompt(monkeypatch):
    monkeypatch.delenv("ONBOARDING_ADMIN_PASSWORD", raising=False)
    answers = iter([STRONG, "something-else-2024"])
    monkeypatch.setattr(
        "accounts.management.commands.create_admin.getpass", lambda prompt: next(answers)
    )
    with pytest.raises(CommandError, match="differ"):
        call_command("create_admin", "ada@example.com")
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("ada@example.com", "12345678", "too common"),
        ("not-an-email", STRONG, "valid email"),
    ],
)
def test_a_weak_password_or_a_bad_address_is_refused_and_nothing_saved(
    monkeypatch, email, password, message
):
    monkeypatch.setenv("ONBOARDING_ADMIN_PASSWORD", password)
    with pytest.raises(CommandError, match=message):
        call_command("create_admin", email)
    assert not User.objects.exists()
    assert not EmailAddress.objects.exists()


def test_an_existing_address_is_refused(monkeypatch):
    monkeypatch.setenv("ONBOARDING_ADMIN_PASSWORD", STRONG)
    call_command("create_admin", "ada@example.com")
    with pytest.raises(CommandError, match="already has an account"):
        call_command("create_admin", "ADA@example.com")
    assert User.objects.count() == 1
