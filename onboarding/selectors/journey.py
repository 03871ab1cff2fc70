"""Reads of a hire's journey, scoped to the viewer: what they may not see is a 404.

The hire sees their own enrollments, their current mentors (primary or co-mentor) see them too,
and program admins see all (`_enrollments_visible_to`, the one place that decides). Reading is
all a mentor gets here: the journey services still let only the hire write their progress.
Page reads run a fixed number of queries whatever the size of the program (tests pin them).
"""

import copy
import datetime
import difflib
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.permissions import is_program_admin
from curriculum.markdown.structure import CHECKABLE_KINDS, BlockKind, ItemKind
from curriculum.models import Block, Chapter, Item, ProgramVersion, VersionState
from curriculum.services import block_signature

from ..links import journey_html, links_to_items, path_maker
from ..models import (
    MEETING_REQUEST_WAITING_STATES,
    BlockCheck,
    CompletionPolicy,
    Enrollment,
    EnrollmentMove,
    EnrollmentState,
    ItemProgress,
    MeetingRequest,
    ProgressState,
    Question,
    QuestionMessage,
    ReviewComment,
    Submission,
    SubmissionKind,
    SubmissionRound,
    SubmissionState,
)
from ..permissions import mentored_by
from ..schedule import Schedule, local_today

COMPLETED_STATES = (ProgressState.WAITING_REVIEW, ProgressState.DONE)
# Shown instead of an item's progress state while a mentor has sent one of its writings back.
CHANGES_REQUESTED = "changes_requested"


def _enrollments_visible_to(user: User | AnonymousUser) -> QuerySet[Enrollment]:
    """The hire's own enrollments, their mentors' mentees, and everything for program admins."""
    if not user.is_authenticated or not user.is_active:
        return Enrollment.objects.none()
    if is_program_admin(user):
        return Enrollment.objects.all()
    return Enrollment.objects.filter(Q(hire_id=user.pk) | mentored_by(user))


# The import's report on a version (what changed, every warning) can run to many kilobytes of
# JSON for a real program; the journey never shows it, so its pages do not load it each time.
_VERSION_IMPORT_REPORT = ("version__change_summary", "version__warnings")
# Shown by name only: the mentor's schedule and preferences (JSON) are not decoded for that.
_MENTOR_PREFERENCES = (
    "mentor__working_days",
    "mentor__days_away",
    "mentor__notification_preferences",
)


def enrollment_for_user(*, user: User | AnonymousUser, enrollment_id: int) -> Enrollment:
    """One enrollment the user may see; another person's id and a missing id give the same 404."""
    # A hire (the most common viewer) can only see their own: their row is loaded already.
    own = isinstance(user, User) and not user.is_mentor and not is_program_admin(user)
    # The hire's own pages (the app's busiest) need only the version with the row; their
    # mentor, cohort and program are read when a page shows them (a submit's notice, an
    # export). Joining all four cost more than the rest of a goal check's reads (bench_load).
    related = ["version"] if own else ["mentor", "version__program", "cohort", "hire"]
    enrollment = (
        _enrollments_visible_to(user)
        .select_related(*related)
        .defer(*_VERSION_IMPORT_REPORT)
        .filter(pk=enrollment_id)
        .first()
    )
    if enrollment is None:
        raise Http404("No such enrollment.")
    if own and isinstance(user, User) and enrollment.hire_id == user.pk:
        enrollment.hire = user
    return enrollment


def enrollment_current_for_hire(*, user: User | AnonymousUser) -> Enrollment | None:
    """The hire's own active enrollment shown on their home page (the newest, if several)."""
    if not isinstance(user, User) or not user.is_authenticated:
        return None
    enrollment = (
        Enrollment.objects.filter(hire_id=user.pk, state=EnrollmentState.ACTIVE)
        .select_related("mentor", "version")  # the home page names both
        .defer(*_VERSION_IMPORT_REPORT, *_MENTOR_PREFERENCES)
        .order_by("-created_at")
        .first()
    )
    if enrollment is not None:
        enrollment.hire = user  # the viewer is the hire: their row is loaded already
    return enrollment


def own_journey_item_url(*, user: User | AnonymousUser, item_id: int) -> str | None:
    """The hire's own journey page of ITEM_ID, when one of their enrollments is on its version
    (the newest such); None for anyone else. What a link to the curriculum's reader of an item
    opens for a hire: their page, with their controls. One query, none for a non-hire."""
    if not isinstance(user, User) or not user.is_active or not user.is_hire:
        return None
    enrollment_id = (
        Enrollment.objects.filter(hire_id=user.pk, version__items=item_id)
        .order_by("-created_at")
        .values_list("pk", flat=True)
        .first()
    )
    if enrollment_id is None:
        return None
    return path_maker("journey:item", "enrollment_id", "item_id")(enrollment_id, item_id)


def enrollment_schedule(enrollment: Enrollment) -> Schedule:
    return Schedule.build(
        start_date=enrollment.start_date,
        pace=enrollment.pace,
        working_days=enrollment.working_days,
        holidays=enrollment.holidays,
    )


def enrollment_today(enrollment: Enrollment) -> datetime.date:
    return local_today(now=timezone.now(), zone=enrollment.hire.zone)


# --- the home page ------------------------------------------------------------------------------


@dataclass
class ItemRow:
    item: Item
    index: int  # in program order, from 0
    state: str
    due: datetime.date | None
    is_today: bool = False
    url: str = ""
    changes_requested: bool = False  # a mentor sent one of its answers or reflection back

    @property
    def shown_state(self) -> str:
        """The state a hire should read: "changes requested" outranks waiting or done, as the
        item's progress stays completed while a submission of it is sent back."""
        return CHANGES_REQUESTED if self.changes_requested else self.state

    @property
    def state_label(self) -> str:
        return "Changes requested" if self.changes_requested else ProgressState(self.state).label

    @property
    def completed(self) -> bool:
        return self.state in COMPLETED_STATES

    @property
    def due_label(self) -> str:
        """ "Mon 7 Dec": formatted here, as the |date filter costs a page of 25 items ~2 ms."""
        return f"{self.due:%a} {self.due.day} {self.due:%b}" if self.due else ""


