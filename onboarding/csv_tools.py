"""CSV in and out, safely: reading an uploaded people file, writing exports spreadsheets open.

Spreadsheets run a cell that starts with = + - @ (or a tab/carriage return before one) as a
formula, so a name like `=HYPERLINK(...)` in an export could run on an admin's machine (CSV
injection). Exports prefix such cells with a single quote; imports refuse them with the line.
"""

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.http import HttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_UPLOAD_BYTES = 1_000_000
MAX_ROWS = 2_000


def is_formula(value: str) -> bool:
    return value.startswith(FORMULA_STARTS)


def csv_safe(value: object) -> str:
    """A cell as text that a spreadsheet shows, never runs: formula starts get a leading quote."""
    text = "" if value is None else str(value)
    return "'" + text if is_formula(text) else text


def csv_response(
    *, filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]
) -> HttpResponse:
    """A UTF-8 CSV download (with BOM, so Excel reads the encoding) of escaped cells."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_safe(cell) for cell in header])
    for row in rows:
        writer.writerow([csv_safe(cell) for cell in row])
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class CsvFileError(ValueError):
    """The file as a whole can't be read (encoding, size, header); the message says why."""


@dataclass
class CsvRow:
    line: int  # the line number a spreadsheet shows (the header is line 1)
    values: dict[str, str]


def csv_read(data: bytes, *, required: Sequence[str], optional: Sequence[str] = ()) -> list[CsvRow]:
    """Rows of an uploaded CSV keyed by lower-case header, or CsvFileError saying what is wrong.

    UTF-8 only (a BOM is fine): anything else is refused with the byte position rather than
    guessed, because a wrongly guessed encoding silently garbles names. Blank lines are skipped.
    """
    if not data.strip():
        raise CsvFileError("The file is empty.")
    if len(data) > MAX_UPLOAD_BYTES:
        raise CsvFileError(
            f"The file is too large ({len(data):,} bytes); the limit is {MAX_UPLOAD_BYTES:,}."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CsvFileError(
            "The file is not UTF-8 text (the byte at position "
            f"{error.start + 1:,} is not valid UTF-8). In your spreadsheet, save it as "
            "\u201cCSV UTF-8\u201d and upload it again."
        ) from error
    if "\x00" in text:
        raise CsvFileError("The file contains NUL bytes; it does not look like a CSV file.")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        lines = list(reader)
    except csv.Error as error:
        raise CsvFileError(f"The file could not be read as CSV: {error}.") from error
    if not lines:
        raise CsvFileError("The file is empty.")
    header = [" ".join(cell.strip().lower().replace("_", " ").split()) for cell in lines[0]]
    missing = [name for name in required if name not in header]
    if missing:
        raise CsvFileError(
            "Line 1 (the header) lacks the column"
            f"{'s' if len(missing) > 1 else ''} {', '.join(missing)}. "
            f"Expected: {', '.join([*required, *optional])}."
        )
    unknown = [name for name in header if name and name not in (*required, *optional)]
    if unknown:
        raise CsvFileError(
            f"Line 1 (the header) has unknown columns: {', '.join(unknown)}. "
            f"Expected: {', '.join([*required, *optional])}."
        )
    duplicated = sorted({name for name in header if name and header.count(name) > 1})
    if duplicated:
        raise CsvFileError(f"Line 1 (the header) repeats: {', '.join(duplicated)}.")
    # csv.reader's line_num counts physical lines and a quoted cell may span several, so each
    # record's number is where it starts, recorded in a second pass.
    rows = [
        CsvRow(
            line=line,
            values={
                name: (cells[index] if index < len(cells) else "")
                for index, name in enumerate(header)
                if name
            },
        )
        for cells, line in zip(lines[1:], _record_start_lines(text), strict=True)
    ]
    rows = [row for row in rows if any(value.strip() for value in row.values.values())]
    if len(rows) > MAX_ROWS:
        raise CsvFileError(f"The file has {len(rows):,} rows; at most {MAX_ROWS:,} at a time.")
    if not rows:
        raise CsvFileError("The file has a header but no rows.")
    return rows


def _record_start_lines(text: str) -> list[int]:
    """The physical line on which each record after the header starts (1-based)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    starts = []
    previous_end = 0
    for index, _ in enumerate(reader):
        if index > 0:
            starts.append(previous_end + 1)
        previous_end = reader.line_num
    return starts
