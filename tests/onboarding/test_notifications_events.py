"""People hear about what needs them: a mentor's in-app note for a question from their hire, a
submission, a meeting request, and an organiser's for "find another time"; each written by the
real request (the hire's POST), once, for that mentor only, and opening at the exact spot."""

import datetime

import pytest
from django.urls import reverse

from curriculum.markdown.structure import BlockKind
from curriculum.models import Block, Item
from onboarding.models import MeetingResponse, Notification, OutboundEmail, Question
from onboarding.services import meetings as meeting_services
from onboarding.services.notifications import meeting_requested_notify, question_asked_notify
from tests.onboarding import desk_support
from tests.onboarding.meetings_support import DAY4, next_week_monday

pytestmark = pytest.mark.django_db

version = desk_support.version
enrollment = desk_support.enrollment
other_enrollment = desk_support.other_enrollment
day1 = desk_support.day1


def item_url(name, enrollment, item):
    return reverse(f"journey:{name}", kwargs={"enrollment_id": enrollment.pk, "item_id": item.pk})


def only_note(kind: str) -> Notification:
    [note] = Notification.objects.filter(kind=kind)
    return note


def lands_at_the_spot(client, note: Notification) -> str:
    """Open the note as its recipient does (its button on the list) and check where it lands."""
    opened = client.post(reverse("notifications:open", args=[note.pk]))
    assert opened.status_code == 302 and opened["Location"] == note.link
    path, _, anchor = note.link.partition("#")
    page = client.get(path)
    assert page.status_code == 200
    html = page.content.decode()
    if anchor:
        assert f'id="{anchor}"' in html, f"#{anchor} is not on {path}"
    note.refresh_from_db()
    assert note.read_at is not None
    return html


@pytest.fixture
def hire_client(client, hire):
    client.force_login(hire)
    return client


def test_a_question_from_the_hire_tells_their_mentor_and_opens_the_thread(
    hire_client, enrollment, other_enrollment, day1, mentor, mfa_passed
):
    response = hire_client.post(
        reverse("desk:question_ask", kwargs={"enrollment_id": enrollment.pk, "item_id": day1.pk}),
        {"body": "Where is the VPN guide?", "block_key": ""},
    )
    assert response.status_code == 302

    note = only_note("question_asked")  # one, and nobody else's (the other mentor has none)
    assert note.recipient == mentor and note.in_app
    assert "Where is the VPN guide?" in note.body
    # The mentor's email is the question's own, as before (no second one from the note).
    assert OutboundEmail.objects.filter(to=mentor.email).count() == 1
    html = lands_at_the_spot(mfa_passed(hire_client, mentor), note)
    assert "Where is the VPN guide?" in html


def test_a_submitted_reflection_tells_the_mentor_and_opens_that_round(
    hire_client, enrollment, other_enrollment, day1, mentor, mfa_passed
):
    prompts = desk_support.prompt_keys(day1)
    response = hire_client.post(
        item_url("reflection_save", enrollment, day1),
        {
            "action": "submit",
            **{f"prompt_{n}": "I learned a lot." for n in range(1, len(prompts) + 1)},
        },
    )
    assert response.status_code == 302

    note = only_note("new_submission")
    assert note.recipient == mentor
    assert note.link.endswith("#round-1")
    html = lands_at_the_spot(mfa_passed(hire_client, mentor), note)
    assert "I learned a lot." in html


def test_a_meeting_request_tells_the_mentor_and_opens_the_arrange_form_for_it(
    hire_client, enrollment, other_enrollment, mentor, mfa_passed
):
    day4 = Item.objects.get(version=enrollment.version, source_path=DAY4)
    block = Block.objects.get(item=day4, kind=BlockKind.MEETING_REQUEST)
    response = hire_client.post(
        item_url("meeting_request", enrollment, day4),
        {"block_key": block.key, "note": "With the client team, please."},
    )
    assert response.status_code == 302
    request = enrollment.meeting_requests.get()

    note = only_note("meeting_requested")
    assert note.recipient == mentor
    html = lands_at_the_spot(mfa_passed(hire_client, mentor), note)
    assert f'name="request" value="{request.pk}"' in html  # the form arranges this request
    assert "With the client team, please." in html
    assert OutboundEmail.objects.filter(dedupe_key=f"meeting-request:{request.pk}").count() == 1


