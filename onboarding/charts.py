"""Charts as server-rendered SVG: readable at a glance, accessible, and allowed by the CSP.

The CSP forbids inline scripts and style attributes, so every chart is plain SVG with geometry
as attributes and colours from classes in app.css (`.chart__bar`...). Each chart has a <title>
and a <desc> (named by aria-labelledby); the same figures are always in a table beneath it.
Every label passes through `format_html`, so a hostile item title is text, never markup.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

# Each row is its label on one line and its bar(s) beneath, across the whole width: long item
# titles stay readable, and a phone shows the chart at nearly full size.
WIDTH = 420
LABEL_WIDTH = 6  # the left margin bars and labels start from
VALUE_WIDTH = 64  # room after the longest bar for its figure
ROW_HEIGHT = 36
LABEL_HEIGHT = 16
TOP = 4
BOTTOM = 26  # room for the axis labels
LABEL_CHARS = 60


@dataclass
class Bar:
    label: str
    values: Sequence[float | None]  # one per series
    texts: Sequence[str]  # the figure printed after each bar


@dataclass
class Range:
    label: str
    low: float | None
    middle: float | None
    high: float | None
    text: str


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "\u2026"


def _frame(chart_id: str, title: str, desc: str, height: int, body: SafeString) -> SafeString:
    return format_html(
        '<svg class="chart" id="{id}" viewBox="0 0 {w} {h}" width="100%" role="img" '
        'aria-labelledby="{id}-title {id}-desc" preserveAspectRatio="xMinYMin meet">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>{body}</svg>',
        id=chart_id,
        w=WIDTH,
        h=height,
        title=title,
        desc=desc,
        body=body,
    )


def _axis(scale_max: float, unit: str, height: int, plot: int) -> SafeString:
    ticks = []
    for step in range(5):
        value = scale_max * step / 4
        x = LABEL_WIDTH + plot * step / 4
        ticks.append(
            format_html(
                '<line class="chart__grid" x1="{x}" x2="{x}" y1="{top}" y2="{bottom}"/>'
                '<text class="chart__tick" x="{x}" y="{label_y}" text-anchor="{anchor}">'
                "{value}{unit}</text>",
                anchor="start" if step == 0 else "middle",
                x=f"{x:.1f}",
                top=TOP,
                bottom=height - BOTTOM + 4,
                label_y=height - 8,
                value=f"{value:.0f}" if scale_max >= 8 else f"{value:.1f}",
                unit=unit,
            )
        )
    return _joined(ticks)


def bar_chart(
    *,
    chart_id: str,
    title: str,
    desc: str,
    bars: Sequence[Bar],
    scale_max: float,
    unit: str = "",
    series: int = 1,
    reference: float | None = None,
    reference_label: str = "",
) -> SafeString:
    """Horizontal bars, one row per label, SERIES bars per row (classes chart__bar--s0, s1)."""
    plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    row_height = ROW_HEIGHT if series == 1 else ROW_HEIGHT + 12
    height = TOP + max(len(bars), 1) * row_height + BOTTOM
    scale_max = scale_max or 1
    parts = [_axis(scale_max, unit, height, plot)]
    bar_height = (row_height - LABEL_HEIGHT - 6) / series
    for index, bar in enumerate(bars):
        y = TOP + index * row_height
        parts.append(
            format_html(
                '<text class="chart__label" x="{x}" y="{y}">{label}</text>',
                x=LABEL_WIDTH,
                y=f"{y + LABEL_HEIGHT - 3:.1f}",
                label=_short(bar.label),
            )
        )
        for number, (value, text) in enumerate(zip(bar.values, bar.texts, strict=True)):
            width = max(0.0, min(1.0, (value or 0) / scale_max)) * plot
            top = y + LABEL_HEIGHT + number * bar_height
            parts.append(
                format_html(
                    '<rect class="chart__bar chart__bar--s{n}" x="{x}" y="{y}" width="{w}" '
                    'height="{h}" rx="2"><title>{label}: {text}</title></rect>'
                    '<text class="chart__value" x="{tx}" y="{ty}">{text}</text>',
                    n=number,
                    x=LABEL_WIDTH,
                    y=f"{top:.1f}",
                    w=f"{width:.1f}",
                    h=f"{bar_height - 1:.1f}",
                    label=bar.label,
                    text=text,
                    tx=f"{LABEL_WIDTH + width + 4:.1f}",
                    ty=f"{top + bar_height - 2:.1f}",
                )
            )
    if reference is not None:
        x = LABEL_WIDTH + min(1.0, reference / scale_max) * plot
        parts.append(
            format_html(
                '<line class="chart__reference" x1="{x}" x2="{x}" y1="{top}" y2="{bottom}"/>'
                '<text class="chart__reference-label" x="{x}" y="{ty}" text-anchor="middle">'
                "{label}</text>",
                x=f"{x:.1f}",
                top=TOP,
                bottom=height - BOTTOM + 4,
                ty=height - BOTTOM + 14,
                label=reference_label,
            )
        )
    return _frame(chart_id, title, desc, height, _joined(parts))


def range_chart(
    *, chart_id: str, title: str, desc: str, ranges: Sequence[Range], scale_max: float, unit: str
) -> SafeString:
    """One row per label: a band from LOW to HIGH (p25-p75) with a tick at MIDDLE (median)."""
    plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    height = TOP + max(len(ranges), 1) * ROW_HEIGHT + BOTTOM
    scale_max = scale_max or 1

    def x_of(value: float) -> float:
        return LABEL_WIDTH + max(0.0, min(1.0, value / scale_max)) * plot

    parts = [_axis(scale_max, unit, height, plot)]
    for index, row in enumerate(ranges):
        y = TOP + index * ROW_HEIGHT
        bar_top = y + LABEL_HEIGHT
        bar_height = ROW_HEIGHT - LABEL_HEIGHT - 6
        parts.append(
            format_html(
                '<text class="chart__label" x="{x}" y="{y}">{label}</text>',
                x=LABEL_WIDTH,
                y=f"{y + LABEL_HEIGHT - 3:.1f}",
                label=_short(row.label),
            )
        )
        if row.middle is None:
            parts.append(
                format_html(
                    '<text class="chart__value" x="{x}" y="{y}">no data yet</text>',
                    x=LABEL_WIDTH + 2,
                    y=f"{bar_top + bar_height - 2:.1f}",
                )
            )
            continue
        low, high = x_of(row.low or 0), x_of(row.high or 0)
        middle = x_of(row.middle)
        parts.append(
            format_html(
                '<rect class="chart__band" x="{x}" y="{y}" width="{w}" height="{h}" rx="2">'
                "<title>{label}: {text}</title></rect>"
                '<line class="chart__median" x1="{m}" x2="{m}" y1="{y}" y2="{y2}"/>'
                '<text class="chart__value" x="{tx}" y="{ty}">{text}</text>',
                x=f"{low:.1f}",
                y=f"{bar_top:.1f}",
                w=f"{max(high - low, 2):.1f}",
                h=bar_height,
                label=row.label,
                text=row.text,
                m=f"{middle:.1f}",
                y2=f"{bar_top + bar_height:.1f}",
                tx=f"{max(high, middle) + 4:.1f}",
                ty=f"{bar_top + bar_height - 2:.1f}",
            )
        )
    return _frame(chart_id, title, desc, height, _joined(parts))


def legend(labels: Sequence[str]) -> SafeString:
    """A legend for multi-series bar charts, as HTML beside the SVG."""
    return format_html(
        '<ul class="chart-legend">{}</ul>',
        format_html_join(
            "",
            '<li><span class="chart-legend__swatch chart-legend__swatch--s{}" aria-hidden="true">'
            "</span>{}</li>",
            ((index, label) for index, label in enumerate(labels)),
        ),
    )


def _joined(parts: list[SafeString]) -> SafeString:
    """Concatenate pieces each built by format_html; escaping leaves safe strings unchanged."""
    return format_html_join("", "{}", ((part,) for part in parts))
