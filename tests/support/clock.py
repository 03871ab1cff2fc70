"""A pinned wall clock for tests whose outcome depends on the hour (quiet hours, digests)."""

import datetime

from django.utils import timezone


def pin_clock(monkeypatch, moment: datetime.datetime) -> datetime.datetime:
    """`timezone.now()` answers MOMENT (aware) for the rest of the test, wherever it is called
    through the module (services call `timezone.now()`, so they see it)."""
    assert moment.tzinfo is not None, "pin an aware moment"
    monkeypatch.setattr(timezone, "now", lambda: moment)
    return moment


UTC = datetime.UTC
# A Wednesday: inside the default working hours (09:00-17:00, Monday to Friday, UTC), and after.
WEDNESDAY_MORNING = datetime.datetime(2026, 11, 4, 10, 0, tzinfo=UTC)
WEDNESDAY_EVENING = datetime.datetime(2026, 11, 4, 20, 0, tzinfo=UTC)
THURSDAY_NINE = datetime.datetime(2026, 11, 5, 9, 0, tzinfo=UTC)
