"""The pure slot finder: zones on both sides, daylight saving, buffers, notice, days away, windows."""

import datetime
from zoneinfo import ZoneInfo

from onboarding.scheduling import Availability, SlotQuery, find_slot

UTC = datetime.UTC
WEEKDAYS = frozenset(range(5))
H = datetime.timedelta(hours=1)


def person(label, zone="UTC", start=9, end=17, days=WEEKDAYS, away=(), busy=()):
    return Availability(
        label=label,
        zone=ZoneInfo(zone),
        work_start=datetime.time(start),
        work_end=datetime.time(end),
        working_days=frozenset(days),
        days_away=frozenset(away),
        busy=tuple(busy),
    )


def utc(*args):
    return datetime.datetime(*args, tzinfo=UTC)


def query(start, end, *, now=None, duration=H, buffer=0, notice=0):
    return SlotQuery(
        duration=duration,
        window_start=start,
        window_end=end,
        now=now or start - datetime.timedelta(days=1),
        buffer=datetime.timedelta(minutes=buffer),
        min_notice=datetime.timedelta(hours=notice),
    )


# 2026-03-02 is a Monday.
MONDAY = utc(2026, 3, 2)
WEEK = (MONDAY, MONDAY + datetime.timedelta(days=7))


def test_earliest_slot_is_the_start_of_the_working_day():
    result = find_slot(query(*WEEK), [person("Ann"), person("Bob")])
    assert result.found and (result.start, result.end) == (utc(2026, 3, 2, 9), utc(2026, 3, 2, 10))


def test_zones_on_both_sides_meet_where_their_hours_overlap():
    # Jerusalem 09-17 is 07-15 UTC (winter, +2); New York 09-17 is 14-22 UTC (winter, -5).
    result = find_slot(
        query(*WEEK), [person("Yael", "Asia/Jerusalem"), person("Nick", "America/New_York")]
    )
    assert result.start == utc(2026, 3, 2, 14)
    assert result.start.astimezone(ZoneInfo("Asia/Jerusalem")).hour == 16
    assert result.start.astimezone(ZoneInfo("America/New_York")).hour == 9


def test_zones_whose_hours_never_overlap_say_so():
    # Tokyo 10-17 is 01-08 UTC; Los Angeles 09-16 (winter, -8) is 17-24 UTC.
    kei = person("Kei", "Asia/Tokyo", start=10)
    lou = person("Lou", "America/Los_Angeles", end=16)
    result = find_slot(query(*WEEK), [kei, lou])
    assert not result.found
    assert "never overlap" in result.reason
    assert "Asia/Tokyo" in result.reason and "America/Los_Angeles" in result.reason


def test_a_daylight_saving_change_inside_the_window_keeps_local_hours():
    # US clocks move forward on Sunday 2026-03-08; the UK stays on GMT until 03-29.
    # Before the change New York 09:00 is 14:00 UTC; after it, 13:00 UTC.
    # London works 09-14 local (= UTC here): before the change no hour is shared with New York.
    london = person("Lena", "Europe/London", start=9, end=14)
    new_york = person("Nate", "America/New_York")
    result = find_slot(query(MONDAY, MONDAY + datetime.timedelta(days=14)), [london, new_york])
    assert result.start == utc(2026, 3, 9, 13)  # Monday after the change: 09:00 in New York
    assert result.start.astimezone(ZoneInfo("America/New_York")).hour == 9
    assert result.start.astimezone(ZoneInfo("Europe/London")).hour == 13


def test_the_day_of_the_change_itself_is_built_in_local_time():
    # A Sunday worker in New York on the day the clocks jump: 09:00 EDT is 13:00 UTC.
    sunday = utc(2026, 3, 8)
    result = find_slot(
        query(sunday, sunday + datetime.timedelta(days=1)),
        [person("Sam", "America/New_York", days={6})],
    )
    assert result.start == utc(2026, 3, 8, 13)


def test_busy_time_is_skipped():
    ann = person("Ann", busy=[(utc(2026, 3, 2, 9), utc(2026, 3, 2, 11))])
    result = find_slot(query(*WEEK), [ann, person("Bob")])
    assert result.start == utc(2026, 3, 2, 11)


