"""``promoplan check`` end to end: a small plan and CSV with every number worked out by hand."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from clirunner import CliResult, run_cli
from promoplan.commands.check import run_check
from promoplan.inputs import actuals_spec
from promoplan.loader import load_plan
from promoplan.progress import DelayedProgress

ROOT = Path(__file__).resolve().parents[1]

PLAN = """\
promoplan: 1
name: small
period: 2025
tolerance: 10%
actuals:
  dimensions: {channel: channel}
metrics:
  gmv: {column: gmv, unit: currency}
  spend: {column: spend, unit: currency}
  orders: {column: orders}
  uv: {column: uv}
  roi: {formula: gmv / spend, unit: ratio}
  conversion: {formula: orders / uv, unit: percent}
goals:
  gmv: {metric: gmv, at_least: 100万}
  gmv_growth: {metric: gmv, growth: 30%}
  conversion: {metric: conversion, baseline: 4%, at_least: 5%}
budget:
  total: 100万
  lines:
    traffic: {share: 60%, lines: {public: 40%, private: 20%}}
    reserve: 40%
channels:
  douyin: traffic.public
  wecom: traffic.private
quarters:
  Q1: {weight: 20%, goals: {gmv: {metric: gmv, at_least: 20万}}}
  Q2: {weight: 25%, goals: {gmv: {metric: gmv, at_least: 25万}}}
  Q3: {weight: 20%}
  Q4: {weight: 35%}
alerts:
  low_roi:
    metric: roi
    by: channel
    window: quarter
    below: "1:3"
    min: {spend: 1000}
    severity: error
    action: cut this channel's spend
