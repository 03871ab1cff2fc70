"""Export a version as an authoring-style Markdown folder; importing it gives "no changes"."""

import io
import string
import zipfile
from pathlib import Path

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from curriculum.exporter import (
    version_as_parsed,
    version_export_files,
    version_export_zip,
)
from curriculum.importer import SourceTree, load_zip
from curriculum.models import ProgramVersion
from curriculum.services import program_import

pytestmark = pytest.mark.django_db

DEMO = Path(__file__).resolve().parents[2] / "curriculum" / "demo" / "program"


def reimport(version: ProgramVersion):
    archive = version_export_zip(version=version)
    return program_import(
        source=load_zip(archive, name="export.zip"), program_slug=version.program.slug
    )


def test_demo_program_exported_and_reimported_says_no_changes():
    first = program_import(source=DEMO, program_slug="lighthouse")

    again = reimport(first.version)

    assert again.status == "no_changes", again.parsed.warnings
    assert again.version == first.version
    assert ProgramVersion.objects.count() == 1


def test_shared_sample_exported_and_reimported_says_no_changes(shared_curriculum):
    first = program_import(source=shared_curriculum / "883-newbies-sample", program_slug="s")

    again = reimport(first.version)

    assert again.status == "no_changes"
    assert ProgramVersion.objects.count() == 1


def test_a_stored_version_hashes_as_its_import_did(shared_curriculum):
    """The rows of a version, read back as a ParsedProgram, hash to what the import stored."""
    for source in (shared_curriculum / "883-newbies-sample", DEMO):
        version = program_import(source=source).version

        assert version_as_parsed(version=version).content_hash() == version.content_hash


def test_the_export_is_authoring_style():
    version = program_import(source=DEMO, program_slug="lighthouse").version

    files = version_export_files(version=version)
    toc = files["readme.md"].decode()

    assert toc.startswith("# Lighthouse Platform Onboarding - New Engineers\n")
    assert "## Chapter 00: Welcome to Lighthouse Platform - People, Product and Tools" in toc
    assert "- **[Day 03](./chapter_01/day_03.md):** PostgreSQL and Data Modelling" in toc
    assert "(https://docs.djangoproject.com/en/5.2/intro/tutorial01/)" in toc
    assert files["chapter_00/day_02.md"] == (DEMO / "chapter_00" / "day_02.md").read_bytes()
    assert files["assets/lighthouse.svg"] == (DEMO / "assets" / "lighthouse.svg").read_bytes()
    names = zipfile.ZipFile(io.BytesIO(version_export_zip(version=version))).namelist()
    assert "lighthouse/readme.md" in names


def test_the_export_is_the_same_bytes_twice():
    version = program_import(source=DEMO).version

    assert version_export_zip(version=version) == version_export_zip(version=version)


# --- Hypothesis: export then import is the identity, for small generated programs ------------

WORDS = st.text(alphabet=string.ascii_letters + string.digits + " אבג", min_size=1, max_size=24)
TEXT = WORDS.map(str.strip).filter(bool)
EMOJI = st.sampled_from(["", " :rocket:", " :elephant:", " :fire:"])


@st.composite
def item_files(draw, path: str, kind: str) -> str:
    number = draw(st.integers(min_value=0, max_value=99))
    label = {"day": "Day", "exercise": "Practical Exercise", "showcase": "Showcase"}[kind]
    lines = [f"# {label} {number:02d} - {draw(TEXT)}{draw(EMOJI)}", ""]
    if draw(st.booleans()):
        lines += ["## Overview:", draw(TEXT), ""]
    goals = draw(st.lists(TEXT, max_size=3))
    if goals:
        lines += ["## Goals:", *[f"- {goal}" for goal in goals], ""]
    for index, section in enumerate(draw(st.lists(TEXT, max_size=3)), start=1):
        lines += [f"## {index}. {section}", draw(TEXT), ""]
    if draw(st.booleans()):
        lines += ["## Wrapping Up", "- What did you learn?", ""]
    if draw(st.booleans()):
        lines += ["![logo](../assets/logo.png)", ""]
    return "\n".join(lines)


