"""Invitations: the only way in. Expired, reused, revoked and forged links are refused clearly."""

import datetime

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, Role, User
from accounts.services import InvitationError, invitation_accept, invitation_create
from onboarding.models import OutboundEmail
from onboarding.services.cohorts import cohort_create
from tests.factories import MentorFactory
from tests.support.refused import assert_refused_back

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-enough-passphrase"


def _accept_form(**overrides):
    return {
        "display_name": "Nora New",
        "time_zone": "Europe/London",
        "password": PASSWORD,
        "password_again": PASSWORD,
        **overrides,
    }


def test_invitation_create_queues_one_email_with_the_link(admin):
    invitation = invitation_create(invited_by=admin, email="Nora@Example.com ", role=Role.HIRE)

    assert invitation.email == "nora@example.com"
    email = OutboundEmail.objects.get()
    assert email.to == "nora@example.com"
    assert reverse("accounts:invitation_accept", args=[invitation.key]) in email.body_text
    assert "\n" not in email.subject


def test_invitation_create_revokes_the_earlier_pending_link(admin):
    first = invitation_create(invited_by=admin, email="nora@example.com", role=Role.HIRE)
    second = invitation_create(invited_by=admin, email="nora@example.com", role=Role.HIRE)

    first.refresh_from_db()
    assert first.state == "revoked"
    assert second.state == "pending"


def test_invitation_accept_creates_a_verified_hire(admin):
    invitation = invitation_create(invited_by=admin, email="nora@example.com", role=Role.HIRE)

    user = invitation_accept(
        key=invitation.key, password=PASSWORD, display_name="Nora", time_zone="Asia/Jerusalem"
    )

    assert user.is_hire and not user.is_mentor
    assert user.check_password(PASSWORD)
    assert user.time_zone == "Asia/Jerusalem"
    assert EmailAddress.objects.get(user=user).verified
    invitation.refresh_from_db()
    assert invitation.state == "accepted"


def test_invitation_accept_is_single_use(admin):
    invitation = invitation_create(invited_by=admin, email="nora@example.com", role=Role.HIRE)
    invitation_accept(key=invitation.key, password=PASSWORD)

    with pytest.raises(InvitationError) as error:
        invitation_accept(key=invitation.key, password=PASSWORD)
    assert error.value.code == "used"
    assert User.objects.filter(email="nora@example.com").count() == 1


def test_invitation_accept_adds_a_role_to_an_existing_person(admin, hire):
    invitation = invitation_create(invited_by=admin, email=hire.email, role=Role.MENTOR)

    user = invitation_accept(key=invitation.key, password="ignored-for-existing")

    assert user.pk == hire.pk
    assert user.is_hire and user.is_mentor
    assert not user.is_staff


def test_an_invited_program_admin_can_open_the_django_admin_fallback(client, admin, mfa_passed):
    """The Django admin is the program admin's fallback: its site opens only to staff."""
    invitation = invitation_create(
        invited_by=admin, email="new-admin@example.com", role=Role.PROGRAM_ADMIN
    )

    user = invitation_accept(key=invitation.key, password=PASSWORD)

    assert user.is_program_admin and user.is_staff and not user.is_superuser
    assert mfa_passed(client, user).get(reverse("admin:index")).status_code == 200


@pytest.mark.parametrize(
    ("make_key", "status", "text"),
    [
        (lambda inv: "forged-" + inv.key[:10], 404, "not valid"),
        (lambda inv: inv.key, 410, "expired"),
    ],
    ids=["forged", "expired"],
)
def test_unusable_links_get_a_clear_page(client, admin, make_key, status, text):
    invitation = invitation_create(invited_by=admin, email="nora@example.com", role=Role.HIRE)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )

    response = client.get(reverse("accounts:invitation_accept", args=[make_key(invitation)]))

    assert response.status_code == status
    assert text in response.content.decode()


def test_reused_link_gets_a_clear_page_and_creates_nothing(client, admin):
    invitation = invitation_create(invited_by=admin, email="nora@example.com", role=Role.HIRE)
    url = reverse("accounts:invitation_accept", args=[invitation.key])
    assert client.post(url, _accept_form()).status_code == 302

    response = client.post(url, _accept_form(display_name="Someone Else"))

    assert response.status_code == 410
    assert "already been used" in response.content.decode()
    assert User.objects.get(email="nora@example.com").display_name == "Nora New"


def test_accept_form_rejects_bad_input_without_saving(client, admin):
    invitation = invitation_create(invited_by=admin, email="nora@example.com", role=Role.HIRE)
    url = reverse("accounts:invitation_accept", args=[invitation.key])

    response = client.post(
        url,
        _accept_form(
            time_zone="Mars/Olympus",
            password="short",
            password_again="short",
            display_name="x\u202ey",
        ),
    )

    # Post/redirect/get: back on the link's page at the form, the messages there once; the
    # typed zone comes back, the password never does (it is not kept anywhere).
    body = assert_refused_back(
        client, response, url, "#accept-form", "is not a time zone we know", "not allowed"
    )
    assert 'value="Mars/Olympus"' in body
    assert 'value="short"' not in body
    assert not any("short" in str(v) for v in dict(client.session).values())
    assert not User.objects.filter(email="nora@example.com").exists()


def test_weak_password_is_refused_with_a_message(client, admin):
    invitation = invitation_create(invited_by=admin, email="nora@example.com", role=Role.HIRE)
    url = reverse("accounts:invitation_accept", args=[invitation.key])

    response = client.post(url, _accept_form(password="password", password_again="password"))

    assert_refused_back(client, response, url, "#accept-form", "too common")
    assert not User.objects.filter(email="nora@example.com").exists()


def test_only_program_admins_see_the_people_page(client, hire, mentor, mfa_passed, admin):
    client.force_login(hire)
    assert client.get(reverse("accounts:invitation_list")).status_code == 404
    mfa_passed(client, admin)
    assert client.get(reverse("accounts:invitation_list")).status_code == 200


def test_admin_invites_from_the_people_page(client, admin, mfa_passed):
    mfa_passed(client, admin)

    response = client.post(
        reverse("accounts:invitation_list"),
        {"email": "new.mentor@example.com", "role": "mentor", "display_name": ""},
    )

    assert response.status_code == 302
    assert Invitation.objects.get().role == Role.MENTOR


@pytest.mark.query_count("accounts:invitation_list")
def test_people_page_query_count_does_not_grow(
    client, admin, mfa_passed, django_assert_num_queries
):
    mfa_passed(client, admin)
    url = reverse("accounts:invitation_list")
    invitation_create(invited_by=admin, email="one@example.com", role=Role.HIRE)
    client.get(url)  # warm the session's MFA flag
    # 6 + the header bell's unread count + the hire's enrollment choices (published versions,
    # active mentors, cohorts, and the program each cohort's hires are in)
    with django_assert_num_queries(11) as one:
        client.get(url)
    for n in range(30):
        invitation_create(invited_by=admin, email=f"p{n}@example.com", role=Role.HIRE)
    for n in range(3):
        MentorFactory(email=f"mentor{n}@example.com")
        cohort_create(name=f"Cohort {n}", start_date=datetime.date(2026, 3, 2 + n), by=admin)
    with django_assert_num_queries(len(one.captured_queries)):
        client.get(url)
