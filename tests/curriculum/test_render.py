"""render_markdown: safe HTML from hostile Markdown, and the features authors rely on."""

from __future__ import annotations

import pytest

from curriculum.markdown.render import is_safe_url, render_block_markdown, render_markdown
from tests.curriculum.html_safety import assert_no_active_html

HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src="x" onerror="alert(1)">',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="jav&#x61;script:alert(1)">x</a>',
    '<a href="jav&#97;script&colon;alert(1)">x</a>',
    '<a href=" &#14;javascript:alert(1)">x</a>',
    '<a href="java\tscript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "[x](javascript:alert(1))",
    "[x](jav&#x61;script:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "![x](data:image/png;base64,iVBORw0KGgo=)",
    "![x](javascript:alert(1))",
    "[x][ref]\n\n[ref]: javascript:alert(1)",
    "<javascript:alert(1)>",
    '<iframe src="https://evil.example"></iframe>',
    '<svg onload="alert(1)"><circle r="1"/></svg>',
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    '<form action="https://evil.example"><input name="password"><button>go</button></form>',
    '<object data="x.swf"></object><embed src="x.swf">',
    "<style>body { display: none }</style>",
    '<p style="position:fixed;top:0">cover</p>',
    '<div onclick="alert(1)" onmouseover="alert(2)">x</div>',
    '<details open ontoggle="alert(1)"><summary>x</summary></details>',
    '<base href="https://evil.example/">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    '<input type="text" autofocus onfocus="alert(1)">',
    "<!-- <script>alert(1)</script> -->",
    '<a href="https://ok.example" target="_blank" rel="opener">x</a>',
    "<textarea><script>alert(1)</script></textarea>",
    '<img src="x" srcset="javascript:alert(1) 1x">',
    "```html\n<script>alert(1)</script>\n```",
    "`<script>alert(1)</script>`",
    "> <script>alert(1)</script>",
    "- <img src=x onerror=alert(1)>",
    "| a |\n|---|\n| <script>alert(1)</script> |",
]


@pytest.mark.parametrize("markdown", HOSTILE)
def test_hostile_markdown_renders_without_active_content(markdown: str) -> None:
    html = render_markdown(markdown)
    assert_no_active_html(html)
    assert "alert(1)</script>" not in html or "&lt;script&gt;" in html


def test_script_and_style_content_is_dropped_not_shown() -> None:
    html = render_markdown("before <script>alert('x')</script> <style>p{}</style> after")
    assert "alert" not in html
    assert "p{}" not in html
    assert "before" in html and "after" in html


def test_code_shows_html_escaped() -> None:
    html = render_markdown("```\n<script>alert(1)</script>\n```")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_links_get_rel_noopener_noreferrer_nofollow() -> None:
    html = render_markdown(
        "[site](https://example.com) <a href='https://x.example' rel='opener'>x</a>"
    )
    assert html.count('rel="noopener noreferrer nofollow"') == 2
    assert "opener'" not in html


def test_allowed_urls_stay() -> None:
    html = render_markdown(
        "[a](https://a.example/x?y=1) [m](mailto:a@example.com) [r](../day_01.md)"
    )
    assert 'href="https://a.example/x?y=1"' in html
    assert 'href="mailto:a@example.com"' in html
    assert 'href="../day_01.md"' in html


def test_inline_html_image_from_the_sample_keeps_its_size() -> None:
    html = render_markdown(
        '<img src="../assets/challenge_accepted.gif" alt="Challege Accepted" width="300"/>'
    )
    assert 'src="../assets/challenge_accepted.gif"' in html
    assert 'width="300"' in html
    assert 'alt="Challege Accepted"' in html


