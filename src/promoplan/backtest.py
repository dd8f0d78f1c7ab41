"""The backtest: cut the actuals at each month end, forecast with each method, compare.

``bench/forecast.py`` prints it; the README quotes it for the example data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from promoplan.forecast import Method
from promoplan.model import Plan
from promoplan.result import Forecast, Window
from promoplan.rollup import Rollup
from promoplan.runningtotals import Filter
from promoplan.seasonal import GoalPacings
from promoplan.windows import ONE_DAY


def cut_rollup(plan: Plan, rollup: Rollup, last: dt.date) -> Rollup:
    """The same actuals without the days after ``last`` (a backtest's cut)."""
    return Rollup(plan, rollup.cube.until(last))


METHODS: tuple[Method, ...] = ("seasonal_naive", "run_rate")


@dataclass(frozen=True)
class BacktestRow:
    """One cut of a backtest: each method's forecast of the value at ``to``, and its error."""

    cut: dt.date
    to: dt.date
    actual: float  # the period to ``to``
    known: float  # the period to the cut: what every method starts from
    forecasts: tuple[tuple[Method, Forecast | None], ...]

    def error(self, method: Method) -> float | None:
        """The error on the days forecast (after the cut to ``to``): forecast / actual - 1.

        The days up to the cut are known to every method, so they are left out of
        the comparison rather than diluting it.
        """
        found = dict(self.forecasts).get(method)
        ahead = self.actual - self.known
        if found is None or ahead == 0:
            return None
        return (found.value - self.known) / ahead - 1


def month_ends(start: dt.date, before: dt.date) -> list[dt.date]:
    """Every month's last day from ``start`` up to (not including) ``before``."""
    ends: list[dt.date] = []
    day = start
    while True:
        following = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
        end = following - ONE_DAY
        if end >= before:
            return ends
        ends.append(end)
        day = following


def backtest(
    plan: Plan, rollup: Rollup, metric: str, *, where: Filter = (), to: dt.date | None = None
) -> tuple[BacktestRow, ...]:
    """Cut the actuals at each month end of the period, forecast to ``to`` with each method.

    ``to`` defaults to the last date with a value of ``metric`` in the period; each
    cut sees only the days up to it (last year's included).
    """
    start, end = plan.span
    if to is None:
        days = [
            day
            for day in rollup.days
            if start <= day <= end and rollup.value(metric, day, day, where) is not None
        ]
        if not days:
            return ()
        to = max(days)
    actual = rollup.value(metric, start, to, where)
    if actual is None:
        return ()
    span = Window("period", start, end)
    rows = []
    for cut in month_ends(start, to):
        pacings = GoalPacings(plan, cut_rollup(plan, rollup, cut))
        forecasts: list[tuple[Method, Forecast | None]] = []
        for method in METHODS:
            found = pacings.forecast(metric, where, span, cut, to=to, method=method)
            forecasts.append((method, found.result() if found is not None else None))
        known = rollup.value(metric, start, cut, where) or 0.0
        rows.append(BacktestRow(cut, to, actual, known, tuple(forecasts)))
    return tuple(rows)
