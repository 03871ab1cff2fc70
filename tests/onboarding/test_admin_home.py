"""The program admin's home is a dashboard: programs with their published version, active hires,
who is behind or quiet, what waits on someone, each figure linking to the page that acts on
it, in a query count that does not grow with programs, hires or waiting work."""

import datetime
import re

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, Role
from curriculum.models import Block, Item, Program
from onboarding.models import MeetingRequest, MeetingRequestState, Question, Submission
from onboarding.selectors.admin_home import admin_home
from onboarding.services.journey import enrollment_create
from tests.factories import HireFactory
from tests.onboarding import desk_support
from tests.onboarding.analytics_support import seed

pytestmark = pytest.mark.django_db

version = desk_support.version


def _invite(email: str, *, days: int) -> Invitation:
    return Invitation.objects.create(
        email=email,
        role=Role.HIRE,
        key=email.replace("@", "-").ljust(40, "x"),
        expires_at=timezone.now() + datetime.timedelta(days=days),
    )


def _world(version, mentor, n: int, *, start: int = 0) -> None:
    """N hires who started in January and went quiet four days ago (analytics_support.seed),
    one open question and one overdue submission each; a hire who starts today; a meeting request;
    two pending invitations (one expiring tomorrow) and one accepted."""
    seed(version, mentor, n, start=start)
    # Their questions and writing are as old as their last progress: four days and more.
    long_ago = timezone.now() - datetime.timedelta(days=4)
    Question.objects.filter(enrollment__hire__email__startswith="bulk").update(created_at=long_ago)
    Submission.objects.filter(enrollment__hire__email__startswith="bulk").update(
        submitted_at=long_ago, updated_at=long_ago
    )
    fresh = enrollment_create(
        hire=HireFactory(email=f"fresh{start}@example.com", display_name=f"Fresh {start}"),
        version=version,
        mentor=mentor,
        start_date=timezone.localdate(),
    )
    item = Item.objects.filter(version=version).order_by("chapter__position", "position").first()
    block = Block.objects.filter(item=item).first()
    MeetingRequest.objects.create(
        enrollment=fresh, item=item, block_key=f"{block.key}-{start}", requested_by=fresh.hire
    )
    _invite(f"soon{start}@example.com", days=1)
    _invite(f"later{start}@example.com", days=10)
    accepted = _invite(f"done{start}@example.com", days=10)
    Invitation.objects.filter(pk=accepted.pk).update(accepted_at=timezone.now())


def test_the_figures_count_hires_and_waiting_work(admin, mentor, version):
    _world(version, mentor, 4)
    Program.objects.create(title="Draft only", slug="draft-only")
    with CaptureQueriesContext(connection) as queries:
        home = admin_home(user=admin)
    # Programs, active hires, then reviews, questions, meeting requests and invitations.
    assert len(queries) == 6
    assert (home.active, home.behind, home.quiet, home.on_track) == (5, 4, 4, 1)
    assert (home.reviews.count, home.reviews.late) == (4, 4)  # submitted four days ago, 48 h due
    assert (home.questions.count, home.questions.late) == (4, 4)  # asked four days ago
    assert (home.meetings.count, home.meetings.late) == (1, 0)
    assert (home.invitations.count, home.invitations.late) == (2, 1)
    (row,) = home.programs
    assert row.version_id == version.pk and row.version_number == version.number
    assert row.items == Item.objects.filter(version=version).count()
    assert (row.active, row.behind, row.quiet) == (5, 4, 4)
    # Each seeded hire did two or three of the items; the fresh hire none.
    assert 0 < row.percent < 50
    assert [p.title for p in home.unpublished] == ["Draft only"]
    # Eight items due by now: odd hires did two (six days behind), even ones three (five).
    assert [(line.name, line.days_behind) for line in home.furthest_behind] == [
        ("Bulk 1", 6),
        ("Bulk 3", 6),
        ("Bulk 0", 5),
        ("Bulk 2", 5),
    ]
    assert {line.name for line in home.quietest} == {"Bulk 0", "Bulk 1", "Bulk 2", "Bulk 3"}


def test_a_meeting_being_arranged_and_a_finished_hire_are_counted_right(admin, mentor, version):
    _world(version, mentor, 2)
    MeetingRequest.objects.update(state=MeetingRequestState.ARRANGING)
    home = admin_home(user=admin)
    assert (home.meetings.count, home.meetings.late) == (1, 1)
    MeetingRequest.objects.update(state=MeetingRequestState.BOOKED)
    assert admin_home(user=admin).meetings.count == 0


def test_only_program_admins_read_it(mentor, hire):
    for user in (mentor, hire):
        with pytest.raises(Http404):
            admin_home(user=user)


def _home(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def _figure(html: str, name: str) -> int:
    found = re.search(rf'data-figure="{name}">(\d+)<', html)
    assert found, name
    return int(found.group(1))


def test_the_home_page_shows_the_figures_with_links_that_act_on_them(
    client, mfa_passed, admin, mentor, version
):
    _world(version, mentor, 3)
    mfa_passed(client, admin)
    html, _ = _home(client)
    figures = {name: _figure(html, name) for name in ("active", "behind", "quiet", "reviews")}
    assert figures == {"active": 4, "behind": 3, "quiet": 3, "reviews": 3}
    assert (_figure(html, "questions"), _figure(html, "meetings")) == (3, 1)
    assert _figure(html, "invitations") == 2
    for url in (
        reverse("desk:review_queue"),
        reverse("desk:question_inbox"),
        reverse("meetings:index"),
        reverse("accounts:invitation_list"),
        reverse("desk:dashboard") + "?state=behind",
        reverse("curriculum:version_detail", args=[version.pk]),
        reverse("manage:analytics_funnel") + f"?program={version.program_id}",
    ):
        assert f'href="{url}"' in html, url
    assert f"version {version.number} published" in html
    assert "Bulk 0" in html and "bulk0@example.com" in html
    assert (
        reverse(
            "manage:enrollment", args=[version.enrollments.get(hire__email="bulk0@example.com").pk]
        )
        in html
    )
    assert "style=" not in html


@pytest.mark.query_count("home")
def test_the_home_page_query_count_is_flat_in_programs_hires_and_waiting_work(
    client, mfa_passed, admin, mentor, version, tmp_path
):
    _world(version, mentor, 2)
    mfa_passed(client, admin)
    _home(client)  # the session's first request reads more
    _, few = _home(client)
    _world(version, mentor, 15, start=100)
    Program.objects.create(title="Another", slug="another")
    Program.objects.create(title="And another", slug="and-another")
    html, many = _home(client)
    assert _figure(html, "active") == 19
    assert few == many


def test_a_mentor_sees_no_admin_panel(client, mfa_passed, mentor):
    mfa_passed(client, mentor)
    html, _ = _home(client)
    assert 'data-role-panel="program_admin"' not in html


def test_behind_counts_the_hires_the_desk_link_lists(admin, mentor, version):
    from onboarding.selectors.desk import desk_dashboard

    _world(version, mentor, 3)
    behind = desk_dashboard(user=admin, state="behind").rows
    home = admin_home(user=admin)
    assert home.behind == len(behind) == 3
    assert {line.enrollment_id for line in home.furthest_behind} == {
        row.enrollment.pk for row in behind
    }
