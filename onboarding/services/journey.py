"""The hire's journey: enrollments, checks, answers, reflections, completing and rating items."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Value, When
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.links import absolute_url
from accounts.models import User
from accounts.permissions import is_program_admin
from accounts.validators import text_clean
from curriculum.markdown.structure import CHECKABLE_KINDS, BlockKind
from curriculum.models import Block, Item, Program, ProgramVersion, VersionState
from curriculum.services import VersionIdentity, version_identity

from ..models import (
    MEETING_REQUEST_OPEN_STATES,
    BlockCheck,
    Cohort,
    CompletionPolicy,
    Enrollment,
    EnrollmentMove,
    EnrollmentState,
    ItemProgress,
    MeetingRequest,
    ProgressState,
    Question,
    Submission,
    SubmissionKind,
    SubmissionState,
    default_working_days,
)
from ..schedule import Schedule, local_today
from ..selectors.journey import item_block, reflection_prompts
from .mail import email_queue
from .notifications import emails_wanted, meeting_requested_notify, submission_submitted_notify

# --- The hire's journey ----------------------------------------------------------------------
# Every function takes the enrollment it writes to and the person acting (`by`). Views get the
# enrollment from `selectors.enrollment_for_user`, which already scopes it to the viewer; the
# services check again so that no caller (a task, a shell, a future view) can write one hire's
# progress as another.

# Limits on what a person types; the forms say the same, these are the last line (the longest,
# TEXT_MAX_CHARS, is `accounts.validators.text_clean`'s default).
COMMENT_MAX_CHARS = 2_000


def _schedule_values_clean(
    *, pace: int, working_days: list[int], holidays: list[str]
) -> tuple[int, list[int], list[str]]:
    try:
        checked = Schedule.build(
            start_date=datetime.date.today(),
            pace=pace,
            working_days=working_days,
            holidays=holidays,
        )
    except (TypeError, ValueError) as error:
        raise ValidationError(f"This schedule can't be used: {error}.", code="schedule") from error
    if pace > 10:
        raise ValidationError("A pace is at most 10 items per working day.", code="schedule")
    return (
        pace,
        sorted(checked.working_days),
        sorted(day.isoformat() for day in checked.holidays),
    )


def enrollment_create(
    *,
    hire: User,
    version: ProgramVersion,
    mentor: User | None = None,
    cohort: Cohort | None = None,
    start_date: datetime.date | None = None,
    pace: int | None = None,
    working_days: list[int] | None = None,
    holidays: list[str] | None = None,
) -> Enrollment:
    """Enroll HIRE in a published VERSION.

    Schedule values not given come from the cohort, then from the defaults (today, one item a
    day, Monday to Friday, no holidays); they are copied, so later cohort edits do not move a
    hire who already started. At most one active enrollment per hire per program.
    """
    if not hire.is_hire:
        raise ValidationError("Only a person with the hire role can be enrolled.", code="role")
    if mentor is not None and not mentor.is_mentor:
        raise ValidationError("The mentor must have the mentor role.", code="role")
    if version.state != VersionState.PUBLISHED:
        raise ValidationError("Hires can only start on a published version.", code="draft")
    pace, working_days, holidays = _schedule_values_clean(
        pace=pace if pace is not None else (cohort.pace if cohort else 1),
        working_days=(
            working_days
            if working_days is not None
            else (cohort.working_days if cohort else default_working_days())
        ),
        holidays=holidays if holidays is not None else (cohort.holidays if cohort else []),
    )
    if start_date is None:
        start_date = (
            cohort.start_date if cohort else local_today(now=timezone.now(), zone=hire.zone)
        )
    with transaction.atomic():
        if Enrollment.objects.filter(
            hire=hire, program_id=version.program_id, state=EnrollmentState.ACTIVE
        ).exists():
            raise ValidationError(
                "This hire already has an active enrollment in this program.", code="duplicate"
            )
        enrollment = Enrollment(
            hire=hire,
            program_id=version.program_id,
            version=version,
            mentor=mentor,
            cohort=cohort,
            start_date=start_date,
            pace=pace,
            working_days=working_days,
            holidays=holidays,
        )
        enrollment.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                enrollment.save()
        except IntegrityError as error:  # a concurrent request won the race
            raise ValidationError(
                "This hire already has an active enrollment in this program.", code="duplicate"
            ) from error
    return enrollment


def _hire_acts(*, enrollment: Enrollment, by: User, item: Item) -> None:
    """The acting person is the enrollment's hire, it is active, and the item is in its version."""
    if enrollment.hire_id != by.pk:
        raise PermissionDenied("Only the hire can change their own progress.")
    if enrollment.state != EnrollmentState.ACTIVE:
        raise ValidationError("This enrollment is not active.", code="inactive")
    if item.version_id != enrollment.version_id:
        raise ValidationError("That item is not part of this program.", code="wrong_item")


