"""Writes of the onboarding app, one module per area; every write goes through one of them.

- `mail`: the outbox (`email_queue`, `enqueue_on_commit`), used by every app that sends email.
- `journey`: the hire's journey (enrollments, checks, answers, reflections, completion).

The outbox functions are re-exported here because other apps call them as the app's public API.
"""

from .mail import email_deliver, email_queue, email_unsent_ids, enqueue_on_commit

__all__ = ["email_deliver", "email_queue", "email_unsent_ids", "enqueue_on_commit"]
