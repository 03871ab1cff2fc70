"""'Request this meeting': the service (idempotent, the mentor's email), the block and the home."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from curriculum.markdown.structure import BlockKind
from curriculum.models import Block, Item
from onboarding.models import MeetingRequest, MeetingRequestState, OutboundEmail
from onboarding.services.journey import enrollment_create, meeting_request_create
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
def day4(version):
    return Item.objects.get(version=version, source_path="chapter_01/day_04.md")


@pytest.fixture
def meeting_block(day4):
    return Block.objects.get(item=day4, kind=BlockKind.MEETING_REQUEST)


def url(name, enrollment, item):
    return reverse(f"journey:{name}", kwargs={"enrollment_id": enrollment.pk, "item_id": item.pk})


# --- the service ---------------------------------------------------------------------------------


def test_meeting_request_create_asks_once_and_emails_the_mentor_once(
    enrollment, hire, mentor, day4, meeting_block, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        first = meeting_request_create(
            enrollment=enrollment,
            by=hire,
            item=day4,
            block_key=meeting_block.key,
            note="I'd like to see a real incident.",
        )
        second = meeting_request_create(
            enrollment=enrollment, by=hire, item=day4, block_key=meeting_block.key, note="again"
        )
    assert first.pk == second.pk
    assert second.note == "I'd like to see a real incident."  # the second click changed nothing
    assert (first.state, first.requested_by) == (MeetingRequestState.REQUESTED, hire)
    email = OutboundEmail.objects.get()
    assert email.to == mentor.email
    assert email.dedupe_key == f"meeting-request:{first.pk}"
    assert "Hana Hire" in email.subject and "\n" not in email.subject
    assert "I'd like to see a real incident." in email.body_text
    assert f"/journey/{enrollment.pk}/items/{day4.pk}/#block-{meeting_block.position}" in (
        email.body_text
    )


def test_a_closed_request_lets_the_hire_ask_again(enrollment, hire, day4, meeting_block):
    first = meeting_request_create(
        enrollment=enrollment, by=hire, item=day4, block_key=meeting_block.key
    )
    MeetingRequest.objects.filter(pk=first.pk).update(state=MeetingRequestState.DECLINED)
    again = meeting_request_create(
        enrollment=enrollment, by=hire, item=day4, block_key=meeting_block.key
    )
    assert again.pk != first.pk
    assert OutboundEmail.objects.count() == 2


def test_without_a_mentor_the_request_is_kept_and_nobody_is_emailed(
    hire, version, day4, meeting_block
):
    enrollment = enrollment_create(hire=hire, version=version)
    meeting_request_create(enrollment=enrollment, by=hire, item=day4, block_key=meeting_block.key)
    assert MeetingRequest.objects.count() == 1
    assert not OutboundEmail.objects.exists()


def test_meeting_request_refuses_other_blocks_other_people_and_bad_notes(
    enrollment, hire, other_hire, mentor, day4, meeting_block
):
    goal = Block.objects.filter(item=day4, kind=BlockKind.GOAL).first()
    with pytest.raises(ValidationError, match="can't be used here"):
        meeting_request_create(enrollment=enrollment, by=hire, item=day4, block_key=goal.key)
    with pytest.raises(PermissionDenied):
        meeting_request_create(
            enrollment=enrollment, by=other_hire, item=day4, block_key=meeting_block.key
        )
    with pytest.raises(PermissionDenied):  # the mentor arranges; the hire asks
        meeting_request_create(
            enrollment=enrollment, by=mentor, item=day4, block_key=meeting_block.key
        )
    for note in ("nul \x00", "x" * 2_001, "rtl \u202e"):
        with pytest.raises(ValidationError):
            meeting_request_create(
                enrollment=enrollment, by=hire, item=day4, block_key=meeting_block.key, note=note
            )
    assert not MeetingRequest.objects.exists()
    assert not OutboundEmail.objects.exists()


# --- the pages -----------------------------------------------------------------------------------


def test_request_with_htmx_swaps_the_block_and_shows_the_state(
    client, hire, enrollment, day4, meeting_block
):
    client.force_login(hire)
    page = client.get(url("item", enrollment, day4)).content.decode()
    assert "Request this meeting" in page
    response = client.post(
        url("meeting_request", enrollment, day4),
        {"block_key": meeting_block.key, "note": "Please"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "Meeting requested" in html and "Request this meeting" not in html
    page = client.get(url("item", enrollment, day4)).content.decode()
    assert "Meeting requested" in page


def test_request_without_javascript_redirects_back_to_the_block(
    client, hire, enrollment, day4, meeting_block
):
    client.force_login(hire)
    target = url("meeting_request", enrollment, day4)
    for _ in range(2):  # a double submit asks once
        response = client.post(target, {"block_key": meeting_block.key})
        assert response.status_code == 302
        assert response["Location"].endswith(f"#block-{meeting_block.position}")
    assert MeetingRequest.objects.count() == 1


def test_home_lists_open_meeting_requests_under_waiting_on_your_mentor(
    client, hire, enrollment, day4, meeting_block
):
    meeting_request_create(enrollment=enrollment, by=hire, item=day4, block_key=meeting_block.key)
    client.force_login(hire)
    html = client.get(reverse("home")).content.decode()
    assert "Waiting on your mentor" in html
    assert "A meeting you asked for (requested)" in html


def test_a_note_with_a_nul_byte_is_a_400_and_saves_nothing(
    client, hire, enrollment, day4, meeting_block
):
    client.force_login(hire)
    response = client.post(
        url("meeting_request", enrollment, day4), {"block_key": meeting_block.key, "note": "\x00"}
    )
    assert response.status_code == 400
    assert not MeetingRequest.objects.exists()


def test_a_refused_note_returns_to_the_block_with_its_message_and_text(
    client, hire, enrollment, day4, meeting_block
):
    client.force_login(hire)
    response = client.post(
        url("meeting_request", enrollment, day4),
        {"block_key": meeting_block.key, "note": "x" * 2_001},
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#block-{meeting_block.position}")
    html = client.get(response["Location"]).content.decode()
    assert 'class="errorlist' in html and "x" * 2_001 in html
    assert not MeetingRequest.objects.exists()


def test_request_for_a_block_that_is_not_a_meeting_is_a_400(client, hire, enrollment, day4):
    client.force_login(hire)
    goal = Block.objects.filter(item=day4, kind=BlockKind.GOAL).first()
    response = client.post(url("meeting_request", enrollment, day4), {"block_key": goal.key})
    assert response.status_code == 400
    assert not MeetingRequest.objects.exists()


def test_another_hire_gets_404_and_nothing_is_asked(
    client, other_hire, enrollment, day4, meeting_block
):
    client.force_login(other_hire)
    response = client.post(
        url("meeting_request", enrollment, day4), {"block_key": meeting_block.key}
    )
    assert response.status_code == 404
    assert not MeetingRequest.objects.exists()
