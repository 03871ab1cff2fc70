"""A program admin edits a day in the browser, watches the preview follow, publishes; a hire
sees the change."""

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from curriculum.models import Item, ProgramVersion
from curriculum.services import program_import

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO = Path(__file__).resolve().parents[2] / "curriculum" / "demo" / "program"
NEW_LINE = "- Sketch the clinic schema on paper first"


def _session(live_server, user, mfa_passed=None) -> list[dict]:
    client = Client()
    if mfa_passed is not None:
        mfa_passed(client, user)
    else:
        client.force_login(user)
    cookie = client.cookies["sessionid"]
    return [{"name": "sessionid", "value": cookie.value, "url": live_server.url}]


def test_admin_edits_a_day_previews_publishes_and_a_hire_sees_it(
    page, browser, live_server, admin, hire, mfa_passed, shoot
):
    published = program_import(source=DEMO, program_slug="lighthouse", publish=True).version
    page.context.add_cookies(_session(live_server, admin, mfa_passed))

    page.goto(live_server.url + reverse("curriculum:version_detail", args=[published.pk]))
    page.get_by_role("button", name="Edit in a draft").click()
    expect(page.get_by_role("heading", name=re.compile("Structure"))).to_be_visible()
    shoot("authoring-structure")

    page.get_by_role("link", name=re.compile("PostgreSQL and Data Modelling")).click()
    editor = page.get_by_role("textbox", name="Markdown")
    expect(editor).to_be_visible()
    preview = page.locator("#preview")
    editor.click()
    editor.press("Control+End")
    editor.press_sequentially(f"\n## Action Items\n{NEW_LINE}\n", delay=5)
    # htmx posts the text after a pause in typing; the preview follows without a page load.
    expect(preview).to_contain_text("Sketch the clinic schema on paper first")
    expect(preview.locator(".block--action_item").last).to_contain_text("Sketch the clinic")
    shoot("authoring-editor")

    page.get_by_role("button", name="Save to draft").click()
    expect(page.get_by_text("Saved into the draft.")).to_be_visible()

    page.get_by_role("link", name="Preview as a hire").click()
    expect(page.get_by_text("Preview as a hire.")).to_be_visible()
    expect(page.locator("article.hire-preview")).to_contain_text("Sketch the clinic schema")
    shoot("authoring-hire-preview")
    page.go_back()
    page.get_by_role("link", name="History").click()
    expect(page.get_by_role("heading", name=re.compile("Edited"))).to_be_visible()
    shoot("authoring-history")

    draft = ProgramVersion.objects.get(state="draft")
    page.goto(live_server.url + reverse("curriculum:version_detail", args=[draft.pk]))
    expect(page.get_by_text("chapter_01/day_03.md").first).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=f"Publish version {draft.number}").click()
    expect(page.get_by_text("is now the one new hires start on")).to_be_visible()
    shoot("authoring-published")

    day = Item.objects.get(version=draft, source_path="chapter_01/day_03.md")
    hire_context = browser.new_context()
    hire_context.add_cookies(_session(live_server, hire))
    hire_page = hire_context.new_page()
    hire_page.goto(live_server.url + reverse("curriculum:item_detail", args=[day.pk]))
    expect(hire_page.locator("article.item")).to_contain_text(NEW_LINE.removeprefix("- "))
    hire_context.close()
