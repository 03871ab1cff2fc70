"""Reads for the program admin's people pages: a 404 for anyone who is not a program admin.

Each page reads in a fixed number of queries whatever the number of hires (tests pin them).
"""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from accounts.models import Invitation, User
from accounts.permissions import is_program_admin
from curriculum.models import Block, Item, Program, ProgramVersion, VersionState
from curriculum.services import block_signature, item_key

from ..models import (
    AuditEvent,
    Cohort,
    Enrollment,
    EnrollmentMove,
    EnrollmentState,
    EnrollmentStateChange,
    ItemProgress,
    MentorAssignment,
)
from ..schedule import local_today, next_working_day
from ..services.people import transitions_from

PAGE_SIZE = 200


def manage_check(user: User | AnonymousUser) -> None:
    """Only program admins manage people; for anyone else these pages do not exist (404)."""
    if not is_program_admin(user):
        raise Http404("No such page.")


def _items_in_version() -> Subquery:
    return Subquery(
        Item.objects.filter(version_id=OuterRef("version_id"))
        .order_by()
        .values("version_id")
        .annotate(n=Count("pk"))
        .values("n"),
        output_field=IntegerField(),
    )


def _completed() -> Subquery:
    return Subquery(
        ItemProgress.objects.filter(enrollment_id=OuterRef("pk"), completed_at__isnull=False)
        .order_by()
        .values("enrollment_id")
        .annotate(n=Count("pk"))
        .values("n"),
        output_field=IntegerField(),
    )


def enrollments_for_admin(*, user: User | AnonymousUser) -> QuerySet[Enrollment]:
    """Every enrollment with its hire, mentor, cohort and version, and done/total item counts."""
    manage_check(user)
    return (
        Enrollment.objects.select_related("hire", "mentor", "cohort", "version__program")
        .annotate(total=Coalesce(_items_in_version(), 0), done=Coalesce(_completed(), 0))
        .order_by("-created_at", "-pk")
    )


@dataclass
class PeopleBoard:
    rows: list[Enrollment]
    total: int
    cohorts: list[Cohort]
    programs: list[Program]
    cohort_id: int | None
    state: str
    query: str
    counts: dict[str, int] = field(default_factory=dict)
    # Hires with no enrollment at all ("Not enrolled"), shown unless a cohort or state is chosen.
    not_enrolled: list[User] = field(default_factory=list)

    @property
    def shown(self) -> int:
        return len(self.rows)


NOT_ENROLLED = "none"
STATE_FILTERS = [("all", "Every state"), *EnrollmentState.choices, (NOT_ENROLLED, "Not enrolled")]


