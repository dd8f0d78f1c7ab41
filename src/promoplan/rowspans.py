"""Weekly and monthly rows: the days a row covers, and windows narrowed to whole rows.

A weekly row covers 7 days from its date, a monthly row its calendar month. A
row counts in a window only when the whole span it covers lies inside, so a
window over such rows is narrowed to the whole spans inside it.
"""

from __future__ import annotations

import datetime as dt

from promoplan.modeltypes import add_months
from promoplan.result import Window
from promoplan.windows import ONE_DAY, year_earlier

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
