"""Opening a resource through the app counts as read, and only ever goes to the stored link."""

import datetime

import pytest
from django.urls import reverse

from curriculum.markdown.structure import BlockKind
from curriculum.models import Block, Item
from onboarding.models import BlockCheck, EnrollmentState
from onboarding.services.journey import enrollment_create
from tests.onboarding.journey_support import demo_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(db):
    return demo_version()


@pytest.fixture
def enrollment(hire, mentor, version):
    return enrollment_create(
        hire=hire, version=version, mentor=mentor, start_date=datetime.date(2026, 11, 2)
    )


@pytest.fixture
def day1(version):
    return Item.objects.get(version=version, source_path="chapter_00/day_01.md")


@pytest.fixture
def resource(day1):
    return Block.objects.filter(item=day1, kind=BlockKind.RESOURCE).order_by("position").first()


def open_url(enrollment, item, key):
    return reverse(
        "journey:resource_open",
        kwargs={"enrollment_id": enrollment.pk, "item_id": item.pk, "block_key": key},
    )


def test_opening_a_resource_records_the_read_and_redirects_to_its_link(
    client, hire, enrollment, day1, resource
):
    client.force_login(hire)
    response = client.get(open_url(enrollment, day1, resource.key))
    assert response.status_code == 302
    assert response["Location"] == resource.data["url"]
    assert response["Referrer-Policy"] == "no-referrer"
    assert BlockCheck.objects.filter(enrollment=enrollment, block_key=resource.key).count() == 1
    client.get(open_url(enrollment, day1, resource.key))  # opening twice counts once
    assert BlockCheck.objects.filter(enrollment=enrollment, block_key=resource.key).count() == 1


def test_item_page_links_resources_through_the_open_view_in_a_new_tab(
    client, hire, enrollment, day1, resource
):
    client.force_login(hire)
    html = client.get(
        reverse("journey:item", kwargs={"enrollment_id": enrollment.pk, "item_id": day1.pk})
    ).content.decode()
    link = open_url(enrollment, day1, resource.key)
    assert f'href="{link}"' in html
    tag = html[html.index(f'href="{link}"') - 200 : html.index(f'href="{link}"') + 200]
    assert 'target="_blank"' in tag and 'rel="noopener noreferrer"' in tag


@pytest.mark.parametrize(
    "bad_url", ["javascript:alert(1)", "data:text/html,hi", "//evil.example/x", "/journey/", ""]
)
def test_a_resource_with_an_unsafe_link_is_a_404_and_no_redirect(
    client, hire, enrollment, day1, resource, bad_url
):
    # The parser never stores such links; the view refuses them anyway (second line of defence).
    Block.objects.filter(pk=resource.pk).update(data={**resource.data, "url": bad_url})
    client.force_login(hire)
    response = client.get(open_url(enrollment, day1, resource.key))
    assert response.status_code == 404
    assert not BlockCheck.objects.exists()


def test_only_resource_blocks_open_and_the_url_is_never_taken_from_the_request(
    client, hire, enrollment, day1, resource
):
    client.force_login(hire)
    goal = Block.objects.filter(item=day1, kind=BlockKind.GOAL).first()
    assert client.get(open_url(enrollment, day1, goal.key)).status_code == 404
    assert client.get(open_url(enrollment, day1, "no-such-key")).status_code == 404
    response = client.get(
        open_url(enrollment, day1, resource.key) + "?next=https://evil.example/&url=https://evil"
    )
    assert response["Location"] == resource.data["url"]
    assert not BlockCheck.objects.filter(block_key=goal.key).exists()


def test_another_hire_gets_404_and_nothing_is_recorded(
    client, other_hire, enrollment, day1, resource
):
    client.force_login(other_hire)
    assert client.get(open_url(enrollment, day1, resource.key)).status_code == 404
    assert not BlockCheck.objects.exists()


def test_anonymous_visitor_is_sent_to_log_in(client, enrollment, day1, resource):
    response = client.get(open_url(enrollment, day1, resource.key))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_paused_hire_can_still_open_a_resource_without_recording_it(
    client, hire, enrollment, day1, resource
):
    enrollment.state = EnrollmentState.PAUSED
    enrollment.save()
    client.force_login(hire)
    response = client.get(open_url(enrollment, day1, resource.key))
    assert response.status_code == 302
    assert not BlockCheck.objects.exists()
