"""Query counts of the meetings pages and the /manage/ pages that had none, flat in N (N > 1).

Each test reads a page with a few rows of every kind that could multiply its queries, adds
more of each, reads it again, and asserts the same number of queries, and that the new rows
are on the page (so the second reading really saw more).
"""

import datetime
from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from onboarding.models import OutboundEmail
from onboarding.services import meetings as meeting_services
from onboarding.services.cohorts import cohort_assign, cohort_create
from onboarding.services.mentoring import mentor_assign
from onboarding.services.people import enrollment_pause, enrollment_resume
from tests.factories import HireFactory, MentorFactory
from tests.onboarding.journey_versions_support import (
    DAY_ONE,
    DAY_TWO,
    import_published,
    write_program,
)
from tests.onboarding.meetings_support import client_team, enroll, next_week_monday

pytestmark = pytest.mark.django_db


def _queries(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries), response.content.decode(errors="replace")


def assert_flat(client, url: str, grow: Callable[[], str]) -> str:
    """The page's queries before and after GROW (which adds rows and returns a text that only
    the grown page shows) are the same; returns the grown page."""
    client.get(url)  # the session's first request notes what it needs once
    before, _ = _queries(client, url)
    shown = grow()
    after, page = _queries(client, url)
    assert shown in page, f"{shown!r} is not on the grown page: the test did not grow it"
    assert before == after, (url, before, after)
    return page


def _arrange(mentor, enrollment, team, colleagues=()):
    monday = next_week_monday()
    return meeting_services.meeting_arrange(
        organiser=mentor,
        enrollment=enrollment,
        title=f"Visit {team.name}",
        duration_minutes=30,
        earliest=monday,
        latest=monday + datetime.timedelta(days=4),
        client_team=team,
        colleagues=list(colleagues),
    )


def _meetings(mentor, admin, first: int, count: int, *, contacts: int = 2) -> None:
    """COUNT meetings of MENTOR's, each with a new mentee, a client team and a colleague."""
    for n in range(first, first + count):
        hire = HireFactory(email=f"mentee{n}@example.com", display_name=f"Mentee {n}")
        team = client_team(admin, name=f"Team {n}", contacts=contacts)
        colleague = MentorFactory(email=f"colleague{n}@example.com")
        _arrange(mentor, enroll(hire, mentor), team, colleagues=[colleague])


# --- meetings ---------------------------------------------------------------------------------


@pytest.mark.query_count("meetings:index")
def test_the_meetings_list_is_flat_in_meetings(client, mfa_passed, mentor, admin):
    _meetings(mentor, admin, 0, 2)
    mfa_passed(client, mentor)

    def grow():
        _meetings(mentor, admin, 2, 4, contacts=3)
        return "Visit Team 5"

    assert_flat(client, reverse("meetings:index"), grow)


@pytest.mark.query_count("meetings:ics")
def test_a_meetings_calendar_file_is_flat_in_participants(
    client, mfa_passed, mentor, admin, hire, django_capture_on_commit_callbacks
):
    enrollment = enroll(hire, mentor)
    few_team = client_team(admin, name="Few", contacts=2)
    many_team = client_team(admin, name="Many", contacts=6)
    with django_capture_on_commit_callbacks(execute=True):  # the booking task runs: a time
        few = _arrange(mentor, enrollment, few_team, [MentorFactory(email="c0@example.com")])
    with django_capture_on_commit_callbacks(execute=True):
        colleagues = [MentorFactory(email=f"c{n}@example.com") for n in range(1, 5)]
        many = _arrange(mentor, enrollment, many_team, colleagues)
    assert many.participants.count() > few.participants.count() + 5
    mfa_passed(client, mentor)
    client.get(reverse("meetings:index"))  # the session's first request

    small, few_file = _queries(client, reverse("meetings:ics", args=[few.pk]))
    large, many_file = _queries(client, reverse("meetings:ics", args=[many.pk]))

    assert few_file.count("ATTENDEE") < many_file.count("ATTENDEE")
    assert small == large


@pytest.mark.query_count("meetings:feed")
def test_the_calendar_feed_is_flat_in_meetings(
    client, mentor, admin, django_capture_on_commit_callbacks
):
    feed = meeting_services.calendar_feed_create(user=mentor)
    with django_capture_on_commit_callbacks(execute=True):  # booked: the feed lists them
        _meetings(mentor, admin, 0, 2)

    def grow():
        with django_capture_on_commit_callbacks(execute=True):
            _meetings(mentor, admin, 2, 4, contacts=3)
        return "Visit Team 5"

    assert_flat(client, reverse("meetings:feed", args=[feed.token]), grow)


@pytest.mark.query_count("meetings:feed_settings")
def test_the_calendar_settings_page_is_flat_in_meetings(client, mfa_passed, mentor, admin):
    meeting_services.calendar_feed_create(user=mentor)
    _meetings(mentor, admin, 0, 2)
    mfa_passed(client, mentor)

    def grow():
        _meetings(mentor, admin, 2, 4)
        return "calendar"

    assert_flat(client, reverse("meetings:feed_settings"), grow)


@pytest.mark.query_count("meetings:client_teams")
def test_the_client_teams_list_is_flat_in_teams_and_contacts(client, mfa_passed, admin):
    for n in range(2):
        client_team(admin, name=f"Team {n}", contacts=2)
    mfa_passed(client, admin)

    def grow():
        for n in range(2, 7):
            client_team(admin, name=f"Team {n}", contacts=4)
        return "Team 6"

    assert_flat(client, reverse("meetings:client_teams"), grow)


