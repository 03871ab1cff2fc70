"""Where the program loses people, computed in PostgreSQL (aggregates, percentile_cont, windows).

Program admins only (`analytics_viewer_check`, a 404 for anyone else). Every report is a fixed
number of queries whatever the number of hires: grouping happens in SQL, and Python only puts
the grouped rows in the order of the program's items. Items of different versions of a program
are "the same item" when their `curriculum.services.item_key` matches (the source path, or the
title for an item without a file), so hires on older versions count with everyone else.

Times are wall-clock hours from the first interaction with an item (`started_at`) to completing
it (`completed_at`): a weekend inside counts. Medians and quartiles are `percentile_cont`.
"""

import datetime
import hashlib
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import connection
from django.db.models import Case, Exists, OuterRef, Subquery, When
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from accounts.permissions import is_program_admin
from curriculum.models import Item, Program, ProgramVersion, VersionState

from ..models import Cohort, Enrollment

# The review deadline the mentor page measures against; the reminder rules use the same figure.
REVIEW_DEADLINE_HOURS = 48

_KEY = "CASE WHEN i.source_path <> '' THEN i.source_path ELSE ':' || i.title END"
_HOURS = "EXTRACT(EPOCH FROM ({end} - {start})) / 3600.0"


def analytics_viewer_check(user: User | AnonymousUser) -> None:
    """Only program admins read analytics; for anyone else the pages do not exist (404)."""
    if not is_program_admin(user):
        raise Http404("No such page.")


@dataclass
class Scope:
    """Which hires a report counts: one program, optionally one cohort."""

    program: Program | None
    cohort: Cohort | None
    programs: list[Program]
    cohorts: list[Cohort]

    def where(self, alias: str = "e") -> tuple[str, list]:
        if self.program is None:
            return "FALSE", []
        sql, params = f"{alias}.program_id = %s", [self.program.pk]
        if self.cohort is not None:
            sql += f" AND {alias}.cohort_id = %s"
            params.append(self.cohort.pk)
        return sql, params


def analytics_scope(
    *, user: User | AnonymousUser, program_id: int | None, cohort_id: int | None
) -> Scope:
    """The program (default: the first with hires) and cohort asked for. Two queries."""
    analytics_viewer_check(user)
    # Each program says whether it has hires (an indexed EXISTS), rather than a DISTINCT over
    # every enrollment: this runs on every analytics page.
    programs: list[Program] = list(
        Program.objects.annotate(
            has_hires=Exists(Enrollment.objects.filter(program_id=OuterRef("pk")))
        ).order_by("title")
    )
    program = next((p for p in programs if p.pk == program_id), None)
    if program is None and programs:
        program = next((p for p in programs if getattr(p, "has_hires", False)), programs[0])
    cohorts = list(Cohort.objects.order_by("-start_date", "name"))
    cohort = next((c for c in cohorts if c.pk == cohort_id), None)
    return Scope(program=program, cohort=cohort, programs=programs, cohorts=cohorts)


@dataclass
class ItemRef:
    key: str
    label: str
    position: int


def _items(scope: Scope) -> list[ItemRef]:
    """The program's items in order, from its published version (else its newest). One query."""
    if scope.program is None:
        return []
    version = (
        ProgramVersion.objects.filter(program=scope.program)
        .order_by(Case(When(state=VersionState.PUBLISHED, then=0), default=1), "-number")
        .values("pk")[:1]
    )
    rows = (
        Item.objects.filter(version=Subquery(version))
        .order_by("chapter__position", "position")
        .only("pk", "source_path", "title", "number", "kind")  # not each item's Markdown
    )
    return [
        ItemRef(key=item.source_path or f":{item.title}", label=str(item), position=position)
        for position, item in enumerate(rows)
    ]


# The queries below format in only fixed SQL fragments from this module (the scope's WHERE
# clause, the item key expression); every value travels as a parameter. Hence the bandit B608
# waiver on each query.
def _fetch(sql: str, params: list) -> list[tuple]:
    """Run one aggregate query; its rows are kept for ANALYTICS_CACHE_SECONDS.

    Each report aggregates every hire's progress (tens of milliseconds at 5,000 hires, see
    tests/bench/bench_load.py), and figures a minute old answer the questions these pages
    are for, so several admins (or one refreshing) share one computation. The key is the
    statement and its parameters, so a different program, cohort or report never collides.
    """
    seconds = settings.ANALYTICS_CACHE_SECONDS
    key = "analytics:" + hashlib.sha256(f"{sql}|{params!r}".encode()).hexdigest()
    if seconds > 0:
        rows = cache.get(key)
        if rows is not None:
            return rows
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = list(cursor.fetchall())
    if seconds > 0:
        cache.set(key, rows, seconds)
    return rows


