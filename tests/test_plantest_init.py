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
