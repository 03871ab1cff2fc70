"""Curriculum URLs. Mounted by the project at URL_PREFIX (`path("curriculum/", include(...))`).

Links inside imported items are rendered to HTML once, at import time, so the paths they point at
are built here without `reverse()`: an import works before (or without) the pages being mounted.
`tests/curriculum/test_import_links.py` checks the two stay in agreement.
"""

from django.urls import path

from . import views

app_name = "curriculum"
URL_PREFIX = "/curriculum/"

urlpatterns = [
    path("assets/<int:asset_id>/<path:name>", views.asset_file, name="asset_file"),
]


def item_url(item_id: int, fragment: str = "") -> str:
    """The page of one item; the item pages themselves are a later task (issue 3, admin pages)."""
    url = f"{URL_PREFIX}items/{item_id}/"
    return f"{url}#{fragment}" if fragment else url


def asset_url(asset_id: int, path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    return f"{URL_PREFIX}assets/{asset_id}/{name}"
