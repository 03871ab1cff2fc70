"""Reads of a hire's journey, scoped to the viewer: what they may not see is a 404.

Today only the hire sees their own enrollment. Issue 5 widens `_enrollments_visible_to` to the
hire's mentor and program admins; every page reads through it, so that is the one place to change.
Page reads run a fixed number of queries whatever the size of the program (tests pin them).
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from curriculum.markdown.structure import CHECKABLE_KINDS, BlockKind, ItemKind
from curriculum.models import Block, Chapter, Item

from ..models import (
    BlockCheck,
    Enrollment,
    EnrollmentState,
    ItemProgress,
    ProgressState,
    Submission,
    SubmissionKind,
    SubmissionState,
)
from ..schedule import Schedule, local_today

COMPLETED_STATES = (ProgressState.WAITING_REVIEW, ProgressState.DONE)


def _enrollments_visible_to(user: User | AnonymousUser) -> QuerySet[Enrollment]:
    if not user.is_authenticated or not user.is_active:
        return Enrollment.objects.none()
    return Enrollment.objects.filter(Q(hire_id=user.pk))


def enrollment_for_user(*, user: User | AnonymousUser, enrollment_id: int) -> Enrollment:
    """One enrollment the user may see; another person's id and a missing id give the same 404."""
    enrollment = (
        _enrollments_visible_to(user)
        .select_related("hire", "mentor", "version__program", "cohort")
        .filter(pk=enrollment_id)
        .first()
    )
    if enrollment is None:
        raise Http404("No such enrollment.")
    return enrollment


def enrollment_current_for_hire(*, user: User | AnonymousUser) -> Enrollment | None:
    """The hire's own active enrollment shown on their home page (the newest, if several)."""
    if not user.is_authenticated:
        return None
    return (
        Enrollment.objects.filter(hire_id=user.pk, state=EnrollmentState.ACTIVE)
        .select_related("hire", "mentor", "version__program")
        .order_by("-created_at")
        .first()
    )


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

    @property
    def state_label(self) -> str:
        return ProgressState(self.state).label


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

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def today_rows(self) -> list[ItemRow]:
        return [row for chapter in self.chapters for row in chapter.items if row.is_today]


def item_url(enrollment: Enrollment, item_id: int) -> str:
    return reverse("journey:item", kwargs={"enrollment_id": enrollment.pk, "item_id": item_id})


def hire_home(*, enrollment: Enrollment) -> HireHome:
    """The hire's program with states, schedule and next action: four queries, any size."""
    chapters = list(Chapter.objects.filter(version_id=enrollment.version_id).order_by("position"))
    items = list(
        Item.objects.filter(version_id=enrollment.version_id)
        .order_by("chapter__position", "position")
        .only("pk", "chapter_id", "position", "kind", "number", "title", "emoji", "url")
    )
    states = dict(
        ItemProgress.objects.filter(enrollment=enrollment).values_list("item_id", "state")
    )
    waiting = list(
        Submission.objects.filter(enrollment=enrollment, state=SubmissionState.SUBMITTED)
        .select_related("item")
        .order_by("submitted_at")
    )
    schedule = enrollment_schedule(enrollment)
    today = enrollment_today(enrollment)
    today_index = schedule.today_index(today)
    due = schedule.due_dates(len(items))
    rows_by_chapter: dict[int, ChapterRow] = {
        chapter.pk: ChapterRow(chapter) for chapter in chapters
    }
    rows: list[ItemRow] = []
    for index, item in enumerate(items):
        row = ItemRow(
            item=item,
            index=index,
            state=states.get(item.pk, ProgressState.NOT_STARTED),
            due=due[index] if index < len(due) else None,
            is_today=today_index <= index < today_index + schedule.pace,
            url=item_url(enrollment, item.pk),
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
        next_action=_next_action(rows),
        waiting_on_mentor=waiting,
    )


def _next_action(rows: list[ItemRow]) -> NextAction | None:
    """The first item in program order the hire has not completed: finish it, or start it."""
    for row in rows:
        if row.state in COMPLETED_STATES:
            continue
        verb = "Continue" if row.state == ProgressState.IN_PROGRESS else "Start"
        return NextAction(label=f"{verb} {row.item}", url=row.url)
    return None


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
    answer_form: Any = None  # the view attaches the question's form; selectors don't build forms

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

    @property
    def prompts(self) -> list[Block]:
        return [
            view.block for view in self.blocks if view.block.kind == BlockKind.REFLECTION_PROMPT
        ]

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
    def can_complete(self) -> bool:
        reflection_ok = not self.prompts or self.reflection_locked
        return not self.completed and self.unchecked_action_items == 0 and reflection_ok

    @property
    def is_external(self) -> bool:
        return self.item.kind == ItemKind.EXTERNAL


def item_page(*, enrollment: Enrollment, item_id: int) -> ItemPage:
    """One item of the enrollment's version with this hire's checks and writing: six queries.

    An item of another version (or no item) is a 404, like an enrollment the viewer can't see.
    """
    item = (
        Item.objects.filter(version_id=enrollment.version_id, pk=item_id)
        .select_related("chapter")
        .first()
    )
    if item is None:
        raise Http404("No such item.")
    blocks = list(Block.objects.filter(item=item).order_by("position"))
    checked = set(
        BlockCheck.objects.filter(enrollment=enrollment, item=item).values_list(
            "block_key", flat=True
        )
    )
    submissions = list(Submission.objects.filter(enrollment=enrollment, item=item))
    answers = {s.block_key: s for s in submissions if s.kind == SubmissionKind.ANSWER}
    reflection = next((s for s in submissions if s.kind == SubmissionKind.REFLECTION), None)
    progress = ItemProgress.objects.filter(enrollment=enrollment, item=item).first()
    order = list(
        Item.objects.filter(version_id=enrollment.version_id)
        .order_by("chapter__position", "position")
        .values_list("pk", flat=True)
    )
    index = order.index(item.pk)
    return ItemPage(
        enrollment=enrollment,
        item=item,
        blocks=[
            BlockView(block=block, checked=block.key in checked, submission=answers.get(block.key))
            for block in blocks
        ],
        progress=progress,
        reflection=reflection,
        previous_item_id=order[index - 1] if index > 0 else None,
        next_item_id=order[index + 1] if index + 1 < len(order) else None,
        position=index + 1,
        total=len(order),
    )


def block_view(*, enrollment: Enrollment, item: Item, block_key: str) -> BlockView:
    """One block with this hire's check and answer: what an htmx swap re-renders."""
    block = Block.objects.filter(item=item, key=block_key).first()
    if block is None:
        raise Http404("No such block.")
    checked = BlockCheck.objects.filter(
        enrollment=enrollment, item=item, block_key=block_key
    ).exists()
    submission = Submission.objects.filter(
        enrollment=enrollment, item=item, kind=SubmissionKind.ANSWER, block_key=block_key
    ).first()
    return BlockView(block=block, checked=checked, submission=submission)


def item_for_enrollment(*, enrollment: Enrollment, item_id: int) -> Item:
    """An item of the enrollment's version, for the services; anything else is a 404."""
    item = Item.objects.filter(version_id=enrollment.version_id, pk=item_id).first()
    if item is None:
        raise Http404("No such item.")
    return item
