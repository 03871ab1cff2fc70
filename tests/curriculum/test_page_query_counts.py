"""Query counts of the curriculum pages the authoring tests do not count, flat in N (N > 1):
an item's reader (in its blocks and images), an image (in the version's assets), a version's
export (in items and assets) and a git import's progress page (in other imports)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from curriculum import authoring
from curriculum.models import Asset, Item, ProgramVersion
from curriculum.services import import_request_create, program_import
from tests.curriculum.support import write_tree

pytestmark = pytest.mark.django_db


def _day(n: int, sections: int, images: int) -> str:
    lines = [f"# Day {n:02d} - Topic {n}", "", "## Goals:"]
    lines += [f"- Learn part {g} of day {n}" for g in range(sections)]
    for s in range(1, sections + 1):
        lines += ["", f"## {s}. Section {s} of day {n}", f"Read section {s}."]
    lines += [""] + [f"![pic {i}](../assets/pic_{i:02d}.png)" for i in range(images)]
    return "\n".join(lines) + "\n"


def _program(tmp_path, *, slug: str, days: int, sections: int, images: int) -> ProgramVersion:
    """A published program of DAYS days, each with SECTIONS goals and sections, showing
    IMAGES images (one asset each)."""
    readme = "# Counted\n## Chapter 01: All\n" + "".join(
        f"- **[Day {n:02d}](./c1/day_{n:02d}.md):** Day {n}\n" for n in range(1, days + 1)
    )
    files: dict[str, str | bytes] = {"readme.md": readme}
    files |= {f"assets/pic_{i:02d}.png": b"\x89PNG fake %d" % i for i in range(images)}
    files |= {f"c1/day_{n:02d}.md": _day(n, sections, images) for n in range(1, days + 1)}
    result = program_import(
        source=write_tree(tmp_path / slug, files), program_slug=slug, publish=True
    )
    assert result.ok, result.parsed.errors
    return ProgramVersion.objects.get(pk=result.version.pk)


def _count(client, url: str):
    client.get(url)  # the session's first touch costs a query or two
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries), response


@pytest.fixture
def admin_client(client, admin, mfa_passed):
    return mfa_passed(client, admin)


@pytest.fixture
def versions(tmp_path):
    small = _program(tmp_path, slug="small", days=2, sections=2, images=2)
    large = _program(tmp_path, slug="large", days=12, sections=9, images=7)
    return small, large


@pytest.mark.query_count("curriculum:item_detail")
def test_an_items_reader_is_flat_in_blocks_and_images(admin_client, versions):
    counts, pages = [], []
    for version in versions:
        item = Item.objects.filter(version=version).order_by("position").first()
        count, response = _count(admin_client, reverse("curriculum:item_detail", args=[item.pk]))
        counts.append(count)
        pages.append(response.content.decode())
    assert "Section 9 of day 1" in pages[1] and "Section 9" not in pages[0]
    assert pages[1].count("/curriculum/assets/") > pages[0].count("/curriculum/assets/")
    assert counts[0] == counts[1], counts


@pytest.mark.query_count("curriculum:asset_file")
def test_an_image_is_flat_in_the_versions_assets(admin_client, versions):
    counts = []
    for version in versions:
        asset = Asset.objects.filter(version=version).order_by("path").last()
        name = asset.path.rsplit("/", 1)[-1]
        count, response = _count(
            admin_client, reverse("curriculum:asset_file", args=[asset.pk, name])
        )
        assert response.content == bytes(asset.content)
        counts.append(count)
    assert counts[0] == counts[1], counts


@pytest.mark.query_count("curriculum:version_export")
def test_a_versions_export_is_flat_in_items_and_assets(admin_client, admin, versions):
    counts, sizes = [], []
    for version in versions:
        draft = authoring.draft_for_program(program=version.program, user=admin)
        count, response = _count(
            admin_client, reverse("curriculum:version_export", args=[draft.pk])
        )
        counts.append(count)
        sizes.append(len(response.content))
    assert sizes[1] > sizes[0]
    assert counts[0] == counts[1], counts


@pytest.mark.query_count("curriculum:import_request_detail")
def test_a_git_imports_page_is_flat_in_imports(admin_client, admin, tmp_path):
    def queued(n: int):
        # queued: its worker runs after a commit that never comes (the test's transaction)
        return import_request_create(
            requested_by=admin, git_url=(tmp_path / f"repo{n}.git").as_uri()
        )

    first = queued(0)
    url = reverse("curriculum:import_request_detail", args=[first.pk])
    before, _ = _count(admin_client, url)
    for n in range(1, 6):
        queued(n)
    after, _ = _count(admin_client, url)
    newest = queued(6)
    newest_count, newest_page = _count(
        admin_client, reverse("curriculum:import_request_detail", args=[newest.pk])
    )
    assert "repo6.git" in newest_page.content.decode()
    assert before == after == newest_count
