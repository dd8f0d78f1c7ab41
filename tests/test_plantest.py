"""``promoplan test``: the example plan's tests pass, and tests fail when they should.

The acceptance runs go through the real CLI on a copy of ``plans/`` in a
temporary directory, so a test can edit the plan (the low_roi floor from 1:3
to 1:2) or add broken test files without touching the repository.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner, Result

from promoplan.cli import app
from promoplan.plantest.compare import close

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_TESTS = ROOT / "plans" / "tests" / "ecommerce-2025.test.yaml"
KUAISHOU_TEST = "kuaishou ROI 1:2.2 in Q2 trips low_roi"


def invoke(*args: str) -> Result:
    """Run ``promoplan test ARGS`` (or another command when the first argument names one)."""
    command = list(args) if args and args[0] in ("init", "validate") else ["test", *args]
    return CliRunner().invoke(app, command)


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the example plan and its tests, as the working directory."""
    plans = tmp_path / "plans"
    plans.mkdir()
    shutil.copy(ROOT / "plans" / "ecommerce-2025.yaml", plans)
    shutil.copytree(ROOT / "plans" / "tests", plans / "tests")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def names_in(path: Path) -> list[str]:
    """The test names of a test file, read with plain PyYAML."""
    return [case["name"] for case in yaml.safe_load(path.read_text(encoding="utf-8"))["tests"]]


def write_tests(directory: Path, text: str, name: str = "extra.test.yaml") -> Path:
    """A test file in plans/tests/ of the workspace; ``text`` starts below ``tests:``."""
    path = directory / "plans" / "tests" / name
    head = "promoplan_test: 1\nplan: ../ecommerce-2025.yaml\ntests:\n"
    path.write_text(head + text, encoding="utf-8")
    return path


def status_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if re.match(r"(PASS|FAIL|ERROR) ", line)]


# --- acceptance ------------------------------------------------------------------------


def test_the_example_plan_passes_its_tests(monkeypatch: pytest.MonkeyPatch) -> None:
    """What CI runs: ``promoplan test plans/tests/`` from the repository root."""
    monkeypatch.chdir(ROOT)
    result = invoke("plans/tests/")
    assert result.exit_code == 0, result.output
    names = names_in(EXAMPLE_TESTS)
    assert len(names) >= 8
    assert status_lines(result.stdout) == [f"PASS {name}" for name in names]
    assert result.stdout.splitlines()[-1] == f"{len(names)} passed, 0 failed"


def test_a_floor_of_1_2_fails_exactly_the_kuaishou_test(workspace: Path) -> None:
    plan = workspace / "plans" / "ecommerce-2025.yaml"
    text = plan.read_text(encoding="utf-8")
    assert text.count('below: "1:3"') == 1
    plan.write_text(text.replace('below: "1:3"', 'below: "1:2"'), encoding="utf-8")
    result = invoke("plans/tests/")
    assert result.exit_code == 1, result.output
    names = names_in(workspace / "plans" / "tests" / "ecommerce-2025.test.yaml")
    failed = [line for line in status_lines(result.stdout) if not line.startswith("PASS")]
    assert failed == [f"FAIL {KUAISHOU_TEST}"]
    block = result.stdout.split(f"FAIL {KUAISHOU_TEST}\n", 1)[1]
    # expected: the alert at 1:2.2; actual: the rule now sees 1:2.2 and it is not below 1:2
    assert "missing  low_roi [channel=kuaishou] 2025-Q2 error value 1:2.2" in block
    assert "not firing: low_roi [channel=kuaishou] 2025-Q2: roi 1:2.2, not below 1:2" in block
    assert "missing: 1, unexpected: 0" in block
    assert result.stdout.splitlines()[-1] == f"{len(names) - 1} passed, 1 failed"
    # The README shows this very output.
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = readme.split("the kuaishou test fails (exit 1):\n\n```text\n", 1)[1].split("```")[0]
    assert result.stdout == shown


