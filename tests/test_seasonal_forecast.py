"""The alignment rule, the forecasts and their interval, and the backtest on the example data."""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
import statistics
from decimal import Decimal
from pathlib import Path

import pytest

from promoplan.actuals.model import Cell, Cube, CubeRow
from promoplan.backtest import backtest, month_ends
from promoplan.inputs import expand_actuals, read_inputs
from promoplan.loader import load_plan
from promoplan.model import Plan
from promoplan.result import Window
from promoplan.rollup import Rollup
from promoplan.seasonal import GoalPacings, aligned_day

ROOT = Path(__file__).resolve().parents[1]
D = dt.date
PERIOD = Window("period", D(2025, 1, 1), D(2025, 12, 31))


@pytest.mark.parametrize(
    ("day", "align", "then"),
    [
        (D(2025, 1, 29), "festivals", D(2024, 2, 10)),  # Spring Festival to Spring Festival
        (D(2025, 1, 8), "festivals", D(2024, 1, 20)),  # 21 days before it
        (D(2025, 2, 12), "festivals", D(2024, 2, 24)),  # 14 days after it
        (D(2025, 2, 13), "festivals", D(2024, 2, 15)),  # then 364 days back again
        (D(2025, 1, 29), "weekday", D(2024, 1, 31)),
        (D(2025, 6, 18), "festivals", D(2024, 6, 18)),  # 618 by its date
        (D(2025, 5, 20), "festivals", D(2024, 5, 20)),  # the 520 pre-sale opens the window
        (D(2025, 6, 18), "weekday", D(2024, 6, 19)),  # a Wednesday both
        (D(2025, 11, 11), "festivals", D(2024, 11, 11)),
        (D(2025, 12, 12), "festivals", D(2024, 12, 12)),
        (D(2025, 3, 15), "festivals", D(2024, 3, 16)),  # an ordinary day: a Saturday both
    ],
)
def test_aligned_day(day: dt.date, align: str, then: dt.date) -> None:
    assert aligned_day(day, align) == then  # type: ignore[arg-type]  # literal from the table
    if align == "weekday":
        assert then.weekday() == day.weekday()


def test_a_lunar_year_outside_the_table_aligns_by_weekday() -> None:
    # The lunar table ends in 2040: 2041's days near its Spring Festival go 364 days back.
    assert aligned_day(D(2041, 2, 1)) == D(2041, 2, 1) - dt.timedelta(days=364)


def test_month_ends() -> None:
    assert month_ends(D(2025, 1, 1), D(2025, 4, 30)) == [
        D(2025, 1, 31),
        D(2025, 2, 28),
        D(2025, 3, 31),
    ]


def plan() -> Plan:
    return Plan.model_validate(
        {"promoplan": 1, "name": "p", "period": 2025, "metrics": {"gmv": {"column": "gmv"}}}
    )


def rollup_of(values: dict[dt.date, float]) -> Rollup:
    rows = tuple(
        CubeRow(day, (), (Cell(Decimal(str(value)), 1, None, None),))
        for day, value in sorted(values.items())
    )
    return Rollup(plan(), Cube((), ("gmv",), rows))


