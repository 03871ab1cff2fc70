"""Fixtures shared by the curriculum tests."""

import os
import subprocess

import pytest

from tests.curriculum.support import DAY, write_tree

GIT_README = "# Zipped\n## Chapter 01: A\n- **[Day 01](./c1/day_01.md):** One\n"


def git(*args: str, cwd=None) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.com"}  # fmt: skip
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True
    )
    return done.stdout.strip()


@pytest.fixture
def bare_repo(tmp_path):
    """A local bare repository with `main` (day 1) and branch `next` (day 1 and day 2)."""
    bare = tmp_path / "program.git"
    work = tmp_path / "work"
    git("init", "--bare", "-b", "main", str(bare))
    git("init", "-b", "main", str(work))
    write_tree(work, {"readme.md": GIT_README, "c1/day_01.md": DAY.format(n=1, title="One")})
    git("add", ".", cwd=work)
    git("commit", "-m", "day 1", cwd=work)
    git("push", str(bare), "main", cwd=work)
    git("checkout", "-b", "next", cwd=work)
    write_tree(work, {"c1/day_02.md": DAY.format(n=2, title="Two")})
    git("add", ".", cwd=work)
    git("commit", "-m", "day 2", cwd=work)
    git("push", str(bare), "next", cwd=work)
    return bare, git("rev-parse", "main", cwd=work), git("rev-parse", "next", cwd=work)
