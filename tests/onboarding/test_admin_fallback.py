"""The Django admin as a fallback for the /manage/ pages (issue 8): its actions and the cohort
add form go through the same services, and what those refuse shows as admin form errors."""

import datetime

import pytest
from django.urls import reverse

from onboarding.models import (
    AuditEvent,
    Cohort,
    Enrollment,
    EnrollmentMove,
    EnrollmentState,
    ItemProgress,
    MentorAssignment,
    ProgressState,
)
from onboarding.services.cohorts import cohort_create
from onboarding.services.people import enrollment_finish
from tests.onboarding import desk_support
from tests.onboarding.test_people import newer_version  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db

day1 = desk_support.day1
enrollment = desk_support.enrollment
other_enrollment = desk_support.other_enrollment
version = desk_support.version

CHANGELIST = "admin:onboarding_enrollment_changelist"


@pytest.fixture
def staff(client, mfa_passed, admin):
    admin.is_staff = True
    admin.save(update_fields=["is_staff"])
    mfa_passed(client, admin)
    return admin


def run_action(client, action, enrollments, confirm=True, **form):
    """The changelist's first post (shows the intermediate page), then the page's own post."""
    url = reverse(CHANGELIST)
    selected = [e.pk for e in enrollments]
    page = client.post(url, {"action": action, "_selected_action": selected, "index": 0})
    assert page.status_code == 200, page.content.decode()[:2000]
    if not confirm:
        return page, None
    done = client.post(url, {"action": action, "_selected_action": selected, "apply": "1", **form})
    return page, done


# --- mentor -----------------------------------------------------------------------------------------


def test_assign_mentor_action_goes_through_mentor_assign_with_history(
    client, staff, enrollment, other_enrollment, mentor, other_mentor
):
    page, done = run_action(
        client, "assign_mentor", [enrollment, other_enrollment], mentor=other_mentor.pk
    )
    text = page.content.decode()
    assert "Assign a mentor" in text and enrollment.hire.name in text
    assert other_mentor.email in text  # the choice of mentors
    assert done.status_code == 302
    for e in (enrollment, other_enrollment):
        e.refresh_from_db()
        assert e.mentor == other_mentor
    # The history: Mira's row for Hana ended, Otto's open one.
    rows = MentorAssignment.objects.filter(enrollment=enrollment).order_by("started_at", "pk")
    assert [(r.mentor_id, r.ended_at is None) for r in rows] == [
        (mentor.pk, False),
        (other_mentor.pk, True),
    ]
    assert AuditEvent.objects.filter(
        actor=staff, object_id=str(enrollment.pk), detail=f"mentor -> {other_mentor.pk}"
    ).exists()


def test_assign_mentor_refusal_is_a_form_error_and_nothing_changes(
    client, staff, enrollment, other_enrollment, mentor, other_mentor
):
    # Otto mentoring himself is impossible; make him a hire of the second enrollment.
    other_mentor.is_hire = True
    other_mentor.save(update_fields=["is_hire"])
    Enrollment.objects.filter(pk=other_enrollment.pk).update(hire=other_mentor)
    _, done = run_action(
        client, "assign_mentor", [enrollment, other_enrollment], mentor=other_mentor.pk
    )
    assert done.status_code == 200
    assert "cannot mentor themselves" in done.content.decode()
    enrollment.refresh_from_db()
    assert enrollment.mentor == mentor  # all or none
    # An unknown mentor is a field error, not a 500.
    _, done = run_action(client, "assign_mentor", [enrollment], mentor=999999)
    assert done.status_code == 200 and "errorlist" in done.content.decode()


# --- cohort and start date --------------------------------------------------------------------------


def test_set_schedule_action_sets_cohort_and_start_date(
    client, staff, enrollment, other_enrollment
):
    cohort = cohort_create(name="March 2026", start_date=datetime.date(2026, 3, 2), by=staff)
    page, done = run_action(
        client,
        "set_schedule",
        [enrollment, other_enrollment],
        cohort=cohort.pk,
        start_date="2026-03-09",
    )
    assert "March 2026" in page.content.decode()
    assert done.status_code == 302
    for e in (enrollment, other_enrollment):
        e.refresh_from_db()
        assert (e.cohort, e.start_date) == (cohort, datetime.date(2026, 3, 9))
    assert AuditEvent.objects.filter(actor=staff, object_id=str(enrollment.pk)).exists()


def test_set_schedule_refusal_is_a_form_error(client, staff, enrollment):
    _, done = run_action(client, "set_schedule", [enrollment], cohort="", start_date="1990-01-01")
    assert done.status_code == 200
    assert "between 2000 and 2100" in done.content.decode()
    enrollment.refresh_from_db()
    assert enrollment.start_date == datetime.date(2026, 11, 2)
    _, done = run_action(client, "set_schedule", [enrollment], cohort="", start_date="soon")
    assert done.status_code == 200 and "errorlist" in done.content.decode()


# --- moving to the current version ------------------------------------------------------------------


