"""People: who they are, what they may do, and how they were invited."""

import datetime
from typing import ClassVar
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from .validators import validate_time_zone


class Role(models.TextChoices):
    HIRE = "hire", "New hire"
    MENTOR = "mentor", "Mentor"
    PROGRAM_ADMIN = "program_admin", "Program admin"


class NotificationChannel(models.TextChoices):
    IN_APP = "in_app", "In the app"
    EMAIL = "email", "By email"
    BOTH = "both", "In the app and by email"
    OFF = "off", "Off"


def default_working_days() -> list[int]:
    return [0, 1, 2, 3, 4]  # Monday..Friday, as datetime.weekday() counts


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        # Used by Django's own tooling (createsuperuser); app code calls accounts.services.
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        fields.update(is_staff=True, is_superuser=True, is_program_admin=True)
        return self.create_user(email, password, **fields)


class NameAndZone:
    """How a person is named and which zone their times are in, from `display_name`, `email`
    and `time_zone`: shared by `User` and lighter stand-ins that carry the same attributes
    (the reminder sweep's `Recipient`)."""

    __slots__ = ()

    @property
    def name(self) -> str:
        return self.display_name or self.email.split("@", 1)[0]  # type: ignore[attr-defined]

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)  # type: ignore[attr-defined]


class User(NameAndZone, AbstractBaseUser, PermissionsMixin):
    """A person who signs in with their email. Roles are flags: one person may hold several."""

    email = models.EmailField(unique=True)
    display_name = models.CharField(max_length=120, blank=True)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    working_hours_start = models.TimeField(default=datetime.time(9, 0))
    working_hours_end = models.TimeField(default=datetime.time(17, 0))
    working_days = models.JSONField(default=default_working_days)
    # ISO dates (YYYY-MM-DD) this person is away: no meeting is booked for them on those days.
    days_away = models.JSONField(default=list, blank=True)
    # {kind: channel}; kinds not listed use the kind's default (see onboarding notifications).
    notification_preferences = models.JSONField(default=dict, blank=True)

    is_hire = models.BooleanField(default=False)
    is_mentor = models.BooleanField(default=False)
    is_program_admin = models.BooleanField(default=False)

    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
            models.CheckConstraint(
                condition=models.Q(working_hours_start__lt=models.F("working_hours_end")),
                name="user_working_hours_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def roles(self) -> list[Role]:
        flags = {
            Role.HIRE: self.is_hire,
            Role.MENTOR: self.is_mentor,
            Role.PROGRAM_ADMIN: self.is_program_admin,
        }
        return [role for role, held in flags.items() if held]

    @property
    def must_use_mfa(self) -> bool:
        """Mentors and program admins read other people's writing: they need a second factor."""
        return self.is_mentor or self.is_program_admin or self.is_superuser

    def has_role(self, role: Role) -> bool:
        return role in self.roles


class Invitation(models.Model):
    """An emailed, single-use, expiring link that lets one person set a password and join.

    The key is random (256 bits) and looked up exactly; expiry and single use are checked by
    `accounts.services.invitation_accept`, which is the only way in.
    """

    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Role.choices)
    display_name = models.CharField(max_length=120, blank=True)
    key = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="invitations"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(Lower("email"), name="invitation_email_ci")]

    def __str__(self) -> str:
        return f"{self.email} as {self.get_role_display()}"

    @property
    def state(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"
