"""Meetings: arrange → book (task run eagerly after commit) → invites; answers, reschedule, cancel.

The real-worker race and the SMTP end-to-end test are in test_meetings_worker.py.
"""

import datetime
import time
from email import message_from_string
from zoneinfo import ZoneInfo

import pytest
from django.core import mail, signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from onboarding.ics import meeting_invite_ics
from onboarding.models import (
    Meeting,
    MeetingBooking,
    MeetingParticipant,
    MeetingRequestState,
    MeetingResponse,
    MeetingState,
    OutboundEmail,
)
from onboarding.services import meetings as services
from onboarding.services.mail import _smtp_message
from tests.onboarding.meetings_support import (
    client_team,
    enroll,
    events,
    invites,
    next_week_monday,
    parse_ics,
    request_meeting,
    set_zone,
)
from tests.support.refused import assert_refused_back

pytestmark = pytest.mark.django_db
UTC = datetime.UTC


@pytest.fixture
def enrollment(hire, mentor):
    return enroll(hire, mentor)


@pytest.fixture
def team(admin):
    return client_team(admin)


@pytest.fixture
def arrange(mentor, enrollment, django_capture_on_commit_callbacks):
    """Arrange a meeting and run what happens after commit (the task, eagerly; the emails)."""

    def run(**kwargs):
        monday = next_week_monday()
        values = {
            "organiser": mentor,
            "enrollment": enrollment,
            "title": "Meet the client team",
            "agenda": "1. Introductions\n2. How they use our API",
            "duration_minutes": 60,
            "earliest": monday,
            "latest": monday + datetime.timedelta(days=4),
            **kwargs,
        }
        with django_capture_on_commit_callbacks(execute=True):
            meeting = services.meeting_arrange(**values)
        meeting.refresh_from_db()
        return meeting

    return run


def _calendar_part_method(email: OutboundEmail) -> str:
    """The method parameter of the text/calendar part, as a mail program reads it."""
    parsed = message_from_string(_smtp_message(email).message().as_string())
    [part] = [p for p in parsed.walk() if p.get_content_type() == "text/calendar"]
    return part.get_param("method")


