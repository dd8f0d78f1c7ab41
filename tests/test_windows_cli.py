"""Windows, comparisons and statuses through the CLI, each number worked out from the rows."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from promoplan.cli import app

runner = CliRunner()
D = dt.date


def daily_csv(
    path: Path, start: dt.date, end: dt.date, value: Callable[[dt.date], float]
) -> list[tuple[dt.date, float]]:
    """Write one row a day (channel ``web``) and return the rows, for the test's own sums."""
    rows = []
    day = start
    while day <= end:
        rows.append((day, value(day)))
        day += dt.timedelta(days=1)
    body = "".join(f"{d.isoformat()},web,{v}\n" for d, v in rows)
    path.write_text("date,channel,orders\n" + body, encoding="utf-8")
    return rows


def total(rows: list[tuple[dt.date, float]], start: dt.date, end: dt.date) -> float:
    """The rows' sum from ``start`` to ``end`` inclusive."""
    return sum(v for d, v in rows if start <= d <= end)


def run_json(*args: str) -> tuple[int, dict[str, Any]]:
    """Run the CLI with ``--format json``; the exit code and the plan's document."""
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)["plans"][0]


def goal(document: dict[str, Any], goal_id: str) -> dict[str, Any]:
    """The goal ``goal_id`` of a plan document."""
    return next(g for g in document["goals"] if g["id"] == goal_id)


PLAN_HEAD = """\
promoplan: 1
name: windows
period: {period}
actuals:
  dimensions: {{channel: channel}}
metrics:
  orders: {{column: orders}}
"""


def write_plan(tmp_path: Path, period: str, goals: str, extra: str = "") -> Path:
    """A plan with one count metric, ``orders``, and the given goals."""
    plan = tmp_path / "plan.yaml"
    plan.write_text(PLAN_HEAD.format(period=period) + "goals:\n" + goals + extra, "utf-8")
    return plan


# -- 1. per-window goals stay inside the plan period ------------------------------------


def test_week_goal_is_clipped_to_the_plan_period(tmp_path: Path) -> None:
    plan = write_plan(
        tmp_path,
        "2025",
        "  ytd: {metric: orders, at_least: 100}\n"
        "  weekly: {metric: orders, at_least: 14, per: week}\n",
    )
    rows = daily_csv(
        tmp_path / "a.csv", D(2024, 12, 28), D(2025, 1, 6), lambda d: 50 if d.year == 2024 else 2
    )
    _, doc = run_json(
        "check", str(plan), "--actuals", str(tmp_path / "a.csv"), "--as-of", "2025-01-06"
    )
    weekly = goal(doc, "weekly")
    # 2025-W01 is 2024-12-30..2025-01-05; inside the plan: 2025-01-01..05, five days of 2.
    assert weekly["window"] == {
        "label": "2025-W01 from 2025-01-01",
        "start": "2025-01-01",
        "end": "2025-01-05",
    }
    assert weekly["actual"] == total(rows, D(2025, 1, 1), D(2025, 1, 5)) == 10
    # The weekly 14 is for seven days; five of them are in the plan.
    assert abs(weekly["target"] - 14 * 5 / 7) < 1e-9
    assert weekly["status"] == "met"
    assert goal(doc, "ytd")["actual"] == total(rows, D(2025, 1, 1), D(2025, 1, 6)) == 12


def test_month_goal_is_clipped_when_the_period_starts_mid_month(tmp_path: Path) -> None:
    plan = write_plan(
        tmp_path,
        "{start: 2025-01-15, end: 2026-01-14}",
        "  monthly: {metric: orders, at_least: 31, per: month}\n",
    )
    rows = daily_csv(tmp_path / "a.csv", D(2025, 1, 1), D(2025, 2, 3), lambda d: 1)
    result = runner.invoke(
        app, ["check", str(plan), "--actuals", str(tmp_path / "a.csv"), "--as-of", "2025-02-03"]
    )
    assert "2025-01 from 2025-01-15" in result.stdout
    _, doc = run_json(
        "check", str(plan), "--actuals", str(tmp_path / "a.csv"), "--as-of", "2025-02-03"
    )
    monthly = goal(doc, "monthly")
    assert monthly["actual"] == total(rows, D(2025, 1, 15), D(2025, 1, 31)) == 17
    assert monthly["target"] == 31 * 17 / 31


