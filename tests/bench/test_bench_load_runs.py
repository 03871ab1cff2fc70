"""The load benchmark itself still runs end to end (at a toy size, figures not judged).

Seeds a tiny instance, starts gunicorn with production settings and a private Redis, and
drives every key page for a moment: each must answer as expected (no failed request), so the
benchmark cannot quietly rot. Speed is what `python -m tests.bench.bench_load` prints, never
asserted here.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[2]
PAGES = {
    "floor (one row by primary key)",
    "hire home",
    "item page",
    "check a goal (htmx)",
    "submit a reflection",
    "mentor dashboard",
    "review page",
    "admin funnel",
}


def test_every_key_page_answers_under_load(tmp_path):
    prefix = f"bench_smoke_{os.getpid()}"
    out = tmp_path / "results.json"
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/"
    try:
        run = subprocess.run(  # nosec B603: our own module, fixed arguments
            [
                sys.executable,
                "-m",
                "tests.bench.bench_load",
                "--database-prefix",
                prefix,
                "--seed-args",
                "--hires 40 --mentors 4 --cohorts 4 --items 8",
                "--users",
                "4",
                "--seconds",
                "1",
                "--warmup",
                "0.5",
                "--rounds",
                "1",
                "--workers",
                "2",
                "--json",
                str(out),
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=240,
        )
    finally:
        with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{prefix}_template" WITH (FORCE)')
            c.execute(f'DROP DATABASE IF EXISTS "{prefix}_run" WITH (FORCE)')
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    results = {r["name"]: r for r in json.loads(out.read_text())}
    assert set(results) == PAGES
    for name, result in results.items():
        assert result["requests"] > 0 and result["failures"] == 0, (name, result)
    assert "| floor (one row by primary key) |" in run.stdout
