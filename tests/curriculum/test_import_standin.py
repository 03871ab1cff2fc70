"""A stand-in for `curriculum.markdown.parse` / `render`, used ONLY while they have not landed.

The importer imports them lazily, so tests can run before the other half of issue 3 is merged.
Once the real modules exist this installs nothing, and the tests run against the real parser.
"""

import hashlib
import html
import importlib
import re
import sys
import types

from curriculum.markdown.structure import BlockKind, ItemKind, ParsedBlock, ParsedItem

_TITLE = re.compile(r"^#\s+(.*)$")
_DAY = re.compile(r"\bday\s+(\d+)", re.IGNORECASE)


def _parse_item(text: str, *, source: str = "") -> ParsedItem:
    lines = text.split("\n")
    raw_title = next((line for line in lines if _TITLE.match(line)), "")
    title = re.sub(r":[a-z0-9_+-]+:", "", raw_title.lstrip("# ")).strip()
    number_match = _DAY.search(title)
    kind = ItemKind.DAY
    lowered = source.lower()
    if "template" in lowered:
        kind = ItemKind.TEMPLATE
    elif "showcase" in lowered:
        kind = ItemKind.SHOWCASE
    elif "exercise" in lowered:
        kind = ItemKind.EXERCISE
    blocks: list[ParsedBlock] = []
    seen: dict[str, int] = {}
    start = 0
    for index in range(len(lines) + 1):
        if index == len(lines) or (index > start and lines[index].startswith("## ")):
            chunk = "\n".join(lines[start:index])
            if chunk.strip():
                digest = hashlib.sha256(" ".join(chunk.split()).encode()).hexdigest()[:12]
                seen[digest] = seen.get(digest, 0) + 1
                key = f"text-{digest}" + (f"-{seen[digest]}" if seen[digest] > 1 else "")
                blocks.append(
                    ParsedBlock(BlockKind.TEXT, key, chunk, start + 1, index, title=lines[start])
                )
            start = index
    return ParsedItem(
        source=source,
        kind=kind,
        number=int(number_match.group(1)) if number_match else None,
        title=title,
        emoji="",
        raw_title=raw_title,
        blocks=blocks,
    )


def _render_markdown(text: str, *, link_resolver=None) -> str:
    out = html.escape(text)
    if link_resolver is not None:

        def swap(match: re.Match) -> str:
            is_image = bool(match.group(1))
            resolved = link_resolver(match.group(3), is_image)
            return f'<a href="{html.escape(resolved if resolved is not None else match.group(3))}">'

        out = re.sub(r"(!?)\[([^\]]*)\]\(([^)\s]*)\)", swap, text)
    return out


def _usable(name: str, attr: str) -> bool:
    """The real module is used as soon as it imports and has the function (even uncommitted)."""
    try:
        module = importlib.import_module(name)
    except Exception:
        return False
    return callable(getattr(module, attr, None))


def install() -> None:
    for name, attr, func in (
        ("curriculum.markdown.parse", "parse_item", _parse_item),
        ("curriculum.markdown.render", "render_markdown", _render_markdown),
    ):
        if _usable(name, attr):
            continue
        module = types.ModuleType(name)
        setattr(module, attr, func)
        module.STANDIN = True  # type: ignore[attr-defined]
        sys.modules[name] = module
        globals()["STANDIN_RENDER" if name.endswith("render") else "STANDIN_PARSE"] = True


install()


def write_tree(root, files: dict[str, str | bytes]):
    """Write {relative path: text or bytes} under root (a pathlib.Path) and return root."""
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


DAY = """# Day {n:02d} - {title} :rocket:

## Overview:
{title} for newcomers.

## Goals:
- Learn {title}
- Practise {title}

## 1. First topic
Read about {title}.
"""
