"""Every page has a test of its query count, flat in the number of rows.

A test that asserts a page's query count with more than one row of each kind that could
multiply queries says so with `@pytest.mark.query_count("route", ...)`. The meta-test reads
those marks from the test files themselves (not from what pytest collected this run, so it
holds when only part of the suite runs) and fails on any page the access table says renders
(a 200 to a GET) that no such test names.
"""

import ast
from pathlib import Path

from tests.access_table import OK, TABLE

TESTS = Path(__file__).resolve().parent

# Pages whose count test is still to write. The list only shrinks: a page that gets a marked
# test must leave it (the second meta-test says so), and a new page cannot join it silently.
NOT_YET: set[str] = set()


def _pages() -> set[str]:
    """Routes some role may GET as a page (allauth's own and the Django admin's aside)."""
    return {
        route
        for (route, _), row in TABLE.items()
        if OK in row.get.values() and not route.startswith(("account_", "mfa_", "admin:"))
    }


def _marked(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "query_count"
            and isinstance(node.func.value, ast.Attribute)
            and node.func.value.attr == "mark"
        ):
            found |= {arg.value for arg in node.args if isinstance(arg, ast.Constant)}
    return found


def _covered() -> set[str]:
    return set().union(*(_marked(path) for path in TESTS.rglob("test_*.py")))


def test_every_page_has_a_flat_query_count_test():
    missing = _pages() - _covered() - NOT_YET
    assert not missing, f"pages without a @pytest.mark.query_count test: {sorted(missing)}"


def test_the_list_of_pages_still_to_cover_only_shrinks():
    assert not NOT_YET & _covered(), f"covered now, drop from NOT_YET: {NOT_YET & _covered()}"
    assert _pages() >= NOT_YET, f"no longer pages: {NOT_YET - _pages()}"


def test_marks_name_real_routes(tmp_path):
    """Its negative case: a marked test file is read, and a misspelt route would not count."""
    sample = tmp_path / "test_sample.py"
    sample.write_text(
        "import pytest\n\n"
        '@pytest.mark.query_count("meetings:index", "desk:dashboard")\n'
        "def test_x():\n    pass\n"
    )
    assert _marked(sample) == {"meetings:index", "desk:dashboard"}
    assert _covered() <= _pages(), f"marks for no page: {_covered() - _pages()}"