def _block(*, item: Item, block_key: str, kinds: frozenset[str]) -> Block:
    block = item_block(item=item, key=block_key, kinds=kinds)
    if block is None:
        raise ValidationError("That part of the page can't be used here.", code="wrong_block")
    return block


def _progress_started(*, enrollment: Enrollment, item: Item) -> ItemProgress:
    """The progress row, locked, created "in progress" on the hire's first interaction."""
    progress, _ = ItemProgress.objects.select_for_update().get_or_create(
        enrollment=enrollment,
        item=item,
        defaults={"state": ProgressState.IN_PROGRESS, "started_at": timezone.now()},
    )
    if progress.state == ProgressState.NOT_STARTED:
        progress.state = ProgressState.IN_PROGRESS
        progress.started_at = timezone.now()
        progress.save(update_fields=["state", "started_at"])
    return progress


def block_check_toggle(
    *, enrollment: Enrollment, by: User, item: Item, block_key: str, checked: bool
) -> bool:
    """Tick or untick a goal, action item or checklist item; returns the new state.

    `checked` is the state wanted, not "flip": a double-clicked or replayed request gives the
    same result. Only goal, action item and checklist item blocks can be checked.
    """
    _hire_acts(enrollment=enrollment, by=by, item=item)
    _block(item=item, block_key=block_key, kinds=frozenset(str(k) for k in CHECKABLE_KINDS))
    with transaction.atomic():
        _progress_started(enrollment=enrollment, item=item)
        if checked:
            # One INSERT ... ON CONFLICT DO NOTHING: a check already there stays as it was
            # (get_or_create took a read, a savepoint, the insert and its release).
            BlockCheck.objects.bulk_create(
                [BlockCheck(enrollment=enrollment, item=item, block_key=block_key)],
                ignore_conflicts=True,
            )
        else:
            BlockCheck.objects.filter(
                enrollment=enrollment, item=item, block_key=block_key
            ).delete()
    return checked


def resource_mark_read(*, enrollment: Enrollment, by: User, item: Item, block_key: str) -> None:
    """Record that the hire read a recommended resource. Idempotent: the first time counts."""
    _hire_acts(enrollment=enrollment, by=by, item=item)
    _block(item=item, block_key=block_key, kinds=frozenset({str(BlockKind.RESOURCE)}))
    with transaction.atomic():
        _progress_started(enrollment=enrollment, item=item)
        BlockCheck.objects.get_or_create(enrollment=enrollment, item=item, block_key=block_key)


_EDITABLE = (SubmissionState.DRAFT, SubmissionState.CHANGES_REQUESTED)


def _submission_locked(
    *, enrollment: Enrollment, item: Item, kind: SubmissionKind, block_key: str
) -> Submission:
    submission, _ = Submission.objects.select_for_update().get_or_create(
        enrollment=enrollment, item=item, kind=kind, block_key=block_key
    )
    if submission.state not in _EDITABLE:
        what = "answer" if kind == SubmissionKind.ANSWER else "reflection"
        if submission.state == SubmissionState.ACCEPTED:
            message = f"Your mentor accepted this {what}; it can no longer be changed."
        else:
            message = f"This {what} is with your mentor; you can change it if they ask for changes."
        raise ValidationError(message, code="locked")
    return submission


