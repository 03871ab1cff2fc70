"""Markdown -> safe HTML for curriculum content.

Pipeline: markdown-it-py (`gfm-like`: tables, fences, strikethrough; GFM autolinks; task lists;
heading anchors) -> emoji shortcodes replaced in text tokens only -> HTML -> nh3 with an explicit
allow-list. nh3 is what makes the output safe: the `gfm-like` preset passes raw HTML through,
so every call ends in `nh3.clean`, whatever the input.

Invariants (tested in tests/curriculum/test_render*.py):
- never raises on any `str` input, and is deterministic (same text -> same HTML);
- the output has no active content: no script/style/iframe/svg/form/object/embed, no `on*`
  attributes, and URLs only http/https/mailto or relative;
- emoji shortcodes (`:warning:`) become characters in text, never inside code or autolink URLs;
- headings carry GitHub-style ids (computed from the authored text, shortcodes included, so
  `[Day 01](./day_01#ready-for-a-challenge-trophy)` finds `### Ready for a Challenge? :trophy:`);
- block elements carry `dir="auto"` so right-to-left (Hebrew) text shows the right way round.
"""

from __future__ import annotations

import html
import logging
import re
import textwrap
import unicodedata
from collections.abc import Callable

import emoji
import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.gfm_autolink import gfm_autolink_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

logger = logging.getLogger(__name__)

# `link_resolver(url, is_image)` returns the URL to use instead, or None to leave it as is.
LinkResolver = Callable[[str, bool], str | None]

ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer nofollow"

# Block elements that get dir="auto": the browser then picks the direction from the first strong
# character, so a Hebrew paragraph reads right-to-left inside a left-to-right page. <pre> is left
# out on purpose: code stays left-to-right.
DIR_AUTO_TAGS = frozenset(
    {"p", "li", "ul", "ol", "dl", "dt", "dd", "blockquote", "td", "th", "div", "details", "summary"}
    | {f"h{level}" for level in range(1, 7)}
)

ALLOWED_TAGS = frozenset(
    {
        "a",
        "abbr",
        "b",
        "br",
        "code",
        "del",
        "em",
        "hr",
        "i",
        "img",
        "input",  # only the disabled checkbox of a task list item (forced below)
        "label",  # wraps a task-list checkbox and its text (no attributes allowed)
        "ins",
        "kbd",
        "mark",
        "pre",
        "q",
        "s",
        "samp",
        "small",
        "span",
        "strong",
        "sub",
        "sup",
        "table",
        "tbody",
        "tfoot",
        "thead",
        "tr",
        "u",
    }
    | DIR_AUTO_TAGS
)

# Elements whose content goes too (not just the tag): their text is never meant for reading.
CLEAN_CONTENT_TAGS = frozenset({"script", "style"})

ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "*": {"title"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "ol": {"start"},
    "input": {"checked"},  # its `type` is limited to "checkbox" below
    **{f"h{level}": {"id"} for level in range(1, 7)},
}

# Classes the task-list plugin emits; any other class is dropped (no styling hooks for authors).
ALLOWED_CLASSES: dict[str, set[str]] = {
    "ul": {"contains-task-list"},
    "li": {"task-list-item"},
    "input": {"task-list-item-checkbox"},
}

# Attributes allowed only with these values.
RESTRICTED_ATTRIBUTES: dict[str, dict[str, set[str]]] = {"input": {"type": {"checkbox"}}}

# Set after sanitising, overriding whatever the author wrote. One per tag: nh3 writes several in
# no fixed order, and the output must be deterministic. A forced `disabled` makes any <input>
# inert (a raw `<input type="text">` loses its type and becomes a disabled box).
FORCED_ATTRIBUTES: dict[str, dict[str, str]] = {
    **{tag: {"dir": "auto"} for tag in DIR_AUTO_TAGS},
    "input": {"disabled": "disabled"},
}

# Attributes that hold a URL the importer may want to rewrite: (tag, attribute) -> is_image.
_RESOLVABLE_URL_ATTRIBUTES = {("a", "href"): False, ("img", "src"): True}


