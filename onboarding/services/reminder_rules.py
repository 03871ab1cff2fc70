"""The reminder rules and the sweep that runs them (beat starts it every minute, in UTC).

Two kinds of rule:
- time-of-day rules keep one `ReminderDue` row per person (their next local 09:00, their next
  Monday summary). The sweep claims up to `sweep_cap` due rows at once with `skip_locked`,
  writes what each person is owed (COPY), and moves `due_at` to the next occurrence in the
  person's IANA zone; rows past the cap wait for the next sweep, a minute later.
- event-age rules (a new submission, one waiting past its deadline, a question unanswered for a
  day, a started day without a reflection) scan a short window of recent rows, remembered in
  a `RuleCursor` row claimed with `skip_locked`; windows overlap a little, unique keys absorb it.
- the meeting rule (tomorrow, in one hour) runs under the same kind of cursor, so sweeps take
  turns, but looks ahead instead of back: see `meeting_reminders_drafts`.

Every statement here works on a whole set (the claimed rows joined in SQL, read through a
server-side cursor `batch_size` rows per fetch): the count per sweep does not grow with the
number of enrollments (tests pin it). Thresholds come from `settings.NOTIFICATION_RULES` over
`DEFAULTS`.
"""

import contextlib
import dataclasses
import datetime
import gc
import json
import logging
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from curriculum.markdown.structure import BlockKind
from curriculum.models import Block, Item

from ..links import path_maker
from ..models import (
    MEETING_HOLDS_TIME_STATES,
    Enrollment,
    EnrollmentState,
    ItemProgress,
    MeetingParticipant,
    MeetingResponse,
    Notification,
    ProgressState,
    Question,
    QuestionState,
    ReminderDue,
    RuleCursor,
    Submission,
    SubmissionKind,
    SubmissionState,
)
from ..schedule import Schedule
from .notifications import (
    Draft,
    Recipient,
    desk_link,
    meeting_occurrence,
    meeting_when,
    next_local_time,
    submission_submitted_draft,
    submission_what,
)
from .notifications_bulk import (
    bulk_writes_available,
    emails_release,
    notifications_copy,
    notifications_write,
)

logger = logging.getLogger(__name__)

DEFAULTS: dict[str, Any] = {
    "daily_item_at": datetime.time(9, 0),  # the hire's local time, on their working days
    "daily_item_stale_hours": 6,  # a sweep this late skips the morning note (it's no longer morning)
    "behind_days": 1,  # N: the hire hears when this many working days behind
    "behind_mentor_after": 2,  # M more: the mentor hears
    "behind_admin_after": 2,  # K more after that: the program admins hear
    "reflection_missing_hours": 24,
    "review_deadline_hours": 48,
    "question_unanswered_hours": 24,
    "weekly_summary_weekday": 0,  # Monday
    "weekly_summary_at": datetime.time(9, 0),
    "meeting_day_before_at": datetime.time(9, 0),  # the participant's local time, the day before
    "meeting_soon_minutes": 60,  # the "in one hour" reminder
    "scan_every_seconds": 60,
    "scan_overlap_minutes": 10,
    "batch_size": 2000,  # rows per fetch of the sweep's server-side cursor
    "sweep_cap": 200_000,  # due rows one sweep claims at most; the rest wait a minute
}

DAILY = "daily"
WEEKLY = "weekly_summary"
COMPLETED = (ProgressState.WAITING_REVIEW, ProgressState.DONE)


def rule_settings() -> dict[str, Any]:
    return {**DEFAULTS, **getattr(settings, "NOTIFICATION_RULES", {})}


@dataclasses.dataclass
class SweepReport:
    seeded: int = 0
    claimed: int = 0
    notifications: int = 0
    emails: int = 0
    scanned_rules: list[str] = dataclasses.field(default_factory=list)


# --- seeding the time-of-day rows --------------------------------------------------------------


def _first_due(user: User, rule: str, now: datetime.datetime, conf: dict) -> datetime.datetime:
    if rule == WEEKLY:
        return next_local_time(
            after=now,
            zone=user.zone,
            at=conf["weekly_summary_at"],
            weekdays=[conf["weekly_summary_weekday"]],
        )
    return next_local_time(after=now, zone=user.zone, at=conf["daily_item_at"])