def _answer_write(
    *, enrollment: Enrollment, by: User, item: Item, block_key: str, body: str, submit: bool
) -> Submission:
    _hire_acts(enrollment=enrollment, by=by, item=item)
    body = text_clean(body, label="Your answer")
    if submit and not body:
        raise ValidationError("Write an answer before you submit it.", code="empty")
    _block(item=item, block_key=block_key, kinds=frozenset({str(BlockKind.QUESTION)}))
    with transaction.atomic():
        _progress_started(enrollment=enrollment, item=item)
        submission = _submission_locked(
            enrollment=enrollment, item=item, kind=SubmissionKind.ANSWER, block_key=block_key
        )
        _submission_store(submission, body=body, answers={}, submit=submit)
    return submission


def _submission_store(submission: Submission, *, body: str, answers: dict, submit: bool) -> None:
    now = timezone.now()
    submission.body = body
    submission.answers = answers
    submission.updated_at = now
    if submit:
        submission.state = SubmissionState.SUBMITTED
        submission.submitted_at = now
        submission.round += 1
    submission.save()
    if submit:
        # Written in the submit's own transaction, so the mentor hears of it even while the
        # broker is down (the email leaves after commit, or with the outbox sweep).
        submission_submitted_notify(submission=submission)


def answer_save_draft(
    *, enrollment: Enrollment, by: User, item: Item, block_key: str, body: str
) -> Submission:
    """Keep the hire's answer to one question as a draft (saved as they type).

    Refused once submitted (until the mentor asks for changes) and after acceptance.
    """
    return _answer_write(
        enrollment=enrollment, by=by, item=item, block_key=block_key, body=body, submit=False
    )


def answer_submit(
    *, enrollment: Enrollment, by: User, item: Item, block_key: str, body: str
) -> Submission:
    """Send the answer to the mentor for review: it is locked until they ask for changes."""
    return _answer_write(
        enrollment=enrollment, by=by, item=item, block_key=block_key, body=body, submit=True
    )


def _reflection_write(
    *,
    enrollment: Enrollment,
    by: User,
    item: Item,
    answers: dict[str, str],
    notes: str,
    submit: bool,
) -> Submission:
    _hire_acts(enrollment=enrollment, by=by, item=item)
    prompts = [block.key for block in reflection_prompts(item=item)]
    unknown = set(answers) - set(prompts)
    if unknown:
        raise ValidationError("Those prompts are not part of this item.", code="wrong_block")
    cleaned = {
        key: text_clean(answers.get(key, ""), label=f"Your answer to prompt {number}")
        for number, key in enumerate(prompts, start=1)
    }
    notes = text_clean(notes, label="Your notes")
    if submit:
        missing = [number for number, key in enumerate(prompts, start=1) if not cleaned[key]]
        if missing:
            listed = ", ".join(str(number) for number in missing)
            raise ValidationError(
                f"Answer every prompt before you submit (still empty: {listed}).", code="empty"
            )
        if not prompts and not notes:
            raise ValidationError("Write something before you submit.", code="empty")
    with transaction.atomic():
        _progress_started(enrollment=enrollment, item=item)
        submission = _submission_locked(
            enrollment=enrollment, item=item, kind=SubmissionKind.REFLECTION, block_key=""
        )
        _submission_store(submission, body=notes, answers=cleaned, submit=submit)
    return submission


def reflection_save_draft(
    *, enrollment: Enrollment, by: User, item: Item, answers: dict[str, str], notes: str = ""
) -> Submission:
    """Keep the hire's reflection (one text per prompt key, plus free notes) as a draft.

    Refused once submitted (until the mentor asks for changes) and after acceptance.
    """
    return _reflection_write(
        enrollment=enrollment, by=by, item=item, answers=answers, notes=notes, submit=False
    )