def test_an_expected_group_of_another_dimension_says_what_the_rule_splits_by(
    workspace: Path,
) -> None:
    write_tests(
        workspace,
        """\
  - name: misspelt dimension
    actuals: [fixtures/kuaishou-roi-2.2.csv]
    as_of: 2025-06-29
    period: Q2
    rules: [low_roi]
    expect_alerts:
      - {rule: low_roi, group: {chanel: kuaishou}}
  - name: a group for a rule without by
    rows: |
      date,uv
      2025-06-18,10000
      2025-06-25,7000
    as_of: 2025-06-29
    rules: [traffic_drop]
    expect_alerts:
      - {rule: traffic_drop, group: {channel: douyin}}
""",
    )
    result = invoke("plans/tests/extra.test.yaml")
    assert result.exit_code == 1, result.output
    assert "not firing: low_roi: the rule is split by channel, not chanel" in result.stdout
    assert "not firing: traffic_drop: the rule has no by, so its alert has no group" in (
        result.stdout
    )


def test_a_wrong_expected_value_fails_with_both_values(workspace: Path) -> None:
    write_tests(
        workspace,
        """\
  - name: wrong value
    actuals: [fixtures/kuaishou-roi-2.2.csv]
    as_of: 2025-06-29
    rules: [low_roi]
    expect_alerts:
      - {rule: low_roi, group: {channel: kuaishou}, value: 2.3}
""",
    )
    result = invoke("plans/tests/extra.test.yaml")
    assert result.exit_code == 1
    assert status_lines(result.stdout) == ["FAIL wrong value"]
    assert "value 1:2.3" in result.stdout  # expected
    assert "roi 1:2.2 below 1:3" in result.stdout  # actual: 44,000 / 20,000
    assert "(differs in: value)" in result.stdout
    assert result.stdout.splitlines()[-1] == "0 passed, 1 failed"


@pytest.mark.parametrize(
    ("field", "wrong"),
    [("window", "2025-Q1"), ("severity", "warning"), ("group", "{channel: douyin}")],
)
def test_every_named_field_must_match(workspace: Path, field: str, wrong: str) -> None:
    write_tests(
        workspace,
        f"""\
  - name: wrong {field}
    actuals: [fixtures/kuaishou-roi-2.2.csv]
    as_of: 2025-06-29
    rules: [low_roi]
    expect_alerts:
      - {{rule: low_roi, {field}: {wrong}}}
""",
    )
    result = invoke("plans/tests/extra.test.yaml")
    assert result.exit_code == 1, result.output
    assert status_lines(result.stdout) == [f"FAIL wrong {field}"]


def test_an_empty_expect_alerts_fails_when_the_rule_fires(workspace: Path) -> None:
    write_tests(
        workspace,
        """\
  - name: nothing may fire
    actuals: [fixtures/kuaishou-roi-2.2.csv]
    as_of: 2025-06-29
    rules: [low_roi]
    expect_alerts: []
""",
    )
    result = invoke("plans/tests/extra.test.yaml")
    assert result.exit_code == 1
    assert status_lines(result.stdout) == ["FAIL nothing may fire"]
    assert re.search(r"unexpected +- +low_roi \[channel=kuaishou\] 2025-Q2 error", result.stdout)
    assert "missing: 0, unexpected: 1" in result.stdout


def test_strict_fails_on_another_alert_of_the_rule_and_lax_does_not(workspace: Path) -> None:
    rows = """\
    rows: |
      date,channel,gmv,spend
      2025-05-01,kuaishou,22000,10000
      2025-05-01,douyin,25000,10000
    as_of: 2025-06-29
    rules: [low_roi]
"""
    write_tests(
        workspace,
        f"""\
  - name: lax
{rows}    expect_alerts: [{{group: {{channel: kuaishou}}}}]
  - name: strict
{rows}    strict: true
    expect_alerts: [{{group: {{channel: kuaishou}}}}]
""",
    )
    result = invoke("plans/tests/extra.test.yaml")
    assert result.exit_code == 1
    assert status_lines(result.stdout) == ["PASS lax", "FAIL strict"]
    assert re.search(
        r"unexpected +- +low_roi \[channel=douyin\] 2025-Q2 error roi 1:2.5", result.stdout
    )


def test_numbers_compare_within_the_tolerance(workspace: Path) -> None:
    base = """\
    actuals: [fixtures/kuaishou-roi-2.2.csv]
    as_of: 2025-06-29
    rules: [low_roi]
"""
    write_tests(
        workspace,
        f"""\
  - name: within the default 1e-9
{base}    expect_alerts: [{{group: {{channel: kuaishou}}, value: 2.200000000001}}]
  - name: outside the default
{base}    expect_alerts: [{{group: {{channel: kuaishou}}, value: 2.2001}}]
  - name: within a test's own tolerance
{base}    tolerance: 1e-3
    expect_alerts: [{{group: {{channel: kuaishou}}, value: 2.2001}}]
""",
    )
    result = invoke("plans/tests/extra.test.yaml")
    assert status_lines(result.stdout) == [
        "PASS within the default 1e-9",
        "FAIL outside the default",
        "PASS within a test's own tolerance",
    ]
    # Both print as 1:2.2, so every digit is shown.
    assert "(value 2.2001)" in result.stdout
    assert "(value 2.2)" in result.stdout