def test_asking_for_another_time_tells_the_organiser_in_the_app(
    hire_client, hire, enrollment, other_enrollment, mentor, mfa_passed,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    monday = next_week_monday()
    with django_capture_on_commit_callbacks(execute=True):
        meeting = meeting_services.meeting_arrange(
            organiser=mentor,
            enrollment=enrollment,
            title="First week check-in",
            agenda="",
            duration_minutes=30,
            earliest=monday,
            latest=monday + datetime.timedelta(days=4),
        )
    meeting.refresh_from_db()
    assert meeting.state == "booked"
    response = hire_client.post(
        reverse("meetings:respond", args=[meeting.pk]),
        {"response": "new_time", "note": "Could we do Friday?"},
    )
    assert response.status_code == 302
    assert meeting.participants.get(user=hire).response == MeetingResponse.NEW_TIME

    note = only_note("meeting_answers")
    assert note.recipient == mentor and "Could we do Friday?" in note.body
    html = lands_at_the_spot(mfa_passed(hire_client, mentor), note)
    assert "Could we do Friday?" in html


def test_the_mentor_chooses_the_channels_of_the_new_kinds(
    hire_client, enrollment, day1, mentor, mfa_passed
):
    mentor.notification_preferences = {"question_asked": "off", "meeting_requested": "in_app"}
    mentor.save(update_fields=["notification_preferences"])
    ask = reverse("desk:question_ask", kwargs={"enrollment_id": enrollment.pk, "item_id": day1.pk})
    hire_client.post(ask, {"body": "Anyone there?", "block_key": ""})
    assert not Notification.objects.filter(kind="question_asked").exists()
    assert not OutboundEmail.objects.filter(to=mentor.email).exists()  # "off": nothing at all

    day4 = Item.objects.get(version=enrollment.version, source_path=DAY4)
    block = Block.objects.get(item=day4, kind=BlockKind.MEETING_REQUEST)
    hire_client.post(item_url("meeting_request", enrollment, day4), {"block_key": block.key})
    assert only_note("meeting_requested").in_app
    assert not OutboundEmail.objects.filter(to=mentor.email).exists()  # in-app only: no email

    profile = mfa_passed(hire_client, mentor).get(reverse("accounts:profile")).content.decode()
    for label in (
        "A mentee asked me a question",
        "A mentee asked for a meeting",
        "come to my meeting or asks for another time",  # after an apostrophe, escaped
    ):
        assert label in profile, label


def test_each_event_is_one_note_however_often_it_is_told(hire_client, enrollment, day1, mentor):
    """An on-commit hook or a task that runs again (a retry, a redelivery) must not tell the
    mentor twice, and a second question must not be taken for a repeat of the first: each note
    carries its own event's key."""
    for body in ("Where is the VPN guide?", "Who owns the staging database?"):
        hire_client.post(
            reverse(
                "desk:question_ask", kwargs={"enrollment_id": enrollment.pk, "item_id": day1.pk}
            ),
            {"body": body, "block_key": ""},
        )
    day4 = Item.objects.get(version=enrollment.version, source_path=DAY4)
    block = Block.objects.get(item=day4, kind=BlockKind.MEETING_REQUEST)
    hire_client.post(item_url("meeting_request", enrollment, day4), {"block_key": block.key})
    notes = sorted(Notification.objects.values_list("kind", "body", "pk"))
    assert [(kind, body) for kind, body, _ in notes] == [
        ("meeting_requested", notes[0][1]),
        ("question_asked", "Where is the VPN guide?"),
        ("question_asked", "Who owns the staging database?"),
    ]

    for question in Question.objects.all():
        question_asked_notify(question=question)
    meeting_requested_notify(request=enrollment.meeting_requests.get())

    assert sorted(Notification.objects.values_list("kind", "body", "pk")) == notes
