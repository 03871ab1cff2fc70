"""Fault tests with the real parts (docs/quality.md, Faults): each runs one of the fault
drills (tests/drills) at a small size. A drill stops and starts its own Redis, PostgreSQL or SMTP
server (never the machine's), kills real Celery worker processes, and counts "sent N, lost L,
duplicated D" from what a real SMTP server received against the outbox rows that had to go out.

A duplicate is allowed only where a message had reached the SMTP server and was not yet
recorded as sent when the fault struck (at-least-once delivery); the drills tell those apart.
"""

import re
import subprocess
import sys

import pytest

from tests.drills.redis_stopped import redis_stopped
from tests.drills.smtp_down import smtp_down
from tests.drills.worker_killed import worker_killed
from tests.support.celery_worker import REPO_ROOT

pytestmark = pytest.mark.celery_worker


def _shown(outcome) -> str:
    print("\n" + outcome.render())
    return outcome.render() + "\n" + outcome.worker_log


@pytest.mark.django_db(transaction=True)
def test_redis_stopped_while_hires_submit_every_request_succeeds_and_every_email_arrives_once():
    outcome = redis_stopped(hires=6, mentors=2, items=1, threads=2, down_seconds=3)

    assert outcome.met, _shown(outcome)  # among others: no request failed, none waited 5 s
    assert (outcome.sent, outcome.lost, outcome.duplicated) == (12, 0, 0), _shown(outcome)


@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_send_loses_nothing_and_duplicates_at_most_one_per_kill():
    outcome = worker_killed(emails=30, kills=2, smtp_delay=0.1)

    assert outcome.met, _shown(outcome)
    assert outcome.lost == 0
    assert outcome.duplicated <= 2  # each kill interrupts one accepted, unrecorded message
    assert outcome.duplicated == outcome.explained


@pytest.mark.django_db(transaction=True)
def test_smtp_server_down_for_a_while_every_email_is_retried_and_arrives_once():
    outcome = smtp_down(emails=30, per_second=15, down_seconds=3)

    assert outcome.met, _shown(outcome)  # among others: some emails did fail meanwhile
    assert outcome.lost == 0
    assert outcome.duplicated == outcome.explained  # only a message cut off mid-answer


def test_postgres_restarted_under_load_loses_nothing(tmp_path):
    """Its own command, in a process of its own: the drill's database is a private cluster."""
    sizes = ["--hires", "4", "--mentors", "2", "--items", "2", "--threads", "2"]
    result = subprocess.run(
        [sys.executable, "-m", "tests.drills.postgres_restarted", *sizes, "--down-seconds", "2"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    print(result.stdout)

    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    figures = re.search(r"sent (\d+), lost (\d+), duplicated (\d+)", result.stdout)
    assert figures is not None, result.stdout
    sent, lost, duplicated = map(int, figures.groups())
    assert lost == 0
    assert sent == 16 + duplicated  # 8 reflections, each submitted and reviewed
