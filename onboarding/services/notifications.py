"""Notifications: what a person is told, in the app and by email, each at most once.

- `notify` writes one notification for an event (a review, an answer); the rules in
  `reminder_rules` write theirs in batches through `notifications_write`.
- Every notification's `dedupe_key` spells recipient, kind and occurrence and is unique, so a
  rule run twice, two sweeps at once or a task delivered twice still write one row.
- Preferences (`User.notification_preferences`, {kind: channel}) decide the channels when the
  row is written; "off" writes nothing. A caller whose event already reached the person by
  email (a meeting invite carries its own .ics) passes `email=False`: the note is in-app only,
  and a person who chose email only gets nothing more (they have had their email).
- An email is owed from `email_due_at`: now inside the person's working hours, else the next
  start of their working hours in their own zone (quiet hours), or their daily digest time for
  the mentor kinds when they chose the digest. `emails_release` writes owed emails to the
  outbox (`OutboundEmail`) in the same transaction as the rows it links, and hands them to the
  workers after commit. A request never fails because Redis is down: the rows are committed,
  and the outbox sweep sends them when the broker is back.
- `notifications_sweep` is what beat runs every minute (see `tasks.notifications_sweep_run`).
"""

import contextlib
import dataclasses
import datetime
import logging
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import NameAndZone, NotificationChannel, Role, User

from ..models import (
    Meeting,
    MeetingParticipant,
    Notification,
    OutboundEmail,
    QuestionMessage,
    Submission,
    SubmissionKind,
)

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


_CHANNELS = frozenset(NotificationChannel.values)  # the enum's `values` rebuilds a list per call
_IN_APP = frozenset({NotificationChannel.IN_APP.value, NotificationChannel.BOTH.value})
_BY_EMAIL = frozenset({NotificationChannel.EMAIL.value, NotificationChannel.BOTH.value})


def channel_for(user: "User | Recipient", kind: str) -> str:
    """The person's channel for KIND, or the kind's default when they never chose one."""
    chosen = (user.notification_preferences or {}).get(kind)
    if chosen in _CHANNELS:
        return chosen
    return KINDS_BY_KEY[kind].default


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


def _one_line(text: str, limit: int) -> str:
    return _CONTROL.sub(" ", text).strip()[:limit]


class _RowMaker:
    """Turns drafts into the rows `notifications_write` stores, for one NOW.

    Everything that depends only on the person's clock and the kind (quiet hours, the digest)
    is computed once per distinct answer, not once per draft: the morning sweep writes a few
    hundred thousand drafts for a few dozen time zones.
    """

    def __init__(self, now: datetime.datetime) -> None:
        self.now = now
        self.footer = _footer()
        self.site = _absolute("/")[:-1]
        self._due: dict[tuple, datetime.datetime] = {}
        self._titles: dict[str, str] = {}

    def email_due(self, recipient: "User | Recipient", spec: Kind) -> datetime.datetime:
        digest = spec.digestible and wants_digest(recipient)
        key = (
            recipient.time_zone,
            recipient.working_hours_start,
            recipient.working_hours_end,
            tuple(recipient.working_days or ()),
            digest,
            spec.urgent,
        )
        due = self._due.get(key)
        if due is None:
            due = self._due[key] = email_due_for(recipient, spec.key, self.now)
        return due

    def row(self, draft: Draft) -> tuple | None:
        """The draft as a `notification_drafts` row, or None when the recipient gets nothing.

        Called once per notification the sweep writes (hundreds of thousands): the same rules
        as `channel_for`, `_one_line` and `_single_email`, with what repeats looked up."""
        kind = draft.kind
        spec = KINDS_BY_KEY.get(kind)
        if spec is None:
            raise ValueError(f"unknown notification kind {kind!r}")
        recipient = draft.recipient
        if not recipient.is_active:
            return None
        channel = (recipient.notification_preferences or {}).get(kind)
        if channel not in _CHANNELS:
            channel = spec.default
        in_app = channel in _IN_APP
        by_email = draft.email and channel in _BY_EMAIL
        if not (in_app or by_email):  # "off", or email only for a note that must not email
            return None
        title = self._titles.get(draft.title)
        if title is None:
            title = self._titles[draft.title] = _one_line(draft.title, 200)
        body = draft.body[:5000]
        link = draft.link[:500]
        due = self.email_due(recipient, spec) if by_email else None
        # Owed now: written to the outbox with the notification (a digest is never owed at once:
        # its time is the next start of the person's day, always after NOW).
        email_text = None
        if due == self.now:
            stripped = body.strip()
            email_text = (
                f"{title}\n\n{stripped}\n\n" if stripped else f"{title}\n\n"
            ) + f"Open it: {self.site}{link or '/'}{self.footer}"
        return (
            recipient.pk,
            kind,
            f"u{recipient.pk}:{kind}:{draft.occurrence}"[:200],  # = Draft.dedupe_key
            title,
            body,
            link,
            in_app,
            by_email,
            due,
            email_text,
            recipient.email,
        )


