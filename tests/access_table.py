"""The access-control table (docs/quality.md, Access): every route, the object it is asked
about, and what each role gets for a GET and for a POST.

tests/test_access_control.py turns each cell into a test against a real world
(tests/access_world.py) and fails on any route missing from here; the headers test
(tests/onboarding/test_security_headers.py) reads every page this table says renders.

How to read a row: `answers(DEFAULT, role=ANSWER, ...)` gives DEFAULT to every signed-in role
not named; anonymous visitors and the deactivated former hire (whose session dies on its next
request) are sent to log in unless named. The objects are the hire's: "other hire" is another
hire of the same program, "other mentor" mentors only that other hire. Where a role may not see
an object it gets 404, the same as for an id that does not exist; a POST that is refused (or
sent to log in) must leave every table as it was, and a DONE must change something.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from curriculum.markdown.structure import BlockKind
from tests.access_world import ROLES, SIGNED_IN, World, keys
from tests.onboarding.desk_support import prompt_keys, question_key
from tests.onboarding.meetings_support import next_week_monday


@dataclass(frozen=True)
class Answer:
    status: int
    to: str = ""  # a redirect to this route (a login page); other redirects must not go there
    writes: bool = False  # a POST let through: it must change what is stored
    name: str = ""

    @property
    def refused(self) -> bool:
        return self.status >= 400 or (bool(self.to) and not self.writes)

    def __str__(self) -> str:
        return self.name or str(self.status)


OK = Answer(200, name="ok")  # the page (or file); a POST answered 200 changes nothing
DONE = Answer(302, writes=True, name="done")  # a write let through, then a redirect
DONE_HERE = Answer(200, writes=True, name="done-here")  # a write answered with a page
MOVED = Answer(302, name="moved")  # a redirect (not to login) that changes nothing
LOGIN = Answer(302, to="account_login", name="login")
DONE_THEN_LOGIN = Answer(302, to="account_login", writes=True, name="done-then-login")
ADMIN_LOGIN = Answer(302, to="admin:login", name="admin-login")  # the Django admin's own door
FORBIDDEN = Answer(403, name="forbidden")  # the role may see the object, not change it
NOT_FOUND = Answer(404, name="not-found")  # as for an id that does not exist
NO_METHOD = Answer(405, name="no-method")


def answers(default: Answer, /, **by_role: Answer) -> dict[str, Answer]:
    unknown = set(by_role) - set(ROLES)
    assert not unknown, f"no such role: {unknown}"
    table = {role: default for role in SIGNED_IN}
    table |= {"anonymous": LOGIN, "deactivated": LOGIN}
    return table | by_role


def public(answer: Answer) -> dict[str, Answer]:
    """The same for everyone, signed in or not (pages keyed by a secret, or none at all)."""
    return {role: answer for role in ROLES}


def admins(answer: Answer) -> dict[str, Answer]:
    return {"program_admin": answer, "superuser": answer}


def readers(answer: Answer) -> dict[str, Answer]:
    """Who reads the hire's journey: the hire, their mentor, program admins."""
    return {"hire": answer, "mentor": answer} | admins(answer)


def desk(answer: Answer) -> dict[str, Answer]:
    """Who has a desk: every mentor and program admin (each sees only their own mentees)."""
    return {"mentor": answer, "other_mentor": answer} | admins(answer)


def hire_writes() -> dict[str, Answer]:
    """Only the hire changes their own journey; those who may read it are refused a write."""
    return {"hire": DONE, "mentor": FORBIDDEN} | admins(FORBIDDEN)


def _staff_only(answer: Answer) -> dict[str, Answer]:
    """The Django admin opens to staff: superusers, and program admins (its fallback for them)."""
    return public(ADMIN_LOGIN) | admins(answer)


@dataclass(frozen=True)
class Row:
    kwargs: Callable[[World], dict[str, Any]]
    get: dict[str, Answer]
    post: dict[str, Answer]
    data: Callable[[World], dict[str, Any]] = field(default=lambda world: {})


def _item(item: str) -> Callable[[World], dict[str, Any]]:
    return lambda w: {"enrollment_id": w.enrollment.pk, "item_id": getattr(w, item).pk}


def _no_kwargs(world: World) -> dict[str, Any]:
    return {}


def _submission(which: str) -> Callable[[World], dict[str, Any]]:
    return lambda w: {"submission_id": getattr(w, which).pk}


