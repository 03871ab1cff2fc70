"""Cohorts: hires who start together. Program admins create them and put hires in them."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.models import User

from ..audit import audit_record
from ..models import AuditAction, Cohort, Enrollment
from ..selectors.journey import is_program_admin
from .journey import text_clean


def cohort_create(*, name: str, start_date: datetime.date, by: User, pace: int = 1) -> Cohort:
    """A new cohort (program admins only). Names are unique, ignoring case."""
    if not is_program_admin(by):
        raise PermissionDenied("Only a program admin can create cohorts.")
    name = text_clean(name, label="The name", max_chars=200)
    if not name:
        raise ValidationError("Give the cohort a name.", code="empty")
    if not 1 <= pace <= 10:
        raise ValidationError("A pace is 1 to 10 items per working day.", code="pace")
    with transaction.atomic():
        if Cohort.objects.filter(name__iexact=name).exists():
            raise ValidationError(
                f"There is already a cohort named \u201c{name}\u201d.", code="dup"
            )
        cohort = Cohort(name=name, start_date=start_date, pace=pace)
        cohort.full_clean()
        cohort.save()
    return cohort


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
