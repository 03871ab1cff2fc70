"""Form fields for what people say about themselves and their teams: a searchable IANA time
zone and a list of days away, each day its own date box. Used by accounts' forms and by the
client-team forms (onboarding), so this module imports nothing from onboarding."""

import datetime
import functools

from django import forms
from django.utils.html import format_html, format_html_join

from .validators import time_zone_choices, validate_time_zone


class DateListInput(forms.Widget):
    """One date input per day away, plus empty ones to add more; static/js/app.js adds
    "Add a date" and "Remove" buttons (without scripts, clear a box to remove its date)."""

    BLANKS = 2

    def value_from_datadict(self, data, files, name) -> list[str]:
        return data.getlist(name) if hasattr(data, "getlist") else [data.get(name, "")]

    def value_omitted_from_data(self, data, files, name) -> bool:
        return name not in data

    def format_value(self, value) -> list[str]:
        if not value:
            return []
        if isinstance(value, str):
            value = value.replace(",", " ").split()
        return [day.isoformat() if isinstance(day, datetime.date) else str(day) for day in value]

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        first_id = attrs.pop("id", f"id_{name}")
        described = attrs.get("aria-describedby", "")
        values = [*self.format_value(value), *[""] * self.BLANKS]
        rows = []
        for n, day in enumerate(values, start=1):
            rows.append(
                format_html(
                    '<li class="date-list__item"><input type="date" name="{}" value="{}"{}{}'
                    ' aria-label="Day away {}"> <button type="button" class="button--quiet '
                    'button--small" data-date-remove hidden>Remove<span class="visually-hidden">'
                    " day away {}</span></button></li>",
                    name,
                    day,
                    format_html(' id="{}"', first_id) if n == 1 else "",
                    format_html(' aria-describedby="{}"', described) if described else "",
                    n,
                    n,
                )
            )
        return format_html(
            '<div class="date-list" data-date-list><ul class="date-list__items">{}</ul>'
            '<button type="button" class="button--quiet button--small" data-date-add hidden>'
            "Add a date</button></div>",
            format_html_join("", "{}", ((row,) for row in rows)),
        )


class DateListField(forms.Field):
    """Dates away, one a box (YYYY-MM-DD; a box may also hold several, separated by commas or
    spaces, as older forms sent them); a bad one is named, duplicates are dropped."""

    widget = DateListInput

    def to_python(self, value) -> list[datetime.date]:  # type: ignore[override]
        if value in self.empty_values:
            return []
        parts = [
            part
            for text in (value if isinstance(value, list | tuple) else [value])
            for part in str(text).replace(",", " ").split()
        ]
        days: set[datetime.date] = set()
        for part in parts:
            try:
                days.add(datetime.date.fromisoformat(part))
            except ValueError:
                raise forms.ValidationError(
                    f"\u201c{part[:20]}\u201d is not a date: pick it in the calendar, or write "
                    "it as YYYY-MM-DD, e.g. 2026-12-24.",
                    code="invalid_date",
                ) from None
        if len(days) > 366:
            raise forms.ValidationError("At most 366 days away.", code="too_many")
        return sorted(days)


# Offered first in the time-zone list: where most of the people using this product live.
COMMON_ZONES = (
    "UTC",
    "Europe/London",
    "Europe/Lisbon",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Amsterdam",
    "Europe/Warsaw",
    "Europe/Athens",
    "Europe/Kyiv",
    "Asia/Jerusalem",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "America/Santiago",
)


class TimeZoneInput(forms.TextInput):
    """A text box with a list to search (a <datalist>: common zones first, then every IANA
    zone); static/js/app.js fills an empty box with the zone the browser reports."""

    def __init__(self, attrs=None):
        defaults = {
            "autocomplete": "off",
            "spellcheck": "false",
            "placeholder": "Type to search, e.g. Europe/London",
            "data-detect-zone": "",
        }
        super().__init__({**defaults, **(attrs or {})})

    def render(self, name, value, attrs=None, renderer=None):
        attrs = dict(attrs or {})
        list_id = f"{attrs.get('id') or 'id_' + name}_zones"
        attrs["list"] = list_id
        box = super().render(name, value, attrs, renderer)
        others = [zone for zone, _ in time_zone_choices() if zone not in COMMON_ZONES]
        options = format_html_join(
            "", '<option value="{}"></option>', ((zone,) for zone in (*COMMON_ZONES, *others))
        )
        return format_html(
            '{}<datalist id="{}">{}</datalist>',
            box,
            list_id,
            options,
        )


class TimeZoneField(forms.CharField):
    """An IANA zone name, found whatever its case or with spaces for underscores
    ("europe/lisbon", "America/New York"); anything else is refused in words."""

    widget = TimeZoneInput

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 64)
        super().__init__(**kwargs)

    def to_python(self, value) -> str:
        text = "_".join(super().to_python(value).split())
        if not text:
            return text
        return _zones_by_lower().get(text.lower(), text)

    def validate(self, value) -> None:
        super().validate(value)
        if value:
            validate_time_zone(value)


@functools.cache
def _zones_by_lower() -> dict[str, str]:
    return {zone.lower(): zone for zone, _ in time_zone_choices()}
