"""One small, real world for the access-control table (tests/access_table.py).

Built once per test module, inside a transaction that is rolled back when the module ends, so
each test (itself in a savepoint, as pytest-django runs it) starts from the same rows and no row
leaks into other modules. Everything is made through the services, as the app makes it.

The people: a hire with an enrollment and something written everywhere (progress, a submitted
reflection and answer, questions, a meeting with a time, a notification, a calendar feed), a
second hire in the same program with a mentor of their own, the hire's mentor, that other
mentor, a program admin, a superuser, and a former hire whose account was deactivated after
they signed in. Each has a signed-in session ready (mentors and admins with TOTP, as the MFA
middleware requires).
"""

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.test import Client, TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from accounts.services import invitation_create, user_create, user_set_active
from curriculum import authoring
from curriculum.markdown.structure import BlockKind
from curriculum.models import Asset, Block, ImportRequest, Item, ItemRevision, ProgramVersion
from curriculum.services import import_request_create
from onboarding.models import (
    CalendarFeed,
    ClientContact,
    ClientTeam,
    Cohort,
    Enrollment,
    FaqEntry,
    Meeting,
    MeetingState,
    Notification,
    Question,
    Submission,
)
from onboarding.services import cohorts, meetings, mentoring, questions
from onboarding.services.journey import (
    block_check_toggle,
    enrollment_create,
    item_complete,
    reflection_submit,
)
from tests.conftest import mfa_login
from tests.factories import TEST_PASSWORD, HireFactory, MentorFactory, ProgramAdminFactory
from tests.onboarding.desk_support import prompt_keys, submit_answer, submit_reflection
from tests.onboarding.journey_support import demo_version
from tests.onboarding.journey_versions_support import (
    DAY_ONE,
    DAY_TWO,
    import_published,
    write_program,
)
from tests.onboarding.meetings_support import client_team, next_week_monday

ROLES = (
    "anonymous",
    "hire",
    "other_hire",
    "mentor",
    "other_mentor",
    "program_admin",
    "superuser",
    "deactivated",
)
SIGNED_IN = tuple(role for role in ROLES if role not in ("anonymous", "deactivated"))
NOT_WATCHED = {"django_session"}  # a session is saved on every request, whoever asks


def keys(item: Item, kind: str) -> list[str]:
    return list(
        Block.objects.filter(item=item, kind=kind)
        .order_by("position")
        .values_list("key", flat=True)
    )


@dataclass
class World:
    users: dict[str, User]
    sessions: dict[str, str]
    version: ProgramVersion
    day0: Item  # completed by the hire, ready to be rated
    day1: Item  # reflection submitted; action items checked, so it can be completed
    day2: Item  # nothing written yet: a reflection draft can be saved
    day3: Item  # an answer submitted to its first question
    day4: Item  # the meeting-request block
    enrollment: Enrollment
    other_enrollment: Enrollment
    former_enrollment: Enrollment  # the deactivated person's own
    reflection: Submission
    answer: Submission
    question: Question
    faq_entry: FaqEntry
    notification: Notification
    meeting: Meeting
    meeting_link_token: str
    feed: CalendarFeed
    team: ClientTeam  # has a meeting ahead
    spare_team: ClientTeam  # no meetings: it may be deleted
    spare_contact: ClientContact
    cohort: Cohort
    invitation_key: str
    invitation_id: int
    import_request: ImportRequest
    draft: ProgramVersion
    draft_item: Item
    revision: ItemRevision
    asset: Asset
    move_version: ProgramVersion  # a newer published version one hire can be moved to
    mover_enrollment: Enrollment

    def sign_in(self, client: Client, role: str) -> Client:
        if role != "anonymous":
            client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[role]
        return client

    def first_key(self, item: Item, kind: str) -> str:
        return keys(item, kind)[0]


