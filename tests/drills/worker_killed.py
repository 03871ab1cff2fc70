"""Drill: a Celery worker killed (SIGKILL, parent and pool child) during a burst of emails.

    uv run python -m tests.drills.worker_killed [--emails 150] [--kills 3]

The burst is queued in one transaction (the outbox rows), and its sends are in Redis. A worker
is killed each time the SMTP server has received another share of the burst; the server is
slow to answer (`--smtp-delay`), so each kill lands while a message is accepted and not yet
recorded: that message is sent again, the one duplicate at-least-once delivery allows per kill.
The killed workers' tasks stay unacknowledged in Redis for its visibility timeout (an hour);
beat's outbox sweep is what hands them to the worker that survives.
"""

from django.db import transaction

from tests.drills.common import Drill, Outcome, Stack, email_numbered, run, wait_until
from tests.support.celery_worker import sigkill


def worker_killed(*, emails: int = 150, kills: int = 3, smtp_delay: float = 0.1) -> Outcome:
    """A Celery worker killed (SIGKILL) during a burst of emails."""
    with Stack(smtp_delay=smtp_delay) as stack, stack.beat():
        drill = Drill(f"worker killed x{kills} during a burst", stack)
        with transaction.atomic():
            for n in range(emails):
                email_numbered("burst", n)
        # Committed: the sends are in Redis now.
        for number in range(1, kills + 1):
            kill_at = emails * number // (kills + 1)
            with stack.worker(f"doomed{number}") as worker:
                reached = wait_until(
                    lambda kill_at=kill_at: len(stack.sink.messages) >= kill_at,
                    timeout=120,
                    step=0.005,
                )
                sigkill(worker)
            fault = drill.struck(f"worker {number} killed")
            drill.ended(fault)
            if not reached or len(stack.sink.messages) >= emails:
                drill.problems.append(f"kill {number} did not land in the middle of the burst")
        drill.lines.append(
            f"killed a worker at {', '.join(str(emails * n // (kills + 1)) for n in range(1, kills + 1))}"
            f" of {emails} emails received; SMTP answers after {smtp_delay:.2f} s"
        )
        with stack.worker("survivor"):
            drill.delivered(timeout=120)
        return drill.outcome()


if __name__ == "__main__":
    run(worker_killed)
