"""Meetings: client teams, arranging, booking (by a worker), answers, reschedule, cancel, feeds.

The flow: a mentor arranges (`meeting_arrange`) → a Celery task runs `meeting_schedule`, which
finds the earliest slot (`onboarding.scheduling.find_slot`) and books it → every participant gets
an invite through the outbox. Client contacts answer through signed links
(`meeting_link_answer`), people with an account on the meeting page (`meeting_respond`).

No double booking, ever: each participant's time is a `MeetingBooking` row, and PostgreSQL's
exclusion constraint refuses an overlapping row for the same person. Two workers that picked
the same slot both insert; one waits for the other, gets an IntegrityError, and searches again.
"""

import datetime
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.links import absolute_url
from accounts.models import User
from accounts.permissions import is_program_admin
from accounts.validators import text_clean, validate_time_zone
from curriculum.models import Program

from ..ics import meeting_invite_ics
from ..models import (
    MEETING_HOLDS_TIME_STATES,
    MEETING_SEARCH_STATES,
    CalendarFeed,
    ClientContact,
    ClientTeam,
    Enrollment,
    Meeting,
    MeetingBooking,
    MeetingParticipant,
    MeetingRequest,
    MeetingRequestState,
    MeetingResponse,
    MeetingState,
)
from ..permissions import mentors
from ..scheduling import Availability, SlotQuery, SlotResult, find_slot
from .mail import email_queue, enqueue_on_commit
from .notifications import emails_wanted, meeting_answer_notify, meeting_booked_notify

TITLE_MAX_CHARS = 200
NAME_MAX_CHARS = 120
AGENDA_MAX_CHARS = 5_000
NOTE_MAX_CHARS = 2_000
WINDOW_MAX_DAYS = 62
DURATIONS = (15, 30, 45, 60, 90, 120, 180, 240)
MAX_BUFFER_MINUTES = 120
MAX_NOTICE_HOURS = 14 * 24
# Losing a race to another worker makes us search again; a few rounds settle any real contest.
BOOKING_ATTEMPTS = 5

LINK_SALT = "onboarding.meetings.answer-link"
LINK_MAX_AGE = datetime.timedelta(days=30)

_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\x85]")
_WEEKDAYS = frozenset(range(7))


# --- who may do what ---------------------------------------------------------------------------


def _may_organise(user: User, enrollment: Enrollment) -> bool:
    return is_program_admin(user) or mentors(user, enrollment)


def _admin_required(actor: User) -> None:
    if not is_program_admin(actor):
        raise PermissionDenied("Only program admins manage client teams.")


# --- input cleaning ---------------------------------------------------------------------------


def one_line_clean(value: str, *, label: str, max_chars: int) -> str:
    """A title or name: one line. CR/LF would split an email header or an .ics line, so it is
    refused with a message rather than silently joined."""
    if _LINE_BREAKS.search(value):
        raise ValidationError(f"{label} must be one line: remove the line breaks.", code="newline")
    value = text_clean(value, label=label, max_chars=max_chars)
    if not value:
        raise ValidationError(f"{label} is required.", code="required")
    return value


def _email_clean(value: str) -> str:
    value = value.strip()
    if _LINE_BREAKS.search(value):
        raise ValidationError("An email address is one line.", code="newline")
    try:
        validate_email(value)
    except ValidationError as error:
        raise ValidationError(f"“{value[:80]}” is not an email address.", code="email") from error
    return value


@dataclass(frozen=True)
class WorkingWeek:
    time_zone: str
    hours_start: datetime.time
    hours_end: datetime.time
    days: list[int]
    days_away: list[str]


def _week_clean(
    *,
    time_zone: str,
    working_hours_start: datetime.time,
    working_hours_end: datetime.time,
    working_days: Iterable[int],
    days_away: Iterable[datetime.date | str],
) -> WorkingWeek:
    validate_time_zone(time_zone)
    if not working_hours_start < working_hours_end:
        raise ValidationError("The working day must end after it starts.", code="hours")
    days = sorted({int(day) for day in working_days})
    if not days or not set(days) <= _WEEKDAYS:
        raise ValidationError("Choose at least one working day.", code="days")
    away: set[str] = set()
    for day in days_away:
        try:
            away.add(
                day.isoformat()
                if isinstance(day, datetime.date)
                else datetime.date.fromisoformat(day.strip()).isoformat()
            )
        except ValueError as error:
            raise ValidationError(
                f"“{str(day)[:40]}” is not a date: write days away as YYYY-MM-DD.", code="date"
            ) from error
    if len(away) > 366:
        raise ValidationError("At most 366 days away.", code="too_many")
    return WorkingWeek(time_zone, working_hours_start, working_hours_end, days, sorted(away))


