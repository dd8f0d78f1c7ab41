"""Goals, budget and alerts against actuals: a plan and its cube to a :class:`PlanResult`.

SPEC section 5 is the contract, "The numbers, exactly" above all. Windows come
from :mod:`promoplan.windows`, metric values from :mod:`promoplan.rollup`; this
module only decides which window each thing looks at and what the numbers mean.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from promoplan.actuals.model import Actuals, Cube
from promoplan.diagnostics import Diagnostic
from promoplan.model import AlertRule, BudgetLine, Goal, Plan
from promoplan.quantity import Quantity
from promoplan.result import AlertResult, BudgetRow, BudgetStatus, GoalProgress, GoalStatus, PlanResult, Unit, Window
from promoplan.rollup import Rollup, normalise_where
from promoplan.windows import (
    Pacing,
    last_complete_month,
    last_complete_quarter,
    last_complete_week,
    month_of,
    pacing_span,
    previous_window,
    quarter_label,
    quarter_of,
    year_earlier,
)

DEFAULT_TOLERANCE = 0.10
UNMAPPED = "<unmapped>"
BUDGET_RULE = "budget"
CHANNEL_DIMENSION = "channel"


@dataclass(frozen=True)
class _Scope:
    """Where a goal applies: its id, its own span (period or quarter) and the part evaluated."""

    id: str
    scope: str  # "period" or "Q1".."Q4"
    goal: Goal
    natural: Window  # the whole period, or the goal's quarter
    span: Window  # the part of ``natural`` inside the evaluation window's pacing span


class Evaluator:
    """One evaluation of one plan: the rolled-up actuals, the pacing curve and the window."""

    def __init__(self, plan: Plan, cube: Cube, *, as_of: dt.date, window: Window) -> None:
        self.plan = plan
        self.rollup = Rollup(plan, cube)
        self.pacing = Pacing(plan)
        self.as_of = as_of
        self.window = window
        paced = pacing_span(plan, window)
        self.paced = Window(window.label, paced.start, paced.end)
        tolerance = plan.tolerance
        self.tolerance = tolerance.value if isinstance(tolerance, Quantity) else DEFAULT_TOLERANCE

    # -- goals ------------------------------------------------------------

    def scopes(self) -> Iterator[_Scope]:
        """Period goals, then each quarter's goals, clipped to the evaluation window."""
        period_start, period_end = self.plan.span
        period = Window("period", period_start, period_end)
        for goal_id, goal in self.plan.goals.items():
            span = _clip(self.paced, period)
            if span is not None:
                yield _Scope(goal_id, "period", goal, period, span)
        spans = self.plan.quarter_spans()
        for name, quarter in self.plan.quarters.items():
            start, end = spans[name]
            natural = Window(quarter_label(self.plan, name), start, end)
            span = _clip(self.paced, natural)
            if span is None:
                continue  # the evaluation window does not reach this quarter
            for goal_id, goal in quarter.goals.items():
                yield _Scope(f"{name}.{goal_id}", name, goal, natural, span)

    def goals(self) -> tuple[GoalProgress, ...]:
        """Every goal's standing."""
        return tuple(self.goal(scope) for scope in self.scopes())

    def goal(self, scope: _Scope) -> GoalProgress:
        """One goal's numbers and status (SPEC section 5, "The numbers, exactly")."""
        goal = scope.goal
        metric = self.plan.metrics.get(goal.metric)
        unit: Unit = metric.unit if metric is not None else "count"
        kind = (
            "growth"
            if goal.growth is not None
            else "cumulative"
            if self.rollup.is_cumulative(goal.metric)
            else "level"
        )
        label = goal.label or scope.id
        span = scope.span
        full = (span.start, span.end) == (scope.natural.start, scope.natural.end)
        window_label = scope.natural.label if full and scope.scope != "period" else self.window.label
        per_window = self._per_window(goal, span) if goal.per is not None else None
        if goal.per is not None:
            measured = per_window
        elif self.as_of >= span.start:
            measured = Window(window_label, span.start, min(span.end, self.as_of))
        else:
            measured = None
        target_quantity = goal.target
        baseline_quantity = goal.baseline if isinstance(goal.baseline, Quantity) else None

        def result(
            status: GoalStatus,
            *,
            target: float | None = None,
            actual: float | None = None,
            baseline: float | None = None,
            expected: float | None = None,
            progress: float | None = None,
            projection: float | None = None,
        ) -> GoalProgress:
            return GoalProgress(
                id=scope.id,
                label=label,
                metric=goal.metric,
                scope=scope.scope,
                direction=goal.direction,
                kind=kind,  # type: ignore[arg-type]  # one of the three literals above
                unit=unit,
                target=target,
                actual=actual,
                baseline=baseline,
                expected=expected,
                progress=progress,
                projection=projection,
                status=status,
                window=measured,
                target_text=None if isinstance(target_quantity, Quantity) else target_quantity.text,
                notes=goal.notes,
            )

        where = normalise_where(goal.where)
        if measured is None:
            target = target_quantity.value if isinstance(target_quantity, Quantity) else None
            status: GoalStatus = "pending" if isinstance(target_quantity, Quantity) else "unset"
            return result(status, target=target)
        value = self.rollup.value(goal.metric, measured.start, measured.end, where)

        if kind == "growth":
            if baseline_quantity is not None:
                baseline: float | None = baseline_quantity.value
                if self.rollup.is_cumulative(goal.metric) and per_window is None:
                    share = self.pacing.share(span.start, span.end, scope.natural.start, scope.natural.end)
                    baseline = baseline_quantity.value * share * self._fraction(span)
            else:
                baseline = self.rollup.value(
                    goal.metric, year_earlier(measured.start), year_earlier(measured.end), where
                )
            growth = _ratio(value, baseline)
            actual = None if growth is None else growth - 1
            if not isinstance(target_quantity, Quantity):
                return result("unset", actual=actual, baseline=baseline)
            target = target_quantity.value
            if actual is None:
                return result("no_data", target=target, baseline=baseline, expected=target)
            progress = actual / target if target > 0 else None
            status = "met" if actual >= target else self._status(progress)
            if progress is None and status == "no_data":
                status = "off_track"  # a target of 0 or below is judged by the comparison alone
            return result(status, target=target, actual=actual, baseline=baseline, expected=target, progress=progress)

        baseline = baseline_quantity.value if baseline_quantity is not None else None
        if kind == "cumulative":
            if per_window is not None:
                share, fraction = 1.0, 1.0
            else:
                share = self.pacing.share(span.start, span.end, scope.natural.start, scope.natural.end)
                fraction = self._fraction(span)
            if not isinstance(target_quantity, Quantity):
                return result("unset", actual=value, baseline=baseline)
            target = target_quantity.value * share
            expected = target * fraction
            if value is None:
                return result("no_data", target=target, baseline=baseline, expected=expected)
            projection = value / fraction if fraction > 0 else None
            if goal.direction == "at_least":
                progress = _ratio(value, expected)
                met = value >= target
            else:
                progress = _ratio(expected, value)
                met = self.as_of >= span.end and value <= target
            status = "met" if met else self._status(progress)
            return result(
                status, target=target, actual=value, baseline=baseline,
                expected=expected, progress=progress, projection=projection,
            )

        if not isinstance(target_quantity, Quantity):
            return result("unset", actual=value, baseline=baseline)
        target = target_quantity.value
        if value is None:
            return result("no_data", target=target, baseline=baseline, expected=target)
        if goal.direction == "at_least":
            met = value >= target
            progress = _ratio(value - baseline, target - baseline) if baseline is not None else _ratio(value, target)
        else:
            met = value <= target
            progress = _ratio(baseline - value, baseline - target) if baseline is not None else _ratio(target, value)
        status = "met" if met else self._status(progress)
        return result(status, target=target, actual=value, baseline=baseline, expected=target, progress=progress)

    def _fraction(self, span: Window) -> float:
        return self.pacing.fraction(span.start, span.end, self.as_of)

    def _status(self, progress: float | None) -> GoalStatus:
        if progress is None:
            return "no_data"
        if progress >= 1:
            return "on_track"
        if progress >= 1 - self.tolerance:
            return "at_risk"
        return "off_track"

    def _per_window(self, goal: Goal, span: Window) -> Window | None:
        """The last complete day, week, month or quarter of the goal's span up to as-of."""
        last = min(self.as_of, span.end)
        if last < span.start:
            return None
        candidate: Window | None
        if goal.per == "day":
            candidate = Window(last.isoformat(), last, last)
        elif goal.per == "week":
            candidate = last_complete_week(last)
        elif goal.per == "month":
            candidate = last_complete_month(last)
        else:
            candidate = last_complete_quarter(self.plan, last)
        if candidate is None or candidate.end < span.start:
            return None
        return candidate

    # -- budget -----------------------------------------------------------

    def budget(self) -> tuple[tuple[BudgetRow, ...], tuple[AlertResult, ...]]:
        """Budget rows per line and child line, the ``<unmapped>`` row, and the built-in alerts."""
        budget = self.plan.budget
        if budget is None:
            return (), ()
        period_start, period_end = self.plan.span
        span = _clip(self.paced, Window("period", period_start, period_end))
        if span is None:
            return (), ()
        share_of_period = self.pacing.share(span.start, span.end, period_start, period_end)
        fraction = self._fraction(span)
        total = budget.total.value if isinstance(budget.total, Quantity) else None
        spend_metric = budget.spend_metric
        metric = self.plan.metrics.get(spend_metric)
        unit: Unit = metric.unit if metric is not None else "currency"
        by_channel: dict[str | None, float | None] = {}
        has_spend = self.rollup.has_data(spend_metric)
        if has_spend and self.as_of >= span.start:
            by_channel = self.rollup.by_group(
                spend_metric, CHANNEL_DIMENSION, span.start, min(span.end, self.as_of), keep_missing=True
            )
        all_spend = math.fsum(v for v in by_channel.values() if v is not None)

        rows: list[BudgetRow] = []
        alerts: list[AlertResult] = []
        for line_id, line, depth in _walk(budget.lines):
            share = _line_share(line, total)
            planned: float | None = None
            if total is not None:
                if share is not None:
                    planned = total * share * share_of_period
                elif isinstance(line.amount, Quantity):
                    planned = line.amount.value * share_of_period
            channels = [
                channel
                for channel, target in self.plan.channels.items()
                if target == line_id or target.startswith(line_id + ".")
            ]
            spent: float | None = None
            if has_spend and channels:
                spent = math.fsum(by_channel.get(channel) or 0.0 for channel in channels)
            expected = planned * fraction if planned is not None else None
            remaining = planned - spent if planned is not None and spent is not None else None
            status: BudgetStatus = "no_data"
            threshold: float | None = None
            if spent is not None and planned is not None and expected is not None:
                if spent > planned:
                    status, threshold = "over_budget", planned
                elif spent > expected * (1 + self.tolerance):
                    status, threshold = "ahead", expected * (1 + self.tolerance)
                else:
                    status = "on_track"
            elif spent is not None and total is None and share is not None and all_spend > 0:
                # Without a total, compare the line's share of spend with its planned share.
                if spent / all_spend > share * (1 + self.tolerance):
                    status, threshold = "ahead", share * (1 + self.tolerance) * all_spend
                else:
                    status = "on_track"
            rows.append(
                BudgetRow(
                    line=line_id,
                    label=line.label or line_id,
                    depth=depth,
                    share=share,
                    planned=planned,
                    spent=spent,
                    expected=expected,
                    remaining=remaining,
                    status=status,
                )
            )
            if status in ("over_budget", "ahead"):
                alerts.append(
                    AlertResult(
                        rule=BUDGET_RULE,
                        label=BUDGET_RULE,
                        severity="error" if status == "over_budget" else "warning",
                        metric=spend_metric,
                        unit=unit,
                        value=spent,
                        threshold=threshold,
                        condition=status,  # type: ignore[arg-type]  # narrowed by the test above
                        group=(("line", line_id),),
                        window=self.window.label,
                        action=None,
                    )
                )
        unmapped = [
            value
            for channel, value in by_channel.items()
            if value is not None and (channel is None or channel not in self.plan.channels)
        ]
        unmapped_spend = math.fsum(unmapped)
        if unmapped and unmapped_spend != 0:
            rows.append(
                BudgetRow(
                    line=UNMAPPED,
                    label=UNMAPPED,
                    depth=0,
                    share=None,
                    planned=None,
                    spent=unmapped_spend,
                    expected=None,
                    remaining=None,
                    status="no_data",
                )
            )
        return tuple(rows), tuple(alerts)

    # -- alerts -----------------------------------------------------------

    def rule_window(self, rule: AlertRule) -> Window:
        """The one window a rule looks at (SPEC section 5, "Alerts")."""
        if rule.window == "week":
            return last_complete_week(self.as_of)
        if rule.window == "month":
            current = month_of(self.as_of)
            return Window(current.label, current.start, self.as_of)
        if rule.window == "quarter":
            quarter = quarter_of(self.plan, self.as_of)
            return Window(quarter.label, quarter.start, self.as_of)
        return Window(self.window.label, self.window.start, min(self.window.end, self.as_of))

    def alerts(self) -> tuple[AlertResult, ...]:
        """Every firing alert of the plan's rules, rule by rule, group by group."""
        found: list[AlertResult] = []
        for rule_id, rule in self.plan.alerts.items():
            found.extend(self.rule_alerts(rule_id, rule))
        return tuple(found)

    def rule_alerts(self, rule_id: str, rule: AlertRule) -> Iterator[AlertResult]:
        """The firing alerts of one rule."""
        threshold_quantity = rule.threshold
        if not isinstance(threshold_quantity, Quantity):
            return
        threshold = threshold_quantity.value
        window = self.rule_window(rule)
        if window.end < window.start:
            return
        where = normalise_where(rule.where)
        current = self._values(rule.metric, rule.by, window, where)
        previous: dict[str | None, float | None] = {}
        if rule.condition in ("drop_over", "rise_over"):
            before = previous_window(window)
            previous = self._values(rule.metric, rule.by, before, where)
        floors = {
            name: (floor.value, self._values(name, rule.by, window, where))
            for name, floor in rule.min.items()
            if isinstance(floor, Quantity)
        }
        metric = self.plan.metrics.get(rule.metric)
        unit: Unit = metric.unit if metric is not None else "count"
        for group, value in current.items():
            if value is None:
                continue
            if any(
                values.get(group) is None or values[group] < floor  # type: ignore[operator]  # None tested first
                for floor, values in floors.values()
            ):
                continue
            shown: float | None = value
            if rule.condition == "below":
                fires = value < threshold
            elif rule.condition == "above":
                fires = value > threshold
            else:
                change = _ratio(value, previous.get(group))
                if change is None:
                    continue
                shown = 1 - change if rule.condition == "drop_over" else change - 1
                fires = shown > threshold
            if not fires:
                continue
            yield AlertResult(
                rule=rule_id,
                label=rule.label or rule_id,
                severity=rule.severity,
                metric=rule.metric,
                unit=unit,
                value=shown,
                threshold=threshold,
                condition=rule.condition,
                group=() if rule.by is None or group is None else ((rule.by, group),),
                window=window.label,
                action=rule.action,
            )

    def _values(
        self, metric: str, by: str | None, window: Window, where: tuple[tuple[str, frozenset[str]], ...]
    ) -> dict[str | None, float | None]:
        if by is None:
            return {None: self.rollup.value(metric, window.start, window.end, where)}
        return self.rollup.by_group(metric, by, window.start, window.end, where)


