"""Sources and bad input: zip, git, symlinks, limits, encodings. Nothing outside the root is read."""

import io
import stat
import zipfile

import pytest

from curriculum.importer import Limits, parse_program
from curriculum.importer.sources import load_zip
from tests.curriculum.support import DAY, write_tree

README = "# Zipped\n## Chapter 01: A\n- **[Day 01](./c1/day_01.md):** One\n"


def make_zip(entries: dict[str, bytes | str], *, symlink: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, content in entries.items():
            zf.writestr(name, content)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, "/etc/passwd")
    return buffer.getvalue()


def test_zip_with_a_top_folder_imports(tmp_path):
    data = make_zip({"prog/readme.md": README, "prog/c1/day_01.md": DAY.format(n=1, title="One")})
    archive = tmp_path / "prog.zip"
    archive.write_bytes(data)
    program = parse_program(archive)

    assert program.ok, program.errors
    assert program.tree.kind == "zip"
    assert [i.source for i in program.items] == ["c1/day_01.md"]


@pytest.mark.parametrize(
    ("entries", "symlink", "reason"),
    [
        ({"../evil.md": "# x"}, None, "leaves the archive"),
        ({"a/../../evil.md": "# x"}, None, "leaves the archive"),
        ({"/etc/evil.md": "# x"}, None, "absolute path"),
        ({"C:/evil.md": "# x"}, None, "absolute path"),
        ({"readme.md": README}, "c1/day_01.md", "symbolic link"),
    ],
)
def test_zip_slip_absolute_names_and_symlinks_refuse_the_archive(entries, symlink, reason):
    tree_or_error = parse_program_from_zip(make_zip(entries, symlink=symlink))
    assert not tree_or_error.ok
    assert reason in tree_or_error.errors[0].message


def parse_program_from_zip(data: bytes):
    from curriculum.importer import ImportRefused
    from curriculum.importer.program import ParsedProgram
    from curriculum.importer.sources import SourceTree

    try:
        return parse_program(load_zip(data, name="upload.zip"))
    except ImportRefused as refused:
        return ParsedProgram(
            title="", tree=SourceTree("zip", "upload.zip", ""), errors=[refused.problem]
        )


def test_zip_limits_refuse_instead_of_reading_on():
    many = {f"d{i}.md": "# x" for i in range(6)}
    program = parse_program_from_zip(make_zip(many))
    assert program.ok
    from curriculum.importer import ImportRefused

    with pytest.raises(ImportRefused, match="more than 5 files"):
        load_zip(make_zip(many), limits=Limits(max_files=5))
    with pytest.raises(ImportRefused, match="larger than 100 bytes"):
        load_zip(make_zip({"big.md": "x" * 101}), limits=Limits(max_file_bytes=100))
    with pytest.raises(ImportRefused, match="not a readable zip"):
        load_zip(b"PK\x03\x04 not really")


def test_git_clone_over_file_url_records_the_commit(bare_repo):
    bare, main_sha, next_sha = bare_repo
    program = parse_program(f"file://{bare}")
    assert program.ok, program.errors
    assert (program.tree.kind, program.tree.commit, program.tree.name) == (
        "git",
        main_sha,
        "program",
    )
    assert [i.source for i in program.items] == ["c1/day_01.md"]

    on_branch = parse_program(f"file://{bare}", ref="next")
    assert on_branch.tree.commit == next_sha
    assert on_branch.tree.ref == "next"
    assert [i.source for i in on_branch.items] == ["c1/day_01.md", "c1/day_02.md"]


@pytest.mark.parametrize(
    ("url", "ref", "reason"),
    [
        ("ext::sh -c touch% /tmp/pwned", None, "does not exist"),
        ("ftp://example.com/repo.git", None, "scheme 'ftp' is not allowed"),
        ("-uhttps://example.com/x", None, "cannot start with"),
        ("https://example.com/x.git", "--upload-pack=evil", "is not a branch or tag"),
    ],
)
def test_git_urls_and_refs_are_checked_before_git_runs(url, ref, reason):
    program = parse_program(url, ref=ref)
    assert not program.ok
    assert reason in program.errors[0].message


