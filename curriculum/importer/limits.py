"""How much the importer reads before it refuses: a hostile or mistaken source gets a clear error,
never a hang or an out-of-memory. Tests and callers may pass their own `Limits`."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 1024 * 1024  # one Markdown file or asset
    max_files: int = 500  # files in the tree (hidden ones such as .git are not counted)
    max_total_bytes: int = 50 * 1024 * 1024  # everything read, together
    max_depth: int = 8  # folders below the program root
    max_zip_bytes: int = 60 * 1024 * 1024  # the uploaded archive itself
    git_timeout_seconds: int = 120


DEFAULT_LIMITS = Limits()
