"""Program admins run people: import hires and mentors from a CSV, schedule, pause, finish, move.

Every function here is for program admins only (checked again inside, whoever calls). Each
change to an enrollment is recorded in the audit log (`AuditEvent`, ids only).
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from accounts.models import Role, User
from accounts.permissions import is_active_mentor, is_program_admin
from accounts.services import invitation_create, user_create, user_role_grant
from accounts.validators import name_clean, text_clean
from curriculum.models import Program, ProgramVersion, VersionState

from ..audit import audit_record
from ..csv_tools import CsvFileError, CsvRow, csv_read, is_formula
from ..models import (
    AuditAction,
    Cohort,
    Enrollment,
    EnrollmentState,
    EnrollmentStateChange,
)
from .invites import EnrollChoice, hire_enroll, line_failure
from .journey import enrollment_move_to_version
from .mentoring import mentor_assign


def _admin_acts(by: User) -> None:
    if not is_program_admin(by):
        raise PermissionDenied("Only a program admin can do that.")


# --- CSV import ------------------------------------------------------------------------------------

CSV_REQUIRED = ("email", "name", "role")
CSV_OPTIONAL = ("mentor email", "cohort", "start date")
_ROLES = {
    "hire": Role.HIRE,
    "new hire": Role.HIRE,
    "mentor": Role.MENTOR,
    "program admin": Role.PROGRAM_ADMIN,
    "program_admin": Role.PROGRAM_ADMIN,
    "admin": Role.PROGRAM_ADMIN,
}


@dataclass
class ImportLine:
    """One valid row, ready to create."""

    line: int
    email: str
    name: str
    role: Role
    mentor_email: str = ""
    cohort: Cohort | None = None
    start_date: datetime.date | None = None
    existing: User | None = None  # an account with this email is already here


@dataclass
class PeopleImportError(Exception):
    """The file was refused as a whole; each message names its line. Nothing was saved."""

    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return " ".join(self.errors)


@dataclass
class PeopleImportResult:
    users: list[User]
    enrollments: list[Enrollment]
    existing: int = 0  # of USERS, how many already had an account

    @property
    def hires(self) -> int:
        return len(self.enrollments)


def _line_check(
    row: CsvRow,
    *,
    seen: dict[str, int],
    existing: dict[str, User],
    enrolled: set[str],
    mentors: set[str],
    cohorts: dict[str, Cohort],
) -> tuple[ImportLine | None, list[str]]:
    errors: list[str] = []
    n = row.line
    for column, value in row.values.items():
        if is_formula(value.lstrip(" ")):
            first = value.lstrip(" ")[:1].replace("\t", "a tab").replace("\r", "a line break")
            errors.append(
                f"Line {n}, {column}: \u201c{value.strip()[:40]}\u201d starts with \u201c{first}"
                "\u201d, which spreadsheets run as a formula. Remove that character."
            )
    if errors:
        return None, errors
    values = {key: value.strip() for key, value in row.values.items()}
    email = values.get("email", "").lower()
    try:
        validate_email(email)
    except ValidationError:
        errors.append(f"Line {n}, email: \u201c{email[:80]}\u201d is not an email address.")
    else:
        if email in seen:
            errors.append(f"Line {n}, email: {email} is already on line {seen[email]}.")
        elif email in existing and not existing[email].is_active:
            errors.append(
                f"Line {n}, email: {email}'s account is deactivated; reactivate it first."
            )
        seen.setdefault(email, n)
    try:
        name = name_clean(values.get("name", ""), label=f"Line {n}, name")
    except ValidationError as error:
        errors.extend(error.messages)
        name = ""
    else:
        if not name:
            errors.append(f"Line {n}, name: empty. Give the person's name.")
    role_text = " ".join(values.get("role", "").lower().split())
    role = _ROLES.get(role_text)
    if role is None:
        errors.append(
            f"Line {n}, role: \u201c{role_text[:40]}\u201d is not a role. "
            "Use hire, mentor or program admin."
        )
    mentor_email = values.get("mentor email", "").lower()
    cohort_name = values.get("cohort", "")
    start_text = values.get("start date", "")
    cohort = None
    start_date = None
    if role is not None and role != Role.HIRE and (mentor_email or cohort_name or start_text):
        errors.append(
            f"Line {n}: mentor email, cohort and start date are for hires only; "
            f"leave them empty for a {role.label.lower()}."
        )
    if role == Role.HIRE:
        if email in enrolled:
            errors.append(
                f"Line {n}, email: {email} is already enrolled in this program; "
                "change their enrollment from their page on People instead."
            )
        if mentor_email and mentor_email not in mentors:
            errors.append(
                f"Line {n}, mentor email: {mentor_email[:80]} is not a mentor "
                "(not an account with the mentor role, nor a mentor in this file)."
            )
        if cohort_name:
            cohort = cohorts.get(cohort_name.lower())
            if cohort is None:
                errors.append(
                    f"Line {n}, cohort: there is no cohort named \u201c{cohort_name[:60]}\u201d. "
                    "Create it on the Cohorts page first."
                )
        if start_text:
            try:
                start_date = datetime.date.fromisoformat(start_text)
            except ValueError:
                errors.append(
                    f"Line {n}, start date: \u201c{start_text[:20]}\u201d is not a date; "
                    "write it as YYYY-MM-DD (2026-03-02)."
                )
    if errors or role is None:
        return None, errors
    return (
        ImportLine(
            line=n,
            email=email,
            name=name,
            role=role,
            mentor_email=mentor_email,
            cohort=cohort,
            start_date=start_date,
            existing=existing.get(email),
        ),
        [],
    )


def people_import_check(*, data: bytes, program: Program | None) -> list[ImportLine]:
    """Every row of an uploaded people CSV checked, or PeopleImportError listing every problem.

    Columns: email, name, role (hire, mentor, program admin), and for hires optionally
    mentor email, cohort (an existing cohort's name) and start date (YYYY-MM-DD). An email that
    already has an account is enrolled (a hire) or invited to the role (a mentor or admin)
    rather than refused; one already enrolled in the program is refused. Reads only.
    """
    try:
        rows = csv_read(data, required=CSV_REQUIRED, optional=CSV_OPTIONAL)
    except CsvFileError as error:
        raise PeopleImportError([str(error)]) from error
    emails = {row.values.get("email", "").strip().lower() for row in rows}
    emails |= {row.values.get("mentor email", "").strip().lower() for row in rows}
    emails.discard("")
    accounts = {user.email.lower(): user for user in User.objects.filter(email__in=sorted(emails))}
    mentors = {email for email, user in accounts.items() if is_active_mentor(user)}
    mentors |= {
        row.values.get("email", "").strip().lower()
        for row in rows
        if " ".join(row.values.get("role", "").lower().split()) == "mentor"
    }
    cohorts = {cohort.name.lower(): cohort for cohort in Cohort.objects.all()}
    enrolled: set[str] = set()
    if program is not None and accounts:
        enrolled = {
            email.lower()
            for email in Enrollment.objects.filter(
                hire__in=list(accounts.values()), program=program, state=EnrollmentState.ACTIVE
            ).values_list("hire__email", flat=True)
        }
    seen: dict[str, int] = {}
    lines: list[ImportLine] = []
    errors: list[str] = []
    for row in rows:
        checked, problems = _line_check(
            row, seen=seen, existing=accounts, enrolled=enrolled, mentors=mentors, cohorts=cohorts
        )
        errors.extend(problems)
        if checked is not None:
            lines.append(checked)
    if any(line.role == Role.HIRE for line in lines) and _published(program) is None:
        errors.append(
            "The file has hires, but no program with a published version was chosen to enroll "
            "them in. Choose one (or publish a version first)."
        )
    if errors:
        raise PeopleImportError(errors)
    return lines


def _published(program: Program | None) -> ProgramVersion | None:
    if program is None:
        return None
    return ProgramVersion.objects.filter(program=program, state=VersionState.PUBLISHED).first()


def people_import(*, data: bytes, by: User, program: Program | None) -> PeopleImportResult:
    """Create everyone in a people CSV: accounts, invitations, and hires' enrollments.

    All or nothing: every row is checked first (`people_import_check`), then one transaction
    creates the rows; a failure on any row rolls back every row and names the line. Mentors and
    admins are created before hires, so a hire may name a mentor from the same file. Each
    person gets an invitation email (from the outbox, after commit) whose link sets their
    password; hires are enrolled in PROGRAM's published version, with the mentor assigned
    through `mentor_assign` (history and the mentor's email).
    """
    _admin_acts(by)
    lines = people_import_check(data=data, program=program)
    version = _published(program)
    lines.sort(key=lambda line: (line.role == Role.HIRE, line.line))
    users: dict[str, User] = {}
    enrollments: list[Enrollment] = []
    with transaction.atomic():
        for line in lines:
            try:
                with transaction.atomic():
                    users[line.email] = _person_import(line, by=by, version=version, users=users)
                    if line.role == Role.HIRE:
                        enrollments.append(_hire_enroll(line, by=by, version=version, users=users))
            except (ValidationError, IntegrityError) as error:
                raise PeopleImportError(
                    [line_failure(line.line, error, "Nothing was imported.")]
                ) from error
        audit_record(
            actor=by,
            action=AuditAction.IMPORT,
            subject=None,
            object_type="people.csv",
            detail=f"{len(lines)} people, {len(enrollments)} enrollments",
        )
    return PeopleImportResult(
        users=list(users.values()),
        enrollments=enrollments,
        existing=sum(1 for line in lines if line.existing is not None),
    )


def _person_import(
    line: ImportLine, *, by: User, version: ProgramVersion | None, users: dict[str, User]
) -> User:
    if line.existing is not None:
        return _existing_import(line, line.existing, by=by)
    # The account exists from now, with no password: the invitation's link sets one
    # (`accounts.services.invitation_accept`), so the hire can be enrolled before they join.
    user = user_create(
        email=line.email, password=None, display_name=line.name, roles=[line.role], verified=False
    )
    invitation_create(invited_by=by, email=line.email, role=line.role, display_name=line.name)
    return user


def _existing_import(line: ImportLine, user: User, *, by: User) -> User:
    """Someone already here: a hire is enrolled (`_hire_enroll`); a new role for a mentor or
    admin comes by invitation (accepting grants it, then the second factor is set up); and
    whoever never accepted their first invitation gets a fresh link."""
    if line.role == Role.HIRE:
        if not user.has_usable_password():
            invitation_create(
                invited_by=by, email=user.email, role=Role.HIRE, display_name=user.display_name
            )
        return user_role_grant(user=user, role=Role.HIRE)
    if not user.has_role(line.role) or not user.has_usable_password():
        invitation_create(
            invited_by=by, email=user.email, role=line.role, display_name=user.display_name
        )
    return user


def _hire_enroll(
    line: ImportLine, *, by: User, version: ProgramVersion | None, users: dict[str, User]
) -> Enrollment:
    assert version is not None  # people_import_check refused hires without a program
    mentor = None
    if line.mentor_email:
        mentor = users.get(line.mentor_email) or User.objects.get(email__iexact=line.mentor_email)
    return hire_enroll(
        hire=users[line.email],
        choice=EnrollChoice(
            version=version, mentor=mentor, cohort=line.cohort, start_date=line.start_date
        ),
        by=by,
    )


# --- enrollment states -----------------------------------------------------------------------------

# action -> (states it may start from, state it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], EnrollmentState]] = {
    "pause": (frozenset({EnrollmentState.ACTIVE}), EnrollmentState.PAUSED),
    "resume": (frozenset({EnrollmentState.PAUSED}), EnrollmentState.ACTIVE),
    "finish": (
        frozenset({EnrollmentState.ACTIVE, EnrollmentState.PAUSED}),
        EnrollmentState.FINISHED,
    ),
    "withdraw": (
        frozenset({EnrollmentState.ACTIVE, EnrollmentState.PAUSED}),
        EnrollmentState.WITHDRAWN,
    ),
}
REASON_MAX_CHARS = 500


def transitions_from(state: str) -> list[str]:
    """The actions an enrollment in STATE allows, in the order the page shows them."""
    return [action for action, (sources, _) in TRANSITIONS.items() if state in sources]


def enrollment_state_change(
    *, enrollment: Enrollment, action: str, by: User, reason: str = ""
) -> Enrollment:
    """Pause, resume, finish or withdraw an enrollment (program admins only).

    Legal moves: active -> paused, paused -> active, active/paused -> finished or withdrawn;
    finished and withdrawn are final. Asking for the state it is already in changes nothing
    (a double click); anything else illegal is refused in words. Resuming is refused while the
    hire has another active enrollment in the program. Each change is an EnrollmentStateChange
    row and an audit event.
    """
    _admin_acts(by)
    if action not in TRANSITIONS:
        raise ValidationError("Choose pause, resume, finish or withdraw.", code="action")
    sources, target = TRANSITIONS[action]
    reason = text_clean(reason, label="The reason", max_chars=REASON_MAX_CHARS)
    with transaction.atomic():
        locked = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        if locked.state == target:
            return locked
        if locked.state not in sources:
            raise ValidationError(
                f"A {locked.get_state_display().lower()} enrollment can't be {_done(action)}.",
                code="illegal_transition",
            )
        if target == EnrollmentState.ACTIVE and (
            Enrollment.objects.filter(
                hire_id=locked.hire_id, program_id=locked.program_id, state=EnrollmentState.ACTIVE
            )
            .exclude(pk=locked.pk)
            .exists()
        ):
            raise ValidationError(
                "This hire has another active enrollment in this program; finish or pause "
                "that one first.",
                code="duplicate",
            )
        previous = locked.state
        locked.state = target
        try:
            with transaction.atomic():
                locked.save(update_fields=["state"])
        except IntegrityError as error:
            raise ValidationError(
                "This hire has another active enrollment in this program.", code="duplicate"
            ) from error
        EnrollmentStateChange.objects.create(
            enrollment=locked, from_state=previous, to_state=target, by=by, reason=reason
        )
        audit_record(
            actor=by,
            action=AuditAction.CHANGE,
            subject=locked.hire_id,
            obj=locked,
            detail=f"state {previous} -> {target}",
        )
    return locked


def _done(action: str) -> str:
    return {"pause": "paused", "resume": "resumed", "finish": "finished"}.get(action, "withdrawn")


def enrollment_pause(*, enrollment: Enrollment, by: User, reason: str = "") -> Enrollment:
    """Pause an active enrollment (see `enrollment_state_change`)."""
    return enrollment_state_change(enrollment=enrollment, action="pause", by=by, reason=reason)


def enrollment_resume(*, enrollment: Enrollment, by: User, reason: str = "") -> Enrollment:
    """Resume a paused enrollment (see `enrollment_state_change`)."""
    return enrollment_state_change(enrollment=enrollment, action="resume", by=by, reason=reason)


def enrollment_finish(*, enrollment: Enrollment, by: User, reason: str = "") -> Enrollment:
    """Mark an enrollment finished; this starts the retention period."""
    return enrollment_state_change(enrollment=enrollment, action="finish", by=by, reason=reason)


def enrollment_withdraw(*, enrollment: Enrollment, by: User, reason: str = "") -> Enrollment:
    """Withdraw a hire from the program; this starts the retention period."""
    return enrollment_state_change(enrollment=enrollment, action="withdraw", by=by, reason=reason)


# --- schedule, cohort, mentor, version ---------------------------------------------------------------


def enrollment_schedule_set(
    *,
    enrollment: Enrollment,
    by: User,
    cohort: Cohort | None,
    start_date: datetime.date,
) -> Enrollment:
    """Put an enrollment in COHORT (or none) and set its start date (program admins only).

    The hire's pace and working days stay as they are: a cohort's schedule is copied only when
    an enrollment is made. Audited.
    """
    _admin_acts(by)
    if not datetime.date(2000, 1, 1) <= start_date <= datetime.date(2100, 1, 1):
        raise ValidationError("Choose a start date between 2000 and 2100.", code="start_date")
    with transaction.atomic():
        locked = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        before = (locked.cohort_id, locked.start_date)
        locked.cohort = cohort
        locked.start_date = start_date
        if before == (locked.cohort_id, locked.start_date):
            return locked
        locked.save(update_fields=["cohort", "start_date"])
        audit_record(
            actor=by,
            action=AuditAction.CHANGE,
            subject=locked.hire_id,
            obj=locked,
            detail=f"cohort {before[0]} -> {locked.cohort_id}, start {before[1]} -> {start_date}",
        )
    return locked


def enrollment_mentor_set(*, enrollment: Enrollment, mentor: User, by: User) -> Enrollment:
    """Make MENTOR the primary mentor (`mentoring.mentor_assign`, history kept), audited."""
    with transaction.atomic():
        assignment = mentor_assign(enrollment=enrollment, mentor=mentor, by=by)
        audit_record(
            actor=by,
            action=AuditAction.CHANGE,
            subject=enrollment.hire_id,
            obj=enrollment,
            detail=f"mentor -> {assignment.mentor_id}",
        )
    return Enrollment.objects.get(pk=enrollment.pk)


def enrollments_move_to_version(
    *, enrollments: list[Enrollment], version: ProgramVersion, by: User
) -> list[Enrollment]:
    """Move several hires to VERSION at once (`journey.enrollment_move_to_version` for each).

    One transaction: if any one is refused, nobody moves, and the error names the hire's id.
    """
    _admin_acts(by)
    moved = []
    with transaction.atomic():
        for enrollment in enrollments:
            try:
                moved.append(
                    enrollment_move_to_version(enrollment=enrollment, version=version, by=by)
                )
            except ValidationError as error:
                raise ValidationError(
                    f"Enrollment {enrollment.pk}: {' '.join(error.messages)} Nobody was moved.",
                    code="move",
                ) from error
            audit_record(
                actor=by,
                action=AuditAction.CHANGE,
                subject=enrollment.hire_id,
                obj=enrollment,
                detail=f"version -> {version.pk}",
            )
    return moved
