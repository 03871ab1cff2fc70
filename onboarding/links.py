"""Links built many times on one page or in one sweep, resolved through the URLconf once.

`reverse()` costs more than most of what a page does per row (a hire's home lists every item,
the morning sweep writes one link per hire), so a route is reversed once with sentinel ids and
the result is formatted for each row.
"""

from collections.abc import Callable

from django.urls import reverse


def path_maker(name: str, *params: str) -> Callable[..., str]:
    """`reverse(name, kwargs)` for integer PARAMS, resolved once; call it with the values in
    PARAMS order: `path_maker("journey:item", "enrollment_id", "item_id")(12, 34)`."""
    sentinels = {param: 987_654_300 + position for position, param in enumerate(params)}
    pattern = reverse(name, kwargs=sentinels).replace("{", "{{").replace("}", "}}")
    for param, sentinel in sentinels.items():
        assert pattern.count(str(sentinel)) == 1, (name, param)
        pattern = pattern.replace(str(sentinel), "{" + str(params.index(param)) + "}")
    return pattern.format