# --- client teams (program admins) --------------------------------------------------------------


def client_team_create(
    *,
    actor: User,
    name: str,
    description: str = "",
    time_zone: str = "UTC",
    working_hours_start: datetime.time = datetime.time(9),
    working_hours_end: datetime.time = datetime.time(17),
    working_days: Iterable[int] = (0, 1, 2, 3, 4),
    days_away: Iterable[datetime.date | str] = (),
) -> ClientTeam:
    """Add a client team. Program admins only; the name is unique; the week is validated whole."""
    _admin_required(actor)
    team = ClientTeam()
    return _client_team_write(
        team,
        name=name,
        description=description,
        week=_week_clean(
            time_zone=time_zone,
            working_hours_start=working_hours_start,
            working_hours_end=working_hours_end,
            working_days=working_days,
            days_away=days_away,
        ),
    )


def client_team_update(
    *,
    actor: User,
    team: ClientTeam,
    name: str,
    description: str,
    time_zone: str,
    working_hours_start: datetime.time,
    working_hours_end: datetime.time,
    working_days: Iterable[int],
    days_away: Iterable[datetime.date | str],
) -> ClientTeam:
    """Change a client team. Meetings already booked keep their time; new searches use this."""
    _admin_required(actor)
    return _client_team_write(
        team,
        name=name,
        description=description,
        week=_week_clean(
            time_zone=time_zone,
            working_hours_start=working_hours_start,
            working_hours_end=working_hours_end,
            working_days=working_days,
            days_away=days_away,
        ),
    )


def _client_team_write(team: ClientTeam, *, name: str, description: str, week) -> ClientTeam:
    name = one_line_clean(name, label="The team's name", max_chars=TITLE_MAX_CHARS)
    description = text_clean(description, label="The description", max_chars=AGENDA_MAX_CHARS)
    clash = ClientTeam.objects.filter(name__iexact=name).exclude(pk=team.pk)
    if clash.exists():
        raise ValidationError(f"There is already a client team called “{name}”.", code="unique")
    team.name, team.description = name, description
    team.time_zone = week.time_zone
    team.working_hours_start, team.working_hours_end = week.hours_start, week.hours_end
    team.working_days, team.days_away = week.days, week.days_away
    team.updated_at = timezone.now()
    try:
        with transaction.atomic():
            team.save()
    except IntegrityError as error:  # a concurrent create with the same name
        raise ValidationError(f"There is already a client team called “{name}”.") from error
    return team


def client_team_delete(*, actor: User, team: ClientTeam) -> None:
    """Remove a client team and its contacts; refused while one of its meetings is still ahead."""
    _admin_required(actor)
    with transaction.atomic():
        ahead = team.meetings.filter(
            Q(state__in=MEETING_SEARCH_STATES)
            | Q(state__in=MEETING_HOLDS_TIME_STATES, ends_at__gt=timezone.now())
        )
        if ahead.exists():
            raise ValidationError(
                "This team has meetings still ahead: cancel them first.", code="in_use"
            )
        team.delete()


def client_contact_add(*, actor: User, team: ClientTeam, name: str, email: str) -> ClientContact:
    """Add a contact to a team; an email is there at most once per team (any case)."""
    _admin_required(actor)
    return _contact_write(team, name=name, email=email)


def _contact_write(team: ClientTeam, *, name: str, email: str) -> ClientContact:
    name = one_line_clean(name, label="The contact's name", max_chars=NAME_MAX_CHARS)
    email = _email_clean(email)
    if team.contacts.filter(email__iexact=email).exists():
        raise ValidationError(f"{email} is already a contact of {team.name}.", code="unique")
    try:
        with transaction.atomic():
            return ClientContact.objects.create(team=team, name=name, email=email)
    except IntegrityError as error:
        raise ValidationError(f"{email} is already a contact of {team.name}.") from error


def client_contact_remove(*, actor: User, contact: ClientContact) -> None:
    """Remove a contact. Meetings they were invited to keep their name and email."""
    _admin_required(actor)
    contact.delete()


def client_teams_by_mentors(enrollment: Enrollment) -> bool:
    """Whether the mentors of ENROLLMENT's program may add client teams (the program says)."""
    return bool(enrollment.program.client_teams_by_mentors)


