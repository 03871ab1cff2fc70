"""The demo on the embedded default (SQLite, tasks in-process), walked in this process.

    DJANGO_SETTINGS_MODULE=onboarding.settings.local DATABASE_URL=sqlite:////tmp/demo.sqlite3 \
        REDIS_URL= uv run python -m tests.support.embedded_demo

Migrates, runs `seed_demo` twice (it must be safe to rerun), then takes the demo journey
through Django's test client as each demo person: the hire ticks, answers, submits a
reflection, asks a question and requests the client-team meeting; the mentor reviews, answers
and arranges the meeting (booked in-process); the hire asks for another time; each opens
their pages. Every write path the demo takes runs on SQLite. Prints one line per step and
exits non-zero at the first unexpected answer. Run by tests/onboarding/test_embedded_default.py.
"""

import datetime
import sys

ADMIN_PAGES = (
    "manage:dashboard",
    "manage:cohorts",
    "manage:analytics",
    "manage:audit",
    "curriculum:program_list",
)


class WalkFailure(Exception):
    pass


def main() -> int:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment

    if connection.vendor != "sqlite" or settings.CELERY_BROKER_URL != "memory://":
        print(f"not the embedded default: {connection.vendor}, {settings.CELERY_BROKER_URL}")
        return 2
    setup_test_environment()  # the test client's host, the in-memory email backend
    call_command("migrate", "--no-input", verbosity=0)
    call_command("seed_demo")
    call_command("seed_demo")
    try:
        for line in _walk():
            print(line)
    except WalkFailure as failure:
        print(f"FAILED: {failure}")
        return 1
    return 0


