"""Links built many times on one page or in one sweep, resolved through the URLconf once.

`reverse()` costs more than most of what a page does per row (a hire's home lists every item,
the morning sweep writes one link per hire, an item page has a form per block), so a route is
reversed once per process with sentinel ids and the result is formatted for each row.
"""

import functools
from collections.abc import Callable

from django.urls import get_script_prefix, reverse


def path_maker(name: str, *params: str) -> Callable[..., str]:
    """`reverse(name, kwargs)` for integer PARAMS, resolved once; call it with the values in
    PARAMS order: `path_maker("journey:item", "enrollment_id", "item_id")(12, 34)`."""
    return _pattern(name, params, get_script_prefix()).format


@functools.lru_cache(maxsize=256)
def _pattern(name: str, params: tuple[str, ...], script_prefix: str) -> str:
    """The route as a str.format pattern. Kept per process: the URLconf does not change while
    it runs (the script prefix, which a deployment under a sub-path sets, is part of the key)."""
    sentinels = {param: 987_654_300 + position for position, param in enumerate(params)}
    pattern = reverse(name, kwargs=sentinels).replace("{", "{{").replace("}", "}}")
    for param, sentinel in sentinels.items():
        assert pattern.count(str(sentinel)) == 1, (name, param)
        pattern = pattern.replace(str(sentinel), "{" + str(params.index(param)) + "}")
    return pattern