def test_two_expectations_find_two_alerts_in_any_order(workspace: Path) -> None:
    """A greedy match would give the vague expectation the kuaishou alert and then fail."""
    rows = """\
    rows: |
      date,channel,gmv,spend
      2025-05-01,douyin,25000,10000
      2025-05-01,kuaishou,22000,10000
    as_of: 2025-06-29
    rules: [low_roi]
    strict: true
"""
    write_tests(
        workspace,
        f"""\
  - name: vague first
{rows}    expect_alerts: [{{rule: low_roi}}, {{group: {{channel: kuaishou}}}}]
  - name: vague last
{rows}    expect_alerts: [{{group: {{channel: douyin}}}}, {{rule: low_roi}}]
""",
    )
    result = invoke("plans/tests/extra.test.yaml")
    assert result.exit_code == 0, result.output
    assert status_lines(result.stdout) == ["PASS vague first", "PASS vague last"]


def test_goal_and_budget_values_show_expected_and_actual(workspace: Path) -> None:
    write_tests(
        workspace,
        """\
  - name: wrong standing
    actuals: [fixtures/mid-year.csv]
    as_of: 2025-06-30
    expect_goals: {gmv_growth: {status: met, actual: 30%}, conversion: at_risk}
    expect_budget: {traffic.public: {spent: 500万}}
""",
    )
    result = invoke("plans/tests/extra.test.yaml")
    assert result.exit_code == 1
    # 1,280,000 / 1,000,000 - 1 = +28%; spent 6,000,000 = 600万
    assert re.search(r"goal gmv_growth status +met +at_risk", result.stdout)
    assert re.search(r"goal gmv_growth actual +\+30% +\+28%", result.stdout)
    assert re.search(r"budget traffic.public spent +¥500万 +¥600万", result.stdout)
    assert "conversion" not in result.stdout.split("wrong standing", 1)[1]  # it matched


def test_unknown_rules_goals_and_lines_fail_the_test(workspace: Path) -> None:
    write_tests(
        workspace,
        """\
  - name: names that are not in the plan
    actuals: [fixtures/mid-year.csv]
    as_of: 2025-06-30
    rules: [low_rio]
    expect_alerts: []
    expect_goals: {gmv_grwoth: met}
    expect_budget: {traffic.pubic: on_track}
""",
    )
    result = invoke("plans/tests/extra.test.yaml")
    assert result.exit_code == 1
    assert "the plan has no alert rule 'low_rio'; did you mean 'low_roi'?" in result.stdout
    assert "the plan has no goal 'gmv_grwoth'; did you mean 'gmv_growth'?" in result.stdout
    assert "the budget has no line 'traffic.pubic'; did you mean 'traffic.public'?" in result.stdout


def test_a_plan_with_errors_fails_its_tests(workspace: Path) -> None:
    plan = workspace / "plans" / "ecommerce-2025.yaml"
    plan.write_text(
        plan.read_text(encoding="utf-8").replace(
            "reserve:     {share: 15%", "reserve:     {share: 5%"
        ),
        encoding="utf-8",
    )
    result = invoke("plans/tests/")
    assert result.exit_code == 1
    assert "error PP101 budget shares sum to 90%, not 100%" in result.stdout
    assert all(line.startswith("FAIL ") for line in status_lines(result.stdout))
    assert "fix the plan before testing its rules" in result.stdout


# --- broken test files -----------------------------------------------------------------

