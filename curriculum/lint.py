"""`python -m curriculum.lint PATH [--json] [--ref REF]`: validate a program without Django.

The dry run of `manage.py import_curriculum --dry-run` without starting the application: the
same parser, validator and report (`curriculum.importer.report`), the same JSON and exit codes
(0 importable, warnings allowed; 1 refused, 2 bad arguments), so a curriculum repository can run
it in its own CI or as a pre-commit hook in well under a second (see curriculum/README.md).

Nothing here may import Django: a test runs this module with Django made unimportable.
"""

import argparse
import sys

from curriculum.importer import parse_program
from curriculum.importer.report import report, report_unexpected


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m curriculum.lint",
        description="Check a curriculum program (folder, .md file, .zip or git URL).",
    )
    parser.add_argument("source", help="a folder, a .md file, a .zip, or a git URL")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--ref", help="git branch or tag (git URLs only)")
    options = parser.parse_args(argv)

    def write(text: str) -> None:
        sys.stdout.write(text + "\n")

    def write_error(text: str) -> None:
        sys.stderr.write(text + "\n")

    try:
        parsed = parse_program(options.source, ref=options.ref)
        return report(parsed, as_json=options.json, write=write, write_error=write_error)
    except Exception as exc:  # the contract: a clear message, never a traceback
        return report_unexpected(exc, as_json=options.json, write=write, write_error=write_error)


if __name__ == "__main__":
    sys.exit(main())
