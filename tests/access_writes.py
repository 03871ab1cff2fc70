"""Where each write the access table lets through must land: the model and the rows of it.

tests/test_access_control.py reads the rows below before and after every cell the table marks
DONE (or DONE_HERE, DONE_THEN_LOGIN) and fails when they did not change, so "something was
written" is not enough: a review comment must be on that submission, a profile change on the
user who asked, a revoked invitation that very invitation. A route the table lets write needs
a line here (a meta-test says which are missing).

Each line: (route, object) -> (model, a function of the world and the role asking that gives
the filter of the rows that must change).
"""

from collections.abc import Callable
from typing import Any

from django.apps import apps

from tests.access_world import World

Filter = Callable[[World, str], dict[str, Any]]


def _own_user(w: World, role: str) -> dict[str, Any]:
    return {"pk": w.users[role].pk}


def _enrollment(w: World, role: str) -> dict[str, Any]:
    return {"enrollment": w.enrollment}


def _in_enrollment(item: str) -> Filter:
    return lambda w, role: {"enrollment": w.enrollment, "item": getattr(w, item)}


def _pk(attribute: str) -> Filter:
    return lambda w, role: {"pk": getattr(w, attribute).pk}


def _submission(attribute: str) -> Filter:
    return lambda w, role: {"submission": getattr(w, attribute)}


def _review(submission: str) -> dict[tuple[str, str], tuple[str, Filter]]:
    return {
        ("desk:review_comment", submission): ("onboarding.ReviewComment", _submission(submission)),
        ("desk:review_request_changes", submission): ("onboarding.Submission", _pk(submission)),
        ("desk:review_accept", submission): ("onboarding.Submission", _pk(submission)),
    }


