"""The hire's journey, written through the services: every state change, legal and not."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from curriculum.markdown.structure import BlockKind
from curriculum.models import Block, Item
from onboarding.models import (
    BlockCheck,
    Cohort,
    EnrollmentState,
    ItemProgress,
    ProgressState,
    Submission,
    SubmissionState,
)
from onboarding.services.journey import (
    answer_save_draft,
    answer_submit,
    block_check_toggle,
    enrollment_create,
    item_complete,
    item_rate,
    reflection_save_draft,
    reflection_submit,
    resource_mark_read,
)
from tests.onboarding.journey_support import demo_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(db):
    return demo_version()


@pytest.fixture
def enrollment(hire, mentor, version):
    return enrollment_create(
        hire=hire, version=version, mentor=mentor, start_date=datetime.date(2026, 11, 2)
    )


@pytest.fixture
def day1(version):
    return Item.objects.get(version=version, source_path="chapter_00/day_01.md")


def keys(item, kind):
    return list(
        Block.objects.filter(item=item, kind=kind)
        .order_by("position")
        .values_list("key", flat=True)
    )


def all_prompts_answered(item):
    return {
        key: f"My thoughts on {n}." for n, key in enumerate(keys(item, BlockKind.REFLECTION_PROMPT))
    }


def ready_to_complete(enrollment, hire, item):
    for key in keys(item, BlockKind.ACTION_ITEM):
        block_check_toggle(enrollment=enrollment, by=hire, item=item, block_key=key, checked=True)
    reflection_submit(enrollment=enrollment, by=hire, item=item, answers=all_prompts_answered(item))


# --- enrollment ------------------------------------------------------------------------------


def test_enrollment_create_copies_cohort_defaults_and_allows_overrides(hire, version):
    cohort = Cohort.objects.create(
        name="Winter",
        start_date=datetime.date(2026, 12, 1),
        pace=2,
        working_days=[6, 0, 1, 2, 3],
        holidays=["2026-12-25"],
    )
    enrollment = enrollment_create(hire=hire, version=version, cohort=cohort, pace=1)
    assert enrollment.start_date == datetime.date(2026, 12, 1)
    assert enrollment.pace == 1
    assert enrollment.working_days == [0, 1, 2, 3, 6]
    assert enrollment.holidays == ["2026-12-25"]
    assert enrollment.program_id == version.program_id


def test_enrollment_create_refuses_a_second_active_enrollment(enrollment, hire, version):
    with pytest.raises(ValidationError, match="already has an active enrollment"):
        enrollment_create(hire=hire, version=version)


def test_database_enforces_one_active_enrollment_per_program(enrollment):
    enrollment.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        enrollment.save()


def test_enrollment_create_refuses_non_hires_and_bad_schedules(mentor, hire, version):
    with pytest.raises(ValidationError, match="hire role"):
        enrollment_create(hire=mentor, version=version)
    with pytest.raises(ValidationError, match="mentor role"):
        enrollment_create(hire=hire, version=version, mentor=hire)
    with pytest.raises(ValidationError, match="schedule"):
        enrollment_create(hire=hire, version=version, working_days=[9])
    with pytest.raises(ValidationError, match="schedule"):
        enrollment_create(hire=hire, version=version, holidays=["not-a-date"])


# --- checks and resources -------------------------------------------------------------------------


def test_block_check_toggle_sets_the_state_asked_for_and_starts_the_item(enrollment, hire, day1):
    goal = keys(day1, BlockKind.GOAL)[0]
    for _ in range(2):  # a replayed request changes nothing
        block_check_toggle(enrollment=enrollment, by=hire, item=day1, block_key=goal, checked=True)
    assert BlockCheck.objects.filter(enrollment=enrollment, block_key=goal).count() == 1
    progress = ItemProgress.objects.get(enrollment=enrollment, item=day1)
    assert progress.state == ProgressState.IN_PROGRESS
    assert progress.started_at is not None

    block_check_toggle(enrollment=enrollment, by=hire, item=day1, block_key=goal, checked=False)
    assert not BlockCheck.objects.filter(enrollment=enrollment).exists()


def test_block_check_toggle_refuses_blocks_that_are_not_checkable(enrollment, hire, day1):
    question = keys(day1, BlockKind.QUESTION)[0]
    with pytest.raises(ValidationError):
        block_check_toggle(
            enrollment=enrollment, by=hire, item=day1, block_key=question, checked=True
        )
    with pytest.raises(ValidationError):
        block_check_toggle(
            enrollment=enrollment, by=hire, item=day1, block_key="no-such-key", checked=True
        )
    assert not BlockCheck.objects.exists()
    assert not ItemProgress.objects.exists()  # nothing half-saved


def test_block_check_toggle_requires_the_owner(enrollment, other_hire, day1):
    goal = keys(day1, BlockKind.GOAL)[0]
    with pytest.raises(PermissionDenied):
        block_check_toggle(
            enrollment=enrollment, by=other_hire, item=day1, block_key=goal, checked=True
        )
    assert not BlockCheck.objects.exists()


def test_block_check_toggle_refuses_an_item_of_another_program(enrollment, hire, tmp_path):
    from tests.onboarding.journey_support import generated_version

    other = Item.objects.filter(version=generated_version(tmp_path, items=1)).first()
    goal = keys(other, BlockKind.GOAL)[0]
    with pytest.raises(ValidationError, match="not part of this program"):
        block_check_toggle(enrollment=enrollment, by=hire, item=other, block_key=goal, checked=True)


def test_paused_enrollment_refuses_writes(enrollment, hire, day1):
    enrollment.state = EnrollmentState.PAUSED
    enrollment.save()
    with pytest.raises(ValidationError, match="not active"):
        block_check_toggle(
            enrollment=enrollment,
            by=hire,
            item=day1,
            block_key=keys(day1, BlockKind.GOAL)[0],
            checked=True,
        )


def test_resource_mark_read_is_idempotent(enrollment, hire, day1):
    resource = keys(day1, BlockKind.RESOURCE)[0]
    resource_mark_read(enrollment=enrollment, by=hire, item=day1, block_key=resource)
    resource_mark_read(enrollment=enrollment, by=hire, item=day1, block_key=resource)
    assert BlockCheck.objects.filter(block_key=resource).count() == 1
    with pytest.raises(ValidationError):
        resource_mark_read(
            enrollment=enrollment, by=hire, item=day1, block_key=keys(day1, BlockKind.GOAL)[0]
        )


# --- answers and reflections -----------------------------------------------------------------------


def test_answer_draft_then_submit_then_locked(enrollment, hire, day1):
    question = keys(day1, BlockKind.QUESTION)[0]
    answer_save_draft(enrollment=enrollment, by=hire, item=day1, block_key=question, body="Draft")
    answer_save_draft(enrollment=enrollment, by=hire, item=day1, block_key=question, body="Better")
    submission = answer_submit(
        enrollment=enrollment, by=hire, item=day1, block_key=question, body="  Final  "
    )
    assert submission.state == SubmissionState.SUBMITTED
    assert submission.body == "Final"
    assert submission.round == 1
    assert Submission.objects.count() == 1
    with pytest.raises(ValidationError, match="with your mentor"):
        answer_save_draft(
            enrollment=enrollment, by=hire, item=day1, block_key=question, body="Again"
        )


def test_answer_editing_after_acceptance_is_refused(enrollment, hire, day1):
    question = keys(day1, BlockKind.QUESTION)[0]
    submission = answer_submit(
        enrollment=enrollment, by=hire, item=day1, block_key=question, body="Answer"
    )
    Submission.objects.filter(pk=submission.pk).update(state=SubmissionState.ACCEPTED)
    with pytest.raises(ValidationError, match="accepted"):
        answer_submit(enrollment=enrollment, by=hire, item=day1, block_key=question, body="New")
    submission.refresh_from_db()
    assert submission.body == "Answer"


def test_answer_resubmitted_after_changes_requested_counts_a_round(enrollment, hire, day1):
    question = keys(day1, BlockKind.QUESTION)[0]
    submission = answer_submit(
        enrollment=enrollment, by=hire, item=day1, block_key=question, body="One"
    )
    Submission.objects.filter(pk=submission.pk).update(state=SubmissionState.CHANGES_REQUESTED)
    submission = answer_submit(
        enrollment=enrollment, by=hire, item=day1, block_key=question, body="Two"
    )
    assert (submission.round, submission.body) == (2, "Two")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("nul \x00 byte", "control characters"),
        ("override \u202e text", "control characters"),
        ("x" * 20_001, "too long"),
        ("   ", "Write an answer"),
    ],
)
def test_answer_submit_refuses_bad_text_and_saves_nothing(enrollment, hire, day1, body, message):
    question = keys(day1, BlockKind.QUESTION)[0]
    with pytest.raises(ValidationError, match=message):
        answer_submit(enrollment=enrollment, by=hire, item=day1, block_key=question, body=body)
    assert not Submission.objects.exists()
    assert not ItemProgress.objects.exists()


def test_answer_to_a_block_that_is_not_a_question_is_refused(enrollment, hire, day1):
    with pytest.raises(ValidationError):
        answer_submit(
            enrollment=enrollment,
            by=hire,
            item=day1,
            block_key=keys(day1, BlockKind.GOAL)[0],
            body="Hi",
        )


def test_reflection_draft_keeps_partial_answers_and_submit_needs_every_prompt(
    enrollment, hire, day1
):
    first, *_ = keys(day1, BlockKind.REFLECTION_PROMPT)
    draft = reflection_save_draft(
        enrollment=enrollment, by=hire, item=day1, answers={first: "Half"}, notes="notes"
    )
    assert draft.state == SubmissionState.DRAFT
    assert draft.answers[first] == "Half"
    with pytest.raises(ValidationError, match=r"still empty: 2, 3"):
        reflection_submit(enrollment=enrollment, by=hire, item=day1, answers={first: "Half"})
    submitted = reflection_submit(
        enrollment=enrollment, by=hire, item=day1, answers=all_prompts_answered(day1)
    )
    assert submitted.pk == draft.pk
    assert submitted.state == SubmissionState.SUBMITTED


def test_reflection_submit_requires_owner(enrollment, other_hire, day1):
    with pytest.raises(PermissionDenied):
        reflection_submit(
            enrollment=enrollment, by=other_hire, item=day1, answers=all_prompts_answered(day1)
        )
    assert not Submission.objects.exists()


def test_reflection_refuses_unknown_prompts(enrollment, hire, day1):
    with pytest.raises(ValidationError, match="not part of this item"):
        reflection_save_draft(enrollment=enrollment, by=hire, item=day1, answers={"x": "y"})


def test_reflection_with_one_bad_field_saves_nothing(enrollment, hire, day1):
    answers = all_prompts_answered(day1)
    answers[next(iter(answers))] = "bad\x00"
    with pytest.raises(ValidationError, match="prompt 1"):
        reflection_submit(enrollment=enrollment, by=hire, item=day1, answers=answers)
    assert not Submission.objects.exists()


# --- completing and rating ------------------------------------------------------------------------


def test_item_complete_refused_with_unchecked_action_items(enrollment, hire, day1):
    reflection_submit(enrollment=enrollment, by=hire, item=day1, answers=all_prompts_answered(day1))
    with pytest.raises(ValidationError, match="action items"):
        item_complete(enrollment=enrollment, by=hire, item=day1)
    assert ItemProgress.objects.get(item=day1).completed_at is None


def test_item_complete_refused_without_a_submitted_reflection(enrollment, hire, day1):
    for key in keys(day1, BlockKind.ACTION_ITEM):
        block_check_toggle(enrollment=enrollment, by=hire, item=day1, block_key=key, checked=True)
    reflection_save_draft(enrollment=enrollment, by=hire, item=day1, answers={})
    with pytest.raises(ValidationError, match="Submit your reflection"):
        item_complete(enrollment=enrollment, by=hire, item=day1)


def test_item_complete_waits_for_review_then_is_idempotent(enrollment, hire, day1):
    ready_to_complete(enrollment, hire, day1)
    progress = item_complete(enrollment=enrollment, by=hire, item=day1)
    assert progress.state == ProgressState.WAITING_REVIEW
    first = progress.completed_at
    assert item_complete(enrollment=enrollment, by=hire, item=day1).completed_at == first


def test_item_without_requirements_completes_as_done(enrollment, hire, version):
    external = Item.objects.get(version=version, kind="external")
    progress = item_complete(enrollment=enrollment, by=hire, item=external)
    assert progress.state == ProgressState.DONE


def test_item_complete_requires_owner(enrollment, other_hire, version):
    external = Item.objects.get(version=version, kind="external")
    with pytest.raises(PermissionDenied):
        item_complete(enrollment=enrollment, by=other_hire, item=external)


def test_item_rate_only_after_completion_and_within_range(enrollment, hire, day1):
    with pytest.raises(ValidationError, match="Complete the item"):
        item_rate(enrollment=enrollment, by=hire, item=day1, rating=4)
    ready_to_complete(enrollment, hire, day1)
    item_complete(enrollment=enrollment, by=hire, item=day1)
    for bad in (0, 6):
        with pytest.raises(ValidationError, match="1 to 5"):
            item_rate(enrollment=enrollment, by=hire, item=day1, rating=bad)
    with pytest.raises(ValidationError, match="too long"):
        item_rate(enrollment=enrollment, by=hire, item=day1, rating=3, comment="x" * 2001)
    progress = item_rate(enrollment=enrollment, by=hire, item=day1, rating=4, comment="Clear.")
    assert (progress.rating, progress.rating_comment) == (4, "Clear.")


def test_database_refuses_a_rating_out_of_range(enrollment, day1):
    with pytest.raises(IntegrityError), transaction.atomic():
        ItemProgress.objects.create(enrollment=enrollment, item=day1, rating=9)


def test_checks_are_keyed_by_block_key_not_block_row(enrollment, hire, day1):
    goal = keys(day1, BlockKind.GOAL)[0]
    block_check_toggle(enrollment=enrollment, by=hire, item=day1, block_key=goal, checked=True)
    assert BlockCheck.objects.get().block_key == goal
    assert not hasattr(BlockCheck, "block_id")
