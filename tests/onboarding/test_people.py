"""Program admins manage people: CSV import (all or nothing, line numbers), enrollment states,
cohort/start date/mentor, moving hires to a newer version with a preview, and who may do it."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Invitation, User
from curriculum.models import Item, Program
from curriculum.services import program_import
from onboarding.models import (
    AuditEvent,
    Cohort,
    Enrollment,
    EnrollmentState,
    EnrollmentStateChange,
    ItemProgress,
    MentorAssignment,
    OutboundEmail,
    ProgressState,
)
from onboarding.selectors.people import move_previews
from onboarding.services.cohorts import cohort_assign, cohort_create
from onboarding.services.journey import enrollment_create
from onboarding.services.people import (
    PeopleImportError,
    enrollment_finish,
    enrollment_pause,
    enrollment_resume,
    enrollment_schedule_set,
    enrollment_withdraw,
    enrollments_move_to_version,
    people_import,
)
from tests.onboarding import desk_support
from tests.onboarding.journey_support import DEMO_PROGRAM
from tests.support.refused import assert_refused_back

pytestmark = pytest.mark.django_db

# The shared desk fixtures, by name (pytest finds fixtures among a module's attributes).
day1 = desk_support.day1
enrollment = desk_support.enrollment
version = desk_support.version

HEADER = "email,name,role,mentor email,cohort,start date\n"


def csv_bytes(*lines: str, header: str = HEADER) -> bytes:
    return (header + "\n".join(lines) + "\n").encode("utf-8")


@pytest.fixture
def cohort(admin):
    return cohort_create(name="March 2026", start_date=datetime.date(2026, 3, 2), by=admin)


def program_of(version) -> Program:
    return version.program


def counts():
    return (
        User.objects.count(),
        Invitation.objects.count(),
        Enrollment.objects.count(),
        MentorAssignment.objects.count(),
        OutboundEmail.objects.count(),
    )


# --- CSV import ------------------------------------------------------------------------------------


def test_import_good_file_creates_people_invitations_enrollments_and_mentors(
    admin, version, cohort, mentor
):
    data = csv_bytes(
        "hana.levi@example.com,Hana Levi,hire,mentor@example.com,March 2026,2026-03-02",
        "new.mentor@example.com,Noa Mentor,mentor,,,",
        "omer@example.com,Omer Cohen,Hire,new.mentor@example.com,,",
        "  dana@example.com , Dana Admin ,program admin,,,",
    )
    result = people_import(data=data, by=admin, program=program_of(version))
    assert len(result.users) == 4 and result.hires == 2
    hana = Enrollment.objects.get(hire__email="hana.levi@example.com")
    assert hana.cohort == cohort and hana.start_date == datetime.date(2026, 3, 2)
    assert hana.mentor == mentor and hana.version == version
    omer = Enrollment.objects.get(hire__email="omer@example.com")
    assert omer.mentor.email == "new.mentor@example.com"
    assert User.objects.get(email="dana@example.com").is_program_admin
    assert Invitation.objects.filter(accepted_at__isnull=True).count() == 4
    assert MentorAssignment.objects.filter(enrollment__in=[hana, omer]).count() == 2
    # Nobody can log in before accepting: the account has no password yet.
    assert not User.objects.get(email="omer@example.com").has_usable_password()


def test_an_imported_hire_accepts_the_invitation_and_sets_a_password(client, admin, version):
    from accounts.services import invitation_accept

    people_import(
        data=csv_bytes("hana.levi@example.com,Hana Levi,hire,,,"),
        by=admin,
        program=program_of(version),
    )
    invitation = Invitation.objects.get(email="hana.levi@example.com", accepted_at__isnull=True)
    user = invitation_accept(key=invitation.key, password="a-long-enough-pass-phrase-42")
    assert user.check_password("a-long-enough-pass-phrase-42")
    assert user.enrollments.count() == 1 and user.display_name == "Hana Levi"


def test_bad_rows_are_each_named_with_their_line_and_nothing_is_imported(admin, version, cohort):
    before = counts()
    data = csv_bytes(
        "good@example.com,Good Person,hire,,,",
        "not-an-email,Bad Email,hire,,,",
        "x@example.com,,hire,,,",
        "y@example.com,Y Person,boss,,,",
        "z@example.com,Z Person,hire,nobody@example.com,No Such Cohort,02/03/2026",
        "m@example.com,M Mentor,mentor,,March 2026,",
    )
    with pytest.raises(PeopleImportError) as caught:
        people_import(data=data, by=admin, program=program_of(version))
    errors = caught.value.errors
    text = "\n".join(errors)
    assert "Line 3, email" in text and "not-an-email" in text
    assert "Line 4, name: empty" in text
    assert "Line 5, role" in text and "boss" in text
    assert "Line 6, mentor email" in text
    assert "Line 6, cohort" in text and "No Such Cohort" in text
    assert "Line 6, start date" in text and "YYYY-MM-DD" in text
    assert "Line 7: mentor email, cohort and start date are for hires only" in text
    assert not any(error.startswith("Line 2") for error in errors)
    assert counts() == before


def test_duplicate_emails_in_the_file_and_an_enrolled_hire_are_refused(admin, version, hire):
    enrollment_create(hire=hire, version=version)
    before = counts()
    data = csv_bytes(
        "new@example.com,New Person,hire,,,",
        "NEW@example.com,Same Person,hire,,,",
        "hire@example.com,Existing Hire,hire,,,",
    )
    with pytest.raises(PeopleImportError) as caught:
        people_import(data=data, by=admin, program=program_of(version))
    text = " ".join(caught.value.errors)
    assert "Line 3, email: new@example.com is already on line 2." in text
    assert "Line 4, email: hire@example.com is already enrolled in this program" in text
    assert counts() == before


@pytest.mark.parametrize("cell", ['=HYPERLINK("http://x")', "+1+1", "-2", "@SUM(A1)", " =1"])
def test_formula_cells_are_refused_with_line_and_column(admin, version, cell):
    before = counts()
    data = csv_bytes("ok@example.com,Fine,hire,,,", f'f@example.com,"{cell}",hire,,,')
    with pytest.raises(PeopleImportError) as caught:
        people_import(data=data, by=admin, program=program_of(version))
    (error,) = caught.value.errors
    assert error.startswith("Line 3, name:") and "formula" in error
    assert counts() == before


def test_wrong_encoding_is_a_clear_error(admin, version):
    data = csv_bytes("hana@example.com,Hana Lévi,hire,,,").decode().encode("latin-1")
    with pytest.raises(PeopleImportError) as caught:
        people_import(data=data, by=admin, program=program_of(version))
    (error,) = caught.value.errors
    assert "not UTF-8" in error and "CSV UTF-8" in error


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"email,name\nx@example.com,X\n", "lacks the column role"),
        (b"email,name,role,shoe size\n", "unknown columns: shoe size"),
        (HEADER.encode(), "no rows"),
        (b"email,name,role\nx@example.com,X\x00,hire\n", "NUL"),
    ],
)
def test_unreadable_files_are_refused_whole(admin, version, data, message):
    with pytest.raises(PeopleImportError) as caught:
        people_import(data=data, by=admin, program=program_of(version))
    assert message in " ".join(caught.value.errors)


def test_a_bom_crlf_and_underscored_headers_are_fine(admin, version):
    data = "\ufeffEmail,Name,Role,Mentor_Email\r\nhana@example.com,Hana,hire,\r\n".encode()
    result = people_import(data=data, by=admin, program=program_of(version))
    assert result.hires == 1


def test_a_row_that_fails_while_saving_rolls_back_every_row(admin, version, monkeypatch):
    """Validation passed, then the third row fails inside the transaction: nothing stays."""
    from onboarding.services import people as module

    real = module._hire_enroll
    calls = {"n": 0}

    def failing(line, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise ValidationError("Simulated failure.")
        return real(line, **kwargs)

    monkeypatch.setattr(module, "_hire_enroll", failing)
    before = counts()
    data = csv_bytes(
        "a@example.com,A Person,hire,,,",
        "b@example.com,B Person,hire,,,",
        "c@example.com,C Person,hire,,,",
    )
    with pytest.raises(PeopleImportError) as caught:
        people_import(data=data, by=admin, program=program_of(version))
    assert caught.value.errors == ["Line 3: Simulated failure. Nothing was imported."]
    assert counts() == before


def test_hires_without_a_program_are_refused(admin):
    with pytest.raises(PeopleImportError) as caught:
        people_import(data=csv_bytes("a@example.com,A,hire,,,"), by=admin, program=None)
    assert "no program with a published version" in caught.value.errors[0]


def test_import_page_shows_each_error_and_imports_nothing(client, mfa_passed, admin, version):
    mfa_passed(client, admin)
    upload = SimpleUploadedFile(
        "people.csv", csv_bytes("a@example.com,A,hire,,,", "bad,B,hire,,,"), "text/csv"
    )
    page = reverse("manage:import")
    response = client.post(page, {"file": upload, "program": version.program_id})
    # Post/redirect/get: back on the import page at the form with every problem, once; the
    # program chosen stays chosen, and the file input does not say "required" over them.
    html = assert_refused_back(
        client, response, page, "#import-form", "Nothing was imported", "Line 3, email"
    )
    assert f'value="{version.program_id}" selected' in html
    assert "This field is required" not in html
    assert not User.objects.filter(email="a@example.com").exists()


def test_import_page_imports_and_lists_the_hires(client, mfa_passed, admin, version):
    mfa_passed(client, admin)
    upload = SimpleUploadedFile("people.csv", csv_bytes("a@example.com,Avi Ash,hire,,,"))
    response = client.post(
        reverse("manage:import"), {"file": upload, "program": version.program_id}, follow=True
    )
    assert response.status_code == 200
    assert "Imported 1 people" in response.content.decode()
    assert "Avi Ash" in response.content.decode()


def test_people_import_requires_a_program_admin(mentor, version):
    with pytest.raises(PermissionDenied):
        people_import(data=csv_bytes("a@example.com,A,hire,,,"), by=mentor, program=None)


# --- enrollment states -----------------------------------------------------------------------------


def test_pause_resume_finish_are_legal_moves_and_recorded(admin, enrollment):
    enrollment_pause(enrollment=enrollment, by=admin, reason="Parental leave")
    assert Enrollment.objects.get(pk=enrollment.pk).state == EnrollmentState.PAUSED
    enrollment_pause(enrollment=enrollment, by=admin)  # a double click changes nothing
    enrollment_resume(enrollment=enrollment, by=admin)
    enrollment_finish(enrollment=enrollment, by=admin)
    states = list(
        EnrollmentStateChange.objects.filter(enrollment=enrollment).values_list(
            "from_state", "to_state"
        )
    )
    assert states == [("active", "paused"), ("paused", "active"), ("active", "finished")]
    assert AuditEvent.objects.filter(subject=enrollment.hire, action="change").count() == 3


@pytest.mark.parametrize(
    ("first", "then"),
    [
        (enrollment_finish, enrollment_resume),
        (enrollment_withdraw, enrollment_pause),
        (enrollment_finish, enrollment_withdraw),
    ],
)
def test_finished_and_withdrawn_are_final(admin, enrollment, first, then):
    first(enrollment=enrollment, by=admin)
    with pytest.raises(ValidationError) as caught:
        then(enrollment=enrollment, by=admin)
    assert "can't be" in caught.value.messages[0]


def test_resume_is_refused_while_another_enrollment_is_active(admin, enrollment, version):
    enrollment_pause(enrollment=enrollment, by=admin)
    enrollment_create(hire=enrollment.hire, version=version)
    with pytest.raises(ValidationError, match="another active enrollment"):
        enrollment_resume(enrollment=enrollment, by=admin)


def test_state_change_needs_a_program_admin(mentor, enrollment):
    with pytest.raises(PermissionDenied):
        enrollment_pause(enrollment=enrollment, by=mentor)


def test_schedule_and_cohort_assignment(admin, enrollment, cohort):
    enrollment_schedule_set(
        enrollment=enrollment, by=admin, cohort=cohort, start_date=datetime.date(2026, 4, 1)
    )
    enrollment.refresh_from_db()
    assert enrollment.cohort == cohort and enrollment.start_date == datetime.date(2026, 4, 1)
    other = cohort_create(name="April", start_date=datetime.date(2026, 4, 6), by=admin)
    assert cohort_assign(cohort=other, enrollments=[enrollment], by=admin, use_start_date=True) == 1
    assert cohort_assign(cohort=other, enrollments=[enrollment], by=admin, use_start_date=True) == 0
    enrollment.refresh_from_db()
    assert enrollment.cohort == other and enrollment.start_date == datetime.date(2026, 4, 6)


def test_cohort_names_are_unique_ignoring_case(admin, cohort):
    with pytest.raises(ValidationError, match="already a cohort"):
        cohort_create(name="march 2026", start_date=datetime.date(2026, 3, 2), by=admin)


def test_state_page_post_changes_state_and_a_refused_post_comes_back_to_the_page(
    client, mfa_passed, admin, enrollment
):
    mfa_passed(client, admin)
    url = reverse("manage:enrollment_state", args=[enrollment.pk])
    page = reverse("manage:enrollment", args=[enrollment.pk])
    assert client.post(url, {"action": "finish"}).status_code == 302
    refused = client.post(url, {"action": "pause"})
    # Post/redirect/get: back on the enrollment page, the message by the state form, once.
    assert (refused.status_code, refused.url) == (302, page + "#state-h")
    assert "finished enrollment can" in client.get(page).content.decode()
    assert "finished enrollment can" not in client.get(page).content.decode()
    refused = client.post(url, {"action": "explode"})
    assert refused.status_code == 302
    assert "Select a valid choice" in client.get(page).content.decode()
    enrollment.refresh_from_db()
    assert enrollment.state == "finished"


# --- moving to a newer version ----------------------------------------------------------------------


@pytest.fixture
def newer_version(version, tmp_path):
    """Version 2 of the demo program: day 1's text changed, day 2 removed, a new day added."""
    import shutil

    root = tmp_path / "demo-v2"
    shutil.copytree(DEMO_PROGRAM, root)
    day1_path = root / "chapter_00" / "day_01.md"
    day1_path.write_text(day1_path.read_text() + "\n## Extra\n\nA new paragraph.\n")
    result = program_import(source=root, program_slug="demo", publish=True)
    assert result.ok and result.version is not None
    return result.version


