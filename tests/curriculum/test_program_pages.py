"""Program admin pages: import by upload, preview, publish, browse items as hires see them."""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from curriculum.models import Item, ProgramVersion
from curriculum.services import program_import
from tests.support.refused import assert_refused_back

pytestmark = pytest.mark.django_db

DEMO = Path(__file__).resolve().parents[2] / "curriculum" / "demo" / "program"


def _zip_of(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, Path("program") / path.relative_to(folder))
    return buffer.getvalue()


@pytest.fixture
def admin_client(client, admin, mfa_passed):
    return mfa_passed(client, admin)


def test_admin_imports_a_zip_and_sees_the_preview(admin_client):
    upload = SimpleUploadedFile("lighthouse.zip", _zip_of(DEMO), content_type="application/zip")

    response = admin_client.post(
        reverse("curriculum:program_list"), {"upload": upload, "program_slug": "lighthouse"}
    )

    version = ProgramVersion.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("curriculum:version_detail", args=[version.pk])
    page = admin_client.get(response["Location"]).content.decode()
    assert "Publish version 1" in page
    assert "Day 05" in page  # the demo's deliberate table-of-contents quirk is a warning


def test_identical_reimport_says_no_changes(admin_client):
    program_import(source=DEMO, program_slug="lighthouse")
    upload = SimpleUploadedFile("lighthouse.zip", _zip_of(DEMO))

    response = admin_client.post(
        reverse("curriculum:program_list"),
        {"upload": upload, "program_slug": "lighthouse"},
        follow=True,
    )

    assert "No changes" in response.content.decode()
    assert ProgramVersion.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose one"),
        ({"git_url": "not a url"}, "does not look like a git URL"),
        ({"upload": SimpleUploadedFile("evil.exe", b"MZ")}, "Upload a .zip"),
        ({"upload": SimpleUploadedFile("bad.zip", b"not a zip")}, "zip"),
        ({"git_url": "ftp://example.com/repo.git"}, "not allowed"),
        ({"git_url": "https://example.com/r.git", "ref": "--upload-pack=evil"}, "branch or tag"),
    ],
    ids=["nothing", "bad-url", "wrong-type", "corrupt-zip", "bad-scheme", "bad-ref"],
)
def test_bad_imports_get_a_message_and_create_nothing(admin_client, data, message):
    page = reverse("curriculum:program_list")
    response = admin_client.post(page, data)

    # Post/redirect/get: back on the programs page at the import form, the message once, and a
    # typed git address kept in its box.
    html = assert_refused_back(admin_client, response, page, "#import-heading", message)
    if data.get("git_url"):
        assert f'value="{data["git_url"]}"' in html
    assert not ProgramVersion.objects.exists()


def test_publish_makes_the_version_current(admin_client):
    version = program_import(source=DEMO, program_slug="lighthouse").version

    admin_client.post(reverse("curriculum:version_publish", args=[version.pk]))

    version.refresh_from_db()
    assert version.state == "published"


def test_item_page_shows_every_block_rendered(admin_client):
    version = program_import(source=DEMO, program_slug="lighthouse").version
    item = Item.objects.filter(version=version, kind="day").order_by("pk").first()

    page = admin_client.get(reverse("curriculum:item_detail", args=[item.pk])).content.decode()

    for block in item.blocks.all():
        assert block.html in page


def test_hires_see_published_items_only(client, hire, admin):
    version = program_import(source=DEMO, program_slug="lighthouse").version
    item = Item.objects.filter(version=version).first()
    client.force_login(hire)
    url = reverse("curriculum:item_detail", args=[item.pk])

    assert client.get(url).status_code == 404  # a draft
    from curriculum.services import version_publish

    version_publish(version=version, published_by=admin)
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("name", ["curriculum:program_list"])
def test_only_program_admins_reach_the_admin_pages(client, hire, mentor, mfa_passed, name):
    client.force_login(hire)
    assert client.get(reverse(name)).status_code == 404
    mfa_passed(client, mentor)
    assert client.get(reverse(name)).status_code == 404


@pytest.mark.query_count("curriculum:version_detail")
def test_version_page_query_count_does_not_grow_with_items(
    admin_client, django_assert_max_num_queries
):
    small = program_import(source=DEMO / "chapter_00" / "day_00.md", program_slug="one").version
    large = program_import(source=DEMO, program_slug="many").version
    admin_client.get(reverse("curriculum:version_detail", args=[small.pk]))
    with django_assert_max_num_queries(9) as captured:  # 8 + the header bell
        admin_client.get(reverse("curriculum:version_detail", args=[small.pk]))
    small_count = len(captured.captured_queries)
    with django_assert_max_num_queries(small_count):
        admin_client.get(reverse("curriculum:version_detail", args=[large.pk]))


@pytest.mark.query_count("curriculum:program_list")
def test_program_list_query_count_does_not_grow(admin_client, django_assert_max_num_queries):
    program_import(source=DEMO, program_slug="a")
    admin_client.get(reverse("curriculum:program_list"))
    with django_assert_max_num_queries(8) as captured:  # 7 + the header bell
        admin_client.get(reverse("curriculum:program_list"))
    for slug in ("b", "c", "d"):
        program_import(source=DEMO, program_slug=slug)
    with django_assert_max_num_queries(len(captured.captured_queries)):
        admin_client.get(reverse("curriculum:program_list"))
