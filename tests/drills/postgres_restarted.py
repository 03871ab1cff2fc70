"""Drill: PostgreSQL restarted under load (hires submit and mentors review; a worker sends).

    uv run python -m tests.drills.postgres_restarted [--hires 24] [--down-seconds 4]

The database is a private cluster (tests/support/postgres_server.py; the machine's 5432 is
never stopped). Once a third of the reflections are in, it gets a fast shutdown (open
transactions rolled back, connections cut) and is started again after `--down-seconds`.
Requests meanwhile fail and are retried; a failed request saves nothing (one transaction).
The worker's sends fail too and wait for beat's outbox sweep. After the restart, persistent
connections are health-checked and replaced, and everything queued is sent.
"""

from tests.drills.common import Outcome, journey_under_load, run
from tests.support.postgres_server import PostgresServer


def postgres_restarted(
    *,
    postgres: PostgresServer,
    hires: int = 24,
    mentors: int = 3,
    items: int = 2,
    threads: int = 3,
    down_seconds: float = 4,
) -> Outcome:
    """PostgreSQL restarted under load: after the restart everything queued gets sent."""
    sizes = {"hires": hires, "mentors": mentors, "items": items, "threads": threads}
    with journey_under_load("PostgreSQL restarted under load", **sizes) as (_, drill, load):
        fault = drill.outage("PostgreSQL stopped", postgres, down_seconds)

    # A request that was running when the database went away fails too (the margin).
    during = load.during(fault, margin=1.0)
    failed = [r for r in load.requests if not 0 < r.status < 500]
    after = [r for r in failed if r not in during]
    drill.lines.append(
        f"PostgreSQL down {down_seconds:.0f} s: {len(failed)} requests failed meanwhile "
        "(5xx) and were retried until they went through"
    )
    drill.lines.append(load.summary())
    if not failed:
        drill.problems.append("no request met the stopped database: the drill proved nothing")
    if after:
        drill.problems.append(f"{len(after)} requests failed outside the outage")
    return drill.outcome()


if __name__ == "__main__":
    run(postgres_restarted, private_postgres=True)