def notifications_write(
    *, drafts: Sequence[Draft], now: datetime.datetime, inline: bool = False
) -> list[str]:
    """Write DRAFTS (those the recipients did not turn off) and the emails owed now.

    Invariants: at most one row per dedupe key (insert ignoring conflicts: a second writer
    writes nothing, and no email for it); channels decided here from preferences, less email
    for a draft with `email=False` (a draft left with no channel is not written); the caller's
    transaction holds the rows and their outbox emails together, and the emails go to the
    workers after commit. Four statements whatever the number of drafts (a temporary table
    filled by COPY, one insert of both tables, its drop), or one with INLINE, for a caller that
    writes a single draft. Returns the dedupe keys written or already present.
    """
    maker = _RowMaker(now)
    rows = [row for row in map(maker.row, drafts) if row is not None]
    if not rows:
        return []
    with transaction.atomic():
        email_ids = _notification_rows_insert(rows, now=now, inline=inline)
        _send_after_commit(email_ids)
    return [row[_KEY] for row in rows]


def notifications_copy(*, drafts: Sequence[Draft], now: datetime.datetime) -> list[str]:
    """`notifications_write` for a caller that alone writes its keys: COPY into the tables.

    The sweep's due-row pass: each of its keys derives from one claimed `ReminderDue` row (the
    person's day, their enrollment), and rows are claimed with `skip_locked`, so no other
    writer produces the same key while it runs; keys an earlier run wrote are found first and
    skipped. Should that ever not hold, the unique index still refuses the second row: the COPY
    fails, the sweep rolls back and the next one skips what the other writer committed (a
    retry, never a second email). Six statements whatever the number of drafts: the keys to a
    temporary table, the ids of the fresh ones, its drop, one COPY per table. An order of
    magnitude faster than inserting with ON CONFLICT from a temporary table: no speculative
    insertion, and the server fills the indexes while this process formats the next rows.
    """
    maker = _RowMaker(now)
    rows = [row for row in map(maker.row, drafts) if row is not None]
    if not rows:
        return []
    notification = Notification._meta.db_table
    outbox = OutboundEmail._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {_KEY_TABLE} (position integer, dedupe_key text, "
            "email boolean) ON COMMIT DROP"
        )
        copy_rows(
            cursor,
            f"COPY {_KEY_TABLE} (position, dedupe_key, email) FROM STDIN",
            ((n, row[_KEY], row[_EMAIL_TEXT] is not None) for n, row in enumerate(rows)),
        )
        # Ids for each fresh draft (and its email) drawn here, so that each notification is
        # copied already linked to its email; a draft whose key is written already gets none.
        cursor.execute(
            f"SELECT k.position, nextval(s.notification), "  # noqa: S608  # nosec B608: fixed names
            f"  CASE WHEN k.email THEN nextval(s.outbox) END "
            f"FROM {_KEY_TABLE} k, {_sequences_sql()} s "
            f"WHERE NOT EXISTS (SELECT 1 FROM {notification} n WHERE n.dedupe_key = k.dedupe_key)"
        )
        ids: list[tuple[int, int | None] | None] = [None] * len(rows)
        for position, notification_id, email_id in cursor.fetchall():
            ids[position] = (notification_id, email_id)
        cursor.execute(f"DROP TABLE {_KEY_TABLE}")
        # Times go as text, formatted once per distinct value: psycopg formats each datetime
        # value anew, at four times the cost of the rest of the row.
        times = {due: due.isoformat() for due in {row[_DUE] for row in rows} if due is not None}
        times[now] = now.isoformat()
        created = timezone.now().isoformat()
        copy_rows(
            cursor,
            f"COPY {notification} (id, recipient_id, kind, dedupe_key, title, body, link, "
            "in_app, by_email, email_due_at, email_id, created_at) FROM STDIN",
            (
                (pair[0], *row[:_DUE], times.get(row[_DUE]), pair[1], times[now])
                for row, pair in zip(rows, ids, strict=True)
                if pair is not None
            ),
        )
        emails = [
            (pair[1], row[_EMAIL_TO], row[_TITLE], row[_EMAIL_TEXT], f"notification:{pair[0]}")
            for row, pair in zip(rows, ids, strict=True)
            if pair is not None and pair[1] is not None
        ]
        copy_rows(
            cursor,
            f'COPY {outbox} (id, "to", subject, body_text, dedupe_key, body_html, ics, '
            "created_at, attempts, last_error) FROM STDIN",
            ((*email, "", "", created, 0, "") for email in emails),
        )
        _send_after_commit([email[0] for email in emails])
    return [row[_KEY] for row in rows]


