"""Whether the actuals cover a comparison's baseline dates (PA021).

A growth goal or a KPI change divides by a baseline; when the export starts (or
ends) inside the baseline's dates, that baseline is a part of what it claims to
be and the ratio is meaningless (flat sales showing +520%). These pure functions
name the days missing so that the diagnostic can say which.
"""

from __future__ import annotations

import datetime as dt

from promoplan.diagnostics import Diagnostic, diagnostic
from promoplan.rowspans import WEEK, row_span
from promoplan.windows import span_text

ONE_DAY = dt.timedelta(days=1)


def missing_spans(
    covered: tuple[dt.date, dt.date] | None, start: dt.date, end: dt.date
) -> tuple[tuple[dt.date, dt.date], ...]:
    """The parts of ``start``..``end`` outside ``covered`` (all of it when nothing is)."""
    if covered is None:
        return ((start, end),)
    first, last = covered
    gaps = []
    if start < first:
        gaps.append((start, min(end, first - ONE_DAY)))
    if end > last:
        gaps.append((max(start, last + ONE_DAY), end))
    return tuple((a, b) for a, b in gaps if a <= b)


def like_for_like(
    measured: tuple[dt.date, dt.date],
    baseline: tuple[dt.date, dt.date],
    covered: tuple[dt.date, dt.date] | None,
    grain: str,
) -> tuple[tuple[dt.date, dt.date], tuple[dt.date, dt.date]] | None:
    """``baseline: partial``: the part of the baseline the actuals cover, and the days of
    ``measured`` a year later that compare with it; None when none of it is covered.

    ``covered`` is the first and last row date of the actuals (the last row's days
    count whole). Weekly rows compare 52 weeks apart, others by date (29 February
    is compared with nothing).
    """
    if covered is None:
        return None
    first = max(baseline[0], covered[0])
    last = min(baseline[1], row_span(covered[1], grain)[1])
    if last < first:
        return None
    if grain == "weekly":
        back = 52 * WEEK
        now = (first + back, last + back)
    else:
        now = (_year_later(first, up=True), _year_later(last, up=False))
    start, end = max(measured[0], now[0]), min(measured[1], now[1])
    return ((start, end), (first, last)) if start <= end else None


def partial_note(  # what is compared with what, and where
    what: tuple[str, str],
    compared: tuple[tuple[dt.date, dt.date], tuple[dt.date, dt.date]] | None,
    baseline: tuple[dt.date, dt.date],
    gaps: tuple[tuple[dt.date, dt.date], ...],
    *,
    line: int | None = None,
    column: int | None = None,
    path: str | None = None,
) -> Diagnostic:
    """PA021 (info) for a ``baseline: partial`` growth goal (``what``: its id and metric):
    the days it ``compared`` (now, then), or nothing, and what its baseline lacks."""
    goal, metric = what
    if compared is None:
        dates = "nothing"
    else:
        (start, end), (then_start, then_end) = compared
        dates = f"{span_text(start, end)} with {span_text(then_start, then_end)} only"
    return diagnostic(
        "PA021",
        f"growth goal {goal!r} compares {dates} (baseline: partial): the actuals lack "
        f"{spans_text(gaps)} of {metric}'s baseline {span_text(*baseline)}",
        line=line,
        column=column,
        path=path,
        hint="the goal's window in the JSON output holds the dates compared",
        severity="info",
    )


def _year_later(day: dt.date, *, up: bool) -> dt.date:
    """The same date a year later; 29 February becomes 1 March (``up``) or 28 February."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return (
            day.replace(year=day.year + 1, month=3, day=1)
            if up
            else day.replace(year=day.year + 1, day=28)
        )


def spans_text(spans: tuple[tuple[dt.date, dt.date], ...]) -> str:
    """``2024-01-01..2024-05-31 (152 days)``, joined with ``and``."""
    parts = []
    for start, end in spans:
        days = (end - start).days + 1
        dates = start.isoformat() if start == end else f"{start.isoformat()}..{end.isoformat()}"
        parts.append(f"{dates} ({days} day{'s' if days != 1 else ''})")
    return " and ".join(parts)


def baseline_diagnostic(
    what: str,
    metric: str,
    start: dt.date,
    end: dt.date,
    spans: tuple[tuple[dt.date, dt.date], ...],
    *,
    hint: str,
    file: str | None = None,
    line: int | None = None,
    column: int | None = None,
    path: str | None = None,
) -> Diagnostic:
    """PA021: ``what`` compares with ``start``..``end`` of ``metric``, and ``spans`` are missing."""
    return diagnostic(
        "PA021",
        f"{what}: the baseline {start.isoformat()}..{end.isoformat()} of {metric} is not "
        f"covered by the actuals; missing {spans_text(spans)}",
        file=file,
        line=line,
        column=column,
        path=path,
        hint=hint,
    )
