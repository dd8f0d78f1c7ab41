"""Growth goals (SPEC section 5): growth to date against the same dates a year earlier.

One part of an evaluation, as :mod:`promoplan.budgetrows` is: it reads the
evaluator's rolled-up actuals and pacing. A baseline the actuals cover only in
part makes the goal ``no_data`` with a PA021 warning, unless the goal says
``baseline: partial``: then the covered part of last year is compared with the
same days this year (like for like), with an info PA021 naming them.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from promoplan.coverage import baseline_diagnostic, like_for_like, missing_spans, partial_note
from promoplan.diagnostics import Diagnostic
from promoplan.goalscope import GoalNumbers, GoalScope
from promoplan.modeltypes import PARTIAL_BASELINE
from promoplan.quantity import Quantity, ratio
from promoplan.result import GoalStatus, Window
from promoplan.rowspans import summed
from promoplan.windows import ONE_DAY

if TYPE_CHECKING:
    from promoplan.evaluate import Evaluator


def growth_numbers(ev: Evaluator, scope: GoalScope, measured: Window) -> GoalNumbers:
    """A growth goal's numbers: its actual to date against the same dates a year earlier
    (or the plan's ``baseline``), PA021 when last year's are only partly covered."""
    goal = scope.goal
    value = ev.goal_value(scope, measured.start, measured.end)
    baseline: float | None
    if isinstance(goal.baseline, Quantity):
        baseline = goal.baseline.value
        if ev.rollup.is_cumulative(goal.metric):
            share, fraction = ev.pace(scope)
            baseline *= share * fraction  # the plan's baseline is for the whole period
    else:
        first, last = ev.rollup.year_earlier(measured.start, measured.end)
        baseline = ev.goal_value(scope, first, last)
        covered = ev.rollup.coverage(goal.metric)
        gaps = missing_spans(covered, first, last)
        if baseline is not None and gaps and goal.baseline != PARTIAL_BASELINE:
            # Growth over a part of last year's dates is not growth (flat sales: +520%).
            ev.found.append(_baseline_note(ev, scope, first, last, gaps))
            baseline = None
        elif gaps:
            # baseline: partial: the covered part of last year against the same days now.
            value, baseline, measured = _like_for_like(ev, scope, measured, covered, gaps)
    growth = ratio(value, baseline)
    actual = None if growth is None else growth - 1
    if not isinstance(goal.target, Quantity):
        return GoalNumbers("unset", actual=actual, baseline=baseline, window=measured)
    target = goal.target.value
    if actual is None:
        return GoalNumbers(
            "no_data", target=target, baseline=baseline, expected=target, window=measured
        )
    progress = actual / target if target > 0 else None
    if actual >= target:
        status: GoalStatus = "met"
    elif progress is None:
        status = "off_track"  # a target of 0 or below is judged by the comparison alone
    else:
        status = ev.status_of(progress)
    return GoalNumbers(status, target, actual, baseline, target, progress, window=measured)


def _like_for_like(
    ev: Evaluator,
    scope: GoalScope,
    measured: Window,
    covered: tuple[dt.date, dt.date] | None,
    gaps: tuple[tuple[dt.date, dt.date], ...],
) -> tuple[float | None, float | None, Window]:
    """A ``baseline: partial`` growth goal's value, baseline and window: the days whose
    last-year days the actuals cover, with an info PA021 saying which they are."""
    first, last = ev.rollup.year_earlier(measured.start, measured.end)
    grain, week_start = ev.plan.actuals.grain, ev.plan.actuals.week_start
    found = like_for_like((measured.start, measured.end), (first, last), covered, grain)
    now = Window(measured.label, measured.start, measured.start - ONE_DAY)  # no days
    if found is not None:
        now = summed(Window(measured.label, *found[0]), grain, week_start)
        found = ((now.start, now.end), found[1])
    what = (scope.id, scope.goal.metric)
    ev.found.append(partial_note(what, found, (first, last), gaps, **_at(ev, scope)))
    if found is None:
        return None, None, now
    return ev.goal_value(scope, *found[0]), ev.goal_value(scope, *found[1]), now


def _baseline_note(
    ev: Evaluator,
    scope: GoalScope,
    start: dt.date,
    end: dt.date,
    gaps: tuple[tuple[dt.date, dt.date], ...],
) -> Diagnostic:
    """PA021 for a growth goal whose last-year dates the actuals only partly cover."""
    return baseline_diagnostic(
        f"growth goal {scope.id!r} is no_data",
        scope.goal.metric,
        start,
        end,
        gaps,
        hint="give actuals that cover last year's dates, or write 'baseline: partial' "
        "on the goal to compare with the part that exists",
        **_at(ev, scope),
    )


def _at(ev: Evaluator, scope: GoalScope) -> dict[str, Any]:
    """A goal's place in the plan, for its diagnostics (the key path from the index)."""
    line, column = ev.where(scope.path)
    return {"line": line, "column": column, "path": ".".join(str(p) for p in scope.path)}
