"""`assert_no_active_html(html)`: the one check every rendering test uses.

It parses the HTML with the standard library (as a browser would tokenise it, near enough) and
fails on anything that can run code or submit data: script-like elements, event-handler
attributes, and URLs whose scheme is not http, https or mailto.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

ACTIVE_ELEMENTS = frozenset(
    {
        "script",
        "style",
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "applet",
        "svg",
        "math",
        "form",
        "button",
        "textarea",
        "select",
        "link",
        "meta",
        "base",
        "template",
    }
)
URL_ATTRIBUTES = frozenset(
    {"href", "src", "action", "formaction", "xlink:href", "srcset", "poster", "background"}
)
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_IGNORED_IN_URL = re.compile(r"[\t\n\r]")


def url_is_safe(url: str) -> bool:
    """Relative, or http/https/mailto, after what a browser ignores (leading controls, tabs)."""
    cleaned = _IGNORED_IN_URL.sub("", url.lstrip("".join(chr(c) for c in range(0x21))))
    match = _SCHEME.match(cleaned)
    return match is None or match.group(1).lower() in SAFE_SCHEMES


class _ActiveContentFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check(tag, attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check(tag, attrs)

    def _check(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ACTIVE_ELEMENTS:
            self.problems.append(f"<{tag}> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{name}= on <{tag}>")
            if name == "style":
                self.problems.append(f"style= on <{tag}>")
            if name in URL_ATTRIBUTES and value is not None and not url_is_safe(value):
                self.problems.append(f"{name}={value!r} on <{tag}>")
        if tag == "input" and "disabled" not in dict(attrs):
            self.problems.append(f"<input> that is not disabled: {attrs}")


def assert_no_active_html(html: str) -> None:
    finder = _ActiveContentFinder()
    finder.feed(html)
    finder.close()
    assert not finder.problems, f"active content in rendered HTML: {finder.problems}\n{html[:2000]}"
