"""Invite = enroll: a program admin invites hires into a program (its published version) with a
mentor, a co-mentor, a cohort and a start date, or enrolls someone who is already here.

Where the enrollment lives before the person accepts: it is made at invite time, for an account
made ahead with no password (`accounts.services.user_create(password=None)`), exactly as the
people CSV import does. `Enrollment.hire` is a required link to a `User`, and
`accounts.services.invitation_accept` already turns such an account into a real one (it sets the
password it lacks), so the same path serves both ways in, needs no "pending enrollment" copy of
the enrollment's fields on `Invitation` (nor a migration), and the hire is on the People page,
with their mentor and start date, from the moment they are invited. Until they accept nobody
can log in as them: the account has no usable password.

Every function here is for program admins only (checked again inside, whoever calls).
"""

import datetime
import re
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.links import absolute_url
from accounts.models import Invitation, Role, User
from accounts.permissions import is_active_mentor, is_program_admin
from accounts.services import invitation_create, user_create, user_role_grant
from accounts.validators import name_clean
from curriculum.models import ProgramVersion, VersionState

from ..audit import audit_record
from ..models import AuditAction, Cohort, Enrollment, EnrollmentState, MentorRole
from ..schedule import local_today, next_working_day
from .journey import enrollment_create
from .mail import email_queue
from .mentoring import mentor_assign

MAX_LINES = 200


def _admin_acts(by: User) -> None:
    if not is_program_admin(by):
        raise PermissionDenied("Only a program admin can do that.")


@dataclass(frozen=True)
class EnrollChoice:
    """Where a hire goes: the program's published version, mentors, cohort and start date.

    A start date left empty is the cohort's start, or else the next working day.
    """

    version: ProgramVersion
    mentor: User | None = None
    co_mentor: User | None = None
    cohort: Cohort | None = None
    start_date: datetime.date | None = None

    def start_for(self, by: User) -> datetime.date:
        if self.start_date is not None:
            return self.start_date
        if self.cohort is not None:
            return self.cohort.start_date
        return next_working_day(local_today(now=timezone.now(), zone=by.zone))


def enroll_choice_check(choice: EnrollChoice) -> None:
    """Refuse, in words, a choice no hire could be enrolled with (whoever the hire is)."""
    if choice.version.state != VersionState.PUBLISHED:
        raise ValidationError("Hires can only start on a published version.", code="draft")
    for who, label in ((choice.mentor, "mentor"), (choice.co_mentor, "co-mentor")):
        if who is not None and not is_active_mentor(who):
            raise ValidationError(
                f"{who.name} is not an active mentor; choose another {label}.", code="not_mentor"
            )
    if choice.mentor is not None and choice.co_mentor == choice.mentor:
        raise ValidationError(
            "The co-mentor must be someone other than the mentor.", code="same_mentor"
        )
    start = choice.start_date
    if start is not None and not datetime.date(2000, 1, 1) <= start <= datetime.date(2100, 1, 1):
        raise ValidationError("Choose a start date between 2000 and 2100.", code="start_date")


def _person_check(person: User, choice: EnrollChoice) -> None:
    if not person.is_active:
        raise ValidationError(
            f"{person.email}'s account is deactivated; reactivate it before enrolling them.",
            code="inactive",
        )
    if person in (choice.mentor, choice.co_mentor):
        raise ValidationError(f"{person.name} cannot mentor themselves.", code="self")


def hire_enroll(*, hire: User, choice: EnrollChoice, by: User) -> Enrollment:
    """Enroll a person who is already here (given the hire role if they lack it), assign the
    mentor and co-mentor (history kept, each told by email), audited. A person who has already
    joined is told by email; one who has not is told by their invitation."""
    _admin_acts(by)
    enroll_choice_check(choice)
    _person_check(hire, choice)
    with transaction.atomic():
        if not hire.is_hire:
            user_role_grant(user=hire, role=Role.HIRE)
        enrollment = enrollment_create(
            hire=hire, version=choice.version, cohort=choice.cohort, start_date=choice.start_for(by)
        )
        if choice.mentor is not None:
            mentor_assign(enrollment=enrollment, mentor=choice.mentor, by=by)
        if choice.co_mentor is not None:
            mentor_assign(
                enrollment=enrollment, mentor=choice.co_mentor, by=by, role=MentorRole.CO_MENTOR
            )
        audit_record(
            actor=by,
            action=AuditAction.CHANGE,
            subject=hire.pk,
            obj=enrollment,
            detail=f"enrolled in version {choice.version.pk}",
        )
        if hire.has_usable_password():
            _enrolled_email(enrollment, hire=hire, version=choice.version)
    enrollment.refresh_from_db(fields=["mentor"])
    return enrollment


