"""Programs to enroll hires in, built through the real importer (curriculum.services)."""

from pathlib import Path

from curriculum.models import ProgramVersion
from curriculum.services import program_import

DEMO_PROGRAM = Path(__file__).resolve().parents[2] / "curriculum" / "demo" / "program"


def demo_version() -> ProgramVersion:
    """The demo program (curriculum/demo/program), imported and published."""
    result = program_import(source=DEMO_PROGRAM, program_slug="demo", publish=True)
    assert result.ok, result.parsed.errors
    assert result.version is not None
    return result.version


def day_markdown(number: int, *, goals: int = 2, actions: int = 1, prompts: int = 2) -> str:
    lines = [f"# Day {number:02d} - Topic number {number} :wave:", "", "## Goals"]
    lines += [f"- Goal {g} of day {number}." for g in range(1, goals + 1)]
    lines += [
        "",
        "## 1. Local Setup",
        "   - Install the tools.",
        "",
        "## Exercise 1: Questions",
        "",
    ]
    lines += [f"1.  What is question one of day {number}?", ""]
    lines += ["## Wrapping Up", *[f"- Prompt {p} of day {number}?" for p in range(1, prompts + 1)]]
    lines += ["", "## Action Items"]
    lines += [f"- Action {a} of day {number}." for a in range(1, actions + 1)]
    lines += [
        "",
        "## Recommended Resources",
        f"- [Resource {number}](https://example.com/{number}) - Something to read.",
        "",
    ]
    return "\n".join(lines)


def generated_version(tmp_path: Path, *, items: int, goals: int = 2) -> ProgramVersion:
    """A program of ITEMS days in one chapter, each with GOALS goals (so blocks scale too)."""
    root = tmp_path / f"program-{items}-{goals}"
    (root / "chapter_00").mkdir(parents=True)
    toc = ["# Generated Program", "", "## Chapter 00: Everything"]
    for number in range(items):
        name = f"day_{number:02d}.md"
        (root / "chapter_00" / name).write_text(day_markdown(number, goals=goals))
        toc.append(f"- **[Day {number:02d}](./chapter_00/{name}):** Topic number {number}")
    (root / "readme.md").write_text("\n".join(toc) + "\n")
    result = program_import(source=root, program_slug=f"gen-{items}-{goals}", publish=True)
    assert result.ok, result.parsed.errors
    assert result.version is not None
    return result.version
