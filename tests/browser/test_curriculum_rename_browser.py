"""The version page of a re-import says which files were renamed (and from what)."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from curriculum.services import program_import
from tests.curriculum.support import DAY, write_tree

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

README = "# Renames\n\n## Chapter 01: Start\n- **[Day 01](./chapter_01/{one}):** One\n"


def test_version_page_lists_renamed_items(
    page, live_server, admin, mfa_passed, client, shoot, tmp_path
):
    root = tmp_path / "renames"
    write_tree(
        root,
        {
            "readme.md": README.format(one="day_01.md"),
            "chapter_01/day_01.md": DAY.format(n=1, title="One"),
        },
    )
    program_import(source=root, program_slug="renames", publish=True)
    (root / "chapter_01" / "day_01.md").unlink()
    edited = DAY.format(n=1, title="One").replace("Read about One.", "Read all about One.")
    write_tree(root, {"readme.md": README.format(one="day_05.md"), "chapter_01/day_05.md": edited})
    second = program_import(source=root, program_slug="renames").version
    mfa_passed(client, admin)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])

    page.goto(live_server.url + reverse("curriculum:version_detail", args=[second.pk]))

    renamed = page.locator("dt", has_text="Items renamed").locator("xpath=..")
    expect(renamed).to_contain_text("chapter_01/day_05.md renamed from chapter_01/day_01.md")
    expect(page.locator("dt", has_text="Items added").locator("xpath=..")).to_contain_text("none")
    shoot("version-renamed")
