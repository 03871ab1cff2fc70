"""Invite = enroll: inviting hires (one or many) puts them in a program with mentors, cohort and
start date; accepting lands them logged in on their first day; People lists and enrolls those
without an enrollment; a CSV row for an existing account enrolls them; programs that share a
title are told apart in every dropdown."""

import datetime

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, Role, User
from accounts.services import invitation_accept, invitation_create, user_create
from curriculum.models import Item
from onboarding.models import (
    AuditEvent,
    Enrollment,
    MentorAssignment,
    MentorRole,
    OutboundEmail,
)
from onboarding.schedule import local_today
from onboarding.selectors.people import enroll_options
from onboarding.services.cohorts import cohort_create
from onboarding.services.invites import (
    EnrollChoice,
    HireInviteError,
    hire_enroll,
    hire_invite,
    hires_invite,
)
from onboarding.services.journey import enrollment_create
from onboarding.services.people import people_import
from tests.factories import HireFactory, MentorFactory
from tests.onboarding import desk_support
from tests.onboarding.journey_versions_support import DAY_ONE, import_published, write_program
from tests.support.refused import assert_refused_back

pytestmark = pytest.mark.django_db

version = desk_support.version

PASSWORD = "a-long-enough-pass-phrase-42"


@pytest.fixture
def cohort(admin):
    return cohort_create(name="March 2026", start_date=datetime.date(2026, 3, 2), by=admin)


@pytest.fixture
def twins(tmp_path):
    """Two published programs with the same title ("Small Program"), apart only by slug."""
    return [
        import_published(write_program(tmp_path / slug, {"day_01.md": DAY_ONE}), slug=slug)
        for slug in ("small-north", "small-south")
    ]


def _first_item(version) -> Item:
    return Item.objects.filter(version=version).order_by("chapter__position", "position").first()


# --- services ----------------------------------------------------------------------------------


def test_inviting_a_hire_enrolls_them_before_they_accept(admin, version, mentor, other_mentor):
    cohort = cohort_create(name="Spring", start_date=datetime.date(2027, 3, 1), by=admin)
    choice = EnrollChoice(version=version, mentor=mentor, co_mentor=other_mentor, cohort=cohort)
    invited = hire_invite(email=" Nora@Example.com ", name="Nora New", choice=choice, by=admin)
    nora = invited.person
    assert invited.created and nora.email == "nora@example.com" and nora.is_hire
    assert not nora.has_usable_password()  # nobody logs in as them before they accept
    enrollment = invited.enrollment
    assert enrollment.version == version and enrollment.cohort == cohort
    assert enrollment.start_date == datetime.date(2027, 3, 1)  # the cohort's start
    assert enrollment.mentor == mentor
    roles = dict(
        MentorAssignment.objects.filter(enrollment=enrollment).values_list("mentor", "role")
    )
    assert roles == {mentor.pk: MentorRole.PRIMARY, other_mentor.pk: MentorRole.CO_MENTOR}
    assert invited.invitation is not None and invited.invitation.role == Role.HIRE
    assert OutboundEmail.objects.filter(to="nora@example.com").count() == 1  # the invitation
    assert AuditEvent.objects.filter(subject_id=nora.pk, detail__startswith="enrolled").exists()
    # Accepting sets the password on that same account: the enrollment is theirs.
    user = invitation_accept(key=invited.invitation.key, password=PASSWORD)
    assert user.pk == nora.pk and user.enrollments.get() == enrollment


def test_without_cohort_or_date_a_hire_starts_on_the_next_working_day(admin, version):
    invited = hire_invite(email="w@example.com", name="", choice=EnrollChoice(version), by=admin)
    today = local_today(now=timezone.now(), zone=admin.zone)
    start = invited.enrollment.start_date
    assert today < start <= today + datetime.timedelta(days=3)
    assert start.weekday() < 5


