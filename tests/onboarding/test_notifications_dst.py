"""Exactly one morning reminder per person per local day, at 09:00 where they are, through the
2026 clock changes. The sweep is driven with explicit `now` values (every 15 minutes of 48
simulated hours around each change); nothing sleeps."""

import datetime
from collections import defaultdict
from zoneinfo import ZoneInfo

import pytest

from onboarding.models import Notification, OutboundEmail
from onboarding.services.reminder_rules import notifications_sweep
from tests.onboarding.test_notifications_support import enroll, hire_in, program, transitions

pytestmark = pytest.mark.django_db

ZONES = [
    "Europe/London",
    "America/New_York",
    "Asia/Kolkata",
    "Australia/Lord_Howe",
    "America/Santiago",
]
STEP = datetime.timedelta(minutes=15)


def _windows():
    cases = []
    for zone in ZONES:
        changes = transitions(zone)
        if not changes:  # Kolkata keeps one offset all year: a plain weekend is the control
            changes = [datetime.datetime(2026, 3, 29, 1, 0, tzinfo=datetime.UTC)]
        cases += [pytest.param(zone, change, id=f"{zone}-{change:%m-%d}") for change in changes]
    return cases


def test_the_2026_transitions_are_the_ones_we_expect():
    assert [f"{t:%m-%d %H:%M}" for t in transitions("Europe/London")] == [
        "03-29 01:00",
        "10-25 01:00",
    ]
    assert [f"{t:%m-%d %H:%M}" for t in transitions("Australia/Lord_Howe")] == [
        "04-04 15:00",
        "10-03 15:30",
    ]
    assert len(transitions("America/Santiago")) == 2
    assert len(transitions("America/New_York")) == 2
    assert transitions("Asia/Kolkata") == []


@pytest.mark.parametrize(("zone_of_change", "change"), _windows())
def test_one_morning_reminder_per_person_per_local_day(tmp_path, zone_of_change, change):
    version = program(tmp_path, items=6)
    start, end = change - datetime.timedelta(hours=24), change + datetime.timedelta(hours=24)
    people = {}
    for zone in ZONES:
        hire = hire_in(zone, email=f"hire.{zone.split('/')[-1].lower()}@example.com")
        first_day = (start.astimezone(ZoneInfo(zone)) - datetime.timedelta(days=2)).date()
        enroll(hire, version, start=first_day)
        people[zone] = hire

    now = start
    while now <= end:
        notifications_sweep(now=now)
        now += STEP

    for zone, hire in people.items():
        tz = ZoneInfo(zone)
        sent = list(Notification.objects.filter(recipient=hire, kind="daily_item"))
        by_day = defaultdict(list)
        for notification in sent:
            by_day[notification.created_at.astimezone(tz).date()].append(notification)
        # Every local date whose 09:00 falls inside the simulated window, and no other.
        expected = set()
        day = start.astimezone(tz).date() - datetime.timedelta(days=1)
        while day <= end.astimezone(tz).date() + datetime.timedelta(days=1):
            nine = datetime.datetime.combine(day, datetime.time(9), tzinfo=tz)
            if start <= nine <= end:
                expected.add(day)
            day += datetime.timedelta(days=1)
        assert set(by_day) == expected, (zone, sorted(by_day), sorted(expected))
        for day, notes in by_day.items():
            assert len(notes) == 1, (zone, day, len(notes))
            local_time = notes[0].created_at.astimezone(tz)
            assert datetime.time(9, 0) <= local_time.time() < datetime.time(9, 15), (
                zone,
                local_time,
            )
            assert notes[0].dedupe_key.endswith(f":daily_item:{day.isoformat()}")
        # Inside working hours at 09:00: one email each, written at once.
        assert OutboundEmail.objects.filter(
            to=hire.email, notifications__kind="daily_item"
        ).count() == len(expected)