def _monday_at(hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(next_week_monday(), datetime.time(hour, minute), tzinfo=UTC)


# --- arranging and booking -------------------------------------------------------------------


def test_meeting_arrange_books_the_earliest_slot_and_invites_everyone(
    arrange, hire, mentor, enrollment, team
):
    request = request_meeting(enrollment, hire)
    meeting = arrange(client_team=team, request=request)

    assert meeting.state == MeetingState.BOOKED
    assert meeting.starts_at == _monday_at(9) and meeting.ends_at == _monday_at(10)
    people = list(meeting.participants.order_by("pk"))
    assert {p.email for p in people} == {hire.email, mentor.email, "carla0@acme.example"}
    assert MeetingBooking.objects.filter(meeting=meeting).count() == 3
    request.refresh_from_db()
    assert request.state == MeetingRequestState.BOOKED
    sent = invites(meeting)
    assert sorted(e.to for e in sent) == sorted(p.email for p in people)
    assert all(e.ics and "METHOD:REQUEST" in e.ics for e in sent)
    assert len(mail.outbox) == 3  # the outbox rows were delivered after commit


def test_the_item_page_shows_the_meeting_its_block_asked_for_and_no_card_elsewhere(
    client, arrange, hire, enrollment, team
):
    request = request_meeting(enrollment, hire)
    meeting = arrange(client_team=team, request=request, title="Meet Acme's on-call team")
    client.force_login(hire)

    def item_html(item_id: int) -> str:
        response = client.get(reverse("journey:item", args=[enrollment.pk, item_id]))
        assert response.status_code == 200
        return response.content.decode()

    html = item_html(request.item_id)
    assert 'class="card meetings-upcoming"' in html
    assert reverse("meetings:detail", args=[meeting.pk]) in html
    other = enrollment.version.items.exclude(pk=request.item_id).first()
    assert 'class="card meetings-upcoming"' not in item_html(other.pk)  # it asks for none


def test_the_slot_respects_each_persons_zone(arrange, hire, mentor, admin):
    # Jerusalem 09-17 and New York 09-17 share one or two hours (depending on DST): the
    # meeting lands in both working days.
    set_zone(hire, "America/New_York")
    team = client_team(admin, name="Tel Aviv team", zone="Asia/Jerusalem")
    meeting = arrange(client_team=team, duration_minutes=30)
    assert meeting.state == MeetingState.BOOKED
    for zone in ("America/New_York", "Asia/Jerusalem"):
        local_start = meeting.starts_at.astimezone(ZoneInfo(zone))
        local_end = meeting.ends_at.astimezone(ZoneInfo(zone))
        assert datetime.time(9) <= local_start.time() and local_end.time() <= datetime.time(17)


def test_a_busy_person_gets_the_next_slot(arrange, hire, mentor, team):
    first = arrange(client_team=team)
    second = arrange(client_team=team, title="Second meeting")
    assert second.starts_at == first.ends_at  # no buffer asked for: back to back
    third = arrange(client_team=team, title="Third", buffer_minutes=15)
    assert third.starts_at == second.ends_at + datetime.timedelta(minutes=15)


def test_no_slot_records_why_and_tells_the_mentor(arrange, admin, mentor, enrollment, hire):
    monday = next_week_monday()
    away = [(monday + datetime.timedelta(days=n)).isoformat() for n in range(5)]
    team = client_team(admin, name="Away team", away=away)
    request = request_meeting(enrollment, hire)
    meeting = arrange(client_team=team, request=request)

    assert meeting.state == MeetingState.FAILED
    assert "Carla Client 0 has no working time" in meeting.failure_reason
    assert not MeetingBooking.objects.filter(meeting=meeting).exists()
    [told] = OutboundEmail.objects.filter(dedupe_key__endswith=":no-slot")
    assert told.to == mentor.email and meeting.failure_reason in told.body_text
    request.refresh_from_db()
    assert request.state == MeetingRequestState.ARRANGING  # still the mentor's to solve


def test_meeting_schedule_twice_books_once(arrange, team):
    meeting = arrange(client_team=team)
    again = services.meeting_schedule(meeting_id=meeting.pk)
    assert again.state == MeetingState.BOOKED and again.sequence == meeting.sequence
    assert MeetingBooking.objects.filter(meeting=meeting).count() == 3
    assert len(invites(meeting)) == 3


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"title": "Line one\r\nBCC: x@example.com"}, "one line"),
        ({"title": "   "}, "required"),
        ({"title": "x\x00y"}, "control characters"),
        ({"agenda": "a" * 5_001}, "too long"),
        ({"latest": datetime.date(2020, 1, 3), "earliest": datetime.date(2020, 1, 1)}, "past"),
        ({"latest": datetime.date(2020, 1, 1), "earliest": datetime.date(2020, 1, 3)}, "before"),
        ({"duration_minutes": 7}, "lengths"),
        ({"buffer_minutes": -5}, "buffer"),
    ],
)
def test_meeting_arrange_refuses_bad_input_and_saves_nothing(arrange, change, message):
    with pytest.raises(ValidationError, match=message):
        arrange(**change)
    assert not Meeting.objects.exists() and not MeetingParticipant.objects.exists()


def test_only_the_mentor_or_an_admin_arranges(arrange, other_mentor, hire, admin):
    for outsider in (other_mentor, hire):
        with pytest.raises(PermissionDenied):
            arrange(organiser=outsider)
    assert arrange(organiser=admin).state == MeetingState.BOOKED


def test_a_request_is_answered_by_one_live_meeting(arrange, enrollment, hire, team):
    request = request_meeting(enrollment, hire)
    arrange(client_team=team, request=request)
    with pytest.raises(ValidationError, match="is booked"):
        arrange(client_team=team, request=request)


# --- the database guarantee --------------------------------------------------------------------


