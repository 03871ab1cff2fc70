"""`import_curriculum`'s contract (curriculum/README.md): exit codes, JSON, never a traceback."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from curriculum.models import ProgramVersion
from tests.curriculum.support import DAY, write_tree


def run(*args: str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("import_curriculum", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def program_dir(tmp_path):
    return write_tree(tmp_path / "prog", {"c1/day_01.md": DAY.format(n=1, title="One")})


def test_dry_run_touches_no_database(program_dir, django_db_blocker):
    with django_db_blocker.block():
        code, out, _ = run(str(program_dir), "--dry-run")
    assert code == 0
    assert "nothing written" in out


@pytest.mark.django_db
def test_import_publish_and_no_changes(program_dir):
    code, out, _ = run(str(program_dir), "--program", "prog", "--publish")
    assert code == 0
    assert "Imported prog version 1 (published)" in out

    code, out, _ = run(str(program_dir), "--program", "prog", "--json")
    report = json.loads(out)
    assert code == 0
    assert report["import"]["status"] == "no_changes"
    assert ProgramVersion.objects.count() == 1


@pytest.mark.parametrize(
    "files",
    [
        {"c1/day_01.md": b"\xff\xfe# bad"},
        {"c1/day_01.md": "# x\n" + "y" * (1024 * 1024)},
    ],
)
def test_refused_input_exits_1_with_file_named_and_no_traceback(tmp_path, files, django_db_blocker):
    root = write_tree(tmp_path / "bad", files)
    with django_db_blocker.block():
        code, out, err = run(str(root), "--dry-run", "--json")
    assert code == 1
    report = json.loads(out)
    assert report["errors"][0]["source"] == "c1/day_01.md"
    assert "Traceback" not in out + err


def test_bad_sources_exit_1_with_a_message(tmp_path, django_db_blocker):
    with django_db_blocker.block():
        code, _, err = run(str(tmp_path / "missing"), "--dry-run")
        assert code == 1
        assert "does not exist" in err
        code, _, err = run("ftp://example.com/x.git", "--dry-run")
        assert code == 1
        assert "not allowed" in err
        code, _, err = run(str(tmp_path), "--dry-run", "--ref", "main")
        assert code == 1
        assert "--ref only applies to a git URL" in err


@pytest.mark.django_db
def test_an_invalid_program_slug_is_refused_cleanly(program_dir):
    code, out, err = run(str(program_dir), "--program", "not a slug!")
    assert code == 1
    assert "Traceback" not in out + err
    assert ProgramVersion.objects.count() == 0
