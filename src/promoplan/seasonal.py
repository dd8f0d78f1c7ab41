"""Seasonal pacing and forecasts: last year's curve, curve files, seasonal-naive projections.

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
  shares; :func:`read_curve` checks them (no gaps, shares summing to 1).
- **Forecasts** (:func:`forecast`): seasonal naive (last year's aligned curve
  scaled by this year's growth to date) when last year covers the span, else
  the run rate; with an 80% interval from week-to-week variation.

Everything here is plain arithmetic over the rolled-up cube.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import statistics
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from itertools import accumulate, pairwise
from pathlib import Path
from typing import Literal

from promoplan.diagnostics import Diagnostic, Locate, diagnostic
from promoplan.festivals import FESTIVALS, Festival
from promoplan.model import CurvePacing, Goal, LastYearPacing, PacingValue, Plan
from promoplan.result import Forecast, Window
from promoplan.rollup import Filter, Rollup, normalise_where
from promoplan.windows import ONE_DAY, PaceCurve, Pacing, days_in

Align = Literal["festivals", "weekday"]
PacingName = Literal["quarters", "last_year", "curve"]
Method = Literal["seasonal_naive", "run_rate"]

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
INTERVAL_Z = 1.2816  # the two-sided 80% interval of a normal error
MIN_CHANGES = 4  # week-to-week changes needed before an interval is given
SHARE_TOLERANCE = Decimal("0.001")  # a curve file's shares may be rounded to 0.1%
MAX_CURVE_BYTES = 1 << 20
GAPS_LISTED = 3

_FESTIVALS_BY_NAME: dict[str, Festival] = {f.name: f for f in FESTIVALS}


# -- alignment -----------------------------------------------------------------


def aligned_day(day: dt.date, align: Align = "festivals") -> dt.date:
    """Last year's day that ``day`` is compared with: 364 days back, or by the festival."""
    if align == "festivals":
        for name, (before, after) in ALIGNED_FESTIVALS.items():
            festival = _FESTIVALS_BY_NAME[name]
            this = festival.date_in(day.year)
            last = festival.date_in(day.year - 1)
            if this is None or last is None:
                continue  # a lunar year outside the table: weekday alignment
            if this - dt.timedelta(days=before) <= day <= this + dt.timedelta(days=after):
                return day - (this - last)
    return day - dt.timedelta(days=WEEKDAY_DAYS)