def people_board(
    *,
    user: User | AnonymousUser,
    cohort_id: int | None = None,
    state: str = "all",
    query: str = "",
) -> PeopleBoard:
    """The hires list: filtered by cohort, state and a name/email search, newest first, at most
    PAGE_SIZE rows; counts per state; and the hires not enrolled anywhere. Five queries."""
    enrollments = enrollments_for_admin(user=user)
    if cohort_id:
        enrollments = enrollments.filter(cohort_id=cohort_id)
    if state in EnrollmentState.values:
        enrollments = enrollments.filter(state=state)
    elif state != NOT_ENROLLED:
        state = "all"
    query = query.strip()[:100]
    if query:
        enrollments = enrollments.filter(
            Q(hire__email__icontains=query) | Q(hire__display_name__icontains=query)
        )
    counts = dict(
        Enrollment.objects.order_by()
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    rows = [] if state == NOT_ENROLLED else list(enrollments[:PAGE_SIZE])
    not_enrolled = (
        people_not_enrolled(user=user, query=query)
        if state in ("all", NOT_ENROLLED) and not cohort_id
        else []
    )
    for row in rows:
        row.percent = round(100 * row.done / row.total) if row.total else 0  # type: ignore[attr-defined]
    return PeopleBoard(
        rows=rows,
        total=sum(counts.values()),
        cohorts=list(Cohort.objects.order_by("-start_date", "name")),
        programs=[],
        cohort_id=cohort_id,
        state=state,
        query=query,
        counts=counts,
        not_enrolled=not_enrolled,
    )


def enrollment_for_admin(*, user: User | AnonymousUser, enrollment_id: int) -> Enrollment:
    enrollment = enrollments_for_admin(user=user).filter(pk=enrollment_id).first()
    if enrollment is None:
        raise Http404("No such enrollment.")
    return enrollment


def person_for_admin(*, user: User | AnonymousUser, person_id: int) -> User:
    manage_check(user)
    person = User.objects.filter(pk=person_id).first()
    if person is None:
        raise Http404("No such person.")
    return person


def cohort_for_admin(*, user: User | AnonymousUser, cohort_id: int) -> Cohort:
    manage_check(user)
    cohort = Cohort.objects.filter(pk=cohort_id).first()
    if cohort is None:
        raise Http404("No such cohort.")
    return cohort


def cohorts_for_admin(*, user: User | AnonymousUser) -> QuerySet[Cohort]:
    """Cohorts with how many hires each has (active and in all). One query."""
    manage_check(user)
    return Cohort.objects.annotate(
        hires=Count("enrollments"),
        active=Count("enrollments", filter=Q(enrollments__state=EnrollmentState.ACTIVE)),
    ).order_by("-start_date", "name")


# --- enrolling: what an invitation or an enrollment may choose -------------------------------------


@dataclass
class EnrollOptions:
    """The choices offered when inviting or enrolling a hire, and their defaults."""

    versions: list[ProgramVersion]  # published, with their program
    mentors: list[User]  # active mentors only
    cohorts: list[Cohort]
    # cohort id -> the published version of the program most of its hires are in: a cohort has
    # no program of its own, so choosing one defaults to where its people already are.
    cohort_versions: dict[int, int]
    default_start: datetime.date  # the next working day in the admin's zone


def enroll_options(*, user: User | AnonymousUser) -> EnrollOptions:
    """Four queries, whatever the number of programs, mentors and cohorts."""
    manage_check(user)
    assert isinstance(user, User)
    versions = list(
        ProgramVersion.objects.filter(state=VersionState.PUBLISHED)
        .select_related("program")
        .defer("change_summary", "warnings")
        .order_by("program__title", "program__slug")
    )
    published = {version.program_id: version.pk for version in versions}
    cohort_versions: dict[int, int] = {}
    biggest: dict[int, int] = {}
    for cohort_id, program_id, n in (
        Enrollment.objects.filter(cohort__isnull=False)
        .order_by()
        .values_list("cohort_id", "program_id")
        .annotate(n=Count("pk"))
    ):
        if program_id in published and n > biggest.get(cohort_id, 0):
            biggest[cohort_id] = n
            cohort_versions[cohort_id] = published[program_id]
    return EnrollOptions(
        versions=versions,
        mentors=list(
            User.objects.filter(is_mentor=True, is_active=True)
            .only("pk", "email", "display_name", "is_mentor", "is_active")
            .order_by("display_name", "email")[:500]
        ),
        cohorts=list(Cohort.objects.order_by("-start_date", "name")),
        cohort_versions=cohort_versions,
        default_start=next_working_day(local_today(now=timezone.now(), zone=user.zone)),
    )


def people_not_enrolled(*, user: User | AnonymousUser, query: str = "") -> list[User]:
    """Hires with no enrollment at all (invited or joined), newest first. One query."""
    manage_check(user)
    people = User.objects.filter(is_hire=True, is_active=True, enrollments__isnull=True)
    query = query.strip()[:100]
    if query:
        people = people.filter(Q(email__icontains=query) | Q(display_name__icontains=query))
    return list(
        people.only("pk", "email", "display_name", "password", "date_joined").order_by(
            "-date_joined", "-pk"
        )[:PAGE_SIZE]
    )


@dataclass
class PersonPage:
    person: User
    enrollments: list[Enrollment]
    invitation: Invitation | None  # the newest one sent to their address

    @property
    def joined(self) -> bool:
        """Whether they have chosen a password (an imported or invited hire has none yet)."""
        return self.person.has_usable_password()

    @property
    def active_programs(self) -> set[int]:
        return {e.program_id for e in self.enrollments if e.state == EnrollmentState.ACTIVE}


def person_page(*, user: User | AnonymousUser, person_id: int) -> PersonPage:
    """One person: their enrollments and newest invitation. Three queries."""
    person = person_for_admin(user=user, person_id=person_id)
    enrollments = list(
        enrollments_for_admin(user=user).filter(hire_id=person.pk).order_by("-created_at", "-pk")
    )
    invitation = (
        Invitation.objects.filter(email__iexact=person.email).order_by("-created_at").first()
    )
    return PersonPage(person=person, enrollments=enrollments, invitation=invitation)


@dataclass
class EnrollmentPage:
    enrollment: Enrollment
    transitions: list[str]
    changes: list[EnrollmentStateChange]
    assignments: list[MentorAssignment]
    moves: list[EnrollmentMove]
    newer_versions: list[ProgramVersion]
    mentors: list[User]
    cohorts: list[Cohort]
    audit: list[AuditEvent]


def enrollment_page(*, enrollment: Enrollment) -> EnrollmentPage:
    """Everything the admin's page of one enrollment shows. Seven queries."""
    return EnrollmentPage(
        enrollment=enrollment,
        transitions=transitions_from(enrollment.state),
        changes=list(
            EnrollmentStateChange.objects.filter(enrollment=enrollment).select_related("by")
        ),
        assignments=list(
            MentorAssignment.objects.filter(enrollment=enrollment).select_related("mentor")
        ),
        moves=list(
            EnrollmentMove.objects.filter(enrollment=enrollment).select_related(
                "from_version", "to_version"
            )
        ),
        newer_versions=list(
            ProgramVersion.objects.filter(
                program_id=enrollment.program_id,
                state=VersionState.PUBLISHED,
                number__gt=enrollment.version.number,
            )
        ),
        mentors=list(
            User.objects.filter(is_mentor=True, is_active=True)
            .exclude(pk=enrollment.hire_id)
            .order_by("display_name", "email")[:500]
        ),
        cohorts=list(Cohort.objects.order_by("-start_date", "name")),
        audit=list(
            AuditEvent.objects.filter(subject_id=enrollment.hire_id).select_related(
                "actor", "subject"
            )[:50]
        ),
    )


def audit_events(*, user: User | AnonymousUser, subject_id: int | None = None) -> list[AuditEvent]:
    """The newest audit events (about one person when SUBJECT_ID is given). One query."""
    manage_check(user)
    events = AuditEvent.objects.select_related("actor", "subject")
    if subject_id:
        events = events.filter(subject_id=subject_id)
    return list(events[:PAGE_SIZE])


# --- moving hires to a newer version: what changes for each ------------------------------------------


@dataclass
class MovePreview:
    """What a move to the target version changes for one hire, by item title."""

    enrollment: Enrollment
    finished_changed: list[str] = field(default_factory=list)  # completed, and its text changed
    started_changed: list[str] = field(default_factory=list)  # begun, and its text changed
    left_behind: list[str] = field(default_factory=list)  # touched, gone from the new version
    added: list[str] = field(default_factory=list)  # new in the target version
    changed_ahead: int = 0  # changed items the hire has not reached yet

    @property
    def nothing_changes(self) -> bool:
        return not (
            self.finished_changed
            or self.started_changed
            or self.left_behind
            or self.added
            or self.changed_ahead
        )


def _signatures(version_ids: set[int]) -> tuple[dict[int, dict[str, tuple[int, str]]], dict]:
    """Per version: item key -> (item id, title); and per item id: its blocks' signatures."""
    items: dict[int, dict[str, tuple[int, str]]] = {pk: {} for pk in version_ids}
    for pk, version_id, source, kind, url, title, number in Item.objects.filter(
        version_id__in=version_ids
    ).values_list("pk", "version_id", "source_path", "kind", "url", "title", "number"):
        label = f"Day {number:02d} - {title}" if number is not None and kind == "day" else title
        items[version_id][item_key(source, kind, url, title)] = (pk, label)
    blocks: dict[int, dict[str, str]] = {}
    for item_id, key, kind, title, markdown, depth, parent_key, data in Block.objects.filter(
        item__version_id__in=version_ids
    ).values_list("item_id", "key", "kind", "title", "markdown", "depth", "parent_key", "data"):
        blocks.setdefault(item_id, {})[key] = block_signature(
            kind=kind, title=title, markdown=markdown, depth=depth, parent_key=parent_key, data=data
        )
    return items, blocks


def move_previews(*, enrollments: list[Enrollment], version: ProgramVersion) -> list[MovePreview]:
    """For each hire, what moving to VERSION changes: finished or begun items whose text
    changed, items with their progress that the new version no longer has (their work stays,
    on the old item), new items, and how many changed items lie ahead. Three queries, whatever
    the number of hires."""
    version_ids = {e.version_id for e in enrollments} | {version.pk}
    items, blocks = _signatures(version_ids)
    progress: dict[int, dict[int, bool]] = {}
    for enrollment_id, item_id, completed in ItemProgress.objects.filter(
        enrollment__in=[e.pk for e in enrollments]
    ).values_list("enrollment_id", "item_id", "completed_at"):
        progress.setdefault(enrollment_id, {})[item_id] = completed is not None
    target = items[version.pk]
    previews = []
    for enrollment in enrollments:
        preview = MovePreview(enrollment=enrollment)
        previews.append(preview)
        if enrollment.version_id == version.pk:
            continue
        current = items.get(enrollment.version_id, {})
        touched = progress.get(enrollment.pk, {})
        for key, (item_id, label) in current.items():
            if key not in target:
                if item_id in touched:
                    preview.left_behind.append(label)
                continue
            new_id, new_label = target[key]
            if blocks.get(item_id, {}) == blocks.get(new_id, {}):
                continue
            if item_id not in touched:
                preview.changed_ahead += 1
            elif touched[item_id]:
                preview.finished_changed.append(new_label)
            else:
                preview.started_changed.append(new_label)
        preview.added = [label for key, (_, label) in target.items() if key not in current]
    return previews


def movable_enrollments(*, user: User | AnonymousUser, version: ProgramVersion) -> list[Enrollment]:
    """Active or paused hires of VERSION's program on an older version. One query."""
    manage_check(user)
    return list(
        Enrollment.objects.filter(
            program_id=version.program_id,
            state__in=[EnrollmentState.ACTIVE, EnrollmentState.PAUSED],
            version__number__lt=version.number,
        )
        .select_related("hire", "version")
        .order_by("hire__display_name", "pk")
    )


def version_for_admin(*, user: User | AnonymousUser, version_id: int) -> ProgramVersion:
    manage_check(user)
    version = (
        ProgramVersion.objects.filter(pk=version_id, state=VersionState.PUBLISHED)
        .select_related("program")
        .first()
    )
    if version is None:
        raise Http404("No such published version.")
    return version


def published_versions(*, user: User | AnonymousUser) -> list[ProgramVersion]:
    manage_check(user)
    return list(
        ProgramVersion.objects.filter(state=VersionState.PUBLISHED)
        .select_related("program")
        .order_by("program__title")
    )
