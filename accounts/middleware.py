"""Mentors and program admins enrol a second factor before they see anything else; a
rate-limited login or MFA attempt answers 429 with Retry-After."""

import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

# Paths a person without MFA may still reach: enrolling itself, leaving, static and health.
_ALLOWED_PREFIXES = (
    "/accounts/2fa/",
    "/accounts/logout/",
    "/accounts/reauthenticate/",
    "/static/",
    "/healthz",
    "/invitations/",
)
SESSION_FLAG = "_mfa_enrolled"


class MfaEnrolmentRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.must_use_mfa
            and not request.path.startswith(_ALLOWED_PREFIXES)
            and not self._enrolled(request)
        ):
            return redirect(reverse("mfa_activate_totp") + "?next=" + request.get_full_path())
        return self.get_response(request)

    @staticmethod
    def _enrolled(request: HttpRequest) -> bool:
        # Once enrolled, remember it in the session so ordinary pages pay no query for it.
        if request.session.get(SESSION_FLAG):
            return True
        from allauth.mfa.models import Authenticator

        enrolled = Authenticator.objects.filter(
            user=request.user, type=Authenticator.Type.TOTP
        ).exists()
        if enrolled:
            request.session[SESSION_FLAG] = True
        return enrolled


def _longest_period_seconds(rates: str) -> int:
    """The longest window in an allauth rate such as "10/m/ip,5/300s/key" (here 300)."""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    periods = [
        int(amount or 1) * units[unit] for amount, unit in re.findall(r"/(\d*)([smhd])\b", rates)
    ]
    return max(periods, default=60)


class RateLimitStatusMiddleware:
    """The login and MFA forms shown again because a rate limit refused the attempt are a 429
    with Retry-After (the longest login_failed window), so clients and monitors see a limit,
    not a successful page; the person still reads the form's message."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, "rate_limited", False) and response.status_code == 200:
            response.status_code = 429
            rates = settings.ACCOUNT_RATE_LIMITS.get("login_failed", "")
            response["Retry-After"] = str(_longest_period_seconds(rates))
        return response