WRITES: dict[tuple[str, str], tuple[str, Filter]] = {
    ("accounts:profile", "own profile"): ("accounts.User", _own_user),
    ("accounts:invitation_accept", "invitation (by its secret key)"): (
        "accounts.User",
        lambda w, role: {"email": "new.person@example.com"},
    ),
    ("accounts:invitation_list", "invitations"): (
        "accounts.Invitation",
        lambda w, role: {"email": "invited@example.com"},
    ),
    ("accounts:invitation_revoke", "invitation"): (
        "accounts.Invitation",
        lambda w, role: {"pk": w.invitation_id},
    ),
    ("accounts:invitation_resend", "invitation"): (
        "onboarding.OutboundEmail",
        lambda w, role: {"to": "new.person@example.com"},
    ),
    # --- the journey: the hire's own rows, on the item asked about
    ("journey:block_check", "progress: a goal"): ("onboarding.BlockCheck", _in_enrollment("day1")),
    ("journey:resource_read", "progress: a resource"): (
        "onboarding.BlockCheck",
        _in_enrollment("day1"),
    ),
    ("journey:item_complete", "progress: completion"): (
        "onboarding.ItemProgress",
        _in_enrollment("day1"),
    ),
    ("journey:item_rate", "progress: rating"): ("onboarding.ItemProgress", _in_enrollment("day0")),
    ("journey:answer_save", "answer"): ("onboarding.Submission", _in_enrollment("day3")),
    ("journey:reflection_save", "reflection"): ("onboarding.Submission", _in_enrollment("day2")),
    ("journey:meeting_request", "meeting request"): (
        "onboarding.MeetingRequest",
        _in_enrollment("day4"),
    ),
    # --- the desk
    ("desk:question_ask", "question"): ("onboarding.Question", _in_enrollment("day1")),
    ("desk:question_answer", "question"): (
        "onboarding.QuestionMessage",
        lambda w, role: {"question": w.question, "author": w.users[role]},
    ),
    ("desk:question_resolve", "question"): ("onboarding.Question", _pk("question")),
    ("desk:faq_promote", "question"): (
        "onboarding.FaqEntry",
        lambda w, role: {"question": w.question},
    ),
    ("desk:faq_remove", "faq entry"): ("onboarding.FaqEntry", _pk("faq_entry")),
    **_review("reflection"),
    **_review("answer"),
    ("desk:mentor_note_add", "mentor note"): (
        "onboarding.MentorNote",
        lambda w, role: {"enrollment": w.enrollment, "author": w.users[role]},
    ),
    ("desk:mentor_assign", "mentor assignment"): ("onboarding.MentorAssignment", _enrollment),
    ("desk:mentor_unassign", "mentor assignment"): ("onboarding.MentorAssignment", _enrollment),
    # --- meetings
    ("meetings:arrange", "meeting"): ("onboarding.Meeting", _enrollment),
    ("meetings:respond", "meeting: own answer"): (
        "onboarding.MeetingParticipant",
        lambda w, role: {"meeting": w.meeting, "user": w.users[role]},
    ),
    ("meetings:reschedule", "meeting"): ("onboarding.Meeting", _pk("meeting")),
    ("meetings:cancel", "meeting"): ("onboarding.Meeting", _pk("meeting")),
    ("meetings:link_answer", "a client contact's signed link"): (
        "onboarding.MeetingParticipant",
        lambda w, role: {"meeting": w.meeting, "user": None},
    ),
    ("meetings:feed_create", "own calendar feed"): (
        "onboarding.CalendarFeed",
        lambda w, role: {"user": w.users[role]},
    ),
    ("meetings:feed_revoke", "own calendar feed"): (
        "onboarding.CalendarFeed",
        lambda w, role: {"user": w.users[role]},
    ),
    ("meetings:client_teams", "client teams"): (
        "onboarding.ClientTeam",
        lambda w, role: {"name": "Initech"},
    ),
    ("meetings:client_team", "client team"): ("onboarding.ClientTeam", _pk("team")),
    ("meetings:client_teams_policy", "program: who adds client teams"): (
        "curriculum.Program",
        lambda w, role: {"pk": w.version.program_id},
    ),
    ("meetings:arrange_team", "client team for a mentee's meeting"): (
        "onboarding.ClientTeam",
        lambda w, role: {"name": "Globex front desk"},
    ),
    ("meetings:client_team_delete", "client team"): ("onboarding.ClientTeam", _pk("spare_team")),
    ("meetings:client_contact_add", "client contact"): (
        "onboarding.ClientContact",
        lambda w, role: {"team": w.team},
    ),
    ("meetings:client_contact_remove", "client contact"): (
        "onboarding.ClientContact",
        _pk("spare_contact"),
    ),
    # --- notifications: the asker's own
    ("notifications:read", "notification"): ("onboarding.Notification", _pk("notification")),
    ("notifications:open", "notification"): ("onboarding.Notification", _pk("notification")),
    ("notifications:read_all", "own notifications"): (
        "onboarding.Notification",
        lambda w, role: {"recipient": w.users[role]},
    ),
    # --- program admin pages
    ("manage:import", "people"): (
        "accounts.User",
        lambda w, role: {"email": "new.hire@example.com"},
    ),
    ("manage:invite", "hires to invite"): (
        "accounts.Invitation",
        lambda w, role: {"email": "new.hire@example.com"},
    ),
    ("manage:person_enroll", "the hire (a person)"): (
        "onboarding.Enrollment",
        lambda w, role: {"hire": w.users["hire"]},
    ),
    ("manage:enrollment_state", "enrollment"): ("onboarding.Enrollment", _pk("enrollment")),
    ("manage:enrollment_schedule", "enrollment"): ("onboarding.Enrollment", _pk("enrollment")),
    ("manage:enrollment_mentor", "enrollment"): ("onboarding.MentorAssignment", _enrollment),
    ("manage:move", "newer version"): ("onboarding.Enrollment", _pk("mover_enrollment")),
    ("manage:cohorts", "cohorts"): ("onboarding.Cohort", lambda w, role: {"name": "Autumn"}),
    ("manage:cohort", "cohort"): ("onboarding.Enrollment", _pk("other_enrollment")),
    ("manage:person_erase", "the hire (a person)"): (
        "accounts.User",
        lambda w, role: {"pk": w.users["hire"].pk},
    ),
    # --- curriculum authoring
    ("curriculum:program_list", "programs"): (
        "curriculum.Program",
        lambda w, role: {"slug": "tiny"},
    ),
    ("curriculum:version_publish", "draft version"): ("curriculum.ProgramVersion", _pk("draft")),
    ("curriculum:version_structure", "draft version"): (
        "curriculum.Chapter",
        lambda w, role: {"version": w.draft},
    ),
    ("curriculum:item_edit", "draft item"): ("curriculum.Item", _pk("draft_item")),
    ("curriculum:item_history", "draft item"): ("curriculum.Item", _pk("draft_item")),
}


def rows_now(key: tuple[str, str], world: World, role: str) -> list[dict[str, Any]] | None:
    """The rows this cell's write must change, as they are now (None: the route has no line)."""
    if key not in WRITES:
        return None
    label, rows = WRITES[key]
    return list(apps.get_model(label).objects.filter(**rows(world, role)).order_by("pk").values())
