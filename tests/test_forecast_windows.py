"""A forecast over a window narrower than the goal's span (``--period Q2`` of a year goal).

The forecast is then the window's: its actual to date and the forecast of its days
still to come, on the scale of the target and projection beside it. Numbers by
hand from the rows written, with weekday alignment (364 days back).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

import pytest

from clirunner import run_cli

D = dt.date
DAY = dt.timedelta(days=1)

PLAN = """\
promoplan: 1
name: a year goal seen by quarter
period: 2025
currency: USD
pacing: {last_year: weekday}
metrics:
  revenue: {column: revenue, unit: currency}
goals:
  revenue: {metric: revenue, at_least: 500000}
"""


def daily(day: dt.date) -> int:
    """Not flat: a weekly rhythm and a slow rise."""
    return 500 + 40 * day.weekday() + (day - D(2024, 1, 1)).days


def goal_of(tmp_path: Path, *args: str) -> dict[str, Any]:
    outcome = run_cli(
        "check", tmp_path / "plan.yaml", "-a", tmp_path / "days.csv", "-f", "json", *args
    )
    assert outcome.exit_code in (0, 1), outcome.stdout + outcome.stderr
    (goal,) = json.loads(outcome.stdout)["plans"][0]["goals"]
    result: dict[str, Any] = goal
    return result


@pytest.fixture
def rows(tmp_path: Path) -> dict[dt.date, int]:
    (tmp_path / "plan.yaml").write_text(PLAN, encoding="utf-8")
    values = {day: daily(day) for day in days(D(2024, 1, 1), D(2025, 6, 10))}
    with (tmp_path / "days.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["date", "revenue"])
        writer.writerows((day.isoformat(), value) for day, value in values.items())
    return values


def days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + i * DAY for i in range((end - start).days + 1)]


def test_a_quarters_forecast_is_the_quarters_actual_and_its_days_to_come(
    tmp_path: Path, rows: dict[dt.date, int]
) -> None:
    back = dt.timedelta(days=364)
    growth = sum(rows[d] for d in days(D(2025, 1, 1), D(2025, 6, 10))) / math.fsum(
        rows[d - back] for d in days(D(2025, 1, 1), D(2025, 6, 10))
    )
    ahead = growth * math.fsum(rows[d - back] for d in days(D(2025, 6, 11), D(2025, 6, 30)))
    for period, start in (("Q2", D(2025, 4, 1)), ("2025-06", D(2025, 6, 1))):
        goal = goal_of(tmp_path, "--as-of", "2025-06-10", "--period", period)
        actual = sum(rows[d] for d in days(start, D(2025, 6, 10)))
        assert goal["actual"] == actual
        forecast = goal["forecast"]
        assert forecast["to"] == "2025-06-30"
        assert forecast["value"] == pytest.approx(actual + ahead)
        assert forecast["low"] < forecast["value"] < forecast["high"]
    # The year's own forecast runs to its end, from January on.
    year = goal_of(tmp_path, "--as-of", "2025-06-10")["forecast"]
    assert year["to"] == "2025-12-31"
    # 12-31 looks 364 days back at 2025's own 01-01: a week before that is its last year.
    year_ahead = growth * math.fsum(
        rows[d - back if d < D(2025, 12, 31) else d - back - 7 * DAY]
        for d in days(D(2025, 6, 11), D(2025, 12, 31))
    )
    assert year["value"] == pytest.approx(
        sum(rows[d] for d in days(D(2025, 1, 1), D(2025, 6, 10))) + year_ahead
    )


def test_a_window_over_has_no_forecast(tmp_path: Path, rows: dict[dt.date, int]) -> None:
    assert rows
    goal = goal_of(tmp_path, "--as-of", "2025-06-10", "--period", "Q1")
    assert goal["forecast"] is None


WEEKLY_PLAN = """\
promoplan: 1
name: a year goal over weekly rows, seen by quarter
period: 2025
currency: USD
pacing: {last_year: weekday}
actuals: {date: week, grain: weekly}
metrics:
  revenue: {column: revenue, unit: currency}
goals:
  revenue: {metric: revenue, at_least: 500000}
