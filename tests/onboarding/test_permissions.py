"""Who mentors which hire (`onboarding.permissions`): the primary mentor and open co-mentor
assignments, with the mentor role, while active; program admins run every enrollment."""

import pytest
from django.contrib.auth.models import AnonymousUser

from onboarding.models import Enrollment
from onboarding.permissions import mentored_by, mentors, user_may_mentor
from onboarding.services.mentoring import mentor_assign, mentor_unassign
from tests.onboarding import desk_support

pytestmark = pytest.mark.django_db

enrollment = desk_support.enrollment
other_enrollment = desk_support.other_enrollment
version = desk_support.version


def mentored_ids(user) -> set[int]:
    return set(Enrollment.objects.filter(mentored_by(user)).values_list("pk", flat=True))


def test_the_primary_mentor_mentors_their_mentee_only(
    enrollment, other_enrollment, mentor, django_assert_num_queries
):
    assert mentored_ids(mentor) == {enrollment.pk}
    with django_assert_num_queries(0):  # the primary mentor is on the row already read
        assert mentors(mentor, enrollment)
    assert not mentors(mentor, other_enrollment)
    assert user_may_mentor(user=mentor, enrollment=enrollment)
    assert not user_may_mentor(user=mentor, enrollment=other_enrollment)


def test_a_co_mentor_mentors_until_the_assignment_ends(
    enrollment, other_enrollment, other_mentor, admin, django_assert_num_queries
):
    assert mentored_ids(other_mentor) == {other_enrollment.pk}
    mentor_assign(enrollment=enrollment, mentor=other_mentor, by=admin, role="co_mentor")
    assert mentored_ids(other_mentor) == {enrollment.pk, other_enrollment.pk}
    with django_assert_num_queries(1):  # one look at the open assignments
        assert mentors(other_mentor, enrollment)
    assert user_may_mentor(user=other_mentor, enrollment=enrollment)
    mentor_unassign(enrollment=enrollment, mentor=other_mentor, by=admin)
    assert mentored_ids(other_mentor) == {other_enrollment.pk}
    assert not mentors(other_mentor, enrollment)
    assert not user_may_mentor(user=other_mentor, enrollment=enrollment)


def test_losing_the_role_or_the_account_ends_mentoring_at_once(enrollment, mentor):
    mentor.is_mentor = False
    assert mentored_ids(mentor) == set()
    assert not mentors(mentor, enrollment)
    assert not user_may_mentor(user=mentor, enrollment=enrollment)
    mentor.is_mentor = True
    mentor.is_active = False
    assert mentored_ids(mentor) == set()
    assert not mentors(mentor, enrollment)
    assert not user_may_mentor(user=mentor, enrollment=enrollment)


def test_user_may_mentor_reads_the_database_not_the_loaded_row(enrollment, mentor, other_mentor):
    # Another request reassigned the hire since this row was read: the old mentor is out.
    Enrollment.objects.filter(pk=enrollment.pk).update(mentor=other_mentor)
    assert enrollment.mentor_id == mentor.pk
    assert not user_may_mentor(user=mentor, enrollment=enrollment)
    assert user_may_mentor(user=other_mentor, enrollment=enrollment)


def test_program_admins_may_mentor_everyone_but_mentor_no_one(enrollment, admin, hire):
    assert user_may_mentor(user=admin, enrollment=enrollment)
    assert not mentors(admin, enrollment)
    assert mentored_ids(admin) == set()
    assert not user_may_mentor(user=hire, enrollment=enrollment)
    assert not mentors(hire, enrollment)
    assert mentored_ids(AnonymousUser()) == set()
    assert not user_may_mentor(user=AnonymousUser(), enrollment=enrollment)
