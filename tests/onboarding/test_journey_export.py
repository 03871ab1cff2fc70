"""A hire downloads everything they wrote: JSON (machine-readable) and Markdown (readable)."""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from curriculum.markdown.structure import BlockKind
from curriculum.models import Block, Item
from onboarding.models import (
    Question,
    QuestionMessage,
    ReviewComment,
    ReviewOutcome,
    SubmissionRound,
)
from onboarding.services.journey import (
    answer_submit,
    block_check_toggle,
    enrollment_create,
    item_complete,
    item_rate,
    meeting_request_create,
    reflection_submit,
)
from tests.onboarding.journey_support import demo_version, generated_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(db):
    return demo_version()


@pytest.fixture
def enrollment(hire, mentor, version):
    return enrollment_create(
        hire=hire, version=version, mentor=mentor, start_date=datetime.date(2026, 11, 2)
    )


def keys(item, kind):
    return list(
        Block.objects.filter(item=item, kind=kind)
        .order_by("position")
        .values_list("key", flat=True)
    )


@pytest.fixture
def written(enrollment, hire, mentor, version):
    """A day done and rated with a reviewed reflection, an answer, a question, a meeting ask."""
    day1 = Item.objects.get(version=version, source_path="chapter_00/day_01.md")
    for key in keys(day1, BlockKind.GOAL)[:1] + keys(day1, BlockKind.ACTION_ITEM):
        block_check_toggle(enrollment=enrollment, by=hire, item=day1, block_key=key, checked=True)
    prompts = keys(day1, BlockKind.REFLECTION_PROMPT)
    reflection = reflection_submit(
        enrollment=enrollment,
        by=hire,
        item=day1,
        answers={key: f"שלום, thought {n} <b>bold</b>" for n, key in enumerate(prompts, 1)},
        notes="# not a heading of the export",
    )
    SubmissionRound.objects.create(
        submission=reflection,
        round=1,
        answers=reflection.answers,
        outcome=ReviewOutcome.ACCEPTED,
        reviewed_by=mentor,
    )
    ReviewComment.objects.create(
        submission=reflection, author=mentor, body="Lovely.", body_html="<p>Lovely.</p>", round=1
    )
    answer_submit(
        enrollment=enrollment,
        by=hire,
        item=day1,
        block_key=keys(day1, BlockKind.QUESTION)[0],
        body="My answer.",
    )
    item_complete(enrollment=enrollment, by=hire, item=day1)
    item_rate(enrollment=enrollment, by=hire, item=day1, rating=4, comment="VPN unclear")
    question = Question.objects.create(
        enrollment=enrollment, item=day1, asked_by=hire, body="Why VPN?", body_html="<p>Why</p>"
    )
    QuestionMessage.objects.create(
        question=question, author=mentor, body="Security.", body_html="<p>Security.</p>"
    )
    day4 = Item.objects.get(version=version, source_path="chapter_01/day_04.md")
    meeting_request_create(
        enrollment=enrollment,
        by=hire,
        item=day4,
        block_key=keys(day4, BlockKind.MEETING_REQUEST)[0],
        note="On-call please",
    )
    return day1


def export(client, enrollment, extension):
    return client.get(
        reverse(f"journey:export_{extension}", kwargs={"enrollment_id": enrollment.pk})
    )


def test_json_export_has_everything_the_hire_wrote(client, hire, enrollment, written):
    client.force_login(hire)
    response = export(client, enrollment, "json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="hana-hire-')
    data = json.loads(response.content)
    assert data["format"] == "onboarding-export/1"
    assert data["hire"]["email"] == hire.email
    assert data["enrollment"]["mentor"] == "Mira Mentor"
    day = next(item for item in data["items"] if item["source"] == "chapter_00/day_01.md")
    assert day["progress"]["rating"] == 4
    assert day["progress"]["rating_comment"] == "VPN unclear"
    assert len(day["checks"]) == 1 + len(keys(written, BlockKind.ACTION_ITEM))
    assert all(check["text"] for check in day["checks"])
    assert day["answers"][0]["body"] == "My answer."
    assert day["answers"][0]["question"]
    reflection = day["reflection"]
    assert reflection["notes"] == "# not a heading of the export"
    assert reflection["prompts"][0]["answer"] == "שלום, thought 1 <b>bold</b>"
    assert reflection["reviewed_rounds"][0]["outcome"] == "accepted"
    assert reflection["review_comments"][0]["body"] == "Lovely."
    assert day["questions"][0]["body"] == "Why VPN?"
    assert day["questions"][0]["messages"][0]["body"] == "Security."
    day4 = next(item for item in data["items"] if item["source"] == "chapter_01/day_04.md")
    assert day4["meeting_requests"][0]["note"] == "On-call please"
    assert day4["meeting_requests"][0]["state"] == "requested"


def test_markdown_export_reads_as_a_document_and_quotes_the_hires_text(
    client, hire, enrollment, written
):
    client.force_login(hire)
    response = export(client, enrollment, "markdown")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    text = response.content.decode()
    assert text.startswith("# Hana Hire: Lighthouse Platform Onboarding")
    assert f"## {written}" in text
    assert "- Rating: 4 of 5" in text
    assert "> שלום, thought 1 <b>bold</b>" in text
    assert "> # not a heading of the export" in text  # quoted: can't break the outline
    assert "Round 1: accepted by Mira Mentor" in text
    assert "> Why VPN?" in text
    assert "### Meeting request (requested)" in text


def test_export_of_a_hire_with_nothing_written_is_still_valid(client, hire, enrollment):
    client.force_login(hire)
    data = json.loads(export(client, enrollment, "json").content)
    assert data["items"] == []
    assert export(client, enrollment, "markdown").status_code == 200


@pytest.mark.parametrize("extension", ["json", "markdown"])
def test_another_hire_and_another_mentor_get_404(
    client, mfa_passed, other_hire, other_mentor, enrollment, written, extension
):
    client.force_login(other_hire)
    assert export(client, enrollment, extension).status_code == 404
    mfa_passed(client, other_mentor)
    assert export(client, enrollment, extension).status_code == 404


@pytest.mark.parametrize("extension", ["json", "markdown"])
def test_anonymous_visitor_is_sent_to_log_in(client, enrollment, extension):
    response = export(client, enrollment, extension)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.query_count("journey:export_json", "journey:export_markdown")
@pytest.mark.parametrize("extension", ["json", "markdown"])
def test_export_query_count_does_not_grow_with_the_program(
    client, hire, other_hire, tmp_path, extension
):
    counts = []
    for person, items in ((hire, 5), (other_hire, 60)):
        enrollment = enrollment_create(
            hire=person, version=generated_version(tmp_path, items=items)
        )
        for item in Item.objects.filter(version=enrollment.version):
            for key in keys(item, BlockKind.GOAL):
                block_check_toggle(
                    enrollment=enrollment, by=person, item=item, block_key=key, checked=True
                )
        client.force_login(person)
        export(client, enrollment, extension)
        with CaptureQueriesContext(connection) as queries:
            assert export(client, enrollment, extension).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
