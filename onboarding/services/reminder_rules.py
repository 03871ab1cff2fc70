"""The reminder rules and the sweep that runs them (beat starts it every minute, in UTC).

Two kinds of rule:
- time-of-day rules keep one `ReminderDue` row per person (their next local 09:00, their next
  Monday summary). The sweep claims due rows in batches with `skip_locked`, writes what each
  person is owed, and moves `due_at` to the next occurrence in the person's IANA zone.
- event-age rules (a new submission, one waiting past its deadline, a question unanswered for a
  day, a started day without a reflection) scan a short window of recent rows, remembered in
  a `RuleCursor` row claimed with `skip_locked`; windows overlap a little, unique keys absorb it.
- the meeting rule (tomorrow, in one hour) runs under the same kind of cursor, so sweeps take
  turns, but looks ahead instead of back: see `meeting_reminders_drafts`.

Every query here works on a batch: the count per sweep does not grow with the number of
enrollments (tests pin it). Thresholds come from `settings.NOTIFICATION_RULES` over `DEFAULTS`.
"""

import dataclasses
import datetime
import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from curriculum.markdown.structure import BlockKind
from curriculum.models import Block, Item

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
    desk_link,
    emails_release,
    meeting_occurrence,
    meeting_when,
    next_local_time,
    notifications_write,
    submission_submitted_draft,
    submission_what,
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
    "batch_size": 500,
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
    batches: int = 0
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
    hires = User.objects.filter(active, missing_daily, is_active=True).only("pk", "time_zone")[
        :limit
    ]
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


@dataclasses.dataclass
class _Batch:
    """What one batch of due rows needs, read in a fixed number of queries."""

    enrollments: dict[int, list[Enrollment]]  # by hire id
    items: dict[int, list[Item]]  # by version id, in program order
    done: dict[int, int]  # by enrollment id
    _admins: list[User] | None = None

    def admins(self) -> list[User]:
        if self._admins is None:
            self._admins = list(
                User.objects.filter(Q(is_program_admin=True) | Q(is_superuser=True), is_active=True)
            )
        return self._admins


def _batch_read(user_ids: list[int]) -> _Batch:
    enrollments = list(
        Enrollment.objects.filter(hire_id__in=user_ids, state=EnrollmentState.ACTIVE)
        .select_related("mentor")
        .order_by("created_at", "pk")
    )
    by_hire: dict[int, list[Enrollment]] = defaultdict(list)
    for enrollment in enrollments:
        by_hire[enrollment.hire_id].append(enrollment)
    items: dict[int, list[Item]] = defaultdict(list)
    version_ids = {enrollment.version_id for enrollment in enrollments}
    if version_ids:
        for item in (
            Item.objects.filter(version_id__in=version_ids)
            .order_by("version_id", "chapter__position", "position")
            .only("pk", "version_id", "kind", "number", "title")
        ):
            items[item.version_id].append(item)
    done: dict[int, int] = {}
    if enrollments:
        done = dict(
            ItemProgress.objects.filter(
                enrollment_id__in=[e.pk for e in enrollments], state__in=COMPLETED
            )
            .values("enrollment_id")
            .annotate(n=Count("pk"))
            .values_list("enrollment_id", "n")
        )
    return _Batch(enrollments=by_hire, items=items, done=done)


def _item_link(enrollment: Enrollment, item: Item) -> str:
    return reverse("journey:item", kwargs={"enrollment_id": enrollment.pk, "item_id": item.pk})


def _daily_drafts(
    row: ReminderDue, batch: _Batch, conf: dict, now: datetime.datetime
) -> list[Draft]:
    """What one hire is owed this local morning; nothing when it's no longer morning."""
    user = row.user
    if now - row.due_at > datetime.timedelta(hours=conf["daily_item_stale_hours"]):
        logger.info(
            "daily reminder of user %s skipped: sweep late by %s", user.pk, now - row.due_at
        )
        return []
    day = row.due_at.astimezone(user.zone).date()  # the local date this occurrence belongs to
    drafts: list[Draft] = []
    today_lines: list[tuple[str, str]] = []
    behind_n = conf["behind_days"]
    mentor_at = behind_n + conf["behind_mentor_after"]
    admin_at = mentor_at + conf["behind_admin_after"]
    for enrollment in batch.enrollments.get(user.pk, []):
        schedule = Schedule.build(
            start_date=enrollment.start_date,
            pace=enrollment.pace,
            working_days=enrollment.working_days,
            holidays=enrollment.holidays,
        )
        if day < enrollment.start_date or not schedule.is_working_day(day):
            continue
        items = batch.items.get(enrollment.version_id, [])
        index = schedule.today_index(day)
        for item in items[index : index + enrollment.pace]:
            today_lines.append((str(item), _item_link(enrollment, item)))
        behind = -schedule.days_ahead(
            today=day, done=batch.done.get(enrollment.pk, 0), total=len(items)
        )
        if behind < behind_n:
            continue
        home = reverse("home")
        occurrence = f"e{enrollment.pk}:d{behind}"
        days = f"{behind} working day{'s' if behind != 1 else ''}"
        drafts.append(
            Draft(user, "behind", occurrence, f"You are {days} behind schedule", "", home)
        )
        if behind >= mentor_at and enrollment.mentor is not None:
            drafts.append(
                Draft(
                    enrollment.mentor,
                    "mentee_behind",
                    occurrence,
                    f"{user.name} is {days} behind schedule",
                    "",
                    desk_link("desk:dashboard"),
                )
            )
        if behind >= admin_at:
            for admin in batch.admins():
                drafts.append(
                    Draft(
                        admin,
                        "hire_escalation",
                        occurrence,
                        f"{user.name} is {days} behind schedule",
                        f"Their mentor has been told since {mentor_at} working days behind.",
                        home,
                    )
                )
    if today_lines:
        title = (
            f"Today: {today_lines[0][0]}"
            if len(today_lines) == 1
            else f"Today: {len(today_lines)} items"
        )
        body = "\n".join(text for text, _ in today_lines)
        drafts.insert(0, Draft(user, "daily_item", day.isoformat(), title, body, today_lines[0][1]))
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


