"""Authoring pages: editor with live preview, save and conflicts, structure, history, hire preview."""

from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from curriculum import authoring
from curriculum.models import Chapter, Item, ItemRevision, ProgramVersion
from curriculum.services import program_import
from tests.curriculum.html_safety import assert_no_active_html
from tests.curriculum.support import DAY, write_tree
from tests.support.refused import assert_refused_back

pytestmark = pytest.mark.django_db

DEMO = Path(__file__).resolve().parents[2] / "curriculum" / "demo" / "program"
HOSTILE = (
    "# Day 03 - <script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n"
    "[x](javascript:alert(1))\n\n<iframe src=https://evil.example></iframe>\n\n"
    "<svg><script>alert(1)</script></svg>\n\n<a href='data:text/html,x'>d</a>\n"
)


@pytest.fixture
def admin_client(client, admin, mfa_passed):
    return mfa_passed(client, admin)


@pytest.fixture
def draft(admin):
    published = program_import(source=DEMO, program_slug="lighthouse", publish=True).version
    return authoring.draft_for_program(program=published.program, user=admin)


@pytest.fixture
def item(draft):
    return Item.objects.get(version=draft, source_path="chapter_01/day_03.md")


def test_editor_shows_the_markdown_and_a_live_preview(admin_client, item):
    page = admin_client.get(reverse("curriculum:item_edit", args=[item.pk])).content.decode()

    assert 'hx-trigger="keyup changed delay:400ms"' in page
    assert f'hx-post="{reverse("curriculum:item_edit_preview", args=[item.pk])}"' in page
    assert "# Day 03 - PostgreSQL and Data Modelling" in page
    assert f'value="{item.text_hash}"' in page  # the base hash travels with the form
    assert 'value="preview"' in page  # works without JavaScript too
    assert "block--goal" in page


def test_the_preview_endpoint_renders_blocks_and_warnings(admin_client, item):
    response = admin_client.post(
        reverse("curriculum:item_edit_preview", args=[item.pk]),
        {"markdown": "No title here\n\n## Goals:\n- Learn it\n", "base_hash": item.text_hash},
    )

    fragment = response.content.decode()
    assert response.status_code == 200
    assert "no title line" in fragment
    assert "block--goal" in fragment
    item.refresh_from_db()
    assert "No title here" not in item.markdown  # a preview never saves