def test_git_missing_ref_is_a_clear_error(bare_repo):
    bare, _, _ = bare_repo
    program = parse_program(f"file://{bare}", ref="no-such-branch")
    assert not program.ok
    assert "git clone failed" in program.errors[0].message


def test_symlinks_leaving_the_root_are_not_read(tmp_path):
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "day_09.md").write_text("# Day 09 - SECRET CONTENT\n")
    (secret / "pic.gif").write_bytes(b"GIF89a-secret")
    root = write_tree(tmp_path / "program", {"c1/day_01.md": DAY.format(n=1, title="One") +
                      "\n![p](./pic.gif)\n"})  # fmt: skip
    (root / "c1" / "day_09.md").symlink_to(secret / "day_09.md")
    (root / "c1" / "pic.gif").symlink_to(secret / "pic.gif")
    (root / "c2").symlink_to(secret, target_is_directory=True)
    (root / "c1" / "inside.md").symlink_to(root / "c1" / "day_01.md")  # inside: allowed
    program = parse_program(root)

    assert program.ok, program.errors
    assert [i.source for i in program.items] == ["c1/day_01.md", "c1/inside.md"]
    assert "SECRET" not in "".join(program.markdown.values())
    assert program.assets == {}
    leaving = {w.source for w in program.warnings if "leaves the program folder" in w.message}
    assert leaving == {"c1/day_09.md", "c1/pic.gif", "c2"}


def test_invalid_utf8_names_file_and_line(tmp_path):
    write_tree(tmp_path, {"c1/day_01.md": b"# Day 01 - x\n\nok\nbad \xff here\n"})
    program = parse_program(tmp_path)
    assert not program.ok
    error = program.errors[0]
    assert (error.source, error.line) == ("c1/day_01.md", 4)
    assert "not valid UTF-8" in error.message


def test_bom_and_crlf_are_accepted(tmp_path):
    text = "\ufeff# Day 01 - Windows\r\n\r\n## Goals:\r\n- One\r\n"
    write_tree(tmp_path, {"c1/day_01.md": text.encode("utf-8")})
    program = parse_program(tmp_path)
    assert program.ok, program.errors
    item = program.items[0]
    assert item.number == 1
    assert "\r" not in program.markdown["c1/day_01.md"]
    assert not program.markdown["c1/day_01.md"].startswith("\ufeff")


def test_empty_file_is_imported_with_a_warning(tmp_path):
    write_tree(tmp_path, {"c1/day_01.md": "", "c1/day_02.md": DAY.format(n=2, title="Two")})
    program = parse_program(tmp_path)
    assert program.ok, program.errors
    assert program.items[0].title == "Day 01"
    assert ("c1/day_01.md", None, "the file is empty") in [
        (w.source, w.line, w.message) for w in program.warnings
    ]


def test_oversized_file_refuses_with_its_name(tmp_path):
    write_tree(tmp_path, {"c1/day_01.md": "# Day 01\n" + "x" * (1024 * 1024)})
    program = parse_program(tmp_path)
    assert not program.ok
    assert program.errors[0].source == "c1/day_01.md"
    assert "larger than 1048576 bytes" in program.errors[0].message


def test_too_many_files_and_deep_nesting_refuse(tmp_path):
    write_tree(tmp_path / "many", {f"c1/day_{i:03d}.md": "# x\n" for i in range(501)})
    assert "more than 500 files" in parse_program(tmp_path / "many").errors[0].message
    deep = "/".join(f"d{i}" for i in range(10))
    write_tree(tmp_path / "deep", {f"{deep}/day.md": "# x\n"})
    assert "nested deeper than 8" in parse_program(tmp_path / "deep").errors[0].message


def test_a_source_that_is_not_a_program_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    assert "does not exist" in parse_program(tmp_path / "nope").errors[0].message
    assert "not a folder, a .md file" in parse_program(tmp_path / "notes.txt").errors[0].message
    assert "no Markdown" in parse_program(tmp_path).errors[0].message