def test_move_preview_says_what_changes_for_each_hire(admin, enrollment, day1, newer_version):
    ItemProgress.objects.create(
        enrollment=enrollment,
        item=day1,
        state=ProgressState.DONE,
        started_at=datetime.datetime(2026, 11, 2, 9, tzinfo=datetime.UTC),
        completed_at=datetime.datetime(2026, 11, 2, 15, tzinfo=datetime.UTC),
    )
    (preview,) = move_previews(enrollments=[enrollment], version=newer_version)
    assert any("Day 01" in title for title in preview.finished_changed)
    assert not preview.nothing_changes
    enrollments_move_to_version(enrollments=[enrollment], version=newer_version, by=admin)
    enrollment.refresh_from_db()
    assert enrollment.version == newer_version
    moved = ItemProgress.objects.get(enrollment=enrollment)
    assert moved.item.version_id == newer_version.pk


def test_move_page_previews_then_moves(client, mfa_passed, admin, enrollment, newer_version):
    mfa_passed(client, admin)
    url = reverse("manage:move", args=[newer_version.pk])
    page = client.get(url)
    assert page.status_code == 200 and enrollment.hire.name in page.content.decode()
    response = client.post(url, {"enrollments": [enrollment.pk]})
    assert response.status_code == 302
    assert Enrollment.objects.get(pk=enrollment.pk).version == newer_version