def reflection_submit(
    *, enrollment: Enrollment, by: User, item: Item, answers: dict[str, str], notes: str = ""
) -> Submission:
    """Send the reflection to the mentor; every prompt must be answered."""
    return _reflection_write(
        enrollment=enrollment, by=by, item=item, answers=answers, notes=notes, submit=True
    )


def completion_policy_for(*, program_id: int) -> CompletionPolicy:
    """The program's completion rule; an unsaved strict default when none was set."""
    policy = CompletionPolicy.objects.filter(program_id=program_id).first()
    return policy or CompletionPolicy(program_id=program_id)


def item_completion_blockers(*, enrollment: Enrollment, item: Item) -> list[str]:
    """What still stands between the hire and completing ITEM, in words (empty: nothing).

    The program's CompletionPolicy may waive the action items, the reflection, or both.
    """
    policy = completion_policy_for(program_id=enrollment.program_id)
    blocks = list(
        Block.objects.filter(
            item=item, kind__in=[BlockKind.ACTION_ITEM, BlockKind.REFLECTION_PROMPT]
        ).values_list("kind", "key")
    )
    checked = set(
        BlockCheck.objects.filter(enrollment=enrollment, item=item).values_list(
            "block_key", flat=True
        )
    )
    blockers = []
    unchecked = sum(
        1 for kind, key in blocks if kind == BlockKind.ACTION_ITEM and key not in checked
    )
    if unchecked and policy.require_action_items:
        blockers.append(
            f"Check your action items ({unchecked} left)."
            if unchecked > 1
            else "Check your last action item."
        )
    if policy.require_reflection and any(kind == BlockKind.REFLECTION_PROMPT for kind, _ in blocks):
        submitted = Submission.objects.filter(
            enrollment=enrollment,
            item=item,
            kind=SubmissionKind.REFLECTION,
            state__in=[SubmissionState.SUBMITTED, SubmissionState.ACCEPTED],
        ).exists()
        if not submitted:
            blockers.append("Submit your reflection.")
    return blockers


def item_complete(*, enrollment: Enrollment, by: User, item: Item) -> ItemProgress:
    """Mark ITEM completed by the hire.

    Refused (ValidationError, in words) until every action item is checked and the reflection,
    when the item has prompts, is submitted, unless the program's CompletionPolicy waives either
    (see `item_completion_blockers`). The state is `waiting_review` while any of the
    item's submissions waits on the mentor, `done` otherwise. Completing twice changes nothing.
    """
    _hire_acts(enrollment=enrollment, by=by, item=item)
    with transaction.atomic():
        progress = _progress_started(enrollment=enrollment, item=item)
        if progress.completed_at is not None:
            return progress
        blockers = item_completion_blockers(enrollment=enrollment, item=item)
        if blockers:
            raise ValidationError(" ".join(blockers), code="not_ready")
        waiting = Submission.objects.filter(
            enrollment=enrollment, item=item, state=SubmissionState.SUBMITTED
        ).exists()
        progress.state = ProgressState.WAITING_REVIEW if waiting else ProgressState.DONE
        progress.completed_at = timezone.now()
        progress.save(update_fields=["state", "completed_at"])
    return progress


def item_rate(
    *, enrollment: Enrollment, by: User, item: Item, rating: int, comment: str = ""
) -> ItemProgress:
    """Rate a completed item 1 to 5, with an optional comment on what was unclear.

    Only after completion; rating again replaces the earlier rating.
    """
    _hire_acts(enrollment=enrollment, by=by, item=item)
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError("Choose a rating from 1 to 5.", code="rating")
    comment = text_clean(comment, label="Your comment", max_chars=COMMENT_MAX_CHARS)
    with transaction.atomic():
        progress = (
            ItemProgress.objects.select_for_update()
            .filter(enrollment=enrollment, item=item, completed_at__isnull=False)
            .first()
        )
        if progress is None:
            raise ValidationError("Complete the item before you rate it.", code="not_completed")
        progress.rating = rating
        progress.rating_comment = comment
        progress.rated_at = timezone.now()
        progress.save(update_fields=["rating", "rating_comment", "rated_at"])
    return progress


