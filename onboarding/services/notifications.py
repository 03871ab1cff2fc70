"""Notifications: what a person is told, in the app and by email, each at most once.

- `notify` writes one notification for an event (a review, an answer) through the ORM, on any
  database (`draft_write`); the reminder sweep writes its hundreds of thousands through the
  PostgreSQL bulk path in `notifications_bulk`, with the same rules.
- Every notification's `dedupe_key` spells recipient, kind and occurrence and is unique, so a
  rule run twice, two sweeps at once or a task delivered twice still write one row.
- Preferences (`User.notification_preferences`, {kind: channel}) decide the channels when the
  row is written; "off" writes nothing. A caller whose event already reached the person by
  email (a meeting invite carries its own .ics) passes `email=False`: the note is in-app only,
  and a person who chose email only gets nothing more (they have had their email).
- An email is owed from `email_due_at`: now inside the person's working hours, else the next
  start of their working hours in their own zone (quiet hours), or their daily digest time for
  the mentor kinds when they chose the digest. An email owed now is queued in the outbox
  (`email_queue`) with its notification; the sweep's `emails_release` writes the held ones
  when they are owed, in the same transaction as the rows it links. A request never fails
  because Redis is down: the rows are committed, and the outbox sweep sends them later.
- `notifications_sweep` is what beat runs every minute (see `tasks.notifications_sweep_run`).
"""

import dataclasses
import datetime
import logging
import re
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.links import absolute_url
from accounts.models import NameAndZone, NotificationChannel, Role, User

from ..models import (
    Meeting,
    MeetingParticipant,
    MeetingRequest,
    Notification,
    Question,
    QuestionMessage,
    Submission,
    SubmissionKind,
)
from .mail import email_queue

logger = logging.getLogger(__name__)

UTC = datetime.UTC


@dataclasses.dataclass(frozen=True)
class Kind:
    key: str
    label: str
    role: Role
    default: NotificationChannel = NotificationChannel.BOTH
    digestible: bool = False  # mentor kinds may wait for the daily digest
    urgent: bool = False  # not held for quiet hours (a meeting in one hour)


# The kinds a person can choose a channel for. `review`, `questions`, `meetings` and
# `daily_item` keep the keys the profile form stored before these rules existed.
KINDS: tuple[Kind, ...] = (
    Kind("daily_item", "This morning's item", Role.HIRE),
    Kind("behind", "When I fall behind schedule", Role.HIRE),
    Kind("reflection_missing", "A started day still without a reflection", Role.HIRE),
    Kind("review", "Reviews of my writing", Role.HIRE),
    Kind("questions", "Answers to my questions", Role.HIRE),
    Kind("meetings", "Meetings: booked, tomorrow, in an hour", Role.HIRE, urgent=True),
    Kind("new_submission", "A mentee submitted writing", Role.MENTOR, digestible=True),
    Kind(
        "review_overdue", "Writing waiting past its review deadline", Role.MENTOR, digestible=True
    ),
    Kind("question_waiting", "A question unanswered for a day", Role.MENTOR, digestible=True),
    Kind("question_asked", "A mentee asked me a question", Role.MENTOR),
    Kind("meeting_requested", "A mentee asked for a meeting", Role.MENTOR),
    Kind(
        "meeting_answers", "Someone can't come to my meeting or asks for another time", Role.MENTOR
    ),
    Kind("mentee_behind", "A mentee falling behind", Role.MENTOR, digestible=True),
    Kind("hire_escalation", "A hire far behind schedule", Role.PROGRAM_ADMIN),
    Kind("weekly_summary", "The weekly program summary", Role.PROGRAM_ADMIN),
)
KINDS_BY_KEY = {kind.key: kind for kind in KINDS}
# The preference key that sends a mentor's emails once a day, at the start of their day.
DIGEST_KEY = "digest"
DIGEST_DAILY = "daily"

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069]+")


