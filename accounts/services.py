"""Writes about people: invitations, accepting them, profiles, deactivation."""

import datetime
import secrets

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from onboarding.services import email_queue

from .links import absolute_url
from .models import Invitation, Role, User


class InvitationError(Exception):
    """An invitation link that cannot be used; `reason` is shown to the person."""

    def __init__(self, reason: str, *, code: str):
        super().__init__(reason)
        self.reason = reason
        self.code = code


def invitation_create(
    *, invited_by: User | None, email: str, role: Role | str, display_name: str = ""
) -> Invitation:
    """Invite one email address with one role and queue the email with its link.

    Any earlier pending invitation to the same address is revoked, so only the newest link works.
    """
    email = User.objects.normalize_email(email).strip().lower()
    role = Role(role)
    now = timezone.now()
    invitation = Invitation(
        email=email,
        role=role,
        display_name=display_name.strip(),
        key=secrets.token_urlsafe(32),
        invited_by=invited_by,
        created_at=now,
        expires_at=now + datetime.timedelta(days=settings.INVITATION_TTL_DAYS),
    )
    invitation.full_clean()
    with transaction.atomic():
        Invitation.objects.filter(
            email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=now)
        invitation.save()
        _invitation_queue_email(invitation)
    return invitation


def _invitation_queue_email(invitation: Invitation) -> None:
    context = {
        "invitation": invitation,
        "url": absolute_url(reverse("accounts:invitation_accept", args=[invitation.key])),
        "inviter": invitation.invited_by.name if invitation.invited_by else "The program team",
        "ttl_days": settings.INVITATION_TTL_DAYS,
    }
    email_queue(
        to=invitation.email,
        subject=render_to_string("accounts/email/invitation_subject.txt", context),
        body_text=render_to_string("accounts/email/invitation_message.txt", context),
        body_html=render_to_string("accounts/email/invitation_message.html", context),
        dedupe_key=f"invitation:{invitation.pk}",
    )


def invitation_revoke(*, invitation: Invitation, by: User | None = None) -> Invitation:
    """Make a pending invitation's link stop working. Revoking twice changes nothing.

    A hire's invitation also takes back the enrollment inviting made, when the person never
    accepted (`onboarding.services.invites.invitation_enrollment_withdraw`; BY is the program
    admin revoking it)."""
    from onboarding.services.invites import invitation_enrollment_withdraw  # it imports this

    if invitation.accepted_at is None and invitation.revoked_at is None:
        with transaction.atomic():
            invitation.revoked_at = timezone.now()
            invitation.save(update_fields=["revoked_at"])
            invitation_enrollment_withdraw(invitation=invitation, by=by)
    return invitation


def invitation_check(*, key: str) -> Invitation:
    """The invitation behind a link, or InvitationError saying why it cannot be used."""
    invitation = Invitation.objects.filter(key=key).select_related("user").first()
    if invitation is None:
        raise InvitationError(
            "This invitation link is not valid. Check that you copied the whole link, "
            "or ask your program admin for a new one.",
            code="invalid",
        )
    if invitation.accepted_at is not None:
        raise InvitationError(
            "This invitation has already been used. Log in with your email and password, "
            "or reset your password if you have forgotten it.",
            code="used",
        )
    if invitation.revoked_at is not None:
        raise InvitationError(
            "This invitation was replaced by a newer one. Use the link in the most recent "
            "email, or ask your program admin to invite you again.",
            code="revoked",
        )
    if invitation.expires_at <= timezone.now():
        raise InvitationError(
            "This invitation has expired. Ask your program admin to send you a new one.",
            code="expired",
        )
    return invitation


