"""Hypothesis: render_markdown never raises, never emits active HTML, and is deterministic."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from curriculum.markdown.render import render_markdown
from tests.curriculum.html_safety import assert_no_active_html

# Fragments an attacker would combine; hypothesis glues them with random text.
HOSTILE_PIECES = [
    "<script>",
    "</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<iframe src=//evil.example>",
    "<a href='javascript:alert(1)'>",
    "<a href='jav&#x61;script:alert(1)'>",
    "<a href='java&#9;script:alert(1)'>",
    '<a href="vbscript:x">',
    '<a href="data:text/html,x">',
    "<form action=//evil.example>",
    "<object data=x>",
    "<embed src=x>",
    "<style>",
    "<math>",
    "<input onfocus=alert(1) autofocus>",
    "<details ontoggle=alert(1) open>",
    "[x](javascript:alert(1))",
    "[x](jav&#x61;script:alert(1))",
    "![x](data:image/svg+xml,<svg onload=alert(1)>)",
    "[x]: javascript:alert(1)",
    "<javascript:alert(1)>",
    "`",
    "```",
    "**",
    "_",
    "<!--",
    "-->",
    "<![CDATA[",
    "]]>",
    '"',
    "'",
    ">",
    "<",
    "&",
    "\n",
    "\n\n",
    "- [ ] ",
    "| a |\n|---|\n| ",
    ":warning:",
    "https://example.com/:smile:",
    "שלום",
]

hostile_text = st.lists(
    st.one_of(st.sampled_from(HOSTILE_PIECES), st.text(max_size=10)), max_size=30
).map("".join)
any_text = st.one_of(hostile_text, st.text(max_size=300))


@settings(max_examples=200, deadline=None)
@given(any_text)
def test_no_active_html(text: str) -> None:
    assert_no_active_html(render_markdown(text))


@settings(max_examples=200, deadline=None)
@given(any_text)
def test_deterministic(text: str) -> None:
    assert render_markdown(text) == render_markdown(text)


@settings(max_examples=100, deadline=None)
@given(any_text, st.sampled_from(["javascript:alert(1)", "/ok", "https://a.example", " data:x"]))
def test_no_active_html_whatever_the_resolver_answers(text: str, answer: str) -> None:
    assert_no_active_html(render_markdown(text, link_resolver=lambda url, is_image: answer))
