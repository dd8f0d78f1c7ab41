"""PA013: a metric whose files all end more than 7 days before as-of lags the others.

Lag is judged per metric, over every file that carries it (has its column):
with one file per day (the usual cron layout) no single file reaches as-of,
yet the metrics do; with ``nps.csv`` beside the sales export, NPS lags when
``nps.csv`` ends early, whatever the sales files hold. Metrics that end on the
same day in the same files are named in one diagnostic.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import TYPE_CHECKING

from promoplan.diagnostics import Diagnostic, diagnostic
from promoplan.model import Plan
from promoplan.rowspans import row_span

if TYPE_CHECKING:
    from promoplan.actuals.model import Actuals

LAG_DAYS = 7


def lag_diagnostics(plan: Plan, actuals: Actuals, as_of: dt.date) -> tuple[Diagnostic, ...]:
    """PA013 per metric (measure) that reaches into the period but ends over 7 days before as-of."""
    period_start, _ = plan.span
    # measure -> (its last date, the files carrying it, the file it ends in)
    last: dict[str, dt.date] = {}
    carriers: dict[str, list[str]] = defaultdict(list)
    ends_in: dict[str, str] = {}
    for summary in actuals.files:
        day = summary.last_date
        if day is None:
            continue
        has = actuals.cube.columns if summary.measures is None else summary.measures
        for measure in has:
            carriers[measure].append(summary.path)
            if measure not in last or day > last[measure]:
                last[measure], ends_in[measure] = day, summary.path
    if last and max(last.values()) < period_start <= as_of:
        return (_before_the_period(max(last.items(), key=lambda item: item[1]), ends_in, plan),)
    grouped: dict[tuple[dt.date, str, int], list[str]] = defaultdict(list)
    for measure, day in last.items():
        if day < period_start:
            continue  # last year's baseline only
        end = row_span(day, plan.actuals.grain)[1]  # a weekly or monthly row's last day
        if (as_of - end).days > LAG_DAYS:
            grouped[(end, ends_in[measure], len(carriers[measure]))].append(measure)
    labels = _labels(plan)
    found = []
    for (end, file, files), measures in sorted(grouped.items()):
        names = list(dict.fromkeys(label for m in measures for label in labels.get(m, [])))
        if not names:
            continue  # only an expr's operand columns: the expr's own measure is judged
        what = ("metric " if len(names) == 1 else "metrics ") + ", ".join(names)
        verb = "ends" if len(names) == 1 else "end"
        where = file if files == 1 else f"{file}, the latest of the {files} files that carry it"
        lag = (as_of - end).days
        found.append(
            diagnostic(
                "PA013",
                f"{what} {verb} on {end.isoformat()} ({where}), {lag} days before as-of "
                f"{as_of.isoformat()}: its numbers lag",
                file=file,
                hint=f"add the missing days, or pass --as-of {end.isoformat()}",
            )
        )
    return tuple(found)


def _before_the_period(
    latest: tuple[str, dt.date], ends_in: dict[str, str], plan: Plan
) -> Diagnostic:
    """PA013 when every measure ends before the period: last year's data alone, so not
    one day of the plan is measured (a budget 'behind' from nothing spent)."""
    measure, day = latest
    end = row_span(day, plan.actuals.grain)[1]
    start = plan.span[0]
    return diagnostic(
        "PA013",
        f"the actuals end on {end.isoformat()}, before the plan period "
        f"starts on {start.isoformat()}: no day of the period is in them, so every number "
        "of it lags",
        file=ends_in[measure],
        hint="add this period's actuals (or check that --actuals names this year's files)",
    )


def _labels(plan: Plan) -> dict[str, list[str]]:
    """Measure -> the names of the plan's metrics that read it."""
    from promoplan.actuals.model import measure_key  # noqa: PLC0415  # keep validate's imports light

    out: dict[str, list[str]] = defaultdict(list)
    for name, metric in plan.metrics.items():
        key = measure_key(metric.column, metric.agg, metric.expr)
        if key is not None:
            out[key].append(name)
    return out