@dataclass
class ChapterRow:
    chapter: Chapter
    items: list[ItemRow] = field(default_factory=list)

    @property
    def done(self) -> int:
        return sum(1 for row in self.items if row.state in COMPLETED_STATES)

    @property
    def total(self) -> int:
        return len(self.items)


@dataclass
class NextAction:
    label: str
    url: str


@dataclass
class ChangesRequested:
    """One answer or reflection the mentor sent back: what the hire must revise first."""

    submission: Submission
    label: str  # "Your reflection", "Your answer to question 2"
    url: str  # the item page, at the answer (or the reflection)
    comment: ReviewComment | None  # the mentor's latest comment on it


@dataclass
class HireHome:
    enrollment: Enrollment
    chapters: list[ChapterRow]
    done: int
    total: int
    today: datetime.date
    today_index: int
    days_ahead: int
    next_action: NextAction | None
    waiting_on_mentor: list[Submission]
    meetings_waiting: list[MeetingRequest] = field(default_factory=list)
    changes_requested: list[ChangesRequested] = field(default_factory=list)

    @property
    def anything_waiting(self) -> bool:
        return bool(self.waiting_on_mentor or self.meetings_waiting)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def today_rows(self) -> list[ItemRow]:
        return [row for chapter in self.chapters for row in chapter.items if row.is_today]

    @property
    def catch_up_rows(self) -> list[ItemRow]:
        """Items due before today and not completed yet (the hire is behind on them)."""
        return [
            row
            for chapter in self.chapters
            for row in chapter.items
            if row.index < self.today_index and not row.completed
        ]


def item_url(enrollment: Enrollment, item_id: int) -> str:
    return reverse("journey:item", kwargs={"enrollment_id": enrollment.pk, "item_id": item_id})


def _outline(version_id: int) -> tuple[tuple[Chapter, ...], tuple[Item, ...]]:
    """A version's chapters and items (names and order only, not their text)."""
    chapters = tuple(Chapter.objects.filter(version_id=version_id).order_by("position"))
    items = tuple(
        Item.objects.filter(version_id=version_id)
        .order_by("chapter__position", "position")
        .only("pk", "chapter_id", "position", "kind", "number", "title", "emoji", "url")
    )
    return chapters, items


@functools.lru_cache(maxsize=256)
def _published_outline(version_id: int) -> tuple[tuple[Chapter, ...], tuple[Item, ...]]:
    """Kept per process like `_published_blocks`: a published version never changes."""
    return _outline(version_id)


def version_outline(
    *, version_id: int, published: bool
) -> tuple[tuple[Chapter, ...], tuple[Item, ...]]:
    """A version's chapters and items in program order (names only), from the process's cache
    when the version is published."""
    return _published_outline(version_id) if published else _outline(version_id)


def hire_home(*, enrollment: Enrollment) -> HireHome:
    """The hire's program with states, schedule and next action: four queries, any size, and
    two more when the mentor sent something back (its comments and question numbers)."""
    chapters, items = version_outline(
        version_id=enrollment.version_id,
        published=enrollment.version.state == VersionState.PUBLISHED,
    )
    states = dict(
        ItemProgress.objects.filter(enrollment=enrollment).values_list("item_id", "state")
    )
    open_writing = list(
        Submission.objects.filter(
            enrollment=enrollment,
            state__in=(SubmissionState.SUBMITTED, SubmissionState.CHANGES_REQUESTED),
        )
        .select_related("item")
        .defer("item__markdown")  # the item's name is shown, not its text
        .order_by("submitted_at", "pk")
    )
    waiting = [s for s in open_writing if s.state == SubmissionState.SUBMITTED]
    sent_back = [s for s in open_writing if s.state == SubmissionState.CHANGES_REQUESTED]
    meetings = list(
        MeetingRequest.objects.filter(
            enrollment=enrollment, state__in=MEETING_REQUEST_WAITING_STATES
        )
        .select_related("item")
        .defer("item__markdown")
        .order_by("created_at")
    )
    schedule = enrollment_schedule(enrollment)
    today = enrollment_today(enrollment)
    today_index = schedule.today_index(today)
    due = schedule.due_dates(len(items))
    rows_by_chapter: dict[int, ChapterRow] = {
        chapter.pk: ChapterRow(chapter) for chapter in chapters
    }
    rows: list[ItemRow] = []
    item_link = path_maker("journey:item", "enrollment_id", "item_id")  # one reverse() a page
    sent_back_items = {s.item_id for s in sent_back}
    for index, item in enumerate(items):
        row = ItemRow(
            item=item,
            index=index,
            state=states.get(item.pk, ProgressState.NOT_STARTED),
            due=due[index] if index < len(due) else None,
            is_today=today_index <= index < today_index + schedule.pace,
            url=item_link(enrollment.pk, item.pk),
            changes_requested=item.pk in sent_back_items,
        )
        rows.append(row)
        rows_by_chapter[item.chapter_id].items.append(row)
    done = sum(1 for row in rows if row.state in COMPLETED_STATES)
    return HireHome(
        enrollment=enrollment,
        chapters=[row for row in rows_by_chapter.values() if row.items],
        done=done,
        total=len(rows),
        today=today,
        today_index=today_index,
        days_ahead=schedule.days_ahead(today=today, done=done, total=len(rows)),
        next_action=_next_action(rows, today_index=today_index, pace=schedule.pace),
        waiting_on_mentor=waiting,
        meetings_waiting=meetings,
        changes_requested=_changes_requested(enrollment, sent_back, item_link),
    )


