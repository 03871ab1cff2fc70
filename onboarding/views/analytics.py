"""Analytics pages for program admins: a chart to read at a glance, the table beneath it, and
the same table as CSV (cells escaped against formula injection). Mounted at /manage/analytics/.

Each report is a selector in `selectors.analytics` (SQL, fixed query count); the view only
picks the scope (program, cohort) from the query string and renders.
"""

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from .. import charts
from ..csv_tools import csv_response
from ..edge import parse_id
from ..selectors import analytics as selectors

REPORTS = [
    ("funnel", "Completion funnel", "How many hires completed each item."),
    ("time", "Time per item", "Median time per item, with the middle half (p25 to p75)."),
    ("stuck", "Where hires get stuck", "Longest dwell, most questions, changes, lowest ratings."),
    ("mentors", "Mentor response times", "Time from submission to review, against 48 h."),
    ("cohorts", "Cohort against cohort", "Progress, completion and time per item by cohort."),
]


def _scope(request: HttpRequest) -> selectors.Scope:
    return selectors.analytics_scope(
        user=request.user,
        program_id=parse_id(request.GET.get("program")),
        cohort_id=parse_id(request.GET.get("cohort")),
    )


def _hours_cell(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    return render(
        request,
        "onboarding/manage/analytics_index.html",
        {"scope": scope, "reports": REPORTS, "section": "analytics"},
    )


def _page(request: HttpRequest, name: str, context: dict) -> HttpResponse:
    title = next(title for key, title, _ in REPORTS if key == name)
    context.update(
        {
            "report": name,
            "report_title": title,
            "reports": REPORTS,
            "section": "analytics",
            "analytics_cache_minutes": -(-settings.ANALYTICS_CACHE_SECONDS // 60),
        }
    )
    return render(request, f"onboarding/manage/analytics_{name}.html", context)


def _filename(scope: selectors.Scope, name: str) -> str:
    program = slugify(scope.program.title)[:40] if scope.program else "program"
    cohort = f"-{slugify(scope.cohort.name)[:30]}" if scope.cohort else ""
    return f"{program}{cohort}-{name}.csv"


# --- the reports ---------------------------------------------------------------------------------------


def _funnel(request: HttpRequest, as_csv: bool) -> HttpResponse:
    report = selectors.completion_funnel(scope=_scope(request))
    if as_csv:
        return csv_response(
            filename=_filename(report.scope, "funnel"),
            header=["item", "enrolled", "started", "completed", "completed %"],
            rows=(
                [r.item.label, r.enrolled, r.started, r.completed, r.completed_percent]
                for r in report.rows
            ),
        )
    chart = charts.bar_chart(
        chart_id="funnel-chart",
        title="Completion funnel: share of enrolled hires who completed each item",
        desc=(
            f"{report.enrolled} hires enrolled. "
            + "; ".join(f"{r.item.label}: {r.completed_percent}%" for r in report.rows[:40])
        ),
        bars=[
            charts.Bar(r.item.label, [r.completed_percent], [f"{r.completed_percent}%"])
            for r in report.rows
        ],
        scale=charts.percent_scale(),
    )
    return _page(request, "funnel", {"scope": report.scope, "funnel": report, "chart": chart})


def _time(request: HttpRequest, as_csv: bool) -> HttpResponse:
    report = selectors.time_per_item(scope=_scope(request))
    if as_csv:
        return csv_response(
            filename=_filename(report.scope, "time-per-item"),
            header=["item", "completed", "p25 hours", "median hours", "p75 hours"],
            rows=(
                [
                    r.item.label,
                    r.completed,
                    _hours_cell(r.p25),
                    _hours_cell(r.median),
                    _hours_cell(r.p75),
                ]
                for r in report.rows
            ),
        )
    scale = charts.duration_scale(report.longest)
    chart = charts.range_chart(
        chart_id="time-chart",
        title="Time from starting to completing each item: median and middle half",
        desc="; ".join(
            f"{r.item.label}: median {charts.format_duration(r.median)}, "
            f"{charts.format_duration(r.p25)} to {charts.format_duration(r.p75)}"
            for r in report.rows[:40]
        )
        or "No completed items yet.",
        ranges=[
            charts.Range(r.item.label, r.p25, r.median, r.p75, charts.format_duration(r.median))
            for r in report.rows
        ],
        scale=scale,
    )
    context = {"scope": report.scope, "time": report, "chart": chart}
    return _page(request, "time", context)


def _stuck(request: HttpRequest, as_csv: bool) -> HttpResponse:
    report = selectors.stuck_items(scope=_scope(request))
    if as_csv:
        return csv_response(
            filename=_filename(report.scope, "stuck"),
            header=[
                "item",
                "median hours to complete",
                "on it now",
                "median hours waiting now",
                "questions",
                "changes requested",
                "ratings",
                "average rating",
                "ratings of 1-2",
                "lowest-rating comments",
            ],
            rows=(
                [
                    r.item.label,
                    _hours_cell(r.median_hours),
                    r.in_progress,
                    _hours_cell(r.waiting_median_hours),
                    r.questions,
                    r.changes_requested,
                    r.ratings,
                    "" if r.average_rating is None else f"{r.average_rating:.2f}",
                    r.low_ratings,
                    " | ".join(f"{rating}: {comment}" for rating, comment in r.comments),
                ]
                for r in report.rows
            ),
        )
    scale = charts.duration_scale(report.hardest)
    chart = charts.bar_chart(
        chart_id="stuck-chart",
        title="Median time to complete each item (the longest are where hires get stuck)",
        desc="; ".join(
            f"{r.item.label}: {charts.format_duration(r.median_hours)}, {r.questions} questions, "
            f"{r.changes_requested} changes requested"
            for r in report.rows[:40]
        ),
        bars=[
            charts.Bar(r.item.label, [r.median_hours], [charts.format_duration(r.median_hours)])
            for r in report.rows
        ],
        scale=scale,
    )
    context = {"scope": report.scope, "stuck": report, "chart": chart}
    return _page(request, "stuck", context)


def _mentors(request: HttpRequest, as_csv: bool) -> HttpResponse:
    report = selectors.mentor_response_times(scope=_scope(request))
    if as_csv:
        return csv_response(
            filename=_filename(report.scope, "mentor-response"),
            header=[
                "mentor",
                "reviews",
                "median hours",
                "p75 hours",
                f"within {report.deadline_hours} h",
                "within %",
                "waiting now",
                "overdue now",
            ],
            rows=(
                [
                    r.name,
                    r.reviewed,
                    _hours_cell(r.median_hours),
                    _hours_cell(r.p75_hours),
                    r.within_deadline,
                    r.within_percent,
                    r.waiting,
                    r.overdue,
                ]
                for r in report.rows
            ),
        )
    scale = charts.duration_scale(report.longest)
    chart = charts.bar_chart(
        chart_id="mentors-chart",
        title=f"Median hours each mentor takes to review, against the {report.deadline_hours} h deadline",
        desc="; ".join(
            f"{r.name}: median {charts.format_duration(r.median_hours)}, "
            f"{r.within_percent}% within the deadline, "
            f"{r.overdue} overdue now"
            for r in report.rows[:40]
        )
        or "No reviews yet.",
        bars=[
            charts.Bar(r.name, [r.median_hours], [charts.format_duration(r.median_hours)])
            for r in report.rows
        ],
        scale=scale,
        reference=report.deadline_hours,
        reference_label=f"{report.deadline_hours} h deadline",
    )
    context = {"scope": report.scope, "mentors": report, "chart": chart}
    return _page(request, "mentors", context)


def _cohorts(request: HttpRequest, as_csv: bool) -> HttpResponse:
    scope = _scope(request)
    report = selectors.cohort_comparison(
        scope=scope,
        a_id=parse_id(request.GET.get("a")),
        b_id=parse_id(request.GET.get("b")),
    )
    if as_csv:
        return csv_response(
            filename=_filename(scope, "cohorts"),
            header=[
                "cohort",
                "hires",
                "average progress %",
                "all items done",
                "finished",
                "withdrawn",
                "median hours per item",
                "average rating",
            ],
            rows=(
                [
                    r.name,
                    r.hires,
                    r.average_percent,
                    r.all_done,
                    r.finished,
                    r.withdrawn,
                    _hours_cell(r.median_hours),
                    "" if r.average_rating is None else f"{r.average_rating:.2f}",
                ]
                for r in report.rows
            ),
        )
    chart = charts.bar_chart(
        chart_id="cohorts-chart",
        title="Average progress of each cohort (share of the program's items completed)",
        desc="; ".join(
            f"{r.name}: {r.average_percent}% average progress, {r.hires} hires" for r in report.rows
        )
        or "No hires yet.",
        bars=[
            charts.Bar(r.name, [r.average_percent], [f"{r.average_percent:.0f}%"])
            for r in report.rows
        ],
        scale=charts.percent_scale(),
    )
    item_chart = None
    if report.a is not None and report.b is not None:
        item_chart = charts.bar_chart(
            chart_id="cohorts-items-chart",
            title=f"Completion per item: {report.a.name} against {report.b.name}",
            desc="; ".join(
                f"{r.item.label}: {r.a_completed_percent}% and {r.b_completed_percent}%"
                for r in report.items[:40]
            ),
            bars=[
                charts.Bar(
                    r.item.label,
                    [r.a_completed_percent, r.b_completed_percent],
                    [f"{r.a_completed_percent}%", f"{r.b_completed_percent}%"],
                )
                for r in report.items
            ],
            scale=charts.percent_scale(),
            series=2,
        )
    context = {
        "scope": scope,
        "cohorts": report,
        "chart": chart,
        "item_chart": item_chart,
        "legend": charts.legend([report.a.name, report.b.name]) if report.a and report.b else None,
    }
    return _page(request, "cohorts", context)


_BUILDERS: dict[str, Callable[[HttpRequest, bool], HttpResponse]] = {
    "funnel": _funnel,
    "time": _time,
    "stuck": _stuck,
    "mentors": _mentors,
    "cohorts": _cohorts,
}


@login_required
@require_GET
def report(request: HttpRequest, name: str) -> HttpResponse:
    return _BUILDERS[name](request, False)


@login_required
@require_GET
def report_csv(request: HttpRequest, name: str) -> HttpResponse:
    return _BUILDERS[name](request, True)