def test_inviting_someone_who_already_joined_enrolls_and_tells_them(admin, version, hire):
    hire.set_password(PASSWORD)
    hire.save()
    invited = hire_invite(
        email="hire@example.com", name="Ignored", choice=EnrollChoice(version), by=admin
    )
    assert not invited.created and invited.invitation is None
    assert invited.enrollment.hire == hire
    assert not Invitation.objects.filter(email="hire@example.com").exists()
    assert OutboundEmail.objects.get(to="hire@example.com").subject.startswith(
        "You are enrolled in"
    )


def test_a_choice_with_the_same_co_mentor_or_an_inactive_mentor_is_refused(
    admin, version, hire, mentor
):
    with pytest.raises(Exception, match="other than the mentor"):
        hire_enroll(
            hire=hire, choice=EnrollChoice(version, mentor=mentor, co_mentor=mentor), by=admin
        )
    mentor.is_active = False
    mentor.save()
    with pytest.raises(Exception, match="not an active mentor"):
        hire_enroll(hire=hire, choice=EnrollChoice(version, mentor=mentor), by=admin)
    assert not Enrollment.objects.exists()


def test_many_hires_at_once_names_each_bad_line_and_saves_nothing(admin, version, hire):
    enrollment_create(hire=hire, version=version)
    before = (User.objects.count(), Enrollment.objects.count(), Invitation.objects.count())
    text = "\n".join(
        [
            "good@example.com, Good Person",
            "not-an-email, Bad",
            "",
            "GOOD@example.com; Again",
            "hire@example.com, Already Enrolled",
        ]
    )
    with pytest.raises(HireInviteError) as caught:
        hires_invite(text=text, choice=EnrollChoice(version), by=admin)
    errors = caught.value.errors
    assert errors[0].startswith("Line 2:") and "not an email address" in errors[0]
    assert errors[1] == "Line 4: good@example.com is already on line 1."
    assert errors[2].startswith("Line 5: hire@example.com is already enrolled in")
    assert (User.objects.count(), Enrollment.objects.count(), Invitation.objects.count()) == before


def test_many_hires_at_once_each_get_an_enrollment_and_an_invitation(admin, version, mentor):
    text = "ana@example.com, Ana A\nben@example.com\tBen B\ncy@example.com"
    invited = hires_invite(text=text, choice=EnrollChoice(version, mentor=mentor), by=admin)
    assert [one.person.email for one in invited] == [
        "ana@example.com",
        "ben@example.com",
        "cy@example.com",
    ]
    assert [one.person.display_name for one in invited] == ["Ana A", "Ben B", ""]
    assert Enrollment.objects.filter(version=version, mentor=mentor).count() == 3
    assert Invitation.objects.filter(accepted_at__isnull=True).count() == 3


def test_a_csv_row_for_an_existing_account_enrolls_them(admin, version, hire, mentor):
    hire.set_password(PASSWORD)
    hire.save()
    data = (
        b"email,name,role,mentor email\n"
        b"hire@example.com,Hana Hire,hire,mentor@example.com\n"
        b"other.hire@example.com,Omer Other,mentor,\n"
    )
    omer = HireFactory(email="other.hire@example.com")
    result = people_import(data=data, by=admin, program=version.program)
    assert result.existing == 2 and result.hires == 1
    assert Enrollment.objects.get(hire=hire).mentor == mentor
    assert OutboundEmail.objects.filter(to="hire@example.com", subject__contains="enrolled")
    # A new role for someone already here comes by invitation (they accept, then set up MFA).
    assert Invitation.objects.get(email=omer.email).role == Role.MENTOR
    omer.refresh_from_db()
    assert not omer.is_mentor


# --- accepting: logged in, on the first day -----------------------------------------------------


def _accept(client, invitation, *, password=PASSWORD):
    return client.post(
        reverse("accounts:invitation_accept", args=[invitation.key]),
        {
            "display_name": "Nora New",
            "time_zone": "europe/lisbon",
            "password": password,
            "password_again": password,
        },
    )