def _due_rows_process(*, now: datetime.datetime, batch_size: int, report: SweepReport) -> bool:
    """Claim one batch of due rows, write what they owe, move them on. False when none were due."""
    conf = rule_settings()
    with transaction.atomic():
        rows = list(
            ReminderDue.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(due_at__lte=now)
            .select_related("user")
            .order_by("due_at", "pk")[:batch_size]
        )
        if not rows:
            return False
        daily = [row for row in rows if row.rule == DAILY]
        batch = _batch_read([row.user_id for row in daily]) if daily else None
        summary: str | None = None
        drafts: list[Draft] = []
        moved: list[ReminderDue] = []
        dropped: list[int] = []
        for row in rows:
            user = row.user
            if row.rule == DAILY:
                assert batch is not None
                if not user.is_active or not batch.enrollments.get(user.pk):
                    dropped.append(row.pk)  # seeded again if they enroll again
                    continue
                drafts += _daily_drafts(row, batch, conf, now)
                row.due_at = next_local_time(after=now, zone=user.zone, at=conf["daily_item_at"])
            elif row.rule == WEEKLY:
                if not user.is_active or not (user.is_program_admin or user.is_superuser):
                    dropped.append(row.pk)
                    continue
                if now - row.due_at <= datetime.timedelta(days=1):
                    if summary is None:
                        summary = _weekly_summary_text(conf, now)
                    week = row.due_at.astimezone(user.zone).isocalendar()
                    drafts.append(
                        Draft(
                            user,
                            "weekly_summary",
                            f"{week.year}-W{week.week:02d}",
                            "This week in your programs",
                            summary,
                            reverse("home"),
                        )
                    )
                row.due_at = next_local_time(
                    after=now,
                    zone=user.zone,
                    at=conf["weekly_summary_at"],
                    weekdays=[conf["weekly_summary_weekday"]],
                )
            else:
                dropped.append(row.pk)  # a rule that no longer exists
                continue
            row.last_run_at = now
            moved.append(row)
        written = notifications_write(drafts=drafts, now=now)
        if moved:
            _due_rows_move(moved)
        if dropped:
            ReminderDue.objects.filter(pk__in=dropped).delete()
    report.claimed += len(rows)
    report.batches += 1
    report.notifications += len(written)
    return True


def _due_rows_move(rows: list[ReminderDue]) -> None:
    """Store each row's next `due_at` in one statement (bulk_update's CASE is quadratic)."""
    table = ReminderDue._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS r SET due_at = v.due_at, last_run_at = v.ran "  # noqa: S608  # nosec B608
            "FROM unnest(%s::bigint[], %s::timestamptz[], %s::timestamptz[]) AS v(id, due_at, ran) "
            "WHERE r.id = v.id",
            [
                [row.pk for row in rows],
                [row.due_at for row in rows],
                [row.last_run_at for row in rows],
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
    max_batches: int = 1000,
) -> SweepReport:
    """Seed due rows, claim what is due in batches, scan recent events, release held emails.

    Safe to run twice and concurrently: rows are claimed with `skip_locked`, and every
    notification and email has a unique key. NOW (UTC) is explicit so tests drive the clock.
    """
    now = now or timezone.now()
    batch_size = batch_size or rule_settings()["batch_size"]
    report = SweepReport()
    report.seeded = reminders_seed(now=now)
    for _ in range(max_batches):
        if not _due_rows_process(now=now, batch_size=batch_size, report=report):
            break
    _scan_rules_run(now=now, report=report)
    for _ in range(max_batches):
        released = emails_release(now=now, limit=batch_size)
        report.emails += released
        if released < batch_size:
            break
    return report
