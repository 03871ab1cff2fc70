"""The embedded default (README: `EMBEDDED=1 bin/run`): SQLite, tasks in-process.

The suite runs on PostgreSQL, so a PostgreSQL-only statement on a path every write takes would
pass every other test and still break the first command a newcomer types. This runs the demo
in a process of its own with the local settings on a fresh SQLite file: `migrate`, `seed_demo`
(twice) and the demo journey through every role (tests/support/embedded_demo.py).
CI also starts bin/run itself and logs in through the browser's form (.ci/smoke_embedded.py).
"""

import os
import subprocess
import sys

from tests.support.celery_worker import REPO_ROOT


def test_seed_demo_and_the_demo_journey_run_on_sqlite(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "onboarding.settings.local",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REDIS_URL": "",
        "SITE_URL": "http://localhost:8000",
    }
    result = subprocess.run(
        [sys.executable, "-m", "tests.support.embedded_demo"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    print(result.stdout)

    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert "Demo logins" in result.stdout  # seed_demo finished and printed the logins
    for step in (
        "hire: submit the reflection on",
        "mentor: desk: 200",
        "mentor: request changes: 302",
        "mentor: answer the question: 302",
        "meeting: Booked",
        "hire: ask for another time: 302",
        "mentor told in the app of: meeting_answers, meeting_requested, new_submission,",
        "reminder sweep on SQLite: skipped",
        "admin: erase the hire on SQLite: name, email and writing gone",
    ):
        assert step in result.stdout, step
    assert (tmp_path / "db.sqlite3").stat().st_size > 0