def _enrollment(w: World) -> dict[str, Any]:
    return {"enrollment_id": w.enrollment.pk}


def _week(w: World) -> dict[str, str]:
    monday = next_week_monday()
    return {"earliest": monday.isoformat(), "latest": (monday + datetime.timedelta(4)).isoformat()}


def _second_question(w: World) -> str:
    """Day 3's second exercise question: the answer to the first is already with the mentor."""
    first = question_key(w.day3)
    return next(key for key in keys(w.day3, BlockKind.QUESTION) if key != first)


def _reflection_draft(w: World) -> dict[str, str]:
    prompts = {f"prompt_{n}": "Half a thought" for n in range(1, len(prompt_keys(w.day2)) + 1)}
    return {**prompts, "action": "draft"}


def _profile(w: World) -> dict[str, Any]:
    return {
        "display_name": "Renamed",
        "time_zone": "Europe/Lisbon",
        "working_hours_start": "09:00",
        "working_hours_end": "17:00",
        "working_days": ["0", "1", "2", "3", "4"],
    }


def _team_form(name: str) -> Callable[[World], dict[str, Any]]:
    return lambda w: {
        "name": name,
        "time_zone": "UTC",
        "working_hours_start": "09:00",
        "working_hours_end": "17:00",
        "working_days": ["0", "1", "2", "3", "4"],
    }


def _people_csv(w: World) -> dict[str, Any]:
    csv = b"email,name,role,mentor email,cohort,start date\nnew.hire@example.com,New Hire,hire,,,\n"
    return {"file": SimpleUploadedFile("people.csv", csv), "program": w.version.program_id}


def _program_upload(w: World) -> dict[str, Any]:
    markdown = b"# Day 01 - A Tiny Program\n\n## Goals\n- One goal.\n"
    return {"upload": SimpleUploadedFile("tiny.md", markdown), "program_slug": "tiny"}


def _review_rows(submission: str) -> dict[tuple[str, str], Row]:
    """The review page and its three writes, for the hire's reflection or answer."""
    kwargs = _submission(submission)
    mentor_writes = answers(NOT_FOUND, mentor=DONE, **admins(DONE))
    return {
        ("desk:review", submission): Row(
            kwargs, get=answers(NOT_FOUND, mentor=OK, **admins(OK)), post=answers(NO_METHOD)
        ),
        ("desk:review_comment", submission): Row(
            kwargs,
            get=answers(NO_METHOD),
            post=mentor_writes,
            data=lambda w: {"body": "Nicely put."},
        ),
        ("desk:review_request_changes", submission): Row(
            kwargs,
            get=answers(NO_METHOD),
            post=mentor_writes,
            data=lambda w: {"comment": "Say more about the second prompt."},
        ),
        ("desk:review_accept", submission): Row(
            kwargs, get=answers(NO_METHOD), post=mentor_writes, data=lambda w: {"comment": "Great."}
        ),
    }


# Pages that take no POST: who reads them.
_JOURNEY_PAGE = {"get": answers(NOT_FOUND, **readers(OK)), "post": answers(NO_METHOD)}
_ADMIN_PAGE = {"get": answers(NOT_FOUND, **admins(OK)), "post": answers(NO_METHOD)}
_REPORTS = ("funnel", "time", "stuck", "mentors", "cohorts")