# -- 8. missed: a complete window that fell short ----------------------------------------


def test_complete_week_that_fell_short_is_missed_and_counts_as_a_warning(
    tmp_path: Path,
) -> None:
    plan = write_plan(tmp_path, "2025", "  weekly: {metric: orders, at_least: 100, per: week}\n")
    rows = daily_csv(tmp_path / "a.csv", D(2025, 1, 1), D(2025, 1, 14), lambda d: 10)
    code, doc = run_json("check", str(plan), "--actuals", str(tmp_path / "a.csv"))
    weekly = goal(doc, "weekly")
    # Last complete week at as-of 2025-01-14 is 2025-W02 (01-06..01-12): 70 of 100.
    assert weekly["actual"] == total(rows, D(2025, 1, 6), D(2025, 1, 12)) == 70
    assert weekly["status"] == "missed"
    assert doc["counts"]["warning"] == 1
    assert doc["status"] == "warn"
    assert code == 0
    strict = runner.invoke(
        app, ["check", str(plan), "--actuals", str(tmp_path / "a.csv"), "--strict"]
    )
    assert strict.exit_code == 1


def test_complete_quarter_at_95_percent_is_missed_not_at_risk(tmp_path: Path) -> None:
    plan = write_plan(
        tmp_path,
        "2025",
        "  year: {metric: orders, at_least: 1}\n",
        "quarters:\n  Q1:\n    goals:\n      orders: {metric: orders, at_least: 1000}\n",
    )
    # 90 days of Q1: 50 days of 11 and 40 of 10, 950 in all = 95% of 1000 (inside the 10%
    # tolerance: at_risk before).
    rows = daily_csv(
        tmp_path / "a.csv",
        D(2025, 1, 1),
        D(2025, 4, 10),
        lambda d: (11 if d < D(2025, 2, 20) else 10) if d.month <= 3 else 1,
    )
    _, doc = run_json("check", str(plan), "--actuals", str(tmp_path / "a.csv"))
    q1 = goal(doc, "Q1.orders")
    assert q1["actual"] == total(rows, D(2025, 1, 1), D(2025, 3, 31)) == 950
    assert abs(q1["progress"] - 0.95) < 1e-9
    assert q1["status"] == "missed"
    assert doc["counts"]["warning"] == 1


def test_period_goal_missed_when_the_period_is_over_is_an_error(tmp_path: Path) -> None:
    plan = write_plan(tmp_path, "2025", "  year: {metric: orders, at_least: 400}\n")
    rows = daily_csv(tmp_path / "a.csv", D(2025, 1, 1), D(2025, 12, 31), lambda d: 1)
    code, doc = run_json("check", str(plan), "--actuals", str(tmp_path / "a.csv"))
    year = goal(doc, "year")
    assert year["actual"] == total(rows, D(2025, 1, 1), D(2025, 12, 31)) == 365
    assert year["status"] == "missed"
    assert doc["counts"]["error"] == 1
    assert code == 1


def test_ceiling_exceeded_over_a_complete_month_is_missed(tmp_path: Path) -> None:
    plan = write_plan(tmp_path, "2025", "  cap: {metric: orders, at_most: 27, per: month}\n")
    rows = daily_csv(tmp_path / "a.csv", D(2025, 1, 1), D(2025, 3, 5), lambda d: 1)
    _, doc = run_json("check", str(plan), "--actuals", str(tmp_path / "a.csv"))
    cap = goal(doc, "cap")
    # The last complete month at 2025-03-05 is February: 28 days of 1 > 27.
    assert cap["actual"] == total(rows, D(2025, 2, 1), D(2025, 2, 28)) == 28
    assert cap["status"] == "missed"


# -- 2. report comparisons: complete against complete, in progress against the same days --