def reminders_seed(*, now: datetime.datetime, limit: int = 5000) -> int:
    """Give every hire with an active enrollment and every program admin their due rows.

    Idempotent (unique per person and rule, inserts ignore conflicts). Four queries whatever
    the size; a backlog bigger than LIMIT is finished by the next sweeps.
    """
    conf = rule_settings()
    missing_daily = ~Exists(ReminderDue.objects.filter(user_id=OuterRef("pk"), rule=DAILY))
    missing_weekly = ~Exists(ReminderDue.objects.filter(user_id=OuterRef("pk"), rule=WEEKLY))
    active = Exists(Enrollment.objects.filter(hire_id=OuterRef("pk"), state=EnrollmentState.ACTIVE))
    wanted: list[tuple[User, str]] = []
    # Invited but not joined yet (no usable password): nothing to remind them of until they do.
    hires = (
        User.objects.filter(active, missing_daily, is_active=True)
        .exclude(password__startswith=UNUSABLE_PASSWORD_PREFIX)
        .only("pk", "time_zone")[:limit]
    )
    wanted += [(user, DAILY) for user in hires]
    admins = User.objects.filter(
        Q(is_program_admin=True) | Q(is_superuser=True), missing_weekly, is_active=True
    ).only("pk", "time_zone")[:limit]
    wanted += [(user, WEEKLY) for user in admins]
    if not wanted:
        return 0
    ReminderDue.objects.bulk_create(
        [
            ReminderDue(user=user, rule=rule, due_at=_first_due(user, rule, now, conf))
            for user, rule in wanted
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )
    return len(wanted)


# --- the morning rule: today's item, behind schedule and its escalations ------------------------

_CLAIM_TABLE = "reminder_claim"


def _item_link(enrollment: Enrollment, item: Item) -> str:
    return reverse("journey:item", kwargs={"enrollment_id": enrollment.pk, "item_id": item.pk})


def _json_list(text: str | None) -> tuple:
    return tuple(json.loads(text)) if text else ()


class _MorningRule:
    """What the claimed hires are owed this local morning, drafted without a query per person.

    The schedule arithmetic, local dates and texts are computed once per distinct input (a
    cohort shares its start date and working days, a zone its local date), so the cost per
    hire is a few dictionary lookups and the drafts' strings.
    """

    def __init__(self, *, conf: dict, now: datetime.datetime) -> None:
        self.conf = conf
        self.now = now
        self.stale = datetime.timedelta(hours=conf["daily_item_stale_hours"])
        self.behind_n = conf["behind_days"]
        self.mentor_at = self.behind_n + conf["behind_mentor_after"]
        self.admin_at = self.mentor_at + conf["behind_admin_after"]
        self.home = reverse("home")
        self.desk = desk_link("desk:dashboard")
        self.item_link = path_maker("journey:item", "enrollment_id", "item_id")
        self.items: dict[int, list[tuple[int, str]]] = {}  # by version: (id, label) in order
        self.mentors: dict[int, Recipient] = {}
        self._admins: list[User] | None = None
        self._days: dict[tuple[datetime.datetime, str], tuple[datetime.date, str]] = {}
        self._schedules: dict[tuple, Schedule] = {}
        self._today: dict[tuple, tuple[bool, int]] = {}
        self._behind: dict[tuple, int] = {}

    def load(self, *, version_ids: set[int], mentor_ids: set[int]) -> None:
        """Two queries: the items of the versions in program order, and the mentors."""
        for item in (
            Item.objects.filter(version_id__in=version_ids)
            .order_by("version_id", "chapter__position", "position")
            .only("pk", "version_id", "kind", "number", "title")
        ):
            self.items.setdefault(item.version_id, []).append((item.pk, str(item)))
        if mentor_ids:
            # Raw rows into `Recipient`s, the ids as one array parameter: Django's `pk__in`
            # binds one placeholder per id and builds a `User` per row (0.4 s of the worst-case
            # sweep for its 5,000 mentors).
            people = _PeopleReader()
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT {_PERSON_COLUMNS.format(zone='u.time_zone')} FROM {User._meta.db_table} u "  # noqa: S608  # nosec B608
                    "WHERE u.id = ANY(%s)",
                    [list(mentor_ids)],
                )
                self.mentors = {row[0]: people.recipient(row) for row in cursor.fetchall()}

    def admins(self) -> list[User]:
        if self._admins is None:
            self._admins = list(
                User.objects.filter(Q(is_program_admin=True) | Q(is_superuser=True), is_active=True)
            )
        return self._admins

    def _local_day(self, due_at: datetime.datetime, zone: str) -> tuple[datetime.date, str]:
        """The local date this occurrence belongs to, and its ISO form (the daily key)."""
        key = (due_at, zone)
        day = self._days.get(key)
        if day is None:
            date = due_at.astimezone(ZoneInfo(zone)).date()
            day = self._days[key] = (date, date.isoformat())
        return day

    def _schedule(self, enrollment: "_Enrollment") -> tuple[tuple, Schedule]:
        key = (enrollment.start_date, enrollment.pace, enrollment.working_days, enrollment.holidays)
        schedule = self._schedules.get(key)
        if schedule is None:
            schedule = self._schedules[key] = Schedule.build(
                start_date=enrollment.start_date,
                pace=enrollment.pace,
                working_days=_json_list(enrollment.working_days),
                holidays=_json_list(enrollment.holidays),
            )
        return key, schedule

    def drafts(self, claim: "_Claim") -> list[Draft]:
        """What one hire is owed this local morning; nothing when it's no longer morning."""
        user = claim.user
        if self.now - claim.due_at > self.stale:
            logger.info(
                "daily reminder of user %s skipped: sweep late by %s",
                user.pk,
                self.now - claim.due_at,
            )
            return []
        day, day_key = self._local_day(claim.due_at, claim.time_zone)
        drafts: list[Draft] = []
        today_lines: list[tuple[str, str]] = []
        for enrollment in claim.enrollments:
            key, schedule = self._schedule(enrollment)
            today = self._today.get((key, day))
            if today is None:
                working = day >= enrollment.start_date and schedule.is_working_day(day)
                today = self._today[(key, day)] = (working, schedule.today_index(day))
            working, index = today
            if not working:
                continue
            items = self.items.get(enrollment.version_id, [])
            for item_id, label in items[index : index + enrollment.pace]:
                today_lines.append((label, self.item_link(enrollment.pk, item_id)))
            progress = (key, day, enrollment.done, len(items))
            behind = self._behind.get(progress)
            if behind is None:
                behind = self._behind[progress] = -schedule.days_ahead(
                    today=day, done=enrollment.done, total=len(items)
                )
            if behind < self.behind_n:
                continue
            occurrence = f"e{enrollment.pk}:d{behind}"
            days = f"{behind} working day{'s' if behind != 1 else ''}"
            drafts.append(
                Draft(user, "behind", occurrence, f"You are {days} behind schedule", "", self.home)
            )
            mentor = self.mentors.get(enrollment.mentor_id) if enrollment.mentor_id else None
            if behind >= self.mentor_at and mentor is not None:
                drafts.append(
                    Draft(
                        mentor,
                        "mentee_behind",
                        occurrence,
                        f"{user.name} is {days} behind schedule",
                        "",
                        self.desk,
                    )
                )
            if behind >= self.admin_at:
                for admin in self.admins():
                    drafts.append(
                        Draft(
                            admin,
                            "hire_escalation",
                            occurrence,
                            f"{user.name} is {days} behind schedule",
                            f"Their mentor has been told since {self.mentor_at} working days "
                            "behind.",
                            self.home,
                        )
                    )
        if today_lines:
            title = (
                f"Today: {today_lines[0][0]}"
                if len(today_lines) == 1
                else f"Today: {len(today_lines)} items"
            )
            body = "\n".join(text for text, _ in today_lines)
            drafts.insert(0, Draft(user, "daily_item", day_key, title, body, today_lines[0][1]))
        return drafts


