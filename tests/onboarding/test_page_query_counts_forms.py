"""Query counts of the form pages (people, invitations, mentors, a signed meeting link, the
analytics index, the profile, the health check), flat in N (N > 1).

As in test_page_query_counts.py: read the page with a few rows of every kind that could
multiply its queries (the choices its forms offer, the person's enrollments, the meeting's
participants), add more, read it again, assert the same count and that the new rows show.
"""

import datetime

import pytest
from django.urls import reverse

from accounts.models import Role
from accounts.services import invitation_create
from onboarding.models import Cohort
from onboarding.services import meetings as meeting_services
from onboarding.services.cohorts import cohort_create
from onboarding.services.journey import enrollment_create
from onboarding.services.mentoring import mentor_assign
from tests.factories import HireFactory, MentorFactory
from tests.onboarding.journey_versions_support import (
    DAY_ONE,
    DAY_TWO,
    import_published,
    write_program,
)
from tests.onboarding.meetings_support import client_team, enroll
from tests.onboarding.test_page_query_counts import _arrange, _hires, _queries, assert_flat

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_version(tmp_path):
    return import_published(write_program(tmp_path / "v1", {"day_01.md": DAY_ONE}))


def _programs(tmp_path, first: int, count: int):
    """COUNT more published programs, each under its own title ("Track N")."""
    versions = []
    for n in range(first, first + count):
        root = write_program(tmp_path / f"p{n}", {"day_01.md": DAY_ONE, "day_02.md": DAY_TWO})
        readme = root / "readme.md"
        readme.write_text(readme.read_text().replace("# Small Program", f"# Track {n}", 1))
        versions.append(import_published(root, slug=f"track-{n}"))
    return versions


def _choices(tmp_path, admin, first: int, count: int) -> str:
    """COUNT more of everything an enroll form offers: programs, mentors, cohorts."""
    _programs(tmp_path, first, count)
    for n in range(first, first + count):
        MentorFactory(email=f"m{n}@example.com", display_name=f"Mentor {n}")
        cohort_create(name=f"Cohort {n}", start_date=datetime.date(2026, 11, 2), by=admin)
    return f"Mentor {first + count - 1}"


@pytest.mark.query_count("manage:invite", "manage:import")
def test_the_invite_and_import_forms_are_flat_in_programs_mentors_and_cohorts(
    client, mfa_passed, admin, tmp_path
):
    _choices(tmp_path, admin, 0, 2)
    mfa_passed(client, admin)
    assert_flat(client, reverse("manage:invite"), lambda: _choices(tmp_path, admin, 2, 4))
    assert_flat(
        client, reverse("manage:import"), lambda: f"Track {_programs(tmp_path, 6, 3) and 8}"
    )


@pytest.mark.query_count("manage:person")
def test_a_persons_page_is_flat_in_enrollments_and_choices(
    client, mfa_passed, admin, mentor, hire, tmp_path
):
    [first, second] = _programs(tmp_path, 0, 2)
    for version in (first, second):
        enrollment_create(hire=hire, version=version, mentor=mentor)
    invitation_create(invited_by=admin, email=hire.email, role=Role.HIRE)
    mfa_passed(client, admin)

    def grow():
        for version in _programs(tmp_path, 2, 4):
            enrollment = enrollment_create(hire=hire, version=version, mentor=mentor)
            co = MentorFactory(email=f"co{version.pk}@example.com")
            mentor_assign(enrollment=enrollment, mentor=co, by=admin, role="co_mentor")
        for n in range(3):
            invitation_create(invited_by=admin, email=hire.email, role=Role.HIRE)
            cohort_create(name=f"Cohort {n}", start_date=datetime.date(2026, 11, 2), by=admin)
        return "Track 5"

    assert_flat(client, reverse("manage:person", args=[hire.pk]), grow)


@pytest.mark.query_count("manage:person_erase")
def test_the_erase_page_is_flat_in_the_persons_rows(
    client, mfa_passed, admin, mentor, small_version, tmp_path
):
    [enrollment] = _hires(small_version, mentor, 0, 1)
    person = enrollment.hire
    mfa_passed(client, admin)

    def grow():
        for version in _programs(tmp_path, 0, 3):
            enrollment_create(hire=person, version=version, mentor=mentor)
        return person.name  # the page lists none of their rows: the count below proves growth

    assert_flat(client, reverse("manage:person_erase", args=[person.pk]), grow)
    assert person.enrollments.count() == 4