# (route name, the object it is asked about) -> the row
TABLE: dict[tuple[str, str], Row] = {
    # --- everyone's pages ----------------------------------------------------------------------
    ("home", "own home"): Row(_no_kwargs, get=answers(OK), post=answers(NO_METHOD)),
    ("healthz", "process"): Row(_no_kwargs, get=public(OK), post=public(NO_METHOD)),
    ("floor", "own email"): Row(_no_kwargs, get=answers(OK), post=answers(NO_METHOD)),
    ("accounts:profile", "own profile"): Row(
        _no_kwargs, get=answers(OK), post=answers(DONE), data=_profile
    ),
    # --- the hire's journey --------------------------------------------------------------------
    ("journey:item", "day"): Row(_item("day1"), **_JOURNEY_PAGE),
    ("journey:block_check", "progress: a goal"): Row(
        _item("day1"),
        get=answers(NO_METHOD),
        post=answers(NOT_FOUND, **hire_writes()),
        data=lambda w: {"block_key": w.first_key(w.day1, BlockKind.GOAL), "checked": "1"},
    ),
    ("journey:resource_read", "progress: a resource"): Row(
        _item("day1"),
        get=answers(NO_METHOD),
        post=answers(NOT_FOUND, **hire_writes()),
        data=lambda w: {"block_key": w.first_key(w.day1, BlockKind.RESOURCE)},
    ),
    ("journey:resource_open", "progress: a resource"): Row(
        lambda w: {
            **_item("day1")(w),
            "block_key": w.first_key(w.day1, BlockKind.RESOURCE),
        },
        get=answers(NOT_FOUND, **readers(MOVED)),  # to the resource; read only for the hire
        post=answers(NO_METHOD),
    ),
    ("journey:item_complete", "progress: completion"): Row(
        _item("day1"), get=answers(NO_METHOD), post=answers(NOT_FOUND, **hire_writes())
    ),
    ("journey:item_rate", "progress: rating"): Row(
        _item("day0"),
        get=answers(NO_METHOD),
        post=answers(NOT_FOUND, **hire_writes()),
        data=lambda w: {"rating": "4", "comment": "Clear."},
    ),
    ("journey:answer_save", "answer"): Row(
        _item("day3"),
        get=answers(NO_METHOD),
        post=answers(NOT_FOUND, **hire_writes()),
        data=lambda w: {
            "block_key": _second_question(w),
            "body": "A draft answer",
            "action": "draft",
        },
    ),
    ("journey:reflection_save", "reflection"): Row(
        _item("day2"),
        get=answers(NO_METHOD),
        post=answers(NOT_FOUND, **hire_writes()),
        data=_reflection_draft,
    ),
    ("journey:meeting_request", "meeting request"): Row(
        _item("day4"),
        get=answers(NO_METHOD),
        post=answers(NOT_FOUND, **hire_writes()),
        data=lambda w: {
            "block_key": w.first_key(w.day4, BlockKind.MEETING_REQUEST),
            "note": "A real incident, please.",
        },
    ),
    ("journey:export_json", "export"): Row(_enrollment, **_JOURNEY_PAGE),
    ("journey:export_markdown", "export"): Row(_enrollment, **_JOURNEY_PAGE),
    # --- questions (the thread is the hire's too) ----------------------------------------------
    ("desk:question_ask", "question"): Row(
        _item("day1"),
        get=answers(NO_METHOD),
        post=answers(NOT_FOUND, **hire_writes()),
        data=lambda w: {"body": "When is the stand-up?", "block_key": ""},
    ),
    ("desk:question", "question"): Row(
        lambda w: {"question_id": w.question.pk},
        get=answers(NOT_FOUND, **readers(OK)),
        post=answers(NO_METHOD),
    ),
    ("desk:question_answer", "question"): Row(
        lambda w: {"question_id": w.question.pk},
        get=answers(NO_METHOD),
        post=answers(NOT_FOUND, **readers(DONE)),  # the hire's reply, the others' answer
        data=lambda w: {"body": "At ten."},
    ),
    ("desk:question_resolve", "question"): Row(
        lambda w: {"question_id": w.question.pk},
        get=answers(NO_METHOD),
        post=answers(NOT_FOUND, **readers(DONE)),
    ),
    ("desk:faq_promote", "question"): Row(
        lambda w: {"question_id": w.question.pk},
        get=answers(NO_METHOD),
        post=answers(NOT_FOUND, mentor=DONE, **admins(DONE)),
        data=lambda w: {"question_text": "Who is my buddy?", "answer": "Your mentor says."},
    ),
    ("desk:faq_remove", "faq entry"): Row(
        lambda w: {"entry_id": w.faq_entry.pk},
        get=answers(NO_METHOD),
        post=answers(NOT_FOUND, **admins(DONE)),
    ),
    # --- the mentor's desk ---------------------------------------------------------------------
    ("desk:dashboard", "mentees"): Row(
        _no_kwargs, get=answers(NOT_FOUND, **desk(OK)), post=answers(NO_METHOD)
    ),
    ("desk:review_queue", "submissions"): Row(
        _no_kwargs, get=answers(NOT_FOUND, **desk(OK)), post=answers(NO_METHOD)
    ),
    ("desk:question_inbox", "questions"): Row(
        _no_kwargs, get=answers(NOT_FOUND, **desk(OK)), post=answers(NO_METHOD)
    ),
    **_review_rows("reflection"),
    **_review_rows("answer"),
    ("desk:mentee", "mentee"): Row(
        _enrollment,
        get=answers(NOT_FOUND, mentor=OK, **admins(OK)),
        post=answers(NO_METHOD),
    ),
    ("desk:mentor_note_add", "mentor note"): Row(
        _enrollment,
        get=answers(NO_METHOD),
        post=answers(NOT_FOUND, mentor=DONE, **admins(DONE)),
        data=lambda w: {"body": "Asked good questions today."},
    ),
    ("desk:mentor_assign", "mentor assignment"): Row(
        _enrollment,
        get=answers(NOT_FOUND, **admins(OK)),
        post=answers(NOT_FOUND, **admins(DONE)),
        data=lambda w: {"mentor": w.users["other_mentor"].pk, "role": "co_mentor"},
    ),
    ("desk:mentor_unassign", "mentor assignment"): Row(
        _enrollment,
        get=answers(NO_METHOD),
        post=answers(NOT_FOUND, **admins(DONE)),
        data=lambda w: {"mentor": w.users["mentor"].pk},
    ),
    # --- meetings ------------------------------------------------------------------------------
    ("meetings:index", "own meetings"): Row(_no_kwargs, get=answers(OK), post=answers(NO_METHOD)),
    ("meetings:arrange", "meeting"): Row(
        _enrollment,
        get=answers(NOT_FOUND, mentor=OK, **admins(OK)),
        post=answers(NOT_FOUND, mentor=DONE, **admins(DONE)),
        data=lambda w: {
            "title": "Coffee",
            "duration_minutes": "30",
            "buffer_minutes": "0",
            "min_notice_hours": "24",
            **_week(w),
        },
    ),
    ("meetings:detail", "meeting"): Row(
        lambda w: {"meeting_id": w.meeting.pk},
        get=answers(NOT_FOUND, **readers(OK)),
        post=answers(NO_METHOD),
    ),
    ("meetings:status", "meeting (the page's polled body)"): Row(
        lambda w: {"meeting_id": w.meeting.pk},
        get=answers(NOT_FOUND, **readers(OK)),
        post=answers(NO_METHOD),
    ),
    ("meetings:ics", "meeting .ics"): Row(
        lambda w: {"meeting_id": w.meeting.pk},
        get=answers(NOT_FOUND, **readers(OK)),
        post=answers(NO_METHOD),
    ),
    ("meetings:respond", "meeting: own answer"): Row(
        lambda w: {"meeting_id": w.meeting.pk},
        get=answers(NO_METHOD),
        # only participants answer; admins see the meeting but were not invited
        post=answers(NOT_FOUND, hire=DONE, mentor=DONE),
        data=lambda w: {"response": "declined", "note": "Ill that day."},
    ),
    ("meetings:reschedule", "meeting"): Row(
        lambda w: {"meeting_id": w.meeting.pk},
        get=answers(NO_METHOD),
        post=answers(NOT_FOUND, mentor=DONE, **admins(DONE)),
        data=_week,
    ),
    ("meetings:cancel", "meeting"): Row(
        lambda w: {"meeting_id": w.meeting.pk},
        get=answers(NO_METHOD),
        post=answers(NOT_FOUND, mentor=DONE, **admins(DONE)),
    ),
    ("meetings:link_answer", "a client contact's signed link"): Row(
        lambda w: {"token": w.meeting_link_token},
        get=public(OK),
        post=public(DONE_HERE),
        data=lambda w: {"response": "accepted"},
    ),
    ("meetings:feed_settings", "own calendar feed"): Row(
        _no_kwargs, get=answers(OK), post=answers(NO_METHOD)
    ),
    ("meetings:feed_create", "own calendar feed"): Row(
        _no_kwargs, get=answers(NO_METHOD), post=answers(DONE)
    ),
    ("meetings:feed_revoke", "own calendar feed"): Row(
        _no_kwargs, get=answers(NO_METHOD), post=answers(MOVED, hire=DONE)
    ),
    ("meetings:feed", "the hire's calendar feed token"): Row(
        lambda w: {"token": w.feed.token}, get=public(OK), post=public(NO_METHOD)
    ),
    # mentors who mentor someone read client teams (to pick one); only admins change them
    ("meetings:client_teams", "client teams"): Row(
        _no_kwargs,
        get=answers(NOT_FOUND, **desk(OK)),
        post=answers(NOT_FOUND, mentor=FORBIDDEN, other_mentor=FORBIDDEN, **admins(DONE)),
        data=_team_form("Initech"),
    ),
    ("meetings:client_team", "client team"): Row(
        lambda w: {"team_id": w.team.pk},
        get=answers(NOT_FOUND, **desk(OK)),
        post=answers(NOT_FOUND, mentor=FORBIDDEN, other_mentor=FORBIDDEN, **admins(DONE)),
        data=_team_form("Acme Payments (EU)"),
    ),
    ("meetings:client_teams_policy", "program: who adds client teams"): Row(
        lambda w: {"program_id": w.version.program_id},
        get=answers(NO_METHOD),
        post=answers(NOT_FOUND, **admins(DONE)),
        data=lambda w: {"allowed": ""},  # unticked: only admins add them from now on
    ),
    # the hire's mentor adds a client team (and its contact) from the arrange page
    ("meetings:arrange_team", "client team for a mentee's meeting"): Row(
        _enrollment,
        get=answers(NO_METHOD),
        post=answers(NOT_FOUND, mentor=DONE, **admins(DONE)),
        data=lambda w: {
            "team-name": "Globex front desk",
            "team-time_zone": "UTC",
            "team-working_hours_start": "09:00",
            "team-working_hours_end": "17:00",
            "team-working_days": ["0", "1", "2", "3", "4"],
            "team-contact_name": "Gil Globex",
            "team-contact_email": "gil@globex.example",
        },
    ),
    ("meetings:client_team_delete", "client team"): Row(
        lambda w: {"team_id": w.spare_team.pk},
        get=answers(NO_METHOD),
        post=answers(NOT_FOUND, **admins(DONE)),
    ),
    ("meetings:client_contact_add", "client contact"): Row(
        lambda w: {"team_id": w.team.pk},
        get=answers(NO_METHOD),
        post=answers(NOT_FOUND, **admins(DONE)),
        data=lambda w: {"name": "Gil", "email": "gil@acme.example"},
    ),
    ("meetings:client_contact_remove", "client contact"): Row(
        lambda w: {"team_id": w.spare_team.pk, "contact_id": w.spare_contact.pk},
        get=answers(NO_METHOD),
        post=answers(NOT_FOUND, **admins(DONE)),
    ),
    # --- notifications -------------------------------------------------------------------------
    ("notifications:list", "own notifications"): Row(
        _no_kwargs, get=answers(OK), post=answers(NO_METHOD)
    ),
    ("notifications:read", "notification"): Row(
        lambda w: {"notification_id": w.notification.pk},
        get=answers(NO_METHOD),
        post=answers(NOT_FOUND, hire=DONE),
    ),
    ("notifications:open", "notification"): Row(
        lambda w: {"notification_id": w.notification.pk},
        get=answers(NO_METHOD),
        post=answers(NOT_FOUND, hire=DONE),
    ),
    ("notifications:read_all", "own notifications"): Row(
        _no_kwargs,
        get=answers(NO_METHOD),
        post=answers(MOVED, hire=DONE, mentor=DONE),  # a submission waits: the mentor was told
    ),
    ("notifications:outbox", "outbox log"): Row(_no_kwargs, **_ADMIN_PAGE),
    # --- program admins: people, cohorts, privacy, analytics -----------------------------------
    ("manage:dashboard", "hires"): Row(_no_kwargs, **_ADMIN_PAGE),
    ("manage:import", "people"): Row(
        _no_kwargs,
        get=answers(NOT_FOUND, **admins(OK)),
        post=answers(NOT_FOUND, **admins(DONE)),
        data=_people_csv,
    ),
    ("manage:invite", "hires to invite"): Row(
        _no_kwargs,
        get=answers(NOT_FOUND, **admins(OK)),
        post=answers(NOT_FOUND, **admins(DONE)),
        data=lambda w: {"people": "new.hire@example.com, Nadia New", "version": w.version.pk},
    ),
    ("manage:person", "the hire (a person)"): Row(
        lambda w: {"person_id": w.users["hire"].pk},
        get=answers(NOT_FOUND, **admins(OK)),
        post=answers(NO_METHOD),
    ),
    ("manage:person_enroll", "the hire (a person)"): Row(
        lambda w: {"person_id": w.users["hire"].pk},
        get=answers(NO_METHOD),
        post=answers(NOT_FOUND, **admins(DONE)),
        data=lambda w: {"version": w.move_version.pk},  # a program they are not in yet
    ),
    ("manage:enrollment", "enrollment"): Row(_enrollment, **_ADMIN_PAGE),
    ("manage:enrollment_state", "enrollment"): Row(
        _enrollment,
        get=answers(NO_METHOD),
        post=answers(NOT_FOUND, **admins(DONE)),
        data=lambda w: {"action": "pause", "reason": "Holiday"},
    ),
    ("manage:enrollment_schedule", "enrollment"): Row(
        _enrollment,
        get=answers(NO_METHOD),
        post=answers(NOT_FOUND, **admins(DONE)),
        data=lambda w: {"cohort": "", "start_date": "2026-01-05"},
    ),
    ("manage:enrollment_mentor", "enrollment"): Row(
        _enrollment,
        get=answers(NO_METHOD),
        post=answers(NOT_FOUND, **admins(DONE)),
        data=lambda w: {"mentor": w.users["other_mentor"].pk},
    ),
    ("manage:move_index", "versions"): Row(_no_kwargs, **_ADMIN_PAGE),
    ("manage:move", "newer version"): Row(
        lambda w: {"version_id": w.move_version.pk},
        get=answers(NOT_FOUND, **admins(OK)),
        post=answers(NOT_FOUND, **admins(DONE)),
        data=lambda w: {"enrollments": [w.mover_enrollment.pk]},
    ),
    ("manage:cohorts", "cohorts"): Row(
        _no_kwargs,
        get=answers(NOT_FOUND, **admins(OK)),
        post=answers(NOT_FOUND, **admins(DONE)),
        data=lambda w: {"name": "Autumn", "start_date": "2026-09-07", "pace": "1"},
    ),
    ("manage:cohort", "cohort"): Row(
        lambda w: {"cohort_id": w.cohort.pk},
        get=answers(NOT_FOUND, **admins(OK)),
        post=answers(NOT_FOUND, **admins(DONE)),
        data=lambda w: {"enrollments": [w.other_enrollment.pk]},
    ),
    ("manage:person_erase", "the hire (a person)"): Row(
        lambda w: {"person_id": w.users["hire"].pk},
        get=answers(NOT_FOUND, **admins(OK)),
        post=answers(NOT_FOUND, **admins(DONE)),
        data=lambda w: {"confirm": "ERASE"},
    ),
    ("manage:audit", "audit log"): Row(_no_kwargs, **_ADMIN_PAGE),
    ("manage:analytics", "analytics"): Row(_no_kwargs, **_ADMIN_PAGE),
    **{
        (f"manage:analytics_{report}{suffix}", "analytics export" if suffix else "analytics"): Row(
            _no_kwargs, **_ADMIN_PAGE
        )
        for report in _REPORTS
        for suffix in ("", "_csv")
    },
    # --- invitations ---------------------------------------------------------------------------
    ("accounts:invitation_accept", "invitation (by its secret key)"): Row(
        lambda w: {"key": w.invitation_key},
        get=public(OK),
        post=public(DONE),  # the new account, logged in, on its first day (or home)
        data=lambda w: {
            "display_name": "New Person",
            "time_zone": "UTC",
            "password": "a-long-enough-passphrase",
            "password_again": "a-long-enough-passphrase",
        },
    ),
    # invitations are there for program admins only: 404 for everyone else (a missing id too)
    ("accounts:invitation_list", "invitations"): Row(
        _no_kwargs,
        get=answers(NOT_FOUND, **admins(OK)),
        post=answers(NOT_FOUND, **admins(DONE)),
        data=lambda w: {"email": "invited@example.com", "role": "hire", "version": w.version.pk},
    ),
    ("accounts:invitation_revoke", "invitation"): Row(
        lambda w: {"invitation_id": w.invitation_id},
        get=answers(NO_METHOD),
        post=answers(NOT_FOUND, **admins(DONE)),
    ),
    ("accounts:invitation_resend", "invitation"): Row(
        lambda w: {"invitation_id": w.invitation_id},
        get=answers(NO_METHOD),
        post=answers(NOT_FOUND, **admins(DONE)),
    ),
    # --- allauth's own pages (login, password, email, second factor): one's own account only.
    # A POST here is empty: each is refused or answered with the form again, and writes nothing.
    ("account_login", "login"): Row(
        _no_kwargs,
        get=answers(MOVED, anonymous=OK, deactivated=OK),  # signed in: home
        post=answers(MOVED, anonymous=OK, deactivated=OK),
    ),
    ("account_logout", "own session"): Row(_no_kwargs, get=answers(OK), post=public(LOGIN)),
    ("account_inactive", "notice"): Row(_no_kwargs, get=public(OK), post=public(NO_METHOD)),
    ("account_signup", "signup (closed: by invitation only)"): Row(
        _no_kwargs,
        get=answers(MOVED, anonymous=OK, deactivated=OK),
        post=answers(MOVED, anonymous=OK, deactivated=OK),
    ),
    ("account_reauthenticate", "own password"): Row(_no_kwargs, get=answers(OK), post=answers(OK)),
    ("account_email", "own email addresses"): Row(_no_kwargs, get=answers(OK), post=answers(MOVED)),
    ("account_email_verification_sent", "notice"): Row(
        _no_kwargs, get=public(OK), post=public(NO_METHOD)
    ),
    ("account_change_password", "own password"): Row(_no_kwargs, get=answers(OK), post=answers(OK)),
    ("account_set_password", "own password"): Row(
        _no_kwargs,
        get=answers(MOVED),
        post=answers(MOVED),  # everyone has one: change it
    ),
    ("account_reset_password", "password reset"): Row(_no_kwargs, get=public(OK), post=public(OK)),
    ("account_reset_password_done", "notice"): Row(
        _no_kwargs, get=public(OK), post=public(NO_METHOD)
    ),
    ("account_reset_password_from_key", "a reset link (a made-up key)"): Row(
        lambda w: {"uidb36": "1", "key": "no-such-key"}, get=public(OK), post=public(OK)
    ),
    ("account_reset_password_from_key_done", "notice"): Row(
        _no_kwargs, get=public(OK), post=public(NO_METHOD)
    ),
    ("account_confirm_email", "a confirmation link (a made-up key)"): Row(
        lambda w: {"key": "no-such-key"}, get=public(OK), post=public(NOT_FOUND)
    ),
    ("account_confirm_login_code", "a login in progress (none)"): Row(
        _no_kwargs, get=answers(MOVED), post=answers(MOVED)
    ),
    ("mfa_authenticate", "a login in progress (none)"): Row(
        _no_kwargs, get=answers(MOVED), post=answers(MOVED)
    ),
    ("mfa_index", "own second factor"): Row(_no_kwargs, get=answers(OK), post=answers(NO_METHOD)),
    # Changing a second factor asks for the password again first (a redirect to reauthenticate).
    ("mfa_reauthenticate", "own second factor"): Row(
        _no_kwargs,
        get=answers(OK, hire=MOVED, other_hire=MOVED),  # hires have no TOTP: the password page
        post=answers(OK, hire=MOVED, other_hire=MOVED),
    ),
    ("mfa_activate_totp", "own second factor"): Row(
        _no_kwargs, get=answers(MOVED), post=answers(MOVED)
    ),
    ("mfa_deactivate_totp", "own second factor"): Row(
        _no_kwargs,
        get=answers(MOVED, hire=NOT_FOUND, other_hire=NOT_FOUND),
        post=answers(MOVED, hire=NOT_FOUND, other_hire=NOT_FOUND),
    ),
    ("mfa_generate_recovery_codes", "own recovery codes"): Row(
        _no_kwargs, get=answers(MOVED), post=answers(MOVED)
    ),
    ("mfa_view_recovery_codes", "own recovery codes (none yet)"): Row(
        _no_kwargs, get=answers(NOT_FOUND), post=answers(NO_METHOD)
    ),
    ("mfa_download_recovery_codes", "own recovery codes (none yet)"): Row(
        _no_kwargs, get=answers(NOT_FOUND), post=answers(NOT_FOUND)
    ),
    # --- the Django admin: staff only (the superuser here); the rest is Django's own permission
    # checks, so the table samples its doors and the enrollment pages of the fallback (issue 8).
    ("admin:index", "admin site"): Row(_no_kwargs, get=_staff_only(OK), post=_staff_only(OK)),
    ("admin:login", "admin login"): Row(
        _no_kwargs,
        get=answers(FORBIDDEN, **admins(MOVED)),  # signed in, not staff: refused
        post=answers(FORBIDDEN, **admins(OK)),
    ),
    ("admin:logout", "own session"): Row(
        _no_kwargs,
        get=public(MOVED) | admins(NO_METHOD),
        post=public(MOVED) | admins(LOGIN),  # logged out
    ),
    ("admin:onboarding_enrollment_changelist", "enrollments"): Row(
        _no_kwargs, get=_staff_only(OK), post=_staff_only(OK)
    ),
    ("admin:onboarding_enrollment_change", "the hire's enrollment"): Row(
        lambda w: {"object_id": w.enrollment.pk},
        get=_staff_only(OK),
        post=_staff_only(FORBIDDEN),  # read-only rows: changes go through admin actions
    ),
    # --- curriculum: reading and authoring -----------------------------------------------------
    ("curriculum:item_detail", "published item"): Row(
        lambda w: {"item_id": w.day1.pk},
        # a hire enrolled on its version is sent to their own journey page of it
        get=answers(OK, hire=MOVED, other_hire=MOVED),
        post=answers(NO_METHOD),
    ),
    ("curriculum:item_detail", "draft item"): Row(
        lambda w: {"item_id": w.draft_item.pk},
        get=answers(NOT_FOUND, **admins(OK)),
        post=answers(NO_METHOD),
    ),
    ("curriculum:asset_file", "published asset"): Row(
        lambda w: {"asset_id": w.asset.pk, "name": w.asset.path.rsplit("/", 1)[-1]},
        get=answers(OK),
        post=public(NO_METHOD),  # the method is checked before the login
    ),
    ("curriculum:program_list", "programs"): Row(
        _no_kwargs,
        get=answers(NOT_FOUND, **admins(OK)),
        post=answers(NOT_FOUND, **admins(DONE)),
        data=_program_upload,
    ),
    ("curriculum:import_request_detail", "git import"): Row(
        lambda w: {"import_request_id": w.import_request.pk}, **_ADMIN_PAGE
    ),
    ("curriculum:version_detail", "draft version"): Row(
        lambda w: {"version_id": w.draft.pk}, **_ADMIN_PAGE
    ),
    ("curriculum:version_export", "draft version"): Row(
        lambda w: {"version_id": w.draft.pk}, **_ADMIN_PAGE
    ),
    ("curriculum:version_publish", "draft version"): Row(
        lambda w: {"version_id": w.draft.pk},
        get=answers(NO_METHOD),
        post=answers(NOT_FOUND, **admins(DONE)),
    ),
    ("curriculum:version_structure", "draft version"): Row(
        lambda w: {"version_id": w.draft.pk},
        get=answers(NOT_FOUND, **admins(OK)),
        post=answers(NOT_FOUND, **admins(DONE)),
        data=lambda w: {"action": "chapter_add", "title": "Extras"},
    ),
    ("curriculum:program_draft", "program"): Row(
        lambda w: {"program_id": w.version.program_id},
        get=answers(NO_METHOD),
        post=answers(NOT_FOUND, **admins(MOVED)),  # its draft is already open: no new one
    ),
    ("curriculum:item_edit", "draft item"): Row(
        lambda w: {"item_id": w.draft_item.pk},
        get=answers(NOT_FOUND, **admins(OK)),
        post=answers(NOT_FOUND, **admins(DONE)),
        data=lambda w: {
            "markdown": w.draft_item.markdown + "\nAnd another.\n",
            "base_hash": w.draft_item.text_hash,
            "action": "save",
        },
    ),
    ("curriculum:item_edit_preview", "draft item"): Row(
        lambda w: {"item_id": w.draft_item.pk},
        get=answers(NO_METHOD),
        post=answers(NOT_FOUND, **admins(OK)),
        data=lambda w: {"markdown": "# Preview\n", "base_hash": w.draft_item.text_hash},
    ),
    ("curriculum:item_history", "draft item"): Row(
        lambda w: {"item_id": w.draft_item.pk},
        get=answers(NOT_FOUND, **admins(OK)),
        post=answers(NOT_FOUND, **admins(DONE)),
        data=lambda w: {
            "revision": w.revision.pk,
            "base_hash": w.draft_item.text_hash,
            "which": "before",
        },
    ),
    ("curriculum:item_hire_preview", "draft item"): Row(
        lambda w: {"item_id": w.draft_item.pk}, **_ADMIN_PAGE
    ),
}
