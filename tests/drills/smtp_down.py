"""Drill: the SMTP server down for a while, while emails keep being queued.

    uv run python -m tests.drills.smtp_down [--emails 90] [--down-seconds 8]

Emails are queued at a steady pace (each in its own transaction, as requests do). Once the
server has received a third of them it is stopped (connections refused; a message in the
middle of its DATA is cut off) and started again on the same port after `--down-seconds`.
Every send that fails records the error and is retried with backoff (the task's own retries),
and beat's outbox sweep hands on whatever is still unsent; all must arrive once, after.
"""

import threading
import time

from django.db import connection
from django.db.models import Max, Sum

from onboarding.models import OutboundEmail
from tests.drills.common import Drill, Outcome, Stack, email_numbered, run, wait_until


def smtp_down(*, emails: int = 90, per_second: float = 15, down_seconds: float = 8) -> Outcome:
    """The SMTP server down for a while: emails fail, retry, and all arrive once it is back."""
    with Stack() as stack, stack.worker("smtp-drill"), stack.beat():
        drill = Drill("SMTP server down for a while", stack)

        def feed() -> None:
            try:
                for n in range(emails):
                    email_numbered("stream", n)  # its own transaction, as a request's
                    time.sleep(1 / per_second)
            finally:
                connection.close()  # this thread's own

        feeder = threading.Thread(target=feed, name="feeder", daemon=True)
        feeder.start()
        wait_until(lambda: len(stack.sink.messages) >= emails // 3, timeout=120)

        drill.outage("SMTP server stopped", stack.sink, down_seconds)

        feeder.join(timeout=120)
        drill.delivered(timeout=120)
        failed = OutboundEmail.objects.filter(attempts__gt=1)
        tries = OutboundEmail.objects.aggregate(all=Sum("attempts"), most=Max("attempts"))
        drill.lines.append(
            f"SMTP server down {down_seconds:.0f} s: {failed.count()} of {emails} emails failed "
            f"at least once and were retried; {tries['all']} attempts in all, at most "
            f"{tries['most']} for one (the task's retries and each sweep's re-enqueue)"
        )
        if not failed.exists():
            drill.problems.append("no email failed while the server was down: nothing was proven")
        return drill.outcome()


if __name__ == "__main__":
    run(smtp_down)