# --- the weekly summary for program admins ------------------------------------------------------


def _weekly_summary_text(conf: dict, now: datetime.datetime) -> str:
    """One line per program: active hires, writing waiting and overdue, open questions."""
    deadline = now - datetime.timedelta(hours=conf["review_deadline_hours"])
    week_ago = now - datetime.timedelta(days=7)
    stats: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in (
        Enrollment.objects.filter(state=EnrollmentState.ACTIVE)
        .values("program__title")
        .annotate(n=Count("pk"))
    ):
        stats[row["program__title"]]["active hires"] = row["n"]
    for row in (
        Submission.objects.filter(state=SubmissionState.SUBMITTED)
        .values("enrollment__program__title")
        .annotate(n=Count("pk"), late=Count("pk", filter=Q(submitted_at__lte=deadline)))
    ):
        stats[row["enrollment__program__title"]]["waiting for review"] = row["n"]
        stats[row["enrollment__program__title"]]["past the review deadline"] = row["late"]
    for row in (
        Question.objects.filter(state=QuestionState.OPEN)
        .values("enrollment__program__title")
        .annotate(n=Count("pk"))
    ):
        stats[row["enrollment__program__title"]]["open questions"] = row["n"]
    for row in (
        ItemProgress.objects.filter(completed_at__gte=week_ago)
        .values("enrollment__program__title")
        .annotate(n=Count("pk"))
    ):
        stats[row["enrollment__program__title"]]["items completed this week"] = row["n"]
    if not stats:
        return "No hires are enrolled yet."
    lines = []
    for title in sorted(stats):
        figures = ", ".join(f"{name}: {value}" for name, value in stats[title].items())
        lines.append(f"{title}: {figures}")
    return "\n".join(lines)