def may_add_client_team(user: User, enrollment: Enrollment) -> bool:
    """Program admins always; the hire's mentor when their program lets mentors."""
    return is_program_admin(user) or (
        client_teams_by_mentors(enrollment) and mentors(user, enrollment)
    )


def client_team_add_for_meeting(
    *,
    actor: User,
    enrollment: Enrollment,
    name: str,
    time_zone: str,
    working_hours_start: datetime.time,
    working_hours_end: datetime.time,
    working_days: Iterable[int],
    contact_name: str,
    contact_email: str,
) -> ClientTeam:
    """Add a client team with its first contact while arranging ENROLLMENT's meeting.

    A meeting with a team needs someone to invite, so the team and its contact are one write:
    a refused contact leaves no team behind. The hire's mentor may, when the program lets
    mentors add client teams; program admins always may.
    """
    if not may_add_client_team(actor, enrollment):
        raise PermissionDenied("Only program admins add client teams in this program.")
    week = _week_clean(
        time_zone=time_zone,
        working_hours_start=working_hours_start,
        working_hours_end=working_hours_end,
        working_days=working_days,
        days_away=(),
    )
    with transaction.atomic():
        team = _client_team_write(ClientTeam(), name=name, description="", week=week)
        _contact_write(team, name=contact_name, email=contact_email)
    return team


def program_client_teams_by_mentors_set(*, actor: User, program_id: int, allowed: bool) -> None:
    """A program admin lets the program's mentors add client teams, or keeps that to admins."""
    _admin_required(actor)
    if not Program.objects.filter(pk=program_id).update(client_teams_by_mentors=allowed):
        raise ValidationError("No such program.", code="missing")


# --- arranging ---------------------------------------------------------------------------------


def _window(
    *, earliest: datetime.date, latest: datetime.date, zone: ZoneInfo, now: datetime.datetime
) -> tuple[datetime.datetime, datetime.datetime]:
    """The search window: from the start of EARLIEST to the end of LATEST, in the organiser's
    zone, as UTC."""
    if latest < earliest:
        raise ValidationError("The latest day is before the earliest day.", code="window")
    if (latest - earliest).days >= WINDOW_MAX_DAYS:
        raise ValidationError(
            f"The window is at most {WINDOW_MAX_DAYS} days long.", code="window_long"
        )
    if latest < now.astimezone(zone).date():
        raise ValidationError(
            "The window is in the past: choose days from today on.", code="window_past"
        )
    start = datetime.datetime.combine(earliest, datetime.time(0), tzinfo=zone)
    end = datetime.datetime.combine(latest + datetime.timedelta(days=1), datetime.time(0), zone)
    return start.astimezone(datetime.UTC), end.astimezone(datetime.UTC)


def _numbers_clean(*, duration_minutes: int, buffer_minutes: int, min_notice_hours: int) -> None:
    if duration_minutes not in DURATIONS:
        raise ValidationError("Choose one of the offered lengths.", code="duration")
    if not 0 <= buffer_minutes <= MAX_BUFFER_MINUTES:
        raise ValidationError(
            f"The buffer is between 0 and {MAX_BUFFER_MINUTES} minutes.", code="buffer"
        )
    if not 0 <= min_notice_hours <= MAX_NOTICE_HOURS:
        raise ValidationError(
            f"The notice is between 0 and {MAX_NOTICE_HOURS} hours.", code="notice"
        )


ARRANGE_WINDOW_DAYS = 14  # the arrange form's default: two weeks from the first day


def arrange_window_default(
    *, organiser: User, now: datetime.datetime | None = None
) -> tuple[datetime.date, datetime.date]:
    """The arrange form's first guess at the days: from the organiser's next working day (in
    their zone, skipping their days away) to two weeks later. A meeting request carries no
    window of its own, so this is the default for every arrangement."""
    today = timezone.localtime(now or timezone.now(), organiser.zone).date()
    days = {int(day) for day in organiser.working_days or ()} & _WEEKDAYS or {0, 1, 2, 3, 4}
    away = {str(day) for day in organiser.days_away or ()}
    earliest = today + datetime.timedelta(days=1)
    for _ in range(366):
        if earliest.weekday() in days and earliest.isoformat() not in away:
            break
        earliest += datetime.timedelta(days=1)
    return earliest, earliest + datetime.timedelta(days=ARRANGE_WINDOW_DAYS)


