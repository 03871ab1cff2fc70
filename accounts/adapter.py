"""allauth, shaped to this product: no open signup, mail through the outbox."""

import datetime
import hashlib
import time
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from django.http import HttpRequest

from .links import absolute_url

# The errors allauth raises when a rate limit refuses a login or a second-factor code.
RATE_LIMITED_ERRORS = {"too_many_login_attempts", "rate_limited"}


class AccountAdapter(DefaultAccountAdapter):
    def validation_error(self, code: str, *args):
        # allauth answers a rate-limited login or MFA code with its form again (a 200); the
        # mark lets accounts.middleware.RateLimitStatusMiddleware make that a 429.
        if code in RATE_LIMITED_ERRORS and self.request is not None:
            self.request.rate_limited = True
        return super().validation_error(code, *args)

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # People join by invitation only (accounts.services.invitation_accept).
        return False

    def get_reset_password_from_key_url(self, key: str) -> str:
        # Built from SITE_URL, never from the request's Host header: a forged Host would
        # otherwise put the attacker's domain in front of a real reset key.
        return _on_site(super().get_reset_password_from_key_url(key))

    def get_email_confirmation_url(self, request, emailconfirmation) -> str:
        return _on_site(super().get_email_confirmation_url(request, emailconfirmation))

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Render allauth's email as usual, but send it through the outbox (after commit, retried)."""
        from onboarding.services import email_queue

        message = self.render_mail(template_prefix, email, context)
        html = ""
        for content, mimetype in getattr(message, "alternatives", []):
            if mimetype == "text/html":
                html = content
        # Each allauth mail differs by the key or code it carries, so its body identifies it.
        digest = hashlib.sha256(message.body.encode()).hexdigest()[:32]
        email_queue(
            to=email,
            subject=message.subject,
            body_text=message.body,
            body_html=html,
            dedupe_key=f"allauth:{template_prefix}:{digest}",
        )

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """No second password prompt for the first MFA enrolment straight after logging in.

        Mentors and admins are sent to enrol TOTP right after their first log-in; asking for
        the password they typed seconds ago would only teach them to type it anywhere. Every
        other sensitive action (changing or removing MFA, recovery codes) still reauthenticates.
        """
        request = self.request
        if app == "allauth.mfa" and request is not None and request.user.is_authenticated:
            from allauth.mfa.models import Authenticator

            records = get_authentication_records(request, request.user)
            logged_in_at = records[-1]["at"] if records else 0
            just_logged_in = time.time() - logged_in_at < 300
            # Authenticators made after this login belong to the enrolment itself (TOTP, then
            # the recovery codes page that follows it).
            enrolled_before = Authenticator.objects.filter(
                user=request.user,
                created_at__lt=datetime.datetime.fromtimestamp(logged_in_at, tz=datetime.UTC),
            ).exists()
            if just_logged_in and not enrolled_before:
                return False
        return super().is_reauthentication_required(app=app, **kwargs)


def _on_site(url: str) -> str:
    """The same path and query under SITE_URL, whatever host the request named."""
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return absolute_url(path)
