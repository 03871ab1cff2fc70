"""Forms of the hire's journey. They check shape and length; the services hold the rules."""

from django import forms

from curriculum.models import Block

from .services.journey import COMMENT_MAX_CHARS, NOTE_MAX_CHARS, TEXT_MAX_CHARS


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


class MeetingRequestForm(forms.Form):
    """The "Request this meeting" form: which meeting block, and what the hire hopes for."""

    block_key = forms.CharField(max_length=255, widget=forms.HiddenInput)
    note = forms.CharField(
        label="What would you like from it? (optional)",
        required=False,
        max_length=NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": NOTE_MAX_CHARS, "dir": "auto"}),
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
        label="As", choices=(("primary", "Mentor (replaces the current one)"), ("co_mentor", "Co-mentor"))
    )

    def __init__(self, *args, mentors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentor"].choices = [(m.pk, f"{m.name} ({m.email})") for m in mentors]
