import datetime

from allauth.account.forms import LoginForm as AllauthLoginForm
from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html

from onboarding.forms import EnrollFieldsForm
from onboarding.services.notifications import DIGEST_DAILY, DIGEST_KEY, KINDS, kinds_for

from .fields import DateListField, TimeZoneField
from .models import NotificationChannel, Role, User
from .validators import name_clean

WEEKDAYS = [(0, "Mon"), (1, "Tue"), (2, "Wed"), (3, "Thu"), (4, "Fri"), (5, "Sat"), (6, "Sun")]
# Every notification kind a person can choose a channel for (onboarding's rules define them).
NOTIFICATION_KINDS = [(kind.key, kind.label) for kind in KINDS]
DIGEST_CHOICES = [("off", "No: each email as it comes"), (DIGEST_DAILY, "Yes: once a day")]


class CleanTextMixin:
    """Names follow accounts.validators.name_clean: the profile, invitations and the people CSV
    refuse the same things (line breaks, control and text-direction characters, formulas)."""

    def _clean_text(self, value: str, label: str) -> str:
        return name_clean(value, label=label) if value else value


class InviteForm(CleanTextMixin, EnrollFieldsForm):
    """One person and their role; a hire also chooses where they go (program, mentors, cohort,
    start date: `EnrollFieldsForm`), which a mentor's or admin's invitation leaves aside."""

    email = forms.EmailField(max_length=254)
    display_name = forms.CharField(label="Name (optional)", max_length=120, required=False)
    role = forms.ChoiceField(
        choices=Role.choices, initial=Role.HIRE, widget=forms.Select(attrs={"data-invite-role": ""})
    )
    field_order = ["email", "display_name", "role", *EnrollFieldsForm.ENROLL_FIELDS]

    def enrolls(self) -> bool:
        return self.cleaned_data.get("role") == Role.HIRE

    def clean_display_name(self) -> str:
        return self._clean_text(self.cleaned_data["display_name"], "The name")


class AcceptInvitationForm(CleanTextMixin, forms.Form):
    display_name = forms.CharField(label="Your name", max_length=120)
    time_zone = TimeZoneField(
        label="Your time zone",
        help_text="Filled in from your browser; type to search for another.",
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
    time_zone = TimeZoneField(help_text="Type to search, e.g. Europe/London or Asia/Tokyo.")
    working_hours_start = forms.TimeField(
        label="Working day starts", widget=forms.TimeInput(attrs={"type": "time"})
    )
    working_hours_end = forms.TimeField(
        label="Working day ends", widget=forms.TimeInput(attrs={"type": "time"})
    )
    working_days = forms.TypedMultipleChoiceField(
        choices=WEEKDAYS, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    days_away = DateListField(
        label="Days away (optional)",
        required=False,
        help_text="Holidays and days off: no meeting is booked for you then. "
        "Clear a date to remove it.",
    )

    def __init__(self, *args, user: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the kinds the person's roles can receive; a kind left out of a post keeps
        # what was stored (the field is optional), so an older form never resets a choice.
        self._kinds = kinds_for(user) if user is not None else list(KINDS)
        for kind in self._kinds:
            self.fields[f"notify_{kind.key}"] = forms.ChoiceField(
                label=kind.label,
                choices=NotificationChannel.choices,
                initial=kind.default,
                required=False,
            )
        if any(kind.digestible for kind in self._kinds):
            self.fields["notify_digest"] = forms.ChoiceField(
                label="Mentor emails as one daily digest (at the start of your working day)",
                choices=DIGEST_CHOICES,
                initial="off",
                required=False,
            )
        self._stored = dict(user.notification_preferences or {}) if user is not None else {}

    @classmethod
    def for_user(cls, user: User, data=None) -> "ProfileForm":
        initial = {
            "display_name": user.display_name,
            "time_zone": user.time_zone,
            "working_hours_start": user.working_hours_start,
            "working_hours_end": user.working_hours_end,
            "working_days": user.working_days,
            "days_away": list(user.days_away or []),
        }
        stored = user.notification_preferences or {}
        for kind in kinds_for(user):
            initial[f"notify_{kind.key}"] = stored.get(kind.key, kind.default)
        initial["notify_digest"] = stored.get(DIGEST_KEY, "off")
        return cls(data=data, initial=initial, user=user)

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
        """The stored choices, updated with those this form showed and the person set."""
        chosen = dict(self._stored)
        for kind in self._kinds:
            value = self.cleaned_data.get(f"notify_{kind.key}")
            if value:
                chosen[kind.key] = value
        if self.cleaned_data.get("notify_digest"):
            chosen[DIGEST_KEY] = self.cleaned_data["notify_digest"]
        return chosen


class LoginForm(AllauthLoginForm):
    """allauth's login form, with the email filled in from ?email= (the link back from an
    invitation that added a role to an account that already had a password)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.request
        email = request.GET.get("email", "").strip() if request is not None else ""
        if not self.is_bound and email and len(email) <= 254 and "@" in email:
            self.fields["login"].initial = email
