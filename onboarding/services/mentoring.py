"""Who mentors whom (assignments with history), private mentor notes, and the desk's shared checks.

Program admins assign and reassign mentors; every change ends the old `MentorAssignment` row and
starts a new one, and `Enrollment.mentor` follows the open primary row. Access is read from those
rows on every request, so a reassigned mentor loses the mentee on their next click.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.links import absolute_url
from accounts.models import User
from accounts.permissions import is_program_admin
from accounts.validators import text_clean
from curriculum.markdown.render import render_person_markdown

from ..models import Enrollment, MentorAssignment, MentorNote, MentorRole
from ..permissions import user_may_mentor
from .mail import email_queue

MESSAGE_MAX_CHARS = 10_000


def markdown_clean(
    value: str, *, label: str, max_chars: int = MESSAGE_MAX_CHARS
) -> tuple[str, str]:
    """What a person typed, checked (`text_clean`), and its sanitised HTML; empty is refused."""
    text = text_clean(value, label=label, max_chars=max_chars)
    if not text:
        raise ValidationError(f"{label} is empty. Write something first.", code="empty")
    return text, render_person_markdown(text)


def mentor_acts(*, enrollment: Enrollment, by: User) -> None:
    """BY mentors ENROLLMENT now (primary or co-mentor) or is a program admin; else refused."""
    if not user_may_mentor(user=by, enrollment=enrollment):
        raise PermissionDenied("Only this hire's mentor or a program admin can do that.")


def _admin_acts(by: User) -> None:
    if not is_program_admin(by):
        raise PermissionDenied("Only a program admin can do that.")


def mentor_assign(
    *, enrollment: Enrollment, mentor: User, by: User, role: str = MentorRole.PRIMARY
) -> MentorAssignment:
    """Make MENTOR the enrollment's primary mentor or a co-mentor (program admins only).

    Invariants: at most one open primary row, at most one open row per person; a new primary
    ends the previous primary's row (history kept), and `Enrollment.mentor` is set to match.
    A co-mentor made primary gives up the co-mentor row. Assigning what is already so changes
    nothing. An enrollment made with a mentor before assignments existed gets that mentor's
    row written into the history when they are replaced.
    """
    _admin_acts(by)
    if role not in MentorRole.values:
        raise ValidationError("Choose mentor or co-mentor.", code="role")
    if not mentor.is_mentor or not mentor.is_active:
        raise ValidationError(f"{mentor.name} does not have the mentor role.", code="not_mentor")
    if mentor.pk == enrollment.hire_id:
        raise ValidationError("A hire cannot mentor themselves.", code="self")
    now = timezone.now()
    with transaction.atomic():
        enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        open_rows = list(
            MentorAssignment.objects.select_for_update().filter(
                enrollment=enrollment, ended_at__isnull=True
            )
        )
        mine = next((row for row in open_rows if row.mentor_id == mentor.pk), None)
        if mine is not None and mine.role == role:
            return mine
        if role == MentorRole.CO_MENTOR:
            if enrollment.mentor_id == mentor.pk:
                raise ValidationError(
                    f"{mentor.name} is already the mentor; a co-mentor is someone else.",
                    code="already_primary",
                )
        else:
            primary = next((row for row in open_rows if row.role == MentorRole.PRIMARY), None)
            if primary is not None:
                primary.ended_at = now
                primary.save(update_fields=["ended_at"])
            elif enrollment.mentor_id is not None and enrollment.mentor_id != mentor.pk:
                MentorAssignment.objects.create(
                    enrollment=enrollment,
                    mentor_id=enrollment.mentor_id,
                    role=MentorRole.PRIMARY,
                    started_at=enrollment.created_at,
                    ended_at=now,
                )
            enrollment.mentor = mentor
            enrollment.save(update_fields=["mentor"])
        if mine is not None:
            mine.ended_at = now
            mine.save(update_fields=["ended_at"])
        assignment = MentorAssignment.objects.create(
            enrollment=enrollment, mentor=mentor, role=role, assigned_by=by, started_at=now
        )
        hire_name = enrollment.hire.name
        email_queue(
            to=mentor.email,
            subject=f"You are now {assignment.get_role_display().lower()} of {hire_name}",
            body_text=(
                f"{by.name} made you {assignment.get_role_display().lower()} of {hire_name}.\n\n"
                f"Their page on your desk: {absolute_url(f'/desk/mentees/{enrollment.pk}/')}\n"
            ),
            dedupe_key=f"mentor-assigned:{assignment.pk}",
        )
    return assignment


def mentor_unassign(*, enrollment: Enrollment, mentor: User, by: User) -> None:
    """End MENTOR's open assignment (program admins only); the primary's also clears the column.

    Ending what is not open changes nothing.
    """
    _admin_acts(by)
    with transaction.atomic():
        enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        MentorAssignment.objects.filter(
            enrollment=enrollment, mentor=mentor, ended_at__isnull=True
        ).update(ended_at=timezone.now())
        if enrollment.mentor_id == mentor.pk:
            if not MentorAssignment.objects.filter(
                enrollment=enrollment, mentor=mentor, role=MentorRole.PRIMARY
            ).exists():
                # Made primary by `enrollment_create`, before any row: keep the history whole.
                MentorAssignment.objects.create(
                    enrollment=enrollment,
                    mentor=mentor,
                    role=MentorRole.PRIMARY,
                    started_at=enrollment.created_at,
                    ended_at=timezone.now(),
                )
            enrollment.mentor = None
            enrollment.save(update_fields=["mentor"])


def mentor_note_add(*, enrollment: Enrollment, by: User, body: str) -> MentorNote:
    """A private note on a mentee, by one of their mentors or a program admin.

    The hire never sees notes: no hire-facing selector reads them.
    """
    mentor_acts(enrollment=enrollment, by=by)
    text, html = markdown_clean(body, label="Your note")
    with transaction.atomic():
        return MentorNote.objects.create(
            enrollment=enrollment, author=by, body=text, body_html=html
        )
