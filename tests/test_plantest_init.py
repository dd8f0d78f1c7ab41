"""``promoplan init --tests PLAN``: starter tests that pass as written and guard their rules."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner, Result

from promoplan.cli import app
from promoplan.starter import STARTER_PLAN
from promoplan.yamlsafe import load_yaml

ROOT = Path(__file__).resolve().parents[1]
PLAN = ROOT / "plans" / "ecommerce-2025.yaml"


def invoke(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def status_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if re.match(r"(PASS|FAIL|ERROR) ", line)]


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "plans").mkdir()
    shutil.copy(PLAN, tmp_path / "plans")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def rule_ids(plan: Path) -> list[str]:
    return list(yaml.safe_load(plan.read_text(encoding="utf-8"))["alerts"])


def test_starter_tests_pass_as_written_and_fail_without_their_rule(workspace: Path) -> None:
    written = invoke("init", "--tests", "plans/ecommerce-2025.yaml")
    assert written.exit_code == 0, written.output
    tests = workspace / "plans" / "tests" / "ecommerce-2025.test.yaml"
    assert f"wrote {Path('plans/tests/ecommerce-2025.test.yaml')}" in written.stderr
    document = yaml.safe_load(tests.read_text(encoding="utf-8"))
    assert document["plan"] == "../ecommerce-2025.yaml"
    rules = rule_ids(workspace / "plans" / "ecommerce-2025.yaml")
    names = [case["name"] for case in document["tests"]]
    # one test that fires and one that stays quiet, per rule, in the plan's order
    assert [name.split(" ")[:2] for name in names] == [
        [rule, verdict] for rule in rules for verdict in ("fires:", "stays")
    ]
    for case in document["tests"]:
        assert case["rules"] == [case["name"].split(" ")[0]]
        fires = " fires: " in case["name"]
        assert bool(case["expect_alerts"]) == fires
        assert case["strict"] is True if fires else "strict" not in case

    passed = invoke("test", "plans/tests/")
    assert passed.exit_code == 0, passed.output
    assert status_lines(passed.stdout) == [f"PASS {name}" for name in names]

    plan_file = workspace / "plans" / "ecommerce-2025.yaml"
    original = load_yaml(plan_file.read_bytes(), str(plan_file)).data
    assert isinstance(original, dict)
    alerts = original["alerts"]
    assert isinstance(alerts, dict)
    for rule in rules:
        # JSON is YAML: the plan without the rule, everything else as it was.
        edited = {**original, "alerts": {k: v for k, v in alerts.items() if k != rule}}
        plan_file.write_text(json.dumps(edited, ensure_ascii=False), encoding="utf-8")
        result = invoke("test", "plans/tests/")
        assert result.exit_code == 1, result.output
        failed = [line[5:] for line in status_lines(result.stdout) if line.startswith("FAIL ")]
        assert failed == [name for name in names if name.startswith(f"{rule} ")], rule
        assert f"the plan has no alert rule {rule!r}" in result.stdout
        assert result.stdout.splitlines()[-1] == f"{len(names) - 2} passed, 2 failed"


def test_the_firing_fixture_crosses_the_threshold_by_a_quarter(workspace: Path) -> None:
    assert invoke("init", "--tests", "plans/ecommerce-2025.yaml", "t.test.yaml").exit_code == 0
    document = yaml.safe_load((workspace / "t.test.yaml").read_text(encoding="utf-8"))
    assert document["plan"] == "plans/ecommerce-2025.yaml"
    firing = {case["rules"][0]: case for case in document["tests"] if case["expect_alerts"]}
    # low_roi: below 1:3, so 1:2.25 rounded to the roundest number that still fires
    low_roi = firing["low_roi"]["expect_alerts"][0]
    assert low_roi["rule"] == "low_roi"
    assert low_roi["severity"] == "error"
    assert low_roi["window"] == "2025-Q2"
    assert 2.0 <= low_roi["value"] < 3.0
    header, row = firing["low_roi"]["rows"].splitlines()
    values = dict(zip(header.split(","), row.split(","), strict=True))
    assert float(values["gmv"]) / float(values["spend"]) == pytest.approx(low_roi["value"])
    assert float(values["spend"]) >= 10_000  # the rule's min: {spend: 1万}
    # traffic_drop: down more than 20% week on week
    drop = firing["traffic_drop"]["expect_alerts"][0]
    assert drop["window"] == "2025-W26"
    assert drop["value"] > 0.2


def test_init_tests_never_overwrites_a_file(workspace: Path) -> None:
    existing = workspace / "plans" / "tests" / "ecommerce-2025.test.yaml"
    existing.parent.mkdir()
    existing.write_bytes(b"# mine\n")
    result = invoke("init", "--tests", "plans/ecommerce-2025.yaml")
    assert result.exit_code == 2
    assert "already exists" in result.stderr
    assert existing.read_bytes() == b"# mine\n"
    other = workspace / "other.test.yaml"
    other.write_bytes(b"x")
    assert invoke("init", "--tests", "plans/ecommerce-2025.yaml", str(other)).exit_code == 2
    assert other.read_bytes() == b"x"


def test_the_example_plan_keeps_its_own_tests(monkeypatch: pytest.MonkeyPatch) -> None:
    """In the repository, init --tests refuses: plans/tests/ecommerce-2025.test.yaml exists."""
    monkeypatch.chdir(ROOT)
    before = (ROOT / "plans" / "tests" / "ecommerce-2025.test.yaml").read_bytes()
    assert invoke("init", "--tests", "plans/ecommerce-2025.yaml").exit_code == 2
    assert (ROOT / "plans" / "tests" / "ecommerce-2025.test.yaml").read_bytes() == before


def test_starter_plan_gets_passing_tests_and_a_note_for_an_unset_threshold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    text = STARTER_PLAN.replace("drop_over: 20%", "drop_over: X%")
    assert text != STARTER_PLAN
    Path("plan.yaml").write_text(text, encoding="utf-8")
    assert invoke("init", "--tests", "plan.yaml").exit_code == 0
    written = (tmp_path / "tests" / "plan.test.yaml").read_text(encoding="utf-8")
    assert "# traffic_drop: no starter tests (its threshold is not set yet)" in written
    result = invoke("test", "tests/")
    assert result.exit_code == 0, result.output
    assert len(status_lines(result.stdout)) == 2  # low_roi only


def test_a_plan_with_errors_gets_no_starter_tests(tmp_path: Path) -> None:
    result = invoke(
        "init", "--tests", str(ROOT / "plans" / "seed-2025.yaml"), str(tmp_path / "t.test.yaml")
    )
    assert result.exit_code == 2
    assert "has errors" in result.stderr
    assert not (tmp_path / "t.test.yaml").exists()


def test_init_without_tests_still_writes_a_plan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert invoke("init").exit_code == 0
    assert Path("plan.yaml").read_text(encoding="utf-8") == STARTER_PLAN


WEEKLY = """promoplan: 1
name: weekly
period: 2025
currency: USD
actuals: {date: week, grain: weekly}
metrics:
  revenue: {column: revenue, unit: currency}
