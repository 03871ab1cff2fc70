"""Post/redirect/get for a refused form.

A refused POST must not leave the person on the POST's URL (a refresh would send it again, and
the message would stay after the fix). `refused_redirect` keeps what they typed and why it was
refused in their session and sends them back to the page the form is on; that page's GET calls
`refused_take`, which gives the form back bound to what they typed, with the same messages next
to the fields, once: the next refresh shows the page as it is.
"""

from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.forms.utils import ErrorDict
from django.http import HttpRequest, HttpResponseRedirect, QueryDict

_SESSION_KEY = "refused:{}"
# A person's session holds at most this many refused forms (one per page they left unfixed).
_MAX_KEPT = 10

FormT = TypeVar("FormT", bound=forms.Form)


def refused_redirect(
    request: HttpRequest,
    form: forms.Form,
    *,
    key: str,
    to: str,
    anchor: str = "",
    secret: tuple[str, ...] = (),
) -> HttpResponseRedirect:
    """Keep FORM's typed values and errors under KEY, then redirect to TO (+ ANCHOR).

    Fields named in SECRET (passwords) are never kept: they are typed again, as a browser
    never refills a password box either."""
    names = [form.add_prefix(name) for name in form.fields if name not in secret]
    kept = {
        "data": {name: request.POST.getlist(name) for name in names if name in request.POST},
        "errors": {field: [str(m) for m in messages] for field, messages in form.errors.items()},
    }
    stored = [k for k in request.session.keys() if k.startswith("refused:")]  # noqa: SIM118
    for old in stored[: max(0, len(stored) - _MAX_KEPT + 1)]:
        del request.session[old]
    request.session[_SESSION_KEY.format(key)] = kept
    return HttpResponseRedirect(to + anchor)


def refused_take(
    request: HttpRequest,
    *,
    key: str,
    build: Callable[[QueryDict], FormT],
    revalidate: bool = True,
) -> FormT | None:
    """The form refused under KEY, bound to what was typed and with its messages; None if none.

    BUILD makes the form from data (the same form class and choices as the POST used). The
    form is validated again, and any message the service gave (not the form) is added back.
    With REVALIDATE false it shows exactly the messages of the refusal: for a form with a file
    or a secret field, which cannot come back and would otherwise read "required".
    """
    kept = request.session.pop(_SESSION_KEY.format(key), None)
    if not kept:
        return None
    data = QueryDict(mutable=True)
    for name, values in kept["data"].items():
        data.setlist(name, values)
    form = build(data)
    if not revalidate:
        form.cleaned_data = {}
        errors = ErrorDict()
        for field, messages in kept["errors"].items():
            target = field if field in form.fields else NON_FIELD_ERRORS
            if target not in errors:
                extra = "nonfield" if target == NON_FIELD_ERRORS else None
                errors[target] = form.error_class(error_class=extra)
            errors[target].extend(messages)
        form._errors = errors  # type: ignore[attr-defined]  # what full_clean would have set
        return form
    form.full_clean()
    for field, messages in kept["errors"].items():
        target = field if field in form.fields else None
        for message in messages:
            if message not in form.errors.get(target or NON_FIELD_ERRORS, []):
                form.add_error(target, message)
    return form
