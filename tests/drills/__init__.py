"""Fault drills: one command each, printing "sent N, lost L, duplicated D" and the time it took.

    uv run python -m tests.drills.redis_stopped       # Redis stopped while hires submit
    uv run python -m tests.drills.worker_killed       # a worker SIGKILLed during a burst
    uv run python -m tests.drills.postgres_restarted  # PostgreSQL restarted under load
    uv run python -m tests.drills.smtp_down           # the SMTP server down for a while
    uv run python -m tests.drills.all                 # the four, one after the other

Each creates its own throw-away database (`drill_<name>`, or $DRILL_DATABASE_NAME) on
$DATABASE_URL (default: the machine's PostgreSQL; the PostgreSQL drill runs a private cluster)
and its own Redis, SMTP server and workers; the machine's Redis and PostgreSQL are never
stopped. `--help` lists each drill's sizes. The exit status is 1 when a target is missed.

Run as a command, importing this package sets Django up with the test settings (pytest has set
it up already when a test imports a drill).
"""

import os

import django
from django.apps import apps

if not apps.ready:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onboarding.settings.test")
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/onboarding")
    # The test settings want a Redis URL; each drill points broker and cache at its own Redis.
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
    django.setup()
