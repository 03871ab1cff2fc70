"""What a dry run prints, and its exit code: shared by `python -m curriculum.lint` (no Django)
and `manage.py import_curriculum` (which adds the import's outcome).

Exit 0 when the program is importable (warnings allowed), 1 when refused; the JSON is one object
`{"program", "chapters", "warnings", "errors"}` (plus `"import"` after a real import); never a
traceback, whatever the input.
"""

import json
from collections.abc import Callable

from .program import ParsedProgram

Write = Callable[[str], object]


def _plain(text: str) -> str:
    return text


def report_json(parsed: ParsedProgram, outcome: dict | None = None) -> str:
    payload = parsed.as_json()
    if outcome is not None:
        payload["import"] = outcome
    return json.dumps(payload, ensure_ascii=False, indent=2)


def report_text(
    parsed: ParsedProgram,
    *,
    write: Write,
    write_error: Write,
    outcome: dict | None = None,
    success: Callable[[str], str] = _plain,
) -> None:
    if parsed.ok:
        write(f"{parsed.title} ({parsed.tree.location})")
        for chapter in parsed.chapters:
            number = "" if chapter.number is None else f"{chapter.number:02d} "
            write(f"  {number}{chapter.title}: {len(chapter.items)} items")
    for warning in parsed.warnings:
        write(f"warning: {where(warning.source, warning.line)}{warning.message}")
    for error in parsed.errors:
        write_error(f"error: {where(error.source, error.line)}{error.message}")
    if not parsed.ok:
        write_error("Refused: nothing was imported.")
    elif outcome is None:
        write(success(f"Dry run: valid, {len(parsed.items)} items, nothing written."))
    elif outcome["status"] == "no_changes":
        write(f"No changes: identical to version {outcome['version']}; nothing created.")
    else:
        items = outcome["changes"].get("items", {})
        write(
            success(
                f"Imported {outcome['program']} version {outcome['version']} "
                f"({outcome['state']}): {len(items.get('added', []))} items added, "
                f"{len(items.get('changed', []))} changed, "
                f"{len(items.get('renamed', []))} renamed, "
                f"{len(items.get('removed', []))} removed."
            )
        )
        for move in items.get("renamed", []):
            write(f"  {move['to']}: renamed from {move['from']}")
        for case in items.get("ambiguous", []):
            write(
                f"warning: {case['from']} may have become any of "
                f"{', '.join(case['candidates'])}; not matched, its progress stays behind"
            )


def report(
    parsed: ParsedProgram,
    *,
    as_json: bool,
    write: Write,
    write_error: Write,
    outcome: dict | None = None,
    success: Callable[[str], str] = _plain,
) -> int:
    """Print PARSED (and OUTCOME) as text or JSON; the exit code the contract fixes."""
    if as_json:
        write(report_json(parsed, outcome))
    else:
        report_text(parsed, write=write, write_error=write_error, outcome=outcome, success=success)
    if not parsed.ok:
        return 1
    return 0 if outcome is None or outcome.get("status") != "refused" else 1


def report_unexpected(exc: Exception, *, as_json: bool, write: Write, write_error: Write) -> int:
    """A bug must reach the person as one clear line (or JSON object), not a traceback."""
    message = f"import failed unexpectedly ({type(exc).__name__}: {exc})"
    if as_json:
        problem = {"source": "", "line": None, "message": message}
        write(json.dumps({"program": None, "chapters": [], "warnings": [], "errors": [problem]}))
    else:
        write_error(f"error: {message}")
    return 1


def where(source: str, line: int | None) -> str:
    if not source:
        return ""
    return f"{source}:{line}: " if line else f"{source}: "
