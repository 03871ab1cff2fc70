"""A refused action on the item page returns to it (post/redirect/get), never to the POST's URL.

Plain posts are redirected to the item page at the control, which shows the message there and
what was typed, once; a refresh shows the page as it is. htmx posts get the card back in place
(422, which static/js/app.js swaps) and the whole page anew once the action succeeds.
"""

import datetime

import pytest
from django.urls import reverse

from curriculum.markdown.structure import BlockKind
from curriculum.models import Block, Item
from onboarding.models import ItemProgress, Submission, SubmissionState
from onboarding.services.journey import enrollment_create
from tests.onboarding.journey_support import demo_version

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def enrollment(hire, mentor):
    return enrollment_create(
        hire=hire, version=demo_version(), mentor=mentor, start_date=datetime.date(2026, 11, 2)
    )


@pytest.fixture
def day1(enrollment):
    return Item.objects.get(version=enrollment.version, source_path="chapter_00/day_01.md")


def url(name, enrollment, item):
    return reverse(f"journey:{name}", kwargs={"enrollment_id": enrollment.pk, "item_id": item.pk})


def _blocks(item, kind):
    return list(Block.objects.filter(item=item, kind=kind).order_by("position"))


def _section(html: str, element_id: str) -> str:
    start = html.index(f'id="{element_id}"')
    return html[start : html.index("</section>", start)]


def test_completing_too_early_returns_to_the_button_once(client, hire, enrollment, day1):
    client.force_login(hire)
    response = client.post(url("item_complete", enrollment, day1))
    assert response.status_code == 302
    assert response["Location"] == url("item", enrollment, day1) + "#complete"
    card = _section(client.get(response["Location"]).content.decode(), "complete")
    assert 'id="complete-refused"' in card and "Check your action items" in card
    assert 'aria-describedby="complete-refused"' in card
    # a refresh is a GET of the item page: nothing re-submitted, the message gone
    again = client.get(response["Location"]).content.decode()
    assert 'id="complete-refused"' not in again
    assert not ItemProgress.objects.filter(completed_at__isnull=False).exists()


def test_an_empty_reflection_comes_back_with_what_was_typed(client, hire, enrollment, day1):
    client.force_login(hire)
    response = client.post(
        url("reflection_save", enrollment, day1),
        {"prompt_1": "My first thought, kept.", "notes": "A note too.", "action": "submit"},
    )
    assert response.status_code == 302
    assert response["Location"] == url("item", enrollment, day1) + "#reflection"
    card = _section(client.get(response["Location"]).content.decode(), "reflection")
    assert "still empty" in card
    assert "My first thought, kept." in card and "A note too." in card
    assert not Submission.objects.exists()
    assert "still empty" not in client.get(response["Location"]).content.decode()


def test_with_htmx_a_refused_reflection_is_swapped_in_place(client, hire, enrollment, day1):
    client.force_login(hire)
    response = client.post(
        url("reflection_save", enrollment, day1),
        {"prompt_1": "Typed.", "action": "submit"},
        headers=HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert html.lstrip().startswith('<section class="card reflection" id="reflection"')
    assert "still empty" in html and "Typed." in html
    prompts = _blocks(day1, BlockKind.REFLECTION_PROMPT)
    answers = {f"prompt_{n}": f"Thought {n}" for n in range(1, len(prompts) + 1)}
    response = client.post(
        url("reflection_save", enrollment, day1), {**answers, "action": "submit"}, headers=HTMX
    )
    assert response.status_code == 200
    assert response["HX-Refresh"] == "true"  # the page again, reflection and "Complete" as now
    assert Submission.objects.get().state == SubmissionState.SUBMITTED


def test_with_htmx_complete_is_refused_in_place_then_succeeds_after_the_fix(
    client, hire, enrollment, day1
):
    client.force_login(hire)
    response = client.post(url("item_complete", enrollment, day1), headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 422
    assert html.lstrip().startswith('<section class="card complete-card" id="complete"')
    assert 'id="complete-refused"' in html
    for block in _blocks(day1, BlockKind.ACTION_ITEM):
        client.post(url("block_check", enrollment, day1), {"block_key": block.key, "checked": "1"})
    prompts = _blocks(day1, BlockKind.REFLECTION_PROMPT)
    answers = {f"prompt_{n}": "Done." for n in range(1, len(prompts) + 1)}
    client.post(url("reflection_save", enrollment, day1), {**answers, "action": "submit"})
    response = client.post(url("item_complete", enrollment, day1), headers=HTMX)
    assert response["HX-Refresh"] == "true"
    page = client.get(url("item", enrollment, day1)).content.decode()
    assert 'id="complete-refused"' not in page and "Completed ✓" in page


def test_an_htmx_refused_answer_is_a_422_block_with_the_text(client, hire, enrollment, day1):
    question = _blocks(day1, BlockKind.QUESTION)[0]
    client.force_login(hire)
    response = client.post(
        url("answer_save", enrollment, day1),
        {"block_key": question.key, "body": "y" * 20_001, "action": "submit"},
        headers=HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert f'id="block-{question.position}"' in html and "<html" not in html
    assert 'class="errorlist' in html and "y" * 20_001 in html


def test_a_refused_answer_keeps_its_text_on_the_page_it_came_from(client, hire, enrollment, day1):
    question = _blocks(day1, BlockKind.QUESTION)[0]
    client.force_login(hire)
    body = "z" * 20_001
    response = client.post(
        url("answer_save", enrollment, day1),
        {"block_key": question.key, "body": body, "action": "submit"},
    )
    html = client.get(response["Location"]).content.decode()
    assert body in html
    assert f'id="id_answer_{question.position}_body"' in html  # its own block's field ids


def test_a_refused_tick_returns_to_the_block_with_the_message(client, hire, enrollment, day1):
    """A paused enrollment refuses ticks: in place with htmx, back on the page without."""
    from onboarding.models import BlockCheck, Enrollment, EnrollmentState

    Enrollment.objects.filter(pk=enrollment.pk).update(state=EnrollmentState.PAUSED)
    goal = _blocks(day1, BlockKind.GOAL)[0]
    client.force_login(hire)
    target = url("block_check", enrollment, day1)
    response = client.post(target, {"block_key": goal.key, "checked": "1"}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 422
    assert html.lstrip().startswith(f'<div class="block block--goal" id="block-{goal.position}"')
    assert "This enrollment is not active." in html
    response = client.post(target, {"block_key": goal.key, "checked": "1"})
    assert response.status_code == 302
    assert response["Location"] == url("item", enrollment, day1) + f"#block-{goal.position}"
    assert "This enrollment is not active." in client.get(response["Location"]).content.decode()
    assert not BlockCheck.objects.exists()
