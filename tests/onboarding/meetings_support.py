"""Shared pieces of the meeting tests: a hire with a mentor, a meeting request, a client team."""

import datetime

from django.utils import timezone
from icalendar import Calendar

from curriculum.markdown.structure import BlockKind
from curriculum.models import Block, Item
from onboarding.models import OutboundEmail
from onboarding.services.journey import enrollment_create, meeting_request_create
from onboarding.services.meetings import client_contact_add, client_team_create
from tests.onboarding.journey_support import demo_version

DAY4 = "chapter_01/day_04.md"  # the demo day whose block asks the mentor to arrange a meeting


def next_week_monday(today: datetime.date | None = None) -> datetime.date:
    """A Monday 7 to 13 days ahead: far enough for any notice, inside any window limit."""
    today = today or timezone.now().date()
    return today + datetime.timedelta(days=(7 - today.weekday()) % 7 + 7)


def enroll(hire, mentor):
    version = demo_version()
    return enrollment_create(
        hire=hire, version=version, mentor=mentor, start_date=timezone.now().date()
    )


def request_meeting(enrollment, hire, note="I'd like to see a real incident."):
    item = Item.objects.get(version=enrollment.version, source_path=DAY4)
    block = Block.objects.get(item=item, kind=BlockKind.MEETING_REQUEST)
    return meeting_request_create(
        enrollment=enrollment, by=hire, item=item, block_key=block.key, note=note
    )


def client_team(admin, *, name="Acme Payments", zone="UTC", start=9, end=17, away=(), contacts=1):
    team = client_team_create(
        actor=admin,
        name=name,
        time_zone=zone,
        working_hours_start=datetime.time(start),
        working_hours_end=datetime.time(end),
        days_away=list(away),
    )
    for n in range(contacts):
        client_contact_add(
            actor=admin, team=team, name=f"Carla Client {n}", email=f"carla{n}@acme.example"
        )
    return team


def set_zone(user, zone: str, start: int = 9, end: int = 17):
    type(user).objects.filter(pk=user.pk).update(
        time_zone=zone,
        working_hours_start=datetime.time(start),
        working_hours_end=datetime.time(end),
    )
    user.refresh_from_db()
    return user


def parse_ics(text: str) -> Calendar:
    return Calendar.from_ical(text)


def events(calendar: Calendar) -> list:
    return [c for c in calendar.walk() if c.name == "VEVENT"]


def invites(meeting) -> list[OutboundEmail]:
    return list(
        OutboundEmail.objects.filter(dedupe_key__startswith=f"meeting:{meeting.pk}:").order_by("pk")
    )