def test_buffers_keep_time_clear_around_other_meetings():
    ann = person("Ann", busy=[(utc(2026, 3, 2, 9), utc(2026, 3, 2, 10))])
    result = find_slot(query(*WEEK, buffer=15), [ann])
    assert result.start == utc(2026, 3, 2, 10, 15)
    # ...and before them: a meeting at 10:00 leaves 09:00-09:45, too short for an hour.
    ann = person("Ann", busy=[(utc(2026, 3, 2, 10), utc(2026, 3, 2, 17))])
    result = find_slot(query(*WEEK, buffer=15), [ann])
    assert result.start == utc(2026, 3, 3, 9)


def test_minimum_notice_pushes_the_slot_later():
    now = utc(2026, 3, 2, 8)
    result = find_slot(query(*WEEK, now=now, notice=4), [person("Ann")])
    assert result.start == utc(2026, 3, 2, 12)
    # Notice that ends off the quarter hour rounds up to the next quarter hour.
    result = find_slot(query(*WEEK, now=utc(2026, 3, 2, 8, 7), notice=4), [person("Ann")])
    assert result.start == utc(2026, 3, 2, 12, 15)


def test_now_inside_the_window_starts_the_search_now():
    result = find_slot(query(*WEEK, now=utc(2026, 3, 3, 16, 30)), [person("Ann")])
    assert result.start == utc(2026, 3, 4, 9)


def test_days_away_are_skipped_in_the_persons_own_zone():
    # Away on Monday and Tuesday (Tokyo dates); Tokyo 09-17 is 00-08 UTC.
    kei = person("Kei", "Asia/Tokyo", away={datetime.date(2026, 3, 2), datetime.date(2026, 3, 3)})
    result = find_slot(query(*WEEK), [kei])
    assert result.start == utc(2026, 3, 4, 0)


def test_someone_away_the_whole_window_is_named():
    away = {MONDAY.date() + datetime.timedelta(days=n) for n in range(7)}
    result = find_slot(query(*WEEK), [person("Ann"), person("Cleo", away=away)])
    assert not result.found
    assert result.reason.startswith("Cleo has no working time")
    assert result.blocking == ("Cleo",)


def test_someone_fully_booked_is_named():
    cleo = person("Cleo", busy=[WEEK])
    result = find_slot(query(*WEEK), [person("Ann"), cleo])
    assert not result.found and result.reason == "Cleo is fully booked in the window."


def test_free_but_never_together():
    ann = person("Ann", busy=[(utc(2026, 3, d, 9), utc(2026, 3, d, 13)) for d in range(2, 9)])
    bob = person("Bob", busy=[(utc(2026, 3, d, 13), utc(2026, 3, d, 17)) for d in range(2, 9)])
    result = find_slot(query(*WEEK), [ann, bob])
    assert not result.found and "never all free together" in result.reason


def test_an_empty_window_is_refused():
    result = find_slot(query(MONDAY, MONDAY), [person("Ann")])
    assert not result.found and "empty" in result.reason
    result = find_slot(query(MONDAY, MONDAY - H), [person("Ann")])
    assert not result.found and "empty" in result.reason


def test_a_window_in_the_past_is_refused():
    result = find_slot(query(*WEEK, now=WEEK[1] + H), [person("Ann")])
    assert not result.found and "past" in result.reason


def test_notice_longer_than_what_is_left_of_the_window():
    result = find_slot(query(*WEEK, now=WEEK[1] - 2 * H, notice=24), [person("Ann")])
    assert not result.found and "notice" in result.reason


def test_a_slot_never_crosses_the_end_of_a_working_day():
    result = find_slot(query(*WEEK, duration=9 * H), [person("Ann")])
    assert not result.found and "no working time of 9 hours" in result.reason


def test_the_window_end_is_respected():
    # Only the first two hours of Monday are in the window, and Ann is busy in the first.
    ann = person("Ann", busy=[(utc(2026, 3, 2, 9), utc(2026, 3, 2, 10))])
    result = find_slot(query(utc(2026, 3, 2, 9), utc(2026, 3, 2, 11)), [ann])
    assert result.start == utc(2026, 3, 2, 10)
    result = find_slot(query(utc(2026, 3, 2, 9), utc(2026, 3, 2, 10, 45)), [ann])
    assert not result.found