def kinds_for(user: User) -> list[Kind]:
    """The kinds a person can receive, by their roles (meetings reach mentors too)."""
    roles = set(user.roles)
    if user.is_superuser:
        roles.add(Role.PROGRAM_ADMIN)
    chosen = [kind for kind in KINDS if kind.role in roles]
    if Role.MENTOR in roles and Role.HIRE not in roles:
        chosen.append(KINDS_BY_KEY["meetings"])
    return chosen


CHANNELS = frozenset(NotificationChannel.values)  # the enum's `values` rebuilds a list per call
IN_APP_CHANNELS = frozenset({NotificationChannel.IN_APP.value, NotificationChannel.BOTH.value})
BY_EMAIL_CHANNELS = frozenset({NotificationChannel.EMAIL.value, NotificationChannel.BOTH.value})


def channel_for(user: "User | Recipient", kind: str) -> str:
    """The person's channel for KIND, or the kind's default when they never chose one."""
    chosen = (user.notification_preferences or {}).get(kind)
    if chosen in CHANNELS:
        return chosen
    return KINDS_BY_KEY[kind].default


def emails_wanted(user: "User | Recipient", kind: str) -> bool:
    """Whether USER chose email for KIND: an event that writes its own email (with its own
    text) asks first, and writes its in-app note with `email=False`."""
    return channel_for(user, kind) in BY_EMAIL_CHANNELS


def wants_digest(user: "User | Recipient") -> bool:
    return (user.notification_preferences or {}).get(DIGEST_KEY) == DIGEST_DAILY


# --- local time ---------------------------------------------------------------------------------


def next_local_time(
    *,
    after: datetime.datetime,
    zone: ZoneInfo,
    at: datetime.time,
    weekdays: Iterable[int] | None = None,
) -> datetime.datetime:
    """The first instant strictly after AFTER when the wall clock in ZONE shows AT (UTC).

    Computed per local date, so a daylight-saving change shifts the UTC instant, never the
    local hour. A wall time that does not exist that day (inside a spring-forward gap) maps to
    the instant just after the gap; an ambiguous one (fall-back) takes its first occurrence.
    """
    allowed = set(weekdays) if weekdays is not None else set(range(7))
    if not allowed:
        allowed = set(range(7))
    day = after.astimezone(zone).date()
    for _ in range(15):
        if day.weekday() in allowed:
            candidate = datetime.datetime.combine(day, at, tzinfo=zone).astimezone(UTC)
            if candidate > after:
                return candidate
        day += datetime.timedelta(days=1)
    raise ValueError("no matching local time within two weeks")  # unreachable: allowed ≠ ∅


def in_working_hours(user: "User | Recipient", now: datetime.datetime) -> bool:
    local = now.astimezone(user.zone)
    return (
        local.weekday() in set(user.working_days or range(7))
        and user.working_hours_start <= local.time().replace(tzinfo=None) < user.working_hours_end
    )


def email_due_for(user: "User | Recipient", kind: str, now: datetime.datetime) -> datetime.datetime:
    """When an email of KIND to USER may go: quiet hours and the mentor digest hold it."""
    spec = KINDS_BY_KEY[kind]
    start_of_day = next_local_time(
        after=now,
        zone=user.zone,
        at=user.working_hours_start,
        weekdays=user.working_days or range(7),
    )
    if spec.digestible and wants_digest(user):
        return start_of_day
    if spec.urgent or in_working_hours(user, now):
        return now
    return start_of_day


# --- writing notifications ----------------------------------------------------------------------


@dataclasses.dataclass(eq=False, slots=True)
class Recipient(NameAndZone):
    """What writing a notification reads of a person, loaded from raw rows.

    The sweep reads up to hundreds of thousands of people at once: building a `User` for each
    cost more than everything else it does per person. Same attribute names as `User`.
    """

    pk: int
    email: str
    display_name: str
    is_active: bool
    time_zone: str
    working_hours_start: datetime.time
    working_hours_end: datetime.time
    working_days: tuple[int, ...]
    notification_preferences: dict