BROKEN = {
    # name: (text below `tests:`, the diagnostic line expected in the output)
    "syntax": ("  - name: [unclosed\n", ":5:1: error PP001 "),
    "unknown key": (
        "  - name: x\n    actuals: [fixtures/mid-year.csv]\n    expect_goals: {nps: met}\n"
        "    expect_alert: []\n",
        ":7:5: error PP003 unknown key 'expect_alert' in tests[0]; did you mean 'expect_alerts'?",
    ),
    "no expectation": (
        "  - name: x\n    actuals: [fixtures/mid-year.csv]\n",
        ":4:5: error PP003 a test needs something to check",
    ),
    "no rule compared": (
        "  - name: x\n    actuals: [fixtures/mid-year.csv]\n    rules: []\n    expect_alerts: []\n",
        ":4:5: error PP003 rules: [] compares no rule's alerts, so the test checks nothing",
    ),
    "bad date": (
        "  - name: x\n    rows: 'date\\n'\n    as_of: 2025-02-30\n    expect_alerts: []\n",
        ":6:12: error PP003 expected a date like 2025-01-31, got '2025-02-30'",
    ),
    "placeholder": (
        "  - name: x\n    rows: 'date\\n'\n    expect_alerts: [{value: X万}]\n",
        ":6:29: error PP004 'X万' is a placeholder",
    ),
    "missing fixture": (
        "  - name: x\n    actuals: [fixtures/none.csv]\n    expect_alerts: []\n",
        ":5:15: error PT001 fixture 'fixtures/none.csv' of test 'x' does not exist",
    ),
    "twice the same name": (
        "  - name: x\n    rows: 'date\\n'\n    expect_alerts: []\n"
        "  - name: x\n    rows: 'date\\n'\n    expect_alerts: []\n",
        ":7:11: error PT002 a second test named 'x' (first at line 4)",
    ),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_broken_test_file_gives_a_located_diagnostic_and_exit_2(
    workspace: Path, case: str
) -> None:
    text, expected = BROKEN[case]
    write_tests(workspace, text)
    result = invoke("plans/tests/")
    assert result.exit_code == 2, result.output
    assert f"plans/tests/extra.test.yaml{expected}" in result.stdout
    assert "1 broken test file" in result.stdout.splitlines()[-1]
    assert "Traceback" not in result.output


def test_a_missing_plan_is_located_at_the_plan_key(workspace: Path) -> None:
    path = workspace / "plans" / "tests" / "extra.test.yaml"
    path.write_text(
        "promoplan_test: 1\nplan: ../nowhere.yaml\n"
        "tests:\n  - {name: x, rows: d, expect_alerts: []}\n",
        encoding="utf-8",
    )
    result = invoke(str(path.relative_to(workspace)))
    assert result.exit_code == 2
    assert "plans/tests/extra.test.yaml:2:7: error PT001 plan '../nowhere.yaml' does not exist" in (
        result.stdout
    )


def test_an_unknown_period_and_bad_rows_are_errors_located_in_the_test_file(
    workspace: Path,
) -> None:
    write_tests(
        workspace,
        """\
  - name: bad period
    rows: |
      date,uv
      2025-06-18,10
    period: Q7
    expect_alerts: []
  - name: bad number
    rows: |
      date,channel,gmv,spend
      2025-05-01,kuaishou,22000,10000
      2025-05-02,kuaishou,12a,10000
    expect_alerts: []
""",
    )
    result = invoke("plans/tests/extra.test.yaml")
    assert result.exit_code == 2
    assert status_lines(result.stdout) == ["ERROR bad period", "ERROR bad number"]
    assert "plans/tests/extra.test.yaml:8:13: error PT003 unknown period 'Q7'" in result.stdout
    # line 14 of the file is the third CSV line; "12a", its third field, follows
    # 6 columns of indentation and "2025-05-02,kuaishou," (20 characters): column 27
    assert 'plans/tests/extra.test.yaml:14:27: error PA003 column "gmv": "12a" is not a number' in (
        result.stdout
    )
    assert result.stdout.splitlines()[-1] == "0 passed, 0 failed, 2 errors"


def test_usage_problems_exit_2(workspace: Path) -> None:
    assert invoke("plans/nowhere/").exit_code == 2
    assert invoke("plans/tests/", "--run", "(").exit_code == 2
    missing = invoke("plans/tests/", "--run", "no test is called this")
    assert missing.exit_code == 2
    assert "selects no test" in missing.stderr
    assert invoke("plans/tests/", "--format", "sarif").exit_code == 2
    empty = workspace / "empty"
    empty.mkdir()
    assert "no *.test.yaml files" in invoke(str(empty)).stderr


def test_run_selects_tests_by_regex(workspace: Path) -> None:
    result = invoke("plans/tests/", "--run", "^UV ")
    assert result.exit_code == 0
    assert status_lines(result.stdout) == [
        "PASS UV down 30% week on week trips traffic_drop",
        "PASS UV down 15% is within the 20% allowance",
    ]
    assert result.stdout.splitlines()[-1] == "2 passed, 0 failed"


def test_validate_leaves_test_files_out_of_a_directory(workspace: Path) -> None:
    result = invoke("validate", "plans/")
    assert result.exit_code == 0, result.output
    assert "test.yaml" not in result.output


# --- pieces ----------------------------------------------------------------------------


def test_close_is_relative() -> None:
    assert close(2.2, 2200 / 1000, 1e-9)
    assert close(1e6, 1e6 + 1e-4, 1e-9)  # 1e-10 relative
    assert not close(1e6, 1e6 + 1e-2, 1e-9)  # 1e-8 relative
    assert not close(0.0, 1e-300, 1e-9)  # a value expected to be 0 must be 0
    assert close(0.0, 0.0, 0.0)
    assert not close(1.0, None, 1.0)


def test_pre_commit_hooks_run_validate_and_test(monkeypatch: pytest.MonkeyPatch) -> None:
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"promoplan-validate", "promoplan-test"}
    validate, tests = hooks["promoplan-validate"], hooks["promoplan-test"]
    assert validate["entry"] == "promoplan validate"
    assert re.search(validate["files"], "plans/ecommerce-2025.yaml")
    assert re.search(validate["exclude"], "plans/tests/ecommerce-2025.test.yaml")
    assert not re.search(validate["exclude"], "plans/ecommerce-2025.yaml")
    assert tests["entry"] == "promoplan test"
    assert tests["pass_filenames"] is False
    for changed in ("plans/ecommerce-2025.yaml", "plans/tests/fixtures/mid-year.csv"):
        assert re.search(tests["files"], changed)
    # What pre-commit runs, from the repository root: the entry with the hook's args.
    command = [*tests["entry"].split()[1:], *tests["args"]]
    monkeypatch.chdir(ROOT)
    assert CliRunner().invoke(app, command).exit_code == 0