_DRAFT_TABLE = "notification_drafts"
_KEY_TABLE = "notification_keys"
# What `_RowMaker.row` returns, in this order (the first ten are the notification's columns).
_DRAFT_COLUMNS = (
    "recipient_id, kind, dedupe_key, title, body, link, in_app, by_email, email_due_at, "
    "email_text, email_to"
)
_KEY, _TITLE, _DUE, _EMAIL_TEXT, _EMAIL_TO = 2, 3, 8, 9, 10


def _sequences_sql() -> str:
    """A one-row subquery naming the id sequences of notifications and of the outbox.

    OFFSET 0 keeps the planner from pulling it up into the caller's target list, where each
    `nextval` would look the sequence up again (a catalog scan per row: 1.1 s instead of 0.2 s
    for 90,000 ids).
    """
    notification = Notification._meta.db_table
    outbox = OutboundEmail._meta.db_table
    return (
        f"(SELECT pg_get_serial_sequence('{notification}', 'id')::regclass AS notification, "
        f"pg_get_serial_sequence('{outbox}', 'id')::regclass AS outbox OFFSET 0)"
    )


def copy_rows(cursor: Any, sql: str, rows: Iterable[Sequence]) -> None:
    """Send ROWS through `COPY ... FROM STDIN` on a Django cursor, logged as one query.

    COPY is the fastest way into PostgreSQL and skips building one SQL literal per value
    (what a client-side-bound `unnest(%s)` of a big list costs); the log entry keeps it in
    the query counts the tests pin.
    """
    debug_sql = getattr(cursor, "debug_sql", None)  # Django's CursorDebugWrapper, when logging
    with (
        debug_sql(sql) if debug_sql else contextlib.nullcontext(),
        connection.wrap_database_errors,
        cursor.cursor.copy(sql) as copy,
    ):
        for row in rows:
            copy.write_row(row)


_DRAFT_TYPES = (
    "bigint", "text", "text", "text", "text", "text", "boolean", "boolean", "timestamptz",
    "text", "text",
)  # fmt: skip


