"""Real Celery worker processes against Redis and the test database, and this process's broker."""

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from django.conf import settings
from django.db import connection

from onboarding.celery import app as celery_app
from tests.support.processes import die_with_parent

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_database_url() -> str:
    db = connection.settings_dict
    user = db.get("USER") or "postgres"
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{db['NAME']}"


@contextmanager
def celery_worker(
    *,
    email_url: str = "consolemail://",
    name: str = "worker",
    redis_url: str | None = None,
    extra_env: dict | None = None,
) -> Iterator[subprocess.Popen]:
    """A worker process (prefork pool of one) on the suite's Redis, or REDIS_URL; stopped on exit.

    It runs with the laptop settings, pointed at the test database this process uses, in its
    own process group, so `sigkill` takes the parent and the child that holds the task together.
    Its output is kept in `process.log` (read continuously: a full pipe would stall it).
    """
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "onboarding.settings.local",
        "DJANGO_DEBUG": "false",
        "DATABASE_URL": test_database_url(),
        "EMAIL_URL": email_url,
        "CELERY_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
        **({"REDIS_URL": redis_url} if redis_url else {}),
        **(extra_env or {}),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "onboarding",
            "worker",
            "--loglevel=INFO",
            "--pool=prefork",
            "--concurrency=1",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            f"--hostname={name}@%h",
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        preexec_fn=die_with_parent(),
    )
    process.log = []  # type: ignore[attr-defined]
    try:
        _wait_until_ready(process)
        threading.Thread(target=_drain, args=(process,), daemon=True).start()
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        with suppress(ProcessLookupError):  # the prefork child, if it outlived its parent
            os.killpg(process.pid, signal.SIGKILL)


def sigkill(process: subprocess.Popen) -> None:
    """Kill the worker and its pool child at once, as the OOM killer or a lost machine would."""
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def _drain(process: subprocess.Popen) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        process.log.append(line)  # type: ignore[attr-defined]


def _wait_until_ready(process: subprocess.Popen, timeout: float = 60) -> None:
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    seen = process.log  # type: ignore[attr-defined]
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            raise RuntimeError("the Celery worker exited:\n" + "".join(seen))
        seen.append(line)
        if "ready." in line:
            return
    raise RuntimeError("the Celery worker did not start in time:\n" + "".join(seen))


@contextmanager
def broker_at(url: str, *, eager: bool = False) -> Iterator[None]:
    """This process sends its tasks to URL through the broker (not eagerly, unless EAGER), on new
    connections; the suite's broker is restored on exit."""
    original, original_eager = celery_app.conf.broker_url, celery_app.conf.task_always_eager

    def reset_pools():
        # New pools: connections to a Redis that was stopped are dead, and the URL may differ
        # (closing the old ones would break kombu's shared registry).
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    celery_app.conf.broker_url = url
    celery_app.conf.task_always_eager = eager
    reset_pools()
    try:
        yield
    finally:
        celery_app.conf.broker_url = original
        celery_app.conf.task_always_eager = original_eager
        reset_pools()


def wait_for_tasks(process: subprocess.Popen, task_ids, timeout: float = 60) -> None:
    """Until the worker has said it finished every one of TASK_IDS (its own "Task name[id]
    succeeded in" or "raised" line): proof that it ran them, where a sleep is only a guess."""
    pending = set(task_ids)
    deadline = time.monotonic() + timeout
    while pending and time.monotonic() < deadline:
        for line in list(process.log):  # type: ignore[attr-defined]
            if " succeeded in " in line or " raised " in line:
                pending = {task_id for task_id in pending if f"[{task_id}]" not in line}
        if pending:
            time.sleep(0.05)
    if pending:
        raise AssertionError(
            f"the worker did not finish {sorted(pending)} in {timeout} s:\n"
            + "".join(process.log[-30:])  # type: ignore[attr-defined]
        )