def test_last_week_without_as_of_is_the_week_before_the_rows_last_day(workspace: Path) -> None:
    """Without ``as_of`` a test is as of its rows' last day, as ``check`` is: last week of
    2025-06-25 is W25 (06-16..22: 7 x 10,000 spent); rows ending 2025-01-02 have no last
    week in the plan."""
    rows = "".join(f"      2025-06-{day},kuaishou,50000,10000\n" for day in range(16, 26))
    write_tests(
        workspace,
        f"""\
  - name: last week of the rows
    rows: |
      date,channel,gmv,spend
{rows}    period: last-week
    expect_budget: {{traffic.public: {{spent: 7万}}}}
  - name: no last week yet
    rows: |
      date,channel,gmv,spend
      2025-01-01,kuaishou,50000,10000
      2025-01-02,kuaishou,50000,10000
    period: last-week
    expect_alerts: []
""",
    )
    result = invoke("plans/tests/extra.test.yaml")
    assert status_lines(result.stdout) == ["PASS last week of the rows", "ERROR no last week yet"]
    assert (
        "error PT003 period last-week as of 2025-01-02 (2024-12-23..2024-12-29) lies outside "
        "the plan period 2025-01-01..2025-12-31" in result.stdout
    )
    assert "Traceback" not in result.output


def test_output_at_a_fixture_is_refused_and_the_fixture_kept(workspace: Path) -> None:
    """-o at the test file or plan was refused; at a fixture CSV it wrote the report there."""
    fixture = workspace / "plans" / "tests" / "fixtures" / "mid-year.csv"
    before = fixture.read_bytes()
    result = invoke("plans/tests/", "-o", str(fixture))
    assert result.exit_code == 2
    assert "is one of this run's inputs" in result.output
    assert fixture.read_bytes() == before


def test_an_as_of_before_the_plan_is_located_at_the_as_of_key(workspace: Path) -> None:
    """It was placed at the test's name, as tests[0].period, speaking of an --as-of option
    that promoplan test does not have."""
    write_tests(
        workspace,
        """\
  - name: far past
    rows: "date,channel,gmv,spend\\n2025-01-01,douyin,1,1\\n"
    as_of: 2024-06-01
    expect_alerts: []
""",
    )
    result = invoke("plans/tests/extra.test.yaml")
    assert result.exit_code == 2
    assert (
        "plans/tests/extra.test.yaml:6:12: error PT003 as_of 2024-06-01 is before the plan "
        "period 2025-01-01..2025-12-31: period ytd has no day in it yet; give an as_of within "
        "it (tests[0].as_of)"
    ) in result.stdout
