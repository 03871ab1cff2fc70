"""Which item is "today" for a hire, and how far ahead or behind they are. Pure: no database.

A schedule is a start date, a pace (items per working day), the working weekdays (0 = Monday)
and holidays. Working day number 0 is the first working day on or after the start date; on
working day n the items with index n*pace .. n*pace + pace - 1 are due. On a day off (weekend,
holiday, or before the start) "today" is what the next working day brings: what to open next.

Ahead/behind is counted in whole working days from the number of items done:
- behind by k when the items due on the working days before today are k days' worth short;
- ahead by k when the hire has also finished k whole working days' worth past today's items;
- otherwise on track (0). Past the end of the program nothing more is due.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

# A guard against a schedule with no working days at all looping forever.
_MAX_SCAN_DAYS = 366 * 20


@dataclass(frozen=True)
class Schedule:
    start_date: datetime.date
    pace: int
    working_days: frozenset[int]
    holidays: frozenset[datetime.date]

    @classmethod
    def build(
        cls,
        *,
        start_date: datetime.date,
        pace: int,
        working_days: Iterable[int],
        holidays: Iterable[str | datetime.date] = (),
    ) -> "Schedule":
        """From stored values: holidays may be ISO strings (JSON) or dates."""
        days = frozenset(int(day) for day in working_days)
        if not days or not days <= set(range(7)):
            raise ValueError("working days must be weekday numbers 0-6, at least one")
        if pace < 1:
            raise ValueError("pace must be at least one item per working day")
        parsed = frozenset(
            day if isinstance(day, datetime.date) else datetime.date.fromisoformat(day)
            for day in holidays
        )
        return cls(start_date=start_date, pace=pace, working_days=days, holidays=parsed)

    def is_working_day(self, day: datetime.date) -> bool:
        return day.weekday() in self.working_days and day not in self.holidays

    def working_days_before(self, today: datetime.date) -> int:
        """How many working days lie in [start_date, today): today itself is not counted."""
        if today <= self.start_date:
            return 0
        # Whole weeks first, then the few days left, then the holidays that fell on working days.
        span = (today - self.start_date).days
        weeks, rest = divmod(span, 7)
        count = weeks * len(self.working_days)
        for offset in range(rest):
            day = self.start_date + datetime.timedelta(days=weeks * 7 + offset)
            if day.weekday() in self.working_days:
                count += 1
        count -= sum(
            1
            for day in self.holidays
            if self.start_date <= day < today and day.weekday() in self.working_days
        )
        return count

    def today_index(self, today: datetime.date) -> int:
        """The index (0-based, in program order) of the first item due today or next."""
        return self.working_days_before(today) * self.pace

    def due_dates(self, count: int) -> list[datetime.date]:
        """The date each of the first COUNT items is due, in program order."""
        dates: list[datetime.date] = []
        day = self.start_date
        for _ in range(_MAX_SCAN_DAYS):
            if len(dates) >= count:
                break
            if self.is_working_day(day):
                dates.extend([day] * min(self.pace, count - len(dates)))
            day += datetime.timedelta(days=1)
        return dates

    def days_ahead(self, *, today: datetime.date, done: int, total: int) -> int:
        """Positive: working days ahead; negative: behind; 0: on track (see the module doc)."""
        elapsed = self.working_days_before(today)
        due_before_today = min(elapsed * self.pace, total)
        if done < due_before_today:
            return -((due_before_today - done + self.pace - 1) // self.pace)
        due_through_today = min((elapsed + 1) * self.pace, total)
        if done < due_through_today:
            return 0
        return (done - due_through_today) // self.pace


def local_today(*, now: datetime.datetime, zone: str | ZoneInfo) -> datetime.date:
    """The calendar date where the hire is: a hire in Tokyo starts Monday before London does."""
    tz = zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)
    return now.astimezone(tz).date()


def next_working_day(
    today: datetime.date, working_days: Iterable[int] = (0, 1, 2, 3, 4)
) -> datetime.date:
    """The first working day after TODAY: a new hire invited today starts there by default
    (a day to accept the invitation; a Friday's invitation starts on Monday)."""
    days = set(working_days) or {0, 1, 2, 3, 4}
    day = today + datetime.timedelta(days=1)
    while day.weekday() not in days:
        day += datetime.timedelta(days=1)
    return day