def meeting_arrange(
    *,
    organiser: User,
    enrollment: Enrollment,
    title: str,
    agenda: str = "",
    duration_minutes: int = 30,
    earliest: datetime.date,
    latest: datetime.date,
    client_team: ClientTeam | None = None,
    colleagues: Sequence[User] = (),
    buffer_minutes: int = 0,
    min_notice_hours: int = 24,
    request: MeetingRequest | None = None,
    now: datetime.datetime | None = None,
) -> Meeting:
    """The mentor arranges a meeting for a mentee; a worker then finds and books the time.

    Invariants: only the hire's current mentor (or co-mentor) or a program admin organises;
    the participants are the organiser, the hire, the chosen colleagues and every contact of
    the client team, each once; a meeting request is answered by at most one live meeting and
    moves to "being arranged"; everything is validated before anything is written, and the
    `meeting_schedule` task is queued only after commit.
    """
    if not _may_organise(organiser, enrollment):
        raise PermissionDenied("Only the hire's mentor or a program admin arranges their meetings.")
    now = now or timezone.now()
    title = one_line_clean(title, label="The title", max_chars=TITLE_MAX_CHARS)
    agenda = text_clean(agenda, label="The agenda", max_chars=AGENDA_MAX_CHARS)
    _numbers_clean(
        duration_minutes=duration_minutes,
        buffer_minutes=buffer_minutes,
        min_notice_hours=min_notice_hours,
    )
    window_start, window_end = _window(
        earliest=earliest, latest=latest, zone=organiser.zone, now=now
    )
    people: list[User] = [organiser, enrollment.hire]
    for colleague in colleagues:
        if not colleague.is_active:
            raise ValidationError(f"{colleague.name} can no longer sign in.", code="inactive")
        if colleague.pk not in {p.pk for p in people}:
            people.append(colleague)
    contacts = list(client_team.contacts.all()) if client_team is not None else []
    if client_team is not None and not contacts:
        raise ValidationError(
            f"{client_team.name} has no contacts yet: a program admin adds them first.",
            code="no_contacts",
        )
    if len(people) + len(contacts) < 2:
        raise ValidationError("A meeting needs someone to meet.", code="alone")

    with transaction.atomic():
        if request is not None:
            request = (
                MeetingRequest.objects.select_for_update().filter(pk=request.pk).first() or None
            )
            if request is None or request.enrollment_id != enrollment.pk:
                raise ValidationError("That meeting request is not this hire's.", code="request")
            if request.state not in (MeetingRequestState.REQUESTED, MeetingRequestState.ARRANGING):
                raise ValidationError(
                    f"That meeting request is {request.get_state_display().lower()}.",
                    code="request_closed",
                )
            live = request.meetings.exclude(state__in=[MeetingState.FAILED, MeetingState.CANCELLED])
            if live.exists():
                raise ValidationError(
                    "That request is already being arranged: see its meeting.", code="request_live"
                )
        meeting = Meeting.objects.create(
            enrollment=enrollment,
            request=request,
            organiser=organiser,
            client_team=client_team,
            title=title,
            agenda=agenda,
            duration_minutes=duration_minutes,
            window_start=window_start,
            window_end=window_end,
            buffer_minutes=buffer_minutes,
            min_notice_minutes=min_notice_hours * 60,
            created_at=now,
            updated_at=now,
        )
        MeetingParticipant.objects.bulk_create(
            [
                MeetingParticipant(
                    meeting=meeting,
                    user=person,
                    name=person.name,
                    email=person.email,
                    time_zone=person.time_zone,
                    is_organiser=person.pk == organiser.pk,
                )
                for person in people
            ]
            + [
                MeetingParticipant(
                    meeting=meeting,
                    contact=contact,
                    name=contact.name,
                    email=contact.email,
                    time_zone=contact.team.time_zone,
                )
                for contact in contacts
                if contact.email.lower() not in {p.email.lower() for p in people}
            ]
        )
        if request is not None and request.state != MeetingRequestState.ARRANGING:
            request.state = MeetingRequestState.ARRANGING
            request.updated_at = now
            request.save(update_fields=["state", "updated_at"])
        _search_queue(meeting)
    return meeting


def _search_queue(meeting: Meeting) -> None:
    from ..tasks import meeting_schedule as meeting_schedule_task

    enqueue_on_commit(meeting_schedule_task, meeting.pk)


# --- finding and booking the time (the worker) -------------------------------------------------