@dataclasses.dataclass(slots=True)
class Draft:
    """A notification a rule or an event wants to write (recipient loaded, kind known)."""

    recipient: "User | Recipient"
    kind: str
    occurrence: str
    title: str
    body: str = ""
    link: str = ""
    # False: never by email, whatever the preference (the event already sent its own email).
    email: bool = True

    @property
    def dedupe_key(self) -> str:
        return notification_key(
            recipient_id=self.recipient.pk, kind=self.kind, occurrence=self.occurrence
        )


def notification_key(*, recipient_id: int, kind: str, occurrence: str) -> str:
    return f"u{recipient_id}:{kind}:{occurrence}"[:200]


def one_line(text: str, limit: int) -> str:
    return _CONTROL.sub(" ", text).strip()[:limit]


def draft_write(draft: Draft, *, now: datetime.datetime) -> Notification | None:
    """Write one DRAFT through the ORM, with its outbox email when one is owed now.

    Works on every database (SQLite, the embedded default, too). The insert runs in a
    savepoint: when the dedupe key is taken (a retry, a second event for one occurrence, the
    sweep's catch-up) the savepoint rolls back and the row already there is returned, with no
    second email. An email owed now goes through `email_queue` (the outbox), handed to a
    worker after commit; one held for quiet hours or the digest waits in `email_due_at` for
    the sweep. Returns None when the person gets nothing (inactive, or no channel left).
    """
    spec = KINDS_BY_KEY.get(draft.kind)
    if spec is None:
        raise ValueError(f"unknown notification kind {draft.kind!r}")
    recipient = draft.recipient
    if not recipient.is_active:
        return None
    channel = channel_for(recipient, draft.kind)
    in_app = channel in IN_APP_CHANNELS
    by_email = draft.email and channel in BY_EMAIL_CHANNELS
    if not (in_app or by_email):  # "off", or email only for a note that must not email
        return None
    due = email_due_for(recipient, draft.kind, now) if by_email else None
    title = one_line(draft.title, 200)
    body = draft.body[:5000]
    link = draft.link[:500]
    with transaction.atomic():
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    recipient_id=recipient.pk,
                    kind=draft.kind,
                    dedupe_key=draft.dedupe_key,
                    title=title,
                    body=body,
                    link=link,
                    created_at=now,
                    in_app=in_app,
                    by_email=by_email,
                    email_due_at=due,
                )
        except IntegrityError:
            existing = Notification.objects.filter(dedupe_key=draft.dedupe_key).first()
            if existing is None:  # another constraint failed: not a duplicate
                raise
            return existing
        if due == now:
            notification.email = email_queue(
                to=recipient.email,
                subject=title,
                body_text=single_email_text(title, body, link, email_footer()),
                dedupe_key=f"notification:{notification.pk}",
            )
            notification.save(update_fields=["email"])
    return notification


def notify(
    *,
    recipient: User,
    kind: str,
    dedupe_key: str,
    title: str,
    body: str = "",
    link: str = "",
    now: datetime.datetime | None = None,
    email: bool = True,
) -> Notification | None:
    """Tell RECIPIENT about one occurrence of KIND, through the channels they chose.

    `dedupe_key` names the occurrence (`s12:r2`); it is stored with recipient and kind
    (`u7:review:s12:r2`), so calling twice for one occurrence writes one notification and at
    most one email. The notification and its outbox email are written in the caller's
    transaction; the email is handed to a worker after commit, never failing the caller when
    the broker is down. `email=False` writes the in-app note only (the event sent its own
    email). Returns None when the person turned this kind off, or chose email only for a
    note with `email=False`.
    """
    draft = Draft(recipient, kind, dedupe_key, title, body, link, email)
    return draft_write(draft, now=now or timezone.now())


# --- emails -------------------------------------------------------------------------------------


def email_footer() -> str:
    return (
        "\n\n--\nYou get this because of your notification settings: "
        f"{absolute_url(reverse('accounts:profile'))}\n"
    )


def single_email_text(title: str, body: str, link: str, footer: str) -> str:
    body = body.strip()
    text = f"{title}\n\n{body}\n\n" if body else f"{title}\n\n"
    return text + f"Open it: {absolute_url(link)}{footer}"