alerts:
  rev_drop: {metric: revenue, window: week, drop_over: 10%, action: look}
  rev_low: {metric: revenue, window: week, below: 1000, action: look}
"""

UNPIVOTED = """promoplan: 1
name: unpivoted
period: 2019
currency: USD
actuals:
  date: DATE
  grain: weekly
  unpivot: {dimension: channel, measures: {spend: "{channel}_S"}}
metrics:
  spend: {column: spend, unit: currency}
  revenue: {column: revenue, unit: currency}
  roi: {formula: revenue / spend, unit: ratio}
budget: {total: 20M, lines: {offline: 60%, online: 40%}}
channels: {tv: offline, search: online}
alerts:
  big_spend: {metric: spend, by: channel, window: quarter, above: 1M, action: review}
  low_roi: {metric: roi, window: quarter, below: 3, action: review}
"""

LONG = """promoplan: 1
name: 长表
period: 2025
currency: CNY
actuals:
  date: 周
  grain: weekly
  layout: long
  metric_column: 指标
  value_column: 数值
  dimensions: {channel: 渠道}
metrics:
  gmv: {column: GMV, unit: currency}
  spend: {column: 花费, unit: currency}
  roi: {formula: gmv / spend, unit: ratio}
alerts:
  low_roi: {metric: roi, by: channel, window: quarter, below: "1:3.8", action: 缩减}