def _next_action(rows: list[ItemRow], *, today_index: int, pace: int) -> NextAction | None:
    """The day the hire should do next: today's, while it is open; else the next one after it
    (working ahead); else the earliest one left behind. A hire behind on Day 01 while Day 03 is
    today is sent to Day 03, which their cohort and meetings follow; what they left behind is
    listed apart on the home page ("still open from earlier days")."""
    open_rows = [row for row in rows if not row.completed]
    today_end = today_index + pace
    row = (
        next((r for r in open_rows if today_index <= r.index < today_end), None)
        or next((r for r in open_rows if r.index >= today_end), None)
        or next(iter(open_rows), None)
    )
    if row is None:
        return None
    verb = "Continue" if row.state == ProgressState.IN_PROGRESS else "Start"
    return NextAction(label=f"{verb} {row.item}", url=row.url)


def _changes_requested(
    enrollment: Enrollment, sent_back: list[Submission], item_link: Callable[..., str]
) -> list[ChangesRequested]:
    """What the mentor sent back, each with their latest comment and where to revise it. Two
    queries (comments, and the questions' numbers), none when nothing was sent back."""
    if not sent_back:
        return []
    latest: dict[int, ReviewComment] = {}
    for comment in (
        ReviewComment.objects.filter(submission_id__in=[s.pk for s in sent_back])
        .exclude(author_id=enrollment.hire_id)
        .select_related("author")
        .only("submission_id", "body_html", "created_at", "author__display_name", "author__email")
        .order_by("created_at", "pk")
    ):
        latest[comment.submission_id] = comment  # the last one written wins
    answers = [s for s in sent_back if s.kind == SubmissionKind.ANSWER]
    questions: dict[tuple[int, str], Block] = {}
    if answers:
        for block in Block.objects.filter(
            item_id__in={s.item_id for s in answers}, key__in={s.block_key for s in answers}
        ).only("item_id", "key", "position", "data"):
            questions[(block.item_id, block.key)] = block
    result = []
    for submission in sent_back:
        url = item_link(enrollment.pk, submission.item_id)
        if submission.kind == SubmissionKind.REFLECTION:
            label, anchor = "Your reflection", "reflection"
        else:
            question = questions.get((submission.item_id, submission.block_key))
            number = (question.data or {}).get("number") if question is not None else None
            label = f"Your answer to question {number}" if number else "Your answer"
            anchor = f"block-{question.position}" if question is not None else ""
        result.append(
            ChangesRequested(
                submission=submission,
                label=label,
                url=f"{url}#{anchor}" if anchor else url,
                comment=latest.get(submission.pk),
            )
        )
    return result


# --- the item page ------------------------------------------------------------------------------


_KIND_LABELS: dict[str, str] = {
    BlockKind.GOAL: "Goal",
    BlockKind.ACTION_ITEM: "Action item",
    BlockKind.CHECKLIST_ITEM: "Checklist",
}


@dataclass
class BlockView:
    block: Block
    checked: bool = False
    submission: Submission | None = None
    meeting_request: MeetingRequest | None = None  # the open one, else the latest closed one
    answer_form: Any = None  # the view attaches the question's form; selectors don't build forms
    meeting_form: Any = None  # a "Request this meeting" form sent back with its errors
    comments: list[ReviewComment] = field(default_factory=list)  # the review of its answer
    html: str = ""  # the block's HTML with its item links pointing at this journey's pages

    def __post_init__(self) -> None:
        self.html = self.html or self.block.html

    @property
    def changes_requested(self) -> bool:
        return (
            self.submission is not None
            and self.submission.state == SubmissionState.CHANGES_REQUESTED
        )

    @property
    def checkable(self) -> bool:
        return self.block.kind in CHECKABLE_KINDS

    @property
    def kind_label(self) -> str:
        return _KIND_LABELS.get(self.block.kind, "")

    @property
    def answer_locked(self) -> bool:
        return self.submission is not None and self.submission.state in (
            SubmissionState.SUBMITTED,
            SubmissionState.ACCEPTED,
        )

    @property
    def meeting_open(self) -> bool:
        return self.meeting_request is not None and self.meeting_request.is_open

    @property
    def starts_section(self) -> bool:
        """A top-level "## ..." heading (not the day's title): an entry of the day's contents."""
        data = self.block.data or {}
        return self.block.depth == 0 and data.get("level") == 2 and data.get("role") != "title"

    @property
    def todo(self) -> str:
        """ "done" or "open" for what the hire does on this block (ticks, reads, answers, asks
        for a meeting), "" for reading matter. Reflection prompts count once, as the reflection
        (`ItemPage.sections`)."""
        kind = self.block.kind
        if kind in CHECKABLE_KINDS or kind == BlockKind.RESOURCE:
            done = self.checked
        elif kind == BlockKind.QUESTION:
            done = self.answer_locked
        elif kind == BlockKind.MEETING_REQUEST:
            done = self.meeting_open
        else:
            return ""
        return "done" if done else "open"

    @property
    def resource_opens(self) -> bool:
        """A resource whose link may go through the "open and count as read" redirect."""
        return self.block.kind == BlockKind.RESOURCE and bool(
            safe_resource_url((self.block.data or {}).get("url"))
        )


@dataclass
class DaySection:
    """One entry of a day's contents: a "## ..." heading and what the hire did under it."""

    title: str
    anchor: str  # the id of the heading's block on the page
    done: int = 0
    total: int = 0

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.done == self.total