# --- reading and marking ------------------------------------------------------------------------


def notification_mark_read(*, user: User, notification_id: int) -> int:
    """Mark one of USER's notifications read; another person's id changes nothing. Idempotent."""
    return Notification.objects.filter(
        pk=notification_id, recipient_id=user.pk, read_at__isnull=True
    ).update(read_at=timezone.now())


def notifications_mark_all_read(*, user: User) -> int:
    """Mark every unread notification of USER read. Idempotent."""
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# --- events: called by the services that cause them ----------------------------------------------


def desk_link(name: str, **kwargs: int) -> str:
    """A mentor's desk page, or home while the desk is not mounted."""
    from django.urls import NoReverseMatch

    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return reverse("home")


def _item_path(enrollment_id: int, item_id: int) -> str:
    return reverse("journey:item", kwargs={"enrollment_id": enrollment_id, "item_id": item_id})


def submission_what(submission: Submission) -> str:
    return "reflection" if submission.kind == SubmissionKind.REFLECTION else "answer"


def submission_submitted_draft(submission: Submission) -> Draft:
    """The mentor's "new submission" note; the sweep's catch-up writes the same key."""
    enrollment = submission.enrollment
    assert enrollment.mentor is not None
    return Draft(
        enrollment.mentor,
        "new_submission",
        f"s{submission.pk}:r{submission.round}",
        f"{enrollment.hire.name} submitted their {submission_what(submission)} "
        f"on {submission.item}",
        "",
        # The round just submitted, on the review page.
        desk_link("desk:review", submission_id=submission.pk) + f"#round-{submission.round}",
    )


def submission_submitted_notify(*, submission: Submission) -> Notification | None:
    """Mentor: a hire submitted (or resubmitted) a reflection or an answer.

    Call inside the transaction that submits. Optional: the sweep finds submissions within a
    minute anyway, under the same key, so calling it only makes the note immediate.
    """
    mentor = submission.enrollment.mentor
    if mentor is None:
        return None
    draft = submission_submitted_draft(submission)
    return notify(
        recipient=mentor,
        kind=draft.kind,
        dedupe_key=draft.occurrence,
        title=draft.title,
        link=draft.link,
    )


def submission_reviewed_notify(
    *, submission: Submission, by: User, changes_requested: bool, comment: str = ""
) -> Notification | None:
    """Hire: the mentor asked for changes to (or accepted) their writing; once per round."""
    what = submission_what(submission)
    if changes_requested:
        title = f"{by.name} asked for changes to your {what} on {submission.item}"
        outcome = "changes"
    else:
        title = f"{by.name} accepted your {what} on {submission.item}"
        outcome = "accepted"
    return notify(
        recipient=submission.enrollment.hire,
        kind="review",
        dedupe_key=f"s{submission.pk}:r{submission.round}:{outcome}",
        title=title,
        body=comment[:2000],
        link=_item_path(submission.enrollment_id, submission.item_id),
    )


def question_answered_notify(*, message: QuestionMessage) -> Notification | None:
    """Hire: their mentor answered their question (one note per answering message)."""
    question = message.question
    author = message.author
    return notify(
        recipient=question.enrollment.hire,
        kind="questions",
        dedupe_key=f"m{message.pk}",
        title=f"{author.name if author else 'Your mentor'} answered your question on "
        f"{question.item}",
        body=message.body[:2000],
        link=_item_path(question.enrollment_id, question.item_id),
    )


def question_asked_notify(*, question: Question) -> Notification | None:
    """Mentor: their hire asked a question; the note opens the thread. In-app only: the
    question service sends its own email (with the question's text) when the mentor wants it."""
    mentor = question.enrollment.mentor
    if mentor is None:
        return None
    return notify(
        recipient=mentor,
        kind="question_asked",
        dedupe_key=f"q{question.pk}",
        title=f"{question.enrollment.hire.name} asked a question about {question.item}",
        body=question.body[:2000],
        link=desk_link("desk:question", question_id=question.pk) + "#thread",
        email=False,
    )


