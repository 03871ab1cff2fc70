from django import forms
from django.core.validators import validate_slug

from onboarding.edge import IdField

from .importer.sources import looks_like_git_url

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class ImportForm(forms.Form):
    """Import by upload (a .zip of the program folder, or one .md file) or by git URL."""

    upload = forms.FileField(
        required=False,
        label="Upload a .zip or a .md file",
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,.md,.markdown"}),
    )
    git_url = forms.CharField(
        required=False,
        max_length=1000,
        label="…or a git URL",
        help_text="https://, ssh:// or git@host:owner/repo.git; cloned by the server.",
    )
    ref = forms.CharField(required=False, max_length=200, label="Branch or tag (optional)")
    program_slug = forms.CharField(
        required=False,
        max_length=100,
        validators=[validate_slug],
        label="Program (optional)",
        help_text="Leave empty to use the folder's name; give an existing program's slug to "
        "import a new version of it.",
    )

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload is None:
            return None
        name = upload.name.lower()
        if not name.endswith((".zip", ".md", ".markdown")):
            raise forms.ValidationError("Upload a .zip of the program folder or a single .md file.")
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB."
            )
        return upload

    def clean_git_url(self) -> str:
        url = self.cleaned_data.get("git_url", "").strip()
        if url and not looks_like_git_url(url):
            raise forms.ValidationError("This does not look like a git URL.")
        return url

    def clean(self) -> dict:
        data = super().clean()
        if not self.errors and bool(data.get("upload")) == bool(data.get("git_url")):
            raise forms.ValidationError("Choose one: upload a file, or give a git URL.")
        if data.get("ref") and not data.get("git_url"):
            self.add_error("ref", "A branch or tag only applies to a git URL.")
        return data


class ItemMarkdownForm(forms.Form):
    """The item editor: the whole Markdown text, and the hash of the text it was loaded from."""

    markdown = forms.CharField(
        required=False,
        strip=False,  # authored whitespace is content (indented lists, code)
        label="Markdown",
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "true", "dir": "auto"}),
    )
    base_hash = forms.CharField(max_length=64, widget=forms.HiddenInput)

    def clean_markdown(self) -> str:
        text = self.cleaned_data.get("markdown", "")
        if "\u202e" in text or "\u202d" in text:
            # Right-to-left override characters make text read differently than it is stored.
            raise forms.ValidationError(
                "The text holds a right-to-left override character (U+202D/U+202E); remove it."
            )
        return text


STRUCTURE_ACTIONS = (
    "chapter_add",
    "chapter_rename",
    "chapter_move",
    "chapter_remove",
    "item_add",
    "item_rename",
    "item_kind",
    "item_move",
    "item_remove",
)
ITEM_KIND_CHOICES = [
    ("day", "Day"),
    ("exercise", "Exercise"),
    ("showcase", "Showcase"),
    ("template", "Template"),
    ("external", "Link to an outside page"),
]


class StructureForm(forms.Form):
    """One action of the structure editor; which fields matter depends on the action."""

    action = forms.ChoiceField(choices=[(a, a) for a in STRUCTURE_ACTIONS])
    chapter = IdField(required=False)
    item = IdField(required=False)
    title = forms.CharField(required=False, max_length=200)
    kind = forms.ChoiceField(required=False, choices=ITEM_KIND_CHOICES)
    url = forms.CharField(required=False, max_length=2000)
    direction = forms.ChoiceField(required=False, choices=[("up", "up"), ("down", "down")])

    def clean(self) -> dict:
        data = super().clean()
        action = data.get("action", "")
        needs = {
            "chapter": (action.startswith("chapter_") and action != "chapter_add")
            or action == "item_add",
            "item": action.startswith("item_") and action != "item_add",
            "title": action in ("chapter_add", "chapter_rename", "item_add", "item_rename"),
            "kind": action in ("item_add", "item_kind"),
            "direction": action in ("chapter_move", "item_move"),
        }
        for name, needed in needs.items():
            if needed and not data.get(name) and name not in self.errors:
                self.add_error(name, "This field is required.")
        return data
