"""The hire journey's records, and the outbox every outgoing email passes through."""

from django.db import models
from django.utils import timezone


class OutboundEmail(models.Model):
    """One email to send, written in the same transaction as the change that caused it.

    A request never fails because the broker is down: the row is committed with the change,
    a task is enqueued after commit (best effort), and a periodic sweep picks up whatever
    was not sent. `dedupe_key` makes each logical email exist at most once.
    """

    to = models.EmailField()
    subject = models.CharField(max_length=255)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    ics = models.TextField(blank=True)  # an attached calendar invite, when there is one
    dedupe_key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["created_at"],
                name="outbox_unsent",
                condition=models.Q(sent_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to}"
