"""Demo data for a laptop: a few people, the demo program, and a hire part-way through it.

Safe to rerun: people are found by email, the import is a no-op when unchanged, and the demo
hire is enrolled (and given progress) only once.
"""

import datetime
from dataclasses import dataclass
from pathlib import Path

from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.db import transaction
from django.utils import timezone

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
    demo_journey_seed()
    demo_client_team_seed()
    return logins


# Day 01 of the demo program asks the mentor to arrange a visit to a pilot clinic's front desk:
# the demo ships that client team, with a contact to invite, so the meeting can be arranged.
DEMO_CLIENT_TEAM = "Pilot clinic front desk"
DEMO_CLIENT_CONTACT = ("Noa Levi", "frontdesk@clinic.example")
DEMO_ADMIN_EMAIL = "admin@example.com"


def demo_client_team_seed() -> None:
    """The demo's client team and its contact (once; a rerun leaves an edited team alone)."""
    from .models import ClientTeam
    from .services.meetings import client_contact_add, client_team_create

    admin = User.objects.filter(email=DEMO_ADMIN_EMAIL).first()
    if admin is None or ClientTeam.objects.filter(name__iexact=DEMO_CLIENT_TEAM).exists():
        return
    team = client_team_create(
        actor=admin,
        name=DEMO_CLIENT_TEAM,
        description="The front desk of one of our pilot clinics: they run their mornings on Beacon.",
        time_zone="Asia/Jerusalem",
        working_hours_start=datetime.time(8),
        working_hours_end=datetime.time(16),
    )
    name, email = DEMO_CLIENT_CONTACT
    client_contact_add(actor=admin, team=team, name=name, email=email)


DEMO_PROGRAM = Path(__file__).resolve().parent.parent / "curriculum" / "demo" / "program"
DEMO_HIRE_EMAIL = "hire@example.com"
DEMO_MENTOR_EMAIL = "mentor@example.com"


def working_days_ago(today: datetime.date, count: int) -> datetime.date:
    """The date COUNT Monday-to-Friday days before TODAY (demo and load data start there)."""
    day = today
    while count > 0:
        day -= datetime.timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


def demo_journey_seed() -> None:
    """Import and publish the demo program; enroll the demo hire with the demo mentor.

    The hire started four working days ago and has finished Day 00 (reflection submitted,
    rated) and begun Day 01, so the home page shows progress, "today" and being behind.
    """
    from curriculum.markdown.structure import BlockKind
    from curriculum.models import Block, Item
    from curriculum.services import program_import

    from .models import Enrollment
    from .schedule import local_today
    from .services import journey as services

    hire = User.objects.filter(email=DEMO_HIRE_EMAIL).first()
    mentor = User.objects.filter(email=DEMO_MENTOR_EMAIL).first()
    result = program_import(source=DEMO_PROGRAM, program_slug="demo", publish=True)
    if hire is None or not result.ok or result.version is None:
        return
    version = result.version
    if Enrollment.objects.filter(hire=hire, program_id=version.program_id).exists():
        return
    today = local_today(now=timezone.now(), zone=hire.zone)
    enrollment = services.enrollment_create(
        hire=hire, version=version, mentor=mentor, start_date=working_days_ago(today, 4)
    )
    items = list(Item.objects.filter(version=version).order_by("chapter__position", "position"))
    first, second = items[0], items[1]
    blocks = list(Block.objects.filter(item__in=[first, second]).order_by("position"))

    def keys(item: Item, kind: BlockKind) -> list[str]:
        return [b.key for b in blocks if b.item_id == item.pk and b.kind == kind]

    for kind in (BlockKind.GOAL, BlockKind.ACTION_ITEM, BlockKind.CHECKLIST_ITEM):
        for key in keys(first, kind):
            services.block_check_toggle(
                enrollment=enrollment, by=hire, item=first, block_key=key, checked=True
            )
    services.reflection_submit(
        enrollment=enrollment,
        by=hire,
        item=first,
        answers={
            key: "Everyone was kind, and the accounts checklist took longer than I thought."
            for key in keys(first, BlockKind.REFLECTION_PROMPT)
        },
    )
    services.item_complete(enrollment=enrollment, by=hire, item=first)
    services.item_rate(
        enrollment=enrollment, by=hire, item=first, rating=4, comment="The VPN step was unclear."
    )
    for key in keys(second, BlockKind.GOAL)[:2]:
        services.block_check_toggle(
            enrollment=enrollment, by=hire, item=second, block_key=key, checked=True
        )
