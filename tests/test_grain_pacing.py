"""``pacing: last_year`` and forecasts over weekly and monthly rows.

A weekly or monthly row is spread evenly over its days to make last year's daily
curve; weeks are matched 52 weeks back, months month to month. Every expected
number is computed here from the rows written, with plain loops.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import json
import math
import statistics
from pathlib import Path
from typing import Any

import pytest

from clirunner import run_cli

D = dt.date
DAY = dt.timedelta(days=1)

WEEKLY_PLAN = """\
promoplan: 1
name: weekly, paced by last year
period: 2025
currency: USD
pacing: {last_year: weekday}
actuals: {date: week, grain: weekly}
metrics:
  revenue: {column: revenue, unit: currency}
goals:
  revenue: {metric: revenue, at_least: 400000}
"""

MONTHLY_PLAN = """\
promoplan: 1
name: monthly, paced by last year
period: 2025
currency: USD
pacing: last_year
actuals:
  date: month
  grain: monthly
  dimensions: {channel: channel}
metrics:
  revenue: {column: revenue, unit: currency}
goals:
  revenue: {metric: revenue, at_least: 1500000}
  growth: {metric: revenue, growth: 10%}
"""


def week_value(monday: dt.date) -> int:
    """A week's revenue: a slow rise with a bump every fifth week (not flat)."""
    index = (monday - D(2023, 12, 25)).days // 7
    return 5000 + 37 * index + (900 if index % 5 == 0 else 0)


def write_weeks(path: Path, first: dt.date, last: dt.date) -> dict[dt.date, int]:
    rows: dict[dt.date, int] = {}
    day = first
    while day <= last:
        rows[day] = week_value(day)
        day += 7 * DAY
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["week", "revenue"])
        writer.writerows((d.isoformat(), v) for d, v in rows.items())
    return rows


def check(plan: Path, data: Path, as_of: str) -> dict[str, Any]:
    outcome = run_cli("check", plan, "--actuals", data, "--as-of", as_of, "-f", "json")
    assert outcome.exit_code in (0, 1), outcome.stdout + outcome.stderr
    entry: dict[str, Any] = json.loads(outcome.stdout)["plans"][0]
    return entry


def test_weekly_rows_pace_by_the_weeks_52_weeks_back(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(WEEKLY_PLAN, encoding="utf-8")
    data = tmp_path / "weeks.csv"
    rows = write_weeks(data, D(2023, 12, 25), D(2025, 6, 23))  # last week ends 06-29
    entry = check(plan, data, "2025-06-29")
    assert [d["code"] for d in entry["diagnostics"] if d["code"] == "PA014"] == []
    (goal,) = entry["goals"]
    assert goal["pacing"] == "last_year"

    # By hand: each day of 2025 is worth a seventh of the week 364 days before it (for
    # 12-31, whose day 364 back is 2025's own 01-01, 371 days before it).
    def last_year(day: dt.date) -> float:
        then = day - dt.timedelta(days=364 if day < D(2025, 12, 31) else 371)
        monday = then - dt.timedelta(days=then.weekday())
        return rows[monday] / 7

    year = [D(2025, 1, 1) + i * DAY for i in range(365)]
    counted = [d for d in year if D(2025, 1, 6) <= d <= D(2025, 6, 29)]  # 25 whole weeks
    whole = math.fsum(last_year(d) for d in year)
    to_date = math.fsum(last_year(d) for d in counted)
    actual = sum(v for d, v in rows.items() if D(2025, 1, 6) <= d <= D(2025, 6, 23))
    assert goal["actual"] == actual
    assert goal["expected"] == pytest.approx(400000 * to_date / whole)
    assert goal["projection"] == pytest.approx(actual * whole / to_date)
    forecast = goal["forecast"]
    assert forecast["method"] == "seasonal_naive"
    # The forecast aligns last year as the goal's pacing does: it is the projection.
    assert forecast["value"] == pytest.approx(actual * whole / to_date)
    # So it is by festival under `pacing: last_year`, the other alignment.
    plan.write_text(WEEKLY_PLAN.replace("{last_year: weekday}", "last_year"), encoding="utf-8")
    (festival,) = check(plan, data, "2025-06-29")["goals"]
    assert festival["pacing"] == "last_year"
    assert festival["forecast"]["value"] == pytest.approx(festival["projection"])
    assert festival["forecast"]["value"] != pytest.approx(forecast["value"])
    # Last year's weeks vary (the bump every fifth week): a real interval around it.
    assert forecast["low"] < forecast["value"] < forecast["high"]


def test_weekly_rows_without_last_year_carry_the_run_rate_of_the_days_summed(
    tmp_path: Path,
) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(WEEKLY_PLAN, encoding="utf-8")
    data = tmp_path / "weeks.csv"
    rows = write_weeks(data, D(2024, 12, 30), D(2025, 6, 23))
    entry = check(plan, data, "2025-06-29")
    (goal,) = entry["goals"]
    assert goal["pacing"] == "quarters"
    assert any(d["code"] == "PA014" for d in entry["diagnostics"])
    actual = sum(v for d, v in rows.items() if D(2025, 1, 6) <= d <= D(2025, 6, 23))
    # 175 days summed; the year's other 190 days (01-01..01-05 and 06-30..12-31) at that rate.
    assert goal["forecast"]["method"] == "run_rate"
    assert goal["forecast"]["value"] == pytest.approx(actual + actual / 175 * 190)
    # This year's 25 weeks vary, so the interval is there too.
    assert goal["forecast"]["low"] < goal["forecast"]["value"] < goal["forecast"]["high"]


MONTH_REVENUE = {  # per month of 2024, then of 2025's first half; two channels
    "web": [51, 47, 58, 60, 66, 95, 52, 55, 63, 70, 120, 88, 57, 52, 63, 66, 74, 104],
    "app": [40, 38, 41, 45, 49, 71, 44, 46, 48, 52, 99, 70, 45, 41, 47, 50, 55, 80],
}


def write_months(path: Path) -> dict[tuple[int, int], int]:
    totals: dict[tuple[int, int], int] = {}
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["month", "channel", "revenue"])
        for channel, values in MONTH_REVENUE.items():
            for index, thousands in enumerate(values):
                year, month = 2024 + index // 12, 1 + index % 12
                writer.writerow([f"{year}-{month:02d}-15", channel, thousands * 1000])
                totals[year, month] = totals.get((year, month), 0) + thousands * 1000
    return totals