# --- Meeting requests ---------------------------------------------------------------------------

NOTE_MAX_CHARS = 2_000


def meeting_request_create(
    *, enrollment: Enrollment, by: User, item: Item, block_key: str, note: str = ""
) -> MeetingRequest:
    """Ask the mentor to arrange the meeting that a meeting-request block of ITEM calls for.

    Idempotent: while a request for this block is open (requested, being arranged or booked), a
    second call returns it unchanged, so a double click or a replayed form asks once. Only the
    hire asks, only from a meeting-request block of their own version. The mentor's email is an
    outbox row written in the same transaction (dedupe key per request), sent after commit.
    """
    _hire_acts(enrollment=enrollment, by=by, item=item)
    block = _block(
        item=item, block_key=block_key, kinds=frozenset({str(BlockKind.MEETING_REQUEST)})
    )
    note = text_clean(note, label="Your note", max_chars=NOTE_MAX_CHARS)
    with transaction.atomic():
        # The enrollment row is the lock: two concurrent first clicks queue here, and the
        # second sees the first's request instead of tripping the unique constraint.
        Enrollment.objects.select_for_update().filter(pk=enrollment.pk).first()
        existing = MeetingRequest.objects.filter(
            enrollment=enrollment,
            item=item,
            block_key=block_key,
            state__in=MEETING_REQUEST_OPEN_STATES,
        ).first()
        if existing is not None:
            return existing
        _progress_started(enrollment=enrollment, item=item)
        now = timezone.now()
        request = MeetingRequest.objects.create(
            enrollment=enrollment,
            item=item,
            block_key=block_key,
            requested_by=by,
            note=note,
            created_at=now,
            updated_at=now,
        )
        _meeting_request_email(request, block=block)
    return request


def _meeting_request_email(request: MeetingRequest, *, block: Block) -> None:
    enrollment = request.enrollment
    mentor = enrollment.mentor
    if mentor is None or not mentor.is_active:
        # Nobody to tell yet; the request still shows on the hire's page and home, and the
        # mentor desk lists open requests once a mentor is assigned.
        return
    meeting_requested_notify(request=request)  # in-app, as the mentor chose
    if not emails_wanted(mentor, "meeting_requested"):
        return
    path = reverse(
        "journey:item", kwargs={"enrollment_id": enrollment.pk, "item_id": request.item_id}
    )
    context = {
        "hire": enrollment.hire,
        "mentor": mentor,
        "item": request.item,
        "block": block,
        "note": request.note,
        "url": absolute_url(f"{path}#block-{block.position}"),
    }
    email_queue(
        to=mentor.email,
        subject=render_to_string("onboarding/email/meeting_request_subject.txt", context),
        body_text=render_to_string("onboarding/email/meeting_request_message.txt", context),
        dedupe_key=f"meeting-request:{request.pk}",
    )


# --- Moving a hire to a newer version ----------------------------------------------------------


