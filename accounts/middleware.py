"""Mentors and program admins enrol a second factor before they see anything else."""

from collections.abc import Callable

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
