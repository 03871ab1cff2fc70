"""What a person types into a longer field (accounts.validators.text_clean), one rule for every
service that stores it."""

import pytest
from django.core.exceptions import ValidationError

from accounts.validators import TEXT_MAX_CHARS, text_clean


def test_text_is_trimmed_and_windows_line_breaks_become_one():
    assert text_clean("  first line\r\nsecond line \n", label="Your note") == (
        "first line\nsecond line"
    )


def test_tabs_and_line_breaks_are_kept():
    assert text_clean("a\tb\nc", label="Your note") == "a\tb\nc"


@pytest.mark.parametrize("bad", ["nul\x00byte", "bell\x07", "del\x7f", "bidi\u202egnp.exe"])
def test_control_and_direction_characters_are_refused_with_the_field_named(bad):
    with pytest.raises(ValidationError, match="Your answer contains control characters") as err:
        text_clean(bad, label="Your answer")
    assert err.value.code == "control_characters"


def test_too_long_text_is_refused_with_its_length_and_the_limit():
    assert text_clean("x" * TEXT_MAX_CHARS, label="Your answer") == "x" * TEXT_MAX_CHARS
    with pytest.raises(ValidationError, match="20,001 characters, at most 20,000") as err:
        text_clean("x" * (TEXT_MAX_CHARS + 1), label="Your answer")
    assert err.value.code == "too_long"
    with pytest.raises(ValidationError, match="at most 5"):
        text_clean("abcdef", label="The agenda", max_chars=5)
