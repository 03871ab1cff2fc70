"""Markdown in, structure and safe HTML out. Pure functions: no database, no Django models.

- `structure`: the dataclasses the parser produces and the importer stores.
- `parse`: one item's Markdown text -> ParsedItem (blocks in authored order, with warnings).
- `render`: Markdown -> sanitised HTML (markdown-it-py, emoji, anchors, task lists, nh3).
"""