"""

CSV = """\
date,channel,gmv,spend,orders,uv
2024-01-01,douyin,100000,,,
2024-03-20,wecom,50000,,,
2024-04-02,wecom,999,,,
2025-01-10,douyin,120000,30000,300,8000
2025-02-14,wecom,60000,5000,200,4000
2025-03-31,douyin,30000,15000,100,3000
2025-04-01,bilibili,4000,2000,10,500
"""

F = 0.2 + 0.25 / 91  # the year's paced fraction on 2025-04-01, the latest date in the actuals


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    plan = tmp_path / "plan.yaml"
    plan.write_text(PLAN, encoding="utf-8")
    actuals = tmp_path / "actuals.csv"
    actuals.write_text(CSV, encoding="utf-8")
    return plan, actuals


def check(*args: str | Path) -> CliResult:
    """Run ``promoplan check ARGS`` in process: exit status, stdout, stderr."""
    return run_cli("check", *args)


def check_json(*args: str | Path) -> tuple[int, dict[str, Any]]:
    status, stdout, _ = check(*args, "--format", "json")
    (plan,) = json.loads(stdout)["plans"]
    return status, plan


def by_id(items: list[dict[str, Any]], key: str, value: str) -> dict[str, Any]:
    (found,) = [item for item in items if item[key] == value]
    return found


def test_year_to_date_numbers(files: tuple[Path, Path]) -> None:
    plan_file, actuals = files
    status, plan = check_json(plan_file, "--actuals", actuals)
    assert status == 1  # the low_roi alert is an error
    assert plan["as_of"] == "2025-04-01"
    assert plan["window"] == {"label": "ytd", "start": "2025-01-01", "end": "2025-04-01"}
    gmv = by_id(plan["goals"], "id", "gmv")
    assert (gmv["scope"], gmv["kind"], gmv["target"], gmv["actual"]) == (
        "period",
        "cumulative",
        1_000_000,
        214_000,
    )
    assert gmv["expected"] == pytest.approx(1_000_000 * F)
    assert gmv["progress"] == pytest.approx(214_000 / (1_000_000 * F))
    assert gmv["projection"] == pytest.approx(214_000 / F)
    assert gmv["status"] == "on_track"
    growth = by_id(plan["goals"], "id", "gmv_growth")
    assert growth["baseline"] == 150_000  # 2024-01-01..2024-04-01
    assert growth["actual"] == pytest.approx(214_000 / 150_000 - 1)
    assert growth["progress"] == pytest.approx((214_000 / 150_000 - 1) / 0.3)
    assert growth["status"] == "met"
    conversion = by_id(plan["goals"], "id", "conversion")
    assert conversion["actual"] == pytest.approx(610 / 15_500)
    assert conversion["progress"] == pytest.approx((610 / 15_500 - 0.04) / 0.01)
    assert conversion["status"] == "off_track"
    q1 = by_id(plan["goals"], "id", "Q1.gmv")
    assert (q1["scope"], q1["actual"], q1["expected"], q1["status"]) == (
        "Q1",
        210_000,
        200_000,
        "met",
    )
    q2 = by_id(plan["goals"], "id", "Q2.gmv")
    assert q2["expected"] == pytest.approx(250_000 / 91)
    assert q2["progress"] == pytest.approx(4_000 / (250_000 / 91))
    assert q2["status"] == "on_track"


def test_budget_and_alerts(files: tuple[Path, Path]) -> None:
    plan_file, actuals = files
    _, plan = check_json(plan_file, "--actuals", actuals)
    assert [row["line"] for row in plan["budget"]] == [
        "traffic",
        "traffic.public",
        "traffic.private",
        "reserve",
        "<unmapped>",
    ]
    public = by_id(plan["budget"], "line", "traffic.public")
    assert (public["planned"], public["spent"], public["remaining"]) == (400_000, 45_000, 355_000)
    assert public["expected"] == pytest.approx(400_000 * F)
    assert public["status"] == "behind"  # 45k below 81k expected x (1 - 10%)
    assert by_id(plan["budget"], "line", "traffic")["spent"] == 50_000
    assert by_id(plan["budget"], "line", "<unmapped>")["spent"] == 2_000
    # No channel maps to the reserve: nothing is booked to it, so all of it remains.
    reserve = by_id(plan["budget"], "line", "reserve")
    assert (reserve["planned"], reserve["spent"], reserve["remaining"]) == (400_000, 0, 400_000)
    assert reserve["status"] == "on_track"
    # Every line that channels book to spends below its pace (public 45k of 81k expected),
    # and bilibili's 2,000 of 52,000 spent (3.8%) is unmapped, above the 1% default.
    budget = sorted(
        (a["group"]["line"], a["condition"]) for a in plan["alerts"] if a["rule"] == "budget"
    )
    assert budget == [
        ("<unmapped>", "unmapped"),
        ("traffic", "behind"),
        ("traffic.private", "behind"),
        ("traffic.public", "behind"),
    ]
    # As of April 1 the quarter window is Q2's first day: bilibili, ROI 1:2 on 2,000 of spend.
    assert [a for a in plan["alerts"] if a["rule"] != "budget"] == [
        {
            "rule": "low_roi",
            "severity": "error",
            "metric": "roi",
            "value": 2,
            "threshold": 3,
            "condition": "below",
            "group": {"channel": "bilibili"},
            "window": "2025-Q2",
            "action": "cut this channel's spend",
            "label": "low_roi",
            "unit": "ratio",
        }
    ]
    assert plan["counts"]["error"] == 1
    assert "PA011" in [d["code"] for d in plan["diagnostics"]]


def test_first_quarter_alone(files: tuple[Path, Path]) -> None:
    plan_file, actuals = files
    status, plan = check_json(
        plan_file, "--actuals", actuals, "--as-of", "2025-03-31", "--period", "2025-Q1"
    )
    assert status == 0  # Q1's ROI is fine everywhere; PA011 is only a warning
    assert plan["as_of"] == "2025-03-31"
    assert plan["window"] == {"label": "2025-Q1", "start": "2025-01-01", "end": "2025-03-31"}
    assert [g["id"] for g in plan["goals"]] == ["gmv", "gmv_growth", "conversion", "Q1.gmv"]
    gmv = by_id(plan["goals"], "id", "gmv")
    assert gmv["target"] == pytest.approx(200_000)  # 100万 x Q1's 20%
    assert gmv["expected"] == pytest.approx(200_000)
    assert gmv["actual"] == 210_000
    assert gmv["progress"] == pytest.approx(1.05)
    assert gmv["projection"] == 210_000
    assert gmv["status"] == "met"
    growth = by_id(plan["goals"], "id", "gmv_growth")
    assert (growth["baseline"], growth["actual"]) == (150_000, pytest.approx(0.4))
    public = by_id(plan["budget"], "line", "traffic.public")
    assert public["planned"] == pytest.approx(80_000)
    assert public["expected"] == pytest.approx(80_000)
    assert public["spent"] == 45_000
    # Q1 is over: 45k of 80k (public), 5k of 40k (private) are behind; ROI is fine.
    assert sorted((a["group"]["line"], a["condition"]) for a in plan["alerts"]) == [
        ("traffic", "behind"),
        ("traffic.private", "behind"),
        ("traffic.public", "behind"),
    ]


def test_ignore_drops_diagnostics(files: tuple[Path, Path]) -> None:
    plan_file, actuals = files
    _, plan = check_json(plan_file, "--actuals", actuals, "--ignore", "PA011")
    assert "PA011" not in [d["code"] for d in plan["diagnostics"]]


def test_ignoring_the_error_that_stopped_the_run_does_not_make_it_pass(
    files: tuple[Path, Path], tmp_path: Path
) -> None:
    """--ignore PA003 on a file with a bad cell printed "pass: no problems" (exit 0) with
    nothing evaluated; --ignore PP102 on a plan whose sub-line shares are short did the same."""
    plan_file, actuals = files
    broken = tmp_path / "broken.csv"
    broken.write_text(actuals.read_text(encoding="utf-8") + "2025-03-30,douyin,12x,1,1,1\n")
    status, plan = check_json(plan_file, "--actuals", broken, "--ignore", "PA003")
    assert status == 1
    assert [d["code"] for d in plan["diagnostics"]] == ["PA003"]
    assert plan["goals"] == []
    short = tmp_path / "short.yaml"
    short.write_text(
        plan_file.read_text(encoding="utf-8").replace("public: 40%", "public: 30%"),
        encoding="utf-8",
    )
    status, plan = check_json(short, "--actuals", actuals, "--ignore", "PP102", "--ignore", "PA011")
    assert status == 1
    assert [d["code"] for d in plan["diagnostics"]] == ["PP102"]
    # validate, which evaluates nothing, accepts what it is told to.
    assert run_cli("validate", short, "--ignore", "PP102").exit_code == 0


def test_globs_expand(files: tuple[Path, Path]) -> None:
    plan_file, actuals = files
    status, plan = check_json(plan_file, "--actuals", str(actuals.parent / "*.csv"))
    assert status == 1
    assert plan["as_of"] == "2025-04-01"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ((), "pass --actuals"),
        (("--actuals", "nowhere/*.csv"), "matches no file"),
        (("--actuals", ""), "--actuals '' is empty (an unset variable?); name a CSV file"),
        (("--actuals", "ACTUALS", "--ignore", "PA0111"), "--ignore 'PA0111' is no promoplan"),
        (("--actuals", "ACTUALS", "--ignore", "pa011", "--ignore", "xyz"), "'xyz' is no"),
        (("--actuals", "  "), "--actuals '  ' is empty"),
        # A URL of no source is not a pattern matching no file; its password is not shown.
        (
            ("--actuals", "mysql://ana:hunter2@db/shop?table=t"),
            "'mysql://ana@db/shop?table=t' is not",
        ),
        (("--actuals", "file:///srv/actuals.csv"), "a file is named by its path"),
        (("--actuals", "missing.csv"), "no such file"),
        (("--actuals", "ACTUALS", "--as-of", "2025-13-01"), "YYYY-MM-DD"),
        (("--actuals", "ACTUALS", "--period", "2025-Q5"), "2025-W23"),
        (("--actuals", "ACTUALS", "--period", "2023"), "outside the plan period"),
        # "$PERIOD" unset: not ytd without a word.
        (("--actuals", "ACTUALS", "--period", ""), "--period '' is empty (an unset variable?)"),
        (("--actuals", "ACTUALS", "-f", " "), "--format ' ' is empty (an unset variable?)"),
    ],
)
def test_usage_problems_exit_2(
    files: tuple[Path, Path], args: tuple[str, ...], words: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan_file, actuals = files
    monkeypatch.chdir(plan_file.parent)
    status, stdout, stderr = check(
        plan_file, *[str(actuals) if a == "ACTUALS" else a for a in args]
    )
    assert status == 2
    assert stdout == ""
    assert words in stderr
    assert "Traceback" not in stderr
    assert "hunter2" not in stderr


def test_plan_errors_stop_before_the_actuals(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(PLAN.replace("reserve: 40%", "reserve: 30%"), encoding="utf-8")
    actuals = tmp_path / "actuals.csv"
    actuals.write_bytes(b"PK\x03\x04 not a csv at all")  # would be PA001 if it were read
    status, result = check_json(plan, "--actuals", actuals)
    assert status == 1
    assert [d["code"] for d in result["diagnostics"]] == ["PP101"]
    assert (result["goals"], result["budget"], result["alerts"]) == ([], [], [])
    assert result["as_of"] is None


def test_actuals_errors_stop_the_evaluation(files: tuple[Path, Path]) -> None:
    plan_file, actuals = files
    actuals.write_text(CSV.replace("120000,30000", "120000,12x"), encoding="utf-8")
    status, result = check_json(plan_file, "--actuals", actuals)
    assert status == 1
    assert "PA003" in [d["code"] for d in result["diagnostics"]]
    assert (result["goals"], result["budget"], result["alerts"]) == ([], [], [])


def test_lagging_file_gets_pa013_but_last_years_file_does_not(files: tuple[Path, Path]) -> None:
    plan_file, actuals = files
    # A metric only nps.csv carries: a file no metric reads is not counted at all (PA002).
    plan_file.write_text(
        PLAN.replace("metrics:\n", "metrics:\n  nps: {column: nps, agg: mean}\n").replace(
            "goals:\n", "goals:\n  nps: {metric: nps, at_least: 45}\n"
        ),
        encoding="utf-8",
    )
    folder = actuals.parent
    (folder / "nps.csv").write_text("date,nps\n2025-01-05,40\n2025-03-01,42\n", encoding="utf-8")
    (folder / "history.csv").write_text("date,gmv\n2024-05-01,10\n", encoding="utf-8")
    _, plan = check_json(plan_file, "--actuals", folder / "*.csv")
    lagging = [d for d in plan["diagnostics"] if d["code"] == "PA013"]
    assert len(lagging) == 1
    assert lagging[0]["severity"] == "warning"
    assert lagging[0]["file"].endswith("nps.csv")
    assert "31 days before as-of 2025-04-01" in lagging[0]["message"]


def test_actuals_of_last_year_alone_lag_the_whole_period(
    files: tuple[Path, Path], tmp_path: Path
) -> None:
    """Only 2024's rows for a 2025 plan: as of 2025-01-01 nothing of the period is in
    them, which a budget "behind" from nothing spent would otherwise not say."""
    plan_file, _ = files
    old = tmp_path / "old.csv"
    old.write_text("date,channel,gmv,spend\n2024-06-01,douyin,10,1\n", encoding="utf-8")
    _, plan = check_json(plan_file, "--actuals", old)
    assert plan["as_of"] == "2025-01-01"
    (lagging,) = [d for d in plan["diagnostics"] if d["code"] == "PA013"]
    assert (lagging["severity"], lagging["file"]) == ("warning", str(old))
    assert lagging["message"].startswith(
        "the actuals end on 2024-06-01, before the plan period starts on 2025-01-01"
    )


def test_run_check_returns_a_run(files: tuple[Path, Path]) -> None:
    plan_file, actuals = files
    run = run_check(
        plan_file,
        [str(actuals)],
        as_of="2025-02-14",
        period="mtd",
        encoding=None,
        ignore=(),
    )
    (result,) = run.plans
    assert run.command == "check"
    assert result.window is not None
    assert (result.window.label, str(result.window.start)) == ("mtd", "2025-02-01")
    gmv = next(g for g in result.goals if g.id == "gmv")
    assert gmv.actual == 60_000
    # February's share of the year: 28 of Q1's 90 days at 20%; f = 14/28 within it.
    assert gmv.target == pytest.approx(1_000_000 * 0.2 * 28 / 90)
    assert gmv.expected == pytest.approx(1_000_000 * 0.2 * 14 / 90)


def test_actuals_spec_from_the_plan(files: tuple[Path, Path]) -> None:
    plan_file, _ = files
    plan = load_plan(plan_file).plan
    assert plan is not None
    spec = actuals_spec(plan, encoding="gb18030")
    assert spec.date_column == "date"
    assert spec.dimensions == (("channel", "channel"),)
    assert sorted(spec.columns) == ["gmv", "orders", "spend", "uv"]
    assert (str(spec.keep_from), str(spec.keep_to)) == ("2024-01-01", "2025-12-31")
    assert spec.known_channels == frozenset({"douyin", "wecom"})
    assert spec.channel_dimension == "channel"
    assert spec.encoding == "gb18030"


def test_progress_bar_waits_about_a_second() -> None:
    bar = DelayedProgress()
    bar(10, 100)
    assert bar.progress is None  # a short read stays quiet
    bar.started -= 5
    bar(50, 100)
    assert bar.progress is not None
    bar.close()


EXAMPLE = ROOT / "plans" / "ecommerce-2025.yaml"


@pytest.mark.skipif(not EXAMPLE.exists(), reason="the example plan is not in this checkout")
def test_example_plan_shows_its_stories(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    status, plan = check_json(EXAMPLE.relative_to(ROOT), "--actuals", "plans/actuals/*.csv")
    assert status == 1
    alerts = {(a["rule"], a["window"]): a for a in plan["alerts"]}
    low_roi = alerts["low_roi", "2025-Q2"]
    assert low_roi["severity"] == "error"
    assert low_roi["value"] < 3 == low_roi["threshold"]
    assert low_roi["action"] == "缩减投放 (cut this channel's spend)"
    drop = alerts["traffic_drop", "2025-W26"]
    assert drop["severity"] == "warning"
    assert drop["value"] > 0.2
    assert drop["action"].startswith("启动")
    unmapped = by_id(plan["budget"], "line", "<unmapped>")
    assert unmapped["spent"] > 0
    # Only the planted alerts fire: no budget warnings, no ROI of a cost centre.
    assert sorted((a["rule"], a["group"].get("channel")) for a in plan["alerts"]) == [
        ("low_roi", "kuaishou"),
        ("traffic_drop", None),
    ]
    assert sorted(d["code"] for d in plan["diagnostics"]) == ["PA010", "PA011"]
    # Every budget line shows spend and what remains; the reserve is untouched.
    for row in plan["budget"]:
        if row["line"] != "<unmapped>":
            assert row["spent"] is not None, row
            assert row["remaining"] == pytest.approx(row["planned"] - row["spent"]), row
            assert row["status"] == "on_track", row
    reserve = by_id(plan["budget"], "line", "reserve")
    assert (reserve["spent"], reserve["remaining"]) == (0, reserve["planned"])
