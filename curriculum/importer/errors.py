"""Problems found while reading a source. A Warning is kept and the import goes on; an ImportRefused
stops it, with a message that names the file (and line where there is one)."""

from curriculum.markdown.structure import Warning


class ImportRefused(Exception):
    """The source cannot be imported: too big, unreadable, unsafe, or not a program at all."""

    def __init__(self, message: str, *, source: str = "", line: int | None = None):
        super().__init__(message)
        self.problem = Warning(source=source, line=line, message=message)

    def as_dict(self) -> dict:
        return self.problem.as_dict()

    def __str__(self) -> str:
        where = self.problem.source
        if where and self.problem.line:
            where = f"{where}:{self.problem.line}"
        return f"{where}: {self.problem.message}" if where else self.problem.message