@pytest.mark.query_count("manage:analytics")
def test_the_analytics_index_is_flat_in_programs_and_cohorts(
    client, mfa_passed, admin, mentor, tmp_path
):
    for version in _programs(tmp_path, 5, 2):
        _hires(version, mentor, version.pk * 10, 2)
    for n in range(2):
        Cohort.objects.create(name=f"Cohort {n}", start_date=datetime.date(2026, 1, 5))
    mfa_passed(client, admin)

    def grow():
        for version in _programs(tmp_path, 0, 4):
            _hires(version, mentor, version.pk * 10, 3)
        for n in range(2, 6):
            Cohort.objects.create(name=f"Cohort {n}", start_date=datetime.date(2026, 1, 5))
        return "Track 0"  # the first program by title with hires is the one shown

    assert_flat(client, reverse("manage:analytics"), grow)


@pytest.mark.query_count("desk:mentor_assign")
def test_the_mentor_assignment_page_is_flat_in_mentors_and_history(
    client, mfa_passed, admin, mentor, small_version
):
    [enrollment] = _hires(small_version, mentor, 0, 1)
    for n in range(2):
        MentorFactory(email=f"m{n}@example.com", display_name=f"Mentor {n}")
    mfa_passed(client, admin)

    def grow():
        for n in range(2, 7):
            co = MentorFactory(email=f"m{n}@example.com", display_name=f"Mentor {n}")
            mentor_assign(enrollment=enrollment, mentor=co, by=admin, role="co_mentor")
        return "Mentor 6"

    assert_flat(client, reverse("desk:mentor_assign", args=[enrollment.pk]), grow)


@pytest.mark.query_count("meetings:link_answer")
def test_a_signed_meeting_link_is_flat_in_participants(client, admin, mentor, hire):
    enrollment = enroll(hire, mentor)
    few = _arrange(mentor, enrollment, client_team(admin, name="Few", contacts=2))
    colleagues = [MentorFactory(email=f"c{n}@example.com") for n in range(5)]
    many = _arrange(
        mentor, enrollment, client_team(admin, name="Many", contacts=6), colleagues=colleagues
    )
    assert many.participants.count() > few.participants.count() + 5
    client.get(reverse("healthz"))  # the session's first request

    counts = []
    for meeting in (few, many):
        contact = meeting.participants.filter(user__isnull=True).first()
        token = meeting_services.meeting_link_make(contact, "accepted")
        count, page = _queries(client, reverse("meetings:link_answer", args=[token]))
        assert f"Visit {meeting.client_team.name}" in page
        counts.append(count)
    assert counts[0] == counts[1]


@pytest.mark.query_count("accounts:profile")
def test_the_profile_page_is_flat_in_the_viewers_rows(
    client, mfa_passed, hire, mentor, admin, tmp_path
):
    mfa_passed(client, hire)

    def grow():
        for version in _programs(tmp_path, 0, 3):
            enrollment_create(hire=hire, version=version, mentor=mentor)
        for n in range(3):
            HireFactory(email=f"else{n}@example.com")
        return hire.email

    assert_flat(client, reverse("accounts:profile"), grow)


@pytest.mark.query_count("accounts:invitation_accept")
def test_an_invitation_page_is_flat_in_invitations(client, admin):
    invitation = invitation_create(invited_by=admin, email="one@example.com", role=Role.HIRE)
    client.get(reverse("healthz"))  # the session's first request
    url = reverse("accounts:invitation_accept", args=[invitation.key])
    before, page = _queries(client, url)
    for n in range(5):
        invitation_create(invited_by=admin, email=f"more{n}@example.com", role=Role.HIRE)
        HireFactory(email=f"joined{n}@example.com")
    after, again = _queries(client, url)
    assert "one@example.com" in page and "one@example.com" in again
    assert before == after


@pytest.mark.query_count("healthz")
def test_the_health_check_is_flat_in_rows(client, mentor, small_version):
    client.get(reverse("healthz"))
    before, _ = _queries(client, reverse("healthz"))
    _hires(small_version, mentor, 0, 5)
    after, _ = _queries(client, reverse("healthz"))
    assert before == after