def test_preview_button_without_javascript_shows_the_posted_text(admin_client, item):
    text = item.markdown + "\n## Action Items\n- Write it down\n"

    response = admin_client.post(
        reverse("curriculum:item_edit", args=[item.pk]),
        {"markdown": text, "base_hash": item.text_hash, "action": "preview"},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Write it down" in page and "block--action_item" in page
    assert not ItemRevision.objects.exists()


def test_save_goes_into_the_draft(admin_client, admin, item):
    text = item.markdown + "\nA new closing paragraph.\n"

    response = admin_client.post(
        reverse("curriculum:item_edit", args=[item.pk]),
        {"markdown": text.replace("\n", "\r\n"), "base_hash": item.text_hash, "action": "save"},
    )

    assert response.status_code == 302
    item.refresh_from_db()
    assert item.markdown == text
    assert ItemRevision.objects.get().created_by == admin


def test_second_save_from_the_same_text_is_refused_and_keeps_both_texts(
    admin_client, client, item, mfa_passed, django_user_model
):
    from tests.factories import ProgramAdminFactory

    other = mfa_passed(type(client)(), ProgramAdminFactory(email="second@example.com"))
    base = item.text_hash
    url = reverse("curriculum:item_edit", args=[item.pk])
    theirs = item.markdown + "\nFirst admin's change.\n"
    mine = item.markdown + "\nSecond admin's change.\n"

    first = admin_client.post(url, {"markdown": theirs, "base_hash": base, "action": "save"})
    second = other.post(url, {"markdown": mine, "base_hash": base, "action": "save"})

    assert first.status_code == 302
    # Post/redirect/get: back in the editor, the conflict named once, with both texts in view.
    page = assert_refused_back(other, second, url, "#editor", "Someone else saved this item")
    assert "Second admin&#x27;s change." in page  # their typing is still in the box
    assert "First admin&#x27;s change." in page  # and the saved text is shown beside it
    item.refresh_from_db()
    assert item.markdown == theirs
    assert ItemRevision.objects.count() == 1
    # Saving again from that page is a decision made with both in view: it carries the new hash.
    assert f'value="{item.text_hash}"' in page


def test_hostile_markdown_typed_into_the_editor_stays_inert(admin_client, item):
    preview = admin_client.post(
        reverse("curriculum:item_edit_preview", args=[item.pk]),
        {"markdown": HOSTILE, "base_hash": item.text_hash},
    )
    assert_no_active_html(preview.content.decode())

    saved = admin_client.post(
        reverse("curriculum:item_edit", args=[item.pk]),
        {"markdown": HOSTILE, "base_hash": item.text_hash, "action": "save"},
    )
    assert saved.status_code == 302
    page = admin_client.get(reverse("curriculum:item_detail", args=[item.pk])).content.decode()
    article = page[page.index("<article") : page.index("</article>")]
    assert_no_active_html(article)


@pytest.mark.parametrize(
    ("markdown", "message"),
    [
        ("x" * 1_100_000, "larger than"),
        ("# Day 03 - Sneaky \u202etxt.exe\n", "right-to-left override"),
    ],
    ids=["too-large", "rtl-override"],
)
def test_bad_text_is_refused_with_a_message(admin_client, item, markdown, message):
    url = reverse("curriculum:item_edit", args=[item.pk])
    response = admin_client.post(
        url, {"markdown": markdown, "base_hash": item.text_hash, "action": "save"}
    )

    # Post/redirect/get: back in the editor with the message once and the typed Markdown kept.
    page = assert_refused_back(admin_client, response, url, "#editor", message)
    assert markdown[:40].replace("\n", "") in page
    assert not ItemRevision.objects.exists()


def test_a_published_item_offers_a_draft_instead(admin_client, draft):
    published = Item.objects.get(version=draft.based_on, source_path="chapter_01/day_03.md")

    page = admin_client.get(reverse("curriculum:item_edit", args=[published.pk])).content.decode()
    response = admin_client.post(
        reverse("curriculum:program_draft", args=[draft.program_id]), {"item": published.pk}
    )

    assert "Edit in a draft" in page and 'value="save"' not in page
    copy = Item.objects.get(version=draft, source_path="chapter_01/day_03.md")
    assert response["Location"] == reverse("curriculum:item_edit", args=[copy.pk])


def test_structure_page_adds_moves_and_refuses_with_a_message(admin_client, draft):
    url = reverse("curriculum:version_structure", args=[draft.pk])
    chapter = Chapter.objects.filter(version=draft).order_by("position").last()

    added = admin_client.post(
        url, {"action": "item_add", "chapter": chapter.pk, "kind": "day", "title": "Caching"}
    )
    assert added.status_code == 302
    assert Item.objects.filter(version=draft, title="Caching").exists()
    admin_client.get(url)  # the "added" message is shown (and gone)

    # Post/redirect/get: a refusal goes back to the page at the chapter, the message once.
    refused = admin_client.post(url, {"action": "chapter_remove", "chapter": chapter.pk})
    assert_refused_back(
        admin_client,
        refused,
        url,
        f"#chapter-{chapter.pk}",
        "Move or remove this chapter&#x27;s items first",
    )
    invalid = admin_client.post(url, {"action": "item_rename", "item": "x"})
    assert_refused_back(admin_client, invalid, url, "", "item: ")


def test_structure_page_of_a_published_version_changes_nothing(admin_client, draft):
    published = draft.based_on
    chapter = Chapter.objects.filter(version=published).first()

    url = reverse("curriculum:version_structure", args=[published.pk])
    response = admin_client.post(
        url, {"action": "chapter_rename", "chapter": chapter.pk, "title": "Hacked"}
    )

    assert_refused_back(admin_client, response, url, f"#chapter-{chapter.pk}", "cannot change")
    chapter.refresh_from_db()
    assert chapter.title != "Hacked"


def test_history_lists_changes_and_restores(admin_client, admin, item):
    original = item.markdown
    authoring.item_update_markdown(
        item=item, markdown=original + "\nEdited.\n", base_hash=item.text_hash, user=admin
    )
    item.refresh_from_db()
    revision = ItemRevision.objects.get()
    url = reverse("curriculum:item_history", args=[item.pk])

    page = admin_client.get(url).content.decode()
    response = admin_client.post(
        url, {"revision": revision.pk, "which": "before", "base_hash": item.text_hash}
    )

    assert "Edited" in page and "Ada Admin" in page and "+Edited." in page
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.markdown == original


def test_preview_as_a_hire_is_inert(admin_client, item):
    page = admin_client.get(reverse("curriculum:item_hire_preview", args=[item.pk])).content
    text = page.decode()

    assert "Preview as a hire" in text
    assert '<article class="day-page hire-preview"' in text and "inert" in text
    article = text[text.index("<article") : text.index("</article>")]
    assert "<form" not in article
    assert article.count("disabled") >= article.count("<button") + article.count("<textarea")
    assert "check__box" in article  # goals look checkable, as a hire sees them


ROUTES = [
    ("curriculum:item_edit", "item"),
    ("curriculum:item_edit_preview", "item"),
    ("curriculum:item_history", "item"),
    ("curriculum:item_hire_preview", "item"),
    ("curriculum:version_structure", "version"),
    ("curriculum:program_draft", "program"),
    ("curriculum:version_export", "version"),
]


@pytest.mark.parametrize(("name", "target"), ROUTES)
@pytest.mark.parametrize("persona", ["hire", "mentor"])
def test_only_program_admins_reach_the_authoring_pages(
    client, request, mfa_passed, item, name, target, persona
):
    mfa_passed(client, request.getfixturevalue(persona))
    arg = {"item": item.pk, "version": item.version_id, "program": item.version.program_id}
    url = reverse(name, args=[arg[target]])

    assert client.get(url).status_code in (404, 405)
    assert client.post(url, {"markdown": "# x", "action": "save"}).status_code in (404, 405)
    assert ProgramVersion.objects.count() == 2
    assert not ItemRevision.objects.exists()


def _program(tmp_path, admin, days: int) -> ProgramVersion:
    readme = "# Big\n## Chapter 01: All\n" + "".join(
        f"- **[Day {n:02d}](./c1/day_{n:02d}.md):** Day {n}\n" for n in range(1, days + 1)
    )
    files = {"readme.md": readme}
    files |= {f"c1/day_{n:02d}.md": DAY.format(n=n, title=f"T{n}") for n in range(1, days + 1)}
    root = write_tree(tmp_path / f"p{days}", files)
    version = program_import(source=root, program_slug=f"p{days}", publish=True).version
    return authoring.draft_for_program(program=version.program, user=admin)


@pytest.mark.parametrize("page", ["structure", "editor", "history", "hire_preview"])
@pytest.mark.query_count(
    "curriculum:version_structure",
    "curriculum:item_edit",
    "curriculum:item_history",
    "curriculum:item_hire_preview",
)
def test_query_counts_do_not_grow_with_items(admin_client, admin, tmp_path, page):
    counts = []
    for days in (2, 30):
        draft = _program(tmp_path, admin, days)
        item = Item.objects.filter(version=draft).order_by("position").first()
        url = {
            "structure": reverse("curriculum:version_structure", args=[draft.pk]),
            "editor": reverse("curriculum:item_edit", args=[item.pk]),
            "history": reverse("curriculum:item_history", args=[item.pk]),
            "hire_preview": reverse("curriculum:item_hire_preview", args=[item.pk]),
        }[page]
        admin_client.get(url)  # warm up: the session's first touch costs a query or two
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(url).status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1], counts
    assert counts[0] <= 16, counts
