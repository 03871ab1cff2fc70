"""Reads for the mentor's desk, scoped to the viewer: a mentor sees only their own mentees.

Who sees what:
- a mentor: the enrollments they mentor now, as primary (`Enrollment.mentor`) or co-mentor (an
  open `MentorAssignment`); a reassigned mentor loses them on the next request;
- a program admin (or superuser): every enrollment;
- anyone else: nothing, and every desk page is a 404 for them (as is an id they may not see:
  another person's id and a missing id give the same 404).
A question thread is also readable by the hire who asked (`question_for_user`).

Each page reads in a fixed number of queries, whatever the number of mentees, submissions or
items (tests pin the counts).
"""

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.timesince import timesince

from accounts.models import User
from accounts.permissions import is_active_mentor, is_program_admin
from curriculum.markdown.render import render_person_markdown
from curriculum.markdown.structure import BlockKind
from curriculum.models import Block, Item, VersionState

from ..links import path_maker
from ..models import (
    MEETING_REQUEST_WAITING_STATES,
    BlockCheck,
    Cohort,
    Enrollment,
    EnrollmentState,
    FaqEntry,
    ItemProgress,
    MeetingRequest,
    MentorAssignment,
    MentorNote,
    Question,
    QuestionMessage,
    QuestionState,
    ReviewComment,
    Submission,
    SubmissionKind,
    SubmissionRound,
    SubmissionState,
)
from ..permissions import mentored_by, mentors
from .journey import (
    COMPLETED_STATES,
    HireHome,
    _enrollments_visible_to,
    enrollment_schedule,
    enrollment_today,
    hire_home,
    version_outline,
)

# --- who may see what ----------------------------------------------------------------------------


def _may_use_desk(user: User | AnonymousUser) -> bool:
    return is_program_admin(user) or is_active_mentor(user)


def desk_viewer_check(user: User | AnonymousUser) -> None:
    """Only mentors and program admins have a desk; for anyone else it does not exist (404)."""
    if not _may_use_desk(user):
        raise Http404("No such page.")


def desk_enrollments(user: User | AnonymousUser) -> QuerySet[Enrollment]:
    """The enrollments USER mentors now (all of them for a program admin); none for others."""
    if is_program_admin(user):
        return Enrollment.objects.all()
    if not _may_use_desk(user):
        return Enrollment.objects.none()
    return Enrollment.objects.filter(mentored_by(user))


def faq_anchor(item: Item) -> str:
    """What ties FAQ entries to "the same item" across versions: its path in the program."""
    return item.source_path or (f"url:{item.url}" if item.url else f"item:{item.pk}")


def mentee_for_user(*, user: User | AnonymousUser, enrollment_id: int) -> Enrollment:
    """One mentee's enrollment for the desk; 404 for an id the viewer does not mentor."""
    desk_viewer_check(user)
    enrollment = (
        desk_enrollments(user)
        .select_related("hire", "mentor", "cohort", "version__program")
        .filter(pk=enrollment_id)
        .first()
    )
    if enrollment is None:
        raise Http404("No such mentee.")
    return enrollment


def enrollment_for_program_admin(*, user: User | AnonymousUser, enrollment_id: int) -> Enrollment:
    """Any enrollment, for a program admin managing its mentors; 404 for everyone else."""
    if not is_program_admin(user):
        raise Http404("No such page.")
    return mentee_for_user(user=user, enrollment_id=enrollment_id)


def mentors_assignable(*, enrollment: Enrollment) -> list[User]:
    """People with the mentor role who could mentor ENROLLMENT (not the hire themself)."""
    return list(
        User.objects.filter(is_mentor=True, is_active=True)
        .exclude(pk=enrollment.hire_id)
        .order_by("display_name", "email")
    )


ASKABLE_KINDS = [
    BlockKind.OVERVIEW,
    BlockKind.SECTION,
    BlockKind.QUESTION,
    BlockKind.GOAL,
    BlockKind.ACTION_ITEM,
    BlockKind.NOTE,
]


def item_askable_blocks(*, item: Item) -> list[Block]:
    """The parts of an item a hire can ask about (the "About" choice of the ask box)."""
    return list(
        Block.objects.filter(item=item, kind__in=ASKABLE_KINDS)
        .order_by("position")
        .only("key", "kind", "title", "item_id", "position")
    )


# --- the dashboard -------------------------------------------------------------------------------