@dataclass
class ItemPage:
    enrollment: Enrollment
    item: Item
    blocks: list[BlockView]
    progress: ItemProgress | None
    reflection: Submission | None
    previous_item_id: int | None
    next_item_id: int | None
    position: int  # 1-based, in program order
    total: int
    policy: CompletionPolicy | None = None
    changes: "ItemChanges | None" = None
    reflection_comments: list[ReviewComment] = field(default_factory=list)

    @property
    def changes_requested(self) -> bool:
        """A mentor sent an answer or the reflection back: the item's state to show the hire."""
        return any(view.changes_requested for view in self.blocks) or (
            self.reflection is not None
            and self.reflection.state == SubmissionState.CHANGES_REQUESTED
        )

    @property
    def sections(self) -> list[DaySection]:
        """The day's contents in order, each with the hire's progress under it (ticks, reads,
        answers, meetings asked for, and the reflection as one). Computed from the blocks the
        page read: no query."""
        sections: list[DaySection] = []
        reflection_counted = False
        for view in self.blocks:
            if view.starts_section:
                number = (view.block.data or {}).get("number")
                title = view.block.title or "Section"
                if view.block.kind == BlockKind.SECTION and number:
                    title = f"{number}. {title}"
                sections.append(DaySection(title=title, anchor=f"block-{view.block.position}"))
            if not sections:
                continue
            if view.block.kind == BlockKind.REFLECTION_PROMPT:
                if reflection_counted:
                    continue
                reflection_counted = True
                state = "done" if self.reflection_locked else "open"
            else:
                state = view.todo
            if state:
                sections[-1].total += 1
                sections[-1].done += state == "done"
        return sections

    @property
    def prompts(self) -> list[Block]:
        return [
            view.block for view in self.blocks if view.block.kind == BlockKind.REFLECTION_PROMPT
        ]

    @property
    def asks_for_meetings(self) -> bool:
        """A meeting is tied to an item through a request from one of its meeting blocks, so an
        item without one has none to show (and the page need not ask)."""
        return any(view.block.kind == BlockKind.MEETING_REQUEST for view in self.blocks)

    @property
    def unchecked_action_items(self) -> int:
        return sum(
            1
            for view in self.blocks
            if view.block.kind == BlockKind.ACTION_ITEM and not view.checked
        )

    @property
    def reflection_locked(self) -> bool:
        return self.reflection is not None and self.reflection.state in (
            SubmissionState.SUBMITTED,
            SubmissionState.ACCEPTED,
        )

    @property
    def completed(self) -> bool:
        return self.progress is not None and self.progress.completed_at is not None

    @property
    def blockers(self) -> list[str]:
        """What the page asks for before "Complete", by the program's completion policy.

        The same rule as `services.item_completion_blockers`, read from what the page loaded.
        """
        policy = self.policy or CompletionPolicy()
        blockers = []
        if policy.require_action_items and self.unchecked_action_items:
            blockers.append(f"Check your action items ({self.unchecked_action_items} left).")
        if policy.require_reflection and self.prompts and not self.reflection_locked:
            blockers.append("Submit your reflection.")
        return blockers

    @property
    def can_complete(self) -> bool:
        return not self.completed and not self.blockers

    @property
    def is_external(self) -> bool:
        return self.item.kind == ItemKind.EXTERNAL


def _item_order(version_id: int) -> tuple[int, ...]:
    return tuple(
        Item.objects.filter(version_id=version_id)
        .order_by("chapter__position", "position")
        .values_list("pk", flat=True)
    )


# A published version never changes (authoring writes a new draft, importing a new version), so
# its blocks and item order are read once per process and kept: the item page is the page hires
# open most, and these were a third of its queries. Drafts are always read fresh. The blocks are
# shared between requests and must be treated as read-only.
@functools.lru_cache(maxsize=2048)
def _published_blocks(item_id: int, content_hash: str) -> tuple[Block, ...]:
    return tuple(Block.objects.filter(item_id=item_id).order_by("position"))


@functools.lru_cache(maxsize=256)
def _published_order(version_id: int) -> tuple[int, ...]:
    return _item_order(version_id)


class _NoSuchItem(LookupError):
    pass


@functools.lru_cache(maxsize=2048)
def _published_item(version_id: int, item_id: int) -> Item:
    """An item of a published version, with its chapter. A missing one raises, so an id typed
    into the address bar is not kept (lru_cache keeps only what returns)."""
    item = Item.objects.filter(version_id=version_id, pk=item_id).select_related("chapter").first()
    if item is None:
        raise _NoSuchItem(item_id)
    return item


def _item_of(enrollment: Enrollment, item_id: int) -> Item | None:
    """ITEM_ID when it belongs to the enrollment's version, with its chapter and version.

    A published version's items come from the per-process cache; the version itself is the
    enrollment's, read in this request, so its state is never stale.
    """
    version = enrollment.version
    if version.state != VersionState.PUBLISHED:
        return (
            Item.objects.filter(version_id=version.pk, pk=item_id)
            .select_related("chapter", "version")
            .first()
        )
    try:
        cached = _published_item(version.pk, item_id)
    except _NoSuchItem:
        return None
    item = copy.copy(cached)  # the cached one is shared between requests
    item.version = version
    return item