def test_the_exclusion_constraint_refuses_an_overlap_for_the_same_person(arrange):
    meeting = arrange()
    booking = MeetingBooking.objects.filter(meeting=meeting).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        MeetingBooking.objects.create(
            meeting=meeting,
            person=booking.person,
            starts_at=booking.starts_at + datetime.timedelta(minutes=30),
            ends_at=booking.ends_at + datetime.timedelta(minutes=30),
        )
    # Back to back is not an overlap ([start, end) ranges), and other people are free.
    MeetingBooking.objects.create(
        meeting=meeting,
        person=booking.person,
        starts_at=booking.ends_at,
        ends_at=booking.ends_at + datetime.timedelta(minutes=30),
    )
    MeetingBooking.objects.create(
        meeting=meeting,
        person="email:someone@else.example",
        starts_at=booking.starts_at,
        ends_at=booking.ends_at,
    )


def test_a_booking_that_loses_the_race_searches_again(arrange, team, monkeypatch):
    first = arrange(client_team=team)
    # The second worker read the bookings before the first committed: it sees nobody busy.
    real = services._availability
    calls = []

    def stale_then_fresh(meeting, participants):
        people = real(meeting, participants)
        calls.append(1)
        if len(calls) == 1:
            return [p.__class__(**{**p.__dict__, "busy": ()}) for p in people]
        return people

    monkeypatch.setattr(services, "_availability", stale_then_fresh)
    second = arrange(client_team=team, title="Second")
    assert len(calls) == 2
    assert second.state == MeetingState.BOOKED and second.starts_at == first.ends_at


# --- the .ics ----------------------------------------------------------------------------------


def test_the_invite_is_one_vevent_with_uid_organiser_attendees_and_utc_times(
    arrange, team, mentor, hire
):
    meeting = arrange(client_team=team)
    email = invites(meeting)[0]
    calendar = parse_ics(email.ics)
    assert calendar["METHOD"] == "REQUEST"
    [event] = events(calendar)
    assert str(event["UID"]) == meeting.uid
    assert event["SEQUENCE"] == 0
    assert event.decoded("DTSTART") == meeting.starts_at
    assert event.decoded("DTSTART").utcoffset() == datetime.timedelta(0)
    assert "DTSTART:" in email.ics and email.ics.split("DTSTART:")[1][:16].endswith("Z")
    assert str(event["ORGANIZER"]) == f"mailto:{mentor.email}"
    attendees = {str(a) for a in event["ATTENDEE"]}
    assert attendees == {
        f"mailto:{hire.email}",
        f"mailto:{mentor.email}",
        "mailto:carla0@acme.example",
    }
    assert str(event["DESCRIPTION"]) == meeting.agenda
    assert _calendar_part_method(email) == "REQUEST"


def test_reschedule_keeps_the_uid_and_raises_the_sequence(
    arrange, mentor, team, django_capture_on_commit_callbacks
):
    meeting = arrange(client_team=team)
    uid = meeting.uid
    later = next_week_monday() + datetime.timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_reschedule(actor=mentor, meeting=meeting, earliest=later, latest=later)
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.BOOKED and meeting.sequence == 1
    assert meeting.uid == uid and meeting.starts_at.date() == later
    updates = [e for e in invites(meeting) if ":seq1:REQUEST:" in e.dedupe_key]
    assert len(updates) == 3
    [event] = events(parse_ics(updates[0].ics))
    assert str(event["UID"]) == uid and event["SEQUENCE"] == 1
    assert updates[0].subject.startswith("Updated invitation")
    # Only the new time is held.
    assert set(
        MeetingBooking.objects.filter(meeting=meeting).values_list("starts_at", flat=True)
    ) == {meeting.starts_at}


def test_a_reschedule_with_no_slot_keeps_the_old_time(
    arrange, mentor, admin, enrollment, django_capture_on_commit_callbacks
):
    monday = next_week_monday()
    team = client_team(
        admin, name="Part-time", away=[(monday + datetime.timedelta(days=3)).isoformat()]
    )
    meeting = arrange(client_team=team)
    thursday = monday + datetime.timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_reschedule(
            actor=mentor, meeting=meeting, earliest=thursday, latest=thursday
        )
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.BOOKED and meeting.sequence == 0
    assert meeting.starts_at.date() == monday
    assert meeting.failure_reason.startswith("No new time found, so it stays where it was")