DASHBOARD_STATES = [
    ("active", "Active"),
    ("attention", "Needs attention"),
    ("behind", "Behind schedule"),
    ("paused", "Paused"),
    ("finished", "Finished"),
    ("withdrawn", "Withdrawn"),
    ("all", "Everyone"),
]


_NO_ACTIVITY: dict[str, Any] = {
    "reviews_waiting": 0,
    "questions_open": 0,
    "meetings_waiting": 0,
    "last_activity": None,
    "completed_item_ids": frozenset(),
}


def _mentee_activity(enrollment_ids: list[int]) -> dict[int, dict]:
    """Per enrollment: what waits on the mentor, when the hire last did anything, and the ids
    of the items they completed.

    One hand-written statement: the ORM form of these correlated subqueries took longer to
    build than PostgreSQL took to answer, on the page mentors open most (bench_load), and
    reading every completed item's row as a model cost more again.
    """
    if not enrollment_ids:
        return {}
    if connection.vendor != "postgresql":  # the embedded default (SQLite): the ORM's form
        return _mentee_activity_portable(enrollment_ids)
    submission, question = Submission._meta.db_table, Question._meta.db_table
    progress, check = ItemProgress._meta.db_table, BlockCheck._meta.db_table
    request = MeetingRequest._meta.db_table
    sql = f"""
        SELECT e.id,
          (SELECT COUNT(*) FROM {submission} s WHERE s.enrollment_id = e.id AND s.state = %s),
          (SELECT COUNT(*) FROM {question} q WHERE q.enrollment_id = e.id AND q.state = %s),
          (SELECT COUNT(*) FROM {request} m
            WHERE m.enrollment_id = e.id AND m.state = ANY(%s)),
          GREATEST(
            (SELECT MAX(GREATEST(p.started_at, p.completed_at)) FROM {progress} p
              WHERE p.enrollment_id = e.id),
            (SELECT MAX(c.checked_at) FROM {check} c WHERE c.enrollment_id = e.id),
            (SELECT MAX(s.updated_at) FROM {submission} s WHERE s.enrollment_id = e.id),
            (SELECT MAX(q.created_at) FROM {question} q WHERE q.enrollment_id = e.id)),
          (SELECT array_agg(p.item_id) FROM {progress} p
            WHERE p.enrollment_id = e.id AND p.state = ANY(%s))
        FROM unnest(%s::bigint[]) AS e(id)
    """  # noqa: S608  # nosec B608: only our own table names are formatted in; values are parameters
    params: list[Any] = [
        str(SubmissionState.SUBMITTED),
        str(QuestionState.OPEN),
        [str(state) for state in MEETING_REQUEST_WAITING_STATES],
        [str(state) for state in COMPLETED_STATES],
        enrollment_ids,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {
            pk: {
                "reviews_waiting": reviews,
                "questions_open": questions,
                "meetings_waiting": meetings,
                "last_activity": last,
                "completed_item_ids": frozenset(completed or ()),
            }
            for pk, reviews, questions, meetings, last, completed in cursor.fetchall()
        }


def _mentee_activity_portable(enrollment_ids: list[int]) -> dict[int, dict]:
    """`_mentee_activity` for databases without arrays (SQLite): the same figures in two
    ORM queries (the latest activity taken in Python: SQLite's MAX of a NULL is NULL)."""

    def latest(model: Any, column: str) -> Subquery:
        rows = model.objects.filter(enrollment_id=OuterRef("pk")).order_by().values("enrollment_id")
        return Subquery(rows.annotate(at=Max(column)).values("at")[:1])

    def count(model: Any, **where: Any) -> Subquery:
        rows = model.objects.filter(enrollment_id=OuterRef("pk"), **where).order_by()
        return Subquery(rows.values("enrollment_id").annotate(n=Count("pk")).values("n")[:1])

    rows = Enrollment.objects.filter(pk__in=enrollment_ids).annotate(
        a_reviews=count(Submission, state=SubmissionState.SUBMITTED),
        a_questions=count(Question, state=QuestionState.OPEN),
        a_meetings=count(MeetingRequest, state__in=list(MEETING_REQUEST_WAITING_STATES)),
        a_started=latest(ItemProgress, "started_at"),
        a_completed=latest(ItemProgress, "completed_at"),
        a_checked=latest(BlockCheck, "checked_at"),
        a_submitted=latest(Submission, "updated_at"),
        a_asked=latest(Question, "created_at"),
    )
    done: dict[int, set[int]] = defaultdict(set)
    for enrollment_id, item_id in ItemProgress.objects.filter(
        enrollment_id__in=enrollment_ids, state__in=list(COMPLETED_STATES)
    ).values_list("enrollment_id", "item_id"):
        done[enrollment_id].add(item_id)
    activity = {}
    for row in rows.values(
        "pk",
        "a_reviews",
        "a_questions",
        "a_meetings",
        "a_started",
        "a_completed",
        "a_checked",
        "a_submitted",
        "a_asked",
    ):
        times = [
            row[k] for k in ("a_started", "a_completed", "a_checked", "a_submitted", "a_asked")
        ]
        activity[row["pk"]] = {
            "reviews_waiting": row["a_reviews"] or 0,
            "questions_open": row["a_questions"] or 0,
            "meetings_waiting": row["a_meetings"] or 0,
            "last_activity": max((t for t in times if t is not None), default=None),
            "completed_item_ids": frozenset(done[row["pk"]]),
        }
    return activity


@dataclass
class MenteeRow:
    enrollment: Enrollment
    done: int
    total: int
    current_item: Item | None
    days_ahead: int
    last_activity: datetime.datetime | None
    reviews_waiting: int
    questions_open: int
    meetings_waiting: int = 0
    url: str = ""  # the mentee's page

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def waiting(self) -> int:
        return self.reviews_waiting + self.questions_open + self.meetings_waiting

    @property
    def needs_attention(self) -> bool:
        return self.waiting > 0 or self.days_ahead < 0

    # Labels are worded here rather than in the template: the desk lists every mentee, and
    # each template branch per row costs more than the Python that words it (bench_load).
    @property
    def schedule_label(self) -> str:
        days = abs(self.days_ahead)
        plural = "" if days == 1 else "s"
        if self.days_ahead < 0:
            return f"{days} day{plural} behind"
        return f"{days} day{plural} ahead" if days else "On track"

    @property
    def schedule_tone(self) -> str:
        """The badge modifier: behind warns, ahead is good, on track is plain."""
        return "warn" if self.days_ahead < 0 else "good" if self.days_ahead > 0 else ""

    @property
    def activity_label(self) -> str:
        if self.last_activity is None:
            return "no activity yet"
        return f"active {timesince(self.last_activity)} ago"


@dataclass
class Dashboard:
    rows: list[MenteeRow]
    cohorts: list[Cohort]
    cohort_id: int | None
    state: str
    states: list[tuple[str, str]] = field(default_factory=lambda: list(DASHBOARD_STATES))

    @property
    def reviews_waiting(self) -> int:
        return sum(row.reviews_waiting for row in self.rows)

    @property
    def questions_open(self) -> int:
        return sum(row.questions_open for row in self.rows)


def _attention_order(row: MenteeRow) -> tuple:
    """Who needs the mentor first: waiting work, then furthest behind, then longest quiet."""
    quiet_since = row.last_activity or row.enrollment.created_at
    return (not row.needs_attention, -row.waiting, row.days_ahead, quiet_since, row.enrollment.pk)


_ROW_FIELDS = (
    "state",
    "created_at",
    "version_id",
    "start_date",
    "pace",
    "working_days",
    "holidays",
    "hire__display_name",
    "hire__email",
    "hire__time_zone",
    "mentor__display_name",
    "mentor__email",
    "cohort__name",
    "version__state",
)


def desk_dashboard(
    *, user: User | AnonymousUser, cohort_id: int | None = None, state: str = "active"
) -> Dashboard:
    """Every mentee with progress, schedule, last activity and what waits on the mentor.

    People who need attention come first. Three queries, whatever the number of mentees:
    enrollments, their counts, progress and last activity, cohorts for the filter (and the
    items of a version the process has not kept yet).
    """
    desk_viewer_check(user)
    if state not in dict(DASHBOARD_STATES):
        state = "active"
    # Only what a row shows: of the version its state (its import report, JSON, would be
    # decoded once per mentee), not the people's preferences (three JSON columns each).
    enrollments = (
        desk_enrollments(user)
        .select_related("hire", "mentor", "cohort", "version")
        .only(*_ROW_FIELDS)
    )
    if cohort_id is not None:
        enrollments = enrollments.filter(cohort_id=cohort_id)
    if state in EnrollmentState.values:
        enrollments = enrollments.filter(state=state)
    elif state != "all":
        enrollments = enrollments.filter(state=EnrollmentState.ACTIVE)
    listed = list(enrollments)
    activity = _mentee_activity([e.pk for e in listed])
    rows = []
    mentee_url = path_maker("desk:mentee", "enrollment_id")
    items_of: dict[int, tuple[Item, ...]] = {}
    for enrollment in listed:
        if enrollment.version_id not in items_of:
            items_of[enrollment.version_id] = version_outline(
                version_id=enrollment.version_id,
                published=enrollment.version.state == VersionState.PUBLISHED,
            )[1]
        items = items_of[enrollment.version_id]
        found = dict(activity.get(enrollment.pk, _NO_ACTIVITY))
        completed = found.pop("completed_item_ids")
        done = sum(1 for item in items if item.pk in completed)
        rows.append(
            MenteeRow(
                enrollment=enrollment,
                done=done,
                total=len(items),
                current_item=next((i for i in items if i.pk not in completed), None),
                days_ahead=enrollment_schedule(enrollment).days_ahead(
                    today=enrollment_today(enrollment), done=done, total=len(items)
                ),
                url=mentee_url(enrollment.pk),
                **found,
            )
        )
    if state == "attention":
        rows = [row for row in rows if row.needs_attention]
    elif state == "behind":
        rows = [row for row in rows if row.days_ahead < 0]
    rows.sort(key=_attention_order)
    cohorts = (
        Cohort.objects.all()
        if is_program_admin(user)
        else Cohort.objects.filter(enrollments__in=desk_enrollments(user)).distinct()
    )
    return Dashboard(rows=rows, cohorts=list(cohorts), cohort_id=cohort_id, state=state)


# --- the review queue and the review page --------------------------------------------------------


@dataclass
class QueueRow:
    submission: Submission
    age: datetime.timedelta


def review_queue(*, user: User | AnonymousUser, limit: int = 500) -> list[QueueRow]:
    """Submitted reflections and answers of the viewer's mentees, oldest first: one query."""
    desk_viewer_check(user)
    now = timezone.now()
    submissions = (
        Submission.objects.filter(
            enrollment__in=desk_enrollments(user), state=SubmissionState.SUBMITTED
        )
        .select_related("enrollment__hire", "item")
        .order_by("submitted_at", "pk")[:limit]
    )
    return [QueueRow(s, now - (s.submitted_at or s.updated_at)) for s in submissions]


def submission_for_reviewer(*, user: User | AnonymousUser, submission_id: int) -> Submission:
    """A submission of one of the viewer's mentees; drafts are the hire's own (404)."""
    desk_viewer_check(user)
    # Read by its key, then checked against the enrollment row read with it: the review page
    # is a mentor's most opened, and building the "mentored by" subquery into this statement
    # cost more than the rest of the page's queries together (bench_load).
    submission = (
        Submission.objects.filter(pk=submission_id)
        .exclude(state=SubmissionState.DRAFT)
        .select_related("enrollment__hire", "enrollment__mentor", "item__chapter")
        .first()
    )
    # The desk check above leaves program admins and active mentors.
    if submission is None or not (is_program_admin(user) or mentors(user, submission.enrollment)):
        raise Http404("No such submission.")
    return submission


@dataclass
class PromptAnswer:
    prompt_html: str  # the prompt or question, as authored (sanitised at import)
    answer_html: str  # the hire's Markdown, rendered and sanitised here


@dataclass
class RoundView:
    number: int
    pairs: list[PromptAnswer]
    notes_html: str
    submitted_at: datetime.datetime | None
    outcome: str  # "" while under review
    outcome_label: str
    reviewed_by: User | None
    reviewed_at: datetime.datetime | None
    comments: list[ReviewComment] = field(default_factory=list)


@dataclass
class ReviewPage:
    submission: Submission
    rounds: list[RoundView]  # oldest first; the last is the one under review, if any

    comments: list[ReviewComment] = field(default_factory=list)  # the whole thread, in order

    @property
    def decidable(self) -> bool:
        return self.submission.state == SubmissionState.SUBMITTED


def _pairs(
    submission_kind: str, blocks: list[Block], body: str, answers: dict
) -> list[PromptAnswer]:
    if submission_kind == SubmissionKind.ANSWER:
        prompt = blocks[0].html if blocks else ""
        return [PromptAnswer(prompt, render_person_markdown(body))]
    return [
        PromptAnswer(
            block.html or block.title, render_person_markdown(str(answers.get(block.key, "")))
        )
        for block in blocks
    ]


def review_page(*, submission: Submission) -> ReviewPage:
    """Each prompt or question beside the hire's answer, for every round, with the comments.

    Three queries: the prompts, the decided rounds, the comments (with their authors).
    """
    if submission.kind == SubmissionKind.REFLECTION:
        blocks = list(
            Block.objects.filter(
                item_id=submission.item_id, kind=BlockKind.REFLECTION_PROMPT
            ).order_by("position")
        )
    else:
        blocks = list(Block.objects.filter(item_id=submission.item_id, key=submission.block_key))
    thread = list(ReviewComment.objects.filter(submission=submission).select_related("author"))
    comments_by_round: dict[int, list[ReviewComment]] = defaultdict(list)
    for comment in thread:
        comments_by_round[comment.round].append(comment)
    rounds = []
    for decided in SubmissionRound.objects.filter(submission=submission).select_related(
        "reviewed_by"
    ):
        rounds.append(
            RoundView(
                number=decided.round,
                pairs=_pairs(submission.kind, blocks, decided.body, decided.answers),
                notes_html=render_person_markdown(decided.body)
                if submission.kind == SubmissionKind.REFLECTION and decided.body
                else "",
                submitted_at=decided.submitted_at,
                outcome=decided.outcome,
                outcome_label=decided.get_outcome_display(),
                reviewed_by=decided.reviewed_by,
                reviewed_at=decided.reviewed_at,
                comments=comments_by_round.pop(decided.round, []),
            )
        )
    if submission.state == SubmissionState.SUBMITTED:
        rounds.append(
            RoundView(
                number=submission.round,
                pairs=_pairs(submission.kind, blocks, submission.body, submission.answers),
                notes_html=render_person_markdown(submission.body)
                if submission.kind == SubmissionKind.REFLECTION and submission.body
                else "",
                submitted_at=submission.submitted_at,
                outcome="",
                outcome_label="Waiting for review",
                reviewed_by=None,
                reviewed_at=None,
            )
        )
    if rounds:  # comments written while the hire revises belong with the latest round shown
        for late in sorted(comments_by_round):
            rounds[-1].comments.extend(comments_by_round[late])
        rounds[-1].comments.sort(key=lambda c: (c.created_at, c.pk))
    return ReviewPage(submission=submission, rounds=rounds, comments=thread)


# --- questions ------------------------------------------------------------------------------------

INBOX_STATES = [
    ("open", "Waiting on you"),
    ("answered", "Answered"),
    ("resolved", "Resolved"),
    ("all", "All"),
]


def question_inbox(*, user: User | AnonymousUser, state: str = "open") -> list[Question]:
    """Questions from the viewer's mentees; the ones waiting longest first. Two queries.

    Each question carries `message_count` and `block_title` (the block it was asked from).
    """
    desk_viewer_check(user)
    questions = (
        Question.objects.filter(enrollment__in=desk_enrollments(user))
        .select_related("enrollment__hire", "item")
        .annotate(message_count=Count("messages"))
    )
    if state in QuestionState.values:
        questions = questions.filter(state=state)
    ordering = ("created_at", "pk") if state == QuestionState.OPEN else ("-updated_at", "-pk")
    ordered = list(questions.order_by(*ordering)[:500])
    _attach_block_titles(ordered)
    return cast(list[Question], ordered)


def _attach_block_titles(questions: Sequence[Question]) -> None:
    anchored = [q for q in questions if q.block_key]
    titles: dict[tuple[int, str], str] = {}
    if anchored:
        condition = Q(pk__in=[])
        for question in anchored:
            condition |= Q(item_id=question.item_id, key=question.block_key)
        for item_id, key, kind, title in Block.objects.filter(condition).values_list(
            "item_id", "key", "kind", "title"
        ):
            titles[(item_id, key)] = title or str(kind).replace("_", " ")
    for question in questions:
        question.block_title = titles.get((question.item_id, question.block_key), "")  # type: ignore[attr-defined]


def question_for_user(*, user: User | AnonymousUser, question_id: int) -> Question:
    """A question the viewer may read: the hire who asked, their mentors, program admins."""
    question = (
        Question.objects.filter(pk=question_id, enrollment__in=_enrollments_visible_to(user))
        .select_related("enrollment__hire", "enrollment__mentor", "item__chapter")
        .first()
    )
    if question is None:
        raise Http404("No such question.")
    return question


def question_for_mentor(*, user: User | AnonymousUser, question_id: int) -> Question:
    """A question of one of the viewer's mentees, for what only mentors do (promote it)."""
    desk_viewer_check(user)
    question = (
        Question.objects.filter(pk=question_id, enrollment__in=desk_enrollments(user))
        .select_related("enrollment__hire", "enrollment__mentor", "item__chapter")
        .first()
    )
    if question is None:
        raise Http404("No such question.")
    return question


@dataclass
class QuestionPage:
    question: Question
    messages: list[QuestionMessage]
    block: Block | None
    faq_entry: FaqEntry | None  # the live FAQ entry promoted from it, if any

    @property
    def suggested_answer(self) -> str:
        """The mentor's latest message: what a promotion to the FAQ starts from."""
        hire_id = self.question.enrollment.hire_id
        for message in reversed(self.messages):
            if message.author_id != hire_id:
                return message.body
        return ""


def question_page(*, question: Question) -> QuestionPage:
    """The question, its thread, the block it came from and its FAQ entry: three queries."""
    messages = list(QuestionMessage.objects.filter(question=question).select_related("author"))
    block = (
        Block.objects.filter(item_id=question.item_id, key=question.block_key).first()
        if question.block_key
        else None
    )
    entry = FaqEntry.objects.filter(question=question, removed_at__isnull=True).first()
    return QuestionPage(question=question, messages=messages, block=block, faq_entry=entry)


def faq_entry_for_admin(*, user: User | AnonymousUser, entry_id: int) -> FaqEntry:
    """An FAQ entry, for the program admin who may remove it; 404 for anyone else."""
    if not is_program_admin(user):
        raise Http404("No such FAQ entry.")
    entry = FaqEntry.objects.filter(pk=entry_id).first()
    if entry is None:
        raise Http404("No such FAQ entry.")
    return entry


# --- the mentee page ------------------------------------------------------------------------------


@dataclass
class TimelineEvent:
    at: datetime.datetime
    label: str
    item: Item | None = None
    url: str = ""


@dataclass
class SubmissionHistory:
    submission: Submission
    rounds: list[SubmissionRound]
    comments: list[ReviewComment]


@dataclass
class MenteePage:
    enrollment: Enrollment
    journey: HireHome
    rated: list[ItemProgress]
    submissions: list[SubmissionHistory]
    questions: list[Question]
    notes: list[MentorNote]
    assignments: list[MentorAssignment]
    timeline: list[TimelineEvent]

    @property
    def current_mentors(self) -> list[MentorAssignment]:
        return [a for a in self.assignments if a.ended_at is None]

    @property
    def primary_without_row(self) -> bool:
        """The mentor given at enrollment, before any assignment row was written for them."""
        return self.enrollment.mentor_id is not None and not any(
            a.role == "primary" and a.ended_at is None for a in self.assignments
        )


TIMELINE_LENGTH = 60


def mentee_page(*, enrollment: Enrollment) -> MenteePage:
    """Everything the desk shows about one mentee, in twelve queries whatever their history.

    The journey (as the hire sees it: four queries), ratings, submissions with every round and
    comment, questions, private notes, mentor history; the timeline is built from those rows.
    """
    journey = hire_home(enrollment=enrollment)
    progress = list(
        ItemProgress.objects.filter(enrollment=enrollment)
        .select_related("item")
        .order_by("item__chapter__position", "item__position")
    )
    submissions = list(
        Submission.objects.filter(enrollment=enrollment)
        .exclude(state=SubmissionState.DRAFT)
        .select_related("item")
        .order_by("-submitted_at", "-pk")
    )
    rounds: dict[int, list[SubmissionRound]] = defaultdict(list)
    for decided in SubmissionRound.objects.filter(submission__enrollment=enrollment).select_related(
        "reviewed_by"
    ):
        rounds[decided.submission_id].append(decided)
    comments: dict[int, list[ReviewComment]] = defaultdict(list)
    for comment in ReviewComment.objects.filter(submission__enrollment=enrollment).select_related(
        "author"
    ):
        comments[comment.submission_id].append(comment)
    questions = list(
        Question.objects.filter(enrollment=enrollment)
        .select_related("item")
        .order_by("-created_at")
    )
    notes = list(MentorNote.objects.filter(enrollment=enrollment).select_related("author"))
    assignments = list(
        MentorAssignment.objects.filter(enrollment=enrollment).select_related(
            "mentor", "assigned_by"
        )
    )
    return MenteePage(
        enrollment=enrollment,
        journey=journey,
        rated=[p for p in progress if p.rating is not None or p.rating_comment],
        submissions=[
            SubmissionHistory(s, rounds.get(s.pk, []), comments.get(s.pk, [])) for s in submissions
        ],
        questions=questions,
        notes=notes,
        assignments=assignments,
        timeline=_timeline(progress, submissions, rounds, questions),
    )


def _timeline(
    progress: list[ItemProgress],
    submissions: list[Submission],
    rounds: dict[int, list[SubmissionRound]],
    questions: list[Question],
) -> list[TimelineEvent]:
    events: list[TimelineEvent] = []
    for row in progress:
        if row.started_at:
            events.append(TimelineEvent(row.started_at, "Started", row.item))
        if row.completed_at:
            events.append(TimelineEvent(row.completed_at, "Completed", row.item))
        if row.rated_at:
            events.append(TimelineEvent(row.rated_at, f"Rated {row.rating}/5", row.item))
    for submission in submissions:
        what = submission.get_kind_display().lower()
        if submission.submitted_at:
            verb = "Resubmitted" if submission.round > 1 else "Submitted"
            events.append(
                TimelineEvent(submission.submitted_at, f"{verb} the {what}", submission.item)
            )
        for decided in rounds.get(submission.pk, []):
            label = f"{decided.get_outcome_display()} ({what}, round {decided.round})"
            events.append(TimelineEvent(decided.reviewed_at, label, submission.item))
    for question in questions:
        events.append(TimelineEvent(question.created_at, "Asked a question", question.item))
    events.sort(key=lambda event: event.at, reverse=True)
    return events[:TIMELINE_LENGTH]


# --- what the hire sees on an item page -----------------------------------------------------------


@dataclass
class ReviewNotice:
    submission: Submission
    label: str  # "Your reflection", "Your answer to question 2"
    comments: list[ReviewComment]


@dataclass
class HireItemDesk:
    faq: list[FaqEntry]
    questions: list[Question]
    messages: dict[int, list[QuestionMessage]]
    reviews: list[ReviewNotice]


def hire_item_desk(
    *, enrollment: Enrollment, item: Item, submissions: list[Submission]
) -> HireItemDesk:
    """The item's FAQ, the hire's questions about it, and their mentor's review comments.

    ENROLLMENT comes from `enrollment_for_user` (already scoped), SUBMISSIONS from the item page
    (so they are not read again). Two queries, plus one when a question exists and one when a
    submission has reached the mentor. Private mentor notes are never read here.
    """
    faq = list(
        FaqEntry.objects.filter(
            program_id=enrollment.program_id,
            item_source_path=faq_anchor(item),
            removed_at__isnull=True,
        ).order_by("created_at", "pk")
    )
    questions = list(
        Question.objects.filter(enrollment=enrollment, item=item).order_by("-created_at", "-pk")
    )
    messages: dict[int, list[QuestionMessage]] = defaultdict(list)
    if questions:
        for message in QuestionMessage.objects.filter(
            question__enrollment=enrollment, question__item=item
        ).select_related("author"):
            messages[message.question_id].append(message)
    reviewed = [s for s in submissions if s.state != SubmissionState.DRAFT]
    comments: dict[int, list[ReviewComment]] = defaultdict(list)
    if reviewed:
        for comment in ReviewComment.objects.filter(
            submission_id__in=[s.pk for s in reviewed]
        ).select_related("author"):
            comments[comment.submission_id].append(comment)
    notices = [
        ReviewNotice(
            submission=s,
            label="Your reflection" if s.kind == SubmissionKind.REFLECTION else "Your answer",
            comments=comments.get(s.pk, []),
        )
        for s in reviewed
        if s.state != SubmissionState.SUBMITTED or comments.get(s.pk)
    ]
    return HireItemDesk(faq=faq, questions=questions, messages=dict(messages), reviews=notices)
