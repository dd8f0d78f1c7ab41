"""Weekly and monthly rows: the days a row covers, and windows narrowed to whole rows.

A weekly row covers 7 days from its date, a monthly row its calendar month. A
row counts in a window only when the whole span it covers lies inside, so a
window over such rows is narrowed to the whole spans inside it.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from promoplan.model import Plan
from promoplan.modeltypes import add_months
from promoplan.result import Window
from promoplan.vocabulary import ReportKind
from promoplan.windows import (
    ONE_DAY,
    previous_report_window,
    report_window,
    span_text,
    year_earlier,
)

if TYPE_CHECKING:
    from promoplan.pacing import PaceCurve

# -- weekly and monthly rows ----------------------------------------------------------
#
# A weekly row covers 7 days from its date, a monthly row its calendar month. A
# row counts in a window only when the whole span it covers lies inside, so a
# window over such rows is narrowed to the whole spans inside it.

WEEK = dt.timedelta(days=7)
WEEKDAYS = {"monday": 0, "sunday": 6}  # date.weekday() of the first day of a week


def row_span(day: dt.date, grain: str) -> tuple[dt.date, dt.date]:
    """The days a row dated ``day`` covers: one day, its week, or its month."""
    if grain == "weekly":
        return day, day + WEEK - ONE_DAY
    if grain == "monthly":
        first = day.replace(day=1)
        return first, add_months(first, 1) - ONE_DAY
    return day, day


def row_of(day: dt.date, grain: str, week_start: str = "monday") -> tuple[dt.date, dt.date]:
    """The days of the row that holds ``day``: the day, its week (from ``week_start``) or
    its month."""
    if grain == "weekly":
        first = day - dt.timedelta(days=(day.weekday() - WEEKDAYS[week_start]) % 7)
        return first, first + WEEK - ONE_DAY
    return row_span(day, grain)


def row_dates(start: dt.date, end: dt.date, grain: str) -> tuple[dt.date, dt.date]:
    """The range of row dates whose whole span lies in ``start``..``end``.

    Weekly rows are dated by their first day, monthly ones (in the cube) by the
    first of the month; daily rows and order-level rows cover their own day.
    """
    if grain == "weekly":
        return start, end - WEEK + ONE_DAY
    if grain == "monthly":
        last_whole = add_months((end + ONE_DAY).replace(day=1), -1)
        return start, last_whole
    return start, end


def narrowed(window: Window, grain: str, week_start: str = "monday") -> Window:
    """The part of ``window`` that whole weekly or monthly rows cover (the window summed).

    Weeks start on ``week_start``. A window too short for one whole row ends
    the day before it starts (no days).
    """
    if grain == "weekly":
        offset = (WEEKDAYS[week_start] - window.start.weekday()) % 7
        first = window.start + dt.timedelta(days=offset)
        whole = max(0, (window.end - first).days + 1) // 7
        return Window(window.label, first, first + dt.timedelta(days=7 * whole) - ONE_DAY)
    if grain == "monthly":
        first = window.start.replace(day=1)
        if first < window.start:
            first = add_months(first, 1)
        last_start = row_dates(window.start, window.end, grain)[1]
        if last_start < first:
            return Window(window.label, first, first - ONE_DAY)
        return Window(window.label, first, add_months(last_start, 1) - ONE_DAY)
    return window


def rows_year_earlier(start: dt.date, end: dt.date, grain: str) -> tuple[dt.date, dt.date]:
    """The comparison span a year before ``start``..``end``: as many rows, a year back.

    Weekly rows: 52 weeks (364 days) back, so the same number of whole weeks;
    otherwise the same dates (the same months) a year earlier.
    """
    if grain == "weekly":
        back = dt.timedelta(days=364)
        return start - back, end - back
    return year_earlier(start), year_earlier(end)


def rows_text(window: Window, grain: str) -> str | None:
    """How many whole rows a narrowed window covers: ``52 weeks``, ``3 months``, ``no whole week``.

    None for daily and order-level rows, whose windows are never narrowed.
    """
    days = (window.end - window.start).days + 1
    if grain == "weekly":
        count, noun = max(0, days) // 7, "week"
    elif grain == "monthly":
        count, noun = 0, "month"
        day = window.start
        while add_months(day, 1) - ONE_DAY <= window.end:
            count, day = count + 1, add_months(day, 1)
    else:
        return None
    if count == 0:
        return f"no whole {noun}"
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def summed(window: Window, grain: str, week_start: str = "monday") -> Window:
    """The window as summed over rows of ``grain``: narrowed to whole rows, with their count.

    Daily and order-level windows are returned as they are.
    """
    if grain not in ("weekly", "monthly"):
        return window
    inside = narrowed(window, grain, week_start)
    return Window(inside.label, inside.start, inside.end, rows_text(inside, grain))


def window_words(window: Window) -> str:
    """An alert's window as printed: its label, and over whole rows the dates summed too
    (``2024-Q4 (2024-10-07..2024-12-29, 12 weeks)``)."""
    if window.summed is None:
        return window.label
    return f"{window.label} ({summed_words(window)})"


def summed_words(window: Window) -> str:
    """The dates a window over whole rows sums, and how many rows: ``2024-01-01..2024-12-29,
    52 weeks`` (``no whole week`` alone when it sums none)."""
    if window.end < window.start or window.summed is None:
        return window.summed or ""
    return f"{window.start.isoformat()}..{window.end.isoformat()}, {window.summed}"


def counted_through(as_of: dt.date, grain: str, week_start: str = "monday") -> dt.date:
    """The last day that whole rows cover by ``as_of``: pacing counts a row's days when the
    row is counted, so a week or month still in progress adds no expected days."""
    if grain == "weekly":
        last = (WEEKDAYS[week_start] - 1) % 7  # the weekday a week ends on
        return as_of - dt.timedelta(days=(as_of.weekday() - last) % 7)
    if grain == "monthly":
        following = as_of + ONE_DAY
        return as_of if following.day == 1 else as_of.replace(day=1) - ONE_DAY
    return as_of


def counted_fraction(  # noqa: PLR0917  # a span, the day reached, and how rows are dated
    curve: PaceCurve,
    start: dt.date,
    end: dt.date,
    through: dt.date,
    grain: str,
    week_start: str = "monday",
) -> float:
    """The share of ``start..end``'s pacing weight in the days whole rows cover by ``through``.

    Pacing counts a row's days when the row is counted: the days before the first
    whole row (a week straddling the period's start, which is not summed) add no
    expected amount, as the days of a row still in progress (``counted_through``)
    add none. Over daily rows it is ``curve.fraction(start, end, through)``.
    """
    first = narrowed(Window("span", start, end), grain, week_start).start
    return max(
        0.0, curve.fraction(start, end, through) - curve.fraction(start, end, first - ONE_DAY)
    )


def previous_rows(window: Window, grain: str, label: str | None = None) -> Window:
    """The window just before ``window`` holding as many whole rows.

    Weekly rows: as many weeks right before (``window`` is narrowed, so a multiple of
    7 days); monthly rows: as many months right before; otherwise as many days.
    """
    name = label if label is not None else f"before {window.label}"
    if window.end < window.start:  # no whole row: nothing to compare with either
        return Window(name, window.start, window.start - ONE_DAY, rows_text(window, grain))
    if grain == "monthly" and window.start.day == 1:
        count = 0
        day = window.start
        while add_months(day, 1) - ONE_DAY <= window.end:
            count, day = count + 1, add_months(day, 1)
        first = add_months(window.start, -count)
        before = Window(name, first, window.start - ONE_DAY)
        return Window(name, before.start, before.end, rows_text(before, grain))
    length = (window.end - window.start).days + 1
    end = window.start - ONE_DAY
    before = Window(name, end - dt.timedelta(days=length - 1), end)
    if grain == "weekly":
        return Window(name, before.start, before.end, rows_text(before, grain))
    return before


def report_windows(
    kind: ReportKind, spec: str, plan: Plan, as_of: dt.date
) -> tuple[Window, Window]:
    """A report's window and the one it is compared with.

    Over daily rows, :func:`~promoplan.windows.report_window` and
    :func:`~promoplan.windows.previous_report_window`. Over weekly or monthly rows
    the window is narrowed to the whole rows inside it, and it is compared with as
    many rows right before it (13 weeks with the 13 weeks before, not a calendar
    quarter of 12 or 14 weeks), the previous window's label stating its dates.
    """
    window = report_window(kind, spec, plan, as_of)
    grain, week_start = plan.actuals.grain, plan.actuals.week_start
    if grain not in ("weekly", "monthly"):
        return window, previous_report_window(kind, window, plan)
    inside = summed(window, grain, week_start)
    before = previous_rows(inside, grain)
    if before.end < before.start:
        label = f"nothing before ({before.summed})"
    else:
        label = f"previous {before.summed} ({span_text(before.start, before.end)})"
    return inside, Window(label, before.start, before.end, before.summed)