def test_cancel_sends_method_cancel_and_frees_the_time(
    arrange, mentor, enrollment, hire, team, django_capture_on_commit_callbacks
):
    request = request_meeting(enrollment, hire)
    meeting = arrange(client_team=team, request=request)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_cancel(actor=mentor, meeting=meeting)
        services.meeting_cancel(actor=mentor, meeting=meeting)  # twice: nothing more
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.CANCELLED and meeting.sequence == 1
    assert not MeetingBooking.objects.filter(meeting=meeting).exists()
    cancels = [e for e in invites(meeting) if ":CANCEL:" in e.dedupe_key]
    assert len(cancels) == 3
    calendar = parse_ics(cancels[0].ics)
    assert calendar["METHOD"] == "CANCEL"
    [event] = events(calendar)
    assert str(event["UID"]) == meeting.uid and event["SEQUENCE"] == 1
    assert str(event["STATUS"]) == "CANCELLED"
    assert _calendar_part_method(cancels[0]) == "CANCEL"
    request.refresh_from_db()
    assert request.state == MeetingRequestState.CANCELLED


def test_crlf_and_end_vevent_in_a_title_stay_inside_one_event(arrange, team):
    meeting = arrange(
        client_team=team,
        title="Kick-off END:VEVENT BEGIN:VEVENT",
        agenda="Line\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:evil\r\nSUMMARY:injected",
    )
    # The service refuses CR/LF in a title; the .ics builder must hold even if one got in.
    meeting.title = "Hello\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:injected\nX"
    text = meeting_invite_ics(meeting, list(meeting.participants.all()))
    for ics in (text, invites(meeting)[0].ics):
        [event] = events(parse_ics(ics))
        assert str(event["UID"]) == meeting.uid
        lines = ics.replace("\r\n ", "").split("\r\n")  # unfolded content lines
        assert lines.count("BEGIN:VEVENT") == 1 and lines.count("END:VEVENT") == 1
    [event] = events(parse_ics(text))
    assert str(event["SUMMARY"]) == meeting.title.replace("\r\n", "\n")  # kept, as text


# --- signed links for client contacts ----------------------------------------------------------


def _contact_link(meeting, answer="accepted") -> str:
    contact = meeting.participants.get(user__isnull=True)
    token = services.meeting_link_make(contact, answer)
    return reverse("meetings:link_answer", args=[token])


def test_the_invite_email_carries_the_three_links(arrange, team):
    meeting = arrange(client_team=team)
    [email] = [e for e in invites(meeting) if e.to == "carla0@acme.example"]
    assert email.body_text.count("/meetings/answer/") == 3


def test_a_contact_accepts_through_the_link_once(client, arrange, team):
    meeting = arrange(client_team=team)
    url = _contact_link(meeting, "accepted")

    page = client.get(url)  # a GET (a mail scanner, a preview) answers nothing
    assert page.status_code == 200 and b"will you come?" in page.content
    contact = meeting.participants.get(user__isnull=True)
    contact.refresh_from_db()
    assert contact.response == MeetingResponse.NEEDS_ACTION

    done = client.post(url, {"response": "accepted", "note": "See you there"})
    assert done.status_code == 200 and b"recorded" in done.content
    contact.refresh_from_db()
    assert contact.response == MeetingResponse.ACCEPTED and contact.response_note == "See you there"

    reused = client.post(url, {"response": "declined"})
    assert reused.status_code == 410 and b"already used" in reused.content
    contact.refresh_from_db()
    assert contact.response == MeetingResponse.ACCEPTED


