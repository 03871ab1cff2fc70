"""The email outbox: every outgoing email is a row first, sent after commit, retried, deduplicated."""

import datetime
import logging
import re
import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from ..models import OutboundEmail

logger = logging.getLogger(__name__)

_LINE_BREAKS = re.compile(r"[\r\n\t\x00-\x1f\x7f]+")


def enqueue_on_commit(task, *args) -> None:
    """Send `task.delay(*args)` after the current transaction commits, never failing the caller.

    The broker may be down; what must happen is already a row in PostgreSQL, and a sweep
    re-enqueues it later, so losing this message costs minutes, not data.
    """

    def _send() -> None:
        try:
            task.delay(*args)
        except Exception:
            logger.warning("broker unavailable; %s(%s) left to the sweep", task.name, args)

    transaction.on_commit(_send)


def email_queue(
    *, to: str, subject: str, body_text: str, body_html: str = "", dedupe_key: str, ics: str = ""
) -> OutboundEmail:
    """Record one email to send; sending happens after commit.

    Idempotent on `dedupe_key`: queueing the same logical email twice returns the first row.
    The subject is folded to one line so that no header can be injected.
    """
    from ..tasks import outbound_email_send

    subject = _LINE_BREAKS.sub(" ", subject).strip()[:255]
    with transaction.atomic():
        email, created = OutboundEmail.objects.get_or_create(
            dedupe_key=dedupe_key,
            defaults={
                "to": to,
                "subject": subject,
                "body_text": body_text,
                "body_html": body_html,
                "ics": ics,
            },
        )
        if created:
            enqueue_on_commit(outbound_email_send, email.pk)
    return email


def email_deliver(*, outbound_email_id: int) -> bool:
    """Send one queued email over SMTP unless it was sent (or given up) already. Returns True
    if sent now.

    The row stays locked while sending, and a concurrent delivery skips it, so two workers
    never send the same row. A crash between SMTP accepting and the commit can still send
    twice: that is the one duplicate at-least-once delivery allows.
    """
    failure: Exception | None = None
    with transaction.atomic():
        email = (
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=outbound_email_id, sent_at__isnull=True, gave_up_at__isnull=True)
            .first()
        )
        if email is None:
            return False
        email.attempts += 1
        try:
            _smtp_message(email).send()
        except Exception as exc:
            # Record the failure (committed), then re-raise so the task retries with backoff;
            # unless retrying cannot help, and the row is marked given up instead.
            email.last_error = f"{exc.__class__.__name__}: {exc}"[:2000]
            if _permanent(exc) or email.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
                email.gave_up_at = timezone.now()
                logger.warning("outbox: gave up on email %s: %s", email.pk, email.last_error)
            else:
                failure = exc
            email.save(update_fields=["attempts", "last_error", "gave_up_at"])
        else:
            email.sent_at = timezone.now()
            email.last_error = ""
            email.save(update_fields=["attempts", "last_error", "sent_at"])
    if failure is not None:
        raise failure
    return email.sent_at is not None  # False when it was given up just now


def _permanent(error: Exception) -> bool:
    """The SMTP server refused for good (a 5xx reply: no such mailbox, message rejected)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(500 <= code < 600 for code, _ in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and 500 <= error.smtp_code < 600


def _smtp_message(email: OutboundEmail) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(email.subject, email.body_text, to=[email.to])
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    if email.ics:
        # The part's method must match the calendar's METHOD (REQUEST or CANCEL), or mail
        # programs treat a cancellation as a new invite.
        found = _ICS_METHOD.search(email.ics)
        method = found.group(1).upper() if found else "REQUEST"
        message.attach("invite.ics", email.ics, f"text/calendar; method={method}; charset=utf-8")
    return message


_ICS_METHOD = re.compile(r"^METHOD:([A-Za-z-]+)\r?$", re.MULTILINE)


def email_unsent_ids(*, older_than_seconds: int = 60, limit: int = 500) -> list[int]:
    """Emails queued a while ago and still unsent: the sweep hands them to the workers again."""
    cutoff = timezone.now() - datetime.timedelta(seconds=older_than_seconds)
    return list(
        OutboundEmail.objects.filter(
            sent_at__isnull=True, gave_up_at__isnull=True, created_at__lte=cutoff
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