def days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def test_seasonal_naive_scales_last_years_curve_by_growth_to_date() -> None:
    """Last year: 10 a day, but each week's Sunday 40; this year 12 a day (and 48 on Sundays):
    20% growth to date, so the rest of the year is last year's aligned rest x 1.2."""
    values: dict[dt.date, float] = {}
    for day in days(D(2024, 1, 1), D(2024, 12, 31)):
        values[day] = 40.0 if day.weekday() == 6 else 10.0
    as_of = D(2025, 3, 31)
    for day in days(D(2025, 1, 1), as_of):
        values[day] = 48.0 if day.weekday() == 6 else 12.0
    rollup = rollup_of(values)
    found = GoalPacings(plan(), rollup).forecast("gmv", (), PERIOD, as_of)
    assert found is not None
    actual = sum(v for d, v in values.items() if d.year == 2025)

    def then(day: dt.date) -> float:
        # 2025-12-31 looks 364 days back at 2025-01-01, this year's own first day: a week
        # before that, 2024-12-25, is its last year.
        back = aligned_day(day)
        return values[back if back < D(2025, 1, 1) else back - dt.timedelta(days=7)]

    to_date = sum(then(d) for d in days(D(2025, 1, 1), as_of))
    rest = sum(then(d) for d in days(as_of + dt.timedelta(days=1), D(2025, 12, 31)))
    result = found.result()
    assert result.method == "seasonal_naive"
    assert result.value == pytest.approx(actual + actual / to_date * rest, rel=1e-12)

    # The interval: weekly log changes of last year's aligned weeks, their MAD x 1.4826;
    # week w ahead counts sqrt(w) times its forecast.
    aligned_values = [then(d) for d in days(D(2025, 1, 1), D(2025, 12, 31))]
    weeks = [sum(aligned_values[i : i + 7]) for i in range(0, 365 - 6, 7)]
    changes = [math.log(b / a) for a, b in itertools.pairwise(weeks)]
    middle = statistics.median(changes)
    sigma = 1.4826 * statistics.median(abs(c - middle) for c in changes)
    ahead = [
        actual / to_date * then(d) for d in days(as_of + dt.timedelta(days=1), D(2025, 12, 31))
    ]
    spread = sum(
        math.sqrt(w + 1) * sum(ahead[7 * w : 7 * w + 7]) for w in range(math.ceil(len(ahead) / 7))
    )
    assert result.high is not None
    assert result.low is not None
    assert result.high - result.value == pytest.approx(1.2816 * sigma * spread, rel=1e-9)
    assert result.value - result.low == pytest.approx(1.2816 * sigma * spread, rel=1e-9)


def test_without_last_year_the_forecast_is_the_run_rate() -> None:
    values = {day: 10.0 + (day.toordinal() % 3) for day in days(D(2025, 1, 1), D(2025, 2, 28))}
    rollup = rollup_of(values)
    found = GoalPacings(plan(), rollup).forecast("gmv", (), PERIOD, D(2025, 2, 28))
    assert found is not None
    result = found.result()
    actual = sum(values.values())
    assert result.method == "run_rate"
    assert result.value == pytest.approx(actual / 59 * 365, rel=1e-12)
    assert result.to == D(2025, 12, 31)
    assert result.low is not None  # eight weeks of this year measure the variation
    assert result.low < result.value


def test_nothing_to_forecast_before_the_span_or_at_its_end() -> None:
    rollup = rollup_of({day: 1.0 for day in days(D(2025, 1, 1), D(2025, 12, 31))})
    pacings = GoalPacings(plan(), rollup)
    assert pacings.forecast("gmv", (), PERIOD, D(2024, 12, 31)) is None
    assert pacings.forecast("gmv", (), PERIOD, D(2025, 12, 31)) is None


def test_backtest_on_the_example_data_seasonal_naive_beats_run_rate() -> None:
    loaded = load_plan(ROOT / "plans" / "ecommerce-2025.yaml")
    inputs = read_inputs(loaded, expand_actuals([str(ROOT / "plans" / "actuals" / "*.csv")]))
    assert inputs.plan is not None
    assert inputs.actuals is not None
    rows = backtest(inputs.plan, Rollup(inputs.plan, inputs.actuals.cube), "gmv")
    assert [row.cut for row in rows] == month_ends(D(2025, 1, 1), D(2025, 6, 29))
    assert all(row.to == D(2025, 6, 29) for row in rows)
    naive = [abs(e) for row in rows if (e := row.error("seasonal_naive")) is not None]
    run_rate = [abs(e) for row in rows if (e := row.error("run_rate")) is not None]
    assert len(naive) == len(run_rate) == 5
    assert statistics.fmean(naive) < statistics.fmean(run_rate)
    # The README quotes the table: its mean absolute errors are these.
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quoted = re.search(r"\| mean absolute error \| ([\d.]+)% \| +\| ([\d.]+)% \|", readme)
    assert quoted is not None
    assert float(quoted[1]) == round(statistics.fmean(naive) * 100, 1)
    assert float(quoted[2]) == round(statistics.fmean(run_rate) * 100, 1)
