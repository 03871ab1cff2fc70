"""The program admin's home: what runs (programs, hires) and what waits on someone (reviews,
questions, meeting requests, invitations), each figure with the page that acts on it.

Program admins only (a 404 for anyone else). One query per family of figures, whatever the
number of hires: programs; active hires (each with its schedule, items done and last activity:
"behind" is worked out by `onboarding.schedule` in Python, as on the mentor's desk); reviews;
questions; meeting requests; invitations. Portable ORM only: the embedded SQLite install shows
this page too.
"""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.db.models import (
    Count,
    DateTimeField,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Greatest
from django.http import Http404
from django.utils import timezone

from accounts.models import Invitation, User
from accounts.permissions import is_program_admin
from curriculum.models import Item, Program, ProgramVersion, VersionState

from ..models import (
    MEETING_REQUEST_WAITING_STATES,
    BlockCheck,
    Enrollment,
    EnrollmentState,
    ItemProgress,
    MeetingRequest,
    MeetingRequestState,
    Question,
    QuestionState,
    Submission,
    SubmissionState,
)
from ..schedule import Schedule, local_today
from .analytics import REVIEW_DEADLINE_HOURS
from .journey import COMPLETED_STATES

# A hire who has done nothing for this many days (a weekend and a day) is "quiet": maybe stuck.
QUIET_DAYS = 3
# "No activity at all", inside SQL (see _hires).
NEVER = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
# How many of the furthest-behind and quietest hires the home page names.
NAMED = 5


def admin_home_check(user: User | AnonymousUser) -> None:
    if not is_program_admin(user):
        raise Http404("No such page.")


@dataclass
class HireLine:
    """One hire the admin may want to look at, and why."""

    enrollment_id: int
    name: str
    email: str
    days_behind: int = 0
    quiet_since: datetime.datetime | None = None


@dataclass
class ProgramFigures:
    program: Program
    version_id: int | None  # the published version, if any
    version_number: int | None
    published_at: datetime.datetime | None
    items: int  # in the published version
    active: int = 0
    behind: int = 0
    quiet: int = 0
    done: int = 0  # items done by its active hires, summed
    total: int = 0  # items their versions hold, summed

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


@dataclass
class Waiting:
    count: int = 0
    late: int = 0  # past the deadline (reviews), older than a day (questions), expiring soon
    oldest: datetime.datetime | None = None


@dataclass
class AdminHome:
    programs: list[ProgramFigures]
    active: int
    behind: int
    quiet: int
    furthest_behind: list[HireLine]
    quietest: list[HireLine]
    reviews: Waiting
    questions: Waiting
    meetings: Waiting  # count: requested, late: being arranged
    invitations: Waiting  # late: expiring within two days
    review_deadline_hours: int = REVIEW_DEADLINE_HOURS
    quiet_days: int = QUIET_DAYS
    unpublished: list[Program] = field(default_factory=list)

    @property
    def on_track(self) -> int:
        return self.active - self.behind

    @property
    def waiting_total(self) -> int:
        return self.reviews.count + self.questions.count + self.meetings.count


def _count(queryset: QuerySet, outer: str = "pk", by: str = "enrollment_id") -> Subquery:
    return Subquery(
        queryset.filter(**{by: OuterRef(outer)})
        .order_by()
        .values(by)
        .annotate(n=Count("pk"))
        .values("n"),
        output_field=IntegerField(),
    )


def _latest(queryset: QuerySet, column: str) -> Subquery:
    return Subquery(
        queryset.filter(enrollment_id=OuterRef("pk"))
        .order_by()
        .values("enrollment_id")
        .annotate(m=Max(column))
        .values("m")
    )


def _programs() -> list[Program]:
    """Every program with its published version's id, number, date and item count: one query."""
    published = ProgramVersion.objects.filter(
        program_id=OuterRef("pk"), state=VersionState.PUBLISHED
    )
    return list(
        Program.objects.annotate(
            published_id=Subquery(published.values("pk")[:1]),
            published_number=Subquery(published.values("number")[:1]),
            published_at=Subquery(published.values("published_at")[:1]),
            published_items=_count(
                Item.objects.filter(version__state=VersionState.PUBLISHED),
                by="version__program_id",
            ),
        ).order_by("title", "pk")
    )


def _hires() -> list[tuple]:
    """Every active enrollment with what "behind" and "quiet" need: one query."""
    return list(
        Enrollment.objects.filter(state=EnrollmentState.ACTIVE)
        .annotate(
            # Done in the version the hire is on (as the desk counts): a hire moved to a newer
            # version keeps rows for items the move left behind.
            done=Coalesce(
                _count(
                    ItemProgress.objects.filter(
                        state__in=COMPLETED_STATES, item__version_id=OuterRef("version_id")
                    )
                ),
                0,
            ),
            total=Coalesce(_count(Item.objects.all(), outer="version_id", by="version_id"), 0),
            # One column, not five: parsing timestamps is most of this query's cost in Python
            # (25,000 of them at 5,000 hires). NEVER stands in for "none", as GREATEST on
            # SQLite (MAX) is null when any argument is.
            last_activity=Greatest(
                *(
                    Coalesce(_latest(queryset, column), Value(NEVER))
                    for queryset, column in (
                        (ItemProgress.objects.all(), "started_at"),
                        (ItemProgress.objects.all(), "completed_at"),
                        (BlockCheck.objects.all(), "checked_at"),
                        (Submission.objects.all(), "updated_at"),
                        (Question.objects.all(), "created_at"),
                    )
                ),
                output_field=DateTimeField(),
            ),
        )
        .order_by("pk")
        .values_list(
            "pk",
            "program_id",
            "start_date",
            "pace",
            "working_days",
            "holidays",
            "created_at",
            "hire__display_name",
            "hire__email",
            "hire__time_zone",
            "done",
            "total",
            "last_activity",
        )
    )


def _waiting(now: datetime.datetime) -> tuple[Waiting, Waiting, Waiting, Waiting]:
    """Reviews, questions, meeting requests and invitations waiting: one aggregate each."""
    active = Q(enrollment__state=EnrollmentState.ACTIVE)
    reviews = Submission.objects.filter(active, state=SubmissionState.SUBMITTED).aggregate(
        count=Count("pk"),
        late=Count(
            "pk", filter=Q(submitted_at__lt=now - datetime.timedelta(hours=REVIEW_DEADLINE_HOURS))
        ),
        oldest=Min("submitted_at"),
    )
    questions = Question.objects.filter(active, state=QuestionState.OPEN).aggregate(
        count=Count("pk"),
        late=Count("pk", filter=Q(created_at__lt=now - datetime.timedelta(days=1))),
        oldest=Min("created_at"),
    )
    meetings = MeetingRequest.objects.filter(
        active, state__in=MEETING_REQUEST_WAITING_STATES
    ).aggregate(
        count=Count("pk"),
        late=Count("pk", filter=Q(state=MeetingRequestState.ARRANGING)),
        oldest=Min("created_at"),
    )
    invitations = Invitation.objects.filter(
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    ).aggregate(
        count=Count("pk"),
        late=Count("pk", filter=Q(expires_at__lt=now + datetime.timedelta(days=2))),
        oldest=Min("created_at"),
    )
    return Waiting(**reviews), Waiting(**questions), Waiting(**meetings), Waiting(**invitations)


def admin_home(*, user: User | AnonymousUser, now: datetime.datetime | None = None) -> AdminHome:
    """The program admin's dashboard. Six queries, whatever the number of programs or hires."""
    admin_home_check(user)
    now = now or timezone.now()
    programs = _programs()
    figures: dict[int, ProgramFigures] = {}
    for program in programs:
        figures[program.pk] = ProgramFigures(
            program=program,
            version_id=getattr(program, "published_id", None),
            version_number=getattr(program, "published_number", None),
            published_at=getattr(program, "published_at", None),
            items=getattr(program, "published_items", None) or 0,
        )
    behind_lines: list[HireLine] = []
    quiet_lines: list[HireLine] = []
    quiet_before = now - datetime.timedelta(days=QUIET_DAYS)
    today_in: dict[str, datetime.date] = {}
    schedules: dict[tuple, Schedule] = {}
    for (
        pk,
        program_id,
        start_date,
        pace,
        working_days,
        holidays,
        created_at,
        display_name,
        email,
        time_zone,
        done,
        total,
        last_activity,
    ) in _hires():
        row = figures.get(program_id)
        if row is None:  # pragma: no cover - an enrollment's program is protected
            continue
        row.active += 1
        row.done += min(done, total)
        row.total += total
        # Hires share zones and (a cohort's) schedules: each is worked out once per page.
        if time_zone not in today_in:
            today_in[time_zone] = local_today(now=now, zone=time_zone)
        key = (start_date, pace, tuple(working_days), tuple(holidays))
        if key not in schedules:
            schedules[key] = Schedule.build(
                start_date=start_date, pace=pace, working_days=working_days, holidays=holidays
            )
        days_ahead = schedules[key].days_ahead(today=today_in[time_zone], done=done, total=total)
        line = HireLine(pk, display_name or email.split("@", 1)[0], email)
        if days_ahead < 0:
            row.behind += 1
            line.days_behind = -days_ahead
            behind_lines.append(line)
        # Quiet: started, not finished, and nothing done for QUIET_DAYS (or ever, since then).
        last = None if last_activity is None or last_activity <= NEVER else last_activity
        started = start_date <= (quiet_before.date())
        if started and done < total and (last or created_at) < quiet_before:
            row.quiet += 1
            line.quiet_since = last
            quiet_lines.append(line)
    behind_lines.sort(key=lambda line: (-line.days_behind, line.name))
    quiet_lines.sort(key=lambda line: (line.quiet_since is not None, line.quiet_since or now))
    reviews, questions, meetings, invitations = _waiting(now)
    listed = list(figures.values())
    return AdminHome(
        programs=[row for row in listed if row.version_id is not None or row.active],
        unpublished=[row.program for row in listed if row.version_id is None and not row.active],
        active=sum(row.active for row in listed),
        behind=sum(row.behind for row in listed),
        quiet=sum(row.quiet for row in listed),
        furthest_behind=behind_lines[:NAMED],
        quietest=quiet_lines[:NAMED],
        reviews=reviews,
        questions=questions,
        meetings=meetings,
        invitations=invitations,
    )
