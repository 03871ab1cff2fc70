"""Analytics: figures computed in SQL are right, every page's query count is the same for 100
and 5,000 hires, charts are accessible SVG with their tables, and CSV cells can't run."""

import csv
import datetime
import io

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from curriculum.models import Item
from onboarding.models import (
    Cohort,
    Enrollment,
)
from onboarding.selectors.analytics import (
    analytics_scope,
    cohort_comparison,
    completion_funnel,
    mentor_response_times,
    stuck_items,
    time_per_item,
)
from tests.onboarding import desk_support
from tests.onboarding.analytics_support import NOW, seed

pytestmark = pytest.mark.django_db

version = desk_support.version

REPORTS = ["funnel", "time", "stuck", "mentors", "cohorts"]


@pytest.fixture
def two_cohorts(admin):
    return [
        Cohort.objects.create(name="Alpha", start_date=datetime.date(2026, 1, 5)),
        Cohort.objects.create(name="Beta", start_date=datetime.date(2026, 2, 2)),
    ]


def count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


# Each page's queries beyond what the audit-log page costs (its request overhead and its one
# query): the scope (programs, cohorts) and the report's own SQL; the cohort page adds the
# per-cohort timing and, with two cohorts chosen, the items and their per-item figures.
PAGE_QUERIES = {"funnel": 4, "time": 3, "stuck": 6, "mentors": 4, "cohorts": 5}


@pytest.mark.query_count(
    "manage:analytics_funnel",
    "manage:analytics_funnel_csv",
    "manage:analytics_time",
    "manage:analytics_time_csv",
    "manage:analytics_stuck",
    "manage:analytics_stuck_csv",
    "manage:analytics_mentors",
    "manage:analytics_mentors_csv",
    "manage:analytics_cohorts",
    "manage:analytics_cohorts_csv",
)
def test_every_analytics_page_runs_the_same_queries_for_100_and_5000_hires(
    client, mfa_passed, admin, mentor, version, two_cohorts
):
    a, b = two_cohorts
    mfa_passed(client, admin)
    overhead = count(client, reverse("manage:audit")) - 1  # the audit page's one query
    urls = {
        name: reverse(f"manage:analytics_{name}")
        + f"?program={version.program_id}"
        + (f"&a={a.pk}&b={b.pk}" if name == "cohorts" else "")
        for name in REPORTS
    }
    seed(version, mentor, 100, cohorts=two_cohorts)
    small = {name: count(client, url) for name, url in urls.items()}
    small_csv = {
        name: count(
            client, reverse(f"manage:analytics_{name}_csv") + f"?program={version.program_id}"
        )
        for name in REPORTS
    }
    seed(version, mentor, 4900, start=100, cohorts=two_cohorts)
    assert Enrollment.objects.count() == 5000
    big = {name: count(client, url) for name, url in urls.items()}
    big_csv = {
        name: count(
            client, reverse(f"manage:analytics_{name}_csv") + f"?program={version.program_id}"
        )
        for name in REPORTS
    }
    assert small == big
    assert small_csv == big_csv
    assert {name: small[name] - overhead for name in REPORTS} == PAGE_QUERIES


def test_funnel_time_and_stuck_figures(admin, mentor, version):
    seed(version, mentor, 10)
    scope = analytics_scope(user=admin, program_id=version.program_id, cohort_id=None)
    funnel = completion_funnel(scope=scope)
    assert funnel.enrolled == 10
    first, _, third = funnel.rows[:3]
    assert (first.started, first.completed, first.completed_percent) == (10, 10, 100)
    assert (third.started, third.completed, third.completed_percent) == (10, 5, 50)
    assert all(row.started == 0 for row in funnel.rows[3:])
    times = time_per_item(scope=scope).rows
    # Item 1 takes 2 + i % 3 hours: 2,3,4,2,3,4,2,3,4,2 -> median 3, p25 2, p75 3.75.
    assert (times[0].p25, times[0].median, times[0].p75) == (2.0, 3.0, 3.75)
    stuck = stuck_items(scope=scope, now=NOW)
    row2 = stuck.rows[1]
    assert row2.questions == 10 and stuck.rows[0].changes_requested == 10
    assert stuck.rows[2].in_progress == 5
    assert stuck.longest_dwell[0].item.key == stuck.rows[2].item.key
    low = [r for r in stuck.rows if r.comments]
    assert low and all(len(r.comments) <= 3 for r in low)
    assert low[0].comments[0] == (1, "Too long =cmd")