def _enrolled(scope: Scope) -> int:
    where, params = scope.where()
    return _fetch(f"SELECT COUNT(*) FROM onboarding_enrollment e WHERE {where}", params)[0][0]  # noqa: S608  # nosec B608


# --- completion funnel ----------------------------------------------------------------------------


@dataclass
class FunnelRow:
    item: ItemRef
    started: int
    completed: int
    enrolled: int

    @property
    def completed_percent(self) -> int:
        return round(100 * self.completed / self.enrolled) if self.enrolled else 0

    @property
    def started_percent(self) -> int:
        return round(100 * self.started / self.enrolled) if self.enrolled else 0


@dataclass
class Funnel:
    scope: Scope
    enrolled: int
    rows: list[FunnelRow]


def completion_funnel(*, scope: Scope) -> Funnel:
    """Per item: how many of the enrolled hires started and completed it. Three queries."""
    items = _items(scope)
    enrolled = _enrolled(scope)
    where, params = scope.where()
    grouped = _fetch(
        f"""
        SELECT {_KEY} AS key, SUM(g.started), SUM(g.completed)
        FROM (
            SELECT p.item_id,
                   COUNT(*) FILTER (WHERE p.started_at IS NOT NULL OR p.completed_at IS NOT NULL)
                       AS started,
                   COUNT(*) FILTER (WHERE p.completed_at IS NOT NULL) AS completed
            FROM onboarding_itemprogress p
            JOIN onboarding_enrollment e ON e.id = p.enrollment_id
            WHERE {where}
            GROUP BY p.item_id  -- by id first: naming 66,000 rows' items costs a third more
        ) g
        JOIN curriculum_item i ON i.id = g.item_id
        GROUP BY 1
        """,  # noqa: S608  # nosec B608
        params,
    )
    counts = {key: (int(started), int(completed)) for key, started, completed in grouped}
    rows = [FunnelRow(item, *counts.get(item.key, (0, 0)), enrolled=enrolled) for item in items]
    return Funnel(scope=scope, enrolled=enrolled, rows=rows)


# --- time per item --------------------------------------------------------------------------------


@dataclass
class TimeRow:
    item: ItemRef
    completed: int
    p25: float | None
    median: float | None
    p75: float | None


@dataclass
class TimeReport:
    scope: Scope
    rows: list[TimeRow]

    @property
    def longest(self) -> float:
        return max((row.p75 or 0 for row in self.rows), default=0)


def _time_sql(where: str) -> str:
    hours = _HOURS.format(end="p.completed_at", start="p.started_at")
    return f"""
        SELECT {_KEY} AS key, COUNT(*),
               percentile_cont(0.25) WITHIN GROUP (ORDER BY {hours}),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY {hours}),
               percentile_cont(0.75) WITHIN GROUP (ORDER BY {hours})
        FROM onboarding_itemprogress p
        JOIN onboarding_enrollment e ON e.id = p.enrollment_id
        JOIN curriculum_item i ON i.id = p.item_id
        WHERE {where} AND p.completed_at IS NOT NULL AND p.started_at IS NOT NULL
              AND p.completed_at >= p.started_at
        GROUP BY 1
    """  # noqa: S608  # nosec B608


def time_per_item(*, scope: Scope) -> TimeReport:
    """Per item: the median and quartiles (p25, p75) of hours from start to completion."""
    items = _items(scope)
    where, params = scope.where()
    grouped = {row[0]: row[1:] for row in _fetch(_time_sql(where), params)}
    rows = [TimeRow(item, *grouped.get(item.key, (0, None, None, None))) for item in items]
    return TimeReport(scope=scope, rows=rows)


# --- where hires get stuck ------------------------------------------------------------------------


@dataclass
class StuckRow:
    item: ItemRef
    median_hours: float | None = None
    in_progress: int = 0
    waiting_median_hours: float | None = None
    questions: int = 0
    changes_requested: int = 0
    ratings: int = 0
    average_rating: float | None = None
    low_ratings: int = 0
    comments: list[tuple[int, str]] = field(default_factory=list)  # (rating, comment)


