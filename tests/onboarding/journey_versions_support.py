"""Small programs written to a temporary folder and imported for real, version after version."""

from pathlib import Path

from curriculum.models import ProgramVersion
from curriculum.services import program_import

DAY_ONE = """# Day 01 - Getting Started :wave:

## Goals
- Meet the team.
- Set up your laptop.

## 1. Local Setup
   - Install the tools.

## Wrapping Up
- What surprised you today?

## Action Items
- Book a coffee with your buddy.

## Recommended Resources
- [The handbook](https://example.com/handbook) - Read it once.
"""

DAY_TWO = """# Day 02 - Data Lifecycle :family:

## Goals
- Understand the pipelines.

## 3. Customer-Centric Data Operations
   - Engage with one of our client teams to learn how they work. **(ask your mentor to arrange this)**

## Action Items
- Write down three questions.
"""


def write_program(root: Path, files: dict[str, str]) -> Path:
    (root / "chapter_00").mkdir(parents=True, exist_ok=True)
    toc = ["# Small Program", "", "## Chapter 00: Start"]
    for name in sorted(files):
        (root / "chapter_00" / name).write_text(files[name])
        toc.append(f"- **[{name[:-3]}](./chapter_00/{name}):** {name}")
    for stale in (root / "chapter_00").glob("*.md"):
        if stale.name not in files:
            stale.unlink()
    (root / "readme.md").write_text("\n".join(toc) + "\n")
    return root


def import_published(root: Path, *, slug: str = "small") -> ProgramVersion:
    result = program_import(source=root, program_slug=slug, publish=True)
    assert result.ok, result.parsed.errors
    assert result.version is not None
    return result.version


def import_draft(root: Path, *, slug: str = "small") -> ProgramVersion:
    result = program_import(source=root, program_slug=slug, publish=False)
    assert result.ok, result.parsed.errors
    assert result.version is not None
    return result.version
