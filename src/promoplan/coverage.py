"""Whether the actuals cover a comparison's baseline dates (PA021).

A growth goal or a KPI change divides by a baseline; when the export starts (or
ends) inside the baseline's dates, that baseline is a part of what it claims to
be and the ratio is meaningless (flat sales showing +520%). These pure functions
name the days missing so that the diagnostic can say which.
"""

from __future__ import annotations

import datetime as dt

from promoplan.diagnostics import Diagnostic, diagnostic

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
