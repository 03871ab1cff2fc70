"""Benchmark (not a timed test): median import time of the shared sample program.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/onboarding REDIS_URL=redis://127.0.0.1:6379/4 \
        uv run python -m tests.bench.bench_import [--runs 7] [--source PATH]

It creates its own throw-away database (`bench_import`, or $BENCH_DATABASE_NAME) next to the one
in DATABASE_URL, migrates it, and drops it at the end. Prints medians, in one run, for: the dry run
(read + parse, no database), a full import into the database, and a re-import that finds no changes.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onboarding.settings.test")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/onboarding")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/4")
os.environ["TEST_DATABASE_NAME"] = os.environ.get("BENCH_DATABASE_NAME", "bench_import")

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLE = REPO_ROOT.parent / "shared" / "curriculum" / "883-newbies-sample"


def median_ms(func, runs: int) -> tuple[float, list[float]]:
    times = []
    for index in range(runs):
        start = time.perf_counter()
        func(index)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--source", default=str(SAMPLE))
    args = parser.parse_args()
    if not Path(args.source).exists():
        print(f"{args.source} is missing: nothing to benchmark", file=sys.stderr)
        return 2

    import django

    django.setup()
    import logging

    logging.getLogger("curriculum").setLevel(logging.WARNING)  # one line per import is noise here
    from django.db import connection
    from django.test.utils import setup_test_environment

    from curriculum.importer import parse_program
    from curriculum.models import Block, Item
    from curriculum.services import program_import

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        parsed = parse_program(args.source)
        if not parsed.ok:
            print(f"the source is refused: {parsed.errors}", file=sys.stderr)
            return 1
        parse_program(args.source)  # warm up imports and regex caches
        dry, _ = median_ms(lambda i: parse_program(args.source), args.runs)
        full, _ = median_ms(
            lambda i: program_import(source=args.source, program_slug=f"bench-{i}"), args.runs
        )
        unchanged, _ = median_ms(
            lambda i: program_import(source=args.source, program_slug="bench-0"), args.runs
        )
        items = Item.objects.filter(version__program__slug="bench-0").count()
        blocks = Block.objects.filter(item__version__program__slug="bench-0").count()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    print(f"source: {args.source} ({items} items, {blocks} blocks, {len(parsed.assets)} assets)")
    print(f"runs: {args.runs} each, medians")
    print(f"  dry run (read + parse, no database): {dry:8.1f} ms")
    print(f"  import into the database:            {full:8.1f} ms  ({full / dry:.1f}x the dry run)")
    print(f"  re-import, no changes:               {unchanged:8.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
