"""The hire's journey through its pages: access, query counts, htmx and plain posts, bad input."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from curriculum.markdown.structure import BlockKind
from curriculum.models import Block, Item
from onboarding.models import BlockCheck, ItemProgress, ProgressState, Submission, SubmissionState
from onboarding.services.journey import enrollment_create, reflection_submit
from tests.onboarding.journey_support import demo_version, generated_version
from tests.support.clock import pin_clock

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


def url(name, enrollment, item):
    return reverse(f"journey:{name}", kwargs={"enrollment_id": enrollment.pk, "item_id": item.pk})


def keys(item, kind):
    return list(
        Block.objects.filter(item=item, kind=kind)
        .order_by("position")
        .values_list("key", flat=True)
    )


JOURNEY_ROUTES = [
    ("item", "get"),
    ("block_check", "post"),
    ("resource_read", "post"),
    ("answer_save", "post"),
    ("reflection_save", "post"),
    ("item_complete", "post"),
    ("item_rate", "post"),
    ("meeting_request", "post"),
]


# --- access --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "method"), JOURNEY_ROUTES)
def test_another_hire_gets_404_on_every_journey_url(
    client, other_hire, enrollment, day1, name, method
):
    client.force_login(other_hire)
    response = getattr(client, method)(url(name, enrollment, day1), {"block_key": "x"})
    assert response.status_code == 404
    assert not BlockCheck.objects.exists() and not Submission.objects.exists()


@pytest.mark.parametrize(("name", "method"), JOURNEY_ROUTES)
def test_another_mentor_gets_404_on_every_journey_url(
    client, mfa_passed, other_mentor, enrollment, day1, name, method
):
    mfa_passed(client, other_mentor)
    response = getattr(client, method)(url(name, enrollment, day1), {"block_key": "x"})
    assert response.status_code == 404


@pytest.mark.parametrize(("name", "method"), JOURNEY_ROUTES)
def test_anonymous_visitor_is_sent_to_log_in(client, enrollment, day1, name, method):
    response = getattr(client, method)(url(name, enrollment, day1))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_another_users_id_and_a_missing_id_give_the_same_404(client, other_hire, enrollment, day1):
    client.force_login(other_hire)
    theirs = client.get(url("item", enrollment, day1))
    missing = client.get(
        reverse("journey:item", kwargs={"enrollment_id": 999_999, "item_id": day1.pk})
    )
    assert theirs.status_code == missing.status_code == 404
    assert theirs.content == missing.content


def test_an_item_of_another_program_is_a_404(client, hire, enrollment, tmp_path):
    other = Item.objects.filter(version=generated_version(tmp_path, items=1)).first()
    client.force_login(hire)
    assert client.get(url("item", enrollment, other)).status_code == 404


# --- home ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "behind", "next_index"),
    [
        # started on Monday 2 November 2026, nothing done: six working days later, behind and
        # sent to that day's item (what is left behind is listed apart)
        (datetime.datetime(2026, 11, 10, 10, tzinfo=datetime.UTC), True, 6),
        (datetime.datetime(2026, 11, 2, 10, tzinfo=datetime.UTC), False, 0),
    ],
    ids=["a week in", "day one"],
)
def test_home_shows_the_program_today_and_next_action(
    client, hire, enrollment, day1, version, monkeypatch, moment, behind, next_index
):
    pin_clock(monkeypatch, moment)
    client.force_login(hire)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Lighthouse Platform Onboarding" in html
    assert 'id="journey-progress"' in html
    in_order = Item.objects.filter(version=version).order_by("chapter__position", "position")
    next_action = escape(f"Start {in_order[next_index]}")
    assert next_action in html, re.findall(r"(?:Start|Continue)[^<]{0,40}", html)
    assert ("behind schedule" in html) is behind


def test_home_without_enrollment_says_so(client, hire):
    client.force_login(hire)
    assert "not enrolled in a program yet" in client.get(reverse("home")).content.decode()


# + the header bell (notifications), + the meetings ahead card; a published version's chapters
# and items come from the process's cache after the first view (two fewer)
HOME_QUERIES = 11
# + FAQ and questions (desk), + the bell, + this item's meetings (day 1 has a meeting block; an
# item without one has no meetings to read: one fewer); a published version's item, blocks and
# item order come from the process's cache after the page's first view (three fewer)
ITEM_QUERIES = 15
ITEM_WITHOUT_MEETINGS_QUERIES = ITEM_QUERIES - 1


def test_home_query_count_is_pinned(client, hire, enrollment, django_assert_num_queries):
    client.force_login(hire)
    client.get(reverse("home"))
    with django_assert_num_queries(HOME_QUERIES):
        client.get(reverse("home"))


def test_item_page_query_count_is_pinned(client, hire, enrollment, day1, django_assert_num_queries):
    client.force_login(hire)
    client.get(url("item", enrollment, day1))
    with django_assert_num_queries(ITEM_QUERIES):
        client.get(url("item", enrollment, day1))


def _count_queries(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.query_count("home")
def test_home_query_count_does_not_grow_with_items(client, hire, other_hire, tmp_path):
    small = enrollment_create(hire=hire, version=generated_version(tmp_path, items=5))
    big = enrollment_create(hire=other_hire, version=generated_version(tmp_path, items=60))
    for enrollment in (small, big):  # some progress, so states are read too
        ItemProgress.objects.create(
            enrollment=enrollment,
            item=Item.objects.filter(version=enrollment.version).first(),
            state=ProgressState.DONE,
        )
    client.force_login(hire)
    client.get(reverse("home"))  # warm the session
    small_count = _count_queries(client, reverse("home"))
    client.force_login(other_hire)
    client.get(reverse("home"))
    big_count = _count_queries(client, reverse("home"))
    assert small_count == big_count
    # session, user, MFA check, session save, enrollment, progress, waiting submissions,
    # waiting meeting requests... (chapters and items: cached, the version is published)
    assert small_count == HOME_QUERIES


def _tiny_version(tmp_path):
    """A single-file program whose one day has exactly three blocks (title, heading, goal)."""
    from curriculum.services import program_import

    path = tmp_path / "tiny_day.md"
    path.write_text("# Day 01 - Tiny :wave:\n\n## Goals\n- The one goal.\n")
    result = program_import(source=path, program_slug="tiny", publish=True)
    assert result.ok and result.version is not None
    return result.version


@pytest.mark.parametrize("size", ["blocks", "items"])
@pytest.mark.query_count("journey:item")
def test_item_page_query_count_does_not_grow_with_blocks_or_items(
    client, hire, other_hire, tmp_path, size
):
    if size == "blocks":  # a 3-block day against a 60-block day
        small_version = _tiny_version(tmp_path)
        big_version = generated_version(tmp_path, items=2, goals=49)
    else:  # the same day in a 5-item and a 60-item program
        small_version = generated_version(tmp_path, items=5)
        big_version = generated_version(tmp_path, items=60)
    small = enrollment_create(hire=hire, version=small_version)
    big = enrollment_create(hire=other_hire, version=big_version)
    counts, blocks, items = [], [], []
    for person, enrollment in ((hire, small), (other_hire, big)):
        item = Item.objects.filter(version=enrollment.version).order_by("position").first()
        blocks.append(Block.objects.filter(item=item).count())
        items.append(Item.objects.filter(version=enrollment.version).count())
        goal = keys(item, BlockKind.GOAL)[0]
        BlockCheck.objects.create(enrollment=enrollment, item=item, block_key=goal)
        client.force_login(person)
        client.get(url("item", enrollment, item))
        counts.append(_count_queries(client, url("item", enrollment, item)))
    if size == "blocks":
        assert blocks[0] == 3 and blocks[1] >= 60
    else:
        assert items == [5, 60]
    assert counts[0] == counts[1]
    assert counts[0] == ITEM_WITHOUT_MEETINGS_QUERIES  # generated items ask for no meeting


def test_a_published_items_blocks_are_read_once_per_process(
    client, hire, enrollment, day1, django_assert_num_queries
):
    from onboarding.selectors import journey as journey_selectors

    caches = (
        journey_selectors._published_item,
        journey_selectors._published_blocks,
        journey_selectors._published_order,
    )
    client.force_login(hire)
    client.get(url("item", enrollment, day1))  # warm the session
    for cache in caches:
        cache.cache_clear()
    with django_assert_num_queries(ITEM_QUERIES + 3):  # item, blocks, item order: read and kept
        client.get(url("item", enrollment, day1))
    with django_assert_num_queries(ITEM_QUERIES):
        client.get(url("item", enrollment, day1))


def test_completed_item_page_query_count_is_pinned_too(
    client, hire, enrollment, day1, django_assert_num_queries
):
    """A completed item also looks for a newer version and for moves: a fixed few more."""
    ItemProgress.objects.create(
        enrollment=enrollment,
        item=day1,
        state=ProgressState.DONE,
        completed_at=datetime.datetime(2026, 11, 3, tzinfo=datetime.UTC),
    )
    client.force_login(hire)
    client.get(url("item", enrollment, day1))
    with django_assert_num_queries(ITEM_QUERIES + 2):
        client.get(url("item", enrollment, day1))


# --- the item page ---------------------------------------------------------------------------------


def test_item_page_shows_every_block_in_order(client, hire, enrollment, day1):
    client.force_login(hire)
    html = client.get(url("item", enrollment, day1)).content.decode()
    positions = [
        html.index(f'id="block-{b.position}"')
        for b in Block.objects.filter(item=day1).exclude(kind=BlockKind.REFLECTION_PROMPT)
    ]
    assert positions == sorted(positions)
    assert 'id="reflection"' in html
    for prompt in Block.objects.filter(item=day1, kind=BlockKind.REFLECTION_PROMPT):
        assert prompt.title[:40] in html


def test_check_with_htmx_swaps_the_block(client, hire, enrollment, day1):
    client.force_login(hire)
    goal = keys(day1, BlockKind.GOAL)[0]
    response = client.post(
        url("block_check", enrollment, day1),
        {"block_key": goal, "checked": "1"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert 'aria-checked="true"' in response.content.decode()
    assert "<html" not in response.content.decode()
    assert BlockCheck.objects.filter(block_key=goal).exists()


def test_a_tick_with_htmx_brings_the_complete_card_up_to_date(client, hire, enrollment, day1):
    """The "Complete" card's list of what is missing follows the ticks without a reload: each
    tick's answer carries the card, marked for htmx to swap it by its id (out of band)."""
    client.force_login(hire)
    check = url("block_check", enrollment, day1)
    htmx = {"HX-Request": "true"}
    actions = keys(day1, BlockKind.ACTION_ITEM)
    assert len(actions) > 1
    assert "Check your action items" in client.get(url("item", enrollment, day1)).content.decode()
    for key in actions:
        html = client.post(check, {"block_key": key, "checked": "1"}, headers=htmx).content.decode()
        card = html[html.index('id="complete"') :]
        assert 'hx-swap-oob="true"' in card[:200]
    assert "Check your action items" not in card and "Submit your reflection" in card
    html = client.post(check, {"block_key": actions[0], "checked": ""}, headers=htmx)
    assert "Check your action items (1 left)" in html.content.decode()


