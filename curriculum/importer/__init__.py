"""Read a program (folder, `.md` file, `.zip`, git URL) into an in-memory ParsedProgram.

Nothing here touches the database: `curriculum.services.program_import` stores the result.
"""

from .errors import ImportRefused
from .limits import DEFAULT_LIMITS, Limits
from .program import ParsedAsset, ParsedChapter, ParsedProgram, parse_program
from .sources import SourceTree, load_source, load_zip

__all__ = [
    "DEFAULT_LIMITS",
    "ImportRefused",
    "Limits",
    "ParsedAsset",
    "ParsedChapter",
    "ParsedProgram",
    "SourceTree",
    "load_source",
    "load_zip",
    "parse_program",
]