class TestEmoji:
    def test_shortcodes_become_characters_in_text(self) -> None:
        assert "⚠️" in render_markdown(":warning: **Note:**")
        assert "🐘" in render_markdown("# Day 03 - Hadoop :elephant:")

    def test_not_inside_code_spans_or_fences(self) -> None:
        html = render_markdown("`:warning:`\n\n```\n:warning:\n```")
        assert html.count(":warning:") == 2
        assert "⚠️" not in html

    def test_not_inside_urls(self) -> None:
        html = render_markdown("[x](https://a.example/:smile:/) https://b.example/:smile:/")
        assert "https://a.example/:smile:/" in html
        assert ">https://b.example/:smile:/<" in html
        assert "😄" not in html

    def test_unknown_shortcodes_stay_as_written(self) -> None:
        assert ":not_an_emoji_at_all:" in render_markdown("a :not_an_emoji_at_all: b")


class TestHeadingAnchors:
    def test_headings_get_github_style_ids(self) -> None:
        html = render_markdown("## 1. Understanding the Data Landscape")
        assert 'id="1-understanding-the-data-landscape"' in html

    def test_slug_is_taken_from_the_shortcode_text_like_github(self) -> None:
        # day_03 links to ./day_01#ready-for-a-challenge-trophy
        html = render_markdown("### Ready for a Challenge? :trophy:")
        assert 'id="ready-for-a-challenge-trophy"' in html
        assert "🏆" in html

    def test_repeated_headings_get_distinct_ids(self) -> None:
        html = render_markdown("### Core Concepts\n\n### Core Concepts")
        assert 'id="core-concepts"' in html and 'id="core-concepts-1"' in html


def test_task_lists_render_disabled_checkboxes() -> None:
    html = render_markdown("- [ ] BUSY\n- [x] BISON")
    assert html.count('type="checkbox"') == 2
    assert html.count('disabled="disabled"') == 2
    assert 'checked="checked"' in html
    assert 'class="task-list-item"' in html


def test_tables_render() -> None:
    html = render_markdown("| a | b |\n|---|:-:|\n| 1 | 2 |")
    assert "<table>" in html and "<th" in html and "<td" in html
    assert "style=" not in html  # alignment styles are dropped with every style attribute


def test_strikethrough_and_fences() -> None:
    html = render_markdown("~~old~~\n\n```python\nprint(1)\n```")
    assert "<s>old</s>" in html or "<del>old</del>" in html
    assert "<pre><code>print(1)\n</code></pre>" in html


class TestRightToLeft:
    @pytest.mark.parametrize(
        ("markdown", "tag"),
        [
            ("שלום", "p"),
            ("# שלום", "h1"),
            ("###### שלום", "h6"),
            ("- שלום", "li"),
            ("> שלום", "blockquote"),
            ("| א |\n|---|\n| ב |", "td"),
            ("| א |\n|---|\n| ב |", "th"),
        ],
    )
    def test_block_elements_get_dir_auto(self, markdown: str, tag: str) -> None:
        html = render_markdown(markdown)
        assert f"<{tag} " in html
        for fragment in html.split(f"<{tag} ")[1:]:
            assert 'dir="auto"' in fragment.split(">", 1)[0]

    def test_authored_dir_is_replaced(self) -> None:
        html = render_markdown('<p dir="ltr">טקסט</p>')
        assert 'dir="auto"' in html and 'dir="ltr"' not in html

    def test_code_stays_left_to_right(self) -> None:
        assert "<pre>" in render_markdown("```\nx\n```")
        assert "<pre dir" not in render_markdown("```\nx\n```")


