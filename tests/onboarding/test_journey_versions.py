"""Newer curriculum versions: moving a hire, and "this day changed since you finished it"."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from curriculum.markdown.structure import BlockKind
from curriculum.models import Block, Item, ProgramVersion, VersionState
from onboarding.models import (
    BlockCheck,
    EnrollmentMove,
    ItemProgress,
    MeetingRequest,
    ProgressState,
    Submission,
)
from onboarding.services.journey import (
    block_check_toggle,
    enrollment_create,
    enrollment_move_to_version,
    item_complete,
    meeting_request_create,
    reflection_submit,
)
from tests.onboarding.journey_versions_support import (
    DAY_ONE,
    DAY_TWO,
    import_draft,
    import_published,
    write_program,
)

pytestmark = pytest.mark.django_db

DAY_ONE_CHANGED = DAY_ONE.replace("- Set up your laptop.", "- Set up your laptop and VPN.").replace(
    "## Wrapping Up", "## 2. Security Basics\n   - Read the <policy> & sign it.\n\n## Wrapping Up"
)
DAY_THREE = "# Day 03 - Later :rocket:\n\n## Goals\n- Ship something.\n"


@pytest.fixture
def root(tmp_path):
    return write_program(tmp_path / "program", {"day_01.md": DAY_ONE, "day_02.md": DAY_TWO})


@pytest.fixture
def v1(root):
    return import_published(root)


@pytest.fixture
def enrollment(hire, mentor, v1):
    return enrollment_create(
        hire=hire, version=v1, mentor=mentor, start_date=datetime.date(2026, 11, 2)
    )


def item_of(version, name):
    return Item.objects.get(version=version, source_path=f"chapter_00/{name}")


def keys(item, kind):
    return list(
        Block.objects.filter(item=item, kind=kind)
        .order_by("position")
        .values_list("key", flat=True)
    )


def finish_day_one(enrollment, hire, version):
    day = item_of(version, "day_01.md")
    for key in keys(day, BlockKind.GOAL) + keys(day, BlockKind.ACTION_ITEM):
        block_check_toggle(enrollment=enrollment, by=hire, item=day, block_key=key, checked=True)
    prompts = {key: "It went well." for key in keys(day, BlockKind.REFLECTION_PROMPT)}
    reflection_submit(enrollment=enrollment, by=hire, item=day, answers=prompts)
    item_complete(enrollment=enrollment, by=hire, item=day)
    return day


def item_page(client, enrollment, item):
    return client.get(
        reverse("journey:item", kwargs={"enrollment_id": enrollment.pk, "item_id": item.pk})
    ).content.decode()


# --- enrollment_move_to_version -----------------------------------------------------------------


def test_move_carries_progress_checks_and_writing_by_source_and_block_key(
    root, enrollment, hire, admin, v1
):
    old_day = finish_day_one(enrollment, hire, v1)
    meeting = keys(item_of(v1, "day_02.md"), BlockKind.MEETING_REQUEST)[0]
    meeting_request_create(
        enrollment=enrollment, by=hire, item=item_of(v1, "day_02.md"), block_key=meeting
    )
    write_program(root, {"day_01.md": DAY_ONE_CHANGED, "day_02.md": DAY_TWO})
    v2 = import_published(root)

    moved = enrollment_move_to_version(enrollment=enrollment, version=v2, by=admin)

    assert moved.version == v2
    new_day = item_of(v2, "day_01.md")
    progress = ItemProgress.objects.get(enrollment=enrollment, item=new_day)
    assert progress.state == ProgressState.WAITING_REVIEW  # still completed
    carried = set(BlockCheck.objects.filter(item=new_day).values_list("block_key", flat=True))
    assert "goal-meet-the-team" in " ".join(carried)  # unchanged text: same key, check kept
    assert set(keys(new_day, BlockKind.ACTION_ITEM)) <= carried
    assert Submission.objects.get(enrollment=enrollment).item == new_day
    assert MeetingRequest.objects.get().item == item_of(v2, "day_02.md")
    assert not ItemProgress.objects.filter(item=old_day).exists()
    move = EnrollmentMove.objects.get()
    assert (move.from_version, move.to_version, move.moved_by) == (v1, v2, admin)
    assert move.summary == {"items": 2, "items_left": []}


def test_move_keeps_rows_of_items_the_new_version_dropped(root, enrollment, hire, admin, v1):
    finish_day_one(enrollment, hire, v1)
    write_program(root, {"day_02.md": DAY_TWO, "day_03.md": DAY_THREE})
    v2 = import_published(root)
    enrollment_move_to_version(enrollment=enrollment, version=v2, by=admin)
    # Nothing the hire wrote is lost: it stays on the old item, and the export still has it.
    assert ItemProgress.objects.get(enrollment=enrollment).item == item_of(v1, "day_01.md")
    assert EnrollmentMove.objects.get().summary["items_left"] == ["chapter_00/day_01.md"]


def test_move_refuses_non_admins_older_drafts_and_other_programs(
    root, enrollment, hire, mentor, admin, v1, tmp_path
):
    write_program(root, {"day_01.md": DAY_ONE_CHANGED, "day_02.md": DAY_TWO})
    draft = import_draft(root)
    with pytest.raises(PermissionDenied):
        enrollment_move_to_version(enrollment=enrollment, version=draft, by=hire)
    with pytest.raises(PermissionDenied):
        enrollment_move_to_version(enrollment=enrollment, version=draft, by=mentor)
    with pytest.raises(ValidationError, match="published"):
        enrollment_move_to_version(enrollment=enrollment, version=draft, by=admin)
    with pytest.raises(ValidationError, match="newer"):
        enrollment_move_to_version(enrollment=enrollment, version=v1, by=admin)
    other_root = write_program(tmp_path / "other", {"day_01.md": DAY_ONE})
    other = import_published(other_root, slug="other")
    with pytest.raises(ValidationError, match="another program"):
        enrollment_move_to_version(enrollment=enrollment, version=other, by=admin)
    enrollment.refresh_from_db()
    assert enrollment.version == v1
    assert not EnrollmentMove.objects.exists()


# --- "this day changed since you finished it" -----------------------------------------------------


def test_a_newer_published_version_shows_what_changed_in_a_finished_day(
    client, root, enrollment, hire, v1
):
    day = finish_day_one(enrollment, hire, v1)
    client.force_login(hire)
    assert "changed since you finished it" not in item_page(client, enrollment, day)

    write_program(root, {"day_01.md": DAY_ONE_CHANGED, "day_02.md": DAY_TWO})
    v2 = import_published(root)
    assert ProgramVersion.objects.get(pk=v1.pk).state == VersionState.ARCHIVED

    html = item_page(client, enrollment, day)
    assert "This day changed since you finished it" in html
    assert f"Version {v2.number} of the program" in html
    assert "Added" in html and "Removed" in html
    assert "Set up your laptop and VPN." in html
    # the diff is the author's text, escaped: no markup sneaks in through it
    assert "Read the &lt;policy&gt; &amp; sign it." in html
    assert "<policy>" not in html
    assert (
        '<del class="diff__line diff__line--removed"><span aria-hidden="true">− </span>- Set up your laptop.</del>'
        in html
    )


def test_an_unfinished_or_unchanged_day_shows_no_notice(client, root, enrollment, hire, v1):
    finish_day_one(enrollment, hire, v1)
    day2 = item_of(v1, "day_02.md")
    write_program(root, {"day_01.md": DAY_ONE, "day_02.md": DAY_TWO + "\n## Notes\nMore.\n"})
    import_published(root)
    client.force_login(hire)
    assert "changed since you finished it" not in item_page(client, enrollment, day2)  # unfinished
    day1 = item_of(v1, "day_01.md")
    assert "changed since you finished it" not in item_page(client, enrollment, day1)  # same


def test_after_a_move_the_day_compares_with_the_version_it_was_finished_on(
    client, root, enrollment, hire, admin, v1
):
    finish_day_one(enrollment, hire, v1)
    write_program(root, {"day_01.md": DAY_ONE_CHANGED, "day_02.md": DAY_TWO})
    v2 = import_published(root)
    enrollment_move_to_version(enrollment=enrollment, version=v2, by=admin)
    client.force_login(hire)
    html = item_page(client, enrollment, item_of(v2, "day_01.md"))
    assert "This day changed since you finished it" in html
    assert f"You finished it on version {v1.number}" in html
    assert "Set up your laptop and VPN." in html
    assert "Completed ✓" in html  # still completed
