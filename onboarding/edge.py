"""The edge: every value from outside is read here, once, before any view or query sees it.

- `EdgeInputMiddleware` answers 400 with a plain message when a path, a query string or a form
  value holds a NUL or another control character, or bytes that are not UTF-8. PostgreSQL
  refuses NUL in text, so such a value reaching a query would otherwise be a 500.
- Path converters (`<id:...>`, `<token:...>`, registered by `register_converters()` from the
  app's `ready()`): an id is 1 to 19 ASCII digits within PostgreSQL's bigint, a token or key is
  letters, digits and `_ - . :`; anything else does not match the route, so it is a 404.
- `parse_id()` for an id in a query string or a form where no form fits, `IdField` for forms,
  `search_text()` for a search box. None of them accepts the Unicode digits that `str.isdigit()`
  accepts and `int()` refuses (or, for Arabic-Indic digits, silently reads).

Nothing here imports another app, so accounts, curriculum and onboarding all may import it.
"""

import re
from collections.abc import Callable, Iterable
from urllib.parse import unquote_to_bytes

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import register_converter
from django.urls.converters import IntConverter

BIGINT_MAX = 2**63 - 1  # PostgreSQL's bigint: the widest id column
SEARCH_MAX_CHARS = 200

_ID = re.compile(r"[0-9]{1,19}")  # [0-9], not \d: \d matches every script's digits
# C0 controls and DEL and C1 controls; tab, LF and CR are ordinary in a textarea, not elsewhere.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


# --- path converters -------------------------------------------------------------------------


class IdConverter(IntConverter):
    """A row's id: ASCII digits only (the regex), and within bigint (else the route misses)."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > BIGINT_MAX:
            raise ValueError("beyond bigint")  # Django reads a ValueError as "no match": a 404
        return number


class TokenConverter:
    """A secret or a key in a URL: invitation keys, signed links, feed tokens, block keys."""

    regex = "[A-Za-z0-9_.:-]{1,512}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


def register_converters() -> None:
    register_converter(IdConverter, "id")
    register_converter(TokenConverter, "token")


# --- values in query strings and forms --------------------------------------------------------


def parse_id(value: object) -> int | None:
    """An id from a query string or a posted field, or None for anything that is not one."""
    if not isinstance(value, str) or not _ID.fullmatch(value):
        return None
    number = int(value)
    return number if 0 < number <= BIGINT_MAX else None


def search_text(value: object) -> str:
    """What a search box asks for: trimmed, at most SEARCH_MAX_CHARS, control characters out
    (the middleware already refused a NUL; this keeps a search safe wherever it is called)."""
    if not isinstance(value, str):
        return ""
    return _CONTROL.sub("", value).strip()[:SEARCH_MAX_CHARS]


class IdField(forms.IntegerField):
    """An id in a form: ASCII digits within bigint. Django's IntegerField reads "٣" as 3."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", BIGINT_MAX)
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if not isinstance(value, int) and not _ID.fullmatch(str(value).strip()):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


# --- the request-level rule ----------------------------------------------------------------------


def refused_input(request: HttpRequest) -> str:
    """Why this request's input cannot be read as text, or "" when it can."""
    # A path that is not UTF-8 reaches here re-percent-encoded by Django ("%FF"), and such a
    # segment matches no converter: a 404, so only what decoded is looked at.
    if _CONTROL.search(request.path_info):
        return "The address holds a control character (such as a NUL byte or a line break)."
    query = request.META.get("QUERY_STRING", "")
    if query:
        raw_query = unquote_to_bytes(query.replace("+", " "))
        if not _is_utf8(raw_query):
            return "The query string holds bytes that are not valid UTF-8."
        if _CONTROL.search(raw_query.decode()):
            return (
                "The query string holds a control character (such as a NUL byte or a line break)."
            )
    if request.method == "POST":
        return _refused_form(request)
    return ""


def _refused_form(request: HttpRequest) -> str:
    urlencoded = request.content_type == "application/x-www-form-urlencoded"
    if urlencoded:
        # Django 5.2 reads such a form only as UTF-8; say why here rather than fail later.
        if (request.encoding or "utf-8").lower().replace("_", "-") not in ("utf-8", "utf8"):
            return "Forms are read as UTF-8 only; this one said it was in another character set."
        if not _is_utf8(unquote_to_bytes(request.body.replace(b"+", b" "))):
            return "The form holds bytes that are not valid UTF-8."
    fields: Iterable[tuple[str, list[str]]] = request.POST.lists()
    for name, values in fields:
        if _CONTROL.search(name) or any(_CONTROL_IN_TEXT.search(v) for v in values):
            return "A form field holds a control character (such as a NUL byte)."
        if not urlencoded and ("\ufffd" in name or any("\ufffd" in v for v in values)):
            # A multipart form's bytes are not at hand here: Django decoded what was not valid
            # as U+FFFD, so the value sent is lost. (A urlencoded one was checked as bytes.)
            return "A form field holds bytes that are not valid in its character set."
    return ""


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class EdgeInputMiddleware:
    """400 with a message for input no view could read; see `refused_input`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        reason = refused_input(request)
        if reason:
            return bad_request(reason)
        return self.get_response(request)


def bad_request(reason: str) -> HttpResponse:
    response = HttpResponse(
        render_to_string("errors/400.html", {"reason": reason}),
        status=400,
        content_type="text/html; charset=utf-8",
    )
    # Answered before the CSP middleware: the page gets the same strict policy on its own.
    response["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'self'; img-src 'self'; frame-ancestors 'none'"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response
