"""Celery tasks: thin, take ids, safe to run twice (each service checks state first)."""

from celery import shared_task
from django.conf import settings


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=settings.OUTBOX_RETRY_BACKOFF_SECONDS,
    retry_backoff_max=60 * 30,
    max_retries=20,
)
def outbound_email_send(self, outbound_email_id: int) -> bool:
    """Deliver one queued email; a second delivery of the same id sends nothing."""
    from .services import email_deliver

    return email_deliver(outbound_email_id=outbound_email_id)


@shared_task(acks_late=True)
def outbound_email_sweep() -> int:
    """Re-enqueue emails whose first enqueue was lost (broker down) or whose sending failed."""
    from .services import email_unsent_ids

    ids = email_unsent_ids(older_than_seconds=settings.OUTBOX_SWEEP_AFTER_SECONDS)
    for outbound_email_id in ids:
        outbound_email_send.delay(outbound_email_id)
    return len(ids)


@shared_task(acks_late=True)
def notifications_sweep_run() -> int:
    """Beat, every minute: the reminder sweep (due rows, recent events, held emails).

    Safe to run twice and concurrently: it claims rows with `skip_locked`, and every
    notification and email has a unique key. Returns how many notifications it wrote.
    """
    from .services.reminder_rules import notifications_sweep

    return notifications_sweep().notifications


@shared_task(acks_late=True)
def meeting_schedule(meeting_id: int) -> str | None:
    """Find and book the earliest slot for a meeting, then send the invites (issue 6).

    Safe to run twice: a meeting that is no longer searching is left as it is.
    """
    from .services.meetings import meeting_schedule as schedule

    meeting = schedule(meeting_id=meeting_id)
    return meeting.state if meeting is not None else None


@shared_task(acks_late=True)
def privacy_retention_run() -> dict[str, int]:
    """Beat, daily: anonymise enrollments that ended more than PRIVACY_RETENTION_DAYS ago.

    Safe to run twice: each enrollment is marked once (a unique row) and locked while done.
    """
    from .services.privacy import retention_sweep

    return retention_sweep()
