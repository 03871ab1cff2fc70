"""Identity across revisions: a file renamed or moved with small edits is "renamed", and what a
hire recorded on it (progress, checks, answers, the mentor's review) follows them to the new
version; a close contest between candidates is reported, never guessed."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command

from curriculum.importer.identity import match_renamed
from curriculum.models import Block, Item
from curriculum.services import program_import
from onboarding.models import BlockCheck, ItemProgress, Submission, SubmissionRound
from onboarding.services.journey import (
    answer_submit,
    block_check_toggle,
    enrollment_create,
    enrollment_move_to_version,
    reflection_submit,
)
from onboarding.services.review import submission_accept
from tests.curriculum.support import write_tree

DAY_FIVE = """# Day 05 - Streams :ocean:

## Goals
- Read a stream from Kafka.
- Write the results to HDFS.

## 1. Consumers
Consumers read partitions in order and commit their offsets.
A consumer group shares the partitions of a topic.

## Exercise 1: Lag
Measure the consumer lag of the demo group and explain what makes it grow.

## Wrapping Up
- What made the consumer lag grow today?

## Action Items
- Draw the pipeline on one page.
"""

# Two lines changed: a goal and a reflection prompt reworded.
DAY_FIVE_EDITED = DAY_FIVE.replace(
    "- Read a stream from Kafka.", "- Read a stream from a Kafka topic."
).replace("- What made the consumer lag grow today?", "- What made the consumer lag grow, and why?")

DAY_SIX = """# Day 06 - Batch :package:

## Goals
- Schedule a nightly batch job.