def test_a_contact_declines_or_asks_for_another_time_and_the_mentor_hears(
    client, arrange, team, mentor
):
    meeting = arrange(client_team=team)
    client.post(_contact_link(meeting, "new_time"), {"response": "new_time", "note": "Fridays?"})
    contact = meeting.participants.get(user__isnull=True)
    assert contact.response == MeetingResponse.NEW_TIME
    [told] = OutboundEmail.objects.filter(dedupe_key__contains=":answer:")
    assert told.to == mentor.email and "Fridays?" in told.body_text
    client.post(_contact_link(meeting, "declined"), {"response": "declined"})
    contact.refresh_from_db()
    assert contact.response == MeetingResponse.DECLINED


def test_a_forged_link_is_refused(client, arrange, team):
    meeting = arrange(client_team=team)
    url = _contact_link(meeting)
    forged = url[:-3] + ("A" if url[-3] != "A" else "B") + url[-2:]
    for bad in (forged, reverse("meetings:link_answer", args=["garbage"])):
        response = client.get(bad)
        assert response.status_code == 404 and b"not valid" in response.content
    # A correctly signed payload from another salt (another feature's token) is refused too.
    contact = meeting.participants.get(user__isnull=True)
    other = signing.dumps({"p": contact.pk, "a": "accepted", "s": 0, "n": 0}, salt="other")
    assert client.get(reverse("meetings:link_answer", args=[other])).status_code == 404


def test_an_expired_link_is_refused(client, arrange, team, monkeypatch):
    meeting = arrange(client_team=team)
    long_ago = time.time() - services.LINK_MAX_AGE.total_seconds() - 60
    monkeypatch.setattr(signing.time, "time", lambda: long_ago)
    url = _contact_link(meeting)
    monkeypatch.undo()
    response = client.post(url, {"response": "accepted"})
    assert response.status_code == 410 and b"expired" in response.content


def test_a_link_from_before_a_reschedule_is_refused(
    client, arrange, team, mentor, django_capture_on_commit_callbacks
):
    meeting = arrange(client_team=team)
    url = _contact_link(meeting)
    later = next_week_monday() + datetime.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_reschedule(actor=mentor, meeting=meeting, earliest=later, latest=later)
    response = client.get(url)
    assert response.status_code == 410 and b"replaced by a newer one" in response.content


def test_a_user_answers_on_the_meeting_page(client, arrange, hire, team):
    meeting = arrange(client_team=team)
    client.force_login(hire)
    response = client.post(
        reverse("meetings:respond", args=[meeting.pk]), {"response": "declined", "note": "Ill"}
    )
    assert response.status_code == 302
    row = meeting.participants.get(user=hire)
    assert row.response == MeetingResponse.DECLINED and row.response_note == "Ill"
    page = client.get(reverse("meetings:detail", args=[meeting.pk]))
    assert b"Declined" in page.content and b"Ill" in page.content


def test_a_refused_answer_goes_back_to_the_meeting_page_with_the_note_kept(
    client, arrange, hire, team
):
    meeting = arrange(client_team=team)
    client.force_login(hire)
    page = reverse("meetings:detail", args=[meeting.pk])
    refused = client.post(
        reverse("meetings:respond", args=[meeting.pk]), {"response": "maybe", "note": "Ill"}
    )
    html = assert_refused_back(client, refused, page, "#answer-heading", "Select a valid choice")
    assert "Ill</textarea>" in html
    assert meeting.participants.get(user=hire).response == MeetingResponse.NEEDS_ACTION


def test_the_change_form_starts_with_the_arrange_pages_days_and_a_refusal_keeps_them(
    client, arrange, mentor, mfa_passed, team
):
    meeting = arrange(client_team=team)
    mfa_passed(client, mentor)
    page = reverse("meetings:detail", args=[meeting.pk])
    earliest, latest = services.arrange_window_default(organiser=mentor)
    html = client.get(page).content.decode()
    assert f'name="earliest" value="{earliest.isoformat()}"' in html
    assert f'name="latest" value="{latest.isoformat()}"' in html

    later = (next_week_monday() + datetime.timedelta(days=9)).isoformat()
    refused = client.post(
        reverse("meetings:reschedule", args=[meeting.pk]),
        {"earliest": later, "latest": "2026-02-30"},
    )
    # Post/redirect/get: back on the meeting page at "Change", the message next to the date,
    # once, and the typed day kept; the meeting is as it was.
    html = assert_refused_back(client, refused, page, "#change-heading", "Enter a valid date")
    assert f'name="earliest" value="{later}"' in html
    before = meeting.sequence
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.BOOKED and meeting.sequence == before