def report_kpi(tmp_path: Path, as_of: str, *window: str) -> dict[str, Any]:
    """The report's document for ``orders`` (one row a day, the day of the month as value)."""
    plan = write_plan(tmp_path, "2025", "  orders: {metric: orders, at_least: 1}\n")
    daily_csv(tmp_path / "a.csv", D(2024, 9, 1), D(2025, 4, 30), lambda d: d.day)
    code, doc = run_json(
        "report", str(plan), "--actuals", str(tmp_path / "a.csv"), "--as-of", as_of, *window
    )
    assert code == 0
    report: dict[str, Any] = doc["report"]
    return report


def day_sum(start: dt.date, end: dt.date) -> int:
    """The sum of the day-of-month values from ``start`` to ``end``."""
    return sum((start + dt.timedelta(days=i)).day for i in range((end - start).days + 1))


def test_complete_month_is_compared_with_the_whole_previous_month(tmp_path: Path) -> None:
    report = report_kpi(tmp_path, "2025-03-10", "--month", "2025-02")
    assert report["previous"] == {
        "label": "2025-01 (2025-01-01..01-31)",
        "start": "2025-01-01",
        "end": "2025-01-31",
    }
    kpi = report["kpis"][0]
    assert kpi["value"] == day_sum(D(2025, 2, 1), D(2025, 2, 28)) == 406
    assert kpi["previous"] == day_sum(D(2025, 1, 1), D(2025, 1, 31)) == 496


def test_march_is_compared_with_all_of_february(tmp_path: Path) -> None:
    report = report_kpi(tmp_path, "2025-04-02", "--month", "last")
    assert (report["window"]["start"], report["window"]["end"]) == ("2025-03-01", "2025-03-31")
    assert report["previous"] == {
        "label": "2025-02 (2025-02-01..02-28)",
        "start": "2025-02-01",
        "end": "2025-02-28",
    }


def test_complete_quarter_is_compared_with_the_whole_previous_quarter(tmp_path: Path) -> None:
    report = report_kpi(tmp_path, "2025-04-05", "--quarter", "2025-Q1")
    assert report["previous"]["label"] == "2024-Q4 (2024-10-01..12-31)"
    assert report["kpis"][0]["previous"] == day_sum(D(2024, 10, 1), D(2024, 12, 31))


def test_month_in_progress_is_compared_with_the_same_days_of_last_month(tmp_path: Path) -> None:
    report = report_kpi(tmp_path, "2025-03-15", "--month", "this")
    assert report["previous"] == {
        "label": "2025-02 (2025-02-01..02-15)",
        "start": "2025-02-01",
        "end": "2025-02-15",
    }
    kpi = report["kpis"][0]
    assert kpi["value"] == kpi["previous"] == day_sum(D(2025, 3, 1), D(2025, 3, 15)) == 120
    assert kpi["change"] == 0


def test_table_column_states_the_compared_dates(tmp_path: Path) -> None:
    plan = write_plan(tmp_path, "2025", "  orders: {metric: orders, at_least: 1}\n")
    daily_csv(tmp_path / "a.csv", D(2025, 1, 1), D(2025, 3, 10), lambda d: 1)
    result = runner.invoke(
        app,
        [
            "report",
            str(plan),
            "--actuals",
            str(tmp_path / "a.csv"),
            "--as-of",
            "2025-03-10",
            "--month",
            "2025-02",
            "--format",
            "markdown",
        ],
    )
    assert result.exit_code == 0, result.output
    header = next(line for line in result.stdout.splitlines() if line.startswith("| KPI"))
    assert "2025-01-01..01-31" in header


# -- 3. growth over a baseline the actuals only partly cover ------------------------------