def render_markdown(text: str, *, link_resolver: LinkResolver | None = None) -> str:
    """Render authored Markdown to sanitised HTML.

    `link_resolver(url, is_image)` may rewrite the URL of every link and image, from Markdown
    (`[x](./day_01#a)`, `![x](../assets/x.gif)`) and from raw HTML (`<a href>`, `<img src>`) alike;
    it returns the new URL or None to keep the authored one. Its answer is sanitised like any
    other URL (a resolver cannot smuggle in `javascript:`); if it raises, the URL is dropped.
    """
    raw_html = _markdown_to_html(text)
    return _sanitise(raw_html, link_resolver)


# Where an image in people's own writing may come from: the app's own files only.
OWN_IMAGE_PREFIXES = ("/static/", "/curriculum/assets/")


def render_person_markdown(text: str) -> str:
    """Render Markdown a person wrote (an answer, a reflection, a question, a comment).

    As `render_markdown`, except that an image may only show one of the app's own files: a
    remote `![](https://tracker.example/pixel.gif)` would tell its owner when a mentor read
    the text, and from where. Such an image keeps its alt text and loses its `src`.
    """
    return _sanitise(_markdown_to_html(text), None, own_images_only=True)


def is_own_image(url: str) -> bool:
    cleaned = _URL_IGNORED_ANYWHERE.sub("", url.lstrip(_URL_IGNORED_LEADING))
    return cleaned.startswith(OWN_IMAGE_PREFIXES) and ".." not in cleaned and "\\" not in cleaned


def render_block_markdown(markdown: str, *, link_resolver: LinkResolver | None = None) -> str:
    """Render one parsed block's source on its own (for the item page, block by block).

    A block cut out of a nested list keeps its authored indentation; four spaces of it would
    make a code block, so the common indentation is removed first (relative indentation stays).
    """
    return render_markdown(textwrap.dedent(markdown), link_resolver=link_resolver)


def _build_markdown_it() -> MarkdownIt:
    # `gfm-like` asks for linkify-it-py, which we don't ship: mdit-py-plugins' GFM autolink
    # extension links bare URLs instead, without that dependency.
    md = MarkdownIt("gfm-like", options_update={"linkify": False})
    md.disable("linkify")
    md.use(gfm_autolink_plugin)
    md.use(tasklists_plugin)  # enabled=False: checkboxes render disabled; no labels (no uuid4)
    md.core.ruler.after("github-tasklists", "task_list_labels", _label_task_list_checkboxes)
    md.use(anchors_plugin, min_level=1, max_level=6)
    # After "anchor": ids are slugged from the authored shortcode text, as GitHub does.
    md.core.ruler.push("emoji_shortcodes", _replace_emoji_shortcodes)
    md.core.ruler.push("bidi_majority", _mark_majority_direction)
    return md


def _label_task_list_checkboxes(state: StateCore) -> None:
    """Wrap each task-list checkbox and its text in a <label>, so screen readers name the box.

    The plugin's own labels need generated ids (uuid4), which would make rendering differ
    each time; an implicit label (the <label> around both) needs no id.
    """
    for token in state.tokens:
        children = token.children or []
        if (
            token.type == "inline"
            and children
            and children[0].type == "html_inline"
            and "task-list-item-checkbox" in children[0].content
        ):
            opening = Token("html_inline", "", 0, content="<label>")
            closing = Token("html_inline", "", 0, content="</label>")
            token.children = [opening, *children, closing]


_RTL_CLASSES = frozenset({"R", "AL"})
_LEFT_TO_RIGHT_MARK, _RIGHT_TO_LEFT_MARK = "\u200e", "\u200f"


