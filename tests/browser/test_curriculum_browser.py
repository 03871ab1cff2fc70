"""A program admin imports the demo program in the browser, checks it, publishes, reads a day."""

import zipfile
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from curriculum.models import ProgramVersion

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO = Path(__file__).resolve().parents[2] / "curriculum" / "demo" / "program"


def test_admin_imports_previews_publishes_and_reads_a_day(
    page, live_server, admin, mfa_passed, client, shoot, tmp_path
):
    archive = tmp_path / "lighthouse.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        for path in sorted(DEMO.rglob("*")):
            if path.is_file():
                handle.write(path, Path("lighthouse") / path.relative_to(DEMO))
    mfa_passed(client, admin)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])

    page.goto(live_server.url + reverse("curriculum:program_list"))
    shoot("programs-empty")
    page.get_by_label("Upload a .zip or a .md file").set_input_files(str(archive))
    page.get_by_role("button", name="Import").click()

    expect(page.get_by_role("heading", name="Warnings")).to_be_visible()
    shoot("version-preview")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Publish version 1").click()
    expect(page.get_by_text("is now the one new hires start on")).to_be_visible()
    assert ProgramVersion.objects.get().state == "published"

    page.get_by_role("link", name="Welcome").first.click()
    expect(page.locator("article.item h1")).to_contain_text("Day 00")
    shoot("item-day-00")
