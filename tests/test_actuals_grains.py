"""Weekly and monthly rows: whole spans per window, growth over as many rows, PA004/PA010.

Expected numbers come from the committed example files, summed here with the
csv module and Decimal.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clirunner import run_cli
from promoplan.actuals import read_actuals
from promoplan.actuals.model import ActualsSpec, Cell, Cube, CubeRow
from promoplan.inputs import actuals_spec
from promoplan.loader import load_plan
from promoplan.model import Plan
from promoplan.pacing import Pacing
from promoplan.result import Window
from promoplan.rollup import Rollup
from promoplan.rowspans import narrowed, row_dates
from promoplan.vocabulary import Grain

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "plans" / "examples"
DAY = dt.timedelta(days=1)


def plan_of(name: str) -> Plan:
    plan = load_plan(EXAMPLES / name).plan
    assert plan is not None
    return plan


def check_json(plan: str, data: str, *args: str) -> dict[str, Any]:
    # In process: what is tested is the output, not the process.
    outcome = run_cli("check", EXAMPLES / plan, "--actuals", EXAMPLES / data, "-f", "json", *args)
    assert outcome.exit_code in (0, 1), outcome.stderr
    entry: dict[str, object] = json.loads(outcome.stdout)["plans"][0]
    return entry


def weekly_rows() -> list[tuple[dt.date, Decimal]]:
    with (EXAMPLES / "weekly.csv").open(encoding="utf-8", newline="") as handle:
        return [
            (dt.date.fromisoformat(r["week"]), Decimal(r["revenue"]))
            for r in csv.DictReader(handle)
        ]


def test_weekly_growth_compares_52_whole_weeks_with_52_weeks_a_year_earlier() -> None:
    rows = weekly_rows()
    this = [v for d, v in rows if d >= dt.date(2024, 1, 1) and d + 6 * DAY <= dt.date(2024, 12, 31)]
    last = [
        v
        for d, v in rows
        if d >= dt.date(2024, 1, 1) - 364 * DAY and d + 6 * DAY <= dt.date(2024, 12, 29) - 364 * DAY
    ]
    assert len(this) == len(last) == 52
    entry = check_json("weekly.yaml", "weekly.csv")
    assert entry["as_of"] == "2025-01-05"  # the last day the latest week covers
    assert entry["window"] == {
        "label": "ytd",
        "start": "2024-01-01",
        "end": "2024-12-29",
        "summed": "52 weeks",
    }
    [goal] = entry["goals"]
    assert goal["actual"] == pytest.approx(float(sum(this) / sum(last) - 1))
    assert goal["baseline"] == pytest.approx(float(sum(last)))


def test_a_quarter_of_weekly_rows_counts_the_weeks_inside_it() -> None:
    rows = weekly_rows()
    entry = check_json("weekly.yaml", "weekly.csv", "--period", "2024-Q2")
    # Q2 2024 is Apr 1 (a Monday) .. Jun 30 (a Sunday): 13 whole weeks.
    assert entry["window"] == {
        "label": "2024-Q2",
        "start": "2024-04-01",
        "end": "2024-06-30",
        "summed": "13 weeks",
    }
    plan = plan_of("weekly.yaml")
    values = Rollup(plan, read_actuals([EXAMPLES / "weekly.csv"], actuals_spec(plan)).cube)
    inside = [v for d, v in rows if dt.date(2024, 4, 1) <= d <= dt.date(2024, 6, 24)]
    assert len(inside) == 13
    assert values.value("revenue", dt.date(2024, 4, 1), dt.date(2024, 6, 30)) == float(sum(inside))
    # A window that cuts the first and last weeks: only the 11 whole weeks inside.
    cut = [v for d, v in rows if dt.date(2024, 4, 8) <= d <= dt.date(2024, 6, 17)]
    assert values.value("revenue", dt.date(2024, 4, 3), dt.date(2024, 6, 29)) == float(sum(cut))


def test_monthly_rows_dated_by_any_day_count_whole_months() -> None:
    with (EXAMPLES / "monthly.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    q2 = sum(
        Decimal(r["revenue"]) for r in rows if r["month"][:7] in ("2025-04", "2025-05", "2025-06")
    )
    before = sum(
        Decimal(r["revenue"]) for r in rows if r["month"][:7] in ("2024-04", "2024-05", "2024-06")
    )
    entry = check_json("monthly.yaml", "monthly.csv", "--period", "2025-Q2")
    assert [d["code"] for d in entry["diagnostics"]] == []
    growth = next(g for g in entry["goals"] if g["id"] == "growth")
    assert growth["actual"] == pytest.approx(float(q2 / before - 1))
    plan = plan_of("monthly.yaml")
    values = Rollup(plan, read_actuals([EXAMPLES / "monthly.csv"], actuals_spec(plan)).cube)
    # May 10 .. Jul 20 holds June only as a whole month.
    june = sum(Decimal(r["revenue"]) for r in rows if r["month"][:7] == "2025-06")
    assert values.value("revenue", dt.date(2025, 5, 10), dt.date(2025, 7, 20)) == float(june)


def _spec(grain: Grain, **more: Any) -> ActualsSpec:
    return ActualsSpec(
        date_column="date",
        dimensions=(),
        columns=("x",),
        grain=grain,
        **more,
    )


def test_a_weekly_row_on_another_weekday_is_pa004_with_the_week_start_hint(tmp_path: Path) -> None:
    path = tmp_path / "w.csv"
    path.write_text("date,x\n2024-01-01,1\n2024-01-09,2\n", encoding="utf-8")
    [problem] = read_actuals([path], _spec("weekly")).diagnostics
    assert (problem.code, problem.line, problem.column) == ("PA004", 3, 1)
    assert "is a Tuesday, not the first day of a week (Monday)" in problem.message
    assert "week_start" in (problem.hint or "")
    path.write_text("date,x\n2023-12-31,1\n2024-01-07,2\n", encoding="utf-8")
    actuals = read_actuals([path], _spec("weekly", week_start="sunday"))
    assert actuals.ok
    assert [row.day for row in actuals.cube.rows] == [dt.date(2023, 12, 31), dt.date(2024, 1, 7)]


def test_monthly_rows_may_be_labelled_by_year_and_month(tmp_path: Path) -> None:
    """As monthly exports label them (2025-01, 2025/2, 2025.03): the month's first day."""
    path = tmp_path / "m.csv"
    path.write_text("date,x\n2025-01,1\n2025/2,2\n2025.03,4\n", encoding="utf-8")
    actuals = read_actuals([path], _spec("monthly"))
    assert actuals.ok, actuals.diagnostics
    assert [(row.day, row.cells[0].total) for row in actuals.cube.rows if row.cells[0]] == [
        (dt.date(2025, 1, 1), Decimal(1)),
        (dt.date(2025, 2, 1), Decimal(2)),
        (dt.date(2025, 3, 1), Decimal(4)),
    ]
    # Not a month: 13; and a daily file's rows need their day.
    path.write_text("date,x\n2025-13,1\n", encoding="utf-8")
    [problem] = read_actuals([path], _spec("monthly")).diagnostics
    assert (problem.code, problem.line, problem.column) == ("PA004", 2, 1)
    path.write_text("date,x\n2025-01,1\n", encoding="utf-8")
    [problem] = read_actuals([path], _spec("daily")).diagnostics
    assert (problem.code, problem.line) == ("PA004", 2)