def test_a_refused_move_goes_back_to_the_preview_of_that_hire(
    client, mfa_passed, admin, enrollment, newer_version
):
    mfa_passed(client, admin)
    url = reverse("manage:move", args=[newer_version.pk]) + f"?enrollment={enrollment.pk}"
    response = client.post(url, {"enrollments": [enrollment.pk + 999]})
    # Post/redirect/get: back on the same preview (the one hire) at the form, the message once.
    html = assert_refused_back(client, response, url, "#move-form", "Select a valid choice")
    assert enrollment.hire.name in html
    assert Enrollment.objects.get(pk=enrollment.pk).version != newer_version


def test_refused_cohort_forms_go_back_to_their_page_with_what_was_typed(
    client, mfa_passed, admin, cohort, enrollment
):
    mfa_passed(client, admin)
    url = reverse("manage:cohorts")
    response = client.post(url, {"name": "march 2026", "start_date": "2026-05-04", "pace": 1})
    html = assert_refused_back(client, response, url, "#new-cohort", "already a cohort named")
    assert 'value="march 2026"' in html and 'value="2026-05-04"' in html
    assert Cohort.objects.count() == 1
    page = reverse("manage:cohort", args=[cohort.pk])
    response = client.post(page, {"enrollments": ["999999"]})
    assert_refused_back(client, response, page, "#add-hires", "Select a valid choice")


