"""A hire invited (and so enrolled) who has not accepted yet: no reminders until they join, and
revoking their invitation takes back what inviting made."""

import datetime

import pytest
from django.urls import reverse

from accounts.models import Invitation, User
from accounts.services import invitation_accept, invitation_revoke
from onboarding.models import AuditEvent, Enrollment, EnrollmentState, Notification, ReminderDue
from onboarding.services.invites import EnrollChoice, hire_invite
from onboarding.services.reminder_rules import notifications_sweep
from tests.onboarding import desk_support
from tests.onboarding.test_notifications_support import enroll, hire_in, program, utc

pytestmark = pytest.mark.django_db

version = desk_support.version

MONDAY = datetime.date(2026, 3, 2)
PASSWORD = "a-long-enough-pass-phrase-42"


def _daily(hire, day: int) -> bool:
    return Notification.objects.filter(
        recipient=hire, kind="daily_item", created_at=utc(2026, 3, day, 9)
    ).exists()


def test_no_daily_reminder_before_the_invitation_is_accepted(tmp_path):
    version = program(tmp_path)
    joined, invited = hire_in("UTC"), hire_in("UTC")
    invited.set_unusable_password()  # as an invitation makes it (see onboarding.services.invites)
    invited.save()
    for hire in (joined, invited):
        enroll(hire, version, start=MONDAY)

    notifications_sweep(now=utc(2026, 3, 2, 8))
    notifications_sweep(now=utc(2026, 3, 2, 9))
    assert _daily(joined, 2) and not _daily(invited, 2)
    assert not ReminderDue.objects.filter(user=invited).exists()

    # A due row made before (the account lost its password since): dropped, not sent.
    ReminderDue.objects.create(user=invited, rule="daily_item", due_at=utc(2026, 3, 3, 9))
    notifications_sweep(now=utc(2026, 3, 3, 9))
    assert _daily(joined, 3) and not _daily(invited, 3)
    assert not ReminderDue.objects.filter(user=invited).exists()

    invited.set_password(PASSWORD)  # they accept
    invited.save()
    notifications_sweep(now=utc(2026, 3, 4, 8))
    notifications_sweep(now=utc(2026, 3, 4, 9))
    assert _daily(invited, 4)


def test_revoking_an_unaccepted_invitation_removes_the_account_it_made(client, admin, version):
    invited = hire_invite(
        email="nora@example.com", name="Nora", choice=EnrollChoice(version), by=admin
    )
    assert Enrollment.objects.filter(hire=invited.person).exists()

    invitation_revoke(invitation=invited.invitation, by=admin)

    assert not User.objects.filter(email="nora@example.com").exists()
    assert not Enrollment.objects.filter(pk=invited.enrollment.pk).exists()
    assert Invitation.objects.get(pk=invited.invitation.pk).revoked_at is not None
    assert AuditEvent.objects.filter(object_type="user", object_id=str(invited.person.pk)).exists()
    invitation_revoke(invitation=invited.invitation, by=admin)  # twice: nothing more happens


def test_revoking_withdraws_the_enrollment_when_the_account_has_more(admin, version):
    invited = hire_invite(
        email="nora@example.com", name="Nora", choice=EnrollChoice(version), by=admin
    )
    invited.person.is_mentor = True  # also a mentor: the account has a life of its own
    invited.person.save()

    invitation_revoke(invitation=invited.invitation, by=admin)

    enrollment = Enrollment.objects.get(pk=invited.enrollment.pk)
    assert enrollment.state == EnrollmentState.WITHDRAWN
    assert enrollment.state_changes.get().reason.startswith("The invitation was revoked")
    assert User.objects.filter(pk=invited.person.pk).exists()


def test_an_accepted_invitation_is_not_undone(client, admin, version):
    invited = hire_invite(
        email="nora@example.com", name="Nora", choice=EnrollChoice(version), by=admin
    )
    invitation_accept(key=invited.invitation.key, password=PASSWORD)

    invitation_revoke(invitation=Invitation.objects.get(pk=invited.invitation.pk), by=admin)

    assert Enrollment.objects.get(pk=invited.enrollment.pk).state == EnrollmentState.ACTIVE


def test_the_revoke_button_takes_the_enrollment_back(client, mfa_passed, admin, version):
    invited = hire_invite(
        email="nora@example.com", name="Nora", choice=EnrollChoice(version), by=admin
    )
    mfa_passed(client, admin)
    response = client.post(reverse("accounts:invitation_revoke", args=[invited.invitation.pk]))
    assert response.status_code == 302
    assert not Enrollment.objects.filter(pk=invited.enrollment.pk).exists()