def test_an_accepted_invitation_lands_the_hire_logged_in_on_their_first_day(client, admin, version):
    invited = hire_invite(
        email="nora@example.com", name="Nora", choice=EnrollChoice(version), by=admin
    )
    response = _accept(client, invited.invitation)
    first = reverse(
        "journey:item",
        kwargs={"enrollment_id": invited.enrollment.pk, "item_id": _first_item(version).pk},
    )
    assert response.status_code == 302 and response.url == first
    assert response.wsgi_request.user.pk == invited.person.pk
    day_one = client.get(first)
    assert day_one.status_code == 200 and day_one.wsgi_request.user.is_authenticated
    invited.person.refresh_from_db()
    assert invited.person.time_zone == "Europe/Lisbon"  # typed in lower case, stored as IANA


def test_an_accepted_mentor_invitation_logs_in_and_still_requires_totp(client, admin):
    invitation = invitation_create(invited_by=admin, email="mo@example.com", role=Role.MENTOR)
    response = _accept(client, invitation)
    assert response.status_code == 302
    home = client.get(reverse("home"))
    assert home.status_code == 302 and home.url.startswith(reverse("mfa_activate_totp"))
    assert not Authenticator.objects.filter(user__email="mo@example.com").exists()


def test_an_existing_account_with_a_password_is_not_logged_in_by_an_invitation(client, admin):
    user_create(email="has@example.com", password="her-own-secret-passphrase", roles=[Role.HIRE])
    invitation = invitation_create(invited_by=admin, email="has@example.com", role=Role.HIRE)
    response = _accept(client, invitation)
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    assert not response.wsgi_request.user.is_authenticated
    login = client.get(response.url)
    assert 'value="has@example.com"' in login.content.decode()  # the email is filled in


# --- pages --------------------------------------------------------------------------------------


def _people(n: int, version, mentor, cohort) -> None:
    for i in range(n):
        HireFactory(email=f"lone{i}.{n}@example.com", display_name=f"Lone {i}")
        enrollment_create(
            hire=HireFactory(email=f"in{i}.{n}@example.com"),
            version=version,
            mentor=mentor,
            cohort=cohort,
        )


def test_people_page_lists_the_not_enrolled_in_flat_queries(
    client, admin, mfa_passed, version, mentor, cohort, django_assert_num_queries, twins
):
    mfa_passed(client, admin)
    url = reverse("manage:dashboard")
    _people(2, version, mentor, cohort)
    client.get(url)
    # session, user, the counts, the enrollments, the not enrolled, cohorts, the bell, and
    # the session's save (the last touch is recorded)
    with django_assert_num_queries(10) as one:
        page = client.get(url)
    html = page.content.decode()
    assert "Not enrolled" in html and "Lone 1" in html
    _people(5, version, mentor, cohort)
    with django_assert_num_queries(len(one.captured_queries)):
        client.get(url)
    only = client.get(url, {"state": "none"}).content.decode()
    assert "Lone 4" in only and "in0.2@example.com" not in only