# Session, user, enrollment; the write in a savepoint (progress, then the check: a delete, or an
# insert that does nothing when it is there); the block's state; the session's save. The item
# and its blocks come from the process's cache once read. Then the "Complete" card, swapped out
# of band: the item page's reads that are not cached (five, whatever the number of blocks).
CHECK_QUERIES = 16


def test_checking_a_goal_query_count_is_pinned(
    client, hire, enrollment, day1, django_assert_num_queries
):
    client.force_login(hire)
    goal = keys(day1, BlockKind.GOAL)[0]
    check = url("block_check", enrollment, day1)
    htmx = {"HX-Request": "true"}
    client.post(check, {"block_key": goal, "checked": "1"}, headers=htmx)  # warm the caches
    for checked in ("", "1"):  # untick, then tick again: both write
        with django_assert_num_queries(CHECK_QUERIES):
            response = client.post(check, {"block_key": goal, "checked": checked}, headers=htmx)
        assert response.status_code == 200


def test_check_without_javascript_redirects_back_to_the_block(client, hire, enrollment, day1):
    client.force_login(hire)
    goal = Block.objects.filter(item=day1, kind=BlockKind.GOAL).first()
    response = client.post(
        url("block_check", enrollment, day1), {"block_key": goal.key, "checked": "1"}
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#block-{goal.position}")
    response = client.post(url("block_check", enrollment, day1), {"block_key": goal.key})
    assert not BlockCheck.objects.exists()


def test_check_of_a_non_checkable_block_is_a_400(client, hire, enrollment, day1):
    client.force_login(hire)
    question = keys(day1, BlockKind.QUESTION)[0]
    response = client.post(
        url("block_check", enrollment, day1), {"block_key": question, "checked": "1"}
    )
    assert response.status_code == 400
    assert not BlockCheck.objects.exists()


def test_resource_mark_read(client, hire, enrollment, day1):
    client.force_login(hire)
    resource = keys(day1, BlockKind.RESOURCE)[0]
    response = client.post(
        url("resource_read", enrollment, day1),
        {"block_key": resource},
        headers={"HX-Request": "true"},
    )
    assert "Read ✓" in response.content.decode()


def test_answer_draft_autosave_and_submit(client, hire, enrollment, day1):
    client.force_login(hire)
    question = keys(day1, BlockKind.QUESTION)[0]
    target = url("answer_save", enrollment, day1)
    response = client.post(
        target,
        {"block_key": question, "body": "typing", "action": "autosave"},
        headers={"HX-Request": "true"},
    )
    assert response.content == b"Draft saved."
    response = client.post(target, {"block_key": question, "body": "My answer", "action": "submit"})
    assert response.status_code == 302
    submission = Submission.objects.get()
    assert (submission.body, submission.state) == ("My answer", SubmissionState.SUBMITTED)


def test_an_answer_with_a_nul_byte_is_a_400_and_saves_nothing(client, hire, enrollment, day1):
    client.force_login(hire)
    question = keys(day1, BlockKind.QUESTION)[0]
    response = client.post(
        url("answer_save", enrollment, day1),
        {"block_key": question, "body": "nul \x00 byte", "action": "submit"},
    )
    assert response.status_code == 400
    assert not Submission.objects.exists()


@pytest.mark.parametrize("body", ["x" * 20_001, "rtl \u202e override"])
def test_a_refused_answer_returns_to_the_block_with_its_message(
    client, hire, enrollment, day1, body
):
    client.force_login(hire)
    question = Block.objects.filter(item=day1, kind=BlockKind.QUESTION).first()
    response = client.post(
        url("answer_save", enrollment, day1),
        {"block_key": question.key, "body": body, "action": "submit"},
    )
    assert response.status_code == 302
    assert response["Location"] == url("item", enrollment, day1) + f"#block-{question.position}"
    assert not Submission.objects.exists()
    html = client.get(response["Location"]).content.decode()
    block = html[html.index(f'id="block-{question.position}"') :]
    assert 'class="errorlist' in block.split('id="block-')[1]


def test_bad_reflection_is_a_400_and_saves_nothing(client, hire, enrollment, day1):
    client.force_login(hire)
    response = client.post(
        url("reflection_save", enrollment, day1),
        {"prompt_1": "fine", "prompt_2": "bad \x00", "prompt_3": "fine", "action": "submit"},
    )
    assert response.status_code == 400
    assert not Submission.objects.exists()


def test_incomplete_reflection_submit_is_a_400_with_the_reason(client, hire, enrollment, day1):
    client.force_login(hire)
    response = client.post(
        url("reflection_save", enrollment, day1), {"prompt_1": "only one", "action": "submit"}
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#reflection")
    assert "still empty: 2, 3" in client.get(response["Location"]).content.decode()
    assert not Submission.objects.filter(state=SubmissionState.SUBMITTED).exists()


def test_complete_refused_then_allowed_then_rate_goes_to_the_next_item(
    client, hire, enrollment, day1, version
):
    client.force_login(hire)
    response = client.post(url("item_complete", enrollment, day1))
    assert response.status_code == 302
    assert "Check your action items" in client.get(response["Location"]).content.decode()

    for key in keys(day1, BlockKind.ACTION_ITEM):
        client.post(url("block_check", enrollment, day1), {"block_key": key, "checked": "1"})
    answers = {f"prompt_{n}": f"Thought {n}" for n in (1, 2, 3)}
    client.post(url("reflection_save", enrollment, day1), {**answers, "action": "submit"})
    assert client.post(url("item_complete", enrollment, day1)).status_code == 302

    response = client.post(url("item_rate", enrollment, day1), {"rating": "4", "comment": "Good"})
    day2 = Item.objects.get(version=version, source_path="chapter_00/day_02.md")
    assert response.status_code == 302
    assert response["Location"] == url("item", enrollment, day2)
    progress = ItemProgress.objects.get(item=day1)
    assert (progress.state, progress.rating) == (ProgressState.WAITING_REVIEW, 4)


def test_rate_out_of_range_is_a_400(client, hire, enrollment, version):
    external = Item.objects.get(version=version, kind="external")
    client.force_login(hire)
    client.post(url("item_complete", enrollment, external))
    response = client.post(url("item_rate", enrollment, external), {"rating": "9"})
    assert response.status_code == 302
    assert response["Location"].endswith("#complete")
    assert 'class="errorlist' in client.get(response["Location"]).content.decode()
    assert ItemProgress.objects.get(item=external).rating is None


def test_submitted_reflection_is_shown_read_only(client, hire, enrollment, day1):
    answers = {key: "Deep thought" for key in keys(day1, BlockKind.REFLECTION_PROMPT)}
    reflection_submit(enrollment=enrollment, by=hire, item=day1, answers=answers)
    client.force_login(hire)
    html = client.get(url("item", enrollment, day1)).content.decode()
    assert "Deep thought" in html
    assert "Submit reflection" not in html
