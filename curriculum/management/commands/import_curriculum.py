"""`python manage.py import_curriculum SOURCE [--dry-run] [--json] [--program SLUG] [--publish]`.

The contract is in curriculum/README.md. Exit 0 when imported (or unchanged), 1 when refused;
never a traceback, whatever the input. `--dry-run` parses and validates without touching the
database; it is what `python -m curriculum.lint` runs without starting Django (the same report
and exit codes), so a curriculum repository can lint itself in its own CI.
"""

import logging
import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandParser

from curriculum.importer import ParsedProgram, parse_program
from curriculum.importer.report import report, report_unexpected

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Import a curriculum program from a folder, a .md file, a .zip or a git URL."
    requires_system_checks: list[str] = []  # checks may query the database; --dry-run must not

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", help="a folder, a .md file, a .zip, or a git URL")
        parser.add_argument("--dry-run", action="store_true", help="parse and validate only")
        parser.add_argument("--json", action="store_true", help="print one JSON object")
        parser.add_argument("--program", metavar="SLUG", help="the program to import into")
        parser.add_argument("--publish", action="store_true", help="make the version current")
        parser.add_argument("--ref", help="git branch or tag (git URLs only)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            code = self._run(options)
        except Exception as exc:  # the contract: a clear message, never a traceback
            logger.exception("import_curriculum failed")
            self._refuse_unexpected(exc, as_json=options["json"])
            code = 1
        sys.stdout.flush()
        if code:
            sys.exit(code)

    def _run(self, options: dict[str, Any]) -> int:
        parsed = parse_program(options["source"], ref=options.get("ref"))
        if options["dry_run"] or not parsed.ok:
            self._report(parsed, options, outcome=None)
            return 0 if parsed.ok else 1
        from curriculum.services import program_import  # imports models: not for --dry-run

        try:
            result = program_import(
                source=parsed, program_slug=options["program"], publish=options["publish"]
            )
        except ValidationError as exc:
            parsed.errors.extend(_validation_problems(exc))
            self._report(parsed, options, outcome=None)
            return 1
        outcome = {
            "status": result.status,
            "program": result.program.slug if result.program else None,
            "version": result.version.number if result.version else None,
            "state": result.version.state if result.version else None,
            "changes": result.summary,
        }
        self._report(parsed, options, outcome=outcome)
        return 0 if result.ok else 1

    def _report(self, parsed: ParsedProgram, options: dict[str, Any], outcome: dict | None) -> None:
        # The very report `python -m curriculum.lint` prints: one contract, one implementation.
        report(
            parsed,
            as_json=options["json"],
            write=self.stdout.write,
            write_error=self.stderr.write,
            outcome=outcome,
            success=self.style.SUCCESS,
        )

    def _refuse_unexpected(self, exc: Exception, *, as_json: bool) -> None:
        report_unexpected(
            exc, as_json=as_json, write=self.stdout.write, write_error=self.stderr.write
        )


def _validation_problems(exc: ValidationError) -> list:
    from curriculum.markdown.structure import Warning

    return [Warning("", None, message) for message in exc.messages]
