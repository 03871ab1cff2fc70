"""The schedule: which item is today, and how many working days ahead or behind a hire is."""

import datetime

import pytest

from onboarding.schedule import Schedule, local_today

MON = datetime.date(2026, 11, 2)  # a Monday
WEEKDAYS = [0, 1, 2, 3, 4]


def day(offset: int) -> datetime.date:
    return MON + datetime.timedelta(days=offset)


def schedule(*, start=MON, pace=1, working_days=WEEKDAYS, holidays=()) -> Schedule:
    return Schedule.build(start_date=start, pace=pace, working_days=working_days, holidays=holidays)


def test_first_day_is_item_zero():
    assert schedule().today_index(MON) == 0


def test_each_working_day_moves_one_item_at_pace_one():
    s = schedule()
    assert [s.today_index(day(n)) for n in range(5)] == [0, 1, 2, 3, 4]


def test_weekend_shows_what_monday_brings():
    s = schedule()
    assert s.today_index(day(5)) == 5  # Saturday
    assert s.today_index(day(6)) == 5  # Sunday
    assert s.today_index(day(7)) == 5  # Monday
    assert s.today_index(day(8)) == 6


def test_holiday_is_skipped_as_iso_string_or_date():
    for holiday in ("2026-11-04", day(2)):  # Wednesday
        s = schedule(holidays=[holiday])
        assert [s.today_index(day(n)) for n in range(5)] == [0, 1, 2, 2, 3]


def test_holiday_on_a_weekend_changes_nothing():
    assert schedule(holidays=["2026-11-07"]).today_index(day(14)) == 10


def test_pace_two_moves_two_items_a_day():
    s = schedule(pace=2)
    assert [s.today_index(day(n)) for n in (0, 1, 2, 7)] == [0, 2, 4, 10]


def test_start_in_the_future_is_item_zero_and_on_track():
    s = schedule(start=day(10))
    assert s.today_index(MON) == 0
    assert s.days_ahead(today=MON, done=0, total=5) == 0


def test_start_on_a_weekend_begins_on_monday():
    s = schedule(start=day(5))
    assert s.today_index(day(5)) == 0
    assert s.today_index(day(7)) == 0
    assert s.today_index(day(8)) == 1


def test_custom_working_week():
    s = schedule(working_days=[6, 0, 1, 2, 3], start=day(-1))  # Sunday..Thursday
    assert [s.today_index(day(n)) for n in (-1, 0, 3, 4, 5, 6)] == [0, 1, 4, 5, 5, 5]


def test_counting_matches_a_day_by_day_walk_over_months():
    s = schedule(holidays=["2026-12-25", "2027-01-01", "2026-11-11"], working_days=[0, 2, 4])
    walked = 0
    current = MON
    while current < datetime.date(2027, 3, 1):
        assert s.working_days_before(current) == walked, current
        walked += s.is_working_day(current)
        current += datetime.timedelta(days=1)


def test_due_dates_follow_pace_weekends_and_holidays():
    s = schedule(pace=2, holidays=["2026-11-03"])
    assert s.due_dates(5) == [MON, MON, day(2), day(2), day(3)]


@pytest.mark.parametrize(
    ("offset", "done", "expected"),
    [
        (0, 0, 0),  # first day, nothing done yet: on track
        (0, 1, 0),  # today's item done: on track
        (0, 2, 1),  # tomorrow's done too: one day ahead
        (2, 0, -2),  # Wednesday, nothing done: two days behind
        (2, 1, -1),
        (2, 2, 0),
        (7, 4, -1),  # next Monday, Friday's item missing
        (0, 10, 9),  # everything done on day one
        (30, 10, 0),  # past the end with everything done
        (30, 8, -2),  # past the end: only the program's items are due
    ],
)
def test_days_ahead_at_pace_one(offset, done, expected):
    assert schedule().days_ahead(today=day(offset), done=done, total=10) == expected


@pytest.mark.parametrize(
    ("offset", "done", "expected"),
    [
        (1, 0, -1),  # Tuesday at pace 2: Monday's two items missing is one day
        (1, 1, -1),  # one short is still a day behind
        (1, 2, 0),
        (1, 4, 0),
        (1, 6, 1),
        (1, 5, 0),  # half a day ahead is not a day ahead
    ],
)
def test_days_ahead_at_pace_two(offset, done, expected):
    assert schedule(pace=2).days_ahead(today=day(offset), done=done, total=20) == expected


def test_holiday_does_not_make_a_hire_behind():
    s = schedule(holidays=["2026-11-03"])  # Tuesday off
    assert s.days_ahead(today=day(2), done=1, total=10) == 0


def test_schedule_refuses_nonsense():
    with pytest.raises(ValueError):
        schedule(working_days=[])
    with pytest.raises(ValueError):
        schedule(working_days=[7])
    with pytest.raises(ValueError):
        schedule(pace=0)


def test_local_today_uses_the_hires_zone():
    now = datetime.datetime(2026, 11, 2, 23, 30, tzinfo=datetime.UTC)
    assert local_today(now=now, zone="UTC") == MON
    assert local_today(now=now, zone="Asia/Tokyo") == day(1)
    assert local_today(now=now, zone="America/Los_Angeles") == MON
