"""``--format junit``: a testsuite per plan, a testcase per check, counts that CI systems trust."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from junitparser import Failure, JUnitXml, TestSuite

from builders import PLAN_FILE as PLAN
from builders import alert, drop_alert, goal, plan_result, shares_diagnostic
from clirunner import Cli
from profiles import scaled
from promoplan.diagnostics import CODES, Diagnostic, diagnostic
from promoplan.render import RenderOptions
from promoplan.render.junit import render_junit
from promoplan.result import Run
from promoplan.starter import STARTER_PLAN

SEMANTIC = [c for c in CODES if c.startswith("PP1")]
ACTUALS = [c for c in CODES if c.startswith("PA")]


def suites(xml: str) -> list[TestSuite]:
    """Parse with junitparser and check that the written counts match what the cases hold."""
    document = JUnitXml.fromstring(xml)
    found = list(document)
    for suite in found:
        written = (suite.tests, suite.failures, suite.errors)
        suite.update_statistics()  # type: ignore[no-untyped-call]  # junitparser is unannotated
        assert written == (suite.tests, suite.failures, suite.errors), suite.name
    root = ET.fromstring(xml)
    assert int(root.get("tests", "-1")) == sum(s.tests for s in found)
    assert int(root.get("failures", "-1")) == sum(s.failures for s in found)
    return found


def case_names(suite: TestSuite) -> list[str]:
    return [case.name for case in suite]


def test_clean_plan_passes_every_check_that_ran() -> None:
    xml = render_junit(Run("validate", (plan_result(),)), RenderOptions())
    (suite,) = suites(xml)
    assert suite.name == PLAN
    assert case_names(suite) == ["schema", *SEMANTIC]
    assert (suite.tests, suite.failures, suite.errors) == (1 + len(SEMANTIC), 0, 0)
    assert all(case.is_passed for case in suite)


def test_each_error_is_one_failing_testcase_and_warnings_are_shown() -> None:
    diags = (
        shares_diagnostic(hint="add the missing 10%"),
        diagnostic(
            "PP104",
            "channel 'douyin' maps to unknown line 'trafic'",
            file=PLAN,
            line=50,
            column=11,
            path="channels.douyin",
        ),
        diagnostic(
            "PP104",
            "channel 'kuaishou' maps to unknown line 'trafic'",
            file=PLAN,
            line=51,
            column=13,
            path="channels.kuaishou",
        ),
        diagnostic(
            "PP120",
            "target not set (X万)",
            file=PLAN,
            line=12,
            column=5,
            path="goals.new_users.at_least",
        ),
    )
    xml = render_junit(Run("validate", (plan_result(diagnostics=diags),)), RenderOptions())
    (suite,) = suites(xml)
    assert (suite.tests, suite.failures, suite.errors) == (1 + len(SEMANTIC) + 1, 3, 0)
    by_name = {case.name: case for case in suite}
    pp101 = by_name[f"PP101 budget.lines ({PLAN}:41:3)"]
    (failure,) = pp101.result
    assert isinstance(failure, Failure)
    assert failure.type == "PP101"
    assert failure.message == "budget shares sum to 90%, not 100%"
    assert failure.text == (
        f"{PLAN}:41:3: error PP101 budget shares sum to 90%, not 100% (budget.lines)\n"
        "add the missing 10%"
    )
    assert sum(name.startswith("PP104 ") for name in by_name) == 2
    warning = by_name[f"PP120 goals.new_users.at_least ({PLAN}:12:5) [warning]"]
    assert warning.is_passed
    assert "target not set (X万)" in warning.system_out
    assert by_name["PP112"].is_passed


def test_a_plan_that_failed_its_schema_lists_only_the_schema_findings() -> None:
    diags = (
        diagnostic(
            "PP001",
            "YAML syntax error: mapping values are not allowed here",
            file=PLAN,
            line=3,
            column=9,
        ),
    )
    xml = render_junit(Run("check", (plan_result(diagnostics=diags),)), RenderOptions())
    (suite,) = suites(xml)
    assert case_names(suite) == [f"schema PP001 ({PLAN}:3:9)"]
    assert (suite.tests, suite.failures) == (1, 1)


def test_check_run_adds_actuals_checks_goals_and_alerts() -> None:
    diags = (
        diagnostic(
            "PA003",
            'column "spend": "12,3a" is not a number',
            file="data/a.csv",
            line=1203,
            column=4,
        ),
        diagnostic("PA011", "channel 'bilibili' is not mapped", file="data/a.csv"),
    )
    alerts = (
        alert(action="缩减投放"),
        drop_alert(window="2025-W23", action=None),
    )
    goals = (
        goal(),
        goal(
            id="nps",
            metric="nps",
            kind="level",
            unit="number",
            target=45.0,
            actual=47.0,
            status="met",
            progress=1.04,
            baseline=None,
            expected=45.0,
        ),
    )
    run = Run("check", (plan_result(diagnostics=diags, alerts=alerts, goals=goals),))
    (suite,) = suites(render_junit(run, RenderOptions()))
    names = case_names(suite)
    assert names[: 1 + len(SEMANTIC)] == ["schema", *SEMANTIC]
    assert "PA003 (data/a.csv:1203:4)" in names
    assert "PA011 [warning]" in names
    assert "PA020" in names
    assert names[-4:] == [
        "goal gmv_growth [at_risk]",
        "goal nps [met]",
        "alert low_roi channel=kuaishou 2025-Q2",
        "alert traffic_drop 2025-W23 [warning]",
    ]
    assert suite.failures == 2  # PA003 and the error alert
    assert suite.tests == 1 + len(SEMANTIC) + len(ACTUALS) + 2 + 2
    by_name = {case.name: case for case in suite}
    (failure,) = by_name["alert low_roi channel=kuaishou 2025-Q2"].result
    assert failure.message == "roi 1:2.4 below 1:3 (channel=kuaishou, 2025-Q2); action: 缩减投放"
    assert "at_risk" in by_name["goal gmv_growth [at_risk]"].system_out
    assert by_name["goal gmv_growth [at_risk]"].system_out == (
        "gmv_growth (gmv, period): at_risk; at_least +30%, actual +28%, progress 93%"
    )


def test_one_suite_per_plan_with_totals() -> None:
    bad = plan_result(file="plans/b.yaml", diagnostics=(diagnostic("PP112", "weights sum to 90%"),))
    run = Run("validate", (plan_result(file="plans/a.yaml"), bad))
    xml = render_junit(run, RenderOptions())
    found = suites(xml)
    assert [s.name for s in found] == ["plans/a.yaml", "plans/b.yaml"]
    assert [s.failures for s in found] == [0, 1]
    root = ET.fromstring(xml)
    assert root.get("failures") == "1"


def test_untrusted_text_is_escaped_by_the_library() -> None:
    nasty = "a<b>&\"c'\x1b[31m\x00\ufffe]]>"
    diags = (Diagnostic("PP003", "error", f"unknown key {nasty}", file=nasty, path=nasty),)
    xml = render_junit(
        Run("validate", (plan_result(file=nasty, diagnostics=diags),)), RenderOptions()
    )
    (suite,) = suites(xml)
    assert suite.name == "a<b>&\"c'\\u001b[31m\\u0000\\ufffe]]>"
    (case,) = list(suite)
    (failure,) = case.result
    assert failure.message.startswith("unknown key a<b>&")


@settings(max_examples=scaled(60))
@given(message=st.text(), path=st.text(max_size=20), file=st.text(min_size=1, max_size=20))
def test_any_text_gives_well_formed_xml(message: str, path: str, file: str) -> None:
    diags = (Diagnostic("PP101", "error", message, file=file, line=1, column=1, path=path or None),)
    xml = render_junit(
        Run("validate", (plan_result(file=file, diagnostics=diags),)), RenderOptions()
    )
    xml.encode("utf-8")
    (suite,) = suites(xml)
    assert suite.failures == 1


def test_validate_cli_writes_junit(cli: Cli, tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(STARTER_PLAN.replace("reserve:     10%", "reserve:     5%"), encoding="utf-8")
    clean = tmp_path / "clean.yaml"
    clean.write_text(STARTER_PLAN, encoding="utf-8")
    report = tmp_path / "report.xml"
    result = cli("validate", clean, plan, "-f", "junit", "-o", report)
    assert result.exit_code == 1
    found = suites(report.read_text(encoding="utf-8"))
    assert [(s.name, s.failures) for s in found] == [(str(clean), 0), (str(plan), 1)]


ROOT = Path(__file__).resolve().parents[1]


def test_a_missed_goal_is_a_failing_testcase(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """At the year's end the example's goals that fell short are errors: each is one failing
    testcase, so the failures are the check's errors; a missed quarter is a warning."""
    monkeypatch.chdir(ROOT)
    args = [
        "plans/ecommerce-2025.yaml",
        "--actuals",
        "plans/actuals/*.csv",
        "--as-of",
        "2025-12-31",
    ]
    plan = json.loads(cli("check", *args, "-f", "json").stdout)["plans"][0]
    (suite,) = suites(cli("check", *args, "-f", "junit").stdout)
    failed = {case.name: case for case in suite if any(isinstance(r, Failure) for r in case.result)}
    assert len(failed) == plan["counts"]["error"]
    for standing in plan["goals"]:
        if standing["status"] != "missed":
            assert f"goal {standing['id']} [{standing['status']}]" not in failed
        elif standing["scope"] == "period":
            (failure,) = failed[f"goal {standing['id']} [missed]"].result
            assert isinstance(failure, Failure)
            assert failure.type == f"goal:{standing['id']}"
            assert failure.message.startswith(
                f"{standing['id']} ({standing['metric']}, period): missed;"
            )


def test_a_missed_quarter_is_a_warning_and_fails_nothing() -> None:
    missed = goal(id="Q1.gmv", scope="Q1", status="missed", severity="warning", line=9, column=5)
    run = Run(command="check", plans=(plan_result(goals=(missed,)),))
    (suite,) = suites(render_junit(run, RenderOptions()))
    (case,) = [case for case in suite if case.name.startswith("goal ")]
    assert case.name == "goal Q1.gmv [missed] [warning]"
    assert not any(isinstance(r, Failure) for r in case.result)
    assert "Q1.gmv (gmv, Q1): missed; at_least +30%" in (case.system_out or "")
