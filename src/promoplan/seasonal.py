"""Seasonal pacing: last year's curve aligned by weekday and festival, and each goal's pacing.

E-commerce sales are not spread evenly over a quarter: 618 and Double 11 move a
large share of a quarter into a few days, and Spring Festival moves by weeks
from one year to the next. A goal paced by ``last_year`` expects, at as-of,
last year's cumulative share of the same metric at the aligned date:

- **Alignment.** A day maps to the day 364 days earlier (the same weekday, 52
  weeks back), except around the festivals of :data:`ALIGNED_FESTIVALS`, where
  it keeps its distance to the festival: 2025-01-29 (Spring Festival) maps to
  2024-02-10, and so do the 21 days before and 14 days after it, day for day.
  ``pacing: {last_year: weekday}`` uses the 364 days alone.
- **Curve files** (``pacing: {curve: FILE}``) give a team's own daily or weekly
  shares; :mod:`promoplan.curvefile` reads and checks them.
- **Forecasts** (:mod:`promoplan.forecast`): seasonal naive when last year covers
  the span, else the run rate; :mod:`promoplan.backtest` measures both.

Everything here is plain arithmetic over the rolled-up cube.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from typing import Any, Literal

from promoplan.diagnostics import Diagnostic, Locate, diagnostic
from promoplan.festivals import FESTIVALS, Festival
from promoplan.forecast import Forecaster, Method
from promoplan.model import Goal, Plan
from promoplan.modelpacing import CurvePacing, LastYearPacing, PacingValue
from promoplan.pacing import PaceCurve, Pacing
from promoplan.result import Window
from promoplan.rollup import Rollup, normalise_where
from promoplan.rowspans import narrowed, row_span
from promoplan.runningtotals import Filter
from promoplan.windows import ONE_DAY, days_in, each_day, year_earlier

Align = Literal["festivals", "weekday", "dates"]  # dates: monthly rows, month to month
PacingName = Literal["quarters", "last_year", "curve"]

WEEKDAY_DAYS = 364  # 52 weeks: the same weekday a year back
# Festival -> (days before, days after) that move with it: the campaign around the day.
# Spring Festival: 年货节 three weeks before, the holiday fortnight after; 618: the
# 520 pre-sale to the fade (May 20 to June 20); Double 11: the October 20 pre-sale to
# the returns week; Double 12: its short run-up.
ALIGNED_FESTIVALS: dict[str, tuple[int, int]] = {
    "Spring Festival": (21, 14),
    "618": (29, 2),
    "Double 11": (22, 3),
    "Double 12": (4, 2),
}
GAPS_LISTED = 3

_FESTIVALS_BY_NAME: dict[str, Festival] = {f.name: f for f in FESTIVALS}


# -- alignment -----------------------------------------------------------------


def aligned_day(day: dt.date, align: Align = "festivals") -> dt.date:
    """Last year's day that ``day`` is compared with: 364 days back, or by the festival
    (or, for monthly rows, whose days are a month's spread evenly, the same date)."""
    if align == "dates":
        return year_earlier(day)
    if align == "festivals":
        for low, high, shift in _festival_spans(day.year):
            if low <= day <= high:
                return day - shift
    return day - dt.timedelta(days=WEEKDAY_DAYS)


@lru_cache(maxsize=64)
def _festival_spans(year: int) -> tuple[tuple[dt.date, dt.date, dt.timedelta], ...]:
    """The days of ``year`` that move with a festival, as (first, last, shift to last year),
    in the order of :data:`ALIGNED_FESTIVALS` (a day in two spans takes the first)."""
    spans = []
    for name, (before, after) in ALIGNED_FESTIVALS.items():
        festival = _FESTIVALS_BY_NAME[name]
        this = festival.date_in(year)
        last = festival.date_in(year - 1)
        if this is None or last is None:
            continue  # a lunar year outside the table: weekday alignment
        spans.append(
            (this - dt.timedelta(days=before), this + dt.timedelta(days=after), this - last)
        )
    return tuple(spans)


# -- curves ----------------------------------------------------------------------


class DailyCurve(PaceCurve):
    """Pacing by one weight per day over ``start``..``end`` (last year's values, or shares).

    Days outside the span weigh the span's average, as :class:`~promoplan.windows.Pacing`
    treats days outside the period.
    """

    def __init__(self, start: dt.date, weights: Sequence[float]) -> None:
        self.start = start
        self.end = start + dt.timedelta(days=len(weights) - 1)
        self.weights = tuple(weights)
        self.running = tuple(accumulate(self.weights, initial=0.0))
        self.density = self.running[-1] / len(self.weights) if self.weights else 0.0

    def weight(self, start: dt.date, end: dt.date) -> float:
        """Sum of the daily weights from ``start`` to ``end`` inclusive."""
        if end < start:
            return 0.0
        low, high = max(start, self.start), min(end, self.end)
        inside = 0.0
        covered = 0
        if low <= high:
            first = (low - self.start).days
            last = (high - self.start).days
            inside = self.running[last + 1] - self.running[first]
            covered = last - first + 1
        return inside + self.density * (days_in(start, end) - covered)

    def day(self, day: dt.date) -> float:
        """The weight of one day (the average outside the span)."""
        return self.weight(day, day)


@dataclass(frozen=True)
class LastYear:
    """Last year's aligned daily values of a metric over a span, and the days it lacks."""

    span: Window
    values: tuple[float | None, ...]  # one per day of the span; None: no data that day
    align: Align = "festivals"  # how each day was matched with last year's

    @property
    def gaps(self) -> tuple[tuple[dt.date, dt.date], ...]:
        """Runs of this year's days whose aligned day has no value."""
        runs: list[tuple[dt.date, dt.date]] = []
        for offset, value in enumerate(self.values):
            if value is not None:
                continue
            day = self.span.start + dt.timedelta(days=offset)
            if runs and runs[-1][1] + ONE_DAY == day:
                runs[-1] = (runs[-1][0], day)
            else:
                runs.append((day, day))
        return tuple(runs)

    def curve(self) -> DailyCurve | None:
        """The pacing curve, when every day has a value and the whole is positive."""
        if any(v is None for v in self.values):
            return None
        weights = [max(0.0, v) for v in self.values if v is not None]
        if math.fsum(weights) <= 0:
            return None
        return DailyCurve(self.span.start, weights)


def last_year_values(
    rollup: Rollup, metric: str, where: Filter, span: Window, align: Align
) -> LastYear:
    """Last year's value of ``metric`` on the aligned day of each day of ``span``
    (over weekly or monthly rows, the day's even share of its row).

    A day whose festival-aligned day lies before the first day the actuals hold the
    metric is compared with the day 364 days earlier instead (a gap only if that is
    missing too): an export that starts a day after a festival window's echo is not
    a hole in last year. Gaps inside the data stay gaps. A day whose aligned day falls
    inside ``span`` itself (a year's 31 December, 364 days after its 1 January) is
    compared with the same weekday a week before that.
    """
    values: list[float | None] = []
    covered = rollup.coverage(metric)
    for day in each_day(span.start, span.end):
        then = aligned_day(day, align)
        if align == "festivals" and covered is not None and then < covered[0]:
            # A festival's day mapped to before the actuals start (the export's first week
            # begins a day after it): the same weekday 52 weeks back, when the data holds it.
            then = max(then, aligned_day(day, "weekday"))
        if align != "dates" and then >= span.start:
            # 364 days back from a year's last day is its own first day (2025-12-31 ->
            # 2025-01-01): this year's value is no last year; the same weekday a week
            # before is.
            then -= dt.timedelta(days=7)
        if align == "dates":
            # Month to month: last year's month spread over this year's days of it (a
            # leap February's 29th is not left out).
            whole = rollup.value(metric, *row_span(then, "monthly"), where)
            days = days_in(*row_span(day, "monthly"))
            values.append(None if whole is None else whole / days)
        else:
            values.extend(rollup.per_day(metric, then, then, where))
    return LastYear(span, tuple(values), align)


def describe_gaps(gaps: Sequence[tuple[dt.date, dt.date]], align: Align) -> str:
    """``2024-01-03..2024-03-31 (for 2025-01-01..2025-03-30)``, the first few runs."""
    parts = []
    for start, end in gaps[:GAPS_LISTED]:
        then_start, then_end = sorted((aligned_day(start, align), aligned_day(end, align)))
        parts.append(f"{_range(then_start, then_end)} (for {_range(start, end)})")
    more = len(gaps) - GAPS_LISTED
    return ", ".join(parts) + (f" and {more} more" if more > 0 else "")


def _range(start: dt.date, end: dt.date) -> str:
    return start.isoformat() if start == end else f"{start.isoformat()}..{end.isoformat()}"


# -- choosing a goal's pacing -------------------------------------------------------


@dataclass(frozen=True)
class Paced:
    """The pacing a goal (or the budget) ended up with, and its curve."""

    name: PacingName
    curve: PaceCurve


class GoalPacings:
    """Each goal's pacing curve, built once per metric, filter and span.

    A ``last_year`` goal whose last year does not cover its span falls back to the
    quarter weights, with an ``info`` PA014 naming the days missing.
    """

    def __init__(
        self,
        plan: Plan,
        rollup: Rollup,
        *,
        curves: Mapping[str, DailyCurve] | None = None,
        file: str | None = None,
        locate: Locate | None = None,
    ) -> None:
        self.plan = plan
        self.rollup = rollup
        self.quarters = Pacing(plan)
        self.curves = dict(curves or {})
        self.file = file
        self.locate = locate
        self.diagnostics: list[Diagnostic] = []
        self._last_year: dict[tuple[str, Filter, Window, Align], LastYear] = {}
        self._reported: set[tuple[str | int, ...]] = set()
        # Goals of one metric, filter and span share their forecast: built once.
        self._forecasts: dict[tuple[Any, ...], Forecaster | None] = {}

    def last_year(self, metric: str, where: Filter, span: Window, align: Align) -> LastYear:
        """Last year's aligned values (cached)."""
        if self.rollup.grain == "monthly":
            align = "dates"  # a month's days are its row spread evenly: month to month
        key = (metric, where, Window("", span.start, span.end), align)
        if key not in self._last_year:
            self._last_year[key] = last_year_values(self.rollup, metric, where, span, align)
        return self._last_year[key]

    def for_goal(self, goal: Goal, natural: Window, path: tuple[str | int, ...]) -> Paced:
        """A goal's pacing over its natural span (the period, or its quarter)."""
        spec = goal.pacing if goal.pacing is not None else self.plan.pacing
        spec_path = (*path, "pacing") if goal.pacing is not None else ("pacing",)
        label = f"goal '{path[-1]}'" if len(path) <= 2 else f"goal '{path[1]}.{path[-1]}'"
        return self._resolve(
            spec, goal.metric, normalise_where(goal.where), natural, label, spec_path
        )

    def for_budget(self, natural: Window) -> Paced:
        """The budget's pacing: ``budget.pacing``, else the plan's, on the spend metric."""
        budget = self.plan.budget
        assert budget is not None
        own = budget.pacing
        spec = own if own is not None else self.plan.pacing
        spec_path: tuple[str | int, ...] = ("budget", "pacing") if own is not None else ("pacing",)
        return self._resolve(spec, budget.spend_metric, (), natural, "the budget", spec_path)

    def _resolve(  # noqa: PLR0917  # all six describe one goal's pacing
        self,
        spec: PacingValue,
        metric: str,
        where: Filter,
        natural: Window,
        label: str,
        spec_path: tuple[str | int, ...],
    ) -> Paced:
        if isinstance(spec, CurvePacing):
            curve = self.curves.get(spec.curve)
            # A curve that failed to read is an error already: evaluation does not run then.
            return Paced("curve", curve) if curve is not None else Paced("quarters", self.quarters)
        if spec == "quarters":
            return Paced("quarters", self.quarters)
        align: Align = spec.last_year if isinstance(spec, LastYearPacing) else "festivals"
        values = self.last_year(metric, where, natural, align)
        align = values.align
        curve = values.curve()
        if curve is not None:
            return Paced("last_year", curve)
        key = (*spec_path, label, natural.start.isoformat())
        if key not in self._reported:
            self._reported.add(key)
            line, column = self.locate(spec_path) if self.locate is not None else (None, None)
            gaps = values.gaps
            why = (
                f"last year's {metric} has no data for {describe_gaps(gaps, align)}"
                if gaps
                else f"last year's {metric} is zero over the whole span"
            )
            self.diagnostics.append(
                diagnostic(
                    "PA014",
                    f"{label} is paced by quarters, not last_year: {why}",
                    file=self.file,
                    line=line,
                    column=column,
                    path=".".join(str(p) for p in spec_path),
                    hint="pass actuals that cover last year, or give a curve file",
                )
            )
        return Paced("quarters", self.quarters)

    def forecast(
        self,
        metric: str,
        where: Filter,
        natural: Window,
        as_of: dt.date,
        *,
        to: dt.date | None = None,
        method: Method | None = None,
        align: Align = "festivals",
    ) -> Forecaster | None:
        """The goal's forecast from as-of to ``to`` (default: the span's end), built once;
        seasonal naive aligns last year as ``align`` says (see :meth:`align_of`)."""
        key = (metric, where, natural.start, natural.end, as_of, to, method, align)
        if key not in self._forecasts:
            self._forecasts[key] = self._forecast(metric, where, natural, as_of, to, method, align)
        return self._forecasts[key]

    def align_of(self, goal: Goal) -> Align:
        """How a goal's forecast aligns last year: as its pacing does under
        ``{last_year: weekday}``, else by festival."""
        spec = goal.pacing if goal.pacing is not None else self.plan.pacing
        return spec.last_year if isinstance(spec, LastYearPacing) else "festivals"

    def _forecast(  # noqa: PLR0917  # the arguments of forecast, in order
        self,
        metric: str,
        where: Filter,
        natural: Window,
        as_of: dt.date,
        to: dt.date | None,
        method: Method | None,
        align: Align,
    ) -> Forecaster | None:
        end = to or natural.end
        if as_of < natural.start or as_of >= end:
            return None  # nothing measured yet, or nothing left to forecast
        actual = self.rollup.value(metric, natural.start, as_of, where)
        # Over weekly or monthly rows the actual sums the whole rows in by as-of.
        actuals = self.plan.actuals
        counted = narrowed(Window("", natural.start, as_of), actuals.grain, actuals.week_start)
        if actual is None or counted.end < counted.start:
            return None
        last_year = self.last_year(metric, where, natural, align)
        this_year = self.rollup.per_day(metric, counted.start, counted.end, where)
        return Forecaster.build(
            natural,
            counted,
            actual,
            last_year,
            this_year,
            end,
            method,
            monthly=actuals.grain == "monthly",
        )