# --- claiming due rows ---------------------------------------------------------------------------


@dataclasses.dataclass(slots=True)
class _Enrollment:
    """An active enrollment of a claimed hire, as the morning rule reads it."""

    pk: int
    version_id: int
    mentor_id: int | None
    start_date: datetime.date
    pace: int
    working_days: str  # JSON as stored: also the key of the schedule cache
    holidays: str
    created_at: float  # epoch seconds: only orders a hire's enrollments
    done: int  # items completed (waiting for review or done)


@dataclasses.dataclass(slots=True)
class _Claim:
    """One claimed `ReminderDue` row with its person (and, for the morning rule, enrollments)."""

    pk: int
    rule: str
    due_at: datetime.datetime
    time_zone: str  # read with the claim: the row moves on in this zone
    user: Recipient
    is_admin: bool
    enrollments: list[_Enrollment]


# The columns of `accounts_user u` that make a `Recipient`, in `_PeopleReader.recipient` order;
# {zone} is where the zone is read from (a claim reads the one it was claimed in).
_PERSON_COLUMNS = (
    "u.id, u.email, u.display_name, u.is_active, {zone}, u.working_hours_start, "
    "u.working_hours_end, u.working_days::text, u.notification_preferences::text"
)


class _PeopleReader:
    """Rows of `_PERSON_COLUMNS` into `Recipient`s, each distinct JSON text parsed once (most
    people share their working days and preferences)."""

    def __init__(self) -> None:
        self._weekdays: dict[str | None, tuple] = {}
        self._preferences: dict[str | None, dict] = {}

    def recipient(self, row: tuple) -> Recipient:
        days = self._weekdays.get(row[7])
        if days is None:
            days = self._weekdays[row[7]] = _json_list(row[7])
        preferences = self._preferences.get(row[8])
        if preferences is None:
            preferences = self._preferences[row[8]] = json.loads(row[8] or "{}")
        return Recipient(*row[:7], days, preferences)  # type: ignore[call-arg]


def _due_rows_claim(cursor: Any, *, now: datetime.datetime, cap: int) -> int:
    """Lock up to CAP due rows (`skip_locked`: another sweep's rows are left to it) and note
    them in a temporary table the reads join. Two statements; returns how many were claimed."""
    due = ReminderDue._meta.db_table
    user = User._meta.db_table
    cursor.execute(
        f"CREATE TEMPORARY TABLE {_CLAIM_TABLE} (id bigint, user_id bigint, rule text, "
        "due_at timestamptz, time_zone text) ON COMMIT DROP"
    )
    cursor.execute(
        f"INSERT INTO {_CLAIM_TABLE} "  # noqa: S608  # nosec B608: fixed table names only
        f"SELECT r.id, r.user_id, r.rule, r.due_at, u.time_zone "
        f"FROM {due} r JOIN {user} u ON u.id = r.user_id WHERE r.due_at <= %s "
        f"ORDER BY r.due_at, r.id LIMIT %s FOR UPDATE OF r SKIP LOCKED",
        [now, cap],
    )
    return cursor.rowcount


def _claims_read(*, chunk: int) -> list[_Claim]:
    """The claimed rows with their people, active enrollments and completed-item counts.

    One statement, read through a server-side cursor CHUNK rows at a time. JSON columns and
    due times come as text, parsed once per distinct value (a zone's rows share their due
    time): Django's time-zone-aware loader costs more per value than the rest of a row.
    """
    user = User._meta.db_table
    enrollment = Enrollment._meta.db_table
    progress = ItemProgress._meta.db_table
    claims: dict[int, _Claim] = {}
    people = _PeopleReader()
    due_times: dict[str, datetime.datetime] = {}
    with connection.chunked_cursor() as stream:
        stream.execute(
            f"SELECT {_PERSON_COLUMNS.format(zone='c.time_zone')}, c.id, c.rule, c.due_at::text, "  # noqa: S608  # nosec B608
            f"  u.is_program_admin OR u.is_superuser, "
            f"  e.id, e.version_id, e.mentor_id, e.start_date, e.pace, e.working_days::text, "
            f"  e.holidays::text, extract(epoch FROM e.created_at)::float8, "
            f"  (SELECT count(*) FROM {progress} p "
            f"   WHERE p.enrollment_id = e.id AND p.state = ANY(%s)) "
            f"FROM {_CLAIM_TABLE} c JOIN {user} u ON u.id = c.user_id "
            f"LEFT JOIN {enrollment} e "
            f"  ON c.rule = %s AND e.hire_id = c.user_id AND e.state = %s "
            f"  AND u.password NOT LIKE %s",  # not joined yet: no enrollment to remind of
            [list(COMPLETED), DAILY, EnrollmentState.ACTIVE, UNUSABLE_PASSWORD_PREFIX + "%"],
        )
        while rows := stream.fetchmany(chunk):
            for row in rows:
                claim = claims.get(row[9])
                if claim is None:
                    due_at = due_times.get(row[11])
                    if due_at is None:
                        due_at = due_times[row[11]] = datetime.datetime.fromisoformat(row[11])
                    person = people.recipient(row)
                    claim = claims[row[9]] = _Claim(
                        row[9], row[10], due_at, person.time_zone, person, row[12], []
                    )
                if row[13] is not None:
                    claim.enrollments.append(_Enrollment(*row[13:]))
    # In the order the rows came (claims are independent of each other); a hire's enrollments
    # in the order they were made, so that "today" lists them as the journey does.
    for claim in claims.values():
        if len(claim.enrollments) > 1:
            claim.enrollments.sort(key=lambda enrollment: (enrollment.created_at, enrollment.pk))
    return list(claims.values())