def test_growth_from_a_partial_baseline_is_no_data_naming_the_missing_days(
    tmp_path: Path,
) -> None:
    plan = write_plan(tmp_path, "2025", "  growth: {metric: orders, growth: 30%}\n")
    # Flat sales: 100 a day, but the export starts on 2024-06-01.
    rows = daily_csv(tmp_path / "a.csv", D(2024, 6, 1), D(2025, 6, 29), lambda d: 100)
    _, doc = run_json("check", str(plan), "--actuals", str(tmp_path / "a.csv"))
    growth = goal(doc, "growth")
    assert growth["status"] == "no_data"
    assert growth["actual"] is None
    found = [d for d in doc["diagnostics"] if d["code"] == "PA021"]
    assert len(found) == 1
    missing_days = (D(2024, 5, 31) - D(2024, 1, 1)).days + 1
    assert missing_days == 152
    assert "missing 2024-01-01..2024-05-31 (152 days)" in found[0]["message"]
    assert found[0]["severity"] == "warning"

    # The opt-in compares the part that exists like for like: June 2024's 29 days with
    # June 2025's, flat sales at +0% (the whole half-year against them was +520.7%).
    partial = write_plan(
        tmp_path, "2025", "  growth: {metric: orders, growth: 30%, baseline: partial}\n"
    )
    _, doc = run_json("check", str(partial), "--actuals", str(tmp_path / "a.csv"))
    growth = goal(doc, "growth")
    this_year = total(rows, D(2025, 6, 1), D(2025, 6, 29))
    last_year = total(rows, D(2024, 6, 1), D(2024, 6, 29))
    assert (this_year, last_year) == (2_900, 2_900)
    assert growth["actual"] == 0
    assert growth["baseline"] == last_year
    assert growth["window"] == {"label": "ytd", "start": "2025-06-01", "end": "2025-06-29"}
    assert growth["status"] == "off_track"
    (note,) = [d for d in doc["diagnostics"] if d["code"] == "PA021"]
    assert note["severity"] == "info"
    assert note["message"].startswith(
        "growth goal 'growth' compares 2025-06-01..06-29 with 2024-06-01..06-29 only"
    )
    assert "lack 2024-01-01..2024-05-31 (152 days)" in note["message"]


def test_kpi_change_from_a_partial_previous_window_is_no_data(tmp_path: Path) -> None:
    plan = write_plan(tmp_path, "2025", "  orders: {metric: orders, at_least: 1}\n")
    # The export starts on 2025-01-20: January is only partly there.
    daily_csv(tmp_path / "a.csv", D(2025, 1, 20), D(2025, 3, 3), lambda d: 10)
    _, doc = run_json(
        "report",
        str(plan),
        "--actuals",
        str(tmp_path / "a.csv"),
        "--as-of",
        "2025-03-03",
        "--month",
        "2025-02",
    )
    kpi = doc["report"]["kpis"][0]
    assert kpi["value"] == 28 * 10
    assert kpi["previous"] is None
    assert kpi["change"] is None
    found = [d for d in doc["diagnostics"] if d["code"] == "PA021"]
    assert "missing 2025-01-01..2025-01-19 (19 days)" in found[0]["message"]


# -- 9. under-spending and unmapped spend ----------------------------------------------------

BUDGET_PLAN = """\
promoplan: 1
name: budget
period: 2025
actuals:
  dimensions: {{channel: channel}}
metrics:
  spend: {{column: spend, unit: currency}}
budget:
  total: 3650
{extra}  lines:
    web: 50%
    app: 50%
channels:
  web: web
  app: app
"""