"""


def test_a_quarter_to_date_starting_mid_week_forecasts_its_head_days_too(
    tmp_path: Path,
) -> None:
    """``--period qtd`` is paced over the calendar quarter, and Q2 2025 starts on a
    Tuesday: its actual counts whole weeks from Monday 04-07, and the forecast to 06-30
    adds last year's 04-01..04-06 (six sevenths of a week) grown, as well as the days
    after the last whole week in (06-09..06-30), on the scale of the projection."""
    mondays = [D(2024, 1, 1) + 7 * i * DAY for i in range(75)]  # to 2025-06-02
    weeks = {monday: 7 * daily(monday) + 300 * (i % 5) for i, monday in enumerate(mondays)}
    (tmp_path / "plan.yaml").write_text(WEEKLY_PLAN, encoding="utf-8")
    with (tmp_path / "days.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["week", "revenue"])
        writer.writerows((monday.isoformat(), value) for monday, value in weeks.items())

    def last_year(day: dt.date) -> float:  # a day's share of its week 364 days back
        back = day - dt.timedelta(days=364)
        return weeks[back - back.weekday() * DAY] / 7

    this_year = [monday for monday in mondays if monday >= D(2025, 1, 6)]  # 01-06..06-08
    growth = sum(weeks[m] for m in this_year) / math.fsum(
        last_year(d) for d in days(D(2025, 1, 6), D(2025, 6, 8))
    )
    head = growth * math.fsum(last_year(d) for d in days(D(2025, 4, 1), D(2025, 4, 6)))
    ahead = growth * math.fsum(last_year(d) for d in days(D(2025, 6, 9), D(2025, 6, 30)))
    goal = goal_of(tmp_path, "--as-of", "2025-06-10", "--period", "qtd")
    actual = sum(weeks[m] for m in this_year if m >= D(2025, 4, 7))
    assert goal["actual"] == actual
    assert goal["forecast"]["to"] == "2025-06-30"
    assert goal["forecast"]["value"] == pytest.approx(actual + head + ahead)


def test_a_growth_goal_over_weekly_rows_forecasts_its_whole_weeks(tmp_path: Path) -> None:
    """(1 + 5%) x last year's whole weeks is the target: the forecast beside it is of this
    year's whole weeks (to 12-28), not of the 365 days the partial weeks reach."""
    mondays = [D(2024, 1, 1) + 7 * i * DAY for i in range(75)]  # to 2025-06-02
    weeks = {monday: 7 * daily(monday) + 300 * (i % 5) for i, monday in enumerate(mondays)}
    plan = WEEKLY_PLAN.replace(
        "revenue: {metric: revenue, at_least: 500000}", "revenue: {metric: revenue, growth: 5%}"
    )
    (tmp_path / "plan.yaml").write_text(plan, encoding="utf-8")
    with (tmp_path / "days.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["week", "revenue"])
        writer.writerows((monday.isoformat(), value) for monday, value in weeks.items())

    def last_year(day: dt.date) -> float:
        back = day - dt.timedelta(days=364)
        return weeks[back - back.weekday() * DAY] / 7

    this_year = [monday for monday in mondays if monday >= D(2025, 1, 6)]  # 01-06..06-08
    actual = sum(weeks[m] for m in this_year)
    growth = actual / math.fsum(last_year(d) for d in days(D(2025, 1, 6), D(2025, 6, 8)))
    ahead = growth * math.fsum(last_year(d) for d in days(D(2025, 6, 9), D(2025, 12, 28)))
    goal = goal_of(tmp_path, "--as-of", "2025-06-10")
    assert goal["kind"] == "cumulative"  # paced as an amount under last_year
    # 2025's 51 whole weeks (01-06..12-28) against the 51 weeks 52 weeks before them.
    last_51 = sum(v for m, v in weeks.items() if D(2024, 1, 8) <= m <= D(2024, 12, 23))
    assert goal["target"] == pytest.approx(1.05 * last_51)
    assert goal["forecast"]["to"] == "2025-12-28"
    assert goal["forecast"]["value"] == pytest.approx(actual + ahead)