@pytest.mark.query_count("meetings:client_team")
def test_a_client_teams_page_is_flat_in_contacts_and_meetings(
    client, mfa_passed, admin, mentor, hire
):
    team = client_team(admin, name="Acme", contacts=2)
    _arrange(mentor, enroll(hire, mentor), team)
    mfa_passed(client, admin)

    def grow():
        for n in range(2, 8):
            meeting_services.client_contact_add(
                actor=admin, team=team, name=f"Contact {n}", email=f"c{n}@acme.example"
            )
        for n in range(3):
            other = HireFactory(email=f"more{n}@example.com")
            _arrange(mentor, enroll(other, mentor), team)
        return "Contact 7"

    assert_flat(client, reverse("meetings:client_team", args=[team.pk]), grow)


# --- /manage/ ---------------------------------------------------------------------------------


@pytest.fixture
def small_version(tmp_path):
    return import_published(write_program(tmp_path / "v1", {"day_01.md": DAY_ONE}))


def _hires(version, mentor, first: int, count: int, cohort=None):
    from onboarding.services.journey import enrollment_create

    return [
        enrollment_create(
            hire=HireFactory(email=f"h{n}@example.com", display_name=f"Hire {n}"),
            version=version,
            mentor=mentor,
            cohort=cohort,
            start_date=datetime.date(2026, 11, 2),
        )
        for n in range(first, first + count)
    ]


@pytest.mark.query_count("manage:cohorts")
def test_the_cohorts_page_is_flat_in_cohorts_and_members(
    client, mfa_passed, admin, mentor, small_version
):
    for n in range(2):
        cohort = cohort_create(name=f"Cohort {n}", start_date=datetime.date(2026, 11, 2), by=admin)
        _hires(small_version, mentor, n * 10, 2, cohort=cohort)
    mfa_passed(client, admin)

    def grow():
        for n in range(2, 6):
            cohort = cohort_create(
                name=f"Cohort {n}", start_date=datetime.date(2026, 11, 2), by=admin
            )
            _hires(small_version, mentor, n * 10, 3, cohort=cohort)
        return "Cohort 5"

    assert_flat(client, reverse("manage:cohorts"), grow)


@pytest.mark.query_count("manage:cohort")
def test_a_cohorts_page_is_flat_in_members(client, mfa_passed, admin, mentor, small_version):
    cohort = cohort_create(name="Autumn", start_date=datetime.date(2026, 11, 2), by=admin)
    _hires(small_version, mentor, 0, 2, cohort=cohort)
    mfa_passed(client, admin)

    def grow():
        more = _hires(small_version, mentor, 2, 5)
        cohort_assign(cohort=cohort, enrollments=more, by=admin)
        return "Hire 6"

    assert_flat(client, reverse("manage:cohort", args=[cohort.pk]), grow)


@pytest.mark.query_count("manage:enrollment")
def test_an_enrollments_page_is_flat_in_changes_mentors_and_cohorts(
    client, mfa_passed, admin, mentor, small_version
):
    [enrollment] = _hires(small_version, mentor, 0, 1)
    enrollment = enrollment_pause(enrollment=enrollment, by=admin, reason="Holiday 0")
    enrollment = enrollment_resume(enrollment=enrollment, by=admin, reason="Back 0")
    mfa_passed(client, admin)

    def grow():
        nonlocal enrollment
        for n in range(1, 5):
            enrollment = enrollment_pause(enrollment=enrollment, by=admin, reason=f"Holiday {n}")
            enrollment = enrollment_resume(enrollment=enrollment, by=admin, reason=f"Back {n}")
            co = MentorFactory(email=f"co{n}@example.com", display_name=f"Co Mentor {n}")
            mentor_assign(enrollment=enrollment, mentor=co, by=admin, role="co_mentor")
            cohort_create(name=f"Cohort {n}", start_date=datetime.date(2026, 11, 2), by=admin)
        return "Co Mentor 4"

    assert_flat(client, reverse("manage:enrollment", args=[enrollment.pk]), grow)


def _newer(tmp_path, version, n: int):
    """Version N+1 of VERSION's program (one more day)."""
    files = {"day_01.md": DAY_ONE, **{f"day_{d:02d}.md": DAY_TWO for d in range(2, n + 2)}}
    return import_published(write_program(tmp_path / "v1", files))


@pytest.mark.query_count("manage:move_index", "manage:move")
def test_the_move_pages_are_flat_in_versions_and_hires(
    client, mfa_passed, admin, mentor, small_version, tmp_path
):
    _hires(small_version, mentor, 0, 2)
    newest = _newer(tmp_path, small_version, 1)
    mfa_passed(client, admin)

    def more_versions():
        nonlocal newest
        for n in range(2, 5):
            newest = _newer(tmp_path, small_version, n)
        return f"v{newest.number}"

    assert_flat(client, reverse("manage:move_index"), more_versions)

    def more_hires():
        _hires(small_version, mentor, 2, 5)
        return "Hire 6"

    assert_flat(client, reverse("manage:move", args=[newest.pk]), more_hires)


@pytest.mark.query_count("notifications:outbox")
def test_the_outbox_log_is_flat_in_emails(client, mfa_passed, admin):
    def emails(first: int, count: int) -> None:
        for n in range(first, first + count):
            OutboundEmail.objects.create(
                to=f"to{n}@example.com",
                subject=f"Subject {n}",
                body_text=".",
                dedupe_key=f"page-count-{n}",
                attempts=n % 3,
                last_error="SMTPServerDisconnected: gone" if n % 2 else "",
            )

    emails(0, 2)
    mfa_passed(client, admin)

    def grow():
        emails(2, 8)
        return "Subject 9"

    assert_flat(client, reverse("notifications:outbox"), grow)
