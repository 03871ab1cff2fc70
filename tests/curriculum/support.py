"""Helpers shared by the curriculum tests: write a small program tree, a day template."""


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
