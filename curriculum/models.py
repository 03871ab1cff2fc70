"""Programs, versions, chapters, items and blocks (see curriculum/README in the issue 3 work)."""