def test_move_action_previews_per_hire_then_moves(
    client,
    staff,
    enrollment,
    other_enrollment,
    day1,
    newer_version,  # noqa: F811
):
    ItemProgress.objects.create(
        enrollment=enrollment,
        item=day1,
        state=ProgressState.DONE,
        started_at=datetime.datetime(2026, 11, 2, 9, tzinfo=datetime.UTC),
        completed_at=datetime.datetime(2026, 11, 2, 15, tzinfo=datetime.UTC),
    )
    enrollment_finish(enrollment=other_enrollment, by=staff)
    page, done = run_action(
        client,
        "move_to_current_version",
        [enrollment, other_enrollment],
        versions=str(newer_version.pk),
    )
    text = page.content.decode()
    assert f"version {newer_version.number}" in text
    assert "Finished, then changed" in text and "Day 01" in text  # the preview for Hana
    assert "Left as they are" in text and "finished enrollments stay put" in text
    assert done.status_code == 302
    enrollment.refresh_from_db()
    other_enrollment.refresh_from_db()
    assert enrollment.version == newer_version
    assert other_enrollment.version_id != newer_version.pk  # finished: left alone
    assert EnrollmentMove.objects.filter(enrollment=enrollment, moved_by=staff).count() == 1
    assert ItemProgress.objects.get(enrollment=enrollment).item.version_id == newer_version.pk


def test_move_action_with_a_stale_preview_shows_it_again(
    client,
    staff,
    enrollment,
    newer_version,  # noqa: F811
):
    _, done = run_action(client, "move_to_current_version", [enrollment], versions="0")
    assert done.status_code == 200 and "check the changes again" in done.content.decode()
    enrollment.refresh_from_db()
    assert enrollment.version != newer_version


def test_move_action_with_nothing_to_move_says_so(client, staff, enrollment):
    page, _ = run_action(client, "move_to_current_version", [enrollment], confirm=False)
    assert "already on version" in page.content.decode()


# --- cohorts ----------------------------------------------------------------------------------------


def test_cohort_added_in_the_admin_is_created_through_the_service(client, staff, monkeypatch):
    from onboarding.services import cohorts

    calls = []
    real = cohorts.cohort_create

    def spy(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(cohorts, "cohort_create", spy)
    url = reverse("admin:onboarding_cohort_add")
    assert client.get(url).status_code == 200
    response = client.post(url, {"name": "April 2026", "start_date": "2026-04-06", "pace": 2})
    assert response.status_code == 302, response.content.decode()[:2000]
    cohort = Cohort.objects.get()
    assert (cohort.name, cohort.pace, cohort.start_date) == (
        "April 2026",
        2,
        datetime.date(2026, 4, 6),
    )
    assert [call["by"] for call in calls] == [staff]  # once, by the admin: no second save


def test_cohort_admin_refusals_are_form_errors(client, staff):
    april = cohort_create(name="April 2026", start_date=datetime.date(2026, 4, 6), by=staff)
    cohort_create(name="May 2026", start_date=datetime.date(2026, 5, 4), by=staff)
    change = reverse("admin:onboarding_cohort_change", args=[april.pk])
    assert client.get(change).status_code == 200
    clash = client.post(change, {"name": "MAY 2026", "start_date": "2026-04-06", "pace": 1})
    assert clash.status_code == 200
    assert "already a cohort named" in clash.content.decode()
    url = reverse("admin:onboarding_cohort_add")
    duplicate = client.post(url, {"name": "april 2026", "start_date": "2026-05-04", "pace": 1})
    assert duplicate.status_code == 200
    assert "already a cohort named" in duplicate.content.decode()
    pace = client.post(url, {"name": "June 2026", "start_date": "2026-06-01", "pace": 11})
    assert pace.status_code == 200 and "errorlist" in pace.content.decode()
    assert Cohort.objects.count() == 2
    assert Cohort.objects.get(pk=april.pk).name == "April 2026"


def test_cohort_changed_in_the_admin_goes_through_the_service(client, staff, monkeypatch):
    from onboarding.services import cohorts

    april = cohort_create(name="April 2026", start_date=datetime.date(2026, 4, 6), by=staff)
    calls = []
    real = cohorts.cohort_update
    monkeypatch.setattr(cohorts, "cohort_update", lambda **kw: calls.append(kw) or real(**kw))

    change = reverse("admin:onboarding_cohort_change", args=[april.pk])
    response = client.post(
        change, {"name": "April 2026 (B)", "start_date": "2026-04-13", "pace": 2}
    )

    assert response.status_code == 302
    april.refresh_from_db()
    assert (april.name, april.start_date, april.pace) == (
        "April 2026 (B)",
        datetime.date(2026, 4, 13),
        2,
    )
    assert [call["by"] for call in calls] == [staff]


def test_admin_actions_are_for_program_admins_only(client, mfa_passed, mentor, enrollment):
    mentor.is_staff = True
    mentor.save(update_fields=["is_staff"])
    mfa_passed(client, mentor)
    response = client.post(
        reverse(CHANGELIST),
        {"action": "assign_mentor", "_selected_action": [enrollment.pk], "index": 0},
    )
    assert response.status_code == 403
    assert client.get(reverse("admin:onboarding_cohort_add")).status_code == 403
    assert Enrollment.objects.get(pk=enrollment.pk).state == EnrollmentState.ACTIVE