def _days(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    day = start
    while day <= end:
        yield day
        day += ONE_DAY


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
    """Last year's value of ``metric`` on the aligned day of each day of ``span``."""
    values: list[float | None] = []
    for day in _days(span.start, span.end):
        then = aligned_day(day, align)
        values.append(rollup.value(metric, then, then, where))
    return LastYear(span, tuple(values))


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


# -- curve files -------------------------------------------------------------------


def curve_path(plan_file: Path, text: str) -> Path | str:
    """The curve file named in the plan, resolved beside it; a message when it may not be read.

    A plan reads nothing outside its own directory: no absolute path, no ``..``,
    no symlink that leads out.
    """
    given = Path(text)
    if given.is_absolute() or ".." in given.parts or not text.strip():
        return "a curve file is named relative to the plan's directory, without '..'"
    base = plan_file.parent
    path = base / given
    try:
        inside = path.resolve().is_relative_to(base.resolve())
    except OSError:
        inside = False
    if not inside:
        return "the curve file leads outside the plan's directory"
    if not path.is_file():
        return f"no such file {path.as_posix()}"
    return path


def read_curve(  # noqa: PLR0911, PLR0912  # one branch per documented check of a curve file
    path: Path, shown: str, period: tuple[dt.date, dt.date]
) -> tuple[DailyCurve | None, tuple[Diagnostic, ...]]:
    """A curve file (``date,share`` rows, daily or weekly) as daily weights over ``period``.

    A weekly row's share is spread evenly over its seven days (the last clipped to
    the period). Every problem is a PP130 error at its line and column.
    """

    def error(message: str, line: int | None = None, column: int | None = None) -> Diagnostic:
        return diagnostic(
            "PP130",
            message,
            file=shown,
            line=line,
            column=column,
            hint="one row per day (or per week) of the period: date,share; shares sum to 1",
        )

    try:
        if path.stat().st_size > MAX_CURVE_BYTES:
            return None, (error("curve file is over 1 MiB", 1, 1),)
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as problem:
        return None, (error(f"cannot read the curve file: {problem}", 1, 1),)
    rows = list(csv.reader(text.splitlines()))
    if not rows:
        return None, (error("the curve file is empty", 1, 1),)
    header = [cell.strip().lower() for cell in rows[0]]
    if "date" not in header or "share" not in header:
        return None, (error("the header must name the columns date and share", 1, 1),)
    date_at, share_at = header.index("date"), header.index("share")
    start, end = period
    dated: list[tuple[int, dt.date, Decimal]] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            return None, (error(f"expected {len(header)} fields, got {len(row)}", number),)
        try:
            day = dt.date.fromisoformat(row[date_at].strip())
        except ValueError:
            message = f"{row[date_at]!r} is not a date (YYYY-MM-DD)"
            return None, (error(message, number, date_at + 1),)
        share = _share(row[share_at])
        if share is None or share < 0:
            return None, (
                error(f"{row[share_at]!r} is not a share (0.004 or 0.4%)", number, share_at + 1),
            )
        dated.append((number, day, share))
    if not dated:
        return None, (error("the curve file has no rows", 2, 1),)
    first_line, first_day, _ = dated[0]
    if first_day != start:
        return None, (
            error(
                f"the curve starts on {first_day.isoformat()}, not on the period's first day "
                f"{start.isoformat()}",
                first_line,
                date_at + 1,
            ),
        )
    step = (dated[1][1] - dated[0][1]).days if len(dated) > 1 else 1
    if step not in (1, 7):
        return None, (
            error(
                f"rows are {step} days apart: a curve is daily or weekly",
                dated[1][0],
                date_at + 1,
            ),
        )
    for (_, before, _), (line, day, _) in pairwise(dated):
        if (day - before).days != step:
            what = "a gap" if day > before + dt.timedelta(days=step) else "out of order"
            return None, (
                error(
                    f"{what}: {day.isoformat()} follows {before.isoformat()} "
                    f"(rows are {step} day{'s' if step > 1 else ''} apart)",
                    line,
                    date_at + 1,
                ),
            )
    last_line, last_day, _ = dated[-1]
    last_covered = last_day + dt.timedelta(days=step - 1)
    if last_covered < end or last_day > end:
        return None, (
            error(
                f"the curve ends on {last_day.isoformat()}; the period ends {end.isoformat()}",
                last_line,
                date_at + 1,
            ),
        )
    total = sum((share for _, _, share in dated), Decimal(0))
    if abs(total - 1) > SHARE_TOLERANCE:
        return None, (error(f"shares sum to {_percent(total)}, not 100%", last_line, share_at + 1),)
    weights: list[float] = []
    for _, day, share in dated:
        covered = days_in(day, min(end, day + dt.timedelta(days=step - 1)))
        weights.extend([float(share) / covered] * covered)
    return DailyCurve(start, weights), ()


def _share(raw: str) -> Decimal | None:
    text = raw.strip()
    scale = Decimal(1)
    if text.endswith("%"):
        text, scale = text[:-1].strip(), Decimal("0.01")
    try:
        value = Decimal(text) * scale
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _percent(value: Decimal) -> str:
    return f"{(value * 100).normalize():f}%"


def curve_files(plan: Plan) -> dict[str, tuple[str | int, ...]]:
    """Every curve file the plan names, with the key path of its first mention."""
    found: dict[str, tuple[str | int, ...]] = {}

    def note(value: PacingValue | None, path: tuple[str | int, ...]) -> None:
        if isinstance(value, CurvePacing) and value.curve not in found:
            found[value.curve] = (*path, "pacing", "curve")

    note(plan.pacing, ())
    for goal_id, goal in plan.goals.items():
        note(goal.pacing, ("goals", goal_id))
    for name, quarter in plan.quarters.items():
        for goal_id, goal in quarter.goals.items():
            note(goal.pacing, ("quarters", name, "goals", goal_id))
    if plan.budget is not None:
        note(plan.budget.pacing, ("budget",))
    return found


def read_curves(
    plan: Plan, plan_file: Path, shown: str, locate: Locate | None
) -> tuple[dict[str, DailyCurve], tuple[Diagnostic, ...]]:
    """Read every curve file the plan names (I/O at the edge, before evaluation)."""
    curves: dict[str, DailyCurve] = {}
    found: list[Diagnostic] = []
    for text, key in curve_files(plan).items():
        resolved = curve_path(plan_file, text)
        if isinstance(resolved, str):
            line, column = locate(key) if locate is not None else (None, None)
            found.append(
                diagnostic(
                    "PP130",
                    f"pacing curve {text!r}: {resolved}",
                    file=shown,
                    line=line,
                    column=column,
                    path=".".join(str(part) for part in key),
                    hint="put the curve file beside the plan and name it relative to the plan",
                )
            )
            continue
        curve, problems = read_curve(resolved, resolved.as_posix(), plan.span)
        found.extend(problems)
        if curve is not None:
            curves[text] = curve
    return curves, tuple(found)


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

    def last_year(self, metric: str, where: Filter, span: Window, align: Align) -> LastYear:
        """Last year's aligned values (cached)."""
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
    ) -> Forecaster | None:
        """The goal's forecast from as-of to ``to`` (default: the span's end)."""
        end = to or natural.end
        if as_of < natural.start or as_of >= end:
            return None  # nothing measured yet, or nothing left to forecast
        actual = self.rollup.value(metric, natural.start, as_of, where)
        if actual is None:
            return None
        last_year = self.last_year(metric, where, natural, "festivals")
        this_year = tuple(
            self.rollup.value(metric, day, day, where) for day in _days(natural.start, as_of)
        )
        return Forecaster.build(natural, as_of, actual, last_year, this_year, end, method)