def item_page(*, enrollment: Enrollment, item_id: int) -> ItemPage:
    """One item of the enrollment's version with this hire's checks and writing.

    Eight queries whatever the number of blocks or items; a completed item adds at most five
    more to say what changed since (see `item_changes_since_finished`).

    An item of another version (or no item) is a 404, like an enrollment the viewer can't see.
    """
    item = _item_of(enrollment, item_id)
    if item is None:
        raise Http404("No such item.")
    published = item.version.state == VersionState.PUBLISHED
    blocks = (
        list(_published_blocks(item.pk, item.content_hash))
        if published
        else list(Block.objects.filter(item=item).order_by("position"))
    )
    checked = set(
        BlockCheck.objects.filter(enrollment=enrollment, item=item).values_list(
            "block_key", flat=True
        )
    )
    submissions = list(Submission.objects.filter(enrollment=enrollment, item=item))
    answers = {s.block_key: s for s in submissions if s.kind == SubmissionKind.ANSWER}
    reflection = next((s for s in submissions if s.kind == SubmissionKind.REFLECTION), None)
    progress = ItemProgress.objects.filter(enrollment=enrollment, item=item).first()
    meetings = _meeting_requests_by_key(
        MeetingRequest.objects.filter(enrollment=enrollment, item=item)
    )
    policy = CompletionPolicy.objects.filter(program_id=enrollment.program_id).first()
    comments = review_comments(submissions)
    order = (
        _published_order(enrollment.version_id) if published else _item_order(enrollment.version_id)
    )
    index = order.index(item.pk)
    item_ids = frozenset(order)
    return ItemPage(
        enrollment=enrollment,
        item=item,
        blocks=[
            BlockView(
                block=block,
                checked=block.key in checked,
                submission=answers.get(block.key),
                meeting_request=meetings.get(block.key),
                comments=comments.get(answers[block.key].pk, []) if block.key in answers else [],
                html=journey_html(block.html, enrollment_id=enrollment.pk, item_ids=item_ids),
            )
            for block in blocks
        ],
        reflection_comments=comments.get(reflection.pk, []) if reflection else [],
        progress=progress,
        reflection=reflection,
        previous_item_id=order[index - 1] if index > 0 else None,
        next_item_id=order[index + 1] if index + 1 < len(order) else None,
        position=index + 1,
        total=len(order),
        policy=policy,
        changes=item_changes_since_finished(
            enrollment=enrollment, item=item, progress=progress, blocks=blocks
        ),
    )


def review_comments(submissions: list[Submission]) -> dict[int, list[ReviewComment]]:
    """The review thread of each submission that reached the mentor, oldest first, by
    submission id: shown next to the answer it is about. One query, none for drafts only."""
    reviewed = [s.pk for s in submissions if s.state != SubmissionState.DRAFT]
    threads: dict[int, list[ReviewComment]] = {}
    if not reviewed:
        return threads
    for comment in (
        ReviewComment.objects.filter(submission_id__in=reviewed)
        .select_related("author")
        .order_by("created_at", "pk")
    ):
        threads.setdefault(comment.submission_id, []).append(comment)
    return threads


def _meeting_requests_by_key(requests: QuerySet[MeetingRequest]) -> dict[str, MeetingRequest]:
    """Per block key, the open request if there is one, else the latest closed one."""
    chosen: dict[str, MeetingRequest] = {}
    for request in requests.order_by("created_at", "pk"):
        held = chosen.get(request.block_key)
        if held is None or not held.is_open:
            chosen[request.block_key] = request
    return chosen


def block_view(*, enrollment: Enrollment, item: Item, block_key: str) -> BlockView:
    """One block with this hire's check and answer: what an htmx swap re-renders."""
    block = item_block(item=item, key=block_key)
    if block is None:
        raise Http404("No such block.")
    checked = BlockCheck.objects.filter(
        enrollment=enrollment, item=item, block_key=block_key
    ).exists()
    submission = None  # only a question has an answer
    if block.kind == BlockKind.QUESTION:
        submission = Submission.objects.filter(
            enrollment=enrollment, item=item, kind=SubmissionKind.ANSWER, block_key=block_key
        ).first()
    meeting = None
    if block.kind == BlockKind.MEETING_REQUEST:
        meeting = _meeting_requests_by_key(
            MeetingRequest.objects.filter(enrollment=enrollment, item=item, block_key=block_key)
        ).get(block_key)
    comments = review_comments([submission]) if submission is not None else {}
    html = block.html
    if links_to_items(html):  # the version's item ids, only for a block that links to an item
        version = enrollment.version
        published = version.state == VersionState.PUBLISHED
        order = _published_order(version.pk) if published else _item_order(version.pk)
        html = journey_html(html, enrollment_id=enrollment.pk, item_ids=frozenset(order))
    return BlockView(
        block=block,
        checked=checked,
        submission=submission,
        meeting_request=meeting,
        comments=comments.get(submission.pk, []) if submission is not None else [],
        html=html,
    )


def item_for_enrollment(*, enrollment: Enrollment, item_id: int) -> Item:
    """An item of the enrollment's version, for the services; anything else is a 404."""
    item = _item_of(enrollment, item_id)
    if item is None:
        raise Http404("No such item.")
    return item


def published_blocks(item: Item) -> tuple[Block, ...] | None:
    """ITEM's blocks in order from the per-process cache, when its version (already loaded with
    it, as `item_for_enrollment` does) is published; None means "read them from the database".
    The blocks are shared between requests: read-only."""
    if not Item.version.is_cached(item) or item.version.state != VersionState.PUBLISHED:
        return None
    return _published_blocks(item.pk, item.content_hash)


def item_block(*, item: Item, key: str, kinds: frozenset[str] | None = None) -> Block | None:
    """ITEM's block KEY (of one of KINDS, when given), from the per-process cache when the item's
    version is published; None when there is no such block."""
    blocks = published_blocks(item)
    if blocks is not None:
        return next(
            (b for b in blocks if b.key == key and (kinds is None or b.kind in kinds)), None
        )
    found = Block.objects.filter(item=item, key=key)
    return (found if kinds is None else found.filter(kind__in=kinds)).first()


def reflection_prompts(*, item: Item) -> list[Block]:
    """ITEM's wrap-up prompts in authored order: what a posted reflection is checked against,
    without building the whole item page (that is only needed to show the form's errors)."""
    blocks = published_blocks(item)
    if blocks is not None:
        return [block for block in blocks if block.kind == BlockKind.REFLECTION_PROMPT]
    return list(
        Block.objects.filter(item=item, kind=BlockKind.REFLECTION_PROMPT).order_by("position")
    )


# --- resources: the "open and count as read" link ----------------------------------------------


def safe_resource_url(url: object) -> str:
    """URL when it is an absolute http(s) link we may redirect to, else "".

    Only what the curriculum stored on the block ever reaches this: the redirect view never takes
    a URL from the request, so it cannot be made into an open redirect. Other schemes
    (javascript:, data:, relative paths) are refused here as a second line.
    """
    if not isinstance(url, str) or not url or len(url) > 2000:
        return ""
    if any(ord(char) < 33 or ord(char) == 127 for char in url):
        return ""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return ""
    return url


