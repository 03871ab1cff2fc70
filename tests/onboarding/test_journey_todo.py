"""The hire's home is their to-do list: what the mentor sent back first, then today's day.

The home button points at the day to do next (today's, not the first one left behind), and an
item whose answer or reflection was sent back says "Changes requested" wherever it is listed.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from curriculum.markdown.structure import BlockKind
from curriculum.models import Block, Item
from onboarding.demo import working_days_ago
from onboarding.models import Submission
from onboarding.schedule import local_today
from onboarding.selectors.journey import hire_home
from onboarding.services.journey import (
    answer_submit,
    block_check_toggle,
    enrollment_create,
    item_complete,
    reflection_submit,
)
from onboarding.services.review import submission_request_changes
from tests.onboarding.journey_support import demo_version, generated_version

pytestmark = pytest.mark.django_db


def _items(version) -> list[Item]:
    return list(Item.objects.filter(version=version).order_by("chapter__position", "position"))


def _blocks(item, kind) -> list[Block]:
    return list(Block.objects.filter(item=item, kind=kind).order_by("position"))


def _enroll(hire, mentor, version, *, working_days: int):
    today = local_today(now=timezone.now(), zone=hire.zone)
    return enrollment_create(
        hire=hire, version=version, mentor=mentor, start_date=working_days_ago(today, working_days)
    )


def _finish(enrollment, hire, item, *, answer: str = ""):
    """Tick what must be ticked, submit the reflection (and answers), complete ITEM."""
    for block in _blocks(item, BlockKind.ACTION_ITEM):
        block_check_toggle(
            enrollment=enrollment, by=hire, item=item, block_key=block.key, checked=True
        )
    for block in _blocks(item, BlockKind.QUESTION):
        answer_submit(
            enrollment=enrollment, by=hire, item=item, block_key=block.key, body=answer or "42"
        )
    prompts = _blocks(item, BlockKind.REFLECTION_PROMPT)
    if prompts:
        reflection_submit(
            enrollment=enrollment, by=hire, item=item, answers={p.key: "Fine." for p in prompts}
        )
    item_complete(enrollment=enrollment, by=hire, item=item)


def _today_is_weekday():
    return datetime.date.today().weekday() < 5


# --- the day to do next ---------------------------------------------------------------------------


def test_the_home_button_points_at_today_not_at_an_earlier_day_left_open(hire, mentor, db):
    version = demo_version()
    items = _items(version)
    enrollment = _enroll(hire, mentor, version, working_days=3)  # today is the 4th item
    first_goal = _blocks(items[1], BlockKind.GOAL)[0]
    block_check_toggle(  # Day 01 begun, not finished: "Continue Day 01" was the bug
        enrollment=enrollment, by=hire, item=items[1], block_key=first_goal.key, checked=True
    )
    home = hire_home(enrollment=enrollment)
    today = home.today_rows[0]
    if not _today_is_weekday():  # on a day off, "today" is the next working day's item
        assert today.index == home.today_index
    assert today.item.pk == items[home.today_index].pk
    assert home.next_action is not None
    assert home.next_action.url == today.url
    assert home.next_action.label == f"Start {today.item}"
    # what was left behind is listed apart, the begun one with its state
    behind = {row.item.pk: row.state_label for row in home.catch_up_rows}
    assert behind[items[1].pk] == "In progress"
    assert items[0].pk in behind and today.item.pk not in behind


def test_with_today_done_the_button_goes_on_to_the_next_day(hire, mentor, db, tmp_path):
    version = generated_version(tmp_path, items=5)
    items = _items(version)
    enrollment = _enroll(hire, mentor, version, working_days=1)
    home = hire_home(enrollment=enrollment)
    _finish(enrollment, hire, items[home.today_index])
    home = hire_home(enrollment=enrollment)
    assert home.next_action.url.endswith(f"/items/{items[home.today_index + 1].pk}/")


def test_past_the_end_the_button_goes_back_to_what_is_still_open(hire, mentor, db, tmp_path):
    version = generated_version(tmp_path, items=3)
    items = _items(version)
    enrollment = _enroll(hire, mentor, version, working_days=10)
    _finish(enrollment, hire, items[0])
    home = hire_home(enrollment=enrollment)
    assert home.next_action.url.endswith(f"/items/{items[1].pk}/")
    for item in items[1:]:
        _finish(enrollment, hire, item)
    assert hire_home(enrollment=enrollment).next_action is None


def test_home_page_shows_today_and_what_was_left_behind(client, hire, mentor, db):
    version = demo_version()
    items = _items(version)
    enrollment = _enroll(hire, mentor, version, working_days=3)
    home = hire_home(enrollment=enrollment)
    client.force_login(hire)
    html = client.get(reverse("home")).content.decode()
    today = home.today_rows[0]
    assert f"data-next-action>Start {escape(today.item)}</a>" in html
    assert 'data-todo="today"' in html and 'data-todo="behind"' in html
    assert "Still open from earlier days" in html and escape(items[0]) in html


# --- "needs your changes" -------------------------------------------------------------------------


@pytest.fixture
def sent_back(hire, mentor, tmp_path):
    """Two days finished, each answer and reflection sent back with a comment."""
    version = generated_version(tmp_path, items=3)
    items = _items(version)
    enrollment = _enroll(hire, mentor, version, working_days=2)
    for item in items[:2]:
        _finish(enrollment, hire, item, answer="My first try.")
    for number, submission in enumerate(
        Submission.objects.filter(enrollment=enrollment).order_by("pk"), start=1
    ):
        submission_request_changes(
            submission=submission, by=mentor, comment=f"Please say more, **point {number}**."
        )
    return enrollment, items


def test_changes_requested_come_first_on_home_with_the_mentors_comment(client, hire, sent_back):
    enrollment, items = sent_back
    client.force_login(hire)
    html = client.get(reverse("home")).content.decode()
    assert html.index("Needs your changes") < html.index("Today")
    assert html.index("Needs your changes") < html.index("data-next-action")
    for number in range(1, 5):
        assert f"Please say more, <strong>point {number}</strong>." in html
    question = _blocks(items[0], BlockKind.QUESTION)[0]
    answer_link = reverse("journey:item", args=[enrollment.pk, items[0].pk])
    assert f'href="{answer_link}#block-{question.position}"' in html
    assert f'href="{answer_link}#reflection"' in html
    assert "Your answer to question 1 on" in html and "Your reflection on" in html


def test_a_sent_back_item_says_changes_requested_in_the_outline(client, hire, sent_back):
    enrollment, items = sent_back
    home = hire_home(enrollment=enrollment)
    states = {row.item.pk: row.state_label for c in home.chapters for row in c.items}
    assert states[items[0].pk] == states[items[1].pk] == "Changes requested"
    assert states[items[2].pk] != "Changes requested"
    client.force_login(hire)
    html = client.get(reverse("home")).content.decode()
    assert html.count("journey__item--changes_requested") == 2


def test_home_queries_stay_flat_with_more_items_sent_back(client, hire, mentor, sent_back):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    enrollment, items = sent_back
    client.force_login(hire)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as two_items:
        client.get(reverse("home"))
    _finish(enrollment, hire, items[2], answer="Third.")
    for submission in Submission.objects.filter(enrollment=enrollment, item=items[2]):
        submission_request_changes(submission=submission, by=mentor, comment="And this one.")
    with CaptureQueriesContext(connection) as three_items:
        response = client.get(reverse("home"))
    assert "And this one." in response.content.decode()
    assert len(three_items) == len(two_items)


# --- the item page: the comment beside its answer, the state says so -----------------------------


def test_the_mentors_comment_stands_beside_the_answer_it_is_about(client, hire, sent_back):
    enrollment, items = sent_back
    client.force_login(hire)
    html = client.get(reverse("journey:item", args=[enrollment.pk, items[0].pk])).content.decode()
    question = _blocks(items[0], BlockKind.QUESTION)[0]
    block_start = html.index(f'id="block-{question.position}"')
    block_end = html.index('id="block-', block_start + 1)
    in_block = html[block_start:block_end]
    assert "Please say more, <strong>point 1</strong>." in in_block
    assert "Changes requested: revise and submit again" in in_block
    reflection = html[html.index('id="reflection"') :]
    assert "Please say more, <strong>point 2</strong>." in reflection.split("</section>")[0]
    assert 'id="review"' not in html  # no second copy in a card further down
    assert 'data-item-state="changes_requested">Changes requested<' in html


def test_an_htmx_swapped_answer_keeps_its_comment(client, hire, sent_back):
    enrollment, items = sent_back
    question = _blocks(items[0], BlockKind.QUESTION)[0]
    client.force_login(hire)
    response = client.post(
        reverse("journey:answer_save", args=[enrollment.pk, items[0].pk]),
        {"block_key": question.key, "body": "A better try.", "action": "draft"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "Please say more, <strong>point 1</strong>." in response.content.decode()


def test_item_page_queries_stay_flat_with_more_reviewed_answers(client, hire, mentor, tmp_path):
    """Two questions, each answered and reviewed, read as many queries as one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def day(questions: int) -> str:
        lines = ["# Day 00 - Questions", ""]
        for n in range(1, questions + 1):
            lines += [f"## Exercise {n}: Part {n}", "", f"What is part {n}?", ""]
        return "\n".join(lines)

    counts = []
    for questions in (1, 3):
        from curriculum.services import program_import

        path = tmp_path / f"q{questions}" / "day_00.md"
        path.parent.mkdir()
        path.write_text(day(questions))
        version = program_import(source=path, program_slug=f"q{questions}", publish=True).version
        item = _items(version)[0]
        enrollment = enrollment_create(hire=hire, version=version, mentor=mentor)
        for block in _blocks(item, BlockKind.QUESTION):
            answer_submit(enrollment=enrollment, by=hire, item=item, block_key=block.key, body="a")
        for submission in Submission.objects.filter(enrollment=enrollment):
            submission_request_changes(submission=submission, by=mentor, comment="More.")
        client.force_login(hire)
        page = reverse("journey:item", args=[enrollment.pk, item.pk])
        client.get(page)
        with CaptureQueriesContext(connection) as queries:
            html = client.get(page).content.decode()
        assert html.count("More.</p>") == questions
        counts.append(len(queries))
    assert counts[0] == counts[1]