def test_person_page_enrolls_with_only_active_mentors_offered(
    client, admin, mfa_passed, version, mentor, other_mentor, cohort, django_assert_num_queries
):
    mfa_passed(client, admin)
    lone = HireFactory(email="lone@example.com", display_name="Lone Person")
    other_mentor.is_active = False
    other_mentor.save()
    url = reverse("manage:person", kwargs={"person_id": lone.pk})
    client.get(url)
    # session and user, the person, their enrollments, their invitation, four for the choices
    # (versions, the cohorts' programs, active mentors, cohorts), the bell, the session's save
    with django_assert_num_queries(13) as one:
        page = client.get(url)
    html = page.content.decode()
    assert "Not enrolled" in html and "mentor@example.com" in html
    assert "other.mentor@example.com" not in html  # a deactivated mentor is not offered
    for n in range(3):
        MentorFactory(email=f"m{n}@example.com")
        cohort_create(name=f"C{n}", start_date=datetime.date(2026, 4, 1 + n), by=admin)
    with django_assert_num_queries(len(one.captured_queries)):
        client.get(url)
    enroll = reverse("manage:person_enroll", kwargs={"person_id": lone.pk})
    person_page = reverse("manage:person", kwargs={"person_id": lone.pk})
    refused = client.post(enroll, {"version": version.pk, "mentor": other_mentor.pk})
    # Post/redirect/get: back on the person page at the form, the message shown there once.
    assert (refused.status_code, refused.url) == (302, person_page + "#enroll")
    assert "Select a valid choice" in client.get(person_page).content.decode()
    assert "Select a valid choice" not in client.get(person_page).content.decode()
    assert not Enrollment.objects.filter(hire=lone).exists()
    done = client.post(enroll, {"version": "", "cohort": cohort.pk, "mentor": mentor.pk})
    # An empty program, refused: the cohort has no hires yet, so there is nothing to default to.
    assert done.status_code == 302
    assert "Choose the program" in client.get(person_page).content.decode()
    done = client.post(enroll, {"version": version.pk, "cohort": cohort.pk, "mentor": mentor.pk})
    enrollment = Enrollment.objects.get(hire=lone)
    assert done.status_code == 302 and done.url == reverse(
        "manage:enrollment", kwargs={"enrollment_id": enrollment.pk}
    )
    assert enrollment.start_date == cohort.start_date and enrollment.mentor == mentor


def test_choosing_a_cohort_defaults_to_the_program_its_hires_are_in(
    client, admin, mfa_passed, version, cohort, other_hire
):
    mfa_passed(client, admin)
    enrollment_create(hire=other_hire, version=version, cohort=cohort)
    options = enroll_options(user=admin)
    assert options.cohort_versions == {cohort.pk: version.pk}
    response = client.post(
        reverse("accounts:invitation_list"),
        {"email": "c@example.com", "role": "hire", "cohort": cohort.pk, "version": ""},
    )
    assert response.status_code == 302
    enrollment = Enrollment.objects.get(hire__email="c@example.com")
    assert enrollment.version == version and enrollment.start_date == cohort.start_date
    # The page tells the script which program and start date each cohort brings.
    html = client.get(reverse("accounts:invitation_list")).content.decode()
    assert f'data-start="2026-03-02" data-version="{version.pk}"' in html


def test_inviting_a_mentor_still_works_and_enrolls_nobody(client, admin, mfa_passed, version):
    mfa_passed(client, admin)
    response = client.post(
        reverse("accounts:invitation_list"),
        {"email": "m@example.com", "role": "mentor", "version": version.pk},
    )
    assert response.status_code == 302
    assert Invitation.objects.get(email="m@example.com").role == Role.MENTOR
    assert not User.objects.filter(email="m@example.com").exists()
    assert not Enrollment.objects.exists()


def test_bulk_invite_page_shows_each_bad_line_next_to_the_form(client, admin, mfa_passed, version):
    mfa_passed(client, admin)
    url = reverse("manage:invite")
    response = client.post(url, {"people": "x@example.com, X\nnope", "version": version.pk})
    # Post/redirect/get: back on the invite page at the form, each bad line there once, and the
    # typed list still in the box.
    html = assert_refused_back(client, response, url, "#invite-h", "Line 2:", "Nobody was invited")
    assert "x@example.com, X\nnope</textarea>" in html
    assert not User.objects.filter(email="x@example.com").exists()
    response = client.post(url, {"people": "x@example.com, X\ny@example.com", "version": ""})
    assert_refused_back(client, response, url, "#invite-h", "Choose the program")
    response = client.post(
        url, {"people": "x@example.com, X\ny@example.com", "version": version.pk}
    )
    assert response.status_code == 302
    assert (
        Enrollment.objects.filter(hire__email__in=["x@example.com", "y@example.com"]).count() == 2
    )