def resource_target(*, item: Item, block_key: str) -> str:
    """The URL a resource block of ITEM points at; 404 for any other block or an unsafe URL."""
    block = Block.objects.filter(item=item, key=block_key, kind=BlockKind.RESOURCE).first()
    url = safe_resource_url((block.data or {}).get("url")) if block is not None else ""
    if not url:
        raise Http404("No such resource.")
    return url


# --- "this day changed since you finished it" --------------------------------------------------

DIFF_MAX_LINES = 200


@dataclass
class BlockChange:
    key: str
    kind: str
    title: str
    change: str  # "added", "removed" or "changed"

    @property
    def kind_label(self) -> str:
        return self.kind.replace("_", " ").capitalize()


@dataclass
class DiffLine:
    kind: str  # "added", "removed", "context" or "gap" (lines left out between changes)
    text: str


@dataclass
class ItemChanges:
    """What differs between the item as the hire finished it and as it is now."""

    finished_on: int  # the version number the hire completed it on
    compared_with: int  # the version number it is compared with
    newer_version: bool  # True: a published version the hire is not on yet
    blocks: list[BlockChange]
    diff: list[DiffLine]
    diff_lines_left_out: int = 0

    @property
    def added(self) -> list[BlockChange]:
        return [change for change in self.blocks if change.change == "added"]

    @property
    def removed(self) -> list[BlockChange]:
        return [change for change in self.blocks if change.change == "removed"]

    @property
    def changed(self) -> list[BlockChange]:
        return [change for change in self.blocks if change.change == "changed"]


def _same_item(item: Item, version_id: int) -> Item | None:
    """ITEM's counterpart in another version, matched as `curriculum.services.item_key` does."""
    found = Item.objects.filter(version_id=version_id)
    if item.source_path:
        found = found.filter(source_path=item.source_path)
    elif item.kind == ItemKind.EXTERNAL:
        found = found.filter(source_path="", kind=item.kind, url=item.url, title=item.title)
    else:
        found = found.filter(source_path="", title=item.title)
    return found.first()


def item_changes_since_finished(
    *,
    enrollment: Enrollment,
    item: Item,
    progress: ItemProgress | None,
    blocks: list[Block] | None = None,
) -> ItemChanges | None:
    """What changed in ITEM since the hire finished it, or None when nothing did.

    Two ways an item changes under a hire: a newer version of the program is published while
    they stay on theirs (compared with that newer version), or a program admin moved them to a
    newer version after they finished it (compared with the version they finished it on, found
    from the EnrollmentMove after their completion). Blocks are matched by stable key; the text
    diff (difflib, of the blocks' Markdown in order) is plain strings, escaped when rendered.
    At most five queries, and none for an item the hire has not completed.
    """
    if progress is None or progress.completed_at is None:
        return None
    current = enrollment.version
    move = (
        EnrollmentMove.objects.filter(enrollment=enrollment, moved_at__gt=progress.completed_at)
        .select_related("from_version")
        .order_by("moved_at")
        .first()
    )
    finished_on: ProgramVersion = move.from_version if move is not None else current
    newer = (
        ProgramVersion.objects.filter(
            program_id=enrollment.program_id,
            state=VersionState.PUBLISHED,
            number__gt=current.number,
        )
        .order_by("-number")
        .first()
    )
    target = newer or current
    if target.pk == finished_on.pk:
        return None
    before = item if finished_on.pk == current.pk else _same_item(item, finished_on.pk)
    after = item if target.pk == current.pk else _same_item(item, target.pk)
    if before is None or after is None:
        return None  # added or dropped as a whole: nothing the hire finished to compare
    wanted = {before.pk, after.pk}
    if blocks is not None:
        wanted -= {item.pk}
    loaded = list(Block.objects.filter(item_id__in=wanted).order_by("position")) if wanted else []
    if blocks is not None:
        loaded += blocks
    old = [b for b in loaded if b.item_id == before.pk]
    new = [b for b in loaded if b.item_id == after.pk]
    old.sort(key=lambda b: b.position)
    new.sort(key=lambda b: b.position)
    changes = _block_changes(old, new)
    if not changes:
        return None
    diff, left_out = _markdown_diff(old, new)
    return ItemChanges(
        finished_on=finished_on.number,
        compared_with=target.number,
        newer_version=newer is not None,
        blocks=changes,
        diff=diff,
        diff_lines_left_out=left_out,
    )


def _signature(block: Block) -> str:
    return block_signature(
        kind=block.kind,
        title=block.title,
        markdown=block.markdown,
        depth=block.depth,
        parent_key=block.parent_key,
        data=block.data,
    )


def _block_changes(old: list[Block], new: list[Block]) -> list[BlockChange]:
    before = {block.key: block for block in old}
    after = {block.key: block for block in new}
    changes = [
        BlockChange(b.key, b.kind, b.title or _first_line(b.markdown), "removed")
        for b in old
        if b.key not in after
    ]
    for block in new:
        if block.key not in before:
            change = "added"
        elif _signature(before[block.key]) != _signature(block):
            change = "changed"
        else:
            continue
        changes.append(
            BlockChange(block.key, block.kind, block.title or _first_line(block.markdown), change)
        )
    return changes


def _first_line(markdown: str) -> str:
    line = next((line.strip() for line in markdown.splitlines() if line.strip()), "")
    return line[:200]