class TestLinkResolver:
    @staticmethod
    def resolver(url: str, is_image: bool) -> str | None:
        if is_image and url.startswith("../assets/"):
            return "/media/curriculum/" + url.removeprefix("../assets/")
        if url.startswith("./day_01"):
            return "/days/1/" + url.partition("#")[2].join(["#", ""]) if "#" in url else "/days/1/"
        return None

    def test_markdown_links_and_images(self) -> None:
        html = render_markdown(
            "[Day 01](./day_01#ready-for-a-challenge-trophy) ![gif](../assets/x.gif) [ext](https://a.example)",
            link_resolver=self.resolver,
        )
        assert 'href="/days/1/#ready-for-a-challenge-trophy"' in html
        assert 'src="/media/curriculum/x.gif"' in html
        assert 'href="https://a.example"' in html  # None: left as authored

    def test_raw_html_links_and_images(self) -> None:
        html = render_markdown(
            '<img src="../assets/challenge_accepted.gif" width="300"/> <a href="./day_01">d</a>',
            link_resolver=self.resolver,
        )
        assert 'src="/media/curriculum/challenge_accepted.gif"' in html
        assert 'href="/days/1/"' in html

    def test_resolver_is_told_whether_it_is_an_image(self) -> None:
        calls: list[tuple[str, bool]] = []

        def record(url: str, is_image: bool) -> None:
            calls.append((url, is_image))

        render_markdown(
            "[a](a.md) ![b](b.png) <img src='c.png'> <a href='d.md'>d</a>", link_resolver=record
        )
        assert sorted(calls) == [("a.md", False), ("b.png", True), ("c.png", True), ("d.md", False)]

    def test_resolver_cannot_introduce_unsafe_urls(self) -> None:
        html = render_markdown(
            "[a](x.md) <img src='y.png'>", link_resolver=lambda u, i: "javascript:alert(1)"
        )
        assert_no_active_html(html)
        assert "javascript" not in html

    def test_resolver_is_not_asked_about_urls_already_removed(self) -> None:
        calls: list[str] = []
        render_markdown(
            "<a href='javascript:alert(1)'>x</a>", link_resolver=lambda u, i: calls.append(u)
        )
        assert calls == []


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://a.example", True),
        ("HTTP://a.example", True),
        ("mailto:a@example.com", True),
        ("../assets/x.gif", True),
        ("./day_01#anchor", True),
        ("/days/1", True),
        ("#anchor", True),
        ("a/b:c", True),
        ("javascript:alert(1)", False),
        (" \x01javascript:alert(1)", False),
        ("java\tscript:alert(1)", False),
        ("data:text/html,x", False),
        ("vbscript:x", False),
    ],
)
def test_is_safe_url(url: str, safe: bool) -> None:
    assert is_safe_url(url) is safe


def test_render_block_markdown_dedents_a_nested_item() -> None:
    html = render_block_markdown("      - [ ] deep item")
    assert "<pre>" not in html
    assert 'type="checkbox"' in html


@pytest.mark.parametrize(
    "text", ["", "\0", "\ufeff# x", "a\r\nb\rc", ">" * 5000, "- " * 5000, "[" * 5000, "*a" * 5000]
)
def test_awkward_input_never_raises(text: str) -> None:
    assert_no_active_html(render_markdown(text))


def test_deterministic() -> None:
    text = "# T :trophy:\n\n- [ ] a\n\n| x |\n|---|\n| y |\n\nhttps://a.example"
    # nh3 is Rust: attribute order could depend on hash order, so compare many runs.
    assert len({render_markdown(text) for _ in range(50)}) == 1


def test_an_english_paragraph_opening_with_hebrew_still_reads_left_to_right() -> None:
    html = render_markdown("**ברוכים הבאים** (welcome!) to the team, we are glad you are here.")
    assert html.startswith('<p dir="auto">\u200e')  # a left-to-right mark leads dir="auto"


def test_a_hebrew_paragraph_opening_with_english_still_reads_right_to_left() -> None:
    html = render_markdown("Docker הוא כלי שמאפשר להריץ תוכנות בתוך מכולות מבודדות")
    assert html.startswith('<p dir="auto">\u200f')


def test_a_paragraph_whose_first_letter_agrees_with_most_gets_no_mark() -> None:
    assert "\u200e" not in render_markdown("Hello שלום and many more English words here")
    assert "\u200f" not in render_markdown("שלום עולם רב לכם, hi")
