"""allauth, shaped to this product: no open signup, mail through the outbox."""

import hashlib

from allauth.account.adapter import DefaultAccountAdapter
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
