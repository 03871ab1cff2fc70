"""Benchmark (not a timed test): the dry run as a curriculum repository's CI runs it, start-up
included, next to `python -c pass` in the same run.

    uv run python -m tests.bench.bench_lint [--runs 5] [--files 40]

Each command is a fresh process (that is what CI and a pre-commit hook pay): `python -m
curriculum.lint` (no Django) and `manage.py import_curriculum --dry-run` (the whole application
started first), on the shared sample program and on a generated program of --files day files.
Prints the median wall time and the median CPU time (user + system of the child) of each; on a
busy machine the CPU time is the steadier figure.
"""

import argparse
import os
import resource
import statistics
import subprocess  # nosec B404 - runs this repository's own commands
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLE = REPO_ROOT.parent / "shared" / "curriculum" / "883-newbies-sample"

DAY = """# Day {n:02d} - {topic} :rocket:

## Overview:
Day {n} of the program covers {topic}: what it is for, how the team runs it, and where it breaks.

## Goals:
- Explain what {topic} is for.
- Run {topic} on the development cluster.
- Find the logs of {topic} and read one error.

## 1. Concepts
{topic} keeps its state in a small set of services. Read the overview and draw them.

   - The control plane and what it stores.
   - The workers and how they report back.

## 2. Hands-on
1. Log in to the development cluster.
2. Start a {topic} job with the sample configuration.
3. What did the job print when it finished?

## Exercise 1: Failure modes
Stop one worker while the job runs and describe what {topic} does.

1) what the job reports
2) how long recovery takes

:warning: **Note:**
- Use the development environment only.

## Wrapping Up
- What surprised you about {topic}?
- Discuss with your mentor where {topic} fits in our pipeline.

## Action Items
- Write a one-page summary of {topic}.
- Ask your mentor to arrange a session with the {topic} owners.

## Recommended Resources
- [{topic} documentation](https://docs.example.com/{slug}) - the reference.
- [{topic} in production](https://blog.example.com/{slug}) - war stories.
"""

TOPICS = ["HDFS", "YARN", "Hive", "Impala", "HBase", "Kafka", "Spark", "Airflow", "Trino", "Helm"]


def generate_program(root: Path, files: int = 40) -> Path:
    """A program of FILES day files in chapters of ten, with a readme.md table of contents."""
    toc = ["# Generated Program", ""]
    for n in range(files):
        chapter, topic = n // 10, TOPICS[n % len(TOPICS)]
        if n % 10 == 0:
            toc += ["", f"## Chapter {chapter:02d}: Part {chapter + 1}"]
        path = f"chapter_{chapter:02d}/day_{n:02d}.md"
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(DAY.format(n=n, topic=topic, slug=topic.lower()))
        toc.append(f"- **[Day {n:02d}](./{path}):** {topic}")
    (root / "readme.md").write_text("\n".join(toc) + "\n")
    return root


def _run(command: list[str]) -> tuple[float, float, int]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, check=False)  # nosec B603
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.returncode


def measure(label: str, command: list[str], runs: int) -> None:
    results = [_run(command) for _ in range(runs)]
    codes = sorted({code for _, _, code in results})
    wall = statistics.median(r[0] for r in results)
    cpu = statistics.median(r[1] for r in results)
    print(f"{label:<52} wall {wall * 1000:7.0f} ms   cpu {cpu * 1000:7.0f} ms   exit {codes}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--files", type=int, default=40)
    args = parser.parse_args()
    python = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        generated = generate_program(Path(tmp) / "generated", args.files)
        sources = [("shared sample", SAMPLE)] if SAMPLE.exists() else []
        sources.append((f"generated {args.files}-file program", generated))
        print(f"median of {args.runs} fresh processes each ({os.cpu_count()} CPUs)")
        measure("python -c pass", [python, "-c", "pass"], args.runs)
        for name, path in sources:
            measure(f"lint, {name}", [python, "-m", "curriculum.lint", str(path)], args.runs)
        for name, path in sources:
            measure(
                f"manage.py import_curriculum --dry-run, {name}",
                [python, "manage.py", "import_curriculum", str(path), "--dry-run"],
                args.runs,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
