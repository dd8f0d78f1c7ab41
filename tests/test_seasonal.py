"""Seasonal pacing end to end: last year's curve on the example data, festivals, fallbacks.

Every expected number is computed here from the raw CSV rows (csv module, Decimal),
with the alignment rule written out again, not taken from promoplan.seasonal.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import json
import os
import re
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from clirunner import Arg, Cli, run_cli

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "plans" / "ecommerce-2025.yaml"
ACTUALS = [
    ROOT / "plans" / "actuals" / "channels-daily.csv",
    ROOT / "plans" / "actuals" / "brand-daily.csv",
]
D = dt.date
ONE = dt.timedelta(days=1)

# The festivals the alignment moves with, (last year's day, this year's day, days before, after).
FESTIVAL_WINDOWS_2025 = (
    (D(2024, 2, 10), D(2025, 1, 29), 21, 14),
    (D(2024, 6, 18), D(2025, 6, 18), 29, 2),
    (D(2024, 11, 11), D(2025, 11, 11), 22, 3),
    (D(2024, 12, 12), D(2025, 12, 12), 4, 2),
)


def aligned(day: dt.date) -> dt.date:
    """The README's rule for 2025: by the festival inside its window, else 364 days back,
    and a week further for 12-31 (364 days back is 2025's own 01-01)."""
    for last, this, before, after in FESTIVAL_WINDOWS_2025:
        if this - dt.timedelta(days=before) <= day <= this + dt.timedelta(days=after):
            return day - (this - last)
    return day - dt.timedelta(days=364 if day < D(2025, 12, 31) else 371)


def days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def daily(column: str, where: set[str] | None = None) -> dict[dt.date, Decimal]:
    """Sum of ``column`` per date over the raw rows of channels-daily.csv."""
    totals: dict[dt.date, Decimal] = defaultdict(Decimal)
    with ACTUALS[0].open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if where is not None and row["channel"] not in where:
                continue
            if row[column].strip():
                totals[D.fromisoformat(row["date"])] += Decimal(row[column])
    return totals


def check_json(*args: Arg) -> tuple[int, dict[str, Any]]:
    """``promoplan check ARGS --format json``: exit status and the one plan's document."""
    result = run_cli("check", *args, "--format", "json")
    (plan,) = json.loads(result.stdout)["plans"]
    return result.exit_code, plan


def example_with(tmp_path: Path, extra: str) -> Path:
    """The example plan with ``extra`` top-level YAML added after its tolerance."""
    text = EXAMPLE.read_text(encoding="utf-8")
    text = text.replace("\ntolerance: 10%\n", f"\ntolerance: 10%\n{extra}\n", 1)
    plan = tmp_path / "plan.yaml"
    plan.write_text(text, encoding="utf-8")
    return plan


def goals_by_id(plan: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {goal["id"]: goal for goal in plan["goals"]}


@pytest.mark.slow
def test_example_gmv_expected_is_last_years_aligned_share(tmp_path: Path) -> None:
    plan_file = example_with(tmp_path, "pacing: last_year")
    _, plan = check_json(
        plan_file, "--actuals", ACTUALS[0], "--actuals", ACTUALS[1], "--as-of", "2025-05-31"
    )
    gmv = goals_by_id(plan)["gmv_growth"]

    by_day = daily("gmv")
    last_year = {day: by_day[aligned(day)] for day in days(D(2025, 1, 1), D(2025, 12, 31))}
    share = sum((v for d, v in last_year.items() if d <= D(2025, 5, 31)), Decimal(0)) / sum(
        last_year.values(), Decimal(0)
    )
    whole_2024 = sum((v for d, v in by_day.items() if d.year == 2024), Decimal(0))
    target = whole_2024 * Decimal("1.3")
    expected = target * share
    actual = sum((v for d, v in by_day.items() if D(2025, 1, 1) <= d <= D(2025, 5, 31)), Decimal(0))

    assert gmv["pacing"] == "last_year"
    assert gmv["kind"] == "cumulative"
    assert gmv["baseline"] == pytest.approx(float(whole_2024), rel=1e-12)
    assert gmv["target"] == pytest.approx(float(target), rel=1e-12)
    assert gmv["expected"] == pytest.approx(float(expected), rel=1e-12)
    assert gmv["actual"] == pytest.approx(float(actual), rel=1e-12)
    assert gmv["projection"] == pytest.approx(float(actual / share), rel=1e-12)
    # Seasonal naive at period end is actual / last year's share: the projection itself.
    assert gmv["forecast"]["method"] == "seasonal_naive"
    assert gmv["forecast"]["value"] == pytest.approx(float(actual / share), rel=1e-12)
    assert gmv["forecast"]["low"] < gmv["forecast"]["value"] < gmv["forecast"]["high"]


@pytest.mark.slow
def test_example_new_users_status_follows_last_years_curve(tmp_path: Path) -> None:
    """New users: the quarter weights (20/25/20/35, shaped by Double 11 GMV) expect 36.8% of
    the year by May 31; last year's registrations had 41.7% by then, so the same 66.69万
    is on track by quarters and off track by last year's curve."""
    args: list[Arg] = ["--actuals", ACTUALS[0], "--actuals", ACTUALS[1], "--as-of", "2025-05-31"]
    _, by_quarters = check_json(EXAMPLE, *args)
    _, by_curve = check_json(example_with(tmp_path, "pacing: last_year"), *args)

    by_day = daily("new_users")
    last_year = {day: by_day[aligned(day)] for day in days(D(2025, 1, 1), D(2025, 12, 31))}
    share = sum((v for d, v in last_year.items() if d <= D(2025, 5, 31)), Decimal(0)) / sum(
        last_year.values(), Decimal(0)
    )
    quarter_share = Decimal("0.20") + Decimal("0.25") * 61 / 91
    actual = sum((v for d, v in by_day.items() if D(2025, 1, 1) <= d <= D(2025, 5, 31)), Decimal(0))

    quarters_goal = goals_by_id(by_quarters)["new_users"]
    curve_goal = goals_by_id(by_curve)["new_users"]
    assert quarters_goal["expected"] == pytest.approx(float(1_800_000 * quarter_share), rel=1e-12)
    assert curve_goal["expected"] == pytest.approx(float(1_800_000 * share), rel=1e-12)
    assert quarters_goal["pacing"] == "quarters"
    assert actual / (1_800_000 * quarter_share) >= 1  # on track by the quarter weights
    assert actual / (1_800_000 * share) < Decimal("0.9")  # more than 10% behind last year's pace
    assert (quarters_goal["status"], curve_goal["status"]) == ("on_track", "off_track")


# -- Spring Festival ---------------------------------------------------------------

SMALL_PLAN = """\
promoplan: 1
name: small
period: 2025
{pacing}
actuals: {{dimensions: {{channel: channel}}}}
metrics:
  gmv: {{column: gmv, unit: currency}}
  spend: {{column: spend, unit: currency}}
goals:
  gmv: {{metric: gmv, at_least: 1000000{goal_pacing}}}
{budget}
"""


def write_plan(tmp_path: Path, pacing: str = "", goal_pacing: str = "", budget: str = "") -> Path:
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        SMALL_PLAN.format(pacing=pacing, goal_pacing=goal_pacing, budget=budget), encoding="utf-8"
    )
    return plan


def write_actuals(tmp_path: Path, values: dict[dt.date, tuple[int, int]]) -> Path:
    path = tmp_path / "actuals.csv"
    lines = ["date,channel,gmv,spend"]
    lines += [f"{d.isoformat()},web,{g},{s}" for d, (g, s) in sorted(values.items())]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def spring_festival_series() -> dict[dt.date, tuple[int, int]]:
    """100 a day over two years, 5000 on each Spring Festival."""
    values = {day: (100, 10) for day in days(D(2024, 1, 1), D(2025, 12, 31))}
    values[D(2024, 2, 10)] = values[D(2025, 1, 29)] = (5000, 10)
    return values


@pytest.mark.slow
@pytest.mark.parametrize(
    ("pacing", "spike"),
    [("pacing: last_year", D(2025, 1, 29)), ("pacing: {last_year: weekday}", D(2025, 2, 8))],
)
def test_spring_festival_spike_lands_on_this_years_festival(
    tmp_path: Path, pacing: str, spike: dt.date
) -> None:
    """With festival alignment last year's 2024-02-10 spike maps to 2025-01-29; by weekday
    alone (364 days back) it lands on 2025-02-08."""
    plan = write_plan(tmp_path, pacing)
    actuals = write_actuals(tmp_path, spring_festival_series())
    expected: dict[dt.date, float] = {}
    for day in days(D(2025, 1, 25), D(2025, 2, 12)):
        _, result = check_json(plan, "--actuals", actuals, "--as-of", day.isoformat())
        expected[day] = result["goals"][0]["expected"]
    steps = {day: expected[day] - expected[day - ONE] for day in list(expected)[1:]}
    # The whole: 100 x 365 aligned days, plus the spike where it lands (4900 more).
    whole = 100 * 365 + 4900
    assert max(steps, key=lambda d: steps[d]) == spike
    assert steps[spike] == pytest.approx(1_000_000 * 5000 / whole, rel=1e-9)
    assert all(
        step == pytest.approx(1_000_000 * 100 / whole, rel=1e-9)
        for day, step in steps.items()
        if day != spike
    )


# -- fallbacks and curve files -------------------------------------------------------


def test_missing_last_year_falls_back_to_quarters_with_an_info(tmp_path: Path) -> None:
    values = {day: (100, 10) for day in days(D(2024, 1, 1), D(2025, 6, 30))}
    for day in days(D(2024, 3, 1), D(2024, 3, 31)):
        del values[day]
    plan = write_plan(tmp_path, "pacing: last_year")
    status, result = check_json(
        plan, "--actuals", write_actuals(tmp_path, values), "--as-of", "2025-06-30"
    )
    (goal,) = result["goals"]
    assert goal["pacing"] == "quarters"
    # Quarters without weights pace by days: 181 of 365.
    assert goal["expected"] == pytest.approx(1_000_000 * 181 / 365, rel=1e-12)
    (info,) = [d for d in result["diagnostics"] if d["code"] == "PA014"]
    assert info["severity"] == "info"
    assert (info["line"], info["column"]) == (4, 9)
    # 2025-02-28..2025-03-30 look back 364 days into the missing March 2024.
    assert "2024-03-01..2024-03-31 (for 2025-02-28..2025-03-30)" in info["message"]
    assert status == 0


def test_a_festival_echo_before_the_data_starts_looks_back_52_weeks(tmp_path: Path) -> None:
    """2024's Spring Festival window opens 2024-01-20, whose echo is 2023-01-01 (21 days
    before 2023-01-22). An export starting 2023-01-02 lacks that one day: it is compared
    with 2023-01-21, 364 days back, rather than sending the year back to quarters."""
    values = {day: (100, 10) for day in days(D(2023, 1, 2), D(2024, 12, 31))}
    values[D(2023, 1, 22)] = values[D(2024, 2, 10)] = (5000, 10)
    plan = write_plan(tmp_path, "pacing: last_year")
    plan.write_text(plan.read_text(encoding="utf-8").replace("period: 2025", "period: 2024"))
    actuals = write_actuals(tmp_path, values)
    # 2024's 366 days look back at 100 each, but 2024-02-10 at last year's festival (5000).
    whole = 100 * 365 + 5000
    for as_of, reached in ((D(2024, 1, 20), 100 * 20), (D(2024, 2, 10), 100 * 40 + 5000)):
        status, result = check_json(plan, "--actuals", actuals, "--as-of", as_of.isoformat())
        (goal,) = result["goals"]
        assert goal["pacing"] == "last_year"
        assert goal["expected"] == pytest.approx(1_000_000 * reached / whole, rel=1e-12)
        assert not [d for d in result["diagnostics"] if d["code"] == "PA014"]
        assert status == 0
    # A gap inside the data is still a gap: without 2023-01-21 the day has neither match.
    del values[D(2023, 1, 21)]
    _, result = check_json(plan, "--actuals", write_actuals(tmp_path, values))
    (info,) = [d for d in result["diagnostics"] if d["code"] == "PA014"]
    assert "2023-01-01 (for 2024-01-20)" in info["message"]


def test_weekly_curve_file_paces_the_goal(tmp_path: Path) -> None:
    # 2025-01-01 and every 7 days on: 53 rows, the last covering 2025-12-31 alone.
    starts = [D(2025, 1, 1) + dt.timedelta(days=7 * i) for i in range(53)]
    shares = ["0.018"] * 50 + ["0.05", "0.04", "0.01"]
    (tmp_path / "curve.csv").write_text(
        "date,share\n" + "".join(f"{d},{s}\n" for d, s in zip(starts, shares, strict=True)),
        encoding="utf-8",
    )
    plan = write_plan(tmp_path, "pacing: {curve: curve.csv}")
    values = {day: (100, 10) for day in days(D(2025, 1, 1), D(2025, 3, 31))}
    _, result = check_json(
        plan, "--actuals", write_actuals(tmp_path, values), "--as-of", "2025-01-10"
    )
    (goal,) = result["goals"]
    assert goal["pacing"] == "curve"
    # Ten days: the first week (0.018) and three of the second week's seven days.
    assert goal["expected"] == pytest.approx(1_000_000 * (0.018 + 0.018 * 3 / 7), rel=1e-12)


@pytest.mark.parametrize(
    ("rows", "where", "message"),
    [
        (
            [("2025-01-01", "50%"), *((f"2025-01-{d:02d}", "0") for d in range(2, 32))],
            (32, 1),
            "the curve ends on 2025-01-31; the period ends 2025-12-31",
        ),
        (
            [(str(day), "0.0025") for day in days(D(2025, 1, 1), D(2025, 12, 31))],
            (366, 2),
            "shares sum to 91.25%, not 100%",
        ),
        (
            [
                (str(day), "0.002")
                for day in days(D(2025, 1, 1), D(2025, 12, 31))
                if day != D(2025, 2, 3)
            ],
            (35, 1),
            "a gap: 2025-02-04 follows 2025-02-02",
        ),
    ],
)
def test_a_bad_curve_file_is_a_located_error(
    cli: Cli,
    tmp_path: Path,
    rows: list[tuple[str, str]],
    where: tuple[int, int] | None,
    message: str,
) -> None:
    (tmp_path / "curve.csv").write_text(
        "date,share\n" + "".join(f"{d},{s}\n" for d, s in rows), encoding="utf-8"
    )
    plan = write_plan(tmp_path, "pacing: {curve: curve.csv}")
    values = {day: (100, 10) for day in days(D(2025, 1, 1), D(2025, 1, 31))}
    result = cli("check", plan, "--actuals", write_actuals(tmp_path, values))
    assert result.exit_code == 1
    line = next(line for line in result.stdout.splitlines() if "PP130" in line)
    assert message in line
    if where is not None:
        assert line.startswith(
            f"{(tmp_path / 'curve.csv').as_posix()}:{where[0]}:{where[1]}: error PP130"
        )


def test_a_curve_outside_the_plans_directory_is_refused(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "curve.csv").write_text("date,share\n2025-01-01,1\n", encoding="utf-8")
    inner = tmp_path / "plans"
    inner.mkdir()
    plan = write_plan(inner, "pacing: {curve: ../curve.csv}")
    values = {day: (100, 10) for day in days(D(2025, 1, 1), D(2025, 1, 31))}
    result = cli("check", plan, "--actuals", write_actuals(tmp_path, values))
    assert result.exit_code == 1
    assert f"{plan}:4:17: error PP130 pacing curve '../curve.csv'" in result.stdout


@pytest.mark.parametrize(
    ("curve", "says"),
    [
        ("sub", "sub is a directory, not a curve file"),
        ("curve.csv/", "a curve file is named without a trailing slash"),
        ("pipe.csv", "pipe.csv is not a regular file (a pipe or a device)"),
    ],
)
def test_a_curve_that_is_no_regular_file_says_what_it_is(
    cli: Cli, tmp_path: Path, curve: str, says: str
) -> None:
    """A directory or a pipe was "no such file", sending the user looking for a typo."""
    (tmp_path / "sub").mkdir()
    (tmp_path / "curve.csv").write_text("date,share\n2025-01-01,1\n", encoding="utf-8")
    os.mkfifo(tmp_path / "pipe.csv")
    plan = write_plan(tmp_path, f"pacing: {{curve: {curve}}}")
    values = {day: (100, 10) for day in days(D(2025, 1, 1), D(2025, 1, 31))}
    result = cli("check", plan, "--actuals", write_actuals(tmp_path, values))
    assert result.exit_code == 1
    assert f"error PP130 pacing curve '{curve}': " in result.stdout
    assert says in result.stdout.replace(f"{tmp_path.as_posix()}/", "")


# -- budget ---------------------------------------------------------------------------------


def test_budget_paced_by_last_years_spend_is_not_ahead_in_the_618_run_up(tmp_path: Path) -> None:
    """Spend 1000 a day, 20000 a day from June 1 to 18, both years: by June 10 the line has
    spent what last year had spent by then, which the day-count pacing calls ahead."""
    values = {}
    for day in days(D(2024, 1, 1), D(2025, 6, 10)):
        heavy = day.month == 6 and day.day <= 18
        values[day] = (1, 20000 if heavy else 1000)
    budget = (
        "budget:\n  total: 710000\n  lines: {traffic: 100%}\n  {pacing}\nchannels: {web: traffic}\n"
    )
    actuals = write_actuals(tmp_path, values)
    spent = 1000 * 151 + 20000 * 10  # 2025-01-01..05-31, then June 1..10
    results = {}
    for pacing in ("pacing: quarters", "pacing: last_year"):
        plan = write_plan(tmp_path, budget=budget.replace("{pacing}", pacing))
        _, result = check_json(plan, "--actuals", actuals, "--as-of", "2025-06-10")
        (row,) = [r for r in result["budget"] if r["line"] == "traffic"]
        results[pacing] = row
    assert all(row["spent"] == spent for row in results.values())
    quarters, curve = results["pacing: quarters"], results["pacing: last_year"]
    assert quarters["expected"] == pytest.approx(710_000 * 161 / 365, rel=1e-12)
    assert quarters["status"] == "ahead"
    # Last year's aligned spend: 2025-06-01..06-18 map to 2024-06-01..06-18 (618 window).
    weights = {}
    for day in days(D(2025, 1, 1), D(2025, 12, 31)):
        then = aligned(day)
        weights[day] = 20000 if then.month == 6 and then.day <= 18 and then.year == 2024 else 1000
    share = sum(w for d, w in weights.items() if d <= D(2025, 6, 10)) / sum(weights.values())
    assert curve["expected"] == pytest.approx(710_000 * share, rel=1e-12)
    assert curve["status"] == "on_track"


def test_report_chart_draws_the_curve_and_the_dashed_forecast(cli: Cli, tmp_path: Path) -> None:
    plan = write_plan(tmp_path, "pacing: last_year")
    values = {
        day: value for day, value in spring_festival_series().items() if day <= D(2025, 3, 31)
    }
    actuals = write_actuals(tmp_path, values)
    result = cli("report", plan, "--actuals", actuals, "--as-of", "2025-03-31", "-f", "html")
    assert result.exit_code == 0
    page = result.stdout

    def polyline(css: str) -> list[tuple[float, float]]:
        found = re.search(rf'<polyline class="series {css}" points="([^"]+)"', page)
        assert found is not None, css
        return [(float(x), float(y)) for x, y in (p.split(",") for p in found[1].split())]

    target = polyline("target")
    assert len(target) == 365
    rises = [before[1] - after[1] for before, after in itertools.pairwise(target)]
    # One day (2025-01-29, the 28th rise) climbs 50 times as fast as the others: a curve.
    assert max(range(len(rises)), key=rises.__getitem__) == 27
    forecast = polyline("forecast")
    assert len(forecast) == 276  # 2025-03-31 (as-of, where it joins the actual) to 12-31
    assert forecast[0] == polyline("actual")[-1]
    assert forecast[-1][0] == target[-1][0]
    assert "stroke-dasharray:7 5" in page.split("svg.chart .series.forecast{", 1)[1].split("}")[0]
    assert "forecast, seasonal naive" in page
