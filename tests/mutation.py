"""Mutation testing as a measure of the suite: how many small breakages of the code its tests see.

    uv run python -m tests.mutation                    every module below
    uv run python -m tests.mutation desk parser        some of them
    uv run python -m tests.mutation desk --minutes 20  at most 20 minutes per module

Not part of the normal suite: it is slow (each mutant reruns the tests that reach the function
it changes). For each module, mutmut works in a scratch copy of the project (so the working
tree never holds mutated code), mutates only that module's services and selectors (or the
curriculum parser), and runs only that module's tests, without browser or worker tests, in
one process on its own test database. When the time is up, the mutants checked so far count.

It prints, per module, the share of mutants killed (a test failed, or it hung past the
timeout) among those checked, and lists the survivors (`mutmut show NAME` in the scratch copy
prints a survivor's change). docs/quality.md keeps the figures and what was done about each
survivor.
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
COPIED = ("accounts", "curriculum", "onboarding", "templates", "static", "tests", "manage.py")
COPIED_FILES = ("pyproject.toml", "uv.lock", "README.md")


@dataclass(frozen=True)
class Module:
    mutate: tuple[str, ...]  # files whose functions are mutated
    tests: tuple[str, ...]  # the tests that measure them


MODULES = {
    "journey": Module(
        ("onboarding/services/journey.py", "onboarding/selectors/journey.py"),
        (
            "tests/onboarding/test_journey_services.py",
            "tests/onboarding/test_journey_views.py",
            "tests/onboarding/test_journey_todo.py",
            "tests/onboarding/test_journey_policy.py",
            "tests/onboarding/test_journey_refused.py",
            "tests/onboarding/test_journey_versions.py",
            # exports, links between items, resources and meeting requests live here too
            "tests/onboarding/test_journey_export.py",
            "tests/onboarding/test_journey_links.py",
            "tests/onboarding/test_journey_resources.py",
            "tests/onboarding/test_journey_meetings.py",
        ),
    ),
    "desk": Module(
        (
            "onboarding/services/review.py",
            "onboarding/services/questions.py",
            "onboarding/services/mentoring.py",
        ),
        (
            "tests/onboarding/test_review.py",
            "tests/onboarding/test_questions.py",
            "tests/onboarding/test_desk_views.py",
        ),
    ),
    "desk-selectors": Module(
        ("onboarding/selectors/desk.py",),
        ("tests/onboarding/test_desk_views.py", "tests/onboarding/test_questions.py"),
    ),
    "meetings": Module(
        ("onboarding/services/meetings.py", "onboarding/selectors/meetings.py"),
        (
            "tests/onboarding/test_meetings.py",
            "tests/onboarding/test_meetings_client_teams.py",
            "tests/onboarding/test_journey_meetings.py",
            "tests/onboarding/test_slots.py",
        ),
    ),
    "notifications": Module(
        ("onboarding/services/notifications.py", "onboarding/selectors/notifications.py"),
        (
            "tests/onboarding/test_notifications.py",
            "tests/onboarding/test_notifications_events.py",
            "tests/onboarding/test_notifications_dst.py",
            "tests/onboarding/test_outbox.py",
            "tests/onboarding/test_notifications_rules.py",
            "tests/onboarding/test_notifications_meetings.py",  # the meeting notes
        ),
    ),
    "parser": Module(
        (
            "curriculum/markdown/parse.py",
            "curriculum/markdown/recognise.py",
            "curriculum/markdown/titles.py",
            "curriculum/markdown/units.py",
        ),
        (
            "tests/curriculum/test_parse.py",
            "tests/curriculum/test_parse_labels.py",
            "tests/curriculum/test_parse_properties.py",
            "tests/curriculum/test_parse_sample.py",
            # the table of contents (syllabus bullets) is parsed on import
            "tests/curriculum/test_import_tree.py",
            "tests/curriculum/test_import_sample.py",
        ),
    ),
}

KILLED = {"killed", "timeout"}


def _scratch_copy(name: str, module: Module) -> Path:
    """The project's code and tests in a fresh folder, with mutmut's settings for MODULE."""
    root = Path(tempfile.gettempdir()) / "onboarding-mutation" / name
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "mutants", "test-output")
    for part in COPIED:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, root / part, ignore=ignore)
        else:
            shutil.copy2(source, root / part)
    for part in COPIED_FILES:
        shutil.copy2(REPO / part, root / part)
    # The tests read the sample curriculum beside the project; mutmut runs them in mutants/.
    shared = REPO.parent / "shared"
    if shared.is_dir():
        (root / "shared").symlink_to(shared)
    pytest_args = [
        "-p",
        "no:randomly",
        "-p",
        "no:xdist",
        "-p",
        "no:cacheprovider",
        "--reuse-db",
        "-m",
        "not browser and not celery_worker and not bench",
        "-q",
        "-x",
    ]
    settings = {
        "source_paths": ["accounts", "curriculum", "onboarding"],
        "only_mutate": list(module.mutate),
        "also_copy": ["templates", "static", "manage.py", "README.md"],
        "pytest_add_cli_args": pytest_args,
        "pytest_add_cli_args_test_selection": list(module.tests),
        "timeout_multiplier": 5.0,
        "timeout_constant": 10.0,
        "use_git_change_detection": False,
    }
    with open(root / "pyproject.toml", "a") as pyproject:
        pyproject.write("\n[tool.mutmut]\n")
        for key, value in settings.items():
            pyproject.write(f"{key} = {json.dumps(value)}\n")
    return root


def _statuses(root: Path) -> dict[str, str]:
    """Each mutant's outcome so far, from mutmut's own files (`mutants/*.meta`)."""
    from mutmut.stats import status_by_exit_code

    found = {}
    for meta in (root / "mutants").rglob("*.py.meta"):
        data = json.loads(meta.read_text())
        for mutant, code in data.get("exit_code_by_key", {}).items():
            found[mutant] = status_by_exit_code[code]
    return found


def run(name: str, *, minutes: float) -> dict:
    module = MODULES[name]
    root = _scratch_copy(name, module)
    env = {
        **os.environ,
        "TEST_DATABASE_NAME": f"test_mutation_{name.replace('-', '_')}",
        "DJANGO_SETTINGS_MODULE": "onboarding.settings.test",
    }
    env.pop("CI", None)  # a missing ../shared skips here; CI never runs this
    env.pop("PYTEST_ADDOPTS", None)
    started = time.monotonic()
    log = open(root / "mutmut.log", "w")  # noqa: SIM115  # closed below, after the process
    process = subprocess.Popen(
        [sys.executable, "-m", "mutmut", "run", "--max-children", "1"],
        cwd=root,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        process.wait(timeout=minutes * 60)
        finished = True
    except subprocess.TimeoutExpired:
        finished = False
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    log.close()
    statuses = _statuses(root)
    checked = {m: s for m, s in statuses.items() if s not in ("not checked", "skipped")}
    killed = sorted(m for m, s in checked.items() if s in KILLED)
    survived = sorted(m for m, s in checked.items() if s not in KILLED)
    return {
        "module": name,
        "files": list(module.mutate),
        "mutants": len(statuses),
        "checked": len(checked),
        "killed": len(killed),
        "share_killed": round(100 * len(killed) / len(checked), 1) if checked else None,
        "survivors": {m: checked[m] for m in survived},
        "finished": finished,
        "minutes": round((time.monotonic() - started) / 60, 1),
        "scratch": str(root),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help=f"some of: {', '.join(MODULES)}")
    parser.add_argument("--minutes", type=float, default=30, help="at most, per module")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    unknown = set(args.modules) - set(MODULES)
    if unknown:
        parser.error(f"no such module: {', '.join(sorted(unknown))}")
    results = []
    for name in args.modules or list(MODULES):
        result = run(name, minutes=args.minutes)
        results.append(result)
        share = "-" if result["share_killed"] is None else f"{result['share_killed']} %"
        note = "" if result["finished"] else " (time up: a sample)"
        print(
            f"{name:16} {share:>8} killed  {result['killed']}/{result['checked']} checked"
            f" of {result['mutants']} mutants in {result['minutes']} min{note}",
            flush=True,
        )
        for mutant, status in result["survivors"].items():
            print(f"    {status:10} {mutant}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
