"""Forecasts of a cumulative metric to the end of its span: seasonal naive, else run rate.

Seasonal naive scales last year's aligned curve by this year's growth to date;
the run rate carries the daily average on. The 80% interval comes from last
year's week-to-week variation (README, "Forecasts").
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING, Literal

from promoplan.result import Forecast, Window
from promoplan.windows import ONE_DAY, days_in, each_day

if TYPE_CHECKING:
    from promoplan.seasonal import LastYear

Method = Literal["seasonal_naive", "run_rate"]
INTERVAL_Z = 1.2816  # the two-sided 80% interval of a normal error
MIN_CHANGES = 4  # week-to-week (or month-to-month) changes needed for an interval
MONTH_DAYS = 365.2425 / 12  # the mean days of a month


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
    days: Callable[[dt.date, dt.date], float]  # the forecast of any days, first..last

    @classmethod
    def build(  # noqa: PLR0917  # the inputs of one forecast
        cls,
        span: Window,
        counted: Window,
        actual: float,
        last_year: LastYear,
        this_year: Sequence[float | None],
        to: dt.date,
        method: Method | None = None,
        *,
        monthly: bool = False,
    ) -> Forecaster | None:
        """Seasonal naive when last year covers the span and has a value to date, else run rate.

        ``counted`` is the days ``actual`` sums: the span's start to as-of over daily rows,
        the whole weekly or monthly rows in by as-of otherwise; ``this_year`` has a value
        per day of it. The days of the span outside it, before and after, are forecast,
        so the value is the whole span's however its rows fall. ``method`` forces one (a
        backtest compares both); None when it cannot apply.
        """
        head = Window("", span.start, counted.start - ONE_DAY)  # before the first whole row
        first_ahead = counted.end + ONE_DAY
        curve = last_year.curve()
        to_date = curve.weight(counted.start, counted.end) if curve is not None else 0.0
        seasonal_ok = curve is not None and to_date > 0
        if method == "seasonal_naive" and not seasonal_ok:
            return None
        if curve is not None and to_date > 0 and method != "run_rate":
            growth = actual / to_date
            scaled = curve
            before = scaled.weight(head.start, head.end)

            def grown(first: dt.date, last: dt.date) -> float:
                return growth * scaled.weight(first, last)

            def seasonal(day: dt.date) -> float:
                return actual + growth * (before + scaled.weight(first_ahead, day))

            daily = [growth * scaled.day(d) for d in each_day(first_ahead, to)]
            offset = (counted.start - span.start).days
            sigma = _weekly_sigma(last_year.values[offset:], counted.start, monthly=monthly)
            low, high = _interval(seasonal(to), daily, sigma)
            return cls(
                "seasonal_naive", span.start, counted.end, to, actual, seasonal, low, high, grown
            )
        rate = actual / days_in(counted.start, counted.end)
        before_days = days_in(head.start, head.end)

        def at_rate(first: dt.date, last: dt.date) -> float:
            return rate * days_in(first, last)

        def run_rate(day: dt.date) -> float:
            return actual + rate * (before_days + days_in(first_ahead, day))

        daily = [rate] * days_in(first_ahead, to)
        # Without last year, this year's weeks so far are the only measure of variation.
        sigma = _weekly_sigma(this_year, counted.start, monthly=monthly)
        low, high = _interval(run_rate(to), daily, sigma)
        return cls("run_rate", span.start, counted.end, to, actual, run_rate, low, high, at_rate)

    def result(self) -> Forecast:
        """The forecast at ``to`` as plain data."""
        return Forecast(
            method=self.method, to=self.to, value=self.at(self.to), low=self.low, high=self.high
        )

    def over(self, first: dt.date, last: dt.date) -> Forecast:
        """The forecast of the span's days ``first``..``last`` alone, at ``last`` (on or
        after as-of): a growth goal over weekly rows compares whole weeks, so the days
        before the first and after the last are in no value it sums. The interval keeps
        its width."""
        value = self.at(last) - self.days(self.start, first - ONE_DAY)
        shift = value - self.at(self.to)
        return Forecast(
            method=self.method,
            to=last,
            value=value,
            low=None if self.low is None else self.low + shift,
            high=None if self.high is None else self.high + shift,
        )


def _weekly_sigma(
    values: Sequence[float | None], first: dt.date, *, monthly: bool = False
) -> float | None:
    """The week-to-week variation of daily ``values`` from ``first`` (see _relative_sigma).

    Over monthly rows a week's days are a month's spread evenly, so weeks would hardly
    vary: the variation is measured month to month, and taken as a random walk's,
    whose step over a week is the month's x sqrt(7 / the mean days of a month).
    """
    if not monthly:
        return _relative_sigma(_blocks([v for v in values if v is not None], 7))
    months: dict[tuple[int, int], list[float]] = {}
    last = first + dt.timedelta(days=len(values) - 1)
    for day, value in zip(each_day(first, last), values, strict=True):
        if value is not None:
            months.setdefault((day.year, day.month), []).append(value)
    whole = [
        math.fsum(days)
        for (year, month), days in months.items()
        if len(days) == calendar.monthrange(year, month)[1]
    ]
    sigma = _relative_sigma(whole)
    return None if sigma is None else sigma * math.sqrt(7 / MONTH_DAYS)


def _blocks(values: Sequence[float], size: int) -> list[float]:
    """Sums of consecutive complete blocks of ``size`` days."""
    return [math.fsum(values[i : i + size]) for i in range(0, len(values) - size + 1, size)]


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
