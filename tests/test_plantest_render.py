"""``promoplan test`` output for CI: JUnit counts, GitHub annotations at the test's line, JSON."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from junitparser import Error, Failure, JUnitXml
from typer.testing import CliRunner, Result

from promoplan.cli import app

ROOT = Path(__file__).resolve().parents[1]
KUAISHOU_TEST = "kuaishou ROI 1:2.2 in Q2 trips low_roi"

ERRORS = """\
promoplan_test: 1
plan: ../ecommerce-2025.yaml
tests:
  - name: passes
    rows: |
      date,uv
      2025-06-18,10000
      2025-06-25,7000
    as_of: 2025-06-29
    expect_alerts: [{rule: traffic_drop, value: 30%}]
  - name: cannot run
    rows: "date,uv\\n"
    period: Q9
    expect_alerts: []
"""


def invoke(*args: str) -> Result:
    return CliRunner().invoke(app, ["test", *args])


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example plan, floor at 1:2 (one failing test); a file with an error; a broken file."""
    plans = tmp_path / "plans"
    plans.mkdir()
    text = (ROOT / "plans" / "ecommerce-2025.yaml").read_text(encoding="utf-8")
    (plans / "ecommerce-2025.yaml").write_text(
        text.replace('below: "1:3"', 'below: "1:2"'), encoding="utf-8"
    )
    shutil.copytree(ROOT / "plans" / "tests", plans / "tests")
    (plans / "tests" / "errors.test.yaml").write_text(ERRORS, encoding="utf-8")
    (plans / "tests" / "broken.test.yaml").write_text(
        "promoplan_test: 1\nplan: ../ecommerce-2025.yaml\ntests: 3\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_junit_has_one_testcase_per_test_with_the_right_counts(workspace: Path) -> None:
    result = invoke("plans/tests/", "--format", "junit")
    assert result.exit_code == 2  # a broken file outweighs a failure
    document = JUnitXml.fromstring(result.stdout)
    suites = {suite.name: suite for suite in document}
    assert list(suites) == [
        "plans/tests/broken.test.yaml",
        "plans/tests/ecommerce-2025.test.yaml",
        "plans/tests/errors.test.yaml",
    ]
    for suite in suites.values():
        written = (suite.tests, suite.failures, suite.errors)
        suite.update_statistics()  # type: ignore[no-untyped-call]  # junitparser is unannotated
        assert written == (suite.tests, suite.failures, suite.errors), suite.name
    example = suites["plans/tests/ecommerce-2025.test.yaml"]
    assert (example.tests, example.failures, example.errors) == (9, 1, 0)
    failing = [case for case in example if not case.is_passed]
    assert [case.name for case in failing] == [KUAISHOU_TEST]
    (failure,) = failing[0].result
    assert isinstance(failure, Failure)
    assert failure.message == "1 expected alert missing"
    assert "roi 1:2.2, not below 1:2" in (failure.text or "")
    errors = suites["plans/tests/errors.test.yaml"]
    assert (errors.tests, errors.failures, errors.errors) == (2, 0, 1)
    (error,) = next(case for case in errors if case.name == "cannot run").result
    assert isinstance(error, Error)
    assert "unknown period 'Q9'" in (error.message or "")
    broken = suites["plans/tests/broken.test.yaml"]
    assert (broken.tests, broken.failures, broken.errors) == (1, 0, 1)
    root = document._elem  # the testsuites totals
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("12", "1", "2")


def test_github_annotates_the_failing_test_at_its_line(workspace: Path) -> None:
    result = invoke("plans/tests/ecommerce-2025.test.yaml", "--format", "github")
    assert result.exit_code == 1
    source = (workspace / "plans" / "tests" / "ecommerce-2025.test.yaml").read_text(
        encoding="utf-8"
    )
    line = source.splitlines().index(f"  - name: {KUAISHOU_TEST}") + 1
    commands = [text for text in result.stdout.splitlines() if text.startswith("::")]
    assert len(commands) == 1
    head, message = commands[0].split("::", 2)[1:]
    assert head == (
        f"error file=plans/tests/ecommerce-2025.test.yaml,line={line},col=5,"
        "title=FAIL kuaishou ROI 1%3A2.2 in Q2 trips low_roi"
    )
    assert "not below 1:2" in message
    assert "\n" not in message  # line breaks are %0A
    assert result.stdout.splitlines()[-1] == "promoplan test: 8 passed, 1 failed"


def test_github_annotates_broken_files_and_errors_where_they_are(workspace: Path) -> None:
    result = invoke("plans/tests/", "--format", "github")
    commands = [text for text in result.stdout.splitlines() if text.startswith("::")]
    assert any(
        c.startswith("::error file=plans/tests/broken.test.yaml,line=3,col=8,title=PP003::")
        for c in commands
    )
    assert any(
        c.startswith("::error file=plans/tests/errors.test.yaml,line=13,col=13,title=PT003 in test")
        for c in commands
    )


def test_json_document(workspace: Path) -> None:
    result = invoke("plans/tests/", "--format", "json")
    document = json.loads(result.stdout)
    assert document["schema_version"] == 1
    assert document["summary"] == {"passed": 9, "failed": 1, "errors": 1, "broken_files": 1}
    files = {entry["file"]: entry for entry in document["files"]}
    assert files["plans/tests/broken.test.yaml"]["broken"] is True
    tests = {t["name"]: t for t in files["plans/tests/ecommerce-2025.test.yaml"]["tests"]}
    failed = tests[KUAISHOU_TEST]
    assert failed["status"] == "fail"
    (check,) = failed["alerts"]
    assert check["kind"] == "missing"
    assert check["expected"]["value"] == 2.2
    assert check["actual"] is None
    assert check["quiet"]["value"] == 2.2  # 44,000 / 20,000
    assert check["quiet"]["threshold"] == 2


def test_untrusted_names_cannot_forge_workflow_commands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copy(ROOT / "plans" / "ecommerce-2025.yaml", tmp_path)
    Path("x.test.yaml").write_text(
        "promoplan_test: 1\nplan: ecommerce-2025.yaml\ntests:\n"
        '  - name: "ok\\n::warning::forged ##[error]x"\n'
        '    rows: "date,uv\\n2025-06-18,1\\n"\n'
        "    as_of: 2025-06-29\n    rules: [traffic_drop]\n"
        "    expect_alerts: [{rule: traffic_drop}]\n",
        encoding="utf-8",
    )
    for fmt in ("table", "json", "junit", "github"):
        result = invoke("x.test.yaml", "--format", fmt)
        assert result.exit_code == 1, (fmt, result.output)
        for text in result.stdout.splitlines():
            assert not text.lstrip().startswith("::") or text.startswith("::error file="), fmt
            # as for check: the github format's own commands carry the text escaped as a message
            assert "##[" not in text or fmt == "github", fmt


def test_a_newline_in_a_test_name_is_percent_encoded_in_the_title(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The runner decodes %0A back into the title; a visible \\u000a was shown as is."""
    monkeypatch.chdir(tmp_path)
    shutil.copy(ROOT / "plans" / "ecommerce-2025.yaml", tmp_path)
    Path("n.test.yaml").write_text(
        "promoplan_test: 1\nplan: ecommerce-2025.yaml\ntests:\n"
        '  - name: "line1\\nline2,::error::x %"\n'
        '    rows: "date,uv\\n2025-06-18,10000\\n2025-06-25,7000\\n"\n'
        "    as_of: 2025-06-29\n    rules: [traffic_drop]\n    expect_alerts: []\n",
        encoding="utf-8",
    )
    result = invoke("n.test.yaml", "--format", "github")
    assert result.exit_code == 1, result.output
    commands = [text for text in result.stdout.splitlines() if text.startswith("::")]
    assert len(commands) == 1
    # The name is on line 4, after "  - name: " (10 characters): column 5 is "name".
    assert commands[0].startswith(
        "::error file=n.test.yaml,line=4,col=5,title=FAIL line1%0Aline2%2C%3A%3Aerror%3A%3Ax %25::"
    )


def test_junit_carries_the_errors_of_a_plan_its_tests_cannot_run_on(workspace: Path) -> None:
    """The table lists the plan's errors above its tests; JUnit had them nowhere."""
    plans = workspace / "plans"
    text = (plans / "ecommerce-2025.yaml").read_text(encoding="utf-8")
    (plans / "short.yaml").write_text(
        text.replace("reserve:     {share: 15%", "reserve:     {share: 5%"), encoding="utf-8"
    )
    (plans / "tests" / "short.test.yaml").write_text(
        "promoplan_test: 1\nplan: ../short.yaml\ntests:\n"
        '  - {name: x, rows: "date,channel,gmv,spend\\n2025-01-01,douyin,1,1\\n", '
        "expect_alerts: []}\n",
        encoding="utf-8",
    )
    result = invoke("plans/tests/short.test.yaml", "--format", "junit")
    assert result.exit_code == 1
    (suite,) = JUnitXml.fromstring(result.stdout)
    (case,) = list(suite)
    (failure,) = case.result
    assert isinstance(failure, Failure)
    assert "error PP101 budget shares sum to 90%, not 100%" in (failure.text or "")
