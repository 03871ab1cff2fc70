"""Start a real Celery worker process against the real Redis and the test database."""

import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_database_url() -> str:
    db = connection.settings_dict
    user = db.get("USER") or "postgres"
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{db['NAME']}"


@contextmanager
def celery_worker(
    *, email_url: str = "consolemail://", name: str = "worker", extra_env: dict | None = None
):
    """A worker process (prefork pool of one) on the suite's Redis; stopped on exit.

    It runs with the laptop settings, pointed at the test database the test process uses.
    """
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "onboarding.settings.local",
        "DJANGO_DEBUG": "false",
        "DATABASE_URL": test_database_url(),
        "EMAIL_URL": email_url,
        "CELERY_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
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
    )
    try:
        _wait_until_ready(process)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def _wait_until_ready(process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            raise RuntimeError("the Celery worker exited:\n" + "".join(seen))
        seen.append(line)
        if "ready." in line:
            return
    raise RuntimeError("the Celery worker did not start in time:\n" + "".join(seen))
