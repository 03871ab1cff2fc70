"""A realistic, large instance for benchmarks and load tests (run by `manage.py seed_load`).

By default: 5,000 hires in 20 cohorts, 200 mentors, 5 program admins and a 25-item program
imported through the real importer. Cohorts started between 0 and 26 working days ago, so
hires are half way through on average; each hire runs a little ahead or behind their cohort.
Behind them lie what a running program accumulates: ticked goals and action items, ratings,
reflections and answers (most reviewed, some waiting, some sent back with a comment),
questions with answers, meetings booked with mentors, and notifications, some read.

Why rows are written with bulk_create here and not through the services: the services write
one hire at a time and queue emails and notifications as side effects, which is right for a
person clicking and wrong for a generator of half a million rows. Everything written here is
what those services would have left behind (same states, same keys, same rendered HTML), and
the program itself goes through the importer.

Deterministic: the same arguments give the same instance (a seeded random generator; only
dates move with today). Every person's password is SEED_PASSWORD; emails end in @load.example.
"""

import datetime
import random
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from curriculum.markdown.render import render_markdown
from curriculum.markdown.structure import BlockKind
from curriculum.models import Block, Item, ProgramVersion
from curriculum.services import program_import

from .demo import working_days_ago
from .models import (
    BlockCheck,
    Cohort,
    Enrollment,
    ItemProgress,
    Meeting,
    MeetingBooking,
    MeetingParticipant,
    MeetingRequest,
    MeetingRequestState,
    MeetingResponse,
    MeetingState,
    MentorAssignment,
    Notification,
    ProgressState,
    Question,
    QuestionMessage,
    QuestionState,
    ReviewComment,
    ReviewOutcome,
    Submission,
    SubmissionKind,
    SubmissionRound,
    SubmissionState,
)
from .schedule import Schedule

DOMAIN = "load.example"
SEED_PASSWORD = "load-test-2026"  # noqa: S105  # nosec B105: a throw-away instance's password
PROGRAM_SLUG = "load-program"
ZONES = ["Europe/London", "America/New_York", "Asia/Jerusalem", "Asia/Kolkata", "Europe/Berlin"]
BATCH = 5000
WEEKDAYS = [0, 1, 2, 3, 4]

TOPICS = [
    "Welcome and accounts",
    "The codebase tour",
    "Local development environment",
    "Version control habits",
    "Code review etiquette",
    "Testing strategy",
    "Continuous integration",
    "Databases and migrations",
    "Caching and queues",
    "Observability",
    "Incident response",
    "Security basics",
    "Product and customers",
    "The client team",
    "Designing an API",
    "Performance work",
    "Front-end conventions",
    "Accessibility",
    "Release process",
    "On-call shadowing",
    "Writing design documents",
    "Estimating and planning",
    "Your first feature",
    "Demo preparation",
    "Retrospective and next steps",
]
MEETING_DAYS = {3, 13, 19}  # items whose action items ask for a meeting


def program_markdown(number: int, topic: str) -> str:
    """One day as authors write them: goals, sections, questions, wrap-up, actions."""
    lines = [
        f"# Day {number:02d} - {topic} :rocket:",
        "",
        f"Today is about **{topic.lower()}**. Read the notes, try things, write down surprises.",
        "",
        "## Goals",
        f"- Understand how we approach {topic.lower()}.",
        f"- Know who to ask about {topic.lower()}.",
        "- Try one thing by hand and note what surprised you.",
        "",
        f"## 1. {topic} in practice",
        f"   - Read the team's page on {topic.lower()}.",
        "   - Pair with someone for half an hour.",
        "",
        "## 2. Going deeper",
        "   - Find one place in the code where this matters.",
        "",
        "## Exercise 1: Questions",
        "",
        f"1.  What is the first thing you would check when {topic.lower()} goes wrong?",
        "",
        "2.  Which tool did you use today, and what would you change about it?",
        "",
        "## Wrapping Up",
        "- What was the most useful thing you learned today?",
        "- What is still unclear, and who could help?",
        "",
        "## Action Items",
        f"- Write three bullet points about {topic.lower()} in your notes.",
        "- Share one question in the team channel.",
    ]
    if number in MEETING_DAYS:
        lines.append("- Ask your mentor to arrange a meeting with the client team.")
    lines += [
        "",
        "## Recommended Resources",
        f"- [{topic} handbook](https://handbook.example.com/{number}) - The team's own notes.",
        f"- [A talk on {topic.lower()}](https://talks.example.com/{number}) - Forty minutes.",
        "",
    ]
    return "\n".join(lines)