def _mark_majority_direction(state: StateCore) -> None:
    """Let `dir="auto"` follow most of a paragraph's letters, not just its first one.

    The browser picks a dir="auto" element's direction from its first strong character, so an
    English paragraph that opens with a Hebrew greeting would read right-to-left. When the first
    strong character disagrees with the majority, an invisible direction mark (LRM or RLM) is put
    in front; the Hebrew words keep their own order inside the line either way.
    """
    for token in state.tokens:
        if token.type != "inline" or not token.children:
            continue
        text = "".join(child.content for child in token.children if child.type == "text")
        strong = [
            unicodedata.bidirectional(ch)
            for ch in text
            if unicodedata.bidirectional(ch) in {"L", "R", "AL"}
        ]
        if not strong:
            continue
        rtl = sum(1 for kind in strong if kind in _RTL_CLASSES)
        first_is_rtl = strong[0] in _RTL_CLASSES
        if first_is_rtl and rtl * 2 < len(strong):
            mark = _LEFT_TO_RIGHT_MARK
        elif not first_is_rtl and rtl * 2 > len(strong):
            mark = _RIGHT_TO_LEFT_MARK
        else:
            continue
        token.children.insert(0, Token("text", "", 0, content=mark))


def _replace_emoji_shortcodes(state: StateCore) -> None:
    """Turn `:warning:` into ⚠️ in text tokens; code spans, fences and autolinked URLs stay literal."""
    for token in state.tokens:
        if token.type != "inline" or not token.children:
            continue
        inside_autolink = False
        for child in token.children:
            if child.type in ("link_open", "link_close") and child.markup in (
                "autolink",
                "linkify",
            ):
                inside_autolink = child.type == "link_open"
            elif child.type == "text" and not inside_autolink and ":" in child.content:
                child.content = emoji.emojize(child.content, language="alias")


_MD = _build_markdown_it()


def _markdown_to_html(text: str) -> str:
    try:
        return _MD.render(text)
    except Exception:  # the contract is "never raises": show the text, escaped, rather than fail
        logger.exception("markdown-it failed; rendering the text as plain text")
        return f"<pre>{html.escape(text)}</pre>"


def _sanitise(
    raw_html: str, link_resolver: LinkResolver | None, *, own_images_only: bool = False
) -> str:
    attribute_filter = _url_rewriter(link_resolver) if link_resolver else None
    if own_images_only:
        attribute_filter = _own_images_filter
    return nh3.clean(
        raw_html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(CLEAN_CONTENT_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        allowed_classes={tag: set(names) for tag, names in ALLOWED_CLASSES.items()},
        tag_attribute_values={
            tag: {name: set(values) for name, values in allowed.items()}
            for tag, allowed in RESTRICTED_ATTRIBUTES.items()
        },
        set_tag_attribute_values={tag: dict(v) for tag, v in FORCED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
        attribute_filter=attribute_filter,
    )


def _own_images_filter(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src" and not is_own_image(value):
        return None  # nh3 drops the attribute: the image loads nothing
    return value


def _url_rewriter(link_resolver: LinkResolver) -> Callable[[str, str, str], str | None]:
    """An nh3 attribute filter applying `link_resolver` to link and image URLs.

    nh3 runs it on Markdown-made and raw-HTML elements alike, after removing disallowed URLs and
    before its own URL-scheme check of the result.
    """

    def rewrite(tag: str, attribute: str, value: str) -> str | None:
        is_image = _RESOLVABLE_URL_ATTRIBUTES.get((tag, attribute))
        if is_image is None:
            return value
        resolved = link_resolver(value, is_image)
        if resolved is None:
            return value
        # nh3 checks URL schemes *before* this filter runs, so the resolver's answer is checked here.
        return resolved if is_safe_url(resolved) else None

    return rewrite


# What a browser strips before reading a URL's scheme (WHATWG URL parsing): leading C0 controls
# and spaces, and tabs/newlines anywhere, so "java\tscript:" is still javascript:.
_URL_IGNORED_LEADING = "".join(chr(code) for code in range(0x21))
_URL_IGNORED_ANYWHERE = re.compile(r"[\t\n\r]")
_URL_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")


def is_safe_url(url: str) -> bool:
    """True for relative URLs and for absolute ones whose scheme is http, https or mailto."""
    cleaned = _URL_IGNORED_ANYWHERE.sub("", url.lstrip(_URL_IGNORED_LEADING))
    match = _URL_SCHEME.match(cleaned)
    return match is None or match.group(1).lower() in ALLOWED_URL_SCHEMES