def _availability(meeting: Meeting, participants: list[MeetingParticipant]) -> list[Availability]:
    keys = [p.person_key for p in participants]
    margin = datetime.timedelta(minutes=meeting.buffer_minutes)
    busy: dict[str, list[tuple[datetime.datetime, datetime.datetime]]] = {k: [] for k in keys}
    for person, starts_at, ends_at in (
        MeetingBooking.objects.filter(
            person__in=keys,
            starts_at__lt=meeting.window_end + margin,
            ends_at__gt=meeting.window_start - margin,
        )
        .exclude(meeting=meeting)  # a reschedule may keep (part of) its own old time
        .values_list("person", "starts_at", "ends_at")
    ):
        busy[person].append((starts_at, ends_at))
    hire_id = meeting.enrollment.hire_id
    people = []
    for p in participants:
        if p.user is not None:
            # The person's own days away, and for the hire also the enrollment's holidays.
            away: Iterable[str] = [*(p.user.days_away or [])]
            if p.user_id == hire_id:
                away = [*away, *meeting.enrollment.holidays]
            week = (p.user.time_zone, p.user.working_hours_start, p.user.working_hours_end)
            days: Iterable[int] = p.user.working_days
        elif p.contact is not None:
            team = p.contact.team
            away, days = team.days_away, team.working_days
            week = (team.time_zone, team.working_hours_start, team.working_hours_end)
        else:  # a contact removed since: assume an ordinary week in the zone they had
            away, days = (), range(5)
            week = (p.time_zone, datetime.time(9), datetime.time(17))
        people.append(
            Availability(
                label=p.name,
                zone=ZoneInfo(week[0]),
                work_start=week[1],
                work_end=week[2],
                working_days=frozenset(int(d) for d in days),
                days_away=frozenset(datetime.date.fromisoformat(d) for d in away),
                busy=tuple(busy[p.person_key]),
            )
        )
    return people


def _participants(meeting: Meeting) -> list[MeetingParticipant]:
    return list(meeting.participants.select_related("user", "contact__team").order_by("pk"))


def meeting_slot_find(*, meeting: Meeting, now: datetime.datetime) -> SlotResult:
    """The earliest slot for MEETING given everyone's bookings as committed right now."""
    return find_slot(
        SlotQuery(
            duration=datetime.timedelta(minutes=meeting.duration_minutes),
            window_start=meeting.window_start,
            window_end=meeting.window_end,
            now=now,
            buffer=datetime.timedelta(minutes=meeting.buffer_minutes),
            min_notice=datetime.timedelta(minutes=meeting.min_notice_minutes),
        ),
        _availability(meeting, _participants(meeting)),
    )


class _Taken(Exception):
    """Someone else booked one of our people in that slot first."""


def meeting_schedule(*, meeting_id: int, now: datetime.datetime | None = None) -> Meeting | None:
    """Find the earliest slot for a meeting that needs one, book it and send the invites.

    Safe to run twice: a meeting not searching (booked, failed, cancelled) is left alone, and
    the booking happens under a lock on the meeting row that re-checks its state and round.
    Invariants: every participant gets a booking row for exactly [starts_at, ends_at); the
    exclusion constraint refuses an overlap, and then the search runs again with what the
    other worker committed (`BOOKING_ATTEMPTS` rounds at most). With no slot, a first search
    fails with the reason and a reschedule keeps the old time; either way the organiser is told.
    """
    for _attempt in range(BOOKING_ATTEMPTS):
        meeting = Meeting.objects.select_related("enrollment").filter(pk=meeting_id).first()
        if meeting is None or meeting.state not in MEETING_SEARCH_STATES:
            return meeting
        moment = now or timezone.now()
        result = meeting_slot_find(meeting=meeting, now=moment)
        try:
            with transaction.atomic():
                locked = Meeting.objects.select_for_update().get(pk=meeting_id)
                if locked.state not in MEETING_SEARCH_STATES or (
                    locked.search_round != meeting.search_round
                ):
                    return locked  # another delivery (or a newer request) got here first
                if not result.found:
                    _search_failed(locked, reason=result.reason, now=moment)
                    return locked
                assert result.start is not None and result.end is not None
                _book(locked, start=result.start, end=result.end, now=moment)
                return locked
        except _Taken:
            continue
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting_id)
        if locked.state in MEETING_SEARCH_STATES:
            _search_failed(
                locked,
                reason="Other meetings kept taking the free times while this one was booked; "
                "try again.",
                now=timezone.now(),
            )
        return locked