@st.composite
def programs(draw) -> dict[str, bytes]:
    files: dict[str, bytes] = {"assets/logo.png": b"\x89PNG fake"}
    toc = [f"# {draw(TEXT)}", ""]
    counter = 0
    for chapter in range(draw(st.integers(min_value=1, max_value=3))):
        toc.append(f"## Chapter {chapter:02d}: {draw(TEXT)}")
        for _ in range(draw(st.integers(min_value=1, max_value=3))):
            counter += 1
            if draw(st.integers(min_value=0, max_value=5)) == 0:
                url = f"https://example.com/{counter}"
                toc.append(f"- **[Bonus {counter}]({url}):** {draw(TEXT)}{draw(EMOJI)}")
                continue
            kind = draw(st.sampled_from(["day", "exercise", "showcase"]))
            path = f"chapter_{chapter:02d}/{kind}_{counter:02d}.md"
            files[path] = draw(item_files(path, kind)).encode()
            toc.append(f"- **[Item {counter}](./{path}):** {draw(TEXT)}")
        toc.append("")
    files["readme.md"] = "\n".join(toc).encode()
    return files


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(files=programs())
def test_export_then_import_is_the_identity(files):
    if not any(path.endswith(".md") and path != "readme.md" for path in files):
        files["chapter_00/day_99.md"] = b"# Day 99 - Filler\n"
    with transaction.atomic():
        tree = SourceTree(kind="folder", location="generated", name="generated", files=files)
        first = program_import(source=tree, program_slug="generated")
        assert first.status == "imported", first.parsed.errors

        again = reimport(first.version)

        assert again.status == "no_changes"
        transaction.set_rollback(True)


# --- The download page ------------------------------------------------------------------------


def test_program_admin_downloads_the_export(client, admin, mfa_passed):
    from django.urls import reverse

    version = program_import(source=DEMO, program_slug="lighthouse").version
    mfa_passed(client, admin)

    response = client.get(reverse("curriculum:version_export", args=[version.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == 'attachment; filename="lighthouse-v1.zip"'
    assert response.content == version_export_zip(version=version)
    page = client.get(reverse("curriculum:version_detail", args=[version.pk])).content.decode()
    assert reverse("curriculum:version_export", args=[version.pk]) in page


@pytest.mark.parametrize("persona", ["hire", "mentor"])
def test_only_program_admins_download_an_export(client, request, mfa_passed, persona):
    from django.urls import reverse

    version = program_import(source=DEMO, program_slug="lighthouse", publish=True).version
    mfa_passed(client, request.getfixturevalue(persona))

    response = client.get(reverse("curriculum:version_export", args=[version.pk]))

    assert response.status_code == 404


def test_reconciled_and_link_only_items_exported_and_reimported_say_no_changes(tmp_path):
    day = "# Day {n:02d} - Topic {n}\n\n## Goals\n- Learn topic {n}.\n"
    root = tmp_path / "quirks"
    files = {
        "readme.md": "# Quirks\n\n## Chapter 01: Inside\n"
        "- **[Day 01](https://internal.example/day-1):** On the internal site\n"
        "- **[Day 02](./chapter_01/day_02.md):** Two\n",
        "chapter_01/day_01.md": day.format(n=1),  # the TOC links it outside: one item
        "chapter_01/day_02.md": "# [Click here](https://wiki.example/day-2)\n",  # only a link
    }
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    first = program_import(source=root, program_slug="quirks")
    assert [(i.source, str(i.kind), i.url) for i in first.parsed.items] == [
        ("chapter_01/day_01.md", "day", "https://internal.example/day-1"),
        ("chapter_01/day_02.md", "external", "https://wiki.example/day-2"),
    ]

    again = reimport(first.version)

    assert again.status == "no_changes", again.parsed.warnings
