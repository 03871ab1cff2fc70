"""Helpers for the notification tests (no tests here): people, a program, a clock."""

import datetime
from zoneinfo import ZoneInfo

from onboarding.services.journey import enrollment_create
from tests.factories import HireFactory, MentorFactory
from tests.onboarding.journey_support import generated_version

UTC = datetime.UTC
EVERY_DAY = [0, 1, 2, 3, 4, 5, 6]


def utc(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=UTC)


def local(zone: str, *args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def program(tmp_path, items: int = 5):
    return generated_version(tmp_path, items=items)


def hire_in(zone: str, *, email: str | None = None, every_day: bool = True, **profile):
    """A hire in ZONE who works every day (so weekend clock changes count) unless told."""
    days = EVERY_DAY if every_day else [0, 1, 2, 3, 4]
    return HireFactory(
        **({"email": email} if email else {}),
        time_zone=zone,
        working_days=days,
        **profile,
    )


def enroll(hire, version, *, start: datetime.date, mentor=None, every_day: bool = True):
    return enrollment_create(
        hire=hire,
        version=version,
        mentor=mentor,
        start_date=start,
        working_days=EVERY_DAY if every_day else [0, 1, 2, 3, 4],
    )


def mentor_in(zone: str = "UTC", **profile):
    return MentorFactory(time_zone=zone, working_days=EVERY_DAY, **profile)


def transitions(zone: str, year: int = 2026) -> list[datetime.datetime]:
    """The UTC instants in YEAR when ZONE's offset changes (found by scanning, then bisecting)."""
    tz = ZoneInfo(zone)
    found = []
    step = datetime.timedelta(hours=1)
    moment = utc(year, 1, 1)
    offset = moment.astimezone(tz).utcoffset()
    while moment.year == year:
        nxt = moment + step
        if nxt.astimezone(tz).utcoffset() != offset:
            low, high = moment, nxt
            while high - low > datetime.timedelta(minutes=1):
                mid = low + (high - low) / 2
                if mid.astimezone(tz).utcoffset() == offset:
                    low = mid
                else:
                    high = mid
            found.append(high.replace(second=0, microsecond=0))
            offset = nxt.astimezone(tz).utcoffset()
        moment = nxt
    return found
