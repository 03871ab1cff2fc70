"""iCalendar text for meetings: invites (REQUEST), cancellations (CANCEL) and feeds (PUBLISH).

Built with icalendar, which escapes text values, so a title or agenda holding CR/LF or
"END:VEVENT" stays inside its one property and the file stays one event. Times are UTC
("...Z"): every calendar program converts them to its owner's zone.
"""

import datetime
from collections.abc import Iterable

from icalendar import Calendar, Event, vCalAddress, vText

from .models import Meeting, MeetingParticipant, MeetingResponse, MeetingState

PRODID = "-//Onboarding//Meetings//EN"

_PARTSTAT = {
    MeetingResponse.NEEDS_ACTION: "NEEDS-ACTION",
    MeetingResponse.ACCEPTED: "ACCEPTED",
    MeetingResponse.DECLINED: "DECLINED",
    MeetingResponse.NEW_TIME: "TENTATIVE",
}


def _address(participant: MeetingParticipant, *, attendee: bool) -> vCalAddress:
    address = vCalAddress(f"mailto:{participant.email}")
    address.params["cn"] = vText(participant.name)
    if attendee:
        address.params["role"] = vText("REQ-PARTICIPANT")
        address.params["partstat"] = vText(_PARTSTAT[MeetingResponse(participant.response)])
        address.params["rsvp"] = vText("TRUE")
    return address


def meeting_event(
    meeting: Meeting,
    participants: Iterable[MeetingParticipant],
    *,
    cancelled: bool = False,
    now: datetime.datetime | None = None,
) -> Event:
    """One VEVENT for MEETING; the caller must pass a meeting that has (or had) a time."""
    assert meeting.starts_at is not None and meeting.ends_at is not None
    event = Event()
    event.add("uid", meeting.uid)
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", (now or datetime.datetime.now(datetime.UTC)).astimezone(datetime.UTC))
    event.add("dtstart", meeting.starts_at.astimezone(datetime.UTC))
    event.add("dtend", meeting.ends_at.astimezone(datetime.UTC))
    event.add("summary", meeting.title)
    if meeting.agenda:
        event.add("description", meeting.agenda)
    cancelled = cancelled or meeting.state == MeetingState.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    people = list(participants)
    organiser = next((p for p in people if p.is_organiser), None)
    if organiser is not None:
        event["organizer"] = _address(organiser, attendee=False)
    for person in people:
        event.add("attendee", _address(person, attendee=True), encode=False)
    return event


def _calendar(method: str | None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    if method:
        calendar.add("method", method)
    return calendar


def meeting_invite_ics(
    meeting: Meeting, participants: Iterable[MeetingParticipant], *, method: str = "REQUEST"
) -> str:
    """An iTIP message: METHOD:REQUEST (a new or changed time) or METHOD:CANCEL."""
    calendar = _calendar(method)
    calendar.add_component(meeting_event(meeting, participants, cancelled=method == "CANCEL"))
    return calendar.to_ical().decode()


def meeting_download_ics(meeting: Meeting, participants: Iterable[MeetingParticipant]) -> str:
    """One meeting to save into a calendar by hand (METHOD:PUBLISH: no reply expected)."""
    calendar = _calendar("PUBLISH")
    calendar.add_component(meeting_event(meeting, participants))
    return calendar.to_ical().decode()


def calendar_feed_ics(
    meetings: Iterable[tuple[Meeting, list[MeetingParticipant]]], *, name: str
) -> str:
    """A subscribable feed: every meeting with a time, cancelled ones marked so."""
    calendar = _calendar(None)
    calendar.add("x-wr-calname", name)
    for meeting, participants in meetings:
        if meeting.starts_at is not None:
            calendar.add_component(meeting_event(meeting, participants))
    return calendar.to_ical().decode()
