"""Drill: Redis stopped while hires submit reflections and mentors review them.

    uv run python -m tests.drills.redis_stopped [--hires 24] [--down-seconds 6]

Redis is the broker and the cache. While it is down every request must still go through
(docs/quality.md): the change and its outbox email are one transaction in PostgreSQL, and handing
the email to a worker after commit fails quietly. Redis comes back empty (nothing is kept on
disk), the worker reconnects, and beat's outbox sweep sends what only PostgreSQL remembered.
"""

from tests.drills.common import Outcome, journey_under_load, run

SLOW_REQUEST_SECONDS = 5  # a request must not hang on the stopped broker or cache


def redis_stopped(
    *, hires: int = 24, mentors: int = 3, items: int = 2, threads: int = 3, down_seconds: float = 6
) -> Outcome:
    """Redis stopped while hires submit reflections and mentors review them."""
    sizes = {"hires": hires, "mentors": mentors, "items": items, "threads": threads}
    with journey_under_load("Redis stopped while hires submit", **sizes) as (stack, drill, load):
        fault = drill.outage("Redis stopped", stack.redis, down_seconds)

    during = load.during(fault)
    failed = [r for r in load.requests if not 0 < r.status < 500]
    slowest = max((r.seconds for r in load.requests), default=0.0)
    drill.lines.append(
        f"Redis down {down_seconds:.0f} s: {len(during)} requests answered meanwhile, "
        f"{sum(1 for r in during if 0 < r.status < 500)} of them went through"
    )
    drill.lines.append(load.summary())
    if not during:
        drill.problems.append("no request ran while Redis was down: the drill proved nothing")
    if failed:
        drill.problems.append(f"{len(failed)} requests failed (none may while Redis is down)")
    if slowest > SLOW_REQUEST_SECONDS:
        drill.problems.append(f"a request took {slowest:.1f} s (it waited on Redis)")
    return drill.outcome()


if __name__ == "__main__":
    run(redis_stopped)
