"""Every link lands on the viewer's own page, and no breadcrumb leads to a 404.

A link inside a day to another day is stored once, at import, as the curriculum reader's URL
(`/curriculum/items/N/`). On a journey page it points at that journey's page of the item (the
hire's own, the mentee's for their mentor); opened anyway, the reader sends a hire enrolled on
the version to their journey page and keeps authors on the reader.
"""

import datetime
import re

import pytest
from django.urls import reverse

from curriculum.models import Block, Item
from curriculum.paths import item_url as reader_url
from onboarding.services.journey import enrollment_create
from tests.onboarding.journey_support import demo_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrollment(hire, mentor):
    return enrollment_create(
        hire=hire, version=demo_version(), mentor=mentor, start_date=datetime.date(2026, 11, 2)
    )


def _item(enrollment, path: str) -> Item:
    return Item.objects.get(version=enrollment.version, source_path=path)


def journey(enrollment, item) -> str:
    return reverse("journey:item", args=[enrollment.pk, item.pk])


def test_the_stored_html_links_to_the_reader(enrollment):
    """The premise: the cached HTML of Day 02 names Day 01's reader page, with its fragment."""
    day1, day2 = (
        _item(enrollment, "chapter_00/day_01.md"),
        _item(enrollment, "chapter_00/day_02.md"),
    )
    stored = "".join(Block.objects.filter(item=day2).values_list("html", flat=True))
    assert f'href="{reader_url(day1.pk)}#goals"' in stored


def test_a_link_to_another_day_opens_the_hires_journey_page(client, hire, enrollment):
    day1, day2 = (
        _item(enrollment, "chapter_00/day_01.md"),
        _item(enrollment, "chapter_00/day_02.md"),
    )
    client.force_login(hire)
    html = client.get(journey(enrollment, day2)).content.decode()
    assert f'href="{journey(enrollment, day1)}#goals"' in html
    assert f'href="{reader_url(day1.pk)}' not in html
    # the page it opens is the hire's, with their controls
    opened = client.get(journey(enrollment, day1)).content.decode()
    assert "Complete day" in opened


def test_the_link_in_an_htmx_swapped_block_is_the_journeys_too(client, hire, enrollment):
    day0, day1 = (
        _item(enrollment, "chapter_00/day_00.md"),
        _item(enrollment, "chapter_00/day_01.md"),
    )
    linking = next(
        b for b in Block.objects.filter(item=day0) if reader_url(day1.pk) in b.html and b.key
    )
    assert linking.kind in ("goal", "action_item", "checklist_item"), linking.kind
    client.force_login(hire)
    response = client.post(
        reverse("journey:block_check", args=[enrollment.pk, day0.pk]),
        {"block_key": linking.key, "checked": "1"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert f'href="{journey(enrollment, day1)}"' in html
    assert reader_url(day1.pk) not in html


def test_the_mentor_on_the_mentees_page_follows_links_within_the_mentees_journey(
    client, mfa_passed, mentor, enrollment
):
    day1, day2 = (
        _item(enrollment, "chapter_00/day_01.md"),
        _item(enrollment, "chapter_00/day_02.md"),
    )
    mfa_passed(client, mentor)
    html = client.get(journey(enrollment, day2)).content.decode()
    assert f'href="{journey(enrollment, day1)}#goals"' in html
    assert client.get(journey(enrollment, day1)).status_code == 200


def test_the_reader_sends_a_hire_to_their_journey_page(client, hire, enrollment):
    day1 = _item(enrollment, "chapter_00/day_01.md")
    client.force_login(hire)
    response = client.get(reader_url(day1.pk))
    assert response.status_code == 302
    assert response["Location"] == journey(enrollment, day1)


def test_the_reader_keeps_an_author_on_the_reader(client, mfa_passed, admin, enrollment):
    day1 = _item(enrollment, "chapter_00/day_01.md")
    mfa_passed(client, admin)
    response = client.get(reader_url(day1.pk))
    assert response.status_code == 200
    assert reverse("curriculum:version_detail", args=[day1.version_id]) in response.content.decode()


def test_the_reader_for_a_hire_of_another_program_stays_the_reader(client, other_hire, enrollment):
    day1 = _item(enrollment, "chapter_00/day_01.md")
    client.force_login(other_hire)
    response = client.get(reader_url(day1.pk))
    assert response.status_code == 200  # a published item: readable, without a journey of theirs


# --- breadcrumbs: every one opens, for every role ---------------------------------------------------

_CRUMB = re.compile(r'<a href="([^"]+)"[^>]*>←')


def _crumbs(html: str) -> list[str]:
    return _CRUMB.findall(html)


def _assert_crumbs_open(client, path: str) -> int:
    response = client.get(path, follow=True)
    assert response.status_code == 200, path
    crumbs = _crumbs(response.content.decode())
    assert crumbs, f"no breadcrumb on {path}"
    for crumb in crumbs:
        assert client.get(crumb, follow=True).status_code == 200, (path, crumb)
    return len(crumbs)


def test_every_breadcrumb_on_journey_and_reader_pages_opens_for_each_role(
    client, mfa_passed, hire, mentor, other_hire, admin, enrollment
):
    day1, day2 = (
        _item(enrollment, "chapter_00/day_01.md"),
        _item(enrollment, "chapter_00/day_02.md"),
    )
    pages = [journey(enrollment, day1), journey(enrollment, day2), reader_url(day1.pk)]
    client.force_login(hire)
    for page in pages:
        _assert_crumbs_open(client, page)
    client.force_login(other_hire)  # a hire of no version of this program: the reader only
    _assert_crumbs_open(client, reader_url(day1.pk))
    for person in (mentor, admin):
        client.logout()
        mfa_passed(client, person)
        for page in pages:
            _assert_crumbs_open(client, page)


def test_every_breadcrumb_on_the_authoring_pages_opens_for_an_admin(client, mfa_passed, admin):
    version = demo_version()
    item = Item.objects.filter(version=version, kind="day").first()
    mfa_passed(client, admin)
    draft = client.post(reverse("curriculum:program_draft", args=[version.program_id]))
    assert draft.status_code in (302, 303), draft.status_code
    pages = [
        reverse("curriculum:version_detail", args=[version.pk]),
        reader_url(item.pk),
    ]
    draft_page = client.get(draft["Location"], follow=True)
    assert draft_page.status_code == 200
    draft_item = (
        Item.objects.filter(version__program=version.program, kind="day")
        .exclude(version=version)
        .first()
    )
    if draft_item is not None:
        pages += [
            reverse("curriculum:item_hire_preview", args=[draft_item.pk]),
            reader_url(draft_item.pk),
        ]
    for page in pages:
        _assert_crumbs_open(client, page)