def _book(
    meeting: Meeting, *, start: datetime.datetime, end: datetime.datetime, now: datetime.datetime
) -> None:
    participants = _participants(meeting)
    keys = [p.person_key for p in participants]
    try:
        with transaction.atomic():  # a savepoint: a lost race undoes only this attempt
            meeting.bookings.all().delete()
            # The database's constraint is the guarantee; this check makes the loser's path
            # the same on databases without one (SQLite, where writes are serialised anyway).
            clash = MeetingBooking.objects.filter(
                person__in=keys, starts_at__lt=end, ends_at__gt=start
            ).exclude(meeting=meeting)
            if clash.exists():
                raise _Taken
            MeetingBooking.objects.bulk_create(
                [
                    MeetingBooking(meeting=meeting, person=key, starts_at=start, ends_at=end)
                    for key in sorted(set(keys))
                ]
            )
    except IntegrityError as error:
        raise _Taken from error
    had_time = meeting.starts_at is not None
    meeting.starts_at, meeting.ends_at = start, end
    if had_time:
        meeting.sequence += 1  # same UID, a higher SEQUENCE: calendars move the event
    meeting.state = MeetingState.BOOKED
    meeting.failure_reason = ""
    meeting.updated_at = now
    meeting.save()
    # A new time is a new question: everyone answers again.
    meeting.participants.update(response=MeetingResponse.NEEDS_ACTION, response_note="")
    if meeting.request_id:
        MeetingRequest.objects.filter(pk=meeting.request_id).update(
            state=MeetingRequestState.BOOKED, updated_at=now
        )
    _invites_queue(meeting, method="REQUEST")
    meeting_booked_notify(meeting=meeting, participants=participants, now=now)


def _search_failed(meeting: Meeting, *, reason: str, now: datetime.datetime) -> None:
    kept_old_time = meeting.state == MeetingState.RESCHEDULING
    meeting.state = MeetingState.BOOKED if kept_old_time else MeetingState.FAILED
    meeting.failure_reason = (
        f"No new time found, so it stays where it was: {reason}" if kept_old_time else reason
    )
    meeting.updated_at = now
    meeting.save(update_fields=["state", "failure_reason", "updated_at"])
    organiser = meeting.organiser
    if organiser is not None and organiser.is_active:
        context = {
            "meeting": meeting,
            "person": organiser,
            "kept_old_time": kept_old_time,
            "url": absolute_url(reverse("meetings:detail", args=[meeting.pk])),
        }
        email_queue(
            to=organiser.email,
            subject=f"No time found: {meeting.title}",
            body_text=render_to_string("onboarding/meetings/email/no_slot.txt", context),
            dedupe_key=f"meeting:{meeting.pk}:round{meeting.search_round}:no-slot",
        )


# --- emails ------------------------------------------------------------------------------------


def local_span(
    start: datetime.datetime | None, end: datetime.datetime | None, zone_name: str
) -> str:
    """'Mon 2 Mar 2026, 09:00-10:00 (Europe/London)': how a person reads the time in their zone."""
    if start is None or end is None:
        return "no time yet"
    zone = ZoneInfo(zone_name)
    lo, hi = start.astimezone(zone), end.astimezone(zone)
    until = f"{hi:%H:%M}" if hi.date() == lo.date() else f"{hi:%a %-d %b %H:%M}"
    return f"{lo:%a %-d %b %Y, %H:%M}–{until} ({zone_name})"


def meeting_link_make(participant: MeetingParticipant, answer: str) -> str:
    """A signed, expiring token for one answer by one participant to one version of the invite.

    It carries the invite's SEQUENCE and the participant's answer count, so a link from an
    older invite, or one already used, is refused (`meeting_link_check`).
    """
    payload = {
        "p": participant.pk,
        "a": answer,
        "s": participant.meeting.sequence,
        "n": participant.link_uses,
    }
    return signing.dumps(payload, salt=LINK_SALT, compress=True)


def _invites_queue(meeting: Meeting, *, method: str) -> None:
    participants = _participants(meeting)
    ics = meeting_invite_ics(meeting, participants, method=method)
    template = "invite" if method == "REQUEST" else "cancel"
    for person in participants:
        zone = person.user.time_zone if person.user is not None else person.time_zone
        links = {}
        if person.user is None and method == "REQUEST":
            for answer in (
                MeetingResponse.ACCEPTED,
                MeetingResponse.DECLINED,
                MeetingResponse.NEW_TIME,
            ):
                token = meeting_link_make(person, answer)
                links[answer.value] = absolute_url(reverse("meetings:link_answer", args=[token]))
        context = {
            "meeting": meeting,
            "person": person,
            "when": local_span(meeting.starts_at, meeting.ends_at, zone),
            "links": links,
            "url": absolute_url(reverse("meetings:detail", args=[meeting.pk]))
            if person.user is not None
            else "",
            "updated": meeting.sequence > 0,
        }
        prefix = {"REQUEST": "Updated invitation" if meeting.sequence else "Invitation"}.get(
            method, "Cancelled"
        )
        email_queue(
            to=person.email,
            subject=f"{prefix}: {meeting.title}",
            body_text=render_to_string(f"onboarding/meetings/email/{template}.txt", context),
            dedupe_key=f"meeting:{meeting.pk}:seq{meeting.sequence}:{method}:{person.pk}",
            ics=ics,
        )


