"""Inline SVG charts for the HTML report, drawn from result data alone.

Charts use a ``viewBox`` and no fixed size, so they scale with the page; text
and colours come from classes that the page's CSS styles (screen and print).
Every string from a plan or a CSV is escaped; coordinates are rounded so that
the same data gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import re
from collections.abc import Sequence

from promoplan.render.text import display_width, format_value, one_line
from promoplan.result import CumulativeSeries, GroupChart
from promoplan.vocabulary import Units

WIDTH = 560
WIDE_WIDTH = 1040  # a chart across the page: main's 1,120 px less its and the panel's padding
MOBILE_FONT = 18  # the CSS font size of chart text on narrow screens, in user units
DESKTOP_FONT = 13  # the CSS font size of chart text on wider screens, in user units
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


def esc(text: str) -> str:
    """Escape a plan or CSV string for HTML text and attribute values (one line, no controls)."""
    text = _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", one_line(text))
    return html.escape(text, quote=True)


def num(value: float) -> str:
    """A coordinate with at most one decimal, no trailing zeros (stable bytes)."""
    text = f"{value:.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text == "-0" else text


def nice_ticks(low: float, high: float, count: int = 4) -> list[float]:
    """Round ticks covering ``low``..``high`` in about ``count`` steps of 1, 2, 2.5 or 5 x 10^k."""
    if not (math.isfinite(low) and math.isfinite(high)) or high <= low:
        high = low + 1.0
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step + 1e-9) * step
    ticks = [first]
    while ticks[-1] < high - 1e-9 * step:
        ticks.append(first + len(ticks) * step)
    return [round(t, 12) for t in ticks]


def shorten(text: str, width: int) -> str:
    """Cut ``text`` to about ``width`` columns (CJK counts double), with an ellipsis."""
    if display_width(text) <= width:
        return text
    kept = ""
    for char in text:
        if display_width(kept + char) > width - 1:
            break
        kept += char
    return kept + "…"


def _polyline(points: Sequence[tuple[float, float]], css: str) -> str:
    if not points:
        return ""
    if len(points) == 1:
        x, y = points[0]
        return f'<circle class="{css}" cx="{num(x)}" cy="{num(y)}" r="3"/>'
    coords = " ".join(f"{num(x)},{num(y)}" for x, y in points)
    return f'<polyline class="{css}" points="{coords}"/>'


def cumulative_chart(
    series: CumulativeSeries,
    *,
    as_of: dt.date | None,
    currency: str,
    units: Units,
) -> str:
    """A goal's cumulative actual against its paced target line and last year's line, and the
    forecast from as-of to the end of the span as a dashed continuation of the actual."""
    height, right, top, bottom = 280, 16, 14, 34
    points = series.points
    title = f"{series.label}: cumulative actual against paced target"
    if not points:
        return _empty_chart(title)
    first, last = points[0].day, points[-1].day
    span = max(1, (last - first).days)
    values = [
        v
        for p in points
        for v in (p.actual, p.target, p.last_year, p.forecast)
        if v is not None and math.isfinite(v)
    ]
    if series.target is not None and math.isfinite(series.target):
        values.append(series.target)
    ticks = nice_ticks(min([0.0, *values]), max([0.0, *values]) or 1.0)
    y_low, y_high = ticks[0], ticks[-1]
    labels = [tick_label(t, series.unit, currency=currency, units=units) for t in ticks]
    left = math.ceil(max(text_units(label) for label in labels)) + 10
    plot_w, plot_h = WIDTH - left - right, height - top - bottom

    def x_of(day: dt.date) -> float:
        return left + (day - first).days / span * plot_w

    def y_of(value: float) -> float:
        return top + plot_h - (value - y_low) / (y_high - y_low) * plot_h

    out = [
        f'<svg class="chart line-chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{esc(title)}" preserveAspectRatio="xMidYMid meet">',
        f"<title>{esc(title)}</title>",
    ]
    for tick, label in zip(ticks, labels, strict=True):
        y = num(y_of(tick))
        out.append(f'<line class="grid" x1="{left}" y1="{y}" x2="{WIDTH - right}" y2="{y}"/>')
        out.append(f'<text class="axis y" x="{left - 6}" y="{y}" dy="0.35em">{esc(label)}</text>')
    month = dt.date(first.year, first.month, 1)
    if month < first:
        month = _next_month(month)
    index = 0
    while month <= last:
        x = num(x_of(month))
        minor = " minor" if index % 2 else ""
        out.append(
            f'<line class="tick{minor}" x1="{x}" y1="{top + plot_h}" x2="{x}" '
            f'y2="{top + plot_h + 4}"/>'
        )
        out.append(
            f'<text class="axis x{minor}" x="{x}" y="{top + plot_h + 22}">'
            f"{MONTH_NAMES[month.month - 1]}</text>"
        )
        month = _next_month(month)
        index += 1
    out.append(
        f'<line class="axis-line" x1="{left}" y1="{num(y_of(0) if y_low < 0 else top + plot_h)}" '
        f'x2="{WIDTH - right}" y2="{num(y_of(0) if y_low < 0 else top + plot_h)}"/>'
    )
    if as_of is not None and first <= as_of <= last:
        x = num(x_of(as_of))
        out.append(f'<line class="as-of" x1="{x}" y1="{top}" x2="{x}" y2="{top + plot_h}"/>')
    for attr, css in (
        ("last_year", "series last-year"),
        ("target", "series target"),
        ("forecast", "series forecast"),
        ("actual", "series actual"),
    ):
        coords = [
            (x_of(p.day), y_of(v))
            for p in points
            if (v := getattr(p, attr)) is not None and math.isfinite(v)
        ]
        out.append(_polyline(coords, css))
    out.append("</svg>")
    return "".join(part for part in out if part)


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def text_units(text: str, font: float = MOBILE_FONT) -> float:
    """Rough width of ``text`` in user units at ``font`` (CJK characters are square)."""
    return sum(font * (1.0 if display_width(ch) == 2 else 0.62) for ch in text)


def tick_label(value: float, unit: str, *, currency: str, units: Units) -> str:
    """An axis label; a zero ratio reads ``0`` rather than ``1:0``."""
    if value == 0 and unit == "ratio":
        return "0"
    return format_value(value, unit, currency=currency, units=units)


def group_chart(
    chart: GroupChart,
    *,
    currency: str,
    units: Units,
    width: int = WIDTH,
    font: float = MOBILE_FONT,
    variant: str = "",
) -> str:
    """One horizontal bar per group against the floor line; bars below the floor are marked.

    ``width`` is the viewBox's and ``font`` the size its text is laid out for: the page
    draws a wide variant (``WIDE_WIDTH``, desktop text) across the page and the narrow
    one (``WIDTH``) on small screens, each named by ``variant``, a CSS class.
    """
    row, top, bottom = 34, 30, 28
    bars = chart.bars
    names = [shorten(bar.group, 16) for bar in bars]

    def fmt(value: float | None) -> str:
        if value is None or not math.isfinite(value):
            return "no data"
        return format_value(value, chart.unit, currency=currency, units=units)

    left = math.ceil(max([40.0, *(text_units(n, font) for n in names)])) + 12
    right = math.ceil(max([40.0, *(text_units(fmt(b.value), font) for b in bars)])) + 12
    height = top + row * max(1, len(bars)) + bottom
    plot_w = width - left - right
    title = f"{chart.label}: {chart.metric} per {chart.dimension} against the floor"
    values = [b.value for b in bars if b.value is not None and math.isfinite(b.value)]
    ticks = nice_ticks(min([0.0, *values]), max([chart.floor * 1.25, *values]), count=3)
    x_low, x_high = ticks[0], ticks[-1]

    def x_of(value: float) -> float:
        return left + (value - x_low) / (x_high - x_low) * plot_w

    out = [
        f'<svg class="chart bar-chart{" " + variant if variant else ""}" '
        f'viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{esc(title)}" preserveAspectRatio="xMidYMid meet">',
        f"<title>{esc(title)}</title>",
    ]
    axis_y = top + row * max(1, len(bars))
    for tick in ticks:
        x = num(x_of(tick))
        out.append(f'<line class="grid" x1="{x}" y1="{top}" x2="{x}" y2="{axis_y}"/>')
        label = esc(tick_label(tick, chart.unit, currency=currency, units=units))
        out.append(f'<text class="axis x" x="{x}" y="{axis_y + 20}">{label}</text>')
    base = x_of(max(0.0, x_low))
    for index, (bar, name) in enumerate(zip(bars, names, strict=True)):
        middle = num(top + index * row + row / 2)
        out.append(
            f'<text class="axis group" x="{left - 8}" y="{middle}" dy="0.35em">{esc(name)}'
            f"<title>{esc(bar.group)}</title></text>"
        )
        low = bar.value is not None and math.isfinite(bar.value) and bar.value < chart.floor
        value_css = "value low" if low else "value"
        if bar.value is not None and math.isfinite(bar.value):
            start, end = sorted((base, x_of(bar.value)))
            out.append(
                f'<rect class="bar {"below" if low else "ok"}" data-group="{esc(bar.group)}" '
                f'x="{num(start)}" y="{num(top + index * row + 7)}" '
                f'width="{num(max(end - start, 1.0))}" height="{row - 14}">'
                f"<title>{esc(bar.group)}: {esc(fmt(bar.value))}</title></rect>"
            )
        else:
            value_css = "value none"
        out.append(
            f'<text class="{value_css}" x="{width - right + 10}" y="{middle}" dy="0.35em">'
            f"{esc(fmt(bar.value))}</text>"
        )
    zero = num(base)
    out.append(f'<line class="axis-line" x1="{zero}" y1="{top}" x2="{zero}" y2="{axis_y}"/>')
    floor_x = num(x_of(chart.floor))
    floor_text = esc(tick_label(chart.floor, chart.unit, currency=currency, units=units))
    out.append(f'<line class="floor" x1="{floor_x}" y1="{top - 8}" x2="{floor_x}" y2="{axis_y}"/>')
    out.append(f'<text class="floor-label" x="{floor_x}" y="{top - 12}">floor {floor_text}</text>')
    out.append("</svg>")
    return "".join(out)


def _empty_chart(title: str) -> str:
    return (
        f'<svg class="chart" viewBox="0 0 {WIDTH} 60" role="img" aria-label="{esc(title)}">'
        f'<title>{esc(title)}</title><text class="value none" x="{WIDTH // 2}" y="34">'
        "no data</text></svg>"
    )
