"""Charts as server-rendered SVG: readable at a glance, accessible, and allowed by the CSP.

The CSP forbids inline scripts and style attributes, so every chart is plain SVG with geometry
as attributes and colours from classes in app.css (`.chart__bar`...). Each chart has a <title>
and a <desc> (named by aria-labelledby); the same figures are always in a table beneath it.
Every label passes through `format_html`, so a hostile item title is text, never markup.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

# Each row is its label on one line and its bar(s) beneath, across the whole width: long item
# titles stay readable. Across, every position is a percentage of the chart's width and the
# chart is as wide as its card (width="100%", no viewBox): a viewBox would scale the text with
# the width (12 px labels would be 30 px on a desktop and 5 px on a phone), percentages stretch
# only the bars. Down, positions are pixels, so a chart is as tall on a phone as on a desktop.
PLOT_LEFT = 0.5  # % of the width where bars and the axis start
PLOT_RIGHT = 86.0  # % where the scale ends: room after a full bar for its figure on a phone
INSIDE_FROM = 0.8  # a bar longer than this share of the plot carries its figure inside its end
ROW_HEIGHT = 36
LABEL_HEIGHT = 16
TOP = 4
REFERENCE_TOP = 18  # room above the bars for a reference line's label
BOTTOM = 26  # room for the axis labels
LABEL_CHARS = 60
PHONE_LABEL_CHARS = 40  # 13 px text across a 390 px phone's card
MAX_INTERVALS = 4  # at most five tick labels: "120 min" five times fits a phone's width

# Nice steps between ticks, in the unit the axis is labelled in.
_MINUTE_STEPS = (1, 2, 5, 10, 15, 20, 30, 60)
_HOUR_STEPS = (0.5, 1, 2, 3, 4, 6, 12, 24, 48, 72, 120, 240, 480)
MINUTES_BELOW_HOURS = 2.0  # a scale whose longest value is under 2 h counts in minutes


@dataclass(frozen=True)
class Scale:
    """The axis of a chart: its end (in the data's unit), its ticks and how figures read.

    `per_label` converts a value into the unit the labels use (60 for hours shown as minutes).
    """

    maximum: float
    ticks: tuple[float, ...]
    unit: str  # "%", "min" or "h"
    per_label: float = 1.0

    def fraction(self, value: float | None) -> float:
        return max(0.0, min(1.0, (value or 0) / self.maximum)) if self.maximum else 0.0

    def tick_label(self, value: float) -> str:
        shown = value * self.per_label
        number = f"{shown:.0f}" if shown == int(shown) else f"{shown:.1f}"
        return f"{number}%" if self.unit == "%" else f"{number} {self.unit}"

    def format(self, value: float | None) -> str:
        """A figure in the axis's unit: "45 min", "2.5 h", "36 h", "80%"; a dash for none."""
        if value is None:
            return "\u2013"
        shown = value * self.per_label
        if self.unit == "%":
            return f"{shown:.0f}%"
        if self.unit == "min":
            return "<1 min" if 0 < shown < 0.5 else f"{shown:.0f} min"
        return f"{shown:.1f} h" if shown < 10 else f"{shown:.0f} h"


def _nice(longest: float, steps: Sequence[float]) -> tuple[float, tuple[float, ...]]:
    """The smallest step of STEPS (then 1-2-5 steps beyond them) that covers LONGEST in at
    most MAX_INTERVALS intervals; the scale ends on the first tick at or past LONGEST."""
    first = math.floor(math.log10(steps[-1]))
    beyond = [f * 10**k for k in range(first, first + 12) for f in (1, 2, 5)]
    candidates = sorted({*steps, *(s for s in beyond if s > steps[-1])})
    step = next(s for s in candidates if math.ceil(longest / s - 1e-9) <= MAX_INTERVALS)
    intervals = max(1, math.ceil(longest / step - 1e-9))
    return step * intervals, tuple(step * i for i in range(intervals + 1))


def percent_scale() -> Scale:
    return Scale(maximum=100, ticks=(0, 25, 50, 75, 100), unit="%")


def duration_scale(longest_hours: float) -> Scale:
    """An axis for hours: in minutes when the longest is under 2 h, else in hours, with round
    ticks (every 15 min, 30 min, 6 h, 12 h, 24 h...) and the end on a tick."""
    longest = max(0.0, longest_hours or 0.0)
    if longest < MINUTES_BELOW_HOURS:
        # An empty chart still gets a scale: the first hour, in quarters.
        end, ticks = _nice(longest * 60 or 60, _MINUTE_STEPS)
        return Scale(maximum=end / 60, ticks=tuple(t / 60 for t in ticks), unit="min", per_label=60)
    end, ticks = _nice(longest, _HOUR_STEPS)
    return Scale(maximum=end, ticks=ticks, unit="h")


def format_duration(hours: float | None) -> str:
    """One duration on its own (a table cell): minutes under 2 h, else hours; a dash for none."""
    if hours is None:
        return "\u2013"
    return duration_scale(hours).format(hours)


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


def _short(label: str, chars: int) -> str:
    return label if len(label) <= chars else label[: chars - 1].rstrip() + "\u2026"


def _x(fraction: float) -> str:
    """A position across the plot as a percentage of the chart's width."""
    return f"{PLOT_LEFT + fraction * (PLOT_RIGHT - PLOT_LEFT):.2f}%"


def _w(fraction: float) -> str:
    return f"{fraction * (PLOT_RIGHT - PLOT_LEFT):.2f}%"


def _frame(chart_id: str, title: str, desc: str, height: int, body: SafeString) -> SafeString:
    return format_html(
        '<svg class="chart" id="{id}" width="100%" height="{h}" role="img" '
        'aria-labelledby="{id}-title {id}-desc">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>{body}</svg>',
        id=chart_id,
        h=height,
        title=title,
        desc=desc,
        body=body,
    )


def _axis(scale: Scale, top: int, height: int) -> SafeString:
    ticks = []
    last = len(scale.ticks) - 1
    for index, value in enumerate(scale.ticks):
        ticks.append(
            format_html(
                '<line class="chart__grid" x1="{x}" x2="{x}" y1="{top}" y2="{bottom}"/>'
                '<text class="chart__tick" x="{x}" y="{label_y}" text-anchor="{anchor}">'
                "{label}</text>",
                anchor="start" if index == 0 else "end" if index == last else "middle",
                x=_x(scale.fraction(value)),
                top=top,
                bottom=height - BOTTOM + 4,
                label_y=height - 8,
                label=scale.tick_label(value),
            )
        )
    return _joined(ticks)


def _value(fraction: float, y: float, text: str, series: int = 0) -> SafeString:
    """A bar's figure: after its end, or inside it when the bar nearly fills the plot."""
    if fraction >= INSIDE_FROM:
        return format_html(
            '<text class="chart__value chart__value--on-s{n}" x="{x}" y="{y}" dx="-4" '
            'text-anchor="end">{text}</text>',
            n=series,
            x=_x(fraction),
            y=f"{y:.1f}",
            text=text,
        )
    return format_html(
        '<text class="chart__value" x="{x}" y="{y}" dx="4">{text}</text>',
        x=_x(fraction),
        y=f"{y:.1f}",
        text=text,
    )


def _label(y: float, label: str) -> SafeString:
    """A row's label; a long one also as a shorter text that app.css shows on a phone instead
    (SVG text cannot wrap). The chart is one image to a screen reader, named by its desc."""
    common = {"x": _x(0), "y": f"{y + LABEL_HEIGHT - 3:.1f}"}
    if len(label) <= PHONE_LABEL_CHARS:
        return format_html(
            '<text class="chart__label" x="{x}" y="{y}">{label}</text>', label=label, **common
        )
    return format_html(
        '<text class="chart__label chart__label--wide" x="{x}" y="{y}">{label}</text>'
        '<text class="chart__label chart__label--narrow" x="{x}" y="{y}">{short}</text>',
        label=_short(label, LABEL_CHARS),
        short=_short(label, PHONE_LABEL_CHARS),
        **common,
    )


def bar_chart(
    *,
    chart_id: str,
    title: str,
    desc: str,
    bars: Sequence[Bar],
    scale: Scale,
    series: int = 1,
    reference: float | None = None,
    reference_label: str = "",
) -> SafeString:
    """Horizontal bars, one row per label, SERIES bars per row (classes chart__bar--s0, s1)."""
    row_height = ROW_HEIGHT if series == 1 else ROW_HEIGHT + 12
    top = REFERENCE_TOP if reference is not None else TOP
    height = top + max(len(bars), 1) * row_height + BOTTOM
    parts = [_axis(scale, top, height)]
    bar_height = (row_height - LABEL_HEIGHT - 6) / series
    for index, bar in enumerate(bars):
        y = top + index * row_height
        parts.append(_label(y, bar.label))
        for number, (value, text) in enumerate(zip(bar.values, bar.texts, strict=True)):
            fraction = scale.fraction(value)
            bar_top = y + LABEL_HEIGHT + number * bar_height
            parts.append(
                format_html(
                    '<rect class="chart__bar chart__bar--s{n}" x="{x}" y="{y}" width="{w}" '
                    'height="{h}" rx="2"><title>{label}: {text}</title></rect>',
                    n=number,
                    x=_x(0),
                    y=f"{bar_top:.1f}",
                    w=_w(fraction),
                    h=f"{bar_height - 1:.1f}",
                    label=bar.label,
                    text=text,
                )
            )
            parts.append(_value(fraction, bar_top + bar_height - 2, text, number))
    if reference is not None:
        fraction = scale.fraction(reference)
        # The label reads away from the plot's end, so it never runs off the chart.
        near_end = fraction > 0.6
        parts.append(
            format_html(
                '<line class="chart__reference" x1="{x}" x2="{x}" y1="{top}" y2="{bottom}"/>'
                '<text class="chart__reference-label" x="{x}" y="{ty}" dx="{dx}" '
                'text-anchor="{anchor}">{label}</text>',
                x=_x(fraction),
                top=top - 4,
                bottom=height - BOTTOM + 4,
                ty=top - 6,
                dx=-3 if near_end else 3,
                anchor="end" if near_end else "start",
                label=reference_label,
            )
        )
    return _frame(chart_id, title, desc, height, _joined(parts))


def range_chart(
    *, chart_id: str, title: str, desc: str, ranges: Sequence[Range], scale: Scale
) -> SafeString:
    """One row per label: a band from LOW to HIGH (p25-p75) with a tick at MIDDLE (median)."""
    height = TOP + max(len(ranges), 1) * ROW_HEIGHT + BOTTOM
    parts = [_axis(scale, TOP, height)]
    for index, row in enumerate(ranges):
        y = TOP + index * ROW_HEIGHT
        bar_top = y + LABEL_HEIGHT
        bar_height = ROW_HEIGHT - LABEL_HEIGHT - 6
        parts.append(_label(y, row.label))
        if row.middle is None:
            parts.append(
                format_html(
                    '<text class="chart__value" x="{x}" y="{y}" dx="2">no data yet</text>',
                    x=_x(0),
                    y=f"{bar_top + bar_height - 2:.1f}",
                )
            )
            continue
        low, high = scale.fraction(row.low), scale.fraction(row.high)
        middle = scale.fraction(row.middle)
        parts.append(
            format_html(
                '<rect class="chart__band" x="{x}" y="{y}" width="{w}" height="{h}" rx="2">'
                "<title>{label}: {text}</title></rect>"
                '<line class="chart__median" x1="{m}" x2="{m}" y1="{y}" y2="{y2}"/>',
                x=_x(low),
                y=f"{bar_top:.1f}",
                # At least a sliver, so a band whose quartiles coincide still shows.
                w=_w(max(high - low, 0.005)),
                h=bar_height,
                label=row.label,
                text=row.text,
                m=_x(middle),
                y2=f"{bar_top + bar_height:.1f}",
            )
        )
        end = max(high, middle)
        figure_y = f"{bar_top + bar_height - 2:.1f}"
        if end < INSIDE_FROM:
            parts.append(_value(end, bar_top + bar_height - 2, row.text))
        else:
            # No room after the band: the figure goes before it where the row is empty, else
            # inside the band's end (the band is light, the figure dark).
            before = low >= 0.3
            parts.append(
                format_html(
                    '<text class="chart__value" x="{x}" y="{y}" dx="-4" text-anchor="end">'
                    "{text}</text>",
                    x=_x(low if before else end),
                    y=figure_y,
                    text=row.text,
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
