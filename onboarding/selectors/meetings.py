"""Reads of meetings, scoped to the viewer: what they may not see is a 404.

Who sees a meeting: its participants, the hire's current mentors (primary or co-mentor) and
program admins. Client teams: program admins manage them, mentors who mentor someone now read
them (to pick one when arranging; a team is shared by every program). The calendar feed is read by its
secret token alone (no login: calendar programs can't sign in).
"""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from accounts.permissions import is_active_mentor, is_program_admin
from curriculum.models import Program

from ..models import (
    MEETING_HOLDS_TIME_STATES,
    MEETING_REQUEST_WAITING_STATES,
    CalendarFeed,
    ClientTeam,
    Enrollment,
    Meeting,
    MeetingParticipant,
    MeetingRequest,
    MeetingState,
)
from ..permissions import mentored_by
from ..services.meetings import local_span


def _person(user: User | AnonymousUser) -> User | None:
    """The signed-in, active person, or None (anonymous and deactivated see nothing)."""
    return user if isinstance(user, User) and user.is_active else None


def _active(user: User | AnonymousUser) -> bool:
    return _person(user) is not None


def _mentored_enrollments(user: User | AnonymousUser) -> QuerySet[Enrollment]:
    """Enrollments USER mentors now; the mentor role itself is required, so losing it ends
    access at once, as does the end of an assignment."""
    person = _person(user)
    if person is None or not person.is_mentor:
        return Enrollment.objects.none()
    return Enrollment.objects.filter(mentored_by(person))


def meetings_visible_to(user: User | AnonymousUser) -> QuerySet[Meeting]:
    """Every meeting USER may see (the one place that decides)."""
    person = _person(user)
    if person is None:
        return Meeting.objects.none()
    if is_program_admin(person):
        return Meeting.objects.all()
    # A UNION of ids, not "EXISTS(participant) OR mentored": an OR of subqueries makes
    # PostgreSQL read every meeting; the union finds the viewer's few by index.
    taking_part = MeetingParticipant.objects.filter(user_id=person.pk).order_by()
    if not person.is_mentor:  # most people: only their own meetings, the cheapest query
        return Meeting.objects.filter(pk__in=taking_part.values("meeting_id"))
    mentored = Meeting.objects.filter(enrollment__in=_mentored_enrollments(person)).order_by()
    return Meeting.objects.filter(
        pk__in=taking_part.values("meeting_id").union(mentored.values("pk"))
    )


def may_change_meeting(user: User | AnonymousUser, meeting: Meeting) -> bool:
    """Organiser, the hire's mentor, program admins: who may reschedule or cancel."""
    if not _active(user):
        return False
    return (
        meeting.organiser_id == user.pk
        or is_program_admin(user)
        or _mentored_enrollments(user).filter(pk=meeting.enrollment_id).exists()
    )


def meeting_for_user(*, user: User | AnonymousUser, meeting_id: int) -> Meeting:
    """One meeting the user may see; another person's id and a missing id give the same 404."""
    meeting = (
        meetings_visible_to(user)
        .select_related("organiser", "client_team", "enrollment__hire", "request")
        .prefetch_related(
            Prefetch(
                "participants",
                queryset=MeetingParticipant.objects.select_related("user").order_by(
                    "-is_organiser", "name", "pk"
                ),
            )
        )
        .filter(pk=meeting_id)
        .first()
    )
    if meeting is None:
        raise Http404("No such meeting.")
    return meeting


def enrollment_for_organiser(*, user: User | AnonymousUser, enrollment_id: int) -> Enrollment:
    """An enrollment whose meetings USER may arrange: their mentee's, or any for an admin."""
    enrollments = (
        Enrollment.objects.all() if is_program_admin(user) else _mentored_enrollments(user)
    )
    enrollment = (
        enrollments.select_related("hire", "mentor", "program").filter(pk=enrollment_id).first()
    )
    if enrollment is None:
        raise Http404("No such enrollment.")
    return enrollment


