"""Fixtures and helpers shared by the mentor's desk tests (review, questions, pages)."""

import datetime

import pytest

from curriculum.markdown.structure import BlockKind
from curriculum.models import Block, Item
from onboarding.services.journey import answer_submit, enrollment_create, reflection_submit
from tests.onboarding.journey_support import demo_version


@pytest.fixture
def version(db):
    return demo_version()


@pytest.fixture
def enrollment(hire, mentor, version):
    return enrollment_create(
        hire=hire, version=version, mentor=mentor, start_date=datetime.date(2026, 11, 2)
    )


@pytest.fixture
def other_enrollment(other_hire, other_mentor, version):
    return enrollment_create(
        hire=other_hire,
        version=version,
        mentor=other_mentor,
        start_date=datetime.date(2026, 11, 2),
    )


@pytest.fixture
def day1(version):
    return Item.objects.get(version=version, source_path="chapter_00/day_01.md")


def prompt_keys(item):
    return list(
        Block.objects.filter(item=item, kind=BlockKind.REFLECTION_PROMPT)
        .order_by("position")
        .values_list("key", flat=True)
    )


def question_key(item):
    return (
        Block.objects.filter(item=item, kind=BlockKind.QUESTION)
        .order_by("position")
        .values_list("key", flat=True)
        .first()
    )


def submit_reflection(enrollment, item, text="First thoughts"):
    answers = {key: f"{text} on prompt {n}" for n, key in enumerate(prompt_keys(item), start=1)}
    return reflection_submit(enrollment=enrollment, by=enrollment.hire, item=item, answers=answers)


def submit_answer(enrollment, item, body="My answer"):
    return answer_submit(
        enrollment=enrollment,
        by=enrollment.hire,
        item=item,
        block_key=question_key(item),
        body=body,
    )


@pytest.fixture
def day3(version):
    """A day with exercise questions (answers) as well as reflection prompts."""
    return Item.objects.get(version=version, source_path="chapter_01/day_03.md")