# --- access -------------------------------------------------------------------------------------------

PAGES = [
    ("manage:dashboard", {}),
    ("manage:import", {}),
    ("manage:cohorts", {}),
    ("manage:move_index", {}),
    ("manage:audit", {}),
    ("manage:analytics", {}),
    ("manage:analytics_funnel", {}),
    ("manage:analytics_funnel_csv", {}),
]


@pytest.mark.parametrize(("name", "kwargs"), PAGES)
def test_only_program_admins_reach_the_manage_pages(
    client, mfa_passed, hire, mentor, admin, name, kwargs
):
    url = reverse(name, kwargs=kwargs)
    assert client.get(url).status_code == 302  # anonymous: to the login page
    client.force_login(hire)
    assert client.get(url).status_code == 404
    mfa_passed(client, mentor)
    assert client.get(url).status_code == 404
    mfa_passed(client, admin)
    assert client.get(url).status_code == 200


def test_object_pages_are_404_for_mentors_and_for_missing_ids(
    client, mfa_passed, mentor, admin, enrollment, cohort
):
    urls = [
        reverse("manage:enrollment", args=[enrollment.pk]),
        reverse("manage:cohort", args=[cohort.pk]),
        reverse("manage:person_erase", args=[enrollment.hire_id]),
    ]
    posts = [
        (reverse("manage:person_erase", args=[enrollment.hire_id]), {"confirm": "ERASE"}),
        (reverse("manage:enrollment_state", args=[enrollment.pk]), {"action": "finish"}),
        (reverse("manage:cohort", args=[cohort.pk]), {"enrollments": [enrollment.pk]}),
    ]
    mfa_passed(client, mentor)
    for url in urls:
        assert client.get(url).status_code == 404
    for url, data in posts:
        assert client.post(url, data).status_code == 404
    mfa_passed(client, admin)
    for url in urls:
        assert client.get(url).status_code == 200
    assert client.get(reverse("manage:enrollment", args=[999999])).status_code == 404
    assert User.objects.get(pk=enrollment.hire_id).email == "hire@example.com"
    assert Enrollment.objects.get(pk=enrollment.pk).state == EnrollmentState.ACTIVE


@pytest.mark.query_count("manage:dashboard")
def test_people_dashboard_query_count_is_the_same_for_3_and_60_hires(
    client, mfa_passed, admin, version
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import HireFactory

    mfa_passed(client, admin)
    url = reverse("manage:dashboard")

    def add(n):
        for _ in range(n):
            enrollment_create(hire=HireFactory(), version=version)

    add(3)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    add(57)
    with CaptureQueriesContext(connection) as big:
        response = client.get(url)
    assert response.content.decode().count('data-enrollment="') == 60
    assert len(small) == len(big)


def test_dashboard_item_counts_use_each_version(admin, version, hire):
    from onboarding.selectors.people import people_board

    enrollment_create(hire=hire, version=version)
    (row,) = people_board(user=admin).rows
    assert row.total == Item.objects.filter(version=version).count() and row.done == 0