# --- answers -----------------------------------------------------------------------------------


def _answer_apply(
    participant: MeetingParticipant, *, response: str, note: str, now: datetime.datetime
) -> MeetingParticipant:
    response = MeetingResponse(response)
    if response == MeetingResponse.NEEDS_ACTION:
        raise ValidationError("Choose accept, decline or another time.", code="response")
    note = text_clean(note, label="Your note", max_chars=NOTE_MAX_CHARS)
    meeting = participant.meeting
    if meeting.state != MeetingState.BOOKED:
        raise ValidationError(
            f"This meeting can't be answered now: it is {meeting.get_state_display().lower()}.",
            code="state",
        )
    participant.response, participant.response_note = response, note
    participant.responded_at = now
    participant.link_uses += 1
    participant.save(update_fields=["response", "response_note", "responded_at", "link_uses"])
    organiser = meeting.organiser
    if response != MeetingResponse.ACCEPTED and organiser is not None and organiser.is_active:
        meeting_answer_notify(participant=participant)  # in-app, as the organiser chose
        context = {
            "meeting": meeting,
            "participant": participant,
            "url": absolute_url(reverse("meetings:detail", args=[meeting.pk])),
        }
        if emails_wanted(organiser, "meeting_answers"):
            email_queue(
                to=organiser.email,
                subject=f"{participant.name}: {participant.get_response_display()} — "
                f"{meeting.title}",
                body_text=render_to_string("onboarding/meetings/email/answer.txt", context),
                dedupe_key=f"meeting:{meeting.pk}:answer:{participant.pk}:{participant.link_uses}",
            )
    return participant


def meeting_respond(
    *, by: User, participant: MeetingParticipant, response: str, note: str = ""
) -> MeetingParticipant:
    """A participant with an account answers the invite (accept, decline, ask for another time).

    Only for themselves, only while the meeting is booked; the organiser hears of a decline or
    a request for another time.
    """
    if participant.user_id != by.pk:
        raise PermissionDenied("You can only answer for yourself.")
    with transaction.atomic():
        locked = (
            MeetingParticipant.objects.select_for_update(of=("self",))
            .select_related("meeting__organiser")
            .get(pk=participant.pk)
        )
        return _answer_apply(locked, response=response, note=note, now=timezone.now())


