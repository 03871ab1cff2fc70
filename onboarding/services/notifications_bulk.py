"""The reminder sweep's bulk writes: hundreds of thousands of notifications in a few statements.

Used only by the sweep (`reminder_rules`); a single event (a submit, an answer, a booking)
writes its notification through the ORM in `notifications.draft_write`. Everything here is
PostgreSQL SQL (COPY, temporary tables, `nextval`, `unnest`), so the sweep runs only where
`bulk_writes_available()` says so: the one switch between the two paths.

- `notifications_write`: drafts whose keys other writers may also write (the event-age rules):
  a temporary table filled by COPY, one insert of both tables ignoring conflicts.
- `notifications_copy`: drafts whose keys only this sweep writes (the claimed due rows): COPY
  straight into both tables.
- `emails_release`: the emails held for quiet hours or the digest, written when owed.

Drafts become `DraftRow`s with the same rules as the single path (`notifications.channel_for`,
`email_due_for`, `single_email_text`), with what repeats across a sweep looked up once.
"""

import contextlib
import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.utils import timezone

from accounts.links import absolute_url
from accounts.models import User

from ..models import Notification, OutboundEmail
from .notifications import (
    BY_EMAIL_CHANNELS,
    CHANNELS,
    IN_APP_CHANNELS,
    KINDS_BY_KEY,
    Draft,
    Kind,
    Recipient,
    email_due_for,
    email_footer,
    one_line,
    single_email_text,
    wants_digest,
)

logger = logging.getLogger(__name__)


def bulk_writes_available() -> bool:
    """The switch: the sweep's statements are PostgreSQL's (SQLite, the embedded default,
    has no COPY, `nextval` or arrays). Single events never need this: they use the ORM."""
    return connection.vendor == "postgresql"


class DraftRow(NamedTuple):
    """A draft as the tables take it (the first nine fields are the notification's columns)."""

    recipient_id: int
    kind: str
    dedupe_key: str
    title: str
    body: str
    link: str
    in_app: bool
    by_email: bool
    email_due_at: datetime.datetime | None
    email_text: str | None  # the email owed now (None: none, or held until `email_due_at`)
    email_to: str


_DRAFT_COLUMNS = ", ".join(DraftRow._fields)
_NOTIFICATION_COLUMNS = DraftRow._fields[:9]
_DRAFT_TYPES = (
    "bigint", "text", "text", "text", "text", "text", "boolean", "boolean", "timestamptz",
    "text", "text",
)  # fmt: skip


class RowMaker:
    """Turns drafts into `DraftRow`s for one NOW.

    Everything that depends only on the person's clock and the kind (quiet hours, the digest)
    is computed once per distinct answer, not once per draft: the morning sweep writes a few
    hundred thousand drafts for a few dozen time zones.
    """

    def __init__(self, now: datetime.datetime) -> None:
        self.now = now
        self.footer = email_footer()
        self.site = absolute_url("/")[:-1]
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

    def row(self, draft: Draft) -> DraftRow | None:
        """The draft's row, or None when the recipient gets nothing.

        Called once per notification the sweep writes (hundreds of thousands): the same rules
        as `notifications.draft_write`, with what repeats looked up."""
        kind = draft.kind
        spec = KINDS_BY_KEY.get(kind)
        if spec is None:
            raise ValueError(f"unknown notification kind {kind!r}")
        recipient = draft.recipient
        if not recipient.is_active:
            return None
        channel = (recipient.notification_preferences or {}).get(kind)
        if channel not in CHANNELS:
            channel = spec.default
        in_app = channel in IN_APP_CHANNELS
        by_email = draft.email and channel in BY_EMAIL_CHANNELS
        if not (in_app or by_email):  # "off", or email only for a note that must not email
            return None
        title = self._titles.get(draft.title)
        if title is None:
            title = self._titles[draft.title] = one_line(draft.title, 200)
        body = draft.body[:5000]
        link = draft.link[:500]
        due = self.email_due(recipient, spec) if by_email else None
        # Owed now: written to the outbox with the notification (a digest is never owed at once:
        # its time is the next start of the person's day, always after NOW). The text is
        # `single_email_text`'s, with the site and footer formatted once.
        email_text = None
        if due == self.now:
            stripped = body.strip()
            email_text = (
                f"{title}\n\n{stripped}\n\n" if stripped else f"{title}\n\n"
            ) + f"Open it: {self.site}{link or '/'}{self.footer}"
        return DraftRow(
            recipient_id=recipient.pk,
            kind=kind,
            dedupe_key=f"u{recipient.pk}:{kind}:{draft.occurrence}"[:200],  # = Draft.dedupe_key
            title=title,
            body=body,
            link=link,
            in_app=in_app,
            by_email=by_email,
            email_due_at=due,
            email_text=email_text,
            email_to=recipient.email,
        )


