"""Ending a mentor's assignment: what mutation testing showed the suite did not check.

`mentor_unassign` on the primary mentor (the one `enrollment_create` set, before any
assignment row existed) clears the enrollment's mentor and writes the whole history row; and
ending an assignment never rewrites the end of one that had already ended.
"""

import datetime

import pytest

from onboarding.models import MentorAssignment, MentorRole
from onboarding.services.mentoring import mentor_assign, mentor_unassign
from tests.onboarding import desk_support
from tests.support.clock import pin_clock

pytestmark = pytest.mark.django_db

enrollment = desk_support.enrollment
version = desk_support.version

MONDAY = datetime.datetime(2026, 11, 9, 10, tzinfo=datetime.UTC)


def test_unassigning_the_primary_mentor_clears_the_column_and_keeps_the_history(
    enrollment, mentor, admin, monkeypatch
):
    assert enrollment.mentor_id == mentor.pk
    assert not MentorAssignment.objects.filter(enrollment=enrollment).exists()
    pin_clock(monkeypatch, MONDAY)

    mentor_unassign(enrollment=enrollment, mentor=mentor, by=admin)

    enrollment.refresh_from_db()
    assert enrollment.mentor_id is None
    [row] = MentorAssignment.objects.filter(enrollment=enrollment)
    assert (row.mentor_id, row.role) == (mentor.pk, MentorRole.PRIMARY)
    assert (row.started_at, row.ended_at) == (enrollment.created_at, MONDAY)


def test_unassigning_again_changes_nothing(enrollment, mentor, admin, monkeypatch):
    pin_clock(monkeypatch, MONDAY)
    mentor_unassign(enrollment=enrollment, mentor=mentor, by=admin)
    pin_clock(monkeypatch, MONDAY + datetime.timedelta(days=3))

    mentor_unassign(enrollment=enrollment, mentor=mentor, by=admin)

    [row] = MentorAssignment.objects.filter(enrollment=enrollment)
    assert row.ended_at == MONDAY


def test_a_co_mentor_ending_leaves_the_primary_and_earlier_ends_alone(
    enrollment, mentor, other_mentor, admin, monkeypatch
):
    pin_clock(monkeypatch, MONDAY)
    mentor_assign(enrollment=enrollment, mentor=other_mentor, by=admin, role=MentorRole.CO_MENTOR)
    mentor_unassign(enrollment=enrollment, mentor=other_mentor, by=admin)
    first_end = MentorAssignment.objects.get(mentor=other_mentor).ended_at
    later = MONDAY + datetime.timedelta(days=7)
    pin_clock(monkeypatch, later)
    mentor_assign(enrollment=enrollment, mentor=other_mentor, by=admin, role=MentorRole.CO_MENTOR)

    mentor_unassign(enrollment=enrollment, mentor=other_mentor, by=admin)

    ends = sorted(
        MentorAssignment.objects.filter(mentor=other_mentor).values_list("ended_at", flat=True)
    )
    assert ends == [first_end, later] and first_end == MONDAY
    enrollment.refresh_from_db()
    assert enrollment.mentor_id == mentor.pk