def meeting_requested_notify(*, request: MeetingRequest) -> Notification | None:
    """Mentor: their hire asked for the meeting an item calls for; the note opens the arrange
    form for that request. In-app only, as for questions (the request has its own email)."""
    enrollment = request.enrollment
    mentor = enrollment.mentor
    if mentor is None:
        return None
    arrange = reverse("meetings:arrange", args=[enrollment.pk])
    return notify(
        recipient=mentor,
        kind="meeting_requested",
        dedupe_key=f"mr{request.pk}",
        title=f"{enrollment.hire.name} asked for a meeting on {request.item}",
        body=request.note[:2000],
        link=f"{arrange}?request={request.pk}",
        email=False,
    )


def meeting_answer_notify(*, participant: MeetingParticipant) -> Notification | None:
    """Organiser: a participant declined or asked for another time; the note opens the
    meeting at its list of people and answers. In-app only (the answer has its own email)."""
    meeting = participant.meeting
    organiser = meeting.organiser
    if organiser is None:
        return None
    return notify(
        recipient=organiser,
        kind="meeting_answers",
        # One note per answer: a participant who answers again is heard again.
        dedupe_key=f"m{meeting.pk}:p{participant.pk}:answer{participant.link_uses}",
        title=f"{participant.name}: {participant.get_response_display()} — {meeting.title}",
        body=participant.response_note[:2000],
        link=reverse("meetings:detail", args=[meeting.pk]) + "#people-heading",
        email=False,
    )


def meeting_notify(
    *,
    recipient: User,
    occurrence: str,
    title: str,
    body: str = "",
    link: str = "",
    now: datetime.datetime | None = None,
    email: bool = True,
) -> Notification | None:
    """Meetings (booked, tomorrow, in an hour): the hook the meetings service calls.

    OCCURRENCE must name the meeting, its sequence and the moment (`m5:seq2:booked`,
    `m5:seq2:1h`), so a rescheduled meeting is announced again and a retry is not. The kind
    is urgent: its emails are not held for quiet hours. `email=False` for a moment whose email
    the meetings service already sent (the invite).
    """
    return notify(
        recipient=recipient,
        kind="meetings",
        dedupe_key=occurrence,
        title=title,
        body=body,
        link=link,
        now=now,
        email=email,
    )


def meeting_occurrence(meeting: Meeting, moment: str) -> str:
    """`m<id>:seq<sequence>:<moment>`: a new time (a higher sequence) is a new occurrence."""
    return f"m{meeting.pk}:seq{meeting.sequence}:{moment}"


def meeting_when(meeting: Meeting, user: User) -> str:
    """The meeting's time as USER reads it, in their own zone."""
    from .meetings import local_span  # meetings calls this module: import at use, not at load

    return local_span(meeting.starts_at, meeting.ends_at, user.time_zone)


def meeting_booked_notify(
    *,
    meeting: Meeting,
    participants: Iterable[MeetingParticipant],
    now: datetime.datetime,
) -> list[str]:
    """Everyone with an account: MEETING was booked, or moved (its sequence went up).

    In-app only: the invite email with its .ics already went to every participant through
    the outbox, so this note sends no second email. Call inside the transaction that books
    (one row per participant; nothing when it rolls back). Once per meeting and
    sequence (`m<id>:seq<n>:booked`). Client contacts have no account and only get the invite.
    """
    moved = meeting.sequence > 0
    link = reverse("meetings:detail", args=[meeting.pk])
    drafts = [
        Draft(
            participant.user,
            "meetings",
            meeting_occurrence(meeting, "booked"),
            f"{'Meeting moved' if moved else 'Meeting booked'}: {meeting.title}",
            meeting_when(meeting, participant.user),
            link,
            email=False,
        )
        for participant in participants
        if participant.user is not None
    ]
    return [draft.dedupe_key for draft in drafts if draft_write(draft, now=now) is not None]
