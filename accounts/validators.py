import re
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


# Bidirectional embeddings, overrides and isolates: they reorder what follows them, so a name
# can read as something else ("\u202egnp.exe") in every list it appears in.
_BIDI_CONTROLS = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # line breaks and tabs included: a name is one line
NAME_MAX_CHARS = 120
FORMULA_STARTS = ("=", "+", "-", "@")  # what spreadsheets run when a cell starts with it


def name_clean(value: str, *, label: str = "The name", max_chars: int = NAME_MAX_CHARS) -> str:
    """A person's name, the one rule for the profile, invitations and the people CSV: one line
    of text with no control or text-direction characters, not starting like a formula."""
    if _CONTROL.search(value):
        raise ValidationError(
            f"{label} contains a line break or a control character, which are not allowed "
            "in a name. Write it on one line.",
            code="name_control",
        )
    if _BIDI_CONTROLS.search(value):
        raise ValidationError(
            f"{label} contains a character that reverses the direction of the text, which is "
            "not allowed in a name. Remove it.",
            code="name_bidi",
        )
    value = " ".join(value.split())
    if value.startswith(FORMULA_STARTS):
        raise ValidationError(
            f"{label} starts with \u201c{value[0]}\u201d, which spreadsheets run as a formula. "
            "Remove that character.",
            code="name_formula",
        )
    if len(value) > max_chars:
        raise ValidationError(
            f"{label} is too long: {len(value):,} characters, at most {max_chars:,}.",
            code="name_too_long",
        )
    return value


# What a person types into a longer field (an answer, a note, a comment, a message): the one
# rule every service applies before it stores it. The forms say the same limit; this is the
# last line. Every app may import it: it depends on nothing but Django.
TEXT_MAX_CHARS = 20_000
# C0 controls except tab, line feed and carriage return, DEL, and the bidi overrides that can
# make text read differently from what it stores.
_FORBIDDEN_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def text_clean(value: str, *, label: str, max_chars: int = TEXT_MAX_CHARS) -> str:
    """The text a person typed, refused with a message they understand when it can't be stored."""
    if _FORBIDDEN_CHARS.search(value):
        raise ValidationError(
            f"{label} contains control characters (such as a NUL byte). Remove them and try again.",
            code="control_characters",
        )
    value = value.replace("\r\n", "\n").strip()
    if len(value) > max_chars:
        raise ValidationError(
            f"{label} is too long: {len(value):,} characters, at most {max_chars:,}.",
            code="too_long",
        )
    return value
