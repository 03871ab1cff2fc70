import datetime

from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html

from .models import NotificationChannel, Role, User
from .validators import time_zone_choices, validate_time_zone

WEEKDAYS = [(0, "Mon"), (1, "Tue"), (2, "Wed"), (3, "Thu"), (4, "Fri"), (5, "Sat"), (6, "Sun")]
NOTIFICATION_KINDS = [
    ("daily_item", "This morning's item"),
    ("review", "Reviews of my writing"),
    ("questions", "Answers to my questions"),
    ("meetings", "Meetings"),
]


class CleanTextMixin:
    """Refuse control characters that have no place in names (NUL, bidi overrides)."""

    FORBIDDEN = {"\x00", "\u202e", "\u202d", "\u2066", "\u2067", "\u2068", "\u2069"}

    def _clean_text(self, value: str, label: str) -> str:
        if any(ch in self.FORBIDDEN for ch in value):
            raise forms.ValidationError(f"{label} contains characters that are not allowed.")
        return value.strip()


class InviteForm(CleanTextMixin, forms.Form):
    email = forms.EmailField(max_length=254)
    display_name = forms.CharField(label="Name (optional)", max_length=120, required=False)
    role = forms.ChoiceField(choices=Role.choices, initial=Role.HIRE)

    def clean_display_name(self) -> str:
        return self._clean_text(self.cleaned_data["display_name"], "The name")


class AcceptInvitationForm(CleanTextMixin, forms.Form):
    display_name = forms.CharField(label="Your name", max_length=120)
    time_zone = forms.ChoiceField(
        label="Your time zone", choices=time_zone_choices, validators=[validate_time_zone]
    )
    password = forms.CharField(
        label="Choose a password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html(),
    )
    password_again = forms.CharField(
        label="Type it again", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean_display_name(self) -> str:
        return self._clean_text(self.cleaned_data["display_name"], "Your name")

    def clean(self) -> dict:
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", "The two passwords are not the same.")
        return data


class ProfileForm(CleanTextMixin, forms.Form):
    display_name = forms.CharField(label="Name", max_length=120)
    time_zone = forms.ChoiceField(choices=time_zone_choices, validators=[validate_time_zone])
    working_hours_start = forms.TimeField(
        label="Working day starts", widget=forms.TimeInput(attrs={"type": "time"})
    )
    working_hours_end = forms.TimeField(
        label="Working day ends", widget=forms.TimeInput(attrs={"type": "time"})
    )
    working_days = forms.TypedMultipleChoiceField(
        choices=WEEKDAYS, coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind, label in NOTIFICATION_KINDS:
            self.fields[f"notify_{kind}"] = forms.ChoiceField(
                label=label, choices=NotificationChannel.choices, initial=NotificationChannel.BOTH
            )

    @classmethod
    def for_user(cls, user: User, data=None) -> "ProfileForm":
        initial = {
            "display_name": user.display_name,
            "time_zone": user.time_zone,
            "working_hours_start": user.working_hours_start,
            "working_hours_end": user.working_hours_end,
            "working_days": user.working_days,
        }
        for kind, _ in NOTIFICATION_KINDS:
            initial[f"notify_{kind}"] = user.notification_preferences.get(
                kind, NotificationChannel.BOTH
            )
        return cls(data=data, initial=initial)

    def clean_display_name(self) -> str:
        return self._clean_text(self.cleaned_data["display_name"], "The name")

    def clean(self) -> dict:
        data = super().clean()
        start: datetime.time | None = data.get("working_hours_start")
        end: datetime.time | None = data.get("working_hours_end")
        if start and end and start >= end:
            self.add_error("working_hours_end", "The working day must end after it starts.")
        return data

    @property
    def notification_preferences(self) -> dict[str, str]:
        return {kind: self.cleaned_data[f"notify_{kind}"] for kind, _ in NOTIFICATION_KINDS}
