"""Links built many times on one page or in one sweep, resolved through the URLconf once.

`reverse()` costs more than most of what a page does per row (a hire's home lists every item,
the morning sweep writes one link per hire, an item page has a form per block), so a route is
reversed once per process with sentinel ids and the result is formatted for each row.
"""

import functools
import re
from collections.abc import Callable, Container

from django.urls import get_script_prefix, reverse

from curriculum.paths import URL_PREFIX as CURRICULUM_PREFIX


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


# Links between items are rendered once, at import, to the authoring reader
# (`curriculum.paths.item_url`), and that HTML is cached and shared by every viewer. On a journey
# page each such link is pointed at the viewer's own page instead: the journey page of the same
# enrollment (a hire's own, or the mentee's for their mentor), so a hire never lands on the
# reader without their controls. A string scan per block, and a substitution only in the few
# blocks that link to another item; the cached HTML itself is never changed.
_READER_ITEMS = CURRICULUM_PREFIX + "items/"
_READER_ITEM_LINK = re.compile(r'href="' + re.escape(_READER_ITEMS) + r"(\d+)/")


def links_to_items(html: str) -> bool:
    return _READER_ITEMS in html


def journey_html(html: str, *, enrollment_id: int, item_ids: Container[int]) -> str:
    """HTML with its links to items of ITEM_IDS (the enrollment's version) sent to the
    enrollment's journey pages; fragments ("#a-heading") are kept, other links left alone."""
    if not links_to_items(html):
        return html
    item_link = path_maker("journey:item", "enrollment_id", "item_id")

    def to_journey(match: re.Match[str]) -> str:
        item_id = int(match.group(1))
        if item_id not in item_ids:
            return match.group(0)
        return f'href="{item_link(enrollment_id, item_id)}'

    return _READER_ITEM_LINK.sub(to_journey, html)