@contextlib.contextmanager
def _cycle_collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while the due rows are answered.

    The pass builds a few million objects that all live until it ends (claims, drafts, rows),
    and each allocation burst sets off a collection that walks every one of them: 1.7 s of a
    10 s worst-case sweep (bench_sweep), for nothing, as none of them forms a cycle (memory is
    still freed by reference counting). Collection resumes as it was when the pass ends.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _due_rows_process(*, now: datetime.datetime, cap: int, chunk: int, report: SweepReport) -> None:
    """Claim up to CAP due rows, write what they owe, move them on, in one transaction.

    A fixed number of statements whatever the number of rows: the claim, one read of the
    claimed people and enrollments (streamed), the items and mentors, the writes (COPY), the
    moves. Due rows beyond CAP are left to the next sweep, a minute later.
    """
    conf = rule_settings()
    with transaction.atomic(), connection.cursor() as cursor:
        claimed = _due_rows_claim(cursor, now=now, cap=cap)
        if claimed:
            claims = _claims_read(chunk=chunk)
            written = _claims_answer(claims, conf=conf, now=now, cursor=cursor)
            report.claimed += len(claims)
            report.notifications += len(written)
        cursor.execute(f"DROP TABLE {_CLAIM_TABLE}")  # now: the caller may sweep again


def _claims_answer(
    claims: list[_Claim], *, conf: dict, now: datetime.datetime, cursor: Any
) -> list[str]:
    """Write what CLAIMS owe and move each claimed row to its next occurrence (or drop it).

    The moves depend only on the claims, not on what is written, so they are sent first, in
    pipeline mode: PostgreSQL updates the rows while this process drafts (2 cores: 0.5 s of
    the worst-case sweep). The same statements as before, in the same transaction.
    """
    morning = _MorningRule(conf=conf, now=now)
    morning.load(
        version_ids={e.version_id for claim in claims for e in claim.enrollments},
        mentor_ids={e.mentor_id for claim in claims for e in claim.enrollments if e.mentor_id},
    )
    kept, dropped, next_due = _claims_triage(claims, conf=conf, now=now)
    if dropped:
        ReminderDue.objects.filter(pk__in=dropped).delete()
    summary: str | None = None
    drafts: list[Draft] = []
    with connection.connection.pipeline():
        _due_rows_move(cursor, next_due, now=now)
        for claim in kept:
            if claim.rule == DAILY:
                drafts += morning.drafts(claim)
            elif now - claim.due_at <= datetime.timedelta(days=1):  # WEEKLY, not missed
                if summary is None:
                    summary = _weekly_summary_text(conf, now)
                week = claim.due_at.astimezone(claim.user.zone).isocalendar()
                drafts.append(
                    Draft(
                        claim.user,
                        "weekly_summary",
                        f"{week.year}-W{week.week:02d}",
                        "This week in your programs",
                        summary,
                        morning.home,
                    )
                )
    return notifications_copy(drafts=drafts, now=now)


