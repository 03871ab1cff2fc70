"""allauth, shaped to this product: no open signup, mail through the outbox."""

import datetime
import hashlib
import time

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # People join by invitation only (accounts.services.invitation_accept).
        return False

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