def meeting_request_for_organiser(*, enrollment: Enrollment, request_id: int) -> MeetingRequest:
    request = (
        MeetingRequest.objects.select_related("item").filter(pk=request_id, enrollment=enrollment)
    ).first()
    if request is None:
        raise Http404("No such meeting request.")
    return request


@dataclass
class ParticipantRow:
    participant: MeetingParticipant
    their_time: str  # the meeting in the participant's own zone


@dataclass
class MeetingPage:
    meeting: Meeting
    rows: list[ParticipantRow]
    viewer_row: ParticipantRow | None
    may_change: bool
    viewer_time: str


def meeting_page(*, meeting: Meeting, viewer: User) -> MeetingPage:
    rows = []
    viewer_row = None
    for participant in meeting.participants.all():
        zone = participant.user.time_zone if participant.user else participant.time_zone
        row = ParticipantRow(participant, local_span(meeting.starts_at, meeting.ends_at, zone))
        rows.append(row)
        if participant.user_id == viewer.pk:
            viewer_row = row
    return MeetingPage(
        meeting=meeting,
        rows=rows,
        viewer_row=viewer_row,
        may_change=may_change_meeting(viewer, meeting),
        viewer_time=local_span(meeting.starts_at, meeting.ends_at, viewer.time_zone),
    )


def meeting_for_download(*, user: User | AnonymousUser, meeting_id: int) -> Meeting:
    meeting = meeting_for_user(user=user, meeting_id=meeting_id)
    if meeting.starts_at is None:
        raise Http404("This meeting has no time yet.")
    return meeting


# --- lists -------------------------------------------------------------------------------------


@dataclass
class UpcomingMeeting:
    meeting: Meeting
    when: str  # in the viewer's zone
    starts_at: datetime.datetime | None


def meetings_upcoming(
    *,
    user: User | AnonymousUser,
    enrollment: Enrollment | None = None,
    item_id: int | None = None,
    limit: int = 10,
    now: datetime.datetime | None = None,
    brief: bool = False,
) -> list[UpcomingMeeting]:
    """Meetings still ahead that USER may see (optionally one enrollment's, or one item's),
    soonest first, then those still looking for a time. One query, whatever the number.

    BRIEF reads only what the card on other pages shows (title, state, time): it runs on the
    hire's home, their item page and the desk, where building the full query cost more than
    answering it."""
    person = _person(user)
    if person is None:
        return []
    now = now or timezone.now()
    rows = meetings_visible_to(person).filter(
        Q(state__in=MEETING_HOLDS_TIME_STATES, ends_at__gt=now)
        | Q(state__in=[MeetingState.SCHEDULING, MeetingState.FAILED])
    )
    if enrollment is not None:
        rows = rows.filter(enrollment=enrollment)
    if item_id is not None:
        rows = rows.filter(request__item_id=item_id)
    if brief:
        rows = rows.only("pk", "title", "state", "starts_at", "ends_at", "created_at")
    else:
        rows = rows.select_related("enrollment__hire", "client_team")
    rows = rows.order_by("starts_at", "created_at")[:limit]
    zone = person.time_zone
    return [UpcomingMeeting(m, local_span(m.starts_at, m.ends_at, zone), m.starts_at) for m in rows]


@dataclass
class MeetingsIndex:
    upcoming: list[UpcomingMeeting]
    requests: list[MeetingRequest] = field(default_factory=list)  # waiting for the viewer
    past: list[Meeting] = field(default_factory=list)


