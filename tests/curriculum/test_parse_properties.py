"""Hypothesis: parse_item never raises, is deterministic and stays faithful on any text."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from curriculum.markdown.parse import parse_item
from curriculum.markdown.render import render_block_markdown
from tests.curriculum.html_safety import assert_no_active_html
from tests.curriculum.test_parse_sample import assert_faithful

# Lines built from the constructs authors use (and abuse), so that examples hit real structure
# rather than only random characters.
MARKDOWN_PIECES = [
    "# Day 03 - Title :elephant:",
    "## Goals:",
    "## **Goals:**",
    "### Goals",
    "**Goals:**",
    "## Overview:",
    ":warning: **Note:**",
    "**⚠️ Note:**",
    "## 1. Topic",
    "## II. Topic",
    "## 1 .Topic",
    "## Tasks",
    "### 1. Step",
    "#### 2. Sub",
    "## Excercise",
    "### Chapter 1: Hadoop",
    "1.  What is Apache Hadoop?",
    "21. What is HDFS?",
    "## Wrapping Up :trophy:",
    "## Q&A Session :raising_hand:",
    "## Action Items",
    "## Recommended Articles and Videos:",
    "- [Title](https://example.com) - description",
    "- [x](javascript:alert(1))",
    "- [ ] BUSY",
    "  - [x] BISON",
    "- (ask your mentor to arrange this)",
    "ask him to schedule a meeting",
    "- item",
    "   - indented item",
    "        deep indent",
    "> quote",
    "```",
    "~~~",
    "| a | b |",
    "|---|---|",
    '<img src="../assets/x.gif" width="300"/>',
    "<script>alert(1)</script>",
    '<a href="jav&#x61;script:alert(1)">x</a>',
    "[ref]: https://example.com",
    "תורניות אי זמינויות",
    ":trophy:",
    "---",
    "",
    "   ",
    "\t",
]

line = st.one_of(st.sampled_from(MARKDOWN_PIECES), st.text(max_size=40))
line_ending = st.sampled_from(["\n", "\r\n", "\r"])
markdown_text = st.lists(st.tuples(line, line_ending), max_size=40).map(
    lambda pairs: "".join(text + end for text, end in pairs)
)
any_text = st.one_of(markdown_text, st.text(max_size=400))

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(any_text)
def test_parse_is_faithful_and_never_raises(text: str) -> None:
    assert_faithful(text, parse_item(text, source="chapter_01/day_03.md"))


@SETTINGS
@given(any_text)
def test_parse_is_deterministic(text: str) -> None:
    assert parse_item(text, source="x.md") == parse_item(text, source="x.md")


@SETTINGS
@given(any_text)
def test_keys_are_unique_and_parents_precede_children(text: str) -> None:
    item = parse_item(text)
    seen: set[str] = set()
    for block in item.blocks:
        assert block.key not in seen
        assert block.parent_key is None or block.parent_key in seen
        assert block.depth >= 0
        seen.add(block.key)


@SETTINGS
@given(any_text)
def test_warnings_point_at_real_lines(text: str) -> None:
    item = parse_item(text, source="a.md")
    line_count = text.count("\n") + text.count("\r") + 1
    for warning in item.warnings:
        assert warning.source == "a.md"
        assert warning.line is None or 1 <= warning.line <= line_count


@settings(max_examples=100, deadline=None)
@given(markdown_text)
def test_every_block_renders_without_active_content(text: str) -> None:
    for block in parse_item(text).blocks:
        assert_no_active_html(render_block_markdown(block.markdown))