def _notification_rows_insert(
    rows: list[tuple], *, now: datetime.datetime, inline: bool = False
) -> list[int]:
    """Insert ROWS (see `_RowMaker.row`) and the emails owed now; returns the new email ids.

    One statement writes both tables: ids are drawn from the sequences first, so each
    notification is inserted already linked to its email (`notification:<id>`), and the
    email exists only when its notification was inserted (a conflict on the dedupe key skips
    both). The foreign key is checked at commit, after both rows exist. INLINE gives the rows
    in the statement (a VALUES list); otherwise they go through a temporary table filled by
    COPY, created and dropped here.
    """
    notification = Notification._meta.db_table
    outbox = OutboundEmail._meta.db_table
    with connection.cursor() as cursor:
        if inline:
            row_sql = "(" + ", ".join(f"%s::{kind}" for kind in _DRAFT_TYPES) + ")"
            source = f"(VALUES {', '.join([row_sql] * len(rows))}) AS d({_DRAFT_COLUMNS})"
            params: list[Any] = [value for row in rows for value in row]
        else:
            cursor.execute(
                f"CREATE TEMPORARY TABLE {_DRAFT_TABLE} (recipient_id bigint, kind text, "
                "dedupe_key text, title text, body text, link text, in_app boolean, "
                "by_email boolean, email_due_at timestamptz, email_text text, email_to text) "
                "ON COMMIT DROP"
            )
            copy_rows(cursor, f"COPY {_DRAFT_TABLE} ({_DRAFT_COLUMNS}) FROM STDIN", rows)
            source, params = f"{_DRAFT_TABLE} d", []
        cursor.execute(
            f"WITH drafts AS MATERIALIZED ("  # noqa: S608  # nosec B608: fixed table names only
            f"  SELECT d.*, nextval(s.notification) AS id, "
            f"    CASE WHEN d.email_text IS NOT NULL THEN nextval(s.outbox) END AS email_id "
            f"  FROM {source}, {_sequences_sql()} s), "
            f"written AS ("
            f"  INSERT INTO {notification} (id, recipient_id, kind, dedupe_key, title, body, "
            f"    link, created_at, in_app, by_email, email_due_at, email_id) "
            f"  SELECT id, recipient_id, kind, dedupe_key, title, body, link, %s, in_app, "
            f"    by_email, email_due_at, email_id FROM drafts "
            f"  ON CONFLICT (dedupe_key) DO NOTHING RETURNING id, email_id) "
            f'INSERT INTO {outbox} (id, "to", subject, body_text, body_html, ics, dedupe_key, '
            f"  created_at, attempts, last_error) "
            f"SELECT w.email_id, d.email_to, d.title, d.email_text, '', '', "
            f"  'notification:' || w.id, %s, 0, '' "
            f"FROM written w JOIN drafts d ON d.id = w.id "
            f"WHERE w.email_id IS NOT NULL ORDER BY w.email_id RETURNING id",
            [*params, now, timezone.now()],
        )
        email_ids = [email_id for (email_id,) in cursor.fetchall()]
        if not inline:
            # Dropped now, not at commit: the caller may write again in this transaction.
            cursor.execute(f"DROP TABLE {_DRAFT_TABLE}")
    return email_ids


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
    now = now or timezone.now()
    draft = Draft(recipient, kind, dedupe_key, title, body, link, email)
    with transaction.atomic():
        # One draft goes inline with the insert: a submit or an answer notifies, and creating
        # and dropping a temporary table for one row cost PostgreSQL more than the rest of
        # the request's writes (bench_load).
        if not notifications_write(drafts=[draft], now=now, inline=True):
            return None
        return Notification.objects.filter(dedupe_key=draft.dedupe_key).first()


# --- emails owed --------------------------------------------------------------------------------


def _absolute(path: str) -> str:
    if not path:
        return settings.SITE_URL.rstrip("/") + "/"
    return settings.SITE_URL.rstrip("/") + path


def _footer() -> str:
    return (
        "\n\n--\nYou get this because of your notification settings: "
        f"{_absolute(reverse('accounts:profile'))}\n"
    )


def _single_email_text(title: str, body: str, link: str, footer: str) -> str:
    body = body.strip()
    text = f"{title}\n\n{body}\n\n" if body else f"{title}\n\n"
    return text + f"Open it: {_absolute(link)}{footer}"


def _single_email(notification: Notification) -> OutboundEmail:
    return OutboundEmail(
        to=notification.recipient.email,
        subject=notification.title,
        body_text=_single_email_text(
            notification.title, notification.body, notification.link, _footer()
        ),
        dedupe_key=f"notification:{notification.pk}",
    )