@dataclass
class StuckReport:
    scope: Scope
    rows: list[StuckRow]

    def top(self, attribute: str, n: int = 5, *, reverse: bool = True) -> list[StuckRow]:
        present = [row for row in self.rows if getattr(row, attribute)]
        return sorted(present, key=lambda row: getattr(row, attribute), reverse=reverse)[:n]

    @property
    def longest_dwell(self) -> list[StuckRow]:
        return self.top("median_hours")

    @property
    def most_questions(self) -> list[StuckRow]:
        return self.top("questions")

    @property
    def most_changes(self) -> list[StuckRow]:
        return self.top("changes_requested")

    @property
    def lowest_rated(self) -> list[StuckRow]:
        return self.top("average_rating", reverse=False)

    @property
    def hardest(self) -> float:
        return max((row.median_hours or 0 for row in self.rows), default=0)


COMMENTS_PER_ITEM = 3


def stuck_items(*, scope: Scope, now: datetime.datetime | None = None) -> StuckReport:
    """Per item: dwell (median hours to complete; hires on it now and how long they've been),
    questions asked, changes requested, ratings and the comments of the lowest ratings
    (a window function keeps the three lowest per item). Five queries."""
    now = now or timezone.now()
    items = _items(scope)
    where, params = scope.where()
    done_hours = _HOURS.format(end="p.completed_at", start="p.started_at")
    wait_hours = _HOURS.format(end="%s", start="p.started_at")
    progress = _fetch(
        f"""
        SELECT {_KEY} AS key,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY {done_hours})
                   FILTER (WHERE p.completed_at IS NOT NULL AND p.completed_at >= p.started_at),
               COUNT(*) FILTER (WHERE p.completed_at IS NULL AND p.started_at IS NOT NULL
                                AND e.state = 'active'),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY {wait_hours})
                   FILTER (WHERE p.completed_at IS NULL AND e.state = 'active'),
               COUNT(p.rating), AVG(p.rating), COUNT(*) FILTER (WHERE p.rating <= 2)
        FROM onboarding_itemprogress p
        JOIN onboarding_enrollment e ON e.id = p.enrollment_id
        JOIN curriculum_item i ON i.id = p.item_id
        WHERE {where} AND p.started_at IS NOT NULL
        GROUP BY 1
        """,  # noqa: S608  # nosec B608
        [now, *params],
    )
    questions = _fetch(
        f"""
        SELECT {_KEY}, COUNT(*) FROM onboarding_question q
        JOIN onboarding_enrollment e ON e.id = q.enrollment_id
        JOIN curriculum_item i ON i.id = q.item_id
        WHERE {where} GROUP BY 1
        """,  # noqa: S608  # nosec B608
        params,
    )
    changes = _fetch(
        f"""
        SELECT {_KEY}, COUNT(*) FROM onboarding_submissionround r
        JOIN onboarding_submission s ON s.id = r.submission_id
        JOIN onboarding_enrollment e ON e.id = s.enrollment_id
        JOIN curriculum_item i ON i.id = s.item_id
        WHERE {where} AND r.outcome = 'changes_requested' GROUP BY 1
        """,  # noqa: S608  # nosec B608
        params,
    )
    comments = _fetch(
        f"""
        SELECT key, rating, rating_comment FROM (
            SELECT {_KEY} AS key, p.rating, p.rating_comment,
                   ROW_NUMBER() OVER (PARTITION BY {_KEY}
                                      ORDER BY p.rating, p.rated_at DESC, p.id) AS n
            FROM onboarding_itemprogress p
            JOIN onboarding_enrollment e ON e.id = p.enrollment_id
            JOIN curriculum_item i ON i.id = p.item_id
            WHERE {where} AND p.rating IS NOT NULL AND p.rating_comment <> ''
        ) ranked WHERE n <= %s ORDER BY key, n
        """,  # noqa: S608  # nosec B608
        [*params, COMMENTS_PER_ITEM],
    )
    rows = {item.key: StuckRow(item) for item in items}
    for key, median, now_on, waiting, rated, average, low in progress:
        if key in rows:
            row = rows[key]
            row.median_hours, row.in_progress, row.waiting_median_hours = median, now_on, waiting
            row.ratings, row.low_ratings = rated, low
            row.average_rating = float(average) if average is not None else None
    for key, count in questions:
        if key in rows:
            rows[key].questions = count
    for key, count in changes:
        if key in rows:
            rows[key].changes_requested = count
    for key, rating, comment in comments:
        if key in rows:
            rows[key].comments.append((rating, comment))
    return StuckReport(scope=scope, rows=list(rows.values()))