"""

# (plan text, row dates every test's rows must hold, header of the rows,
#  (threshold as written, moved the wrong way): the firing tests stop firing)
LAYOUTS = {
    "weekly": (
        WEEKLY,
        {"2025-06-16", "2025-06-23"},  # Mondays: the week_start
        "week,revenue",
        [("drop_over: 10%", "drop_over: 90%"), ("below: 1000", "below: 10")],
    ),
    "weekly from sunday": (
        WEEKLY.replace("grain: weekly}", "grain: weekly, week_start: sunday}"),
        {"2025-06-15", "2025-06-22"},  # Sundays
        "week,revenue",
        [("drop_over: 10%", "drop_over: 90%"), ("below: 1000", "below: 10")],
    ),
    "monthly": (
        WEEKLY.replace("weekly", "monthly").replace("window: week", "window: month"),
        {"2025-05-01", "2025-06-01"},  # the first of the month
        "week,revenue",
        [("drop_over: 10%", "drop_over: 90%"), ("below: 1000", "below: 10")],
    ),
    "unpivoted": (
        UNPIVOTED,
        {"2019-06-17", "2019-06-24"},
        ("DATE,tv_S", "DATE,tv_S,revenue"),  # the column of the channel, not "spend"
        [("above: 1M", "above: 100M"), ("below: 3", "below: 1")],
    ),
    "long": (
        LONG,
        {"2025-06-23"},
        "周,渠道,指标,数值",  # a row per metric: date, dimensions, metric name, value
        [('below: "1:3.8"', 'below: "1:1"')],
    ),
}


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_starter_tests_follow_the_plans_grain_and_layout(
    layout: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text, dates, header, moves = LAYOUTS[layout]
    monkeypatch.chdir(tmp_path)
    plan = tmp_path / "plan.yaml"
    plan.write_text(text, encoding="utf-8")
    written = invoke("init", "--tests", "plan.yaml", "plan.test.yaml")
    assert written.exit_code == 0, written.output
    tests = (tmp_path / "plan.test.yaml").read_text(encoding="utf-8")
    assert "no starter tests" not in tests
    document = yaml.safe_load(tests)
    names = [case["name"] for case in document["tests"]]
    rules = rule_ids(plan)
    assert [name.split(" ")[:2] for name in names] == [
        [rule, verdict] for rule in rules for verdict in ("fires:", "stays")
    ]
    for case in document["tests"]:
        first, *rows = case["rows"].splitlines()
        assert first in ((header,) if isinstance(header, str) else header)
        assert {row.split(",")[0] for row in rows} <= dates
        # one row per date (per metric, in a long table): what weekly rows require
        keys = [tuple(row.split(",")[:-1]) if layout == "long" else row[:10] for row in rows]
        assert len(keys) == len(set(keys))

    passed = invoke("test", "plan.test.yaml")
    assert passed.exit_code == 0, passed.output
    assert status_lines(passed.stdout) == [f"PASS {name}" for name in names]

    for (before, after), rule in zip(moves, rules, strict=True):
        assert before in text
        plan.write_text(text.replace(before, after), encoding="utf-8")
        result = invoke("test", "plan.test.yaml")
        assert result.exit_code == 1, result.output
        failed = [line[5:] for line in status_lines(result.stdout) if line.startswith("FAIL ")]
        assert failed == [name for name in names if name.startswith(f"{rule} fires:")], rule


def test_a_rule_no_whole_row_serves_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("plan.yaml").write_text(
        WEEKLY.replace("weekly", "monthly").replace(
            "rev_low: {metric: revenue, window: week", "rev_low: {metric: revenue, window: month"
        ),
        encoding="utf-8",
    )
    assert invoke("init", "--tests", "plan.yaml", "t.test.yaml").exit_code == 0
    written = Path("t.test.yaml").read_text(encoding="utf-8")
    assert (
        "# rev_drop: no starter tests (its 2025-W26 window holds no whole monthly row)" in written
    )
    assert "rev_low fires:" in written