def meetings_index(*, user: User, now: datetime.datetime | None = None) -> MeetingsIndex:
    """The viewer's meetings page: what is ahead, and (for mentors) requests to arrange."""
    now = now or timezone.now()
    requests: list[MeetingRequest] = []
    if is_program_admin(user) or is_active_mentor(user):
        enrollments = (
            Enrollment.objects.all() if is_program_admin(user) else _mentored_enrollments(user)
        )
        requests = list(
            MeetingRequest.objects.filter(
                enrollment__in=enrollments, state__in=MEETING_REQUEST_WAITING_STATES
            )
            .select_related("enrollment__hire", "item")
            .order_by("created_at")[:100]
        )
    past = list(
        meetings_visible_to(user)
        .filter(Q(state=MeetingState.CANCELLED) | Q(ends_at__lte=now))
        .select_related("enrollment__hire")
        .order_by("-updated_at")[:20]
    )
    return MeetingsIndex(
        upcoming=meetings_upcoming(user=user, now=now, limit=50), requests=requests, past=past
    )


# --- client teams (program admins) --------------------------------------------------------------


def client_teams_for_admin(*, user: User | AnonymousUser) -> QuerySet[ClientTeam]:
    if not is_program_admin(user):
        raise Http404("No such page.")
    return ClientTeam.objects.prefetch_related("contacts").order_by("name")


def client_team_for_admin(*, user: User | AnonymousUser, team_id: int) -> ClientTeam:
    team = client_teams_for_admin(user=user).filter(pk=team_id).first()
    if team is None:
        raise Http404("No such client team.")
    return team


def may_read_client_teams(user: User | AnonymousUser) -> bool:
    """Program admins, and mentors while they mentor someone (who may arrange a meeting)."""
    return is_program_admin(user) or _mentored_enrollments(user).exists()


def client_teams_for_reader(*, user: User | AnonymousUser) -> QuerySet[ClientTeam]:
    """The client teams list: admins manage it, mentors read it; anyone else gets a 404."""
    if not may_read_client_teams(user):
        raise Http404("No such page.")
    return ClientTeam.objects.prefetch_related("contacts").order_by("name")


def client_team_for_reader(*, user: User | AnonymousUser, team_id: int) -> ClientTeam:
    team = client_teams_for_reader(user=user).filter(pk=team_id).first()
    if team is None:
        raise Http404("No such client team.")
    return team


def programs_for_team_policy(*, user: User | AnonymousUser) -> list[Program]:
    """Every program, with whether its mentors may add client teams (program admins only)."""
    if not is_program_admin(user):
        raise Http404("No such page.")
    return list(Program.objects.only("pk", "title", "slug", "client_teams_by_mentors"))


def client_teams_to_meet(*, user: User | AnonymousUser) -> QuerySet[ClientTeam]:
    """Teams an organiser may pick: every team (mentors see names and zones, not to edit)."""
    return ClientTeam.objects.order_by("name")


def colleagues_to_invite(*, user: User | AnonymousUser) -> QuerySet[User]:
    """Who an organiser may invite as a colleague: active mentors and program admins."""
    return (
        User.objects.filter(is_active=True)
        .filter(Q(is_mentor=True) | Q(is_program_admin=True))
        .exclude(pk=getattr(user, "pk", None) or 0)
        .order_by("display_name", "email")
    )


# --- calendar feeds ----------------------------------------------------------------------------


def calendar_feed_of(*, user: User) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user).first()


def calendar_feed_meetings(
    *, token: str, now: datetime.datetime | None = None
) -> tuple[User, list[tuple[Meeting, list[MeetingParticipant]]]]:
    """The feed of the person holding TOKEN: their meetings with a time from 90 days ago on.
    An unknown or revoked token, or a deactivated person, is a 404."""
    token_hash = CalendarFeed.hash_token(token)
    feed = CalendarFeed.objects.select_related("user").filter(token_hash=token_hash).first()
    if feed is None or not feed.user.is_active:
        raise Http404("No such calendar.")
    now = now or timezone.now()
    meetings = (
        Meeting.objects.filter(participants__user=feed.user, starts_at__isnull=False)
        .filter(ends_at__gte=now - datetime.timedelta(days=90))
        .exclude(state__in=[MeetingState.SCHEDULING, MeetingState.FAILED])
        .prefetch_related("participants")
        .order_by("starts_at")[:500]
    )
    return feed.user, [(m, list(m.participants.all())) for m in meetings]