def test_programs_with_the_same_title_are_told_apart_in_every_dropdown(
    client, admin, mfa_passed, twins
):
    mfa_passed(client, admin)
    north, south = twins
    assert north.program.title == south.program.title
    assert north.choice_label != south.choice_label
    assert "small-north, version 1, published" in north.choice_label
    for name in ("accounts:invitation_list", "manage:invite", "manage:import"):
        html = client.get(reverse(name)).content.decode()
        assert "small-north, version 1" in html and "small-south, version 1" in html, name


# --- the profile's time zone and days away --------------------------------------------------------


def _profile(**overrides):
    data = {
        "display_name": "Hana",
        "time_zone": "Europe/London",
        "working_hours_start": "09:00",
        "working_hours_end": "17:00",
        "working_days": ["0", "1", "2", "3", "4"],
    }
    return data | overrides


def test_time_zone_is_searched_in_a_list_and_checked_as_an_iana_name(client, hire):
    client.force_login(hire)
    html = client.get(reverse("accounts:profile")).content.decode()
    assert 'list="id_time_zone_zones"' in html and '<datalist id="id_time_zone_zones">' in html
    # Common zones first, then all the others.
    assert html.index('value="Europe/London"></option>') < html.index('value="Africa/Abidjan"')
    response = client.post(reverse("accounts:profile"), _profile(time_zone="america/new york"))
    assert response.status_code == 302
    hire.refresh_from_db()
    assert hire.time_zone == "America/New_York"
    response = client.post(reverse("accounts:profile"), _profile(time_zone="BST"))
    page = reverse("accounts:profile")
    assert_refused_back(client, response, page, "#profile-heading", "is not a time zone we know")


def test_days_away_are_date_inputs_added_and_removed(client, hire):
    client.force_login(hire)
    url = reverse("accounts:profile")
    response = client.post(url, _profile(days_away=["2026-12-24", "", "2026-12-31", "2026-12-24"]))
    assert response.status_code == 302
    hire.refresh_from_db()
    assert hire.days_away == ["2026-12-24", "2026-12-31"]
    html = client.get(url).content.decode()
    assert html.count('type="date" name="days_away"') == 4  # two dates, two empty boxes
    assert 'value="2026-12-31"' in html and "data-date-add" in html
    response = client.post(url, _profile(days_away=["2026-12-24", "2026-02-30"]))
    assert_refused_back(client, response, url, "#profile-heading", "“2026-02-30” is not a date")
    hire.refresh_from_db()
    assert hire.days_away == ["2026-12-24", "2026-12-31"]  # nothing half-saved
    client.post(url, _profile(days_away=["2026-12-31"]))  # a cleared box removes its date
    hire.refresh_from_db()
    assert hire.days_away == ["2026-12-31"]


def test_with_nothing_published_a_hire_is_still_invited_and_enrolled_later(
    client, admin, mfa_passed
):
    mfa_passed(client, admin)
    page = client.get(reverse("accounts:invitation_list")).content.decode()
    assert "No program has a published version yet" in page
    response = client.post(
        reverse("accounts:invitation_list"), {"email": "early@example.com", "role": "hire"}
    )
    assert response.status_code == 302
    assert Invitation.objects.get(email="early@example.com").role == Role.HIRE
    assert not Enrollment.objects.exists()


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (datetime.date(2026, 12, 7), datetime.date(2026, 12, 8)),  # Monday -> Tuesday
        (datetime.date(2026, 12, 11), datetime.date(2026, 12, 14)),  # Friday -> Monday
        (datetime.date(2026, 12, 12), datetime.date(2026, 12, 14)),  # Saturday -> Monday
    ],
)
def test_the_default_start_is_the_next_working_day(today, expected):
    from onboarding.schedule import next_working_day

    assert next_working_day(today) == expected
    assert next_working_day(today, [6]) == today + datetime.timedelta(
        days=(6 - today.weekday()) % 7 or 7
    )