def test_mentor_response_times_against_the_deadline(admin, mentor, version):
    seed(version, mentor, 4)
    scope = analytics_scope(user=admin, program_id=version.program_id, cohort_id=None)
    (row,) = mentor_response_times(scope=scope, now=NOW).rows
    # Rounds took 24 h (even i) and 64 h (odd i): half within 48 h.
    assert row.reviewed == 4 and row.within_deadline == 2 and row.within_percent == 50
    assert row.median_hours == pytest.approx(44.0)
    assert row.waiting == 4 and row.overdue == 4  # submitted 60 h ago


def test_cohort_against_cohort(admin, mentor, version, two_cohorts):
    a, b = two_cohorts
    seed(version, mentor, 6, cohorts=two_cohorts)
    scope = analytics_scope(user=admin, program_id=version.program_id, cohort_id=None)
    report = cohort_comparison(scope=scope, a_id=a.pk, b_id=b.pk)
    assert [r.name for r in report.rows] == ["Alpha", "Beta"]
    assert [r.hires for r in report.rows] == [3, 3]
    # Alpha gets i = 0, 2, 4 (every item 3 done); Beta i = 1, 3, 5 (item 3 never done).
    assert report.items[2].a_completed_percent == 100
    assert report.items[2].b_completed_percent == 0
    assert report.rows[0].average_percent > report.rows[1].average_percent


def test_the_cohort_filter_narrows_every_report(admin, mentor, version, two_cohorts):
    a, _ = two_cohorts
    seed(version, mentor, 6, cohorts=two_cohorts)
    scope = analytics_scope(user=admin, program_id=version.program_id, cohort_id=a.pk)
    assert completion_funnel(scope=scope).enrolled == 3


@pytest.mark.parametrize("name", REPORTS)
def test_each_page_has_an_accessible_chart_and_a_table(
    client, mfa_passed, admin, mentor, version, two_cohorts, name
):
    seed(version, mentor, 4, cohorts=two_cohorts)
    mfa_passed(client, admin)
    a, b = two_cohorts
    url = reverse(f"manage:analytics_{name}") + f"?a={a.pk}&b={b.pk}"
    html = client.get(url).content.decode()
    assert '<svg class="chart"' in html and 'role="img"' in html
    assert "<title id=" in html and "<desc id=" in html
    assert "<table" in html
    assert "style=" not in html  # the CSP forbids inline styles


def test_hostile_item_titles_are_text_in_the_chart(client, mfa_passed, admin, mentor, version):
    seed(version, mentor, 2)
    item = Item.objects.filter(version=version).order_by("chapter__position", "position").first()
    Item.objects.filter(pk=item.pk).update(title='<script>alert(1)</script>"=x')
    mfa_passed(client, admin)
    html = client.get(reverse("manage:analytics_funnel")).content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html


def test_csv_exports_escape_formula_cells(client, mfa_passed, admin, mentor, version):
    seed(version, mentor, 5)
    Item.objects.filter(version=version).update(title="=HYPERLINK(1)")
    mfa_passed(client, admin)
    response = client.get(reverse("manage:analytics_stuck_csv"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "item"
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert any(cell.startswith("'=") for row in rows for cell in row)


def test_csv_safe_escapes_every_formula_start():
    from onboarding.csv_tools import csv_safe

    for start in "=+-@\t\r":
        assert csv_safe(start + "x") == "'" + start + "x"
    assert csv_safe("fine") == "fine" and csv_safe(None) == "" and csv_safe(-3) == "'-3"


def test_figures_are_reused_for_the_cache_lifetime(
    admin, mentor, version, settings, client, mfa_passed
):
    """Aggregates are kept ANALYTICS_CACHE_SECONDS: the second look runs none of the heavy
    queries, and a new hire shows up only once the figures expire."""
    settings.ANALYTICS_CACHE_SECONDS = 60
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    seed(version, mentor, 4)
    scope = analytics_scope(user=admin, program_id=version.program_id, cohort_id=None)
    with CaptureQueriesContext(connection) as first:
        assert completion_funnel(scope=scope).enrolled == 4
    seed(version, mentor, 2, start=4)
    with CaptureQueriesContext(connection) as second:
        assert completion_funnel(scope=scope).enrolled == 4  # a minute old, by design
    assert len(second) == len(first) - 2  # the count and the grouped progress came cached
    cache.clear()
    assert completion_funnel(scope=scope).enrolled == 6

    page = mfa_passed(client, admin).get(
        reverse("manage:analytics_funnel"), {"program": version.program_id}
    )
    assert "figures refresh every 1 minute" in page.content.decode()