def _claims_triage(
    claims: list[_Claim], *, conf: dict, now: datetime.datetime
) -> tuple[list[_Claim], list[int], dict[tuple[str, str], datetime.datetime]]:
    """The claims still owed something, the ids of rows to drop, and the next occurrence of
    each (zone, rule) the kept claims are in."""
    kept: list[_Claim] = []
    dropped: list[int] = []
    next_due: dict[tuple[str, str], datetime.datetime] = {}
    for claim in claims:
        if claim.rule == DAILY:
            owed = claim.user.is_active and bool(claim.enrollments)  # seeded again on enrolling
        elif claim.rule == WEEKLY:
            owed = claim.user.is_active and claim.is_admin
        else:
            owed = False  # a rule that no longer exists
        if not owed:
            dropped.append(claim.pk)
            continue
        kept.append(claim)
        if (claim.time_zone, claim.rule) not in next_due:
            next_due[(claim.time_zone, claim.rule)] = _next_due(claim, conf=conf, now=now)
    return kept, dropped, next_due


def _next_due(claim: _Claim, *, conf: dict, now: datetime.datetime) -> datetime.datetime:
    """The rule's next occurrence after NOW in the claim's zone (the same for a whole zone)."""
    zone = ZoneInfo(claim.time_zone)
    if claim.rule == WEEKLY:
        return next_local_time(
            after=now,
            zone=zone,
            at=conf["weekly_summary_at"],
            weekdays=[conf["weekly_summary_weekday"]],
        )
    return next_local_time(after=now, zone=zone, at=conf["daily_item_at"])


def _due_rows_move(
    cursor: Any, next_due: dict[tuple[str, str], datetime.datetime], *, now: datetime.datetime
) -> None:
    """Move every claimed row still there to its next occurrence, in one statement.

    The next occurrence depends only on the zone and the rule, so the statement carries one
    value per (zone, rule) and joins the claimed rows to it; dropped rows are gone already.
    """
    if not next_due:
        return
    table = ReminderDue._meta.db_table
    cursor.execute(
        f"UPDATE {table} AS r SET due_at = m.due_at, last_run_at = %s "  # noqa: S608  # nosec B608
        f"FROM {_CLAIM_TABLE} c, "
        "unnest(%s::text[], %s::text[], %s::timestamptz[]) AS m(time_zone, rule, due_at) "
        "WHERE r.id = c.id AND m.time_zone = c.time_zone AND m.rule = c.rule",
        [
            now,
            [zone for zone, _ in next_due],
            [rule for _, rule in next_due],
            list(next_due.values()),
        ],
    )


# --- event-age rules over a window of recent rows ------------------------------------------------


def new_submission_drafts(
    start: datetime.datetime, end: datetime.datetime, conf: dict
) -> list[Draft]:
    """Mentor: a submission (or a resubmission) arrived."""
    rows = (
        Submission.objects.filter(
            state=SubmissionState.SUBMITTED, submitted_at__gt=start, submitted_at__lte=end
        )
        .exclude(enrollment__mentor__isnull=True)
        .select_related("enrollment__mentor", "enrollment__hire", "item")
    )
    return [submission_submitted_draft(submission) for submission in rows]


def review_overdue_drafts(
    start: datetime.datetime, end: datetime.datetime, conf: dict
) -> list[Draft]:
    """Mentor: a submission still waits after the review deadline."""
    age = datetime.timedelta(hours=conf["review_deadline_hours"])
    rows = (
        Submission.objects.filter(
            state=SubmissionState.SUBMITTED,
            submitted_at__gt=start - age,
            submitted_at__lte=end - age,
        )
        .exclude(enrollment__mentor__isnull=True)
        .select_related("enrollment__mentor", "enrollment__hire", "item")
    )
    hours = conf["review_deadline_hours"]
    return [
        Draft(
            submission.enrollment.mentor,  # type: ignore[arg-type]
            "review_overdue",
            f"s{submission.pk}:r{submission.round}",
            f"{submission.enrollment.hire.name}'s {submission_what(submission)} on {submission.item} "
            f"has waited more than {hours} hours",
            "",
            desk_link("desk:review", submission_id=submission.pk),
        )
        for submission in rows
    ]


def question_waiting_drafts(
    start: datetime.datetime, end: datetime.datetime, conf: dict
) -> list[Draft]:
    """Mentor: a question has waited on them for a day (since it was asked or last reopened)."""
    age = datetime.timedelta(hours=conf["question_unanswered_hours"])
    rows = (
        Question.objects.filter(
            state=QuestionState.OPEN, updated_at__gt=start - age, updated_at__lte=end - age
        )
        .exclude(enrollment__mentor__isnull=True)
        .select_related("enrollment__mentor", "enrollment__hire", "item")
    )
    return [
        Draft(
            question.enrollment.mentor,  # type: ignore[arg-type]
            "question_waiting",
            f"q{question.pk}:{int(question.updated_at.timestamp())}",
            f"{question.enrollment.hire.name}'s question on {question.item} is still unanswered",
            question.body[:300],
            desk_link("desk:question", question_id=question.pk),
        )
        for question in rows
    ]