def _markdown_diff(old: list[Block], new: list[Block]) -> tuple[list[DiffLine], int]:
    before = "\n\n".join(block.markdown.strip("\n") for block in old).splitlines()
    after = "\n\n".join(block.markdown.strip("\n") for block in new).splitlines()
    lines: list[DiffLine] = []
    in_header = True  # "--- / +++" file lines come first; a removed "-- x" line must not match
    for line in difflib.unified_diff(before, after, n=1, lineterm=""):
        if in_header and not line.startswith("@@"):
            continue
        in_header = False
        if line.startswith("@@"):
            lines.append(DiffLine("gap", "…"))
        elif line.startswith("+"):
            lines.append(DiffLine("added", line[1:]))
        elif line.startswith("-"):
            lines.append(DiffLine("removed", line[1:]))
        else:
            lines.append(DiffLine("context", line[1:]))
    if lines and lines[0].kind == "gap":
        lines = lines[1:]
    left_out = max(0, len(lines) - DIFF_MAX_LINES)
    return lines[:DIFF_MAX_LINES], left_out


# --- "download everything I wrote" -------------------------------------------------------------

EXPORT_FORMAT = "onboarding-export/1"


def _iso(value: datetime.datetime | datetime.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _person(user: User | None) -> str | None:
    return user.name if user is not None else None


def enrollment_export(*, enrollment: Enrollment) -> dict[str, Any]:
    """Everything the hire wrote and did in ENROLLMENT, as plain JSON-ready data.

    The caller got ENROLLMENT from `enrollment_for_user`, which decides who may export it. Per
    item (of any version the hire was on): progress and rating, checks, answers and the
    reflection with every reviewed round and the review thread, meeting requests, and questions
    with their threads. A mentor's private notes are not the hire's writing and are left out.
    Thirteen queries, whatever the size of the program.
    """
    progress = {row.item_id: row for row in ItemProgress.objects.filter(enrollment=enrollment)}
    checks = list(BlockCheck.objects.filter(enrollment=enrollment).order_by("checked_at", "pk"))
    submissions = list(Submission.objects.filter(enrollment=enrollment).order_by("created_at"))
    rounds = list(
        SubmissionRound.objects.filter(submission__enrollment=enrollment)
        .select_related("reviewed_by")
        .order_by("submission_id", "round")
    )
    comments = list(
        ReviewComment.objects.filter(submission__enrollment=enrollment)
        .select_related("author")
        .order_by("created_at", "pk")
    )
    meetings = list(MeetingRequest.objects.filter(enrollment=enrollment).order_by("created_at"))
    questions = list(
        Question.objects.filter(enrollment=enrollment)
        .select_related("asked_by")
        .order_by("created_at", "pk")
    )
    messages = list(
        QuestionMessage.objects.filter(question__enrollment=enrollment)
        .select_related("author")
        .order_by("created_at", "pk")
    )
    moves = list(
        EnrollmentMove.objects.filter(enrollment=enrollment)
        .select_related("from_version", "to_version", "moved_by")
        .order_by("moved_at")
    )
    touched = set(progress) | {
        row.item_id for rows in (checks, submissions, meetings, questions) for row in rows
    }
    items = list(
        Item.objects.filter(pk__in=touched)
        .select_related("version")
        .order_by("version__number", "chapter__position", "position")
    )
    blocks: dict[tuple[int, str], Block] = {
        (block.item_id, block.key): block
        for block in Block.objects.filter(item_id__in=touched).only(
            "item_id", "key", "kind", "title", "markdown", "position"
        )
    }

    def text_of(item_id: int, key: str) -> str:
        block = blocks.get((item_id, key))
        return (block.title or _first_line(block.markdown)) if block is not None else ""

    def prompts(item_id: int, answers: dict) -> list[dict]:
        return [
            {"block_key": key, "prompt": text_of(item_id, key), "answer": text}
            for key, text in sorted(
                answers.items(),
                key=lambda pair: getattr(blocks.get((item_id, pair[0])), "position", 10**6),
            )
        ]

    def grouped(rows: list, attribute: str) -> dict[int, list]:
        out: dict[int, list] = {}
        for row in rows:
            out.setdefault(getattr(row, attribute), []).append(row)
        return out

    rounds_of, comments_of = grouped(rounds, "submission_id"), grouped(comments, "submission_id")
    messages_of = grouped(messages, "question_id")
    checks_of, submissions_of = grouped(checks, "item_id"), grouped(submissions, "item_id")
    meetings_of, questions_of = grouped(meetings, "item_id"), grouped(questions, "item_id")

    def submission_data(submission: Submission) -> dict:
        data: dict[str, Any] = {
            "state": submission.state,
            "round": submission.round,
            "created_at": _iso(submission.created_at),
            "updated_at": _iso(submission.updated_at),
            "submitted_at": _iso(submission.submitted_at),
        }
        if submission.kind == SubmissionKind.ANSWER:
            data["block_key"] = submission.block_key
            data["question"] = text_of(submission.item_id, submission.block_key)
            data["body"] = submission.body
        else:
            data["prompts"] = prompts(submission.item_id, submission.answers)
            data["notes"] = submission.body
        data["reviewed_rounds"] = [
            {
                "round": row.round,
                "submitted_at": _iso(row.submitted_at),
                "outcome": row.outcome,
                "reviewed_by": _person(row.reviewed_by),
                "reviewed_at": _iso(row.reviewed_at),
                **(
                    {"body": row.body}
                    if submission.kind == SubmissionKind.ANSWER
                    else {"prompts": prompts(submission.item_id, row.answers), "notes": row.body}
                ),
            }
            for row in rounds_of.get(submission.pk, [])
        ]
        data["review_comments"] = [
            {
                "author": _person(row.author),
                "round": row.round,
                "body": row.body,
                "created_at": _iso(row.created_at),
            }
            for row in comments_of.get(submission.pk, [])
        ]
        return data

    def item_data(item: Item) -> dict:
        done = progress.get(item.pk)
        item_submissions = submissions_of.get(item.pk, [])
        reflection = next(
            (s for s in item_submissions if s.kind == SubmissionKind.REFLECTION), None
        )
        return {
            "title": str(item),
            "kind": item.kind,
            "source": item.source_path or item.url,
            "version": item.version.number,
            "in_current_version": item.version_id == enrollment.version_id,
            "progress": None
            if done is None
            else {
                "state": done.state,
                "started_at": _iso(done.started_at),
                "completed_at": _iso(done.completed_at),
                "rating": done.rating,
                "rating_comment": done.rating_comment,
                "rated_at": _iso(done.rated_at),
            },
            "checks": [
                {
                    "block_key": check.block_key,
                    "kind": getattr(blocks.get((item.pk, check.block_key)), "kind", None),
                    "text": text_of(item.pk, check.block_key),
                    "checked_at": _iso(check.checked_at),
                }
                for check in checks_of.get(item.pk, [])
            ],
            "answers": [
                submission_data(s) for s in item_submissions if s.kind == SubmissionKind.ANSWER
            ],
            "reflection": submission_data(reflection) if reflection is not None else None,
            "meeting_requests": [
                {
                    "block_key": meeting.block_key,
                    "meeting": text_of(item.pk, meeting.block_key),
                    "note": meeting.note,
                    "state": meeting.state,
                    "created_at": _iso(meeting.created_at),
                }
                for meeting in meetings_of.get(item.pk, [])
            ],
            "questions": [
                {
                    "block_key": question.block_key,
                    "body": question.body,
                    "state": question.state,
                    "asked_by": _person(question.asked_by),
                    "created_at": _iso(question.created_at),
                    "messages": [
                        {
                            "author": _person(message.author),
                            "body": message.body,
                            "created_at": _iso(message.created_at),
                        }
                        for message in messages_of.get(question.pk, [])
                    ],
                }
                for question in questions_of.get(item.pk, [])
            ],
        }

    return {
        "format": EXPORT_FORMAT,
        "exported_at": _iso(timezone.now()),
        "hire": {
            "name": enrollment.hire.name,
            "email": enrollment.hire.email,
            "time_zone": enrollment.hire.time_zone,
        },
        "enrollment": {
            "id": enrollment.pk,
            "program": enrollment.version.program.title,
            "version": enrollment.version.number,
            "state": enrollment.state,
            "mentor": _person(enrollment.mentor),
            "start_date": _iso(enrollment.start_date),
            "pace": enrollment.pace,
            "working_days": enrollment.working_days,
            "holidays": enrollment.holidays,
            "moves": [
                {
                    "from_version": move.from_version.number,
                    "to_version": move.to_version.number,
                    "moved_by": _person(move.moved_by),
                    "moved_at": _iso(move.moved_at),
                }
                for move in moves
            ],
        },
        "items": [item_data(item) for item in items],
    }


def _quoted(text: str) -> str:
    """The hire's text as a Markdown blockquote, so their own headings can't break the outline."""
    return "\n".join(f"> {line}".rstrip() for line in (text or "").splitlines()) or ">"


def enrollment_export_markdown(export: dict[str, Any]) -> str:
    """The export from `enrollment_export` as a readable Markdown document."""
    enrollment = export["enrollment"]
    out = [
        f"# {export['hire']['name']}: {enrollment['program']}",
        "",
        f"Version {enrollment['version']}, started {enrollment['start_date']}"
        + (f", mentor {enrollment['mentor']}" if enrollment["mentor"] else "")
        + f". Exported {export['exported_at']}.",
    ]
    for item in export["items"]:
        out += ["", f"## {item['title']}", ""]
        if not item["in_current_version"]:
            out += [f"_From version {item['version']} of the program._", ""]
        progress = item["progress"]
        if progress:
            line = f"- State: {progress['state'].replace('_', ' ')}"
            if progress["completed_at"]:
                line += f", completed {progress['completed_at']}"
            out.append(line)
            if progress["rating"]:
                out.append(f"- Rating: {progress['rating']} of 5")
            if progress["rating_comment"]:
                out += ["- What was unclear:", "", _quoted(progress["rating_comment"]), ""]
        if item["checks"]:
            out += ["", "### Checked", ""]
            out += [f"- [x] {check['text'] or check['block_key']}" for check in item["checks"]]
        for answer in item["answers"]:
            out += ["", f"### Answer: {answer['question'] or answer['block_key']}", ""]
            out += [f"_{answer['state'].replace('_', ' ')}, round {answer['round']}_", ""]
            out.append(_quoted(answer["body"]))
            out += _review_markdown(answer)
        reflection = item["reflection"]
        if reflection:
            out += ["", "### Reflection", ""]
            out += [f"_{reflection['state'].replace('_', ' ')}, round {reflection['round']}_"]
            for prompt in reflection["prompts"]:
                out += ["", f"**{prompt['prompt'] or prompt['block_key']}**", ""]
                out.append(_quoted(prompt["answer"]))
            if reflection["notes"]:
                out += ["", "**Notes**", "", _quoted(reflection["notes"])]
            out += _review_markdown(reflection)
        for meeting in item["meeting_requests"]:
            out += ["", f"### Meeting request ({meeting['state']})", ""]
            out.append(meeting["meeting"] or meeting["block_key"])
            if meeting["note"]:
                out += ["", _quoted(meeting["note"])]
        for question in item["questions"]:
            out += ["", f"### Question ({question['state']}, {question['created_at']})", ""]
            out.append(_quoted(question["body"]))
            for message in question["messages"]:
                out += ["", f"{message['author'] or 'Someone'}, {message['created_at']}:", ""]
                out.append(_quoted(message["body"]))
    return "\n".join(out).rstrip() + "\n"


def _review_markdown(submission: dict) -> list[str]:
    out: list[str] = []
    for row in submission["reviewed_rounds"]:
        outcome = row["outcome"].replace("_", " ")
        out += ["", f"Round {row['round']}: {outcome} by {row['reviewed_by'] or 'the mentor'}"]
    for comment in submission["review_comments"]:
        out += ["", f"{comment['author'] or 'Someone'} (round {comment['round']}):", ""]
        out.append(_quoted(comment["body"]))
    return out
