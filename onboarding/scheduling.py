"""The slot finder: the earliest time inside a window when every participant can meet.

Pure arithmetic, no database and no clock: the caller passes `now`, each person's working
week in their own IANA zone, their busy ranges and days away. Everything returned is UTC.

Why intervals and not a minute-by-minute scan: a window of weeks with a dozen people is a few
hundred intervals, and intersecting them is exact across daylight-saving changes (each working
day is built in the person's own zone and only then converted to UTC, so a 09:00-17:00 day stays
09:00-17:00 local on the day the clocks move).
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

UTC = datetime.UTC
# Meetings start on a quarter hour (in UTC, which is also a quarter hour in every real zone).
STEP = datetime.timedelta(minutes=15)

Interval = tuple[datetime.datetime, datetime.datetime]


@dataclass(frozen=True)
class Availability:
    """One person's working week and what already fills it.

    `busy` ranges are aware datetimes (any zone); `days_away` are dates in the person's zone.
    """

    label: str
    zone: ZoneInfo
    work_start: datetime.time
    work_end: datetime.time
    working_days: frozenset[int]  # datetime.weekday(): Monday is 0
    days_away: frozenset[datetime.date] = frozenset()
    busy: tuple[Interval, ...] = ()


@dataclass(frozen=True)
class SlotQuery:
    """What is being booked: how long, inside which window, with which margins, as of when."""

    duration: datetime.timedelta
    window_start: datetime.datetime
    window_end: datetime.datetime
    now: datetime.datetime
    buffer: datetime.timedelta = datetime.timedelta(0)  # kept free before and after
    min_notice: datetime.timedelta = datetime.timedelta(0)


@dataclass(frozen=True)
class SlotResult:
    start: datetime.datetime | None = None
    end: datetime.datetime | None = None
    reason: str = ""  # why there is no slot, in words a mentor understands
    # The people who made it impossible on their own (for a clearer message on the page).
    blocking: tuple[str, ...] = field(default_factory=tuple)

    @property
    def found(self) -> bool:
        return self.start is not None


def _minutes(delta: datetime.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{minutes} minutes"


def _working_intervals(person: Availability, start: datetime.datetime, end: datetime.datetime):
    """The person's working hours between START and END, in UTC, day by day in their zone."""
    day = start.astimezone(person.zone).date() - datetime.timedelta(days=1)
    last = end.astimezone(person.zone).date() + datetime.timedelta(days=1)
    while day <= last:
        if day.weekday() in person.working_days and day not in person.days_away:
            # Wall-clock times in the zone; zoneinfo applies the offset of that very date.
            opens = datetime.datetime.combine(day, person.work_start, tzinfo=person.zone)
            closes = datetime.datetime.combine(day, person.work_end, tzinfo=person.zone)
            opens_utc, closes_utc = opens.astimezone(UTC), closes.astimezone(UTC)
            lo, hi = max(opens_utc, start), min(closes_utc, end)
            if lo < hi:
                yield (lo, hi)
        day += datetime.timedelta(days=1)


def _subtract(intervals: Iterable[Interval], cuts: Sequence[Interval]) -> list[Interval]:
    out: list[Interval] = []
    ordered_cuts = sorted(cuts)
    for lo, hi in intervals:
        pieces = [(lo, hi)]
        for cut_lo, cut_hi in ordered_cuts:
            next_pieces = []
            for p_lo, p_hi in pieces:
                if cut_hi <= p_lo or cut_lo >= p_hi:
                    next_pieces.append((p_lo, p_hi))
                    continue
                if p_lo < cut_lo:
                    next_pieces.append((p_lo, cut_lo))
                if cut_hi < p_hi:
                    next_pieces.append((cut_hi, p_hi))
            pieces = next_pieces
        out.extend(pieces)
    return sorted(out)


def _intersect(a: list[Interval], b: list[Interval]) -> list[Interval]:
    out: list[Interval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if lo < hi:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def _ceil_to_step(moment: datetime.datetime) -> datetime.datetime:
    moment = moment.astimezone(UTC)
    floor = moment.replace(second=0, microsecond=0)
    floor -= datetime.timedelta(minutes=floor.minute % 15)
    return floor if floor == moment else floor + STEP


def _first_fit(intervals: list[Interval], duration: datetime.timedelta):
    for lo, hi in intervals:
        start = _ceil_to_step(lo)
        if start + duration <= hi:
            return start
    return None


def _free(person: Availability, start, end, buffer) -> tuple[list[Interval], list[Interval]]:
    working = list(_working_intervals(person, start, end))
    # Another meeting blocks its own time and, for this meeting, `buffer` either side of it.
    cuts = [(b_lo - buffer, b_hi + buffer) for b_lo, b_hi in person.busy]
    return working, _subtract(working, cuts)


def find_slot(query: SlotQuery, people: Sequence[Availability]) -> SlotResult:
    """The earliest slot of `query.duration` inside the window when everyone works and is free.

    Invariants: the slot starts no earlier than `now + min_notice` and the window start, ends
    no later than the window end, lies inside every person's working hours (in their zone, on a
    working day that is not a day away), and keeps `buffer` clear of each person's busy ranges.
    When there is none, `reason` says why, naming the person who makes it impossible if one does.
    """
    duration = query.duration
    if duration <= datetime.timedelta(0):
        return SlotResult(reason="The meeting has no length.")
    if query.window_end <= query.window_start:
        return SlotResult(reason="The window is empty: its last day is before its first day.")
    if query.window_end <= query.now:
        return SlotResult(reason="The window is in the past: its last day is over.")
    start = max(query.window_start, query.now + query.min_notice)
    end = query.window_end
    if start + duration > end:
        return SlotResult(
            reason=(
                f"Too late for this window: the meeting needs {_minutes(query.min_notice)} "
                f"notice and {_minutes(duration)}, and the window ends before that."
            )
        )
    if not people:
        return SlotResult(reason="The meeting has nobody to meet.")

    everyone: list[Interval] | None = None
    all_working: list[Interval] | None = None
    for person in people:
        working, free = _free(person, start, end, query.buffer)
        if _first_fit(working, duration) is None:
            return SlotResult(
                reason=(
                    f"{person.label} has no working time of {_minutes(duration)} in the window "
                    f"(working days, hours in {person.zone.key}, days away)."
                ),
                blocking=(person.label,),
            )
        if _first_fit(free, duration) is None:
            return SlotResult(
                reason=f"{person.label} is fully booked in the window.", blocking=(person.label,)
            )
        all_working = working if all_working is None else _intersect(all_working, working)
        everyone = free if everyone is None else _intersect(everyone, free)

    assert everyone is not None and all_working is not None  # people is not empty
    slot = _first_fit(everyone, duration)
    if slot is not None:
        return SlotResult(start=slot, end=slot + duration)
    labels = tuple(person.label for person in people)
    if _first_fit(all_working, duration) is None:
        zones = ", ".join(f"{p.label} ({p.zone.key})" for p in people)
        return SlotResult(
            reason=(
                f"The working hours of {zones} never overlap for {_minutes(duration)} "
                "in the window."
            ),
            blocking=labels,
        )
    return SlotResult(
        reason=(
            f"Everyone works at the same time somewhere in the window, but never all free "
            f"together for {_minutes(duration)}"
            + (f" with {_minutes(query.buffer)} between meetings." if query.buffer else ".")
        ),
        blocking=labels,
    )
