"""`python -m curriculum.lint`: the dry run without Django, same report and exit codes as
`import_curriculum --dry-run` (which shares its code)."""

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from curriculum import lint
from tests.bench.bench_lint import generate_program
from tests.curriculum.support import DAY, write_tree

REPO_ROOT = Path(__file__).resolve().parents[2]

# Runs the linter in a fresh interpreter where importing Django fails.
WITHOUT_DJANGO = (
    "import runpy, sys; sys.modules['django'] = None; sys.argv = ['lint', *sys.argv[1:]]; "
    "runpy.run_module('curriculum.lint', run_name='__main__')"
)


def lint_without_django(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_DJANGO, *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def command_dry_run(*args: str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("import_curriculum", *args, "--dry-run", stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    return code, out.getvalue(), err.getvalue()


def lint_in_process(capsys, *args: str) -> tuple[int, str, str]:
    code = lint.main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def program(tmp_path):
    return generate_program(tmp_path / "generated", files=12)


def test_runs_without_django_and_reports_the_program(program):
    done = lint_without_django(str(program), "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["errors"] == []
    assert [len(c["items"]) for c in report["chapters"]] == [10, 2]
    assert report["chapters"][0]["items"][0]["counts"]["questions"] == 1  # "## Exercise 1"


def test_same_json_and_exit_code_as_the_command(program, tmp_path, capsys, django_db_blocker):
    refused = write_tree(tmp_path / "bad", {"c1/day_01.md": b"\xff\xfe# bad"})
    with django_db_blocker.block():
        for source in (program, refused):
            code, out, _ = lint_in_process(capsys, str(source), "--json")
            command_code, command_out, _ = command_dry_run(str(source), "--json")
            assert (code, json.loads(out)) == (command_code, json.loads(command_out))
    assert code == 1


def test_same_text_report_as_the_command(tmp_path, capsys, django_db_blocker):
    root = write_tree(
        tmp_path / "p",
        {
            "readme.md": "# P\n## Chapter 01: A\n- **[Day 01](./c/day_01.md):** x\n",
            "c/day_01.md": DAY.format(n=1, title="One")
            + "\n## Resources\n-[Guide] (https://g.example)\n",
        },
    )
    with django_db_blocker.block():
        code, out, err = lint_in_process(capsys, str(root))
        command = command_dry_run(str(root))
    assert (code, out, err) == command
    assert "warning: c/day_01.md:14: near-miss link syntax '-[Guide] (https://g.example)'" in out


def test_a_missing_source_and_bad_arguments(tmp_path, capsys):
    code, _, err = lint_in_process(capsys, str(tmp_path / "missing"))
    assert code == 1
    assert "does not exist" in err
    with pytest.raises(SystemExit) as exit_:
        lint.main([])
    assert exit_.value.code == 2