@dataclass(frozen=True)
class Forecaster:
    """A forecast of a cumulative metric from as-of on: the value at any later day."""

    method: Method
    start: dt.date
    as_of: dt.date
    to: dt.date
    actual: float
    at: Callable[[dt.date], float]  # cumulative forecast at a day after as-of
    low: float | None
    high: float | None

    @classmethod
    def build(  # noqa: PLR0917  # the inputs of one forecast
        cls,
        span: Window,
        as_of: dt.date,
        actual: float,
        last_year: LastYear,
        this_year: Sequence[float | None],
        to: dt.date,
        method: Method | None = None,
    ) -> Forecaster | None:
        """Seasonal naive when last year covers the span and has a value to date, else run rate.

        ``method`` forces one (a backtest compares both); None when it cannot apply.
        """
        curve = last_year.curve()
        to_date = curve.weight(span.start, as_of) if curve is not None else 0.0
        seasonal_ok = curve is not None and to_date > 0
        if method == "seasonal_naive" and not seasonal_ok:
            return None
        if curve is not None and to_date > 0 and method != "run_rate":
            growth = actual / to_date
            scaled = curve

            def seasonal(day: dt.date) -> float:
                return actual + growth * scaled.weight(as_of + ONE_DAY, day)

            daily = [growth * scaled.day(d) for d in _days(as_of + ONE_DAY, to)]
            sigma = _relative_sigma(_weeks([v for v in last_year.values if v is not None]))
            low, high = _interval(seasonal(to), daily, sigma)
            return cls("seasonal_naive", span.start, as_of, to, actual, seasonal, low, high)
        rate = actual / days_in(span.start, as_of)

        def run_rate(day: dt.date) -> float:
            return actual + rate * days_in(as_of + ONE_DAY, day)

        daily = [rate] * days_in(as_of + ONE_DAY, to)
        # Without last year, this year's weeks so far are the only measure of variation.
        sigma = _relative_sigma(_weeks([v for v in this_year if v is not None]))
        low, high = _interval(run_rate(to), daily, sigma)
        return cls("run_rate", span.start, as_of, to, actual, run_rate, low, high)

    def result(self) -> Forecast:
        """The forecast at ``to`` as plain data."""
        return Forecast(
            method=self.method, to=self.to, value=self.at(self.to), low=self.low, high=self.high
        )


def _weeks(values: Sequence[float]) -> list[float]:
    """Sums of consecutive complete 7-day blocks."""
    return [math.fsum(values[i : i + 7]) for i in range(0, len(values) - 6, 7)]


def _relative_sigma(weeks: Sequence[float]) -> float | None:
    """The week-to-week variation: a robust standard deviation of the weekly log changes.

    1.4826 x their median absolute deviation, so that the few festival weeks (a
    618 week is double the week before) do not swamp the ordinary ones.
    """
    changes = [
        math.log(after / before) for before, after in pairwise(weeks) if before > 0 and after > 0
    ]
    if len(changes) < MIN_CHANGES:
        return None
    middle = statistics.median(changes)
    return 1.4826 * statistics.median(abs(c - middle) for c in changes)


def _interval(
    value: float, daily: Sequence[float], sigma: float | None
) -> tuple[float | None, float | None]:
    """value +- z x sigma x (sum over weeks ahead w of sqrt(w) x that week's forecast).

    This year's level against the forecast drifts like a random walk with a weekly
    step of ``sigma``: the forecast of week w ahead is off by sigma x sqrt(w) of it,
    and the weeks are off together (a drift carries over), so their errors add.
    """
    if sigma is None:
        return None, None
    weeks = [math.fsum(daily[i : i + 7]) for i in range(0, len(daily), 7)]
    spread = math.fsum(math.sqrt(ahead) * week for ahead, week in enumerate(weeks, start=1))
    half = INTERVAL_Z * sigma * spread
    return value - half, value + half


def cut_rollup(plan: Plan, rollup: Rollup, last: dt.date) -> Rollup:
    """The same actuals without the days after ``last`` (a backtest's cut)."""
    cube = rollup.cube
    kept = tuple(row for row in cube.rows if row.day <= last)
    return Rollup(plan, type(cube)(cube.dimensions, cube.columns, kept))


# -- backtest ------------------------------------------------------------------------

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