def test_monthly_rows_pace_month_to_month(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(MONTHLY_PLAN, encoding="utf-8")
    data = tmp_path / "months.csv"
    totals = write_months(data)
    entry = check(plan, data, "2025-06-30")
    assert [d["code"] for d in entry["diagnostics"] if d["code"] == "PA014"] == []
    goals = {g["id"]: g for g in entry["goals"]}
    last_year = sum(totals[2024, m] for m in range(1, 13))
    last_half = sum(totals[2024, m] for m in range(1, 7))  # leap February whole
    actual = sum(totals[2025, m] for m in range(1, 7))
    revenue = goals["revenue"]
    assert revenue["pacing"] == "last_year"
    assert revenue["actual"] == actual
    assert revenue["expected"] == pytest.approx(1500000 * last_half / last_year)
    assert revenue["projection"] == pytest.approx(actual * last_year / last_half)
    assert revenue["forecast"]["value"] == pytest.approx(actual * last_year / last_half)
    # The growth goal is paced as an amount: 1.1 x last year's whole year.
    growth = goals["growth"]
    assert growth["kind"] == "cumulative"
    assert growth["target"] == pytest.approx(1.1 * last_year)
    assert growth["expected"] == pytest.approx(1.1 * last_half)

    # The interval: month-to-month variation of last year, as a weekly step.
    changes = [math.log(totals[2024, m + 1] / totals[2024, m]) for m in range(1, 12)]
    middle = statistics.median(changes)
    sigma = 1.4826 * statistics.median(abs(c - middle) for c in changes)
    weekly = sigma * math.sqrt(7 / (365.2425 / 12))
    # Each day ahead: this year's growth x last year's month spread over its days.
    ahead = [D(2025, 7, 1) + i * DAY for i in range(184)]
    daily = [
        actual / last_half * totals[2024, d.month] / calendar.monthrange(2025, d.month)[1]
        for d in ahead
    ]
    week_sums = [math.fsum(daily[i : i + 7]) for i in range(0, len(daily), 7)]
    half = 1.2816 * weekly * math.fsum(math.sqrt(w + 1) * s for w, s in enumerate(week_sums))
    forecast = revenue["forecast"]
    assert half > 1000
    assert forecast["high"] - forecast["value"] == pytest.approx(half)
    assert forecast["value"] - forecast["low"] == pytest.approx(half)


def test_a_weekly_charts_legend_names_the_goals_target(tmp_path: Path) -> None:
    """The paced line over weekly rows ends at what the whole weeks are due (the days
    of 2025-01-01..05 are in no week summed); the legend names the target itself."""
    plan = tmp_path / "plan.yaml"
    plan.write_text(WEEKLY_PLAN, encoding="utf-8")
    data = tmp_path / "weeks.csv"
    write_weeks(data, D(2023, 12, 25), D(2025, 6, 23))
    page = tmp_path / "report.html"
    outcome = run_cli(
        "report", plan, "--actuals", data, "--as-of", "2025-06-29", "-f", "html", "-o", page
    )
    assert outcome.exit_code in (0, 1), outcome.stdout + outcome.stderr
    assert "paced target (full: $400k)" in page.read_text(encoding="utf-8")
