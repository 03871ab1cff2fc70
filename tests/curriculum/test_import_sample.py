"""The real sample program (../shared/curriculum/883-newbies-sample) through the command."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from curriculum.models import Asset, Block, Item, ProgramVersion

# (chapter number, [(source, kind, number)]) in table-of-contents order, as read from readme.md.
EXPECTED = [
    (0, [("chapter_00/day_00.md", "day", 0), ("chapter_00/day_01.md", "day", 1),
         ("chapter_00/day_02.md", "day", 2)]),
    (1, [("chapter_01/day_03.md", "day", 3), ("chapter_01/day_04.md", "day", 4),
         ("chapter_01/day_05.md", "day", 5), ("chapter_01/day_06.md", "day", 6),
         ("chapter_01/day_07.md", "day", 7), ("chapter_01/day_08.md", "day", 8),
         ("chapter_01/practical_exercise_01.md", "exercise", None),
         ("chapter_01/showcase/showcase_01.md", "showcase", None),
         # not listed in readme.md: imported at the end of its folder's chapter
         ("chapter_01/showcase/research_doc_template_01.md", "template", None)]),
    (2, [("", "external", None)]),  # Bonus - 60 Linux Commands (YouTube)
    (3, [("", "external", 12), ("", "external", 13), ("", "external", 14)]),  # Openshift, internal
    (4, [("", "external", None)]),  # SKILA
    (5, []), (6, []), (7, []),
    (8, [("", "external", None)]),  # Showcase on an internal page
    (9, []), (10, []),
]  # fmt: skip

# Chapters 02 onwards link files that are not in the sample: one warning each, no item.
MISSING = [
    "chapter_02/day_09.md", "chapter_02/day_10.md", "chapter_02/day_11.md",
    "chapter_02/final_exercise_02.md", "chapter_02/final_exercise_03.md", "chapter_04/day_15.md",
    "chapter_04/day_16.md", "chapter_04/day_17.md", "chapter_04/final_exercise_04.md",
    "chapter_04/final_exercise_05.md", "chapter_04/showcase/showcase_02.md",
    "chapter_05/day_18.md", "chapter_05/day_19.md", "chapter_06/day_20.md",
    "chapter_07/day_21.md", "chapter_08/big_final_exercise.md", "chapter_09/day_22.md",
    "chapter_09/day_23.md", "chapter_10/day_24.md",
]  # fmt: skip


@pytest.fixture
def sample(shared_curriculum):
    return shared_curriculum / "883-newbies-sample"


def run_json(*args: str) -> dict:
    out = StringIO()
    call_command("import_curriculum", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_sample_dry_run_json_lists_chapters_and_items_in_toc_order(sample, django_db_blocker):
    with django_db_blocker.block():  # --dry-run must not touch the database at all
        report = run_json(str(sample), "--dry-run")

    assert report["errors"] == []
    assert report["program"] == {"title": "883 Group Onboarding - Newbies", "source": str(sample)}
    got = [
        (chapter["number"], [(i["source"], i["kind"], i["number"]) for i in chapter["items"]])
        for chapter in report["chapters"]
    ]
    assert got == EXPECTED
    first = report["chapters"][0]
    assert (
        first["title"] == "Foundations of Data Operations and Customer Engagement in the 883 Group"
    )
    assert set(first["items"][0]["counts"]) == {
        "goals", "notes", "sections", "questions", "reflection_prompts", "action_items",
        "resources", "checklist_items", "meeting_requests",
    }  # fmt: skip
    externals = [item for chapter in report["chapters"][2:5] for item in chapter["items"]]
    assert externals[0]["title"] == "Bonus - 60 Linux Commands you NEED to know (in 10 minutes)"
    assert externals[-1]["title"] == "SKILA"


def test_sample_warnings_name_file_and_line(sample, django_db_blocker):
    with django_db_blocker.block():
        warnings = run_json(str(sample), "--dry-run")["warnings"]

    def where(message_part: str) -> list[tuple[str, int | None]]:
        return [(w["source"], w["line"]) for w in warnings if message_part in w["message"]]

    for path in MISSING:
        assert len(where(f"{path}, which is missing")) == 1, path
    assert where("'Final Exercise 01 - SKILA' has no link") == [("readme.md", 24)]
    assert where("not listed in readme.md") == [
        ("chapter_01/showcase/research_doc_template_01.md", None)
    ]
    # `[Day 01](./day_01#...)` from chapter_01 means chapter_00/day_01.md: linked, with a warning.
    assert ("chapter_01/day_03.md", 266) in where("linked to chapter_00/day_01.md")


@pytest.mark.django_db
def test_sample_imports_into_the_database(sample):
    report = run_json(str(sample))

    assert report["import"]["status"] == "imported"
    version = ProgramVersion.objects.get()
    assert version.state == "draft"
    assert version.program.slug == "883-newbies-sample"
    assert Item.objects.filter(version=version).count() == 18
    assert Block.objects.filter(item__version=version).exists()
    asset = Asset.objects.get(version=version)
    assert asset.path == "assets/challenge_accepted.gif"
    assert asset.content_type == "image/gif"
    assert bytes(asset.content)[:6] == b"GIF89a" or bytes(asset.content)[:6] == b"GIF87a"
    day_03 = Item.objects.get(version=version, source_path="chapter_01/day_03.md")
    day_01 = Item.objects.get(version=version, source_path="chapter_00/day_01.md")
    html = "".join(day_03.blocks.values_list("html", flat=True))
    assert f"/curriculum/items/{day_01.pk}/#ready-for-a-challenge-trophy" in html
    day_01_html = "".join(day_01.blocks.values_list("html", flat=True))
    assert f'src="/curriculum/assets/{asset.pk}/challenge_accepted.gif"' in day_01_html