def notifications_write(*, drafts: Sequence[Draft], now: datetime.datetime) -> list[str]:
    """Write DRAFTS (those the recipients did not turn off) and the emails owed now.

    Invariants: at most one row per dedupe key (insert ignoring conflicts: a second writer
    writes nothing, and no email for it); channels decided from preferences, less email for a
    draft with `email=False` (a draft left with no channel is not written); the caller's
    transaction holds the rows and their outbox emails together, and the emails go to the
    workers after commit. Four statements whatever the number of drafts (a temporary table
    filled by COPY, one insert of both tables, its drop). Returns the dedupe keys written or
    already present.
    """
    maker = RowMaker(now)
    rows = [row for row in map(maker.row, drafts) if row is not None]
    if not rows:
        return []
    with transaction.atomic():
        email_ids = _rows_insert(rows, now=now)
        _send_after_commit(email_ids)
    return [row.dedupe_key for row in rows]


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
    maker = RowMaker(now)
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
            ((n, row.dedupe_key, row.email_text is not None) for n, row in enumerate(rows)),
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
        times: dict[datetime.datetime | None, str] = {
            due: due.isoformat() for due in {row.email_due_at for row in rows} if due
        }
        times[now] = now.isoformat()
        created = timezone.now().isoformat()
        copy_rows(
            cursor,
            f"COPY {notification} (id, {', '.join(_NOTIFICATION_COLUMNS)}, email_id, "
            "created_at) FROM STDIN",
            (
                (pair[0], *row[:8], times.get(row.email_due_at), pair[1], times[now])
                for row, pair in zip(rows, ids, strict=True)
                if pair is not None
            ),
        )
        emails = [
            (pair[1], row.email_to, row.title, row.email_text, f"notification:{pair[0]}")
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
    return [row.dedupe_key for row in rows]


_DRAFT_TABLE = "notification_drafts"
_KEY_TABLE = "notification_keys"


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


def _rows_insert(rows: list[DraftRow], *, now: datetime.datetime) -> list[int]:
    """Insert ROWS and the emails owed now; returns the new email ids.

    One statement writes both tables: ids are drawn from the sequences first, so each
    notification is inserted already linked to its email (`notification:<id>`), and the
    email exists only when its notification was inserted (a conflict on the dedupe key skips
    both). The foreign key is checked at commit, after both rows exist. The rows go through a
    temporary table filled by COPY, created and dropped here.
    """
    notification = Notification._meta.db_table
    outbox = OutboundEmail._meta.db_table
    columns = ", ".join(
        f"{name} {kind}" for name, kind in zip(DraftRow._fields, _DRAFT_TYPES, strict=True)
    )
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {_DRAFT_TABLE} ({columns}) ON COMMIT DROP")
        copy_rows(cursor, f"COPY {_DRAFT_TABLE} ({_DRAFT_COLUMNS}) FROM STDIN", rows)
        cursor.execute(
            f"WITH drafts AS MATERIALIZED ("  # noqa: S608  # nosec B608: fixed table names only
            f"  SELECT d.*, nextval(s.notification) AS id, "
            f"    CASE WHEN d.email_text IS NOT NULL THEN nextval(s.outbox) END AS email_id "
            f"  FROM {_DRAFT_TABLE} d, {_sequences_sql()} s), "
            f"written AS ("
            f"  INSERT INTO {notification} (id, {', '.join(_NOTIFICATION_COLUMNS)}, "
            f"    created_at, email_id) "
            f"  SELECT id, {', '.join(_NOTIFICATION_COLUMNS)}, %s, email_id FROM drafts "
            f"  ON CONFLICT (dedupe_key) DO NOTHING RETURNING id, email_id) "
            f'INSERT INTO {outbox} (id, "to", subject, body_text, body_html, ics, dedupe_key, '
            f"  created_at, attempts, last_error) "
            f"SELECT w.email_id, d.email_to, d.title, d.email_text, '', '', "
            f"  'notification:' || w.id, %s, 0, '' "
            f"FROM written w JOIN drafts d ON d.id = w.id "
            f"WHERE w.email_id IS NOT NULL ORDER BY w.email_id RETURNING id",
            [now, timezone.now()],
        )
        email_ids = [email_id for (email_id,) in cursor.fetchall()]
        # Dropped now, not at commit: the caller may write again in this transaction.
        cursor.execute(f"DROP TABLE {_DRAFT_TABLE}")
    return email_ids


def _send_after_commit(email_ids: list[int]) -> None:
    """Hand emails to the workers after commit; stop at the first broker error (the sweep resends).

    One callback for the whole batch, where `email_queue` registers one per email: the sweep
    writes up to hundreds of thousands."""
    if not email_ids:
        return
    from ..tasks import outbound_email_send  # tasks import the services: at use, not at load

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


# --- emails owed later ----------------------------------------------------------------------------


def _single_email(notification: Notification, footer: str) -> OutboundEmail:
    return OutboundEmail(
        to=notification.recipient.email,
        subject=notification.title,
        body_text=single_email_text(
            notification.title, notification.body, notification.link, footer
        ),
        dedupe_key=f"notification:{notification.pk}",
    )


def _digest_email(group: list[Notification], footer: str) -> OutboundEmail:
    first = group[0]
    lines = [f"{len(group)} update{'s' if len(group) != 1 else ''} since your last digest:", ""]
    for notification in group:
        lines.append(f"- {notification.title}")
        if notification.body.strip():
            lines.append(f"  {notification.body.strip()}")
        lines.append(f"  {absolute_url(notification.link)}")
    return OutboundEmail(
        to=first.recipient.email,
        subject=f"Your daily digest: {len(group)} update{'s' if len(group) != 1 else ''}",
        body_text="\n".join(lines) + footer,
        # One digest per group, and a notification is in exactly one group: its first row's id.
        dedupe_key=f"digest:u{first.recipient_id}:n{first.pk}",
    )


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
        footer = email_footer()
        emails = [_single_email(g[0], footer) for g in singles] + [
            _digest_email(g, footer) for g in digests.values()
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