def _digest_email(group: list[Notification]) -> OutboundEmail:
    first = group[0]
    lines = [f"{len(group)} update{'s' if len(group) != 1 else ''} since your last digest:", ""]
    for notification in group:
        lines.append(f"- {notification.title}")
        if notification.body.strip():
            lines.append(f"  {notification.body.strip()}")
        lines.append(f"  {_absolute(notification.link)}")
    return OutboundEmail(
        to=first.recipient.email,
        subject=f"Your daily digest: {len(group)} update{'s' if len(group) != 1 else ''}",
        body_text="\n".join(lines) + _footer(),
        # One digest per group, and a notification is in exactly one group: its first row's id.
        dedupe_key=f"digest:u{first.recipient_id}:n{first.pk}",
    )


def _send_after_commit(email_ids: list[int]) -> None:
    """Hand emails to the workers after commit; stop at the first broker error (the sweep resends)."""
    if not email_ids:
        return
    from ..tasks import outbound_email_send

    def _send() -> None:
        for position, email_id in enumerate(email_ids):
            try:
                outbound_email_send.delay(email_id)
            except Exception:
                logger.warning(
                    "broker unavailable; %d notification emails left to the outbox sweep",
                    len(email_ids) - position,
                )
                return

    transaction.on_commit(_send)


def emails_release(
    *, now: datetime.datetime, dedupe_keys: Sequence[str] | None = None, limit: int = 500
) -> int:
    """Write the emails owed by now to the outbox and link them; returns how many were written.

    Claims owed rows with `skip_locked`, so two sweeps never write the same email; each email's
    own dedupe key (`notification:<id>`, or `digest:u<id>:n<first id>`) makes a retry write
    nothing new. Mentor kinds of a person who chose the digest go out as one email.
    """
    with transaction.atomic():
        owed = Notification.objects.select_for_update(skip_locked=True, of=("self",)).filter(
            email__isnull=True, email_due_at__lte=now, by_email=True
        )
        if dedupe_keys is not None:
            owed = owed.filter(dedupe_key__in=list(dedupe_keys))
        rows = list(owed.select_related("recipient").order_by("email_due_at", "pk")[:limit])
        if not rows:
            return 0
        singles: list[list[Notification]] = []
        digests: dict[int, list[Notification]] = defaultdict(list)
        cancelled: list[Notification] = []
        for row in rows:
            if not row.recipient.is_active:  # deactivated since: nothing is owed any more
                row.email_due_at = None
                cancelled.append(row)
                continue
            if KINDS_BY_KEY[row.kind].digestible and wants_digest(row.recipient):
                digests[row.recipient_id].append(row)
            else:
                singles.append([row])
        groups = singles + list(digests.values())
        emails = [_single_email(g[0]) for g in singles] + [
            _digest_email(g) for g in digests.values()
        ]
        OutboundEmail.objects.bulk_create(emails, ignore_conflicts=True)
        ids = dict(
            OutboundEmail.objects.filter(dedupe_key__in=[e.dedupe_key for e in emails]).values_list(
                "dedupe_key", "pk"
            )
        )
        linked: list[Notification] = list(cancelled)
        for group, email in zip(groups, emails, strict=True):
            for row in group:
                row.email_id = ids[email.dedupe_key]
                linked.append(row)
        _link_emails(linked)
        unsent = list(
            OutboundEmail.objects.filter(pk__in=set(ids.values()), sent_at__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        _send_after_commit(unsent)
    return len(emails)


def _link_emails(rows: list[Notification]) -> None:
    """Set `email` and `email_due_at` of ROWS in one statement (bulk_update's CASE per row is
    quadratic in the batch: it took half of a 2,000-enrollment sweep)."""
    if not rows:
        return
    table = Notification._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS n SET email_id = v.email_id, email_due_at = v.due "  # noqa: S608  # nosec B608
            "FROM unnest(%s::bigint[], %s::bigint[], %s::timestamptz[]) AS v(id, email_id, due) "
            "WHERE n.id = v.id",
            [
                [row.pk for row in rows],
                [row.email_id for row in rows],
                [row.email_due_at for row in rows],
            ],
        )


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
        desk_link("desk:review", submission_id=submission.pk),
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
    (one insert for all participants; nothing when it rolls back). Once per meeting and
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
    return notifications_write(drafts=drafts, now=now)