def reflection_missing_drafts(
    start: datetime.datetime, end: datetime.datetime, conf: dict
) -> list[Draft]:
    """Hire: they started an item with reflection prompts a day ago and submitted none."""
    age = datetime.timedelta(hours=conf["reflection_missing_hours"])
    has_prompts = Exists(
        Block.objects.filter(item_id=OuterRef("item_id"), kind=BlockKind.REFLECTION_PROMPT)
    )
    submitted = Exists(
        Submission.objects.filter(
            enrollment_id=OuterRef("enrollment_id"),
            item_id=OuterRef("item_id"),
            kind=SubmissionKind.REFLECTION,
        ).exclude(state=SubmissionState.DRAFT)
    )
    rows = ItemProgress.objects.filter(
        has_prompts,
        ~Q(submitted),
        state=ProgressState.IN_PROGRESS,
        started_at__gt=start - age,
        started_at__lte=end - age,
        enrollment__state=EnrollmentState.ACTIVE,
    ).select_related("enrollment__hire", "item")
    return [
        Draft(
            progress.enrollment.hire,
            "reflection_missing",
            f"e{progress.enrollment_id}:i{progress.item_id}",
            f"Your reflection on {progress.item} is still to write",
            "You started this a day ago: a few lines while it is fresh help your mentor help you.",
            _item_link(progress.enrollment, progress.item),
        )
        for progress in rows
    ]


# --- meetings: the day before and the hour before -------------------------------------------------

MEETING_TOMORROW = "tomorrow"
MEETING_SOON = "1h"
# How far ahead the meeting rule looks: the day before's local morning is at most 48 h before
# a meeting (a meeting at 23:59, a reminder time of 00:00), plus an hour of daylight saving.
MEETING_HORIZON = datetime.timedelta(hours=50)


def meeting_reminder_moment(
    *, starts_at: datetime.datetime, zone: ZoneInfo, now: datetime.datetime, conf: dict
) -> str | None:
    """The reminder a participant in ZONE is owed at NOW for a meeting at STARTS_AT, if any.

    - "1h": from `meeting_soon_minutes` before the start until the start. A meeting booked
      closer than that gets it at the first sweep after booking.
    - "tomorrow": from `meeting_day_before_at` (09:00) local on the local day before the
      meeting's local date, while it is still that day and more than the hour ahead. So a
      meeting booked after that morning is reminded at once (the first sweep after booking),
      one booked for later the same local day gets no "tomorrow" (only the hour), and a sweep
      that missed the whole day before sends none: "tomorrow" is always true when it's read.

    Dates are the participant's own (a 01:00 UTC meeting is "tomorrow" in London on a day it is
    "today" in New York), and computed per local date, so a daylight-saving change moves the
    UTC instant, never the local hour. Pure: the sweep calls it once per participant.
    """
    if now >= starts_at:
        return None
    if now >= starts_at - datetime.timedelta(minutes=conf["meeting_soon_minutes"]):
        return MEETING_SOON
    meeting_day = starts_at.astimezone(zone).date()
    today = now.astimezone(zone).date()
    if today != meeting_day - datetime.timedelta(days=1):
        return None
    morning = datetime.datetime.combine(today, conf["meeting_day_before_at"], tzinfo=zone)
    return MEETING_TOMORROW if now >= morning.astimezone(datetime.UTC) else None