# --- access ------------------------------------------------------------------------------------


def test_only_participants_the_mentor_and_admins_see_a_meeting(
    client, arrange, hire, other_hire, mentor, other_mentor, admin, mfa_passed, team
):
    meeting = arrange(client_team=team)
    urls = [
        reverse("meetings:detail", args=[meeting.pk]),
        reverse("meetings:ics", args=[meeting.pk]),
    ]
    missing = [reverse("meetings:detail", args=[meeting.pk + 999])]

    for url in urls:
        assert client.get(url).status_code == 302  # anonymous: log in first

    client.force_login(other_hire)
    for url in urls + missing:
        assert client.get(url).status_code == 404
    mfa_passed(client, other_mentor)
    for url in urls + missing:
        assert client.get(url).status_code == 404
    assert client.post(reverse("meetings:cancel", args=[meeting.pk])).status_code == 404

    client.force_login(hire)
    for url in urls:
        assert client.get(url).status_code == 200
    # The hire sees it but may not cancel it.
    detail = client.get(urls[0])
    assert b"Cancel the meeting" not in detail.content
    mfa_passed(client, mentor)
    assert b"Cancel the meeting" in client.get(urls[0]).content
    mfa_passed(client, admin)
    assert client.get(urls[0]).status_code == 200


def test_another_mentor_cannot_arrange_for_someone_elses_mentee(
    client, enrollment, other_mentor, mfa_passed
):
    mfa_passed(client, other_mentor)
    url = reverse("meetings:arrange", args=[enrollment.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"title": "x"}).status_code == 404


def test_client_teams_are_for_program_admins(client, hire, mentor, admin, mfa_passed, team):
    urls = [reverse("meetings:client_teams"), reverse("meetings:client_team", args=[team.pk])]
    client.force_login(hire)
    assert all(client.get(u).status_code == 404 for u in urls)
    mfa_passed(client, mentor)
    assert all(client.get(u).status_code == 404 for u in urls)
    with pytest.raises(PermissionDenied):
        client_team(mentor, name="Sneaky")
    mfa_passed(client, admin)
    assert all(client.get(u).status_code == 200 for u in urls)


def test_client_team_forms_answer_bad_input_with_a_message(client, admin, mfa_passed):
    mfa_passed(client, admin)
    url = reverse("meetings:client_teams")
    good = {
        "name": "Globex",
        "time_zone": "Europe/Berlin",
        "working_hours_start": "09:00",
        "working_hours_end": "17:00",
        "working_days": ["0", "1", "2", "3", "4"],
        "days_away": "",
    }
    for change, message in [
        ({"time_zone": "Mars/Olympus"}, b"is not a time zone we know"),
        ({"working_hours_end": "08:00"}, b"must end after it starts"),
        ({"days_away": "2026-02-30"}, b"is not a date"),
        ({"name": "Glo\r\nbex"}, b"one line"),
        ({"working_hours_start": "25:99"}, b"Enter a valid time"),
    ]:
        response = client.post(url, {**good, **change})
        # Post/redirect/get: back on the teams page at the form, the message there once.
        assert_refused_back(client, response, url, "#new-team-heading", message.decode())
    assert client.post(url, good).status_code == 302
    twice = client.post(url, good)  # the same name twice
    html = assert_refused_back(client, twice, url, "#new-team-heading", "already a client team")
    assert 'value="Europe/Berlin"' in html
    from onboarding.models import ClientTeam

    team = ClientTeam.objects.get()
    # Editing the team, refused: back on its page at the form with what was typed, nothing saved.
    team_page = reverse("meetings:client_team", args=[team.pk])
    refused = client.post(team_page, {**good, "name": "Initech", "time_zone": "Mars/Olympus"})
    html = assert_refused_back(
        client, refused, team_page, "#edit-team-heading", "is not a time zone we know"
    )
    assert 'value="Initech"' in html
    team.refresh_from_db()
    assert (team.name, team.time_zone) == ("Globex", "Europe/Berlin")
    add = reverse("meetings:client_contact_add", args=[team.pk])
    assert client.post(add, {"name": "Gil", "email": "gil@globex.example"}).status_code == 302
    team_page = reverse("meetings:client_team", args=[team.pk])
    # A refused contact goes back to the team page at the contacts (post/redirect/get).
    twice = client.post(add, {"name": "Gil", "email": "GIL@globex.example"})
    assert (twice.status_code, twice.url) == (302, team_page + "#contacts-heading")
    assert b"already a contact" in client.get(team_page).content
    assert b"already a contact" not in client.get(team_page).content
    assert client.post(add, {"name": "Gil", "email": "not an email"}).status_code == 302
    assert b"Enter a valid email address" in client.get(team_page).content
    assert team.contacts.count() == 1