## 1. Scheduling
Cron, Airflow and their trade-offs.
"""

README = "# Streams Program\n\n## Chapter 02: Data\n{entries}\n"


def readme(*paths: str) -> str:
    entries = "\n".join(f"- **[{p.rsplit('/', 1)[-1][:-3]}](./{p}):** x" for p in paths)
    return README.format(entries=entries)


class TestMatching:
    def test_a_lightly_edited_text_under_a_new_key_is_renamed(self):
        matching = match_renamed({"a.md": DAY_FIVE, "b.md": DAY_SIX}, {"c.md": DAY_FIVE_EDITED})
        assert matching.renamed == {"a.md": "c.md"}
        assert 0.8 < matching.similarity["a.md"] < 1
        assert matching.ambiguous == []

    def test_two_equally_close_copies_are_reported_not_guessed(self):
        other_edit = DAY_FIVE.replace(
            "- Write the results to HDFS.", "- Write the results to S3."
        ).replace("- Draw the pipeline on one page.", "- Draw the pipeline twice.")
        matching = match_renamed({"a.md": DAY_FIVE}, {"b.md": DAY_FIVE_EDITED, "c.md": other_edit})
        assert matching.renamed == {}
        assert matching.ambiguous == [{"from": "a.md", "candidates": ["b.md", "c.md"]}]

    def test_unrelated_texts_are_not_paired(self):
        assert match_renamed({"a.md": DAY_FIVE}, {"b.md": DAY_SIX}).renamed == {}

    def test_blocks_pair_only_within_their_kind(self):
        matching = match_renamed(
            {"goal-a": "- Read a stream from Kafka."},
            {"note-b": "Read a stream from Kafka, carefully."},
            by="words",
            group={"goal-a": "goal", "note-b": "note"},
        )
        assert matching.renamed == {}


@pytest.mark.django_db
def test_rename_and_move_with_small_edits_keep_progress_answers_and_reviews(
    tmp_path, hire, mentor, admin
):
    root = tmp_path / "program"
    write_tree(
        root,
        {
            "readme.md": readme("chapter_02/day_05.md", "chapter_02/day_06.md"),
            "chapter_02/day_05.md": DAY_FIVE,
            "chapter_02/day_06.md": DAY_SIX,
        },
    )
    v1 = program_import(source=root, program_slug="streams", publish=True).version
    enrollment = enrollment_create(
        hire=hire, version=v1, mentor=mentor, start_date=datetime.date(2026, 11, 2)
    )
    day5 = Item.objects.get(version=v1, source_path="chapter_02/day_05.md")
    day6 = Item.objects.get(version=v1, source_path="chapter_02/day_06.md")
    goal = Block.objects.get(item=day5, kind="goal", title="Read a stream from Kafka.")
    question = Block.objects.get(item=day5, kind="question")
    block_check_toggle(enrollment=enrollment, by=hire, item=day5, block_key=goal.key, checked=True)
    answer = answer_submit(
        enrollment=enrollment, by=hire, item=day5, block_key=question.key, body="Lag is 42."
    )
    submission_accept(submission=answer, by=mentor, comment="Well measured.")
    prompt = Block.objects.get(item=day5, kind="reflection_prompt")
    reflection = reflection_submit(
        enrollment=enrollment, by=hire, item=day5, answers={prompt.key: "A slow consumer."}
    )
    day6_goal = Block.objects.get(item=day6, kind="goal")
    block_check_toggle(
        enrollment=enrollment, by=hire, item=day6, block_key=day6_goal.key, checked=True
    )

    # The next revision: day 5 renamed to day 9 with two lines changed, day 6 moved to
    # another folder untouched.
    (root / "chapter_02" / "day_05.md").unlink()
    (root / "chapter_02" / "day_06.md").unlink()
    write_tree(
        root,
        {
            "readme.md": readme("chapter_02/day_09.md", "chapter_03/day_06.md"),
            "chapter_02/day_09.md": DAY_FIVE_EDITED,
            "chapter_03/day_06.md": DAY_SIX,
        },
    )
    result = program_import(source=root, program_slug="streams", publish=True)
    v2 = result.version
    items = result.summary["items"]
    assert [(m["from"], m["to"]) for m in items["renamed"]] == [
        ("chapter_02/day_05.md", "chapter_02/day_09.md"),
        ("chapter_02/day_06.md", "chapter_03/day_06.md"),
    ]
    assert (items["added"], items["removed"], items["ambiguous"]) == ([], [], [])
    changes = result.summary["changes"]["chapter_02/day_09.md"]
    assert changes["renamed_from"] == "chapter_02/day_05.md"
    new_goal = Block.objects.get(item__version=v2, kind="goal", title__contains="Kafka topic")
    new_prompt = Block.objects.get(item__version=v2, kind="reflection_prompt")
    assert changes["renamed"] == {goal.key: new_goal.key, prompt.key: new_prompt.key}
    assert (changes["added"], changes["removed"]) == ([], [])

    enrollment_move_to_version(enrollment=enrollment, version=v2, by=admin)

    day9 = Item.objects.get(version=v2, source_path="chapter_02/day_09.md")
    moved6 = Item.objects.get(version=v2, source_path="chapter_03/day_06.md")
    assert ItemProgress.objects.filter(enrollment=enrollment, item=day9).exists()
    assert set(
        BlockCheck.objects.filter(enrollment=enrollment).values_list("item_id", "block_key")
    ) == {(day9.pk, new_goal.key), (moved6.pk, day6_goal.key)}
    kept = Submission.objects.get(pk=answer.pk)
    new_question = Block.objects.get(item=day9, kind="question")
    assert (kept.item_id, kept.block_key, kept.body) == (day9.pk, new_question.key, "Lag is 42.")
    assert SubmissionRound.objects.filter(submission=kept).count() == 1  # the review came along
    reflection.refresh_from_db()
    assert (reflection.item_id, reflection.answers) == (
        day9.pk,
        {new_prompt.key: "A slow consumer."},
    )
    assert enrollment.moves.get().summary == {"items": 2, "items_left": []}


@pytest.mark.django_db
def test_ambiguous_rename_is_reported_in_the_summary(tmp_path):
    root = tmp_path / "program"
    write_tree(
        root,
        {"readme.md": readme("chapter_02/day_05.md"), "chapter_02/day_05.md": DAY_FIVE},
    )
    program_import(source=root, program_slug="streams", publish=True)
    (root / "chapter_02" / "day_05.md").unlink()
    write_tree(
        root,
        {
            "readme.md": readme("chapter_02/day_07.md", "chapter_02/day_08.md"),
            "chapter_02/day_07.md": DAY_FIVE,
            "chapter_02/day_08.md": DAY_FIVE,
        },
    )
    items = program_import(source=root, program_slug="streams").summary["items"]
    assert items["renamed"] == []
    assert items["ambiguous"] == [
        {
            "from": "chapter_02/day_05.md",
            "candidates": ["chapter_02/day_07.md", "chapter_02/day_08.md"],
        }
    ]
    assert items["removed"] == ["chapter_02/day_05.md"]
    assert sorted(items["added"]) == ["chapter_02/day_07.md", "chapter_02/day_08.md"]


@pytest.mark.django_db
def test_the_command_says_renamed_from(tmp_path):
    root = tmp_path / "program"
    write_tree(
        root, {"readme.md": readme("chapter_02/day_05.md"), "chapter_02/day_05.md": DAY_FIVE}
    )
    call_command(
        "import_curriculum", str(root), "--program", "streams", "--publish", stdout=StringIO()
    )
    (root / "chapter_02" / "day_05.md").unlink()
    write_tree(
        root,
        {"readme.md": readme("chapter_02/day_09.md"), "chapter_02/day_09.md": DAY_FIVE_EDITED},
    )
    out = StringIO()
    call_command("import_curriculum", str(root), "--program", "streams", stdout=out)
    assert "0 items added, 0 changed, 1 renamed, 0 removed." in out.getvalue()
    assert "  chapter_02/day_09.md: renamed from chapter_02/day_05.md" in out.getvalue()
