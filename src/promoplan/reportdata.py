"""The report's own data (SPEC section 7): headline KPIs, chart series, stale-data notes.

Pure: it reads an :class:`~promoplan.evaluate.Evaluator` already built for the
report's year to date (the one evaluation of the run) and returns frozen data.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

from promoplan.actuals.model import Actuals
from promoplan.alertorder import natural_key
from promoplan.coverage import baseline_diagnostic, missing_spans
from promoplan.diagnostics import Diagnostic, diagnostic
from promoplan.evaluate import Evaluator
from promoplan.forecast import Forecaster
from promoplan.model import Plan
from promoplan.planindex import plan_index
from promoplan.quantity import Quantity
from promoplan.result import (
    CumulativeSeries,
    Forecast,
    GoalProgress,
    GroupBar,
    GroupChart,
    Kpi,
    ReportData,
    SeriesPoint,
    Window,
)
from promoplan.rollup import Rollup, normalise_where
from promoplan.rowspans import counted_fraction, narrowed, row_span, window_words
from promoplan.vocabulary import Direction, ReportKind
from promoplan.windows import ONE_DAY, span_text

MAX_GOAL_CHARTS = 12  # cumulative goal charts in one report (README, "Reports")
STALE_DAYS = 7  # PA020: actuals end more than this many days before the report window ends


def report_data(
    evaluator: Evaluator,
    *,
    kind: ReportKind,
    window: Window,
    previous: Window,
    goals: Sequence[GoalProgress] = (),
) -> ReportData:
    """What a report adds to the evaluation: its window, the KPIs and the chart data.

    ``goals`` (the evaluation's) choose the goals charted when more than
    :data:`MAX_GOAL_CHARTS` could be (:func:`charted_goals`).
    """
    return ReportData(
        kind=kind,
        window=window,
        previous=previous,
        kpis=build_kpis(evaluator.plan, evaluator.rollup, window, previous),
        series=build_series(evaluator, charted_goals(evaluator, goals)),
        group_charts=build_group_charts(evaluator),
    )


def stale_diagnostics(
    actuals: Actuals, window: Window, grain: str = "daily"
) -> tuple[Diagnostic, ...]:
    """PA020 when the actuals end more than 7 days before the window ends, or hold no date.

    A weekly or monthly row's data ends on the last day it covers.
    """
    last = actuals.last_date
    hint = "check the job that exports the actuals; to report an earlier week, pass --as-of"
    if last is None:
        return (
            diagnostic(
                "PA020",
                f"stale data: the actuals hold no dated rows, and the report window "
                f"{window.label} ends {window.end.isoformat()}",
                hint=hint,
            ),
        )
    latest = [f.path for f in actuals.files if f.last_date == last]
    file = sorted(latest)[0] if latest else None
    last = row_span(last, grain)[1]
    lag = (window.end - last).days
    if lag > STALE_DAYS:
        return (
            diagnostic(
                "PA020",
                f"stale data: the actuals end on {last.isoformat()}, {lag} days before the "
                f"report window {window.label} ends ({window.end.isoformat()})",
                file=file,
                hint=hint,
            ),
        )
    if window.end < window.start:
        # A week over monthly rows, or this week over weekly rows before it ends: no row
        # lies wholly inside, and every number of the report would be blank.
        row = "month" if grain == "monthly" else "week"
        return (
            diagnostic(
                "PA022",
                f"the report window {window.label} holds no whole {row} of the {grain} "
                f"rows, so no actuals",
                file=file,
                hint="report by --month for monthly rows"
                if grain == "monthly"
                else "report a week once its row is in (--week last)",
            ),
        )
    if last < window.start:
        # Not stale by PA020's 7 days (a week's report the day after a weekly export was
        # due), yet the window is empty: every number of the report would be blank.
        return (
            diagnostic(
                "PA022",
                f"the report window {window.label} ({span_text(window.start, window.end)}) "
                f"holds no actuals: they end on {last.isoformat()}, before it starts",
                file=file,
                hint=hint,
            ),
        )
    return ()


def kpi_baseline_diagnostics(
    plan: Plan, rollup: Rollup, previous: Window
) -> tuple[Diagnostic, ...]:
    """PA021 for each headline KPI whose previous window the actuals only partly cover."""
    found = []
    for metric_id in kpi_metrics(plan):
        gaps = missing_spans(rollup.coverage(metric_id), previous.start, previous.end)
        if not gaps or rollup.value(metric_id, previous.start, previous.end) is None:
            continue  # nothing at all before: the KPI shows no previous value, plainly
        found.append(
            baseline_diagnostic(
                f"KPI {metric_id!r} shows no change",
                metric_id,
                previous.start,
                previous.end,
                gaps,
                hint="give actuals that cover the previous window too",
            )
        )
    return tuple(found)


def kpi_metrics(plan: Plan) -> list[str]:
    """``report.kpis``, else the metrics of the plan's goals (period goals, then quarters')."""
    if plan.report is not None and plan.report.kpis:
        wanted = list(plan.report.kpis)
    else:
        wanted = [ref.goal.metric for ref in plan_index(plan).goals]
    return [m for m in dict.fromkeys(wanted) if m in plan.metrics]


def _ratio_change(value: float | None, previous: float | None) -> float | None:
    if value is None or previous is None or previous == 0:
        return None
    change = value / previous - 1
    return change if math.isfinite(change) else None


def build_kpis(plan: Plan, rollup: Rollup, window: Window, previous: Window) -> tuple[Kpi, ...]:
    """Each headline metric over the window and the one before, with the change."""
    directions: dict[str, Direction] = {}
    for ref in plan_index(plan).goals:
        directions.setdefault(ref.goal.metric, ref.goal.direction)
    kpis = []
    for metric_id in kpi_metrics(plan):
        metric = plan.metrics[metric_id]
        value = rollup.value(metric_id, window.start, window.end)
        before = rollup.value(metric_id, previous.start, previous.end)
        if missing_spans(rollup.coverage(metric_id), previous.start, previous.end):
            before = None  # a part of the previous window is no baseline (PA021)
        # A rate from 8.6% to 17.1% moved 8.5 points; "+98.6%" would read as a doubling of
        # sales. Rates and ratios change in points, everything else relatively.
        points = metric.unit in ("percent", "ratio")
        change = (
            (None if value is None or before is None else value - before)
            if points
            else _ratio_change(value, before)
        )
        kpis.append(
            Kpi(
                metric=metric_id,
                label=metric.label or metric_id,
                unit=metric.unit,
                value=value,
                previous=before,
                change=change,
                direction=directions.get(metric_id),
                change_kind="points" if points else "relative",
            )
        )
    return tuple(kpis)


# Status order for choosing charts: the goals furthest from their target first.
_CHART_RANK = {"missed": 0, "off_track": 1, "at_risk": 2, "no_data": 3, "on_track": 4, "met": 5}


def _chartable(evaluator: Evaluator) -> list[tuple[str, str]]:
    """(goal id, scope) of every goal a cumulative chart can show, in plan order."""
    out = []
    for ref, _ in evaluator.index.goal_spans():
        goal = ref.goal
        chartable = goal.per is None and isinstance(goal.target, Quantity)
        if chartable and evaluator.rollup.is_cumulative(goal.metric):
            out.append((ref.id, ref.scope))
    return out


def charted_goals(
    evaluator: Evaluator, goals: Sequence[GoalProgress]
) -> frozenset[tuple[str, str]] | None:
    """The goals charted when more than MAX_GOAL_CHARTS could be, else None (all of them).

    Those furthest from their target: by status (missed, off_track, at_risk, no_data,
    on_track, met), then by progress, lowest first; ties in plan order.
    """
    chartable = _chartable(evaluator)
    if len(chartable) <= MAX_GOAL_CHARTS:
        return None
    standing = {(g.id, g.scope): g for g in goals}
    order = {key: position for position, key in enumerate(chartable)}

    def rank(key: tuple[str, str]) -> tuple[int, float, int]:
        goal = standing.get(key)
        if goal is None:
            return (len(_CHART_RANK), 0.0, order[key])
        progress = goal.progress if goal.progress is not None else math.inf
        return (_CHART_RANK.get(goal.status, len(_CHART_RANK)), progress, order[key])

    return frozenset(sorted(chartable, key=rank)[:MAX_GOAL_CHARTS])


def _series_forecast(forecaster: Forecaster | None, rows: Window | None) -> Forecast | None:
    """The chart's forecast: to the span's end, or of its whole ``rows`` alone."""
    if forecaster is None:
        return None
    return forecaster.result() if rows is None else forecaster.over(rows.start, rows.end)


def build_series(
    evaluator: Evaluator, charted: frozenset[tuple[str, str]] | None = None
) -> tuple[CumulativeSeries, ...]:
    """Each cumulative goal's metric, day by day: actual, paced target and last year, to date,
    then the forecast to the end of the goal's span; only the ``charted`` goals (by id
    and scope) when given.

    The target line follows the goal's own pacing (a curve under ``last_year``).
    """
    plan, rollup, pacings, as_of = (
        evaluator.plan,
        evaluator.rollup,
        evaluator.pacings,
        evaluator.as_of,
    )
    grain, week_start = plan.actuals.grain, plan.actuals.week_start
    found = []
    for ref, natural in evaluator.index.goal_spans():
        goal, target = ref.goal, ref.goal.target
        if goal.per is not None or not isinstance(target, Quantity):
            continue  # per-window targets restart each window; unset targets have no line
        if not rollup.is_cumulative(goal.metric):
            continue
        if charted is not None and (ref.id, ref.scope) not in charted:
            continue
        start, end = natural.start, natural.end
        where = normalise_where(goal.where)
        baseline = goal.baseline if isinstance(goal.baseline, Quantity) else None
        paced_by = pacings.for_goal(goal, natural, ref.path)
        # A growth goal under a seasonal pacing is the amount (1 + g) x last year's span.
        as_amount = goal.growth is not None and paced_by.name != "quarters"
        whole: float | None = None
        if as_amount:
            base = (
                baseline.value
                if baseline is not None
                else rollup.value(goal.metric, *rollup.year_earlier(start, end), where)
            )
            whole = None if base is None else base * (1 + target.value)
        forecaster = pacings.forecast(
            goal.metric, where, natural, as_of, align=pacings.align_of(goal)
        )
        # A growth goal over weekly or monthly rows compares whole rows: its target line
        # is last year's whole rows grown, so the forecast is of this year's whole rows.
        rows = narrowed(natural, grain, week_start)
        whole_rows = goal.growth is not None and grain in ("weekly", "monthly")
        if forecaster is not None and whole_rows and rows.end < forecaster.as_of:
            forecaster = None
        head = forecaster.days(start, rows.start - ONE_DAY) if forecaster and whole_rows else 0.0
        points = []
        for offset in range((end - start).days + 1):
            day = start + dt.timedelta(days=offset)
            fraction = counted_fraction(paced_by.curve, start, end, day, grain, week_start)
            actual = rollup.value(goal.metric, start, day, where) if day <= as_of else None
            # As many rows a year earlier: 52 weeks back over weekly rows.
            last_year = rollup.value(goal.metric, *rollup.year_earlier(start, day), where)
            if as_amount:
                paced = None if whole is None else whole * fraction
            elif goal.growth is not None:
                base = baseline.value * fraction if baseline is not None else last_year
                paced = None if base is None else base * (1 + target.value)
            else:
                paced = target.value * fraction
            ahead = None
            if forecaster is not None and day >= as_of and not (whole_rows and day > rows.end):
                ahead = forecaster.actual if day == as_of else forecaster.at(day) - head
            points.append(
                SeriesPoint(
                    day=day, actual=actual, target=paced, last_year=last_year, forecast=ahead
                )
            )
        full = _full_target(target.value, goal.growth is not None, as_amount, whole, points)
        metric = plan.metrics.get(goal.metric)
        label = (metric.label if metric is not None and metric.label else None) or goal.metric
        found.append(
            CumulativeSeries(
                goal=ref.id,
                label=f"{label} · {goal.label}" if goal.label else label,
                unit=metric.unit if metric is not None else "count",
                target=full,
                points=tuple(points),
                forecast=_series_forecast(forecaster, rows if whole_rows else None),
            )
        )
    return tuple(found)


def build_group_charts(evaluator: Evaluator) -> tuple[GroupChart, ...]:
    """Each ``below`` rule with ``by``: the metric per group in the rule's window, and its floor.

    The groups are those the alerts see (:meth:`Evaluator.rule_values`): ``min`` skips
    the same groups here as there.
    """
    plan = evaluator.plan
    charts = []
    for rule_id, rule in plan.alerts.items():
        floor = rule.threshold
        if rule.condition != "below" or rule.by is None or not isinstance(floor, Quantity):
            continue
        window = evaluator.rule_window(rule)
        if window.end < window.start:
            continue
        bars = [
            GroupBar(group=group, value=value)
            for group, value in evaluator.rule_values(rule, window, keep_empty=True).items()
            if group is not None
        ]
        metric = plan.metrics.get(rule.metric)
        charts.append(
            GroupChart(
                rule=rule_id,
                label=rule.label or rule_id,
                metric=rule.metric,
                unit=metric.unit if metric is not None else "count",
                dimension=rule.by,
                window=window_words(window),
                floor=floor.value,
                # By value, the lowest (the furthest below the floor) first; empty bars last.
                bars=tuple(
                    sorted(
                        bars,
                        key=lambda bar: (
                            bar.value is None,
                            bar.value if bar.value is not None else 0.0,
                            natural_key(bar.group),
                        ),
                    )
                ),
            )
        )
    return tuple(charts)


def _full_target(  # what the goal is, and the line drawn
    target: float,
    growth: bool,
    as_amount: bool,
    whole: float | None,
    points: Sequence[SeriesPoint],
) -> float | None:
    """The target a chart's legend names: the goal's, as its table row says (over weekly
    rows the line itself ends at what the whole rows are due); a growth goal's amount."""
    if not growth:
        return target
    if as_amount:
        return whole
    return points[-1].target if points else None