def meeting_reminders_drafts(
    start: datetime.datetime, end: datetime.datetime, conf: dict
) -> list[Draft]:
    """Everyone with an account in a meeting ahead: tomorrow, and in one hour.

    Looks forward from END (the sweep's now) over `MEETING_HORIZON`, not back over a window:
    what is owed follows from the meeting's time alone (`meeting_reminder_moment`), so a late
    booking, a missed sweep or a new sequence is caught by the next sweep. START is unused.
    Invariants: a meeting that holds its time (booked, or still at its old time while a new
    one is sought) reminds; a cancelled or failed one, or a person who declined it, does not;
    each (person, meeting, sequence, moment) is one notification (`m<id>:seq<n>:1h`), so a
    rescheduled meeting is reminded again under its new sequence. Two queries whatever the
    number of meetings: the participants with their meeting and user, and the keys already
    written (so a reminder already sent is not rebuilt every minute).
    """
    now = end
    rows = (
        MeetingParticipant.objects.filter(
            user__isnull=False,
            user__is_active=True,
            meeting__state__in=MEETING_HOLDS_TIME_STATES,
            meeting__starts_at__gt=now,
            meeting__starts_at__lte=now + MEETING_HORIZON,
        )
        .exclude(response=MeetingResponse.DECLINED)
        .select_related("meeting", "user")
        .order_by("meeting__starts_at", "pk")
    )
    drafts: list[Draft] = []
    for participant in rows:
        meeting, user = participant.meeting, participant.user
        assert user is not None and meeting.starts_at is not None
        moment = meeting_reminder_moment(
            starts_at=meeting.starts_at, zone=user.zone, now=now, conf=conf
        )
        if moment is None:
            continue
        at = meeting.starts_at.astimezone(user.zone)
        title = (
            f"Tomorrow at {at:%H:%M}: {meeting.title}"
            if moment == MEETING_TOMORROW
            else f"Soon, at {at:%H:%M}: {meeting.title}"
        )
        body = meeting_when(meeting, user)
        if meeting.agenda.strip():
            body += f"\n\n{meeting.agenda.strip()[:2000]}"
        drafts.append(
            Draft(
                user,
                "meetings",
                meeting_occurrence(meeting, moment),
                title,
                body,
                reverse("meetings:detail", args=[meeting.pk]),
            )
        )
    if not drafts:
        return []
    written = set(
        Notification.objects.filter(
            dedupe_key__in=[draft.dedupe_key for draft in drafts]
        ).values_list("dedupe_key", flat=True)
    )
    return [draft for draft in drafts if draft.dedupe_key not in written]


SCAN_RULES: dict[str, Callable[[datetime.datetime, datetime.datetime, dict], list[Draft]]] = {
    "new_submission": new_submission_drafts,
    "review_overdue": review_overdue_drafts,
    "question_waiting": question_waiting_drafts,
    "reflection_missing": reflection_missing_drafts,
    "meeting_reminders": meeting_reminders_drafts,
}


def _scan_rules_run(*, now: datetime.datetime, report: SweepReport) -> None:
    """Run each event-age rule whose cursor is due, once, over (scanned_until - overlap, now]."""
    conf = rule_settings()
    every = datetime.timedelta(seconds=conf["scan_every_seconds"])
    overlap = datetime.timedelta(minutes=conf["scan_overlap_minutes"])
    # A new rule starts from now: it does not replay history into people's inboxes.
    RuleCursor.objects.bulk_create(
        [RuleCursor(rule=rule, scanned_until=now, next_due_at=now) for rule in SCAN_RULES],
        ignore_conflicts=True,
    )
    with transaction.atomic():
        cursors = list(
            RuleCursor.objects.select_for_update(skip_locked=True)
            .filter(rule__in=list(SCAN_RULES), next_due_at__lte=now)
            .order_by("rule")
        )
        drafts: list[Draft] = []
        for cursor in cursors:
            start = min(cursor.scanned_until, now) - overlap
            drafts += SCAN_RULES[cursor.rule](start, now, conf)
            cursor.scanned_until = max(cursor.scanned_until, now)
            cursor.next_due_at = now + every
            report.scanned_rules.append(cursor.rule)
        written = notifications_write(drafts=drafts, now=now)
        if cursors:
            RuleCursor.objects.bulk_update(cursors, ["scanned_until", "next_due_at"])
    report.notifications += len(written)


# --- the sweep ----------------------------------------------------------------------------------


def notifications_sweep(
    *,
    now: datetime.datetime | None = None,
    batch_size: int | None = None,
    cap: int | None = None,
) -> SweepReport:
    """Seed due rows, claim what is due, scan recent events, release held emails.

    Safe to run twice and concurrently: rows are claimed with `skip_locked`, and every
    notification and email has a unique key. NOW (UTC) is explicit so tests drive the clock.
    A fixed number of statements whatever the number of enrollments: up to CAP due rows
    (`sweep_cap`) and CAP held emails are handled in one pass each, read through server-side
    cursors BATCH_SIZE rows per fetch; what is left over waits for the next sweep.
    """
    now = now or timezone.now()
    report = SweepReport()
    if not bulk_writes_available():
        # The embedded default (SQLite) runs no beat; a sweep started by hand says why it
        # does nothing rather than failing on the first PostgreSQL statement.
        logger.warning(
            "the reminder sweep needs PostgreSQL; nothing swept on %s", connection.vendor
        )
        return report
    conf = rule_settings()
    batch_size = batch_size or conf["batch_size"]
    cap = cap or conf["sweep_cap"]
    report.seeded = reminders_seed(now=now)
    with _cycle_collector_paused():  # until the pass's objects are freed
        _due_rows_process(now=now, cap=cap, chunk=batch_size, report=report)
    _scan_rules_run(now=now, report=report)
    report.emails = emails_release(now=now, limit=cap)
    return report