class MeetingLinkError(Exception):
    """A signed link that can't be used; `status` is the HTTP answer, `message` says why."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.message, self.status = message, status


@dataclass(frozen=True)
class LinkAnswer:
    participant: MeetingParticipant
    answer: str


def meeting_link_check(token: str, *, for_update: bool = False) -> LinkAnswer:
    """Decode and check a signed answer link. Forged → 404; expired, used or replaced → 410."""
    try:
        payload = signing.loads(token, salt=LINK_SALT, max_age=LINK_MAX_AGE)
    except signing.SignatureExpired as error:
        raise MeetingLinkError(
            "This link has expired. Reply to the invitation email instead.", status=410
        ) from error
    except signing.BadSignature as error:
        raise MeetingLinkError("This link is not valid.", status=404) from error
    try:
        pk, answer, sequence, uses = payload["p"], payload["a"], payload["s"], payload["n"]
        answer = MeetingResponse(answer).value
    except (KeyError, TypeError, ValueError) as error:
        raise MeetingLinkError("This link is not valid.", status=404) from error
    rows = MeetingParticipant.objects.select_related("meeting__organiser", "meeting__client_team")
    if for_update:
        rows = rows.select_for_update(of=("self",))
    participant = rows.filter(pk=pk, user__isnull=True).first()
    if participant is None:
        raise MeetingLinkError("This link is not valid.", status=404)
    meeting = participant.meeting
    if meeting.state == MeetingState.CANCELLED:
        raise MeetingLinkError("This meeting was cancelled.", status=410)
    if meeting.sequence != sequence:
        raise MeetingLinkError(
            "This invitation was replaced by a newer one: use the links in the latest email.",
            status=410,
        )
    if participant.link_uses != uses:
        raise MeetingLinkError(
            "This link was already used. Your answer is recorded; to change it, reply to "
            "the organiser.",
            status=410,
        )
    return LinkAnswer(participant=participant, answer=answer)


def meeting_link_answer(*, token: str, response: str, note: str = "") -> MeetingParticipant:
    """A client contact answers through a signed link: once per link, for the current invite.

    The token is checked again under a row lock, so two clicks of the same link record one
    answer and the second is refused as used.
    """
    with transaction.atomic():
        checked = meeting_link_check(token, for_update=True)
        return _answer_apply(checked.participant, response=response, note=note, now=timezone.now())


# --- reschedule and cancel ---------------------------------------------------------------------


def _may_change(user: User, meeting: Meeting) -> bool:
    return meeting.organiser_id == user.pk or _may_organise(user, meeting.enrollment)


def meeting_reschedule(
    *,
    actor: User,
    meeting: Meeting,
    earliest: datetime.date,
    latest: datetime.date,
    duration_minutes: int | None = None,
    now: datetime.datetime | None = None,
) -> Meeting:
    """Look for a new time in a new window (the same UID; the invite's SEQUENCE goes up when
    the new time is booked). A booked meeting keeps its old time until a new one is found;
    a failed one searches again. The organiser, the hire's mentor or a program admin only."""
    if not _may_change(actor, meeting):
        raise PermissionDenied("Only the organiser, the hire's mentor or a program admin can.")
    now = now or timezone.now()
    duration = duration_minutes or meeting.duration_minutes
    _numbers_clean(
        duration_minutes=duration,
        buffer_minutes=meeting.buffer_minutes,
        min_notice_hours=meeting.min_notice_minutes // 60,
    )
    window_start, window_end = _window(earliest=earliest, latest=latest, zone=actor.zone, now=now)
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if locked.state not in (MeetingState.BOOKED, MeetingState.FAILED):
            raise ValidationError(
                f"This meeting is {locked.get_state_display().lower()}: it can't be moved now.",
                code="state",
            )
        locked.state = (
            MeetingState.RESCHEDULING
            if locked.state == MeetingState.BOOKED
            else MeetingState.SCHEDULING
        )
        locked.window_start, locked.window_end = window_start, window_end
        locked.duration_minutes = duration
        locked.search_round += 1
        locked.failure_reason = ""
        locked.updated_at = now
        locked.save()
        _search_queue(locked)
    return locked


def meeting_cancel(*, actor: User, meeting: Meeting) -> Meeting:
    """Cancel a meeting: its bookings are released and, if it had a time, everyone gets a
    METHOD:CANCEL with the same UID and a higher SEQUENCE. A meeting request it answered is
    closed as cancelled (the hire may ask again). Cancelling twice does nothing more."""
    if not _may_change(actor, meeting):
        raise PermissionDenied("Only the organiser, the hire's mentor or a program admin can.")
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if locked.state == MeetingState.CANCELLED:
            return locked
        had_time = locked.starts_at is not None and locked.state in MEETING_HOLDS_TIME_STATES
        locked.bookings.all().delete()
        locked.state = MeetingState.CANCELLED
        locked.updated_at = timezone.now()
        if had_time:
            locked.sequence += 1
        locked.save()
        if locked.request_id:
            MeetingRequest.objects.filter(pk=locked.request_id).update(
                state=MeetingRequestState.CANCELLED, updated_at=locked.updated_at
            )
        if had_time:
            _invites_queue(locked, method="CANCEL")
    return locked


# --- calendar feeds ----------------------------------------------------------------------------


def calendar_feed_create(*, user: User) -> CalendarFeed:
    """Give USER a new private feed URL; any earlier URL stops working at once. The token is
    on the returned feed only (`feed.token`): what is stored is its hash."""
    with transaction.atomic():
        CalendarFeed.objects.filter(user=user).delete()
        token = secrets.token_urlsafe(32)
        feed = CalendarFeed.objects.create(user=user, token_hash=CalendarFeed.hash_token(token))
    feed.token = token  # the only time the token exists outside the person's calendar program
    return feed


def calendar_feed_revoke(*, user: User) -> None:
    """Turn USER's feed off: the URL answers 404 from now on."""
    CalendarFeed.objects.filter(user=user).delete()