def _enrolled_email(enrollment: Enrollment, *, hire: User, version: ProgramVersion) -> None:
    program = version.program.title or version.program.slug
    email_queue(
        to=hire.email,
        subject=f"You are enrolled in {program}",
        body_text=(
            f"Hello {hire.name},\n\nYou are enrolled in {program}, starting on "
            f"{enrollment.start_date:%A %-d %B %Y}.\n\nYour first day: {absolute_url('/')}\n"
        ),
        dedupe_key=f"enrolled:{enrollment.pk}",
    )


@dataclass
class Invited:
    person: User
    enrollment: Enrollment
    invitation: Invitation | None  # None: they had already joined, and were told by email
    created: bool  # a new account (False: someone already here, now enrolled)


def hire_invite(*, email: str, name: str, choice: EnrollChoice, by: User) -> Invited:
    """Invite one hire into CHOICE: an account made ahead (no password until they accept), its
    enrollment, mentors, and the invitation email. An address that already has an account is
    enrolled instead (and re-invited if they never accepted). One transaction."""
    _admin_acts(by)
    email = User.objects.normalize_email(email).strip().lower()
    name = name_clean(name, label="The name") if name else name
    with transaction.atomic():
        person = User.objects.filter(email__iexact=email).first()
        created = person is None
        if person is None:
            person = user_create(
                email=email, password=None, display_name=name, roles=[Role.HIRE], verified=False
            )
        enrollment = hire_enroll(hire=person, choice=choice, by=by)
        invitation = None
        if not person.has_usable_password():
            invitation = invitation_create(
                invited_by=by,
                email=person.email,
                role=Role.HIRE,
                display_name=person.display_name or name,
            )
    return Invited(person=person, enrollment=enrollment, invitation=invitation, created=created)


# --- many at once: one line per person ------------------------------------------------------------


@dataclass
class InviteLine:
    line: int
    email: str
    name: str


@dataclass
class HireInviteError(Exception):
    """The list was refused as a whole; each message names its line. Nothing was saved."""

    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return " ".join(self.errors)


_SEPARATOR = re.compile(r"[,;\t]")


def hires_invite_check(*, text: str, choice: EnrollChoice) -> list[InviteLine]:
    """Each line "email, name" (the name may be left out) checked, or HireInviteError naming
    every bad line. Reads only: two queries whatever the number of lines."""
    enroll_choice_check(choice)
    parsed: list[InviteLine] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    lines = [(n, raw.strip()) for n, raw in enumerate(text.splitlines(), start=1) if raw.strip()]
    if not lines:
        raise HireInviteError(["Write at least one line: an email, then a comma and the name."])
    if len(lines) > MAX_LINES:
        raise HireInviteError([f"At most {MAX_LINES} people at once ({len(lines)} lines)."])
    for n, raw in lines:
        email, name = _split(raw)
        email = email.lower()
        try:
            validate_email(email)
        except ValidationError:
            errors.append(f"Line {n}: \u201c{email[:80]}\u201d is not an email address.")
            continue
        if email in seen:
            errors.append(f"Line {n}: {email} is already on line {seen[email]}.")
            continue
        seen[email] = n
        try:
            name = name_clean(name, label=f"Line {n}, the name") if name else name
        except ValidationError as error:
            errors.extend(error.messages)
            continue
        parsed.append(InviteLine(line=n, email=email, name=name))
    emails = [line.email for line in parsed]
    accounts = {user.email.lower(): user for user in User.objects.filter(email__in=emails)}
    enrolled = {
        email.lower()
        for email in Enrollment.objects.filter(
            hire__in=list(accounts.values()),
            program_id=choice.version.program_id,
            state=EnrollmentState.ACTIVE,
        ).values_list("hire__email", flat=True)
    }
    program = choice.version.program.title or choice.version.program.slug
    for line in parsed:
        person = accounts.get(line.email)
        if person is None:
            continue
        if line.email in enrolled:
            errors.append(
                f"Line {line.line}: {line.email} is already enrolled in {program}; "
                "change their enrollment from their page instead."
            )
            continue
        try:
            _person_check(person, choice)
        except ValidationError as error:
            errors.append(f"Line {line.line}: {' '.join(error.messages)}")
    if errors:
        raise HireInviteError(sorted(errors, key=_line_number))
    return parsed


