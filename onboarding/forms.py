"""Forms of the hire's journey. They check shape and length; the services hold the rules."""

from typing import cast

from django import forms

from accounts.validators import TEXT_MAX_CHARS
from curriculum.models import Block

from .services.journey import COMMENT_MAX_CHARS, NOTE_MAX_CHARS


class BlockKeyForm(forms.Form):
    """Which block a check or "mark as read" is about; `checked` is the state wanted."""

    block_key = forms.CharField(max_length=255)
    checked = forms.BooleanField(required=False)


class AnswerForm(forms.Form):
    ACTIONS = (("draft", "Save draft"), ("autosave", "Autosave"), ("submit", "Submit"))

    block_key = forms.CharField(max_length=255, widget=forms.HiddenInput)
    body = forms.CharField(
        label="Your answer",
        required=False,
        strip=False,
        max_length=TEXT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Markdown works. Drafts are saved as you type; only submitted answers reach your mentor.",
    )
    action = forms.ChoiceField(choices=ACTIONS, initial="draft")


class ReflectionForm(forms.Form):
    """One field per reflection prompt (named by position, `prompt_1`...) plus free notes."""

    action = forms.ChoiceField(choices=(("draft", "Save draft"), ("submit", "Submit")))

    def __init__(self, *args, prompts: list[Block], **kwargs):
        super().__init__(*args, **kwargs)
        self.prompts = prompts
        for number, prompt in enumerate(prompts, start=1):
            self.fields[f"prompt_{number}"] = forms.CharField(
                label=prompt.title or f"Prompt {number}",
                required=False,
                strip=False,
                max_length=TEXT_MAX_CHARS,
                widget=forms.Textarea(attrs={"rows": 4}),
            )
        self.fields["notes"] = forms.CharField(
            label="Anything else (optional)",
            required=False,
            strip=False,
            max_length=TEXT_MAX_CHARS,
            widget=forms.Textarea(attrs={"rows": 3}),
        )
        self.order_fields([*(f"prompt_{n}" for n in range(1, len(prompts) + 1)), "notes"])

    def answers_by_key(self) -> dict[str, str]:
        return {
            prompt.key: self.cleaned_data.get(f"prompt_{number}", "")
            for number, prompt in enumerate(self.prompts, start=1)
        }

    def field_for_key(self, key: str) -> str:
        for number, prompt in enumerate(self.prompts, start=1):
            if prompt.key == key:
                return f"prompt_{number}"
        return "notes"

    @staticmethod
    def initial_from(answers: dict[str, str], notes: str, prompts: list[Block]) -> dict:
        initial = {f"prompt_{n}": answers.get(p.key, "") for n, p in enumerate(prompts, start=1)}
        initial["notes"] = notes
        return initial


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(
        label="How was it?",
        choices=[(n, str(n)) for n in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
        help_text="1 is “lost me”, 5 is “clear and useful”.",
    )
    comment = forms.CharField(
        label="What was unclear? (optional)",
        required=False,
        max_length=COMMENT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# --- The mentor's desk (onboarding/views/desk.py) --------------------------------------------


class DeskFilterForm(forms.Form):
    """The dashboard's filters; anything unreadable falls back to the defaults."""

    cohort = forms.TypedChoiceField(label="Cohort", required=False, coerce=int, empty_value=None)
    state = forms.ChoiceField(label="Show", required=False)

    def __init__(self, *args, cohorts, states, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cohort"].choices = [("", "All cohorts")] + [(c.pk, c.name) for c in cohorts]
        self.fields["state"].choices = states


class MarkdownMessageForm(forms.Form):
    """A comment, an answer, a note or a question: Markdown, checked again by the service."""

    body = forms.CharField(
        label="Message",
        strip=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Markdown works.",
    )

    def __init__(self, *args, label: str = "Message", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].label = label


class ReviewDecisionForm(forms.Form):
    """Request changes (a comment is required) or accept (a comment is optional)."""

    comment = forms.CharField(
        label="Comment for the hire",
        required=False,
        strip=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Markdown works. Required when you ask for changes: say what to change.",
    )


class QuestionAskForm(forms.Form):
    """The hire's question about an item, optionally about one block of it."""

    block_key = forms.ChoiceField(label="About", required=False)
    body = forms.CharField(
        label="Your question",
        strip=False,
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Your mentor gets an email. Markdown works.",
    )

    def __init__(self, *args, blocks: list[Block], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["block_key"].choices = [("", "This whole item")] + [
            (block.key, (block.title or block.get_kind_display())[:80]) for block in blocks
        ]


class FaqPromoteForm(forms.Form):
    question_text = forms.CharField(
        label="Question, as other hires will read it",
        strip=False,
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    answer = forms.CharField(
        label="Answer",
        strip=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Edit freely, for instance to leave out the hire's name. Markdown works.",
    )


class MentorAssignForm(forms.Form):
    mentor = forms.TypedChoiceField(label="Mentor", coerce=int)
    role = forms.ChoiceField(
        label="As",
        choices=(("primary", "Mentor (replaces the current one)"), ("co_mentor", "Co-mentor")),
    )

    def __init__(self, *args, mentors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentor"].choices = [(m.pk, f"{m.name} ({m.email})") for m in mentors]


class MeetingRequestForm(forms.Form):
    """The "Request this meeting" form: which meeting block, and what the hire hopes for."""

    block_key = forms.CharField(max_length=255, widget=forms.HiddenInput)
    note = forms.CharField(
        label="What would you like from it? (optional)",
        required=False,
        max_length=NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": NOTE_MAX_CHARS, "dir": "auto"}),
    )


# --- Meetings (onboarding/views/meetings.py) -------------------------------------------------
# Imported here, not at the top, so this section stays one block in a file several areas share.
from accounts.fields import DateListField, TimeZoneField  # noqa: E402

from .services import meetings as meeting_rules  # noqa: E402

WEEKDAY_CHOICES = [
    (0, "Mon"),
    (1, "Tue"),
    (2, "Wed"),
    (3, "Thu"),
    (4, "Fri"),
    (5, "Sat"),
    (6, "Sun"),
]
_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class ClientTeamForm(forms.Form):
    name = forms.CharField(label="Name", max_length=meeting_rules.TITLE_MAX_CHARS)
    description = forms.CharField(
        label="What they do (optional)",
        required=False,
        max_length=meeting_rules.AGENDA_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    time_zone = TimeZoneField(label="Time zone", initial="UTC")
    working_hours_start = forms.TimeField(label="Working day starts", widget=_TIME, initial="09:00")
    working_hours_end = forms.TimeField(label="Working day ends", widget=_TIME, initial="17:00")
    working_days = forms.TypedMultipleChoiceField(
        label="Working days",
        choices=WEEKDAY_CHOICES,
        coerce=int,
        initial=[0, 1, 2, 3, 4],
        widget=forms.CheckboxSelectMultiple,
    )
    days_away = DateListField(
        label="Days away (optional)",
        required=False,
        help_text="Dates in the team's own zone. Clear a date to remove it.",
    )

    def clean_days_away(self) -> list[str]:
        return [day.isoformat() for day in self.cleaned_data.get("days_away") or []]


class ClientContactForm(forms.Form):
    name = forms.CharField(label="Name", max_length=meeting_rules.NAME_MAX_CHARS)
    email = forms.EmailField(label="Email")


class ClientTeamQuickForm(forms.Form):
    """A client team and its first contact, added from the arrange page (prefix "team").

    It sits inside the arrange form, so its fields carry no `required` attribute: the browser
    would otherwise refuse to send the meeting while this part is left empty.
    """

    use_required_attribute = False
    prefix = "team"

    name = forms.CharField(label="Team name", max_length=meeting_rules.TITLE_MAX_CHARS)
    time_zone = TimeZoneField(label="Their time zone", initial="UTC")
    working_hours_start = forms.TimeField(label="Their day starts", widget=_TIME, initial="09:00")
    working_hours_end = forms.TimeField(label="Their day ends", widget=_TIME, initial="17:00")
    working_days = forms.TypedMultipleChoiceField(
        label="Their working days",
        choices=WEEKDAY_CHOICES,
        coerce=int,
        initial=[0, 1, 2, 3, 4],
        widget=forms.CheckboxSelectMultiple,
    )
    contact_name = forms.CharField(label="Contact's name", max_length=meeting_rules.NAME_MAX_CHARS)
    contact_email = forms.EmailField(
        label="Contact's email", help_text="They get the invite and answer through a link."
    )


class MeetingArrangeForm(forms.Form):
    """The organiser's choices; the service validates them again as a whole."""

    title = forms.CharField(label="Title", max_length=meeting_rules.TITLE_MAX_CHARS)
    agenda = forms.CharField(
        label="Agenda",
        required=False,
        max_length=meeting_rules.AGENDA_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
    )
    client_team = forms.TypedChoiceField(
        label="Client team", required=False, coerce=int, empty_value=None
    )
    colleagues = forms.TypedMultipleChoiceField(
        label="Colleagues", required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    duration_minutes = forms.TypedChoiceField(
        label="Length",
        coerce=int,
        initial=30,
        choices=[
            (m, f"{m} minutes" if m < 60 else f"{m / 60:g} h") for m in meeting_rules.DURATIONS
        ],
    )
    earliest = forms.DateField(
        label="Earliest day",
        widget=_DATE,
        error_messages={
            "required": "Give the earliest day the meeting may be on.",
        },
    )
    latest = forms.DateField(
        label="Latest day",
        widget=_DATE,
        error_messages={
            "required": "Give the latest day the meeting may be on.",
        },
    )
    buffer_minutes = forms.IntegerField(
        label="Free minutes around it",
        min_value=0,
        max_value=meeting_rules.MAX_BUFFER_MINUTES,
        initial=10,
    )
    min_notice_hours = forms.IntegerField(
        label="Minimum notice (hours)",
        min_value=0,
        max_value=meeting_rules.MAX_NOTICE_HOURS,
        initial=24,
    )

    def __init__(self, *args, teams, colleagues, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client_team"].choices = [("", "No client team")] + [
            (team.pk, f"{team.name} ({team.time_zone})") for team in teams
        ]
        self.fields["colleagues"].choices = [
            (u.pk, f"{u.name} ({u.time_zone})") for u in colleagues
        ]

    def clean_title(self) -> str:
        title = self.cleaned_data["title"]
        if any(ch in title for ch in "\r\n"):
            raise forms.ValidationError("The title must be one line: remove the line breaks.")
        return title

    def clean(self):
        data = super().clean()
        earliest, latest = data.get("earliest"), data.get("latest")
        if earliest and latest and latest < earliest:
            self.add_error("latest", "The latest day is before the earliest day.")
        return data


class MeetingRescheduleForm(forms.Form):
    earliest = forms.DateField(label="Earliest day", widget=_DATE)
    latest = forms.DateField(label="Latest day", widget=_DATE)


class MeetingAnswerForm(forms.Form):
    response = forms.ChoiceField(
        label="Your answer",
        widget=forms.RadioSelect,
        choices=[
            ("accepted", "I'll be there"),
            ("declined", "I can't come"),
            ("new_time", "Please find another time"),
        ],
    )
    note = forms.CharField(
        label="A note for the organiser (optional)",
        required=False,
        max_length=meeting_rules.NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
    )


# --- Program admin: people, cohorts, analytics (issue 8) -------------------------------------------


class PeopleImportForm(forms.Form):
    """A people CSV and the program its hires join; the service checks every row."""

    file = forms.FileField(
        label="CSV file",
        help_text=(
            "Columns: email, name, role (hire, mentor or program admin), and for hires "
            "optionally mentor email, cohort and start date (YYYY-MM-DD). UTF-8, at most 1 MB."
        ),
    )
    program = forms.TypedChoiceField(
        label="Enroll the hires in", coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, versions, **kwargs):
        super().__init__(*args, **kwargs)
        # Offered by their published version, which names them apart (two may share a title).
        self.programs = {version.program_id: version.program for version in versions}
        cast(forms.ChoiceField, self.fields["program"]).choices = [
            ("", "(no hires in this file)")
        ] + [(version.program_id, version.choice_label) for version in versions]
        if len(versions) == 1:
            self.fields["program"].initial = versions[0].program_id

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 1_000_000:
            raise forms.ValidationError(
                f"The file is too large ({upload.size:,} bytes); the limit is 1,000,000."
            )
        return upload


class CohortSelect(forms.Select):
    """Each cohort's <option> carries its start date and its program's published version, so
    static/js/app.js fills the start date and program in when a cohort is chosen."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.defaults: dict[str, dict[str, str]] = {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        option["attrs"].update(self.defaults.get(str(value), {}))
        return option


class EnrollFieldsForm(forms.Form):
    """Where a hire goes: the program (its published version), mentor, co-mentor, cohort and
    start date. Choosing a cohort and leaving the program empty takes the program the cohort's
    hires are in; an empty start date is the cohort's start, or else the next working day."""

    version = forms.TypedChoiceField(label="Program", coerce=int, required=False, empty_value=None)
    mentor = forms.TypedChoiceField(
        label="Mentor (optional)", coerce=int, required=False, empty_value=None
    )
    co_mentor = forms.TypedChoiceField(
        label="Co-mentor (optional)", coerce=int, required=False, empty_value=None
    )
    cohort = forms.TypedChoiceField(
        label="Cohort (optional)",
        coerce=int,
        required=False,
        empty_value=None,
        widget=CohortSelect(attrs={"data-cohort-defaults": ""}),
    )
    start_date = forms.DateField(
        label="Start date", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    # The cohort first: choosing it fills in the program and start date below it.
    ENROLL_FIELDS = ("cohort", "version", "start_date", "mentor", "co_mentor")
    field_order = list(ENROLL_FIELDS)

    def __init__(self, *args, options, **kwargs):
        super().__init__(*args, **kwargs)
        self.options = options
        self.versions = {version.pk: version for version in options.versions}
        self.mentors = {mentor.pk: mentor for mentor in options.mentors}
        self.cohorts = {cohort.pk: cohort for cohort in options.cohorts}
        fields = self.fields
        cast(forms.ChoiceField, fields["version"]).choices = [("", "(choose a program)")] + [
            (version.pk, version.choice_label) for version in options.versions
        ]
        if len(options.versions) == 1:
            fields["version"].initial = options.versions[0].pk
        elif not options.versions:
            fields[
                "version"
            ].help_text = "No program has a published version yet: publish one to enroll hires."
        people = [(mentor.pk, f"{mentor.name} ({mentor.email})") for mentor in options.mentors]
        cast(forms.ChoiceField, fields["mentor"]).choices = [("", "(nobody yet)"), *people]
        cast(forms.ChoiceField, fields["co_mentor"]).choices = [("", "(none)"), *people]
        cast(forms.ChoiceField, fields["cohort"]).choices = [("", "(no cohort)")] + [
            (cohort.pk, f"{cohort.name} (starts {cohort.start_date:%-d %b %Y})")
            for cohort in options.cohorts
        ]
        widget = cast(CohortSelect, fields["cohort"].widget)
        widget.defaults = {
            str(cohort.pk): {
                "data-start": cohort.start_date.isoformat(),
                **(
                    {"data-version": str(options.cohort_versions[cohort.pk])}
                    if cohort.pk in options.cohort_versions
                    else {}
                ),
            }
            for cohort in options.cohorts
        }
        fields["start_date"].help_text = (
            "Empty: the cohort's start date, or else the next working day "
            f"({options.default_start:%A %-d %B})."
        )
        for name in self.ENROLL_FIELDS:
            fields[name].widget.attrs["data-enroll-field"] = ""

    def enrolls(self) -> bool:
        """Whether this submission enrolls anyone (an invitation for a mentor does not)."""
        return True

    def clean(self) -> dict:
        data = super().clean()
        if not self.enrolls():
            return data
        version_id = data.get("version")
        cohort_id = data.get("cohort")
        if version_id is None and cohort_id is not None:
            version_id = self.options.cohort_versions.get(cohort_id)
            data["version"] = version_id
        if version_id is None and self.versions and "version" not in self.errors:
            self.add_error("version", "Choose the program to enroll them in.")
        mentor, co_mentor = data.get("mentor"), data.get("co_mentor")
        if mentor is not None and mentor == co_mentor:
            self.add_error("co_mentor", "The co-mentor must be someone other than the mentor.")
        return data

    def enroll_choice(self):
        """The checked choice for `services.invites`, or None when there is no program to
        enroll in (nothing is published yet) or this submission enrolls nobody."""
        from .services.invites import EnrollChoice

        data = self.cleaned_data
        if not self.enrolls() or data.get("version") is None:
            return None
        return EnrollChoice(
            version=self.versions[data["version"]],
            mentor=self.mentors.get(data.get("mentor") or 0),
            co_mentor=self.mentors.get(data.get("co_mentor") or 0),
            cohort=self.cohorts.get(data.get("cohort") or 0),
            start_date=data.get("start_date"),
        )


class HiresInviteForm(EnrollFieldsForm):
    """Many hires at once, one "email, name" a line, all into the same program."""

    people = forms.CharField(
        label="People, one a line",
        max_length=40_000,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        help_text=(
            "An email, a comma, then the name: hana.levi@example.com, Hana Levi. "
            "Someone who already has an account is enrolled instead of invited."
        ),
    )
    field_order = ["people", *EnrollFieldsForm.ENROLL_FIELDS]


class EnrollmentStateForm(forms.Form):
    action = forms.ChoiceField(
        choices=[
            ("pause", "Pause"),
            ("resume", "Resume"),
            ("finish", "Finish"),
            ("withdraw", "Withdraw"),
        ]
    )
    reason = forms.CharField(label="Reason (optional)", required=False, max_length=500)


class EnrollmentScheduleForm(forms.Form):
    cohort = forms.TypedChoiceField(label="Cohort", coerce=int, required=False, empty_value=None)
    start_date = forms.DateField(label="Start date", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, cohorts, **kwargs):
        super().__init__(*args, **kwargs)
        self.cohorts = {cohort.pk: cohort for cohort in cohorts}
        cast(forms.ChoiceField, self.fields["cohort"]).choices = [("", "(no cohort)")] + [
            (cohort.pk, cohort.name) for cohort in cohorts
        ]


class EnrollmentMentorForm(forms.Form):
    mentor = forms.TypedChoiceField(label="Mentor", coerce=int)

    def __init__(self, *args, mentors, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["mentor"]).choices = [
            (m.pk, f"{m.name} ({m.email})") for m in mentors
        ]


class CohortForm(forms.Form):
    name = forms.CharField(max_length=200)
    start_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    pace = forms.IntegerField(
        min_value=1, max_value=10, initial=1, help_text="Items per working day."
    )


class CohortAssignForm(forms.Form):
    enrollments = forms.TypedMultipleChoiceField(
        label="Hires", coerce=int, widget=forms.CheckboxSelectMultiple
    )
    use_start_date = forms.BooleanField(
        label="Also give them the cohort's start date", required=False
    )

    def __init__(self, *args, enrollments, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["enrollments"]).choices = [
            (e.pk, f"{e.hire.name} ({e.hire.email})") for e in enrollments
        ]


class MoveForm(forms.Form):
    enrollments = forms.TypedMultipleChoiceField(
        label="Move these hires", coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, enrollments, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["enrollments"]).choices = [
            (e.pk, e.hire.name) for e in enrollments
        ]


class EraseForm(forms.Form):
    confirm = forms.CharField(
        label="Type ERASE to confirm",
        max_length=10,
        help_text="Their writing, name and email are removed for good; their numbers stay.",
    )

    def clean_confirm(self):
        if self.cleaned_data["confirm"].strip() != "ERASE":
            raise forms.ValidationError("Type ERASE (capital letters) to confirm.")
        return "ERASE"
