from zoneinfo import available_timezones

from django.core.exceptions import ValidationError


def validate_time_zone(value: str) -> None:
    """Accept only IANA zone names that zoneinfo knows (so "Europe/London", not "BST")."""
    if value not in _zones():
        raise ValidationError(
            "“%(value)s” is not a time zone we know. Use a name like Europe/London or Asia/Jerusalem.",
            params={"value": value},
            code="invalid_time_zone",
        )


_ZONES: frozenset[str] = frozenset()


def _zones() -> frozenset[str]:
    global _ZONES
    if not _ZONES:
        _ZONES = frozenset(available_timezones())
    return _ZONES


def time_zone_choices() -> list[tuple[str, str]]:
    return [(zone, zone.replace("_", " ")) for zone in sorted(_zones())]
