"""The app paths that imported HTML links to, built without `reverse()` or importing views.

Links inside items are rendered once, at import time (services), so these paths are fixed strings
that `curriculum/urls.py` must match when mounted at URL_PREFIX. Kept apart from urls.py so the
services never import views (which import the services).
"""

URL_PREFIX = "/curriculum/"


def item_url(item_id: int, fragment: str = "") -> str:
    url = f"{URL_PREFIX}items/{item_id}/"
    return f"{url}#{fragment}" if fragment else url


def asset_url(asset_id: int, path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    return f"{URL_PREFIX}assets/{asset_id}/{name}"