def enrollment_move_to_version(
    *, enrollment: Enrollment, version: ProgramVersion, by: User
) -> Enrollment:
    """Move a hire to a newer published VERSION of the same program (program admins only).

    Everything the hire did follows them where the item still exists: items are matched by
    `curriculum.services.version_identity` (the source path, link and title for external items,
    then content similarity for a renamed or moved file) and progress, checks, submissions,
    meeting requests and questions move to the matching item of VERSION, keeping their block
    keys, or taking the new key of a lightly reworded block (rows for blocks whose text changed
    beyond recognition stay stored, unseen, and come back if the text does). Rows of items the new version no longer has stay on the old item, so nothing the
    hire wrote is lost. A completed item stays completed; its page then says what changed.
    Recorded as an EnrollmentMove. One transaction; refused whole when anything is wrong.
    """
    if not is_program_admin(by):
        raise PermissionDenied("Only a program admin can move a hire to another version.")
    with transaction.atomic():
        enrollment = (
            Enrollment.objects.select_for_update(of=("self",))
            .select_related("version")
            .get(pk=enrollment.pk)
        )
        current = enrollment.version
        if version.program_id != enrollment.program_id:
            raise ValidationError("That version belongs to another program.", code="wrong_program")
        if version.state != VersionState.PUBLISHED:
            raise ValidationError("Hires can only be moved to a published version.", code="draft")
        if version.number <= current.number:
            raise ValidationError(
                f"The hire is on version {current.number}; choose a newer one.", code="not_newer"
            )
        if enrollment.state in (EnrollmentState.FINISHED, EnrollmentState.WITHDRAWN):
            raise ValidationError(
                "Only an active or paused enrollment can be moved.", code="inactive"
            )

        # Renamed or moved files (and lightly reworded blocks) are matched by content, so
        # what the hire recorded on them follows too.
        identity = version_identity(old=current, new=version)
        mapping = identity.items
        if mapping:
            # One UPDATE per table, whatever the size of the program.
            new_item = Case(*(When(item_id=old, then=Value(new)) for old, new in mapping.items()))
            rekeyed = [
                When(item_id=old, block_key=old_key, then=Value(new_key))
                for old, keys in identity.block_keys.items()
                for old_key, new_key in keys.items()
            ]
            for model in (ItemProgress, BlockCheck, Submission, MeetingRequest, Question):
                changes: dict = {"item_id": new_item}
                if rekeyed and model is not ItemProgress:
                    changes["block_key"] = Case(*rekeyed, default=F("block_key"))
                model.objects.filter(  # type: ignore[attr-defined]
                    enrollment=enrollment, item_id__in=list(mapping)
                ).update(**changes)
            _reflection_answers_rekey(enrollment=enrollment, identity=identity)
        EnrollmentMove.objects.create(
            enrollment=enrollment,
            from_version=current,
            to_version=version,
            moved_by=by,
            summary={
                "items": len(mapping),
                "items_left": identity.left,
            },
        )
        enrollment.version = version
        enrollment.save(update_fields=["version"])
    return enrollment


def _reflection_answers_rekey(*, enrollment: Enrollment, identity: VersionIdentity) -> None:
    """A reflection keeps one answer per prompt key: a reworded prompt's answer takes its new key.

    Only reflections on items whose blocks were re-keyed are read (a few rows, already moved)."""
    moved = {identity.items[old]: keys for old, keys in identity.block_keys.items()}
    if not moved:
        return
    for submission in Submission.objects.filter(
        enrollment=enrollment, kind=SubmissionKind.REFLECTION, item_id__in=list(moved)
    ).only("pk", "item_id", "answers"):
        keys = moved[submission.item_id]
        answers = {keys.get(key, key): text for key, text in (submission.answers or {}).items()}
        if answers != submission.answers:
            Submission.objects.filter(pk=submission.pk).update(answers=answers)


# --- How strict completing is, per program ------------------------------------------------------


def completion_policy_set(
    *, program: Program, by: User, require_action_items: bool, require_reflection: bool
) -> CompletionPolicy:
    """Set how strict completing an item is in PROGRAM (program admins only).

    One row per program (created on first use). Takes effect on the next completion; items
    already completed stay completed.
    """
    if not is_program_admin(by):
        raise PermissionDenied("Only a program admin can change how items are completed.")
    with transaction.atomic():
        policy, _ = CompletionPolicy.objects.select_for_update().get_or_create(program=program)
        policy.require_action_items = require_action_items
        policy.require_reflection = require_reflection
        policy.updated_by = by
        policy.updated_at = timezone.now()
        policy.save()
    return policy