# --- mentor response times ------------------------------------------------------------------------


@dataclass
class MentorRow:
    mentor_id: int | None
    name: str
    reviewed: int = 0
    median_hours: float | None = None
    p75_hours: float | None = None
    within_deadline: int = 0
    waiting: int = 0
    overdue: int = 0

    @property
    def within_percent(self) -> int:
        return round(100 * self.within_deadline / self.reviewed) if self.reviewed else 0


@dataclass
class MentorReport:
    scope: Scope
    rows: list[MentorRow]
    deadline_hours: int = REVIEW_DEADLINE_HOURS

    @property
    def longest(self) -> float:
        values = [row.p75_hours or 0 for row in self.rows]
        return max([*values, float(self.deadline_hours)])


def mentor_response_times(*, scope: Scope, now: datetime.datetime | None = None) -> MentorReport:
    """Per reviewing mentor: rounds reviewed, median and p75 hours from submission to decision,
    how many within the review deadline, and submissions waiting now (overdue past the
    deadline). Three queries."""
    now = now or timezone.now()
    where, params = scope.where()
    hours = _HOURS.format(end="r.reviewed_at", start="r.submitted_at")
    reviewed = _fetch(
        f"""
        SELECT r.reviewed_by_id, COUNT(*),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY {hours}),
               percentile_cont(0.75) WITHIN GROUP (ORDER BY {hours}),
               COUNT(*) FILTER (WHERE {hours} <= %s)
        FROM onboarding_submissionround r
        JOIN onboarding_submission s ON s.id = r.submission_id
        JOIN onboarding_enrollment e ON e.id = s.enrollment_id
        WHERE {where} AND r.submitted_at IS NOT NULL
        GROUP BY 1
        """,  # noqa: S608  # nosec B608
        [REVIEW_DEADLINE_HOURS, *params],
    )
    waiting = _fetch(
        f"""
        SELECT e.mentor_id, COUNT(*),
               COUNT(*) FILTER (WHERE s.submitted_at < %s)
        FROM onboarding_submission s
        JOIN onboarding_enrollment e ON e.id = s.enrollment_id
        WHERE {where} AND s.state = 'submitted'
        GROUP BY 1
        """,  # noqa: S608  # nosec B608
        [now - datetime.timedelta(hours=REVIEW_DEADLINE_HOURS), *params],
    )
    ids = {row[0] for row in reviewed} | {row[0] for row in waiting}
    names = {user.pk: user.name for user in User.objects.filter(pk__in=[i for i in ids if i])}
    rows: dict[int | None, MentorRow] = {}

    def row_for(mentor_id: int | None) -> MentorRow:
        if mentor_id not in rows:
            label = names.get(mentor_id, "(no mentor)") if mentor_id else "(no mentor)"
            rows[mentor_id] = MentorRow(mentor_id=mentor_id, name=label)
        return rows[mentor_id]

    for mentor_id, count, median, p75, within in reviewed:
        row = row_for(mentor_id)
        row.reviewed, row.median_hours, row.p75_hours, row.within_deadline = (
            count,
            median,
            p75,
            within,
        )
    for mentor_id, count, overdue in waiting:
        row = row_for(mentor_id)
        row.waiting, row.overdue = count, overdue
    ordered = sorted(rows.values(), key=lambda r: (-(r.median_hours or 0), r.name))
    return MentorReport(scope=scope, rows=ordered)


# --- cohort against cohort ------------------------------------------------------------------------


@dataclass
class CohortRow:
    cohort_id: int | None
    name: str
    hires: int = 0
    average_percent: float = 0.0
    all_done: int = 0
    finished: int = 0
    withdrawn: int = 0
    median_hours: float | None = None
    average_rating: float | None = None


@dataclass
class CohortItemRow:
    item: ItemRef
    a_completed_percent: int = 0
    b_completed_percent: int = 0
    a_median: float | None = None
    b_median: float | None = None


@dataclass
class CohortReport:
    scope: Scope
    rows: list[CohortRow]
    a: CohortRow | None = None
    b: CohortRow | None = None
    items: list[CohortItemRow] = field(default_factory=list)


