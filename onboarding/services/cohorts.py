"""Cohorts: hires who start together. Program admins create them and put hires in them."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.models import User
from accounts.permissions import is_program_admin
from accounts.validators import text_clean

from ..audit import audit_record
from ..models import AuditAction, Cohort, Enrollment


def cohort_check(*, name: str, pace: int, by: User, cohort: Cohort | None = None) -> str:
    """The cleaned name, or the reason a cohort with these values can't be saved.

    Shared by `cohort_create` and `cohort_update`, and by forms that want the same messages
    before they call either (the Django admin's cohort form). Names are unique ignoring case.
    """
    if not is_program_admin(by):
        raise PermissionDenied("Only a program admin can create or change cohorts.")
    name = text_clean(name, label="The name", max_chars=200)
    if not name:
        raise ValidationError("Give the cohort a name.", code="empty")
    if not 1 <= pace <= 10:
        raise ValidationError("A pace is 1 to 10 items per working day.", code="pace")
    others = Cohort.objects.filter(name__iexact=name)
    if cohort is not None:
        others = others.exclude(pk=cohort.pk)
    if others.exists():
        raise ValidationError(f"There is already a cohort named \u201c{name}\u201d.", code="dup")
    return name


def cohort_create(*, name: str, start_date: datetime.date, by: User, pace: int = 1) -> Cohort:
    """A new cohort (program admins only). Names are unique, ignoring case."""
    with transaction.atomic():
        name = cohort_check(name=name, pace=pace, by=by)
        cohort = Cohort(name=name, start_date=start_date, pace=pace)
        cohort.full_clean()
        cohort.save()
    return cohort


def cohort_update(
    *, cohort: Cohort, name: str, start_date: datetime.date, pace: int, by: User
) -> Cohort:
    """Rename a cohort or change its default start date and pace (program admins only).

    Hires already in it keep their own start dates and pace: those were copied when they were
    enrolled, and moving them is `cohort_assign(..., use_start_date=True)`'s job.
    """
    with transaction.atomic():
        locked = Cohort.objects.select_for_update().get(pk=cohort.pk)
        locked.name = cohort_check(name=name, pace=pace, by=by, cohort=locked)
        locked.start_date, locked.pace = start_date, pace
        locked.full_clean()
        locked.save()
    return locked


def cohort_assign(
    *, cohort: Cohort, enrollments: list[Enrollment], by: User, use_start_date: bool = False
) -> int:
    """Put ENROLLMENTS in COHORT (program admins only); returns how many changed.

    With `use_start_date` each also takes the cohort's start date; pace and working days stay
    the hire's own. Already in the cohort (with that start date) changes nothing. Audited.
    """
    if not is_program_admin(by):
        raise PermissionDenied("Only a program admin can assign cohorts.")
    changed = 0
    with transaction.atomic():
        for enrollment in Enrollment.objects.select_for_update().filter(
            pk__in=[e.pk for e in enrollments]
        ):
            fields = []
            if enrollment.cohort_id != cohort.pk:
                enrollment.cohort = cohort
                fields.append("cohort")
            if use_start_date and enrollment.start_date != cohort.start_date:
                enrollment.start_date = cohort.start_date
                fields.append("start_date")
            if not fields:
                continue
            enrollment.save(update_fields=fields)
            changed += 1
            audit_record(
                actor=by,
                action=AuditAction.CHANGE,
                subject=enrollment.hire_id,
                obj=enrollment,
                detail=f"cohort -> {cohort.pk}"
                + (", start date" if "start_date" in fields else ""),
            )
    return changed