def program_write(root: Path, items: int) -> Path:
    """Write an authoring-style program folder of ITEMS days, five per chapter."""
    toc = ["# Engineering onboarding", ""]
    for number in range(items):
        chapter = number // 5
        if number % 5 == 0:
            toc += ["", f"## Chapter {chapter:02d}: Week {chapter + 1}", ""]
            (root / f"chapter_{chapter:02d}").mkdir(parents=True)
        topic = TOPICS[number % len(TOPICS)]
        name = f"chapter_{chapter:02d}/day_{number:02d}.md"
        (root / name).write_text(program_markdown(number, topic))
        toc.append(f"- **[Day {number:02d}](./{name}):** {topic}")
    (root / "readme.md").write_text("\n".join(toc) + "\n")
    return root


@dataclass
class SeedReport:
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, rows: list[Any]) -> None:
        self.counts[name] = self.counts.get(name, 0) + len(rows)


@dataclass(frozen=True)
class _ItemBlocks:
    item: Item
    checkable: list[str]
    prompts: list[str]
    questions: list[str]
    meeting: str | None


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=datetime.UTC)


def _bulk(model: type, rows: list[Any], report: SeedReport) -> list[Any]:
    created = model.objects.bulk_create(rows, batch_size=BATCH)
    report.add(model._meta.model_name, created)
    return created