def writes_so_far() -> dict[str, int]:
    """Rows inserted, updated or deleted per table in this transaction so far (sessions aside).

    PostgreSQL counts them as statements run, rolled-back savepoints included, so comparing
    the counts before and after a request tells whether it tried to write anything at all.
    (The functions behind pg_stat_xact_user_tables, asked directly: a quarter of its cost.)
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, pg_stat_get_xact_tuples_inserted(oid)"
            " + pg_stat_get_xact_tuples_updated(oid) + pg_stat_get_xact_tuples_deleted(oid)"
            " FROM pg_class WHERE relkind = 'r' AND relnamespace = current_schema()::regnamespace"
        )
        return {table: n for table, n in cursor.fetchall() if n and table not in NOT_WATCHED}


def _session(user: User) -> str:
    """A signed-in session that has seen one page (the MFA middleware and the session timer
    note what they need in it then, so later requests find it ready)."""
    client = Client()
    if user.must_use_mfa:
        mfa_login(client, user)
    else:
        client.force_login(user)
    client.get(reverse("home"))
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _build(folder: Path) -> World:
    hire = HireFactory(email="hire@example.com", display_name="Hana Hire")
    other_hire = HireFactory(email="other.hire@example.com", display_name="Omer Other")
    mentor = MentorFactory(email="mentor@example.com", display_name="Mira Mentor")
    other_mentor = MentorFactory(email="other.mentor@example.com", display_name="Otto Other")
    admin = ProgramAdminFactory(email="admin@example.com", display_name="Ada Admin")
    superuser = user_create(  # what createsuperuser makes, with its allauth email row too
        email="root@example.com",
        password=TEST_PASSWORD,
        display_name="Sam Super",
        roles=[Role.PROGRAM_ADMIN],
        is_superuser=True,
        is_staff=True,
    )
    former = HireFactory(email="former.hire@example.com", display_name="Fay Former")
    mover = HireFactory(email="mover@example.com", display_name="Max Mover")

    version = demo_version()
    items = {
        item.source_path: item
        for item in Item.objects.filter(version=version).exclude(source_path="")
    }
    day0, day1, day2 = (items[f"chapter_00/day_0{n}.md"] for n in range(3))
    day3, day4 = items["chapter_01/day_03.md"], items["chapter_01/day_04.md"]

    today = timezone.now().date()
    cohort = cohorts.cohort_create(name="Spring", start_date=today, by=admin)
    enrollment = enrollment_create(
        hire=hire, version=version, mentor=mentor, cohort=cohort, start_date=today
    )
    other_enrollment = enrollment_create(
        hire=other_hire, version=version, mentor=other_mentor, start_date=today
    )
    former_enrollment = enrollment_create(
        hire=former, version=version, mentor=mentor, start_date=today
    )

    # The hire's progress: day 0 completed, day 1 ready to complete, an answer on day 3.
    for key in keys(day0, BlockKind.ACTION_ITEM):
        block_check_toggle(enrollment=enrollment, by=hire, item=day0, block_key=key, checked=True)
    reflection_submit(
        enrollment=enrollment,
        by=hire,
        item=day0,
        answers={key: "Fine." for key in prompt_keys(day0)},
    )
    item_complete(enrollment=enrollment, by=hire, item=day0)
    for key in keys(day1, BlockKind.ACTION_ITEM):
        block_check_toggle(enrollment=enrollment, by=hire, item=day1, block_key=key, checked=True)
    reflection = submit_reflection(enrollment, day1)
    answer = submit_answer(enrollment, day3)

    question = questions.question_ask(
        enrollment=enrollment, by=hire, item=day1, body="Who is my buddy?"
    )
    asked = questions.question_ask(enrollment=enrollment, by=hire, item=day3, body="What is MVCC?")
    questions.question_answer(question=asked, by=mentor, body="Versions of rows.")
    faq_entry = questions.faq_promote(
        question=asked, by=mentor, question_text="What is MVCC?", answer="Versions of rows."
    )
    notification = Notification.objects.filter(recipient=hire).order_by("pk").first()
    assert notification is not None, "answering the hire's question notifies them"
    mentoring.mentor_note_add(enrollment=enrollment, by=mentor, body="Settling in well.")

    team = client_team(admin)
    spare_team = client_team(admin, name="Globex Logistics")
    monday = next_week_monday()
    with TestCase.captureOnCommitCallbacks(execute=True):  # the booking task, run eagerly
        meeting = meetings.meeting_arrange(
            organiser=mentor,
            enrollment=enrollment,
            title="Meet the client team",
            earliest=monday,
            latest=monday + datetime.timedelta(days=4),
            client_team=team,
        )
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.BOOKED, meeting.failure_reason
    contact_row = meeting.participants.get(user__isnull=True)
    feed = meetings.calendar_feed_create(user=hire)

    invitation = invitation_create(invited_by=admin, email="new.person@example.com", role=Role.HIRE)
    import_request = import_request_create(
        requested_by=admin, git_url=(folder / "not-cloned.git").as_uri()
    )  # queued: its worker runs after a commit that never comes
    draft = authoring.draft_for_program(program=version.program, user=admin)
    draft_item = Item.objects.get(version=draft, source_path=day1.source_path)
    authoring.item_update_markdown(
        item=draft_item,
        markdown=draft_item.markdown + "\nOne more line.\n",
        base_hash=draft_item.text_hash,
        user=admin,
    )
    draft_item.refresh_from_db()
    revision = ItemRevision.objects.filter(version=draft).latest("pk")

    small = write_program(folder / "small", {"day_01.md": DAY_ONE})
    mover_enrollment = enrollment_create(
        hire=mover, version=import_published(small), start_date=today
    )
    move_version = import_published(
        write_program(small, {"day_01.md": DAY_ONE, "day_02.md": DAY_TWO})
    )

    users = {
        "hire": hire,
        "other_hire": other_hire,
        "mentor": mentor,
        "other_mentor": other_mentor,
        "program_admin": admin,
        "superuser": superuser,
        "deactivated": former,
    }
    sessions = {role: _session(user) for role, user in users.items()}
    user_set_active(user=former, active=False)  # signed in before; out on the next request
    return World(
        users=users,
        sessions=sessions,
        version=version,
        day0=day0,
        day1=day1,
        day2=day2,
        day3=day3,
        day4=day4,
        enrollment=enrollment,
        other_enrollment=other_enrollment,
        former_enrollment=former_enrollment,
        reflection=reflection,
        answer=answer,
        question=question,
        faq_entry=faq_entry,
        notification=notification,
        meeting=meeting,
        meeting_link_token=meetings.meeting_link_make(contact_row, "accepted"),
        feed=feed,
        team=team,
        spare_team=spare_team,
        spare_contact=spare_team.contacts.get(),
        cohort=cohort,
        invitation_key=invitation.key,
        invitation_id=invitation.pk,
        import_request=import_request,
        draft=draft,
        draft_item=draft_item,
        revision=revision,
        asset=Asset.objects.filter(version=version).first(),
        move_version=move_version,
        mover_enrollment=mover_enrollment,
    )


@contextmanager
def world_for_module(django_db_blocker, folder: Path) -> Iterator[World]:
    """Build the world in a transaction held open for the module, and roll it back after."""
    # Sessions here are saved only when they change: a request otherwise costs three more
    # statements (the idle timer's save), a fifth of this file's time, and is not what decides
    # who gets in. The sessions' own policies are tested in tests/accounts.
    with (
        override_settings(SESSION_SAVE_EVERY_REQUEST=False),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        world = _build(folder)
        # Check the world's deferred foreign keys now, once: otherwise the check each test runs
        # at its end (pytest-django) checks them all again, every time.
        connection.check_constraints()
        yield world
        transaction.set_rollback(True)