def test_arrange_form_refuses_bad_dates_with_a_message(client, enrollment, mentor, mfa_passed):
    mfa_passed(client, mentor)
    url = reverse("meetings:arrange", args=[enrollment.pk])
    form = {
        "title": "Hello",
        "duration_minutes": "30",
        "earliest": "2026-13-45",
        "latest": "2026-01-01",
        "buffer_minutes": "0",
        "min_notice_hours": "0",
    }

    def refused(form) -> str:
        """Post/redirect/get: back on the arrange page, the message shown once, typed text kept."""
        response = client.post(url, form)
        assert response.status_code == 302 and response["Location"] == url
        html = client.get(url).content.decode()
        assert f'value="{form["title"][:50]}' in html
        assert "errorlist" not in client.get(url).content.decode()
        return html

    assert "Enter a valid date" in refused(form)
    form["earliest"], form["latest"] = "2020-01-01", "2020-01-02"
    assert "in the past" in refused(form)
    form["title"] = "A" * 201
    assert "errorlist" in refused(form)
    assert not Meeting.objects.exists()


def test_the_meeting_page_shows_each_viewer_their_own_time(client, arrange, hire, mentor, team):
    set_zone(hire, "Asia/Tokyo", start=0, end=23)
    meeting = arrange(client_team=team)
    client.force_login(hire)
    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    tokyo = meeting.starts_at.astimezone(ZoneInfo("Asia/Tokyo"))
    assert f"{tokyo:%H:%M}" in page and "(Asia/Tokyo)" in page


# --- calendar feeds ----------------------------------------------------------------------------


def test_a_private_feed_lists_my_meetings_and_can_be_revoked(client, arrange, hire, team):
    meeting = arrange(client_team=team)
    client.force_login(hire)
    page = client.post(reverse("meetings:feed_create"), follow=True).content.decode()
    # Shown once, on the page the POST leads to (only its hash is stored).
    token = page.split("/meetings/calendar/", 1)[1].split(".ics", 1)[0]
    feed_url = reverse("meetings:feed", args=[token])
    client.logout()  # calendar programs have no session

    response = client.get(feed_url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    [event] = events(parse_ics(response.content.decode()))
    assert str(event["UID"]) == meeting.uid

    client.force_login(hire)
    client.post(reverse("meetings:feed_create"))  # a new address...
    client.logout()
    assert client.get(feed_url).status_code == 404  # ...turns the old one off
    hire.refresh_from_db()
    client.force_login(hire)
    client.post(reverse("meetings:feed_revoke"))
    client.logout()
    assert client.get(reverse("meetings:feed", args=[token])).status_code == 404


def test_a_participants_own_days_away_are_skipped(arrange, mentor, team):
    monday = next_week_monday()
    type(mentor).objects.filter(pk=mentor.pk).update(days_away=[monday.isoformat()])

    meeting = arrange(client_team=team)

    assert meeting.state == MeetingState.BOOKED
    assert meeting.starts_at.date() == monday + datetime.timedelta(days=1)