class _Instance:
    """Builds the instance in order; each step bulk-creates one table's rows."""

    def __init__(self, *, hires: int, cohorts: int, mentors: int, items: int, seed: int):
        self.n_hires, self.n_cohorts, self.n_mentors, self.n_items = hires, cohorts, mentors, items
        self.random = random.Random(seed)  # noqa: S311  # nosec B311: test data, not secrets
        self.now = timezone.now().replace(microsecond=0)
        self.today = self.now.date()
        self.report = SeedReport()
        self.password = make_password(SEED_PASSWORD)  # hashed once: hashing 5,000 times is slow

    # --- people ------------------------------------------------------------------------------
    def people(self) -> None:
        def person(email: str, name: str, zone: str, **roles: bool) -> User:
            return User(
                email=email,
                display_name=name,
                time_zone=zone,
                password=self.password,
                is_staff=roles.get("is_program_admin", False),
                **roles,
            )

        self.admins = _bulk(
            User,
            [
                person(f"admin{i}@{DOMAIN}", f"Admin {i}", "Europe/Berlin", is_program_admin=True)
                for i in range(5)
            ],
            self.report,
        )
        self.mentors = _bulk(
            User,
            [
                person(f"mentor{i:03d}@{DOMAIN}", f"Mentor {i:03d}", ZONES[i % 5], is_mentor=True)
                for i in range(self.n_mentors)
            ],
            self.report,
        )
        self.hires = _bulk(
            User,
            [
                person(f"hire{i:04d}@{DOMAIN}", f"Hire {i:04d}", ZONES[i % 5], is_hire=True)
                for i in range(self.n_hires)
            ],
            self.report,
        )
        everyone = [*self.admins, *self.mentors, *self.hires]
        _bulk(
            EmailAddress,
            [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in everyone],
            self.report,
        )

    # --- the program -------------------------------------------------------------------------
    def program(self) -> ProgramVersion:
        with tempfile.TemporaryDirectory() as folder:
            result = program_import(
                source=program_write(Path(folder) / "program", self.n_items),
                program_slug=PROGRAM_SLUG,
                imported_by=self.admins[0],
                publish=True,
            )
        if not result.ok or result.version is None:
            raise RuntimeError(f"the generated program did not import: {result.parsed.errors}")
        version = result.version
        items = list(Item.objects.filter(version=version).order_by("chapter__position", "position"))
        blocks: dict[int, list[Block]] = {}
        for block in Block.objects.filter(item__version=version).order_by("position"):
            blocks.setdefault(block.item_id, []).append(block)

        def keys(item: Item, *kinds: BlockKind) -> list[str]:
            return [b.key for b in blocks.get(item.pk, []) if b.kind in kinds]

        self.items = [
            _ItemBlocks(
                item=item,
                checkable=keys(item, BlockKind.GOAL, BlockKind.ACTION_ITEM),
                prompts=keys(item, BlockKind.REFLECTION_PROMPT),
                questions=keys(item, BlockKind.QUESTION),
                meeting=next(iter(keys(item, BlockKind.MEETING_REQUEST)), None),
            )
            for item in items
        ]
        self.version = version
        return version

    # --- cohorts, enrollments, mentors -------------------------------------------------------
    def enrollments(self) -> None:
        spread = self.n_items + 1  # cohorts from "started today" to "just finished"
        self.cohorts = _bulk(
            Cohort,
            [
                Cohort(
                    name=f"Cohort {c + 1:02d}",
                    start_date=working_days_ago(
                        self.today, round(c * spread / max(self.n_cohorts - 1, 1))
                    ),
                    working_days=WEEKDAYS,
                )
                for c in range(self.n_cohorts)
            ],
            self.report,
        )
        self.enrollment_rows = _bulk(
            Enrollment,
            [
                Enrollment(
                    hire=hire,
                    program_id=self.version.program_id,
                    version=self.version,
                    mentor=self.mentors[i % len(self.mentors)],
                    cohort=self.cohorts[i % len(self.cohorts)],
                    start_date=self.cohorts[i % len(self.cohorts)].start_date,
                    working_days=WEEKDAYS,
                )
                for i, hire in enumerate(self.hires)
            ],
            self.report,
        )
        self.mentor_of = {e.pk: e.mentor_id for e in self.enrollment_rows}
        _bulk(
            MentorAssignment,
            [
                MentorAssignment(
                    enrollment=e,
                    mentor_id=e.mentor_id,
                    assigned_by=self.admins[0],
                    started_at=_at(e.start_date, 8),
                )
                for e in self.enrollment_rows
            ],
            self.report,
        )

    def _done_count(self, enrollment: Enrollment) -> int:
        """Where this hire is: their schedule's position, give or take (some run behind)."""
        schedule = Schedule.build(start_date=enrollment.start_date, pace=1, working_days=WEEKDAYS)
        due = min(schedule.today_index(self.today), self.n_items)
        drift = self.random.choice([-3, -2, -1, -1, 0, 0, 0, 0, 1])
        return max(0, min(self.n_items, due + drift))

    # --- progress and writing ----------------------------------------------------------------
    def progress(self) -> None:
        progress: list[ItemProgress] = []
        checks: list[Any] = []
        submissions: list[Submission] = []
        self.done_by_enrollment: dict[int, int] = {}
        for enrollment in self.enrollment_rows:
            done = self._done_count(enrollment)
            self.done_by_enrollment[enrollment.pk] = done
            due_dates = Schedule.build(
                start_date=enrollment.start_date, pace=1, working_days=WEEKDAYS
            ).due_dates(self.n_items)
            for index, blocks in enumerate(self.items[: min(done + 1, self.n_items)]):
                day = min(due_dates[index], self.today)
                started = _at(day, 9, self.random.randrange(60))
                finished = index < done
                completed = started + datetime.timedelta(hours=self.random.randint(2, 7))
                last = index == done - 1
                reflection_state = (
                    SubmissionState.SUBMITTED
                    if last and self.random.random() < 0.6
                    else SubmissionState.CHANGES_REQUESTED
                    if last and self.random.random() < 0.2
                    else SubmissionState.ACCEPTED
                )
                rated = finished and self.random.random() < 0.7
                progress.append(
                    ItemProgress(
                        enrollment=enrollment,
                        item=blocks.item,
                        state=(
                            ProgressState.IN_PROGRESS
                            if not finished
                            else ProgressState.WAITING_REVIEW
                            if reflection_state == SubmissionState.SUBMITTED
                            else ProgressState.DONE
                        ),
                        started_at=started,
                        completed_at=completed if finished else None,
                        rating=self.random.randint(3, 5) if rated else None,
                        rated_at=completed if rated else None,
                    )
                )
                ticked = blocks.checkable if finished else blocks.checkable[:2]
                checks += [
                    BlockCheck(
                        enrollment=enrollment, item=blocks.item, block_key=key, checked_at=started
                    )
                    for key in ticked
                ]
                if not finished:
                    continue
                reflection = Submission(
                    enrollment=enrollment,
                    item=blocks.item,
                    kind=SubmissionKind.REFLECTION,
                    answers={key: self._sentence("I learned", index) for key in blocks.prompts},
                    state=reflection_state,
                    round=1,
                    created_at=started,
                    updated_at=completed,
                    submitted_at=completed,
                )
                submissions.append(reflection)
                submissions += [
                    Submission(
                        enrollment=enrollment,
                        item=blocks.item,
                        kind=SubmissionKind.ANSWER,
                        block_key=key,
                        body=self._sentence("My answer", index),
                        state=SubmissionState.ACCEPTED,
                        round=1,
                        created_at=started,
                        updated_at=completed,
                        submitted_at=completed,
                    )
                    for key in blocks.questions
                ]
        _bulk(ItemProgress, progress, self.report)
        _bulk(BlockCheck, checks, self.report)
        created = _bulk(Submission, submissions, self.report)
        self.waiting = [s for s in created if s.state == SubmissionState.SUBMITTED]
        self.sent_back = [s for s in created if s.state == SubmissionState.CHANGES_REQUESTED]
        self.reviewed = [s for s in created if s.state != SubmissionState.SUBMITTED]

    def _sentence(self, opening: str, index: int) -> str:
        endings = [
            "that the team writes everything down, which makes asking easy.",
            "how the pieces fit together once I traced one request end to end.",
            "that I should ask earlier instead of guessing for an hour.",
            "a shortcut in the test runner that saves me minutes every time.",
        ]
        return f"{opening} on day {index:02d} {self.random.choice(endings)}"

    def reviews(self) -> None:
        _bulk(
            SubmissionRound,
            [
                SubmissionRound(
                    submission=s,
                    round=1,
                    body=s.body,
                    answers=s.answers,
                    submitted_at=s.submitted_at,
                    outcome=(
                        ReviewOutcome.CHANGES_REQUESTED
                        if s.state == SubmissionState.CHANGES_REQUESTED
                        else ReviewOutcome.ACCEPTED
                    ),
                    reviewed_by_id=self.mentor_of[s.enrollment_id],
                    reviewed_at=s.updated_at + datetime.timedelta(hours=3),
                )
                for s in self.reviewed
            ],
            self.report,
        )
        comment = "Good start. Could you add one concrete example from the code?"
        comment_html = render_markdown(comment)
        _bulk(
            ReviewComment,
            [
                ReviewComment(
                    submission=s,
                    author_id=self.mentor_of[s.enrollment_id],
                    body=comment,
                    body_html=comment_html,
                    round=1,
                    created_at=s.updated_at + datetime.timedelta(hours=3),
                )
                for s in self.sent_back
            ],
            self.report,
        )

    # --- questions, meetings, notifications ---------------------------------------------------
    def questions(self) -> None:
        asked = "How do I get access to the staging database? The guide links to an old page."
        answer = "Ask in the platform channel; I have updated the guide's link too."
        asked_html, answer_html = render_markdown(asked), render_markdown(answer)
        questions = []
        for enrollment in self.enrollment_rows:
            done = self.done_by_enrollment[enrollment.pk]
            if done == 0 or self.random.random() > 0.3:
                continue
            blocks = self.items[self.random.randrange(done)]
            state = self.random.choice(
                [QuestionState.OPEN, QuestionState.ANSWERED, QuestionState.RESOLVED]
            )
            at = self.now - datetime.timedelta(hours=self.random.randint(2, 200))
            questions.append(
                Question(
                    enrollment=enrollment,
                    item=blocks.item,
                    asked_by_id=enrollment.hire_id,
                    body=asked,
                    body_html=asked_html,
                    state=state,
                    created_at=at,
                    updated_at=at,
                    resolved_at=at if state == QuestionState.RESOLVED else None,
                )
            )
        created = _bulk(Question, questions, self.report)
        _bulk(
            QuestionMessage,
            [
                QuestionMessage(
                    question=q,
                    author_id=self.mentor_of[q.enrollment_id],
                    body=answer,
                    body_html=answer_html,
                    created_at=q.created_at + datetime.timedelta(hours=1),
                )
                for q in created
                if q.state != QuestionState.OPEN
            ],
            self.report,
        )

    def meetings(self) -> None:
        """Hires past a meeting day asked for it; most are booked, a week of slots ahead."""
        meeting_items = [b for b in self.items if b.meeting]
        hire_by_id = {h.pk: h for h in self.hires}
        mentor_by_id = {m.pk: m for m in self.mentors}
        requests, meetings, plans = [], [], []
        slot_of_mentor: dict[int, int] = {}
        for enrollment in self.enrollment_rows:
            done = self.done_by_enrollment[enrollment.pk]
            for blocks in meeting_items:
                if self.items.index(blocks) > done or self.random.random() > 0.5:
                    continue
                booked = self.random.random() < 0.8
                requests.append(
                    MeetingRequest(
                        enrollment=enrollment,
                        item=blocks.item,
                        block_key=blocks.meeting or "",
                        requested_by_id=enrollment.hire_id,
                        note="I'd like to hear how the client team uses our product.",
                        state=(
                            MeetingRequestState.BOOKED if booked else MeetingRequestState.REQUESTED
                        ),
                    )
                )
                if not booked:
                    continue
                # each mentor's meetings go one after another, half an hour apart, from tomorrow
                slot = slot_of_mentor.get(enrollment.mentor_id, 0)
                slot_of_mentor[enrollment.mentor_id] = slot + 1
                day = self.today + datetime.timedelta(days=1 + slot // 8)
                starts = _at(day, 9) + datetime.timedelta(minutes=30 * (slot % 8))
                meetings.append(
                    Meeting(
                        enrollment=enrollment,
                        organiser_id=enrollment.mentor_id,
                        title=f"Meeting the client team: {blocks.item.title}",
                        duration_minutes=30,
                        window_start=starts - datetime.timedelta(days=1),
                        window_end=starts + datetime.timedelta(days=7),
                        state=MeetingState.BOOKED,
                        starts_at=starts,
                        ends_at=starts + datetime.timedelta(minutes=30),
                    )
                )
                plans.append(enrollment)
        created_requests = _bulk(MeetingRequest, requests, self.report)
        booked_requests = [r for r in created_requests if r.state == MeetingRequestState.BOOKED]
        for meeting, request in zip(meetings, booked_requests, strict=True):
            meeting.request = request
        created = _bulk(Meeting, meetings, self.report)
        participants, bookings = [], []
        for meeting, enrollment in zip(created, plans, strict=True):
            hire, mentor = hire_by_id[enrollment.hire_id], mentor_by_id[enrollment.mentor_id]
            for person, organiser in ((mentor, True), (hire, False)):
                participants.append(
                    MeetingParticipant(
                        meeting=meeting,
                        user=person,
                        name=person.display_name,
                        email=person.email,
                        time_zone=person.time_zone,
                        is_organiser=organiser,
                        response=(
                            MeetingResponse.ACCEPTED if organiser else MeetingResponse.NEEDS_ACTION
                        ),
                    )
                )
                bookings.append(
                    MeetingBooking(
                        meeting=meeting,
                        person=f"user:{person.pk}",
                        starts_at=meeting.starts_at,
                        ends_at=meeting.ends_at,
                    )
                )
        _bulk(MeetingParticipant, participants, self.report)
        _bulk(MeetingBooking, bookings, self.report)

    def notifications(self) -> None:
        rows = []
        for enrollment in self.enrollment_rows:
            done = self.done_by_enrollment[enrollment.pk]
            for back in range(min(done, 5)):
                blocks = self.items[done - back - 1]
                at = self.now - datetime.timedelta(days=back, hours=1)
                rows.append(
                    Notification(
                        recipient_id=enrollment.hire_id,
                        kind="daily_item",
                        dedupe_key=f"u{enrollment.hire_id}:daily_item:seed-{back}",
                        title=f"Today: {blocks.item.title}",
                        link=reverse("journey:item", args=[enrollment.pk, blocks.item.pk]),
                        created_at=at,
                        read_at=at + datetime.timedelta(hours=1) if back else None,
                    )
                )
        for submission in self.waiting:
            mentor_id = self.mentor_of[submission.enrollment_id]
            rows.append(
                Notification(
                    recipient_id=mentor_id,
                    kind="new_submission",
                    dedupe_key=f"u{mentor_id}:new_submission:{submission.pk}",
                    title="A mentee submitted a reflection",
                    link=reverse("desk:review", args=[submission.pk]),
                    created_at=submission.submitted_at or self.now,
                )
            )
        _bulk(Notification, rows, self.report)

    def steps(self) -> Iterator[tuple[str, Callable[[], object]]]:
        yield "people", self.people
        yield "program", self.program
        yield "cohorts and enrollments", self.enrollments
        yield "progress, checks and writing", self.progress
        yield "reviews", self.reviews
        yield "questions", self.questions
        yield "meetings", self.meetings
        yield "notifications", self.notifications


def load_instance_seeded() -> bool:
    return User.objects.filter(email__endswith=f"@{DOMAIN}").exists()


def load_instance_seed(
    *,
    hires: int = 5000,
    cohorts: int = 20,
    mentors: int = 200,
    items: int = 25,
    seed: int = 2026,
    progress: Callable[[str, float], None] | None = None,
) -> SeedReport:
    """Create the instance in one transaction: all of it, or (on any error) nothing."""
    import time

    if load_instance_seeded():
        raise ValueError(f"this database already holds a load instance (@{DOMAIN} people)")
    if min(hires, cohorts, mentors) < 1 or not 1 <= items <= len(TOPICS) * 4:
        raise ValueError("hires, cohorts and mentors must be at least 1; items 1 to 100")
    instance = _Instance(hires=hires, cohorts=cohorts, mentors=mentors, items=items, seed=seed)
    with transaction.atomic():
        for name, step in instance.steps():
            began = time.perf_counter()
            step()
            if progress is not None:
                progress(name, time.perf_counter() - began)
    return instance.report