def evaluate(
    plan: Plan,
    actuals: Actuals | None,
    *,
    file: str,
    as_of: dt.date,
    window: Window,
    diagnostics: Sequence[Diagnostic] = (),
) -> PlanResult:
    """Evaluate goals, budget and alerts of ``plan`` over ``window`` as of ``as_of``.

    ``window`` comes from :func:`promoplan.windows.parse_period`; ``diagnostics``
    (the plan's and the actuals') are carried into the result unchanged.
    """
    cube = actuals.cube if actuals is not None else Cube((), (), ())
    evaluator = Evaluator(plan, cube, as_of=as_of, window=window)
    goals = evaluator.goals()
    budget, budget_alerts = evaluator.budget()
    alerts = evaluator.alerts() + budget_alerts
    return PlanResult(
        file=file,
        name=plan.name,
        period=plan.span,
        currency=plan.currency,
        as_of=as_of,
        window=window,
        diagnostics=tuple(diagnostics),
        goals=goals,
        budget=budget,
        alerts=alerts,
    )


def _clip(window: Window, bounds: Window) -> Window | None:
    start, end = max(window.start, bounds.start), min(window.end, bounds.end)
    return Window(window.label, start, end) if start <= end else None


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator


def _line_share(line: BudgetLine, total: float | None) -> float | None:
    if isinstance(line.share, Quantity):
        return line.share.value
    if isinstance(line.amount, Quantity) and total:
        return line.amount.value / total
    return None


def _walk(lines: dict[str, BudgetLine], prefix: str = "", depth: int = 0) -> Iterator[tuple[str, BudgetLine, int]]:
    """Budget lines depth-first with dotted ids (``traffic``, ``traffic.public`` ...)."""
    for name, line in lines.items():
        line_id = f"{prefix}{name}"
        yield line_id, line, depth
        yield from _walk(line.lines, f"{line_id}.", depth + 1)