def cohort_comparison(
    *, scope: Scope, a_id: int | None = None, b_id: int | None = None
) -> CohortReport:
    """Every cohort of the program side by side (hires, average progress, done, finished,
    median hours per item, average rating), and per item for two chosen cohorts A and B
    (completion and median hours). Four queries (two more when A and B are chosen)."""
    if scope.program is None:
        return CohortReport(scope=scope, rows=[])
    program_id = scope.program.pk
    per_cohort = _fetch(
        """
        WITH totals AS (
            SELECT version_id, COUNT(*) AS total FROM curriculum_item GROUP BY version_id
        ), done AS (
            SELECT enrollment_id, COUNT(*) AS done FROM onboarding_itemprogress
            WHERE completed_at IS NOT NULL GROUP BY enrollment_id
        )
        SELECT e.cohort_id, COUNT(*),
               AVG(COALESCE(d.done, 0)::float / NULLIF(t.total, 0)),
               COUNT(*) FILTER (WHERE COALESCE(d.done, 0) >= t.total AND t.total > 0),
               COUNT(*) FILTER (WHERE e.state = 'finished'),
               COUNT(*) FILTER (WHERE e.state = 'withdrawn')
        FROM onboarding_enrollment e
        LEFT JOIN totals t ON t.version_id = e.version_id
        LEFT JOIN done d ON d.enrollment_id = e.id
        WHERE e.program_id = %s
        GROUP BY 1
        """,
        [program_id],
    )
    hours = _HOURS.format(end="p.completed_at", start="p.started_at")
    timing = _fetch(
        f"""
        SELECT e.cohort_id,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY {hours})
                   FILTER (WHERE p.completed_at IS NOT NULL AND p.started_at IS NOT NULL
                           AND p.completed_at >= p.started_at),
               AVG(p.rating)
        FROM onboarding_itemprogress p
        JOIN onboarding_enrollment e ON e.id = p.enrollment_id
        WHERE e.program_id = %s
        GROUP BY 1
        """,  # noqa: S608  # nosec B608
        [program_id],
    )
    names = {cohort.pk: cohort.name for cohort in scope.cohorts}
    rows: dict[int | None, CohortRow] = {}
    for cohort_id, hires, average, all_done, finished, withdrawn in per_cohort:
        rows[cohort_id] = CohortRow(
            cohort_id=cohort_id,
            name=names.get(cohort_id, "(no cohort)") if cohort_id else "(no cohort)",
            hires=hires,
            average_percent=round(100 * (average or 0), 1),
            all_done=all_done,
            finished=finished,
            withdrawn=withdrawn,
        )
    for cohort_id, median, rating in timing:
        if cohort_id in rows:
            rows[cohort_id].median_hours = median
            rows[cohort_id].average_rating = float(rating) if rating is not None else None
    ordered = sorted(rows.values(), key=lambda r: (r.cohort_id is None, r.name))
    report = CohortReport(scope=scope, rows=ordered)
    report.a = rows.get(a_id) if a_id else None
    report.b = rows.get(b_id) if b_id else None
    if report.a is not None and report.b is not None:
        report.items = _cohort_items(scope, report.a, report.b)
    return report


def _cohort_items(scope: Scope, a: CohortRow, b: CohortRow) -> list[CohortItemRow]:
    items = _items(scope)
    hours = _HOURS.format(end="p.completed_at", start="p.started_at")
    grouped = _fetch(
        f"""
        SELECT e.cohort_id, {_KEY},
               COUNT(*) FILTER (WHERE p.completed_at IS NOT NULL),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY {hours})
                   FILTER (WHERE p.completed_at IS NOT NULL AND p.started_at IS NOT NULL
                           AND p.completed_at >= p.started_at)
        FROM onboarding_itemprogress p
        JOIN onboarding_enrollment e ON e.id = p.enrollment_id
        JOIN curriculum_item i ON i.id = p.item_id
        WHERE e.program_id = %s AND e.cohort_id IN (%s, %s)
        GROUP BY 1, 2
        """,  # noqa: S608  # nosec B608
        [scope.program.pk if scope.program else 0, a.cohort_id, b.cohort_id],
    )
    found = {(cohort_id, key): (done, median) for cohort_id, key, done, median in grouped}
    rows = []
    for item in items:
        a_done, a_median = found.get((a.cohort_id, item.key), (0, None))
        b_done, b_median = found.get((b.cohort_id, item.key), (0, None))
        rows.append(
            CohortItemRow(
                item=item,
                a_completed_percent=round(100 * a_done / a.hires) if a.hires else 0,
                b_completed_percent=round(100 * b_done / b.hires) if b.hires else 0,
                a_median=a_median,
                b_median=b_median,
            )
        )
    return rows
