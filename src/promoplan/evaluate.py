"""Goals, budget and alerts against actuals: a plan and its cube to a :class:`PlanResult`.

SPEC section 5 is the contract, "The numbers, exactly" above all. Windows come
from :mod:`promoplan.windows`, metric values from :mod:`promoplan.rollup`; this
module only decides which window each thing looks at and what the numbers mean.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace

from promoplan.actuals.model import Actuals, Cube
from promoplan.alerting import firing_alerts, rule_values, rule_window
from promoplan.alertorder import alert_order
from promoplan.budgetrows import budget_rows
from promoplan.diagnostics import Diagnostic, Locate
from promoplan.forecast import Forecaster
from promoplan.goalscope import GoalNumbers, GoalScope
from promoplan.growthgoals import growth_numbers
from promoplan.model import AlertRule, Plan
from promoplan.pacing import PaceCurve, Pacing
from promoplan.perwindow import clipped_share, per_window
from promoplan.planindex import plan_index
from promoplan.quantity import Quantity, ratio
from promoplan.result import (
    AlertResult,
    BudgetRow,
    Forecast,
    GoalProgress,
    GoalStatus,
    PlanResult,
    Window,
)
from promoplan.rollup import Rollup, normalise_where
from promoplan.rowspans import counted_fraction, counted_through, narrowed, summed
from promoplan.seasonal import DailyCurve, GoalPacings, Paced
from promoplan.vocabulary import GoalKind, Severity, default_units
from promoplan.windows import ONE_DAY, clip, pacing_span

DEFAULT_TOLERANCE = 0.10
_EDGE = 1e-12  # how far from a band's edge floating-point sums of shares may land


class Evaluator:
    """One evaluation of one plan: the rolled-up actuals, the pacing curve and the window."""

    def __init__(
        self,
        plan: Plan,
        cube: Cube,
        *,
        as_of: dt.date,
        window: Window,
        locate: Locate | None = None,
        curves: Mapping[str, DailyCurve] | None = None,
        file: str | None = None,
        named: Window | None = None,
    ) -> None:
        self.plan = plan
        self.index = plan_index(plan)
        self.locate = locate
        self.rollup = Rollup(plan, cube)
        self.pacing = Pacing(plan)
        # Each goal's own pacing (quarters, last year's curve, a curve file); PA014 on fallback.
        self.pacings = GoalPacings(plan, self.rollup, curves=curves, file=file, locate=locate)
        self.as_of = as_of
        # Pacing counts a weekly or monthly row's days once the row is counted.
        self.counted_through = counted_through(as_of, plan.actuals.grain, plan.actuals.week_start)
        self.window = window
        # A window no whole row fits (a week over monthly rows) is paced over its days as
        # named, so its goals are there, with nothing measured (no_data).
        basis = named if named is not None and window.end < window.start else window
        paced = pacing_span(plan, basis)
        self.paced = Window(window.label, paced.start, paced.end)
        tolerance = plan.tolerance
        self.tolerance = tolerance.value if isinstance(tolerance, Quantity) else DEFAULT_TOLERANCE
        # Diagnostics the evaluation itself finds (PA021), added to the result's.
        self.found: list[Diagnostic] = []

    # -- goals ------------------------------------------------------------

    def scopes(self) -> Iterator[GoalScope]:
        """Period goals, then each quarter's goals, clipped to the evaluation window.

        A goal whose window the evaluation window does not reach is left out.
        """
        for ref, natural in self.index.goal_spans():
            span = clip(self.paced, natural)
            if span is not None:
                yield GoalScope(ref.id, ref.scope, ref.goal, natural, span, ref.path)

    def goals(self) -> tuple[GoalProgress, ...]:
        """Every goal's standing."""
        self.found.clear()  # evaluated afresh: the notes are those of this evaluation
        return tuple(self.goal(scope) for scope in self.scopes())

    def goal(self, scope: GoalScope) -> GoalProgress:
        """One goal's numbers and status (SPEC section 5, "The numbers, exactly")."""
        goal = scope.goal
        metric = self.plan.metrics.get(goal.metric)
        kind: GoalKind = (
            "growth"
            if goal.growth is not None
            else "cumulative"
            if self.rollup.is_cumulative(goal.metric)
            else "level"
        )
        measured = self._measured(scope)
        target = goal.target
        if measured is None:
            numbers = self._pending(scope, kind)
        elif kind == "growth" and self._seasonal_growth(scope):
            numbers = self._paced_growth(scope, measured)
        elif kind == "growth":
            numbers = growth_numbers(self, scope, measured)
        elif kind == "cumulative":
            numbers = self._cumulative(scope, measured)
        else:
            numbers = self._level(scope, measured)
        severity: Severity | None = None
        unmet = numbers.status in ("on_track", "at_risk", "off_track")
        if measured is not None and unmet and self._complete(scope, measured):
            # Nothing is left to catch up with: the window is over and the target was not
            # reached. An error only when the goal's whole period is over.
            numbers = replace(numbers, status="missed")
            severity = "error" if self._whole_period(scope) else "warning"
        line, column = self.where(scope.path)
        return GoalProgress(
            id=scope.id,
            label=goal.label or scope.id,
            metric=goal.metric,
            scope=scope.scope,
            direction=goal.direction,
            kind=numbers.kind or kind,
            unit=metric.unit if metric is not None else "count",
            target=numbers.target,
            actual=numbers.actual,
            baseline=numbers.baseline,
            expected=numbers.expected,
            progress=numbers.progress,
            projection=numbers.projection,
            status=numbers.status,
            window=numbers.window or measured,
            target_text=None if isinstance(target, Quantity) else target.text,
            notes=goal.notes,
            pacing=numbers.pacing.name if numbers.pacing is not None else None,
            forecast=numbers.forecast,
            severity=severity,
            line=line,
            column=column,
        )

    def _complete(self, scope: GoalScope, measured: Window) -> bool:
        """True when the goal's measured window is over at as-of (a per-window goal's always is)."""
        return scope.goal.per is not None or self.as_of >= scope.span.end

    def _whole_period(self, scope: GoalScope) -> bool:
        """A period goal (not per-window) evaluated over the whole plan period."""
        natural, span = scope.natural, scope.span
        return (
            scope.scope == "period"
            and scope.goal.per is None
            and (span.start, span.end) == (natural.start, natural.end)
        )

    def _measured(self, scope: GoalScope) -> Window | None:
        """The dates a goal's actual is measured over; None while its window has not started."""
        span = scope.span
        grain, week_start = self.plan.actuals.grain, self.plan.actuals.week_start
        if scope.goal.per is not None:
            found = per_window(self.plan, self.as_of, scope.goal, span, scope.natural)
            return None if found is None else summed(found, grain, week_start)
        if self.as_of < span.start:
            return None
        whole = (span.start, span.end) == (scope.natural.start, scope.natural.end)
        label = scope.natural.label if whole and scope.scope != "period" else self.window.label
        # Over weekly or monthly rows: the whole rows inside, the dates actually summed.
        return summed(Window(label, span.start, min(span.end, self.as_of)), grain, week_start)

    def _pending(self, scope: GoalScope, kind: GoalKind) -> GoalNumbers:
        """A goal whose window has not started: its target, for a cumulative goal the
        window's share of it (``--period Q3`` of a year goal: Q3's), as once it starts."""
        target = scope.goal.target
        if not isinstance(target, Quantity):
            return GoalNumbers("unset")
        if kind != "cumulative" or scope.goal.per is not None:
            return GoalNumbers("pending", target=target.value)
        curve = self._paced(scope).curve
        return GoalNumbers("pending", target=target.value * self._share(scope, curve))

    @staticmethod
    def _share(scope: GoalScope, curve: PaceCurve) -> float:
        """The window's share of the goal's span, by the goal's pacing ``curve``."""
        span, natural = scope.span, scope.natural
        return curve.share(span.start, span.end, natural.start, natural.end)

    def pace(self, scope: GoalScope) -> tuple[float, float]:
        """The goal's share of its own pacing within the window, and f, the fraction elapsed."""
        if scope.goal.per is not None:
            return 1.0, 1.0  # the target applies to each complete window as it stands
        span = scope.span
        curve = self._paced(scope).curve
        share = self._share(scope, curve)
        grain, week_start = self.plan.actuals.grain, self.plan.actuals.week_start
        through = self.counted_through
        return share, counted_fraction(curve, span.start, span.end, through, grain, week_start)

    def _paced(self, scope: GoalScope) -> Paced:
        """The goal's pacing: its own ``pacing``, else the plan's (quarters by default)."""
        return self.pacings.for_goal(scope.goal, scope.natural, scope.path)

    def _seasonal_growth(self, scope: GoalScope) -> bool:
        """A growth goal of a cumulative metric paced by a curve is paced as an amount."""
        return (
            scope.goal.per is None
            and self.rollup.is_cumulative(scope.goal.metric)
            and self._paced(scope).name != "quarters"
        )

    def _forecast(self, scope: GoalScope, value: float | None) -> Forecast | None:
        """The goal's forecast at the end of its span; over a narrower window (``--period
        Q2`` of a period goal) at the window's end: ``value``, the window's actual, and
        the forecast of its days still to come, as the target and projection beside it."""
        if scope.goal.per is not None:
            return None
        natural, span = scope.natural, scope.span
        whole = (span.start, span.end) == (natural.start, natural.end)
        forecaster = self.pacings.forecast(
            scope.goal.metric,
            normalise_where(scope.goal.where),
            natural,
            self.as_of,
            to=None if whole else span.end,
            align=self.pacings.align_of(scope.goal),
        )
        if forecaster is None:
            return None
        if whole:
            return self._whole_forecast(scope, forecaster)
        if value is None:
            return None
        actuals = self.plan.actuals
        # The window's actual for the span's, and the forecast of the window's days before
        # its first whole row (over weekly rows, a quarter starting on a Tuesday).
        counted = narrowed(Window("", span.start, self.as_of), actuals.grain, actuals.week_start)
        if counted.end < counted.start:
            return None  # no whole row of the window in yet
        head = forecaster.days(span.start, counted.start - ONE_DAY)
        shift = value + head - forecaster.at(forecaster.as_of)
        found = forecaster.result()
        return replace(
            found,
            value=found.value + shift,
            low=None if found.low is None else found.low + shift,
            high=None if found.high is None else found.high + shift,
        )

    def _whole_forecast(self, scope: GoalScope, forecaster: Forecaster) -> Forecast:
        """The forecast at the end of the goal's span; for a growth goal paced as an amount
        over weekly or monthly rows, (1 + g) x last year's whole rows, of its whole rows."""
        actuals = self.plan.actuals
        growth = scope.goal.growth is not None and self._seasonal_growth(scope)
        if growth and actuals.grain in ("weekly", "monthly"):
            rows = narrowed(scope.natural, actuals.grain, actuals.week_start)
            if rows.end >= forecaster.as_of:
                return forecaster.over(rows.start, rows.end)
        return forecaster.result()

    def goal_value(self, scope: GoalScope, start: dt.date, end: dt.date) -> float | None:
        return self.rollup.value(scope.goal.metric, start, end, normalise_where(scope.goal.where))

    def _paced_growth(self, scope: GoalScope, measured: Window) -> GoalNumbers:
        """Growth ``g`` paced by a curve: the amount (1 + g) x last year's whole span, paced."""
        goal = scope.goal
        natural = scope.natural
        if isinstance(goal.baseline, Quantity):
            whole: float | None = goal.baseline.value
        else:
            whole = self.goal_value(scope, *self.rollup.year_earlier(natural.start, natural.end))
        target = goal.target
        if not isinstance(target, Quantity) or whole is None:
            return growth_numbers(self, scope, measured)
        return self._cumulative(scope, measured, amount=whole * (1 + target.value), baseline=whole)

    def _cumulative(
        self,
        scope: GoalScope,
        measured: Window,
        *,
        amount: float | None = None,
        baseline: float | None = None,
    ) -> GoalNumbers:
        goal = scope.goal
        value = self.goal_value(scope, measured.start, measured.end)
        if amount is None:
            baseline = goal.baseline.value if isinstance(goal.baseline, Quantity) else None
        if not isinstance(goal.target, Quantity):
            return GoalNumbers("unset", actual=value, baseline=baseline)
        share, fraction = self.pace(scope)
        if goal.per is not None:
            share = clipped_share(self.plan, goal, measured)
        target = (amount if amount is not None else goal.target.value) * share
        expected = target * fraction
        numbers = GoalNumbers(
            "no_data",
            target=target,
            baseline=baseline,
            expected=expected,
            kind="cumulative" if amount is not None else None,
            pacing=self._paced(scope) if goal.per is None else None,
            forecast=self._forecast(scope, value),
        )
        if value is None:
            return numbers
        projection = value / fraction if fraction > 0 else None
        complete = goal.per is not None or self.as_of >= scope.span.end
        if goal.direction == "at_least":
            progress = ratio(value, expected)
            # Over weekly rows the days before the first whole week (and after the last)
            # are in no row summed: once the window is over, what its rows cover is due.
            due = expected * (1 - _EDGE)  # the pace's shares, summed in floating point
            met = value >= target or (complete and value >= due)
        else:
            progress = ratio(expected, value)
            # Spending less than the cap so far proves nothing until the window is over.
            met = complete and value <= target
        status = "met" if met else self.status_of(progress)
        return replace(
            numbers, status=status, actual=value, progress=progress, projection=projection
        )

    def _level(self, scope: GoalScope, measured: Window) -> GoalNumbers:
        goal = scope.goal
        value = self.goal_value(scope, measured.start, measured.end)
        baseline = goal.baseline.value if isinstance(goal.baseline, Quantity) else None
        if not isinstance(goal.target, Quantity):
            return GoalNumbers("unset", actual=value, baseline=baseline)
        target = goal.target.value
        if value is None:
            return GoalNumbers("no_data", target=target, baseline=baseline, expected=target)
        if goal.direction == "at_least":
            met = value >= target
            progress = (
                ratio(value - baseline, target - baseline)
                if baseline is not None
                else ratio(value, target)
            )
        else:
            met = value <= target
            progress = (
                ratio(baseline - value, baseline - target)
                if baseline is not None
                else ratio(target, value)
            )
        status = "met" if met else self.status_of(progress)
        return GoalNumbers(status, target, value, baseline, target, progress)

    def status_of(self, progress: float | None) -> GoalStatus:
        if progress is None:
            return "no_data"
        # Exactly on an edge stays on it: a pace summed in floating point (365,000 x 3/365
        # = 3,000.0000000000005) must not make 3,000 spent "at_risk".
        if progress >= 1 - _EDGE:
            return "on_track"
        if progress >= 1 - self.tolerance - _EDGE:
            return "at_risk"
        return "off_track"

    def where(self, path: tuple[str | int, ...]) -> tuple[int | None, int | None]:
        """Line and column of ``path`` in the plan file, or ``(None, None)`` when unknown."""
        if self.locate is None:
            return None, None
        return self.locate(path)

    # -- budget -----------------------------------------------------------

    def budget(self) -> tuple[tuple[BudgetRow, ...], tuple[AlertResult, ...]]:
        """Budget rows per line and child line, the ``<unmapped>`` row, and the built-in alerts."""
        return budget_rows(self)

    # -- alerts -----------------------------------------------------------

    def rule_window(self, rule: AlertRule) -> Window:
        """The one window a rule looks at (SPEC section 5, "Alerts")."""
        return rule_window(self, rule)

    def rule_values(
        self, rule: AlertRule, window: Window, *, keep_empty: bool = False
    ) -> dict[str | None, float | None]:
        """A rule's metric per group over ``window``, less the groups its ``min`` skips."""
        return rule_values(self, rule, window, keep_empty=keep_empty)

    def result(self, *, file: str, diagnostics: Sequence[Diagnostic] = ()) -> PlanResult:
        """Goals, budget and alerts of this evaluation, with ``diagnostics`` carried along."""
        goals = self.goals()
        budget, budget_alerts = self.budget()
        # One order in every format: severity, the worst first, groups in natural order.
        alerts = alert_order(firing_alerts(self) + budget_alerts)
        return PlanResult(
            file=file,
            name=self.plan.name,
            period=self.plan.span,
            currency=self.plan.currency,
            units=self.plan.units or default_units(self.plan.currency),
            as_of=self.as_of,
            window=self.window,
            diagnostics=(*diagnostics, *self.pacings.diagnostics, *self.found),
            goals=goals,
            budget=budget,
            alerts=alerts,
        )


def evaluate(
    plan: Plan,
    actuals: Actuals | None,
    *,
    file: str,
    as_of: dt.date,
    window: Window,
    diagnostics: Sequence[Diagnostic] = (),
    locate: Locate | None = None,
    curves: Mapping[str, DailyCurve] | None = None,
    named: Window | None = None,
) -> PlanResult:
    """Evaluate goals, budget and alerts of ``plan`` over ``window`` as of ``as_of``.

    ``window`` comes from :func:`promoplan.windows.parse_period`, narrowed to whole
    weekly or monthly rows (``named``: as parsed, before that); ``diagnostics``
    (the plan's and the actuals') are carried into the result unchanged; ``locate``
    (the loaded plan's) places each alert at its rule or budget line; ``curves`` are the
    plan's curve files, read by :func:`promoplan.seasonal.read_curves`.
    """
    cube = actuals.cube if actuals is not None else Cube((), (), ())
    evaluator = Evaluator(
        plan,
        cube,
        as_of=as_of,
        window=window,
        locate=locate,
        curves=curves,
        file=file,
        named=named,
    )
    return evaluator.result(file=file, diagnostics=diagnostics)