def test_the_same_week_or_month_twice_is_pa010(tmp_path: Path) -> None:
    path = tmp_path / "w.csv"
    path.write_text("date,x\n2024-01-01,1\n2024-01-01,2\n", encoding="utf-8")
    [problem] = read_actuals([path], _spec("weekly")).diagnostics
    assert (problem.code, problem.line) == ("PA010", 3)
    assert "grain is weekly" in (problem.hint or "")
    path.write_text("date,x\n2024-01-05,1\n2024-01-20,2\n2024-02-01,3\n", encoding="utf-8")
    actuals = read_actuals([path], _spec("monthly"))
    assert [(d.code, d.line) for d in actuals.diagnostics] == [("PA010", 3)]
    assert "grain is monthly" in (actuals.diagnostics[0].hint or "")


# --- properties ------------------------------------------------------------------------

MONDAY = dt.date(2024, 1, 1)


def _weekly_cube(values: list[int]) -> Cube:
    rows = tuple(
        CubeRow(day=MONDAY + 7 * i * DAY, dims=(), cells=(Cell(Decimal(v), 1, None, None),))
        for i, v in enumerate(values)
    )
    return Cube(dimensions=(), columns=("x",), rows=rows)


WEEKLY_PLAN = load_plan(EXAMPLES / "weekly.yaml").plan


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=60),
    first=st.integers(min_value=-10, max_value=430),
    length=st.integers(min_value=0, max_value=400),
)
def test_a_window_sums_exactly_the_weeks_inside_it_and_says_so(
    values: list[int], first: int, length: int
) -> None:
    assert WEEKLY_PLAN is not None
    plan = WEEKLY_PLAN.model_copy(
        update={"metrics": {"x": WEEKLY_PLAN.metrics["revenue"].model_copy(update={"column": "x"})}}
    )
    start = MONDAY + first * DAY
    end = start + length * DAY
    rollup = Rollup(plan, _weekly_cube(values))
    inside = [
        v
        for i, v in enumerate(values)
        if start <= MONDAY + 7 * i * DAY and MONDAY + (7 * i + 6) * DAY <= end
    ]
    got = rollup.value("x", start, end)
    assert got == (float(sum(inside)) if inside else None)
    shown = narrowed(Window("w", start, end), "weekly")
    if shown.end < shown.start:  # too short for one whole week: no days, nothing summed
        assert not inside
        return
    # The window shown covers whole weeks inside the asked one, and sums the same.
    assert start <= shown.start
    assert shown.end <= end
    assert ((shown.end - shown.start).days + 1) % 7 == 0
    assert rollup.value("x", shown.start, shown.end) == got
    # It claims no day it did not sum: the weeks it covers are exactly the weeks summed.
    covered = [shown.start + 7 * k * DAY for k in range(((shown.end - shown.start).days + 1) // 7)]
    in_data = [d for d in covered if 0 <= (d - MONDAY).days // 7 < len(values)]
    assert sum(values[(d - MONDAY).days // 7] for d in in_data) == sum(inside)
    assert all((d - MONDAY).days % 7 == 0 for d in covered)


@settings(max_examples=100, deadline=None)
@given(
    first=st.integers(min_value=0, max_value=700), length=st.integers(min_value=0, max_value=400)
)
def test_row_dates_keep_only_rows_whose_span_is_inside(first: int, length: int) -> None:
    start = dt.date(2024, 1, 1) + first * DAY
    end = start + length * DAY
    low, high = row_dates(start, end, "weekly")
    assert (low, high) == (start, end - 6 * DAY)
    low, high = row_dates(start, end, "monthly")
    month = dt.date(2023, 12, 1)
    while month <= dt.date(2027, 1, 1):
        nxt = (month + 32 * DAY).replace(day=1)
        assert (low <= month <= high) == (start <= month and nxt - DAY <= end)
        month = nxt


@settings(max_examples=100, deadline=None)
@given(weeks=st.integers(min_value=1, max_value=52), offset=st.integers(min_value=0, max_value=6))
def test_pacing_over_whole_weeks_counts_the_weeks_days(weeks: int, offset: int) -> None:
    """A narrowed window is paced over the days it covers: 7 per week counted."""
    assert WEEKLY_PLAN is not None
    start = MONDAY + offset * DAY
    shown = narrowed(Window("w", start, start + 7 * (weeks + 1) * DAY), "weekly")
    pacing = Pacing(WEEKLY_PLAN)
    days = (shown.end - shown.start).days + 1
    assert days % 7 == 0
    assert pacing.fraction(shown.start, shown.end, shown.end) == 1.0
    half = shown.start + (days // 2 - 1) * DAY
    assert pacing.fraction(shown.start, shown.end, half) == pytest.approx(
        pacing.weight(shown.start, half) / pacing.weight(shown.start, shown.end)
    )


def test_a_monthly_report_compares_the_months_before_and_is_not_stale() -> None:
    """The last row (dated 2025-12-1) covers December to its last day: no PA020."""
    # In process: what is tested is the output, not the process.
    outcome = run_cli(
        "report", EXAMPLES / "monthly.yaml", "--actuals", EXAMPLES / "monthly.csv",
        "--quarter", "2025-Q4", "--as-of", "2025-12-31", "-f", "json",
    )  # fmt: skip
    assert outcome.exit_code == 0, outcome.stderr
    entry = json.loads(outcome.stdout)["plans"][0]
    assert [d["code"] for d in entry["diagnostics"]] == []
    report = entry["report"]
    assert report["window"] == {
        "label": "2025-Q4",
        "start": "2025-10-01",
        "end": "2025-12-31",
        "summed": "3 months",
    }
    assert report["previous"]["start"] == "2025-07-01"
    assert report["previous"]["end"] == "2025-09-30"
    with (EXAMPLES / "monthly.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    months = {"now": ("2025-10", "2025-11", "2025-12"), "before": ("2025-07", "2025-08", "2025-09")}
    sums = {
        k: sum(Decimal(r["revenue"]) for r in rows if r["month"][:7] in v)
        for k, v in months.items()
    }
    [revenue] = [k for k in report["kpis"] if k["metric"] == "revenue"]
    assert revenue["value"] == float(sums["now"])
    assert revenue["previous"] == float(sums["before"])


EVEN_PLAN = """\
promoplan: 1
name: even weekly pace
period: 2025
currency: USD
actuals:
  date: week
  grain: weekly
metrics:
  revenue: {column: revenue, unit: currency}
  spend: {column: spend, unit: currency}
goals:
  revenue: {metric: revenue, at_least: 365000}
budget:
  total: 36500
  lines: {all: 100%}
channels: {shop: all}
"""


def _even_weeks(tmp_path: Path) -> tuple[Path, Path]:
    """Weeks dated by Monday from 2024-12-30 (straddling 2025's start): 7000 of revenue
    and 700 of spend a week, exactly the pace of 365,000 and 36,500 a year (1000 and
    100 a day)."""
    plan = tmp_path / "plan.yaml"
    plan.write_text(EVEN_PLAN, encoding="utf-8")
    data = tmp_path / "weeks.csv"
    with data.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["week", "channel", "revenue", "spend"])
        day = dt.date(2024, 12, 30)
        while day <= dt.date(2025, 12, 29):
            writer.writerow([day.isoformat(), "shop", 7000, 700])
            day += 7 * DAY
    return plan, data


@pytest.mark.parametrize(("as_of", "weeks"), [("2025-06-29", 25), ("2025-03-31", 12)])
def test_weekly_rows_on_pace_are_on_pace_when_the_period_starts_mid_week(
    tmp_path: Path, as_of: str, weeks: int
) -> None:
    """The week of 2024-12-30 is not summed (it straddles 2025's start), so January 1st
    to 5th add no expected amount either: the pace runs over the weeks' own days."""
    plan, data = _even_weeks(tmp_path)
    outcome = run_cli("check", plan, "--actuals", data, "--as-of", as_of, "-f", "json")
    assert outcome.exit_code == 0, outcome.stdout + outcome.stderr
    entry = json.loads(outcome.stdout)["plans"][0]
    assert entry["window"]["start"] == "2025-01-06"
    assert entry["window"]["summed"] == f"{weeks} weeks"
    (goal,) = entry["goals"]
    # By hand: the weeks summed, their days at 1000 a day, the year's 365 days.
    assert goal["actual"] == 7000 * weeks
    assert goal["expected"] == pytest.approx(365000 * (7 * weeks) / 365)
    assert goal["progress"] == pytest.approx(1.0)
    assert goal["projection"] == pytest.approx(365000)
    # The run rate per day summed (175 days, not the 180 since January 1st) carries
    # on over the days not summed too: the year's 365,000, as the projection says.
    assert goal["forecast"]["method"] == "run_rate"
    assert goal["forecast"]["value"] == pytest.approx(365000)
    assert goal["status"] == "on_track"
    (line,) = [b for b in entry["budget"] if b["line"] == "all"]
    assert line["spent"] == 700 * weeks
    assert line["expected"] == pytest.approx(36500 * (7 * weeks) / 365)
    assert line["status"] == "on_track"


def test_weekly_rows_on_pace_meet_the_year_once_it_is_over(tmp_path: Path) -> None:
    """At the year's end its 51 whole weeks (01-06..12-28) are what is due: 357 days' worth."""
    plan, data = _even_weeks(tmp_path)
    for extra in ([], ["--period", "2025"]):
        outcome = run_cli(
            "check", plan, "--actuals", data, "--as-of", "2025-12-31", "-f", "json", *extra
        )
        assert outcome.exit_code == 0, outcome.stdout
        (goal,) = json.loads(outcome.stdout)["plans"][0]["goals"]
        assert goal["actual"] == 7000 * 51
        assert goal["expected"] == pytest.approx(1000 * 357)
        assert goal["status"] == "met"


def test_a_week_over_monthly_rows_lists_its_goals_with_nothing_measured() -> None:
    """No monthly row fits in 2025-W24 (06-09..06-15): the goals are there, no_data, with
    the week's share of their target (250,000 x 7/365), not left out under "pass"."""
    entry = check_json(
        "monthly.yaml", "monthly.csv", "--as-of", "2025-06-15", "--period", "last-week"
    )
    goals = {g["id"]: g for g in entry["goals"]}
    assert entry["window"]["summed"] == "no whole month"
    assert sorted(goals) == ["growth", "spend"]
    assert goals["spend"]["status"] == goals["growth"]["status"] == "no_data"
    assert goals["spend"]["actual"] is None
    assert goals["spend"]["target"] == pytest.approx(250_000 * 7 / 365)


def test_a_weekly_report_over_monthly_rows_says_it_holds_no_whole_month(tmp_path: Path) -> None:
    """The README's cron line (--week last) over monthly rows: a week holds no whole month,
    so every number is blank; it said "no problems" (or, at a month's end, that the actuals
    end "before it starts")."""
    for as_of in ("2025-06-30", "2025-12-31"):
        out = tmp_path / f"{as_of}.json"
        args = ["report", EXAMPLES / "monthly.yaml", "-a", EXAMPLES / "monthly.csv"]
        outcome = run_cli(*args, "--as-of", as_of, "-f", "json", "-o", out)
        assert outcome.exit_code == 0, outcome.stderr
        (plan,) = json.loads(out.read_text(encoding="utf-8"))["plans"]
        (empty,) = [d for d in plan["diagnostics"] if d["code"] == "PA022"]
        assert "holds no whole month of the monthly rows" in empty["message"]
        assert "(no whole month)" in outcome.stderr
