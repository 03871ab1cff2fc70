from django import forms
from django.core.validators import validate_slug

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
