"""Charts: round ticks in a sensible unit (minutes under 2 h, hours above), and SVG that fills
its card by percentages across instead of a fixed-width viewBox."""

import datetime
import re

import pytest
from django.db.models import F
from django.urls import reverse

from onboarding import charts
from onboarding.models import ItemProgress
from tests.onboarding import desk_support
from tests.onboarding.analytics_support import seed

version = desk_support.version


@pytest.mark.parametrize(
    ("longest", "unit", "labels"),
    [
        (0.04, "min", ["0 min", "1 min", "2 min", "3 min"]),  # 2.4 minutes: once "0.0h" x5
        (0.3, "min", ["0 min", "5 min", "10 min", "15 min", "20 min"]),
        (1.5, "min", ["0 min", "30 min", "60 min", "90 min"]),
        (0, "min", ["0 min", "15 min", "30 min", "45 min", "60 min"]),  # nothing yet
        (2, "h", ["0 h", "0.5 h", "1 h", "1.5 h", "2 h"]),
        (7, "h", ["0 h", "2 h", "4 h", "6 h", "8 h"]),
        (48, "h", ["0 h", "12 h", "24 h", "36 h", "48 h"]),
        (100, "h", ["0 h", "48 h", "96 h", "144 h"]),
        (2000, "h", ["0 h", "500 h", "1000 h", "1500 h", "2000 h"]),
    ],
)
def test_duration_scale_has_round_distinct_ticks_in_minutes_or_hours(longest, unit, labels):
    scale = charts.duration_scale(longest)
    assert scale.unit == unit
    assert [scale.tick_label(tick) for tick in scale.ticks] == labels
    assert scale.maximum >= longest  # the longest bar ends on or before the last tick
    assert scale.fraction(longest) <= 1.0


def test_figures_read_in_the_axis_unit():
    minutes = charts.duration_scale(1.2)
    assert minutes.format(0.75) == "45 min"
    assert minutes.format(0.001) == "<1 min"
    assert minutes.format(None) == "\u2013"
    hours = charts.duration_scale(30)
    assert (hours.format(2.54), hours.format(36.4)) == ("2.5 h", "36 h")
    assert charts.percent_scale().format(80) == "80%"


def test_a_chart_fills_its_width_with_percentages_and_no_viewbox():
    svg = charts.bar_chart(
        chart_id="c",
        title="T",
        desc="D",
        bars=[charts.Bar("Half", [50], ["50%"]), charts.Bar("Full", [100], ["100%"])],
        scale=charts.percent_scale(),
    )
    assert 'width="100%"' in svg and "viewBox" not in svg and "style=" not in svg
    widths = re.findall(
        r'<rect class="chart__bar[^"]*" x="[\d.]+%" y="[\d.]+" width="([\d.]+)%"', svg
    )
    full = charts.PLOT_RIGHT - charts.PLOT_LEFT
    assert [float(w) for w in widths] == [pytest.approx(full / 2), pytest.approx(full)]
    # A full bar carries its figure inside its end, where a phone still has room for it.
    assert 'class="chart__value chart__value--on-s0"' in svg and 'text-anchor="end">100%<' in svg


def _ticks(html: str) -> list[str]:
    return re.findall(r'<text class="chart__tick"[^>]*>([^<]*)</text>', html)


@pytest.mark.django_db
def test_time_per_item_ticks_are_minutes_when_items_take_minutes(
    client, mfa_passed, admin, mentor, version
):
    seed(version, mentor, 6)
    # Every completed item took between 3 and 8 minutes: the old axis read "0.0h" five times.
    for minutes, progress in enumerate(ItemProgress.objects.exclude(completed_at=None), start=3):
        ItemProgress.objects.filter(pk=progress.pk).update(
            completed_at=F("started_at") + datetime.timedelta(minutes=3 + minutes % 6)
        )
    mfa_passed(client, admin)
    html = client.get(reverse("manage:analytics_time")).content.decode()
    ticks = _ticks(html)
    assert len(ticks) >= 3 and len(set(ticks)) == len(ticks), ticks
    assert all(re.fullmatch(r"\d+ min", tick) for tick in ticks), ticks
    assert ticks[0] == "0 min"
    figures = re.findall(r'<text class="chart__value"[^>]*>([^<]*)</text>', html)
    assert figures and all(re.fullmatch(r"\d+ min|no data yet", f) for f in figures), figures


@pytest.mark.django_db
def test_mentor_chart_counts_hours_with_the_deadline_on_a_tick(
    client, mfa_passed, admin, mentor, version
):
    seed(version, mentor, 4)  # reviews took 24 h and 64 h
    mfa_passed(client, admin)
    html = client.get(reverse("manage:analytics_mentors")).content.decode()
    assert _ticks(html) == ["0 h", "24 h", "48 h", "72 h"]
    assert "48 h deadline" in html


@pytest.mark.django_db
def test_the_time_table_reads_minutes_like_its_chart(client, mfa_passed, admin, mentor, version):
    seed(version, mentor, 2)
    ItemProgress.objects.exclude(completed_at=None).update(
        completed_at=F("started_at") + datetime.timedelta(minutes=3)
    )
    mfa_passed(client, admin)
    html = client.get(reverse("manage:analytics_time")).content.decode()
    table = html[html.index('<table class="figures">') :]
    assert "<td>3 min</td>" in table and "0.0 h" not in table and "0.1 h" not in table


@pytest.mark.django_db
def test_a_short_bar_on_an_hours_axis_reads_in_minutes_as_in_its_table(
    client, mfa_passed, admin, mentor, version
):
    seed(version, mentor, 2)  # items 2 and 3 take hours
    first = ItemProgress.objects.order_by("item__chapter__position", "item__position").first()
    ItemProgress.objects.filter(item_id=first.item_id).update(
        completed_at=F("started_at") + datetime.timedelta(minutes=25)
    )
    mfa_passed(client, admin)
    html = client.get(reverse("manage:analytics_stuck")).content.decode()
    assert all(tick.endswith(" h") for tick in _ticks(html))
    start = html.index('<svg class="chart"')
    chart = html[start : html.index("</svg>", start)]
    assert ">25 min</text>" in chart and "<td>25 min</td>" in html