def _split(raw: str) -> tuple[str, str]:
    """ "email, name" (or a tab or semicolon between them): the email and the name."""
    parts = _SEPARATOR.split(raw, maxsplit=1)
    return parts[0].strip(), (parts[1].strip() if len(parts) > 1 else "")


def _line_number(message: str) -> int:
    match = re.match(r"Line (\d+)", message)
    return int(match.group(1)) if match else 0


def hires_invite(*, text: str, choice: EnrollChoice, by: User) -> list[Invited]:
    """Invite (or enroll, for those already here) everyone listed, all or nothing: every line
    is checked first (`hires_invite_check`); a failure while saving rolls every line back and
    names its line."""
    _admin_acts(by)
    lines = hires_invite_check(text=text, choice=choice)
    invited: list[Invited] = []
    with transaction.atomic():
        for line in lines:
            try:
                with transaction.atomic():
                    invited.append(
                        hire_invite(email=line.email, name=line.name, choice=choice, by=by)
                    )
            except (ValidationError, IntegrityError) as error:
                raise HireInviteError(
                    [line_failure(line.line, error, "Nobody was invited.")]
                ) from error
    return invited


def line_failure(line: int, error: ValidationError | IntegrityError, outcome: str) -> str:
    """The message for one line of a list (pasted or CSV) that failed while saving, all or
    nothing: a refusal in the service's own words, or a unique constraint another request won."""
    if isinstance(error, ValidationError):
        why = " ".join(error.messages)
    else:
        why = "It conflicts with a change saved meanwhile."
    return f"Line {line}: {why} {outcome}"


# --- an invitation taken back before it was accepted ----------------------------------------------

WITHDRAWN_REASON = "The invitation was revoked before it was accepted."


def invitation_enrollment_withdraw(*, invitation: Invitation, by: User | None) -> str:
    """Undo what inviting a hire made, when the invitation is revoked before it was accepted.

    Called by `accounts.services.invitation_revoke` (same transaction). The person never
    accepted while their account has no usable password: every enrollment they have was made
    ahead for this invitation (a newer invitation revokes the older ones without coming here).
    An account with nothing else (only the hire role, no other pending invitation, nothing done
    or arranged on its enrollments, no meeting) is deleted with its enrollments, so the People
    page forgets the person; otherwise their open enrollments are withdrawn (BY is then the
    program admin the state change is recorded for). Returns "deleted", "withdrawn" or "kept".
    """
    if invitation.role != Role.HIRE or invitation.accepted_at is not None:
        return "kept"
    person = User.objects.filter(email__iexact=invitation.email).first()
    if person is None or person.has_usable_password():
        return "kept"
    if Invitation.objects.filter(
        email__iexact=invitation.email, accepted_at__isnull=True, revoked_at__isnull=True
    ).exists():
        return "kept"  # another invitation is still out: it is what the enrollment waits for
    enrollments = Enrollment.objects.filter(hire=person)
    untouched = not enrollments.filter(
        Q(progress__isnull=False)
        | Q(submissions__isnull=False)
        | Q(questions__isnull=False)
        | Q(meetings__isnull=False)
    ).exists()
    only_a_hire = not (person.is_mentor or person.is_program_admin or person.is_superuser)
    if untouched and only_a_hire and not person.meeting_participations.exists():
        audit_record(
            actor=by,
            action=AuditAction.CHANGE,
            subject=None,
            object_type="user",
            object_id=person.pk,
            detail="invitation revoked before acceptance: account and enrollments deleted",
        )
        person.delete()
        return "deleted"
    if by is None or not is_program_admin(by):
        return "kept"  # no program admin to record the withdrawal for (a shell)
    from .people import enrollment_withdraw  # people builds on this module

    for enrollment in enrollments.filter(
        state__in=(EnrollmentState.ACTIVE, EnrollmentState.PAUSED)
    ):
        enrollment_withdraw(enrollment=enrollment, by=by, reason=WITHDRAWN_REASON)
    return "withdrawn"