def budget_run(tmp_path: Path, extra: str = "") -> dict[str, Any]:
    """Ten days of spend: web 5 a day, app 2 a day, an unmapped channel tv 1 a day."""
    plan = tmp_path / "plan.yaml"
    plan.write_text(BUDGET_PLAN.format(extra=extra), encoding="utf-8")
    lines = ["date,channel,spend"]
    for offset in range(10):
        day = (D(2025, 1, 1) + dt.timedelta(days=offset)).isoformat()
        lines += [f"{day},web,5", f"{day},app,2", f"{day},tv,1"]
    (tmp_path / "a.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    _, doc = run_json("check", str(plan), "--actuals", str(tmp_path / "a.csv"))
    return doc


def test_a_line_spending_half_of_its_pace_is_behind(tmp_path: Path) -> None:
    doc = budget_run(tmp_path)
    rows = {row["line"]: row for row in doc["budget"]}
    expected = 3650 * 0.5 * 10 / 365  # 50: ten days of the year's half
    assert abs(rows["web"]["expected"] - expected) < 1e-9
    assert rows["web"]["spent"] == 50
    assert rows["web"]["status"] == "on_track"
    assert rows["app"]["spent"] == 20  # below 50 x (1 - 10%) = 45
    assert rows["app"]["status"] == "behind"
    behind = [a for a in doc["alerts"] if a["condition"] == "behind"]
    assert [(a["severity"], a["group"]) for a in behind] == [("warning", {"line": "app"})]
    assert abs(behind[0]["threshold"] - expected * 0.9) < 1e-9
    # <unmapped>: tv's 10 of all 80 spent, 12.5%, above the 1% default.
    unmapped = rows["<unmapped>"]
    assert unmapped["status"] == "unmapped"
    assert unmapped["spent"] == 10
    assert unmapped["spent_share"] == 10 / 80
    assert [a["severity"] for a in doc["alerts"] if a["condition"] == "unmapped"] == ["warning"]
    assert doc["counts"]["warning"] == 3  # behind, unmapped, and PA011 for tv


def test_underspend_severity_and_unmapped_share_are_the_plans_choice(tmp_path: Path) -> None:
    doc = budget_run(tmp_path, "  underspend: error\n  unmapped_share: 20%\n")
    assert [a["severity"] for a in doc["alerts"] if a["condition"] == "behind"] == ["error"]
    assert not [a for a in doc["alerts"] if a["condition"] == "unmapped"]  # 12.5% < 20%
    rows = {row["line"]: row for row in doc["budget"]}
    assert rows["<unmapped>"]["status"] == "unmapped"
    assert doc["counts"] == {"error": 1, "warning": 1, "info": 0}  # + PA011 for tv


# -- 11. the percentage shown agrees with the status ----------------------------------------


def test_progress_near_a_band_edge_keeps_a_decimal(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        PLAN_HEAD.format(period="2025")
        + "  uv: {column: uv}\n"
        + "  conversion: {formula: orders / uv, unit: percent}\n"
        + "goals:\n"
        + "  low: {metric: conversion, at_least: 10%, where: {channel: web}}\n"
        + "  near: {metric: conversion, at_least: 10%, where: {channel: app}}\n",
        encoding="utf-8",
    )
    (tmp_path / "a.csv").write_text(
        "date,channel,orders,uv\n2025-03-01,web,89699,1000000\n2025-03-01,app,9996,100000\n",
        encoding="utf-8",
    )
    args = ["check", str(plan), "--actuals", str(tmp_path / "a.csv")]
    _, doc = run_json(*args)
    low, near = goal(doc, "low"), goal(doc, "near")
    assert abs(low["progress"] - (89_699 / 1_000_000) / 0.10) < 1e-9  # 0.89699
    assert low["status"] == "off_track"  # below 1 - 10%
    assert abs(near["progress"] - (9_996 / 100_000) / 0.10) < 1e-9  # 0.9996
    assert near["status"] == "at_risk"  # below 1
    text = runner.invoke(app, args, env={"COLUMNS": "120"}).stdout
    rows = {line.split()[0]: line for line in text.splitlines() if line.startswith(("low", "near"))}
    assert "89.7%" in rows["low"]
    assert "90%" not in rows["low"]
    assert "99.9%" in rows["near"]
    assert "100%" not in rows["near"]


# -- 12. a rate changes in percentage points ---------------------------------------------------


def test_a_conversion_rate_changes_in_percentage_points(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        PLAN_HEAD.format(period="2025")
        + "  uv: {column: uv}\n"
        + "  conversion: {formula: orders / uv, unit: percent}\n"
        + "goals:\n  conversion: {metric: conversion, at_least: 10%}\n",
        encoding="utf-8",
    )
    # February: 86 of 1,000 (8.6%); March: 171 of 1,000 (17.1%).
    (tmp_path / "a.csv").write_text(
        "date,channel,orders,uv\n"
        + "".join(
            f"2025-02-{d:02d},web,{86 if d == 1 else 0},{1000 if d == 1 else 0}\n"
            for d in range(1, 29)
        )
        + "".join(
            f"2025-03-{d:02d},web,{171 if d == 1 else 0},{1000 if d == 1 else 0}\n"
            for d in range(1, 32)
        ),
        encoding="utf-8",
    )
    args = [
        "report",
        str(plan),
        "--actuals",
        str(tmp_path / "a.csv"),
        "--as-of",
        "2025-03-31",
        "--month",
        "2025-03",
    ]
    _, doc = run_json(*args)
    kpi = doc["report"]["kpis"][0]
    assert abs(kpi["value"] - 171 / 1000) < 1e-12
    assert abs(kpi["previous"] - 86 / 1000) < 1e-12
    assert abs(kpi["change"] - (171 - 86) / 1000) < 1e-12  # 0.085: 8.5 points, not +98.8%
    assert kpi["change_kind"] == "points"
    markdown = runner.invoke(app, [*args, "--format", "markdown"]).stdout
    row = next(line for line in markdown.splitlines() if line.startswith("| conversion | 17.1%"))
    assert row.endswith("| \\+8.5 pp |")  # markdown escapes the sign


# -- 10. a fiscal year's quarters keep the plan's names ---------------------------------------


def test_fiscal_year_quarters_are_named_by_the_plan(tmp_path: Path) -> None:
    plan = write_plan(
        tmp_path,
        "{start: 2025-04-01, end: 2026-03-31}",
        "  orders: {metric: orders, at_least: 100}\n",
        "quarters:\n  Q3:\n    goals:\n      adds: {metric: orders, at_least: 10}\n"
        "alerts:\n  low: {metric: orders, window: quarter, below: 1000}\n",
    )
    daily_csv(tmp_path / "a.csv", D(2025, 4, 1), D(2026, 1, 10), lambda d: 1)
    actuals = ["--actuals", str(tmp_path / "a.csv")]
    _, doc = run_json("check", str(plan), *actuals, "--period", "Q3")
    # The plan's Q3 is 2025-10-01..12-31, the calendar's 2025-Q4: the plan's name wins.
    assert doc["window"] == {"label": "Q3", "start": "2025-10-01", "end": "2025-12-31"}
    assert goal(doc, "Q3.adds")["window"]["label"] == "Q3"
    # The quarter holding as-of 2026-01-10 is the plan's Q4, not 2026-Q1.
    assert [a["window"] for a in doc["alerts"]] == ["Q4"]
    text = runner.invoke(app, ["check", str(plan), *actuals, "--period", "Q3"]).stdout
    assert "window Q3 2025-10-01..2025-12-31" in text
    assert "2025-Q4" not in text
    assert "2026-Q1" not in text
    # A calendar quarter asked for by name keeps its calendar name.
    _, doc = run_json("check", str(plan), *actuals, "--period", "2025-Q4")
    assert doc["window"]["label"] == "2025-Q4"


# -- 16. a report on old data says so where cron looks -----------------------------------------


def test_report_on_old_data_warns_on_stderr_and_names_the_window(tmp_path: Path) -> None:
    plan = write_plan(tmp_path, "2025", "  orders: {metric: orders, at_least: 1}\n")
    daily_csv(tmp_path / "a.csv", D(2025, 1, 1), D(2025, 3, 31), lambda d: 1)
    out = tmp_path / "out.md"
    result = runner.invoke(
        app,
        [
            "report",
            str(plan),
            "--actuals",
            str(tmp_path / "a.csv"),
            "--as-of",
            "2025-06-30",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    # Last complete week at 2025-06-30 is 2025-W26 (06-23..06-29); the data end 03-31,
    # 90 days before it ends.
    assert (D(2025, 6, 29) - D(2025, 3, 31)).days == 90
    assert "warning PA020" in result.stderr
    assert "90 days before the report window 2025-W26" in result.stderr
    summary = result.stderr.strip().splitlines()[-1]
    assert summary.startswith("promoplan: weekly report 2025-W26 (2025-06-23..06-29)")
    assert str(out) in summary
    assert summary.endswith("1 warning")


# -- also: a plan cannot switch off its own errors ----------------------------------------------


def test_a_plan_may_not_ignore_an_error_code(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        PLAN_HEAD.format(period="2025")
        + "goals:\n  orders: {metric: orders, at_least: X}\n"
        + "budget:\n  total: 100\n  lines: {a: 50%, b: 40%}\n"
        + "ignore: [PP101, PP120]\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["validate", str(plan), "--format", "json"])
    assert result.exit_code == 1
    codes = [d["code"] for d in json.loads(result.stdout)["plans"][0]["diagnostics"]]
    # 50% + 40% is 90%: PP101 stays, PP126 says why; the warning PP120 is ignored.
    assert sorted(codes) == ["PP101", "PP126"]
    cli = runner.invoke(app, ["validate", str(plan), "--ignore", "PP101", "--ignore", "PP126"])
    assert cli.exit_code == 0, cli.output


# -- 14. one order of alerts; many groups folded for a reader -----------------------------------

GEO_PLAN = """\
promoplan: 1
name: geos
period: 2025
actuals:
  dimensions: {geo: geo}
metrics:
  gmv: {column: gmv, unit: currency}
  spend: {column: spend, unit: currency}
  roi: {formula: gmv / spend, unit: ratio}
goals:
  gmv: {metric: gmv, at_least: 1}
alerts:
  low_roi:
    metric: roi
    by: geo
    window: period
    below: "1:3"
    severity: error
    action: cut this geo's spend
"""


def geo_files(tmp_path: Path) -> list[str]:
    """Geo1..Geo30 at ROI 1:2, Geo31 at 1:1: every one below the 1:3 floor."""
    plan = tmp_path / "plan.yaml"
    plan.write_text(GEO_PLAN, encoding="utf-8")
    rows = [f"2025-03-01,Geo{i},{200 if i <= 30 else 100},100" for i in range(1, 32)]
    (tmp_path / "a.csv").write_text("date,geo,gmv,spend\n" + "\n".join(rows) + "\n", "utf-8")
    return [str(plan), "--actuals", str(tmp_path / "a.csv")]


def test_alerts_worst_first_then_in_natural_order_and_json_keeps_all(tmp_path: Path) -> None:
    args = geo_files(tmp_path)
    _, doc = run_json("check", *args)
    geos = [a["group"]["geo"] for a in doc["alerts"]]
    # Geo31 (1:1) is furthest below 1:3; the rest tie at 1:2 and follow as numbers, not text.
    assert geos == ["Geo31"] + [f"Geo{i}" for i in range(1, 31)]
    assert doc["counts"]["error"] == 31


def test_more_than_five_groups_are_folded_with_the_action_once(tmp_path: Path) -> None:
    args = geo_files(tmp_path)
    table = runner.invoke(app, ["check", *args], env={"COLUMNS": "120"}).stdout
    assert table.count("cut this geo's spend") == 1
    assert "and 26 more" in table
    shown = [line.split(":")[0].strip() for line in table.splitlines() if "roi 1:" in line]
    assert shown == ["Geo31", "Geo1", "Geo2", "Geo3", "Geo4"]
    markdown = runner.invoke(app, ["check", *args, "--format", "markdown"]).stdout
    assert markdown.count("cut this geo's spend") == 1
    assert "and 26 more" in markdown


# -- 6. 24:00 ends the day it is written on, in either spelling ---------------------------------


def test_midnight_at_24_00_is_the_end_of_that_day_in_both_spellings(tmp_path: Path) -> None:
    plan = write_plan(tmp_path, "2024", "  orders: {metric: orders, at_least: 1}\n")
    (tmp_path / "a.csv").write_text(
        "date,channel,orders\n2024-12-31 24:00:00,web,5\n2024-12-31T24:00:00,app,7\n",
        encoding="utf-8",
    )
    _, doc = run_json("check", str(plan), "--actuals", str(tmp_path / "a.csv"))
    # Both rows are 2024-12-31, inside the period 2024: 5 + 7.
    assert goal(doc, "orders")["actual"] == 5 + 7
    assert doc["as_of"] == "2024-12-31"
    assert "PA012" not in [d["code"] for d in doc["diagnostics"]]  # nothing fell into 2025


def test_last_week_without_as_of_is_the_week_before_the_latest_row(tmp_path: Path) -> None:
    """``--period last-week`` alone: as of the actuals' latest day, 2025-03-12 (a Wednesday),
    last week is 2025-03-03..09, its orders summed by hand."""
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        PLAN_HEAD.format(period=2025) + "goals:\n  orders: {metric: orders, at_least: 3650}\n",
        encoding="utf-8",
    )
    rows = daily_csv(tmp_path / "days.csv", D(2025, 1, 1), D(2025, 3, 12), lambda d: d.day)
    _, document = run_json(
        "check", str(plan), "-a", str(tmp_path / "days.csv"), "--period", "last-week"
    )
    assert document["as_of"] == "2025-03-12"
    assert document["window"] == {
        "label": "2025-W10",
        "start": "2025-03-03",
        "end": "2025-03-09",
    }
    assert goal(document, "orders")["actual"] == total(rows, D(2025, 3, 3), D(2025, 3, 9)) == 42


def test_a_window_not_started_shows_its_share_of_the_target(tmp_path: Path) -> None:
    """``--period Q3`` before Q3: a year goal's target is Q3's share (92 of 365 days), the
    one it shows once Q3 has started, not the year's; a level goal's stays as it is."""
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        PLAN_HEAD.format(period=2025)
        + "  aov: {column: orders, agg: mean}\n"
        + "goals:\n  orders: {metric: orders, at_least: 3650}\n"
        + "  aov: {metric: aov, at_least: 20}\n",
        encoding="utf-8",
    )
    daily_csv(tmp_path / "days.csv", D(2025, 1, 1), D(2025, 7, 10), lambda d: 10)
    args = ("check", str(plan), "-a", str(tmp_path / "days.csv"), "--period", "Q3")
    _, before = run_json(*args, "--as-of", "2025-06-29")
    _, started = run_json(*args, "--as-of", "2025-07-10")
    assert goal(before, "orders")["status"] == "pending"
    assert goal(before, "orders")["target"] == pytest.approx(3650 * 92 / 365)
    assert goal(started, "orders")["target"] == pytest.approx(3650 * 92 / 365)
    assert goal(before, "aov")["target"] == goal(started, "aov")["target"] == 20


def test_exactly_on_pace_is_on_track_whatever_the_floating_point_sums(tmp_path: Path) -> None:
    """365,000 a year at most, 1,000 a day: 3,000 spent by 2025-01-03 is exactly the pace
    (progress 1), so on_track, although the pace's shares sum to 3,000.0000000000005."""
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        PLAN_HEAD.format(period=2025) + "goals:\n  cap: {metric: orders, at_most: 365000}\n",
        encoding="utf-8",
    )
    rows = daily_csv(tmp_path / "days.csv", D(2025, 1, 1), D(2025, 1, 3), lambda d: 1000)
    _, document = run_json("check", str(plan), "-a", str(tmp_path / "days.csv"))
    cap = goal(document, "cap")
    assert cap["actual"] == total(rows, D(2025, 1, 1), D(2025, 1, 3)) == 3000
    assert cap["expected"] == pytest.approx(3000)
    assert cap["progress"] == pytest.approx(1)
    assert cap["status"] == "on_track"


def test_a_week_across_the_period_start_is_shown_as_summed(tmp_path: Path) -> None:
    """2025-W01 is 2024-12-30..2025-01-05; in a 2025 plan only 01-01..05 are summed, and
    the window printed says so (it said 2024-12-30..2025-01-05 over 5 days' sums)."""
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        PLAN_HEAD.format(period=2025) + "goals:\n  orders: {metric: orders, at_least: 3650}\n",
        encoding="utf-8",
    )
    rows = daily_csv(tmp_path / "days.csv", D(2024, 12, 20), D(2025, 1, 10), lambda d: d.day)
    args = ("check", str(plan), "-a", str(tmp_path / "days.csv"), "--period", "2025-W01")
    _, document = run_json(*args)
    assert document["window"] == {"label": "2025-W01", "start": "2025-01-01", "end": "2025-01-05"}
    orders = goal(document, "orders")
    assert orders["actual"] == total(rows, D(2025, 1, 1), D(2025, 1, 5)) == 15
    assert orders["target"] == pytest.approx(3650 * 5 / 365)
