"""``--format sarif``: a SARIF 2.1.0 log that the official schema accepts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builders import PLAN_FILE as PLAN
from builders import alert, drop_alert, plan_result, shares_diagnostic
from clirunner import Cli
from profiles import scaled
from promoplan import __version__
from promoplan.diagnostics import CODES, Diagnostic, diagnostic
from promoplan.render import RenderOptions
from promoplan.render.sarif import artifact_uri, render_sarif
from promoplan.result import Run
from promoplan.starter import STARTER_PLAN

SARIF_SCHEMA = (
    Path(__file__).resolve().parents[2] / "shared" / "reference" / "sarif-schema-2.1.0.json"
)


@pytest.fixture(scope="module")
def validator() -> Any:
    if not SARIF_SCHEMA.is_file():
        pytest.skip(
            f"the official SARIF schema is not at {SARIF_SCHEMA} (../shared beside the checkout)"
        )

    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def sample_run() -> Run:
    diags = (
        shares_diagnostic(hint="add the missing 10%"),
        diagnostic("PP120", "target not set", file=PLAN, line=12, column=5),
        diagnostic("PA012", "rows outside the period", file="data/2025 销售.csv", line=7),
        diagnostic("PP003", "the plan is empty", file=PLAN),
    )
    low_roi = {"label": "ROI below 1:3", "action": "缩减投放"}
    alerts = (
        alert(**low_roi),
        alert("douyin", value=2.9, **low_roi),
        drop_alert(severity="info", value=float("nan"), window="2025-Q2", action=None),
    )
    return Run("check", (plan_result(diagnostics=diags, alerts=alerts),))


def test_the_log_validates_against_the_official_schema(validator: Any) -> None:
    log = json.loads(render_sarif(sample_run(), RenderOptions()))
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def test_an_empty_run_validates_too(validator: Any) -> None:
    log = json.loads(render_sarif(Run("validate", (plan_result(),)), RenderOptions()))
    validator.validate(log)
    assert log["runs"][0]["results"] == []


def test_driver_describes_every_diagnostic_code_offline() -> None:
    log = json.loads(render_sarif(Run("validate", ()), RenderOptions()))
    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-2.1.0.json")
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "promoplan"
    assert driver["version"] == __version__
    assert "informationUri" not in driver
    assert [rule["id"] for rule in driver["rules"]] == list(CODES)
    for rule in driver["rules"]:
        assert rule["shortDescription"]["text"] == CODES[rule["id"]][1]
        assert rule["help"]["text"]
        assert rule["help"]["text"] != rule["shortDescription"]["text"]
        assert "helpUri" not in rule
    assert "http" not in json.dumps(driver)


def test_results_carry_rule_level_message_and_location() -> None:
    log = json.loads(render_sarif(sample_run(), RenderOptions()))
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    first = results[0]
    assert first["ruleId"] == "PP101"
    assert rules[first["ruleIndex"]]["id"] == "PP101"
    assert first["level"] == "error"
    assert (
        first["message"]["text"]
        == "budget shares sum to 90%, not 100% (budget.lines)\nadd the missing 10%"
    )
    assert first["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": PLAN},
        "region": {"startLine": 41, "startColumn": 3},
    }
    assert results[1]["level"] == "warning"
    assert results[2]["level"] == "note"
    assert results[2]["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "data/2025%20%E9%94%80%E5%94%AE.csv"},
        "region": {"startLine": 7},
    }
    # Without a line, the result sits on line 1 so that code scanning can show it.
    assert results[3]["locations"][0]["physicalLocation"]["region"] == {"startLine": 1}


def test_alerts_get_one_rule_each_and_a_result_per_group() -> None:
    log = json.loads(render_sarif(sample_run(), RenderOptions()))
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules[len(CODES) :]] == ["alert/low_roi", "alert/traffic_drop"]
    assert rules[len(CODES)]["help"]["text"] == "Action: 缩减投放"
    alerts = [r for r in run["results"] if r["ruleId"].startswith("alert/")]
    assert [(a["ruleId"], a["level"]) for a in alerts] == [
        ("alert/low_roi", "error"),
        ("alert/low_roi", "error"),
        ("alert/traffic_drop", "note"),
    ]
    assert alerts[0]["message"]["text"] == (
        "roi 1:2.4 below 1:3 (channel=kuaishou, 2025-Q2); action: 缩减投放"
    )
    assert alerts[0]["properties"]["group"] == {"channel": "kuaishou"}
    assert alerts[2]["properties"]["value"] is None  # NaN never reaches the JSON


def test_uris_are_relative_references() -> None:
    assert artifact_uri("plans/a b#c?.yaml") == "plans/a%20b%23c%3F.yaml"
    assert artifact_uri(str(Path.cwd() / "plans" / "x.yaml")) == "plans/x.yaml"


@settings(max_examples=scaled(40))
@given(message=st.text(), file=st.text(min_size=1, max_size=30))
def test_any_text_gives_a_valid_log(validator: Any, message: str, file: str) -> None:
    diags = (Diagnostic("PP101", "error", message, file=file, line=2, column=1),)
    text = render_sarif(Run("validate", (plan_result(diagnostics=diags),)), RenderOptions())
    text.encode("utf-8")
    validator.validate(json.loads(text))


def test_validate_cli_writes_sarif(cli: Cli, validator: Any, tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(STARTER_PLAN.replace("reserve:     10%", "reserve:     5%"), encoding="utf-8")
    result = cli("validate", plan, "-f", "sarif")
    assert result.exit_code == 1
    log = json.loads(result.stdout)
    validator.validate(log)
    (found,) = log["runs"][0]["results"]
    assert found["ruleId"] == "PP101"
    assert found["locations"][0]["physicalLocation"]["region"]["startLine"] > 1


ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = Path("plans") / "ecommerce-2025.yaml"


@pytest.mark.skipif(not (ROOT / EXAMPLE).exists(), reason="the example plan is not here")
def test_alerts_are_located_at_their_rule(
    cli: Cli, validator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    args = ["check", str(EXAMPLE), "--actuals", "plans/actuals/*.csv", "-f", "sarif"]
    log = json.loads(cli(*args).stdout)
    validator.validate(log)
    (low_roi,) = [r for r in log["runs"][0]["results"] if r["ruleId"] == "alert/low_roi"]
    lines = (ROOT / EXAMPLE).read_text(encoding="utf-8").splitlines()
    line = lines.index("  low_roi:", lines.index("alerts:")) + 1
    location = low_roi["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == EXAMPLE.as_posix()
    assert location["region"] == {"startLine": line, "startColumn": 3}


@pytest.mark.skipif(not (ROOT / EXAMPLE).exists(), reason="the example plan is not here")
def test_missed_goals_are_results_on_their_goal(
    cli: Cli, validator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At the year's end the example's goals that fell short are errors: one result each,
    on the goal's key, and the results' levels add up to the check's counts."""
    monkeypatch.chdir(ROOT)
    args = [str(EXAMPLE), "--actuals", "plans/actuals/*.csv", "--as-of", "2025-12-31"]
    plan = json.loads(cli("check", *args, "-f", "json").stdout)["plans"][0]
    log = json.loads(cli("check", *args, "-f", "sarif").stdout)
    validator.validate(log)
    run = log["runs"][0]
    results = run["results"]
    levels = {level: sum(r["level"] == level for r in results) for level in ("error", "warning")}
    assert levels == {"error": plan["counts"]["error"], "warning": plan["counts"]["warning"]}
    lines = (ROOT / EXAMPLE).read_text(encoding="utf-8").splitlines()
    goals = lines.index("goals:")
    missed = [g for g in plan["goals"] if g["status"] == "missed" and g["scope"] == "period"]
    assert missed
    rules = run["tool"]["driver"]["rules"]
    for goal in missed:
        (result,) = [r for r in results if r["ruleId"] == f"goal/{goal['id']}"]
        assert result["level"] == "error"
        assert rules[result["ruleIndex"]]["id"] == f"goal/{goal['id']}"
        line = next(
            n
            for n, text in enumerate(lines[goals:], goals + 1)
            if text.startswith(f"  {goal['id']}:")
        )
        assert result["locations"][0]["physicalLocation"]["region"] == {
            "startLine": line,
            "startColumn": 3,
        }
        assert result["properties"]["actual"] == pytest.approx(goal["actual"], rel=1e-9)
        assert result["properties"]["target"] == pytest.approx(goal["target"], rel=1e-9)
