"""Demo data for a laptop: a few people (and, once imported, the demo program). Safe to rerun."""

from dataclasses import dataclass

from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.db import transaction

from accounts.models import Role, User
from accounts.services import user_create


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    password: str
    totp_secret: str | None = None


# Demo-only credentials, printed on purpose so a person can log in; never used outside seed_demo
# (hence the bandit B105 waiver on the password line).
DEMO_PEOPLE = [
    ("New hire", "hire@example.com", "Dana Hire", [Role.HIRE], "Asia/Jerusalem"),
    ("Mentor", "mentor@example.com", "Mo Mentor", [Role.MENTOR], "Europe/London"),
    ("Program admin", "admin@example.com", "Ari Admin", [Role.PROGRAM_ADMIN], "Europe/Berlin"),
]
DEMO_PASSWORD = "demo-onboarding-2026"  # noqa: S105  # nosec B105


def _ensure_totp(user: User) -> str:
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is None:
        secret = generate_totp_secret()
        TOTP.activate(user, secret)
        RecoveryCodes.activate(user)
        return secret
    return get_mfa_adapter().decrypt(authenticator.data["secret"])


@transaction.atomic
def demo_people_seed() -> list[DemoLogin]:
    """Create (or find) the demo people; mentors and admins get a TOTP authenticator."""
    logins = []
    for label, email, name, roles, zone in DEMO_PEOPLE:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = user_create(
                email=email, password=DEMO_PASSWORD, display_name=name, roles=roles, time_zone=zone
            )
            if Role.PROGRAM_ADMIN in roles:
                user.is_staff = True  # the Django admin is the fallback for program admins
                user.save(update_fields=["is_staff"])
        secret = _ensure_totp(user) if user.must_use_mfa else None
        logins.append(DemoLogin(label, email, DEMO_PASSWORD, secret))
    return logins
