"""Links and images inside items: where they point, and what the app shows instead.

A relative link to another item becomes that item's page in the app (the #anchor kept); a relative
image or file becomes the imported Asset's URL; remote links stay as they are. Anything pointing
outside the program root (`../..`, absolute paths, `file:` URLs) is never read and is neutralised.
Resolution only looks names up in the in-memory tree: it cannot read a file by itself.
"""

import posixpath
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt

from .sources import is_markdown

NEUTRAL_URL = "#"  # what a blocked link points at: nowhere, harmlessly
_HTML_ATTR = re.compile(r"""\b(src|href)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
_REMOTE_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
_scanner = MarkdownIt("commonmark").enable("table")
# See every link, even those markdown-it would refuse to render (file:, javascript:), to warn.
_scanner.validateLink = lambda url: True  # type: ignore[method-assign]


@dataclass(frozen=True)
class Resolution:
    kind: str  # "keep" | "item" | "asset" | "blocked" | "missing"
    path: str = ""  # the target's path relative to the program root (item or asset)
    fragment: str = ""
    note: str = ""  # a warning to report, "" when all is well


@dataclass(frozen=True)
class Reference:
    url: str
    is_image: bool
    line: int  # 1-based, in the item's file


def resolve_reference(
    url: str, *, from_source: str, items: Collection[str], files: Collection[str]
) -> Resolution:
    """Where `url`, written in the file `from_source`, points inside the program."""
    url = url.strip()
    if not url or url.startswith("#") or url.startswith("//"):
        return Resolution("keep")
    scheme = urlsplit(url).scheme.lower() if ":" in url else ""
    if scheme == "file":
        return Resolution("blocked", note=f"file: URL '{url}' is not allowed; link removed")
    if len(scheme) == 1:  # C:\path
        return Resolution("blocked", note=f"absolute path '{url}' is not allowed; link removed")
    if scheme:
        return Resolution("keep")  # remote; unsafe schemes are stripped by the renderer's sanitiser
    path, _, fragment = url.partition("#")
    path = unquote(path.partition("?")[0]).replace("\\", "/")
    if path.startswith("/"):
        return Resolution("blocked", note=f"absolute path '{url}' is not allowed; link removed")
    base = posixpath.dirname(from_source)
    joined = posixpath.normpath(posixpath.join(base, path)) if path else from_source
    if joined == ".." or joined.startswith("../"):
        return Resolution("blocked", note=f"'{url}' leaves the program folder; not read")
    for candidate in (joined, joined + ".md", posixpath.join(joined, "readme.md")):
        if candidate in items:
            return Resolution("item", candidate, fragment)
        if candidate in files and not is_markdown(candidate):
            return Resolution("asset", candidate, fragment)
    by_name = _unique_by_file_name(joined, items)
    if by_name:
        note = f"'{url}' does not exist as written; linked to {by_name} (same file name)"
        return Resolution("item", by_name, fragment, note)
    return Resolution("missing", joined, fragment, f"'{url}' points at {joined}, which is missing")


def _unique_by_file_name(joined: str, items: Collection[str]) -> str | None:
    """Authors move days between chapter folders and keep `./day_01` links: find it by name."""
    name = PurePosixPath(joined).name
    wanted = {name, name + ".md"}
    matches = [item for item in items if PurePosixPath(item).name in wanted]
    return matches[0] if len(matches) == 1 else None


def scan_references(text: str) -> Iterator[Reference]:
    """Every link, image and HTML src/href in one file, with its line."""
    lines = text.split("\n")
    for token in _scanner.parse(text):
        start, end = token.map if token.map else (0, len(lines))
        found: list[tuple[str, bool]] = []
        if token.type == "inline" and token.children:
            for child in token.children:
                if child.type == "link_open":
                    found.append((str(child.attrGet("href") or ""), False))
                elif child.type == "image":
                    found.append((str(child.attrGet("src") or ""), True))
                elif child.type == "html_inline":
                    found.extend(_html_references(child.content))
        elif token.type == "html_block":
            found.extend(_html_references(token.content))
        for url, is_image in found:
            yield Reference(url, is_image, _line_of(url, lines, start, end))


def _html_references(html: str) -> list[tuple[str, bool]]:
    out = []
    for match in _HTML_ATTR.finditer(html):
        value = next(group for group in match.groups()[1:] if group is not None)
        out.append((value, match.group(1).lower() == "src"))
    return out


def _line_of(url: str, lines: list[str], start: int, end: int) -> int:
    needle = url.split("#")[0] or url
    for index in range(start, min(end, len(lines))):
        if needle and needle in lines[index]:
            return index + 1
    return start + 1
