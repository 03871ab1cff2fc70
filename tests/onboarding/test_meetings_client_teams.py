"""Client teams for the people who arrange meetings, and the meeting page that updates itself.

- A mentor adds a client team with its contact from the arrange page (where the program lets
  mentors), without losing what they typed; an empty list says what to do and who may.
- Mentors read client teams; only program admins change them.
- The meeting page's body polls while a worker looks for a time, and stops once it is booked.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from curriculum.models import Program
from onboarding.models import ClientContact, ClientTeam, Meeting, MeetingState
from onboarding.services import meetings as services
from tests.factories import MentorFactory
from tests.onboarding.meetings_support import client_team, enroll, next_week_monday

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrollment(hire, mentor):
    return enroll(hire, mentor)


def _team_fields(name="Globex front desk", email="gil@globex.example", **extra) -> dict:
    return {
        "team-name": name,
        "team-time_zone": "Europe/Paris",
        "team-working_hours_start": "08:00",
        "team-working_hours_end": "16:00",
        "team-working_days": ["0", "1", "2", "3"],
        "team-contact_name": "Gil Globex",
        "team-contact_email": email,
        **extra,
    }


def _arrange_fields(**extra) -> dict:
    monday = next_week_monday()
    return {
        "title": "Visit the front desk",
        "agenda": "Watch a real morning.",
        "duration_minutes": "60",
        "earliest": monday.isoformat(),
        "latest": (monday + datetime.timedelta(days=4)).isoformat(),
        "buffer_minutes": "5",
        "min_notice_hours": "24",
        **extra,
    }


def _forbid_mentors(enrollment) -> None:
    Program.objects.filter(pk=enrollment.program_id).update(client_teams_by_mentors=False)
    enrollment.program.refresh_from_db()


# --- the service ------------------------------------------------------------------------------


def test_the_mentor_adds_a_team_with_its_contact_in_one_write(mentor, enrollment):
    team = services.client_team_add_for_meeting(
        actor=mentor,
        enrollment=enrollment,
        name="Globex front desk",
        time_zone="Europe/Paris",
        working_hours_start=datetime.time(8),
        working_hours_end=datetime.time(16),
        working_days=[3, 0, 1],
        contact_name="Gil Globex",
        contact_email="gil@globex.example",
    )
    team.refresh_from_db()
    assert (team.time_zone, team.working_days) == ("Europe/Paris", [0, 1, 3])
    assert [(c.name, c.email) for c in team.contacts.all()] == [
        ("Gil Globex", "gil@globex.example")
    ]


def test_a_refused_contact_leaves_no_team_behind(mentor, enrollment):
    with pytest.raises(ValidationError, match="not an email address"):
        services.client_team_add_for_meeting(
            actor=mentor,
            enrollment=enrollment,
            name="Globex",
            time_zone="UTC",
            working_hours_start=datetime.time(9),
            working_hours_end=datetime.time(17),
            working_days=[0],
            contact_name="Gil",
            contact_email="gil at globex",
        )
    assert not ClientTeam.objects.exists() and not ClientContact.objects.exists()


def test_who_may_add_a_team_the_program_decides_for_mentors(
    mentor, other_mentor, admin, enrollment
):
    values = {
        "enrollment": enrollment,
        "time_zone": "UTC",
        "working_hours_start": datetime.time(9),
        "working_hours_end": datetime.time(17),
        "working_days": [0, 1, 2, 3, 4],
        "contact_name": "Gil",
        "contact_email": "gil@globex.example",
    }
    with pytest.raises(PermissionDenied):  # mentors someone else, not this hire
        services.client_team_add_for_meeting(actor=other_mentor, name="Other", **values)
    _forbid_mentors(enrollment)
    with pytest.raises(PermissionDenied):
        services.client_team_add_for_meeting(actor=mentor, name="Mine", **values)
    assert not ClientTeam.objects.exists()
    services.client_team_add_for_meeting(actor=admin, name="Admin's", **values)
    assert list(ClientTeam.objects.values_list("name", flat=True)) == ["Admin's"]


def test_only_admins_set_who_adds_teams(mentor, admin, enrollment):
    with pytest.raises(PermissionDenied):
        services.program_client_teams_by_mentors_set(
            actor=mentor, program_id=enrollment.program_id, allowed=False
        )
    services.program_client_teams_by_mentors_set(
        actor=admin, program_id=enrollment.program_id, allowed=False
    )
    assert Program.objects.get(pk=enrollment.program_id).client_teams_by_mentors is False


# --- the arrange page -------------------------------------------------------------------------


def test_an_empty_list_says_what_to_do_and_who_may(client, mfa_passed, mentor, admin, enrollment):
    url = reverse("meetings:arrange", args=[enrollment.pk])
    mfa_passed(client, mentor)
    html = client.get(url).content.decode()
    assert "No client teams yet." in html and "Add the one this meeting is with below" in html
    assert 'id="add-team" open' in html  # nothing to pick: the way to add one is open
    assert "Manage client teams" not in html  # a mentor does not manage them
    _forbid_mentors(enrollment)
    html = client.get(url).content.decode()
    assert "A program admin adds client teams and their contacts" in html
    assert 'id="add-team"' not in html
    mfa_passed(client, admin)
    html = client.get(url).content.decode()
    assert 'id="add-team"' in html
    assert f'href="{reverse("meetings:client_teams")}">Manage client teams' in html


def test_adding_a_team_without_javascript_keeps_the_arrange_form(
    client, mfa_passed, mentor, enrollment
):
    mfa_passed(client, mentor)
    url = reverse("meetings:arrange", args=[enrollment.pk])
    response = client.post(
        reverse("meetings:arrange_team", args=[enrollment.pk]),
        _arrange_fields() | _team_fields(),
    )
    assert response.status_code == 302 and response["Location"] == url + "#client-team-picker"
    team = ClientTeam.objects.get()
    assert team.contacts.get().email == "gil@globex.example"
    html = client.get(url).content.decode()
    assert 'value="Visit the front desk"' in html and "Watch a real morning." in html
    assert f'<option value="{team.pk}" selected>Globex front desk (Europe/Paris)</option>' in html
    # and the meeting is arranged with it, no admin needed
    response = client.post(url, _arrange_fields(client_team=str(team.pk)))
    meeting = Meeting.objects.get()
    assert response["Location"] == reverse("meetings:detail", args=[meeting.pk])
    assert meeting.client_team == team
    assert meeting.participants.filter(contact__team=team).count() == 1


def test_a_refused_team_comes_back_with_its_message_and_both_forms_typed(
    client, mfa_passed, mentor, admin, enrollment
):
    client_team(admin, name="Globex front desk")
    mfa_passed(client, mentor)
    url = reverse("meetings:arrange", args=[enrollment.pk])
    response = client.post(
        reverse("meetings:arrange_team", args=[enrollment.pk]),
        _arrange_fields() | _team_fields(email="not-an-email"),
    )
    assert response.status_code == 302 and response["Location"] == url + "#add-team"
    html = client.get(url).content.decode()
    assert 'value="Visit the front desk"' in html  # the meeting's title, kept
    assert 'value="not-an-email"' in html and "Enter a valid email address." in html
    assert 'id="add-team" open' in html
    refresh = client.get(url).content.decode()
    assert "Enter a valid email address." not in refresh  # shown once
    # a name already taken is the service's refusal, shown by the team's fields too
    client.post(reverse("meetings:arrange_team", args=[enrollment.pk]), _team_fields())
    assert "There is already a client team called" in client.get(url).content.decode()
    assert ClientTeam.objects.count() == 1


def test_adding_a_team_with_htmx_swaps_only_the_picker(client, mfa_passed, mentor, enrollment):
    mfa_passed(client, mentor)
    post = reverse("meetings:arrange_team", args=[enrollment.pk])
    htmx = {"HX-Request": "true"}
    response = client.post(post, _arrange_fields() | _team_fields(email=""), headers=htmx)
    html = response.content.decode()
    assert response.status_code == 200  # htmx swaps it in place
    assert html.lstrip().startswith('<div id="client-team-picker"')
    assert "This field is required." in html and 'value="Globex front desk"' in html
    response = client.post(post, _arrange_fields() | _team_fields(), headers=htmx)
    html = response.content.decode()
    team = ClientTeam.objects.get()
    assert response.status_code == 200 and html.lstrip().startswith('<div id="client-team-picker"')
    assert f'<option value="{team.pk}" selected>' in html
    assert "Globex front desk added, with its contact" in html


def test_a_mentor_may_not_add_a_team_where_the_program_keeps_it_to_admins(
    client, mfa_passed, mentor, enrollment
):
    _forbid_mentors(enrollment)
    mfa_passed(client, mentor)
    response = client.post(reverse("meetings:arrange_team", args=[enrollment.pk]), _team_fields())
    assert response.status_code == 403 and not ClientTeam.objects.exists()


@pytest.mark.query_count("meetings:arrange")
@pytest.mark.query_count("meetings:arrange")
def test_the_arrange_page_reads_the_same_queries_for_many_teams_and_colleagues(
    client, mfa_passed, mentor, admin, enrollment
):
    url = reverse("meetings:arrange", args=[enrollment.pk])
    mfa_passed(client, mentor)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    client.get(url)  # the session's first request checks the MFA once; not what is measured
    client_team(admin, name="Team 0")
    client_team(admin, name="Team 1")
    MentorFactory(email="c0@example.com")
    MentorFactory(email="c1@example.com")
    few = count()
    for n in range(2, 6):
        client_team(admin, name=f"Team {n}", contacts=2)
        MentorFactory(email=f"c{n}@example.com")
    # session, user, enrollment, teams, colleagues, the bell, and the session's save (3)
    assert count() == few == 9


# --- client teams: mentors read, admins manage ------------------------------------------------


def test_mentors_read_client_teams_and_only_admins_change_them(
    client, mfa_passed, hire, mentor, admin, enrollment
):
    team = client_team(admin, name="Acme Payments", zone="Asia/Jerusalem")
    mfa_passed(client, mentor)
    html = client.get(reverse("meetings:client_teams")).content.decode()
    assert "Acme Payments" in html and "Add a team" not in html
    html = client.get(reverse("meetings:client_team", args=[team.pk])).content.decode()
    assert "carla0@acme.example" in html
    assert "Mon, Tue, Wed, Thu, Fri · 09:00–17:00 (Asia/Jerusalem)" in html
    assert "Add a contact" not in html and "Remove" not in html
    response = client.post(reverse("meetings:client_teams"), {"name": "Mine"})
    assert response.status_code == 403
    client.force_login(hire)
    assert client.get(reverse("meetings:client_teams")).status_code == 404


def test_an_admin_lets_a_programs_mentors_add_teams_or_not(client, mfa_passed, admin, enrollment):
    mfa_passed(client, admin)
    html = client.get(reverse("meetings:client_teams")).content.decode()
    assert "Who adds client teams" in html
    url = reverse("meetings:client_teams_policy", args=[enrollment.program_id])
    response = client.post(url, {})
    assert response["Location"] == reverse("meetings:client_teams") + "#team-policy"
    assert Program.objects.get(pk=enrollment.program_id).client_teams_by_mentors is False
    client.post(url, {"allowed": "on"})
    assert Program.objects.get(pk=enrollment.program_id).client_teams_by_mentors is True


# --- the meeting page updates itself ----------------------------------------------------------


def _meeting(mentor, enrollment, team, colleagues=()):
    monday = next_week_monday()
    # committed without running the task: the worker has not booked yet
    return services.meeting_arrange(
        organiser=mentor,
        enrollment=enrollment,
        title="Front desk visit",
        duration_minutes=30,
        earliest=monday,
        latest=monday + datetime.timedelta(days=4),
        client_team=team,
        colleagues=list(colleagues),
    )


def test_the_meeting_body_polls_while_searching_and_stops_once_booked(
    client, mfa_passed, mentor, admin, enrollment
):
    meeting = _meeting(mentor, enrollment, client_team(admin))
    assert meeting.state == MeetingState.SCHEDULING
    mfa_passed(client, mentor)
    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    status = reverse("meetings:status", args=[meeting.pk])
    assert f'hx-get="{status}" hx-trigger="every 3s"' in page
    response = client.get(status, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith('<div class="meeting-page" id="meeting-body"')
    assert 'hx-trigger="every 3s"' in body and "Finding a time" in body
    assert "<html" not in body and "no-store" in response["Cache-Control"]

    booked = services.meeting_schedule(meeting_id=meeting.pk)
    assert booked is not None and booked.state == MeetingState.BOOKED
    body = client.get(status, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in body and "data-meeting-polling" not in body
    assert "Booked" in body and "data-meeting-when" in body
    assert 'id="meeting-announce"' in body and 'hx-swap-oob="true"' in body  # said aloud
    assert "Send answer" in body  # the organiser's answer form arrives with the time


def test_the_meeting_body_is_scoped_like_the_page(
    client, mfa_passed, other_mentor, mentor, admin, enrollment
):
    meeting = _meeting(mentor, enrollment, client_team(admin))
    mfa_passed(client, other_mentor)
    assert client.get(reverse("meetings:status", args=[meeting.pk])).status_code == 404
    assert client.get(reverse("meetings:detail", args=[meeting.pk])).status_code == 404


@pytest.mark.query_count("meetings:status", "meetings:detail")
@pytest.mark.query_count("meetings:status", "meetings:detail")
def test_the_meeting_body_reads_the_same_queries_for_more_participants(
    client, mfa_passed, mentor, admin, enrollment
):
    few = _meeting(mentor, enrollment, client_team(admin, name="Few", contacts=2))
    many = _meeting(
        mentor,
        enrollment,
        client_team(admin, name="Many", contacts=5),
        colleagues=[MentorFactory(email=f"col{n}@example.com") for n in range(4)],
    )
    assert many.participants.count() > few.participants.count() + 5
    mfa_passed(client, mentor)
    client.get(reverse("meetings:index"))  # the session's first request checks the MFA once

    def count(meeting) -> int:
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("meetings:status", args=[meeting.pk]))
        return len(queries)

    assert count(few) == count(many) == STATUS_QUERIES

    def page(meeting) -> int:
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("meetings:detail", args=[meeting.pk]))
        return len(queries)

    assert page(few) == page(many)


# session, user, the meeting, its participants, and the session's save (3: the idle timer)
STATUS_QUERIES = 7


# --- the demo ---------------------------------------------------------------------------------


def test_the_demo_mentor_arranges_the_demo_days_client_team_meeting_at_once(client, mfa_passed):
    """Day 01 of the demo asks the mentor to arrange a visit to a client team: the demo ships
    that team with a contact, so the mentor can arrange it straight after `seed_demo`."""
    from accounts.models import User
    from onboarding.demo import DEMO_CLIENT_TEAM, demo_people_seed
    from onboarding.models import Enrollment

    demo_people_seed()
    demo_people_seed()  # safe to rerun: still one team, one contact
    team = ClientTeam.objects.get()
    assert team.name == DEMO_CLIENT_TEAM and team.contacts.count() == 1
    enrollment = Enrollment.objects.get()
    mfa_passed(client, User.objects.get(email="mentor@example.com"))
    url = reverse("meetings:arrange", args=[enrollment.pk])
    assert f'<option value="{team.pk}">{DEMO_CLIENT_TEAM} (Asia/Jerusalem)' in (
        client.get(url).content.decode()
    )
    client.post(url, _arrange_fields(client_team=str(team.pk)))
    meeting = Meeting.objects.get()
    assert meeting.client_team == team
    assert meeting.participants.filter(email="frontdesk@clinic.example").exists()