def _walk():
    from django.db.models import Q
    from django.test import Client
    from django.urls import reverse

    from accounts.models import User
    from curriculum.markdown.structure import BlockKind
    from curriculum.models import Block, Item
    from onboarding.demo import DEMO_HIRE_EMAIL, DEMO_MENTOR_EMAIL
    from onboarding.models import (
        ClientTeam,
        Enrollment,
        Meeting,
        MeetingRequest,
        Notification,
        Question,
        Submission,
        SubmissionState,
    )

    def expect(response, *codes: int, what: str) -> str:
        if response.status_code not in codes:
            raise WalkFailure(f"{what}: {response.status_code}, expected {codes}")
        return f"{what}: {response.status_code}"

    hire = User.objects.get(email=DEMO_HIRE_EMAIL)
    mentor = User.objects.get(email=DEMO_MENTOR_EMAIL)
    admin = User.objects.get(email="admin@example.com")
    enrollment = Enrollment.objects.get(hire=hire)
    items = list(
        Item.objects.filter(version=enrollment.version_id).order_by("chapter__position", "position")
    )
    as_hire, as_mentor, as_admin = Client(), Client(), Client()
    as_hire.force_login(hire)
    as_mentor.force_login(mentor)  # demo mentor and admin have TOTP: seed_demo enrolled it
    as_admin.force_login(admin)

    def item_url(item: Item, action: str = "") -> str:
        name = "journey:item" if not action else f"journey:{action}"
        return reverse(name, kwargs={"enrollment_id": enrollment.pk, "item_id": item.pk})

    yield expect(as_hire.get("/"), 200, what="hire: home")
    for item in items[:3]:
        yield expect(as_hire.get(item_url(item)), 200, what=f"hire: {item}")

    # A goal ticked and unticked, an answer, a reflection: on the first item that has each.
    blocks = list(Block.objects.filter(item__in=items).order_by("item_id", "position"))

    def first(kind: BlockKind) -> Block:
        found = next((b for b in blocks if b.kind == kind), None)
        if found is None:
            raise WalkFailure(f"the demo program has no {kind} block")
        return found

    by_id = {item.pk: item for item in items}
    goal = first(BlockKind.GOAL)
    for checked in ("1", ""):
        yield expect(
            as_hire.post(
                item_url(by_id[goal.item_id], "block_check"),
                {"block_key": goal.key, "checked": checked},
            ),
            302,
            what=f"hire: check a goal ({'on' if checked else 'off'})",
        )
    question_block = next((b for b in blocks if b.kind == BlockKind.QUESTION), None)
    if question_block is not None:
        yield expect(
            as_hire.post(
                item_url(by_id[question_block.item_id], "answer_save"),
                {"block_key": question_block.key, "body": "My answer.", "action": "submit"},
            ),
            302,
            what="hire: submit an answer",
        )
    unsubmitted = [
        item
        for item in items
        if any(b.item_id == item.pk and b.kind == BlockKind.REFLECTION_PROMPT for b in blocks)
        and not Submission.objects.filter(
            enrollment=enrollment, item=item, kind="reflection", state=SubmissionState.SUBMITTED
        ).exists()
    ]
    reflected = unsubmitted[0]
    prompts = [
        b for b in blocks if b.item_id == reflected.pk and b.kind == BlockKind.REFLECTION_PROMPT
    ]
    yield expect(
        as_hire.post(
            item_url(reflected, "reflection_save"),
            {
                "action": "submit",
                **{f"prompt_{n}": "I learned a lot." for n in range(1, len(prompts) + 1)},
            },
        ),
        302,
        what=f"hire: submit the reflection on {reflected}",
    )
    submission = Submission.objects.filter(enrollment=enrollment, item=reflected).latest("pk")
    if submission.state != SubmissionState.SUBMITTED:
        raise WalkFailure(f"the reflection is {submission.state}, not submitted")
    yield expect(
        as_hire.post(
            reverse(
                "desk:question_ask", kwargs={"enrollment_id": enrollment.pk, "item_id": items[1].pk}
            ),
            {"body": "Where do I find the VPN guide?"},
        ),
        302,
        what="hire: ask a question",
    )
    question = Question.objects.filter(enrollment=enrollment).latest("pk")

    # The mentor: desk, review, answer, and the meeting the demo's day asks for.
    yield expect(as_mentor.get(reverse("desk:dashboard")), 200, what="mentor: desk")
    yield expect(
        as_mentor.get(reverse("desk:review", args=[submission.pk])), 200, what="mentor: review page"
    )
    yield expect(
        as_mentor.post(
            reverse("desk:review_request_changes", args=[submission.pk]),
            {"comment": "Say more about the second point."},
        ),
        302,
        what="mentor: request changes",
    )
    submission.refresh_from_db()
    if submission.state != SubmissionState.CHANGES_REQUESTED:
        raise WalkFailure(f"after the review the reflection is {submission.state}")
    yield expect(
        as_mentor.post(
            reverse("desk:question_answer", args=[question.pk]), {"body": "In the wiki."}
        ),
        302,
        what="mentor: answer the question",
    )
    yield expect(
        as_mentor.get(reverse("desk:question", args=[question.pk])), 200, what="mentor: thread"
    )
    meeting_block = next((b for b in blocks if b.kind == BlockKind.MEETING_REQUEST), None)
    if meeting_block is None:
        raise WalkFailure("the demo program has no meeting-request block")
    yield expect(
        as_hire.post(
            item_url(by_id[meeting_block.item_id], "meeting_request"),
            {"block_key": meeting_block.key, "note": "With the client team, please."},
        ),
        302,
        what="hire: request the meeting",
    )
    request = MeetingRequest.objects.get(enrollment=enrollment)
    arrange = reverse("meetings:arrange", args=[enrollment.pk]) + f"?request={request.pk}"
    yield expect(as_mentor.get(arrange), 200, what="mentor: arrange page")
    team = ClientTeam.objects.order_by("pk").first()
    today = datetime.date.today()
    yield expect(
        as_mentor.post(
            arrange,
            {
                "request": request.pk,
                "title": "Meet the client team",
                "agenda": "Introductions.",
                "client_team": team.pk if team else "",
                "duration_minutes": 30,
                "earliest": (today + datetime.timedelta(days=2)).isoformat(),
                "latest": (today + datetime.timedelta(days=16)).isoformat(),
                "buffer_minutes": 10,
                "min_notice_hours": 24,
            },
        ),
        302,
        what="mentor: arrange the meeting (booked in-process)",
    )
    meeting = Meeting.objects.latest("pk")
    yield f"meeting: {meeting.get_state_display()}"
    yield expect(
        as_hire.get(reverse("meetings:detail", args=[meeting.pk])), 200, what="hire: meeting page"
    )
    if meeting.state == "booked":
        yield expect(
            as_hire.post(reverse("meetings:respond", args=[meeting.pk]), {"response": "new_time"}),
            302,
            what="hire: ask for another time",
        )
    yield expect(as_hire.get(reverse("notifications:list")), 200, what="hire: notifications")
    yield expect(as_mentor.get(reverse("notifications:list")), 200, what="mentor: notifications")
    heard = set(Notification.objects.filter(recipient=mentor).values_list("kind", flat=True))
    wanted = {"question_asked", "new_submission", "meeting_requested", "meeting_answers"}
    if not wanted <= heard:
        raise WalkFailure(f"the mentor was not told of {sorted(wanted - heard)}")
    yield f"mentor told in the app of: {', '.join(sorted(wanted))}"

    # Beat does not run on the embedded default; a sweep started by hand does nothing (its
    # bulk writes are PostgreSQL's) instead of failing.
    from onboarding.services.reminder_rules import notifications_sweep

    report = notifications_sweep()
    if report.claimed or report.notifications:
        raise WalkFailure(f"the reminder sweep ran on SQLite: {report}")
    yield "reminder sweep on SQLite: skipped, nothing written"

    # The program admin's pages.
    for name in ADMIN_PAGES:
        yield expect(as_admin.get(reverse(name)), 200, what=f"admin: {name}")

    # Last, as it ends the hire's story: the admin erases them (text rewrites on SQLite too).
    from onboarding.models import OutboundEmail

    name = hire.display_name
    named = (Q(title__icontains=name) | Q(body__icontains=name), Q(body_text__icontains=name))
    if not (Notification.objects.filter(named[0]) or OutboundEmail.objects.filter(named[1])):
        raise WalkFailure(f"nothing names {name} before the erase: the check below proves nothing")
    yield expect(
        as_admin.post(reverse("manage:person_erase", args=[hire.pk]), {"confirm": "ERASE"}),
        302,
        what="admin: erase the hire",
    )
    hire.refresh_from_db()
    left = [
        model.__name__
        for model, matches in (
            (Notification, Q(title__icontains=name) | Q(body__icontains=name)),
            (OutboundEmail, Q(body_text__icontains=name) | Q(subject__icontains=name)),
            (Question, ~Q(body="[erased]")),
        )
        if model.objects.filter(matches).exists()
    ]
    if hire.email != f"erased-{hire.pk}@erased.invalid" or left:
        raise WalkFailure(f"after the erase: {hire.email}, their name or writing in {left}")
    yield "admin: erase the hire on SQLite: name, email and writing gone"


if __name__ == "__main__":
    sys.exit(main())