def invitation_accept(
    *, key: str, password: str, display_name: str = "", time_zone: str = "UTC"
) -> User:
    """Turn a valid invitation into an account with a verified email and the invited role.

    Single use: the invitation row is locked and marked accepted in the same transaction, so
    two clicks on the same link cannot create two accounts. A person who already has an
    account gains the role instead.
    """
    with transaction.atomic():
        invitation = invitation_check(key=key)
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        invitation_check(key=key)  # re-check under the lock
        user = User.objects.filter(email__iexact=invitation.email).first()
        if user is None:
            user = User(
                email=invitation.email,
                display_name=(display_name or invitation.display_name).strip(),
                time_zone=time_zone,
            )
            validate_password(password, user)
            user.set_password(password)
        elif not user.has_usable_password():
            # Made ahead of time by a program admin (the people CSV import), so the hire could
            # be enrolled before joining: this link is how they choose their password.
            user.display_name = (display_name or user.display_name).strip()
            user.time_zone = time_zone
            validate_password(password, user)
            user.set_password(password)
        _grant_role(user, Role(invitation.role))
        user.full_clean(exclude=["password"])
        user.save()
        EmailAddress.objects.update_or_create(
            user=user, email=invitation.email, defaults={"verified": True, "primary": True}
        )
        invitation.accepted_at = timezone.now()
        invitation.user = user
        invitation.save(update_fields=["accepted_at", "user"])
    return user


def user_role_grant(*, user: User, role: Role | str) -> User:
    """Give an existing account one more role (a mentor who is also enrolled as a hire).

    Mentor and program admin roles come by invitation only (the person accepts, then sets up
    their second factor); this is for the hire role, which needs no second factor.
    """
    role = Role(role)
    if role != Role.HIRE:
        raise ValidationError("Only the hire role is granted directly; invite for the others.")
    if not user.is_hire:
        user.is_hire = True
        user.save(update_fields=["is_hire"])
    return user


def _grant_role(user: User, role: Role) -> None:
    if role == Role.HIRE:
        user.is_hire = True
    elif role == Role.MENTOR:
        user.is_mentor = True
    elif role == Role.PROGRAM_ADMIN:
        user.is_program_admin = True
        # The Django admin is the program admin's fallback (onboarding/admin.py lets them in by
        # role); Django's admin site itself only opens to staff.
        user.is_staff = True


def user_create(
    *,
    email: str,
    password: str | None,
    display_name: str = "",
    roles: list[Role] | None = None,
    time_zone: str = "UTC",
    verified: bool = True,
    **profile,
) -> User:
    """Create an account directly (seeding, admin tooling). Normal people arrive by invitation."""
    user = User(
        email=User.objects.normalize_email(email).lower(),
        display_name=display_name,
        time_zone=time_zone,
        **profile,
    )
    for role in roles or []:
        _grant_role(user, Role(role))
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    with transaction.atomic():
        user.save()
        EmailAddress.objects.create(user=user, email=user.email, verified=verified, primary=True)
    return user


def user_update_profile(
    *,
    user: User,
    display_name: str,
    time_zone: str,
    working_hours_start: datetime.time,
    working_hours_end: datetime.time,
    working_days: list[int],
    notification_preferences: dict[str, str] | None = None,
    days_away: list[datetime.date] | None = None,
) -> User:
    """Change what a person says about themselves. Validates everything before saving."""
    user.display_name = display_name.strip()
    user.time_zone = time_zone
    user.working_hours_start = working_hours_start
    user.working_hours_end = working_hours_end
    user.working_days = sorted(set(working_days))
    if notification_preferences is not None:
        user.notification_preferences = notification_preferences
    if days_away is not None:
        user.days_away = sorted({day.isoformat() for day in days_away})
    if user.working_hours_start >= user.working_hours_end:
        raise ValidationError({"working_hours_end": "The working day must end after it starts."})
    if not user.working_days:
        raise ValidationError({"working_days": "Choose at least one working day."})
    user.full_clean(exclude=["password"])
    user.save()
    return user


def user_set_active(*, user: User, active: bool) -> User:
    """Deactivate or reactivate a person; a deactivated person is logged out on their next request."""
    if user.is_active != active:
        user.is_active = active
        user.save(update_fields=["is_active"])
    return user
