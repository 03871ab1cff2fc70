"""Reads of notifications, scoped to the viewer: a person sees only their own.

The outbox log (what was sent to whom, what failed) is for program admins only; anyone else
gets the same 404 as for a page that does not exist.
"""

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404

from accounts.models import User
from accounts.permissions import is_program_admin

from ..models import Notification, OutboundEmail

OUTBOX_FILTERS = ("all", "failed", "unsent", "sent")


def unread_count(*, user: User | AnonymousUser) -> int:
    """The bell's number: one indexed count (partial index on unread in-app rows)."""
    if not user.is_authenticated:
        return 0
    # Every logged-in page shows it, so it is written by hand: the ORM's .count() spends more
    # time building its query (about 2 ms) than PostgreSQL spends answering it (bench_load).
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM {Notification._meta.db_table} "  # noqa: S608  # nosec B608: our table name
            "WHERE recipient_id = %s AND read_at IS NULL AND in_app",
            [user.pk],
        )
        return cursor.fetchone()[0]


def notifications_for_user(*, user: User | AnonymousUser, limit: int = 100) -> list[Notification]:
    """The person's in-app notifications, newest first (one query)."""
    if not user.is_authenticated:
        return []
    return list(
        Notification.objects.filter(recipient_id=user.pk, in_app=True).order_by(
            "-created_at", "-pk"
        )[:limit]
    )


def notification_for_user(*, user: User | AnonymousUser, notification_id: int) -> Notification:
    """One of the person's notifications; another person's id and a missing id give the same 404."""
    if not user.is_authenticated:
        raise Http404("No such notification.")
    notification = Notification.objects.filter(pk=notification_id, recipient_id=user.pk).first()
    if notification is None:
        raise Http404("No such notification.")
    return notification


def outbox_for_admin(
    *, user: User | AnonymousUser, state: str = "all", limit: int = 200
) -> QuerySet[OutboundEmail]:
    """The outbox, newest first, with the notification kind that caused each email (one query)."""
    if not is_program_admin(user):
        raise Http404("No such page.")
    emails = OutboundEmail.objects.annotate(
        kind=Subquery(
            Notification.objects.filter(email_id=OuterRef("pk")).order_by("pk").values("kind")[:1]
        )
    ).order_by("-created_at", "-pk")
    if state == "failed":
        emails = emails.exclude(last_error="")
    elif state == "unsent":
        emails = emails.filter(sent_at__isnull=True, gave_up_at__isnull=True)
    elif state == "sent":
        emails = emails.filter(sent_at__isnull=False)
    return emails[:limit]


def emails_held_count(*, user: User | AnonymousUser) -> int:
    """How many notification emails wait for someone's working hours or digest."""
    if not is_program_admin(user):
        raise Http404("No such page.")
    return Notification.objects.filter(email__isnull=True, email_due_at__isnull=False).count()
