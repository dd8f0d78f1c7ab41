"""``promoplan init``: a commented starter plan that validates cleanly and never overwrites."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import yaml

from clirunner import Cli
from promoplan.errors import UsageProblem
from promoplan.loader import load_plan
from promoplan.model import Plan
from promoplan.starter import STARTER_PLAN, write_starter


def test_starter_validates_with_no_diagnostics_at_all(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    write_starter(path)
    assert path.read_text(encoding="utf-8") == STARTER_PLAN
    loaded = load_plan(path)
    assert loaded.plan is not None
    assert loaded.diagnostics == ()


def test_starter_uses_every_section_and_every_kind_of_goal_and_alert() -> None:
    data = yaml.safe_load(STARTER_PLAN)
    assert set(data) == set(Plan.model_fields)
    plan = Plan.model_validate(data)
    assert {goal.direction for goal in plan.goals.values()} == {"at_least", "at_most"}
    assert any(goal.growth is not None for goal in plan.goals.values())
    assert any(goal.baseline is not None for goal in plan.goals.values())
    assert {rule.condition for rule in plan.alerts.values()} == {"below", "drop_over"}
    assert set(plan.quarters) == {"Q1", "Q2", "Q3", "Q4"}
    assert any(quarter.goals for quarter in plan.quarters.values())
    assert any(metric.formula for metric in plan.metrics.values())
    assert any(metric.where for metric in plan.metrics.values())
    assert plan.budget is not None
    assert any(line.lines for line in plan.budget.lines.values())


def test_starter_is_commented_in_english() -> None:
    comments = re.findall(r"(?:^|\s)#(.*)$", STARTER_PLAN, flags=re.MULTILINE)
    assert len(comments) >= 40
    words = " ".join(comments)
    for phrase in ("promoplan validate", "share of the total", "quote ratios", "calendar"):
        assert phrase in words


def test_cli_writes_the_file_and_says_what_next(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "new.yaml"
    result = cli("init", path)
    assert result.exit_code == 0, result.stderr
    assert path.read_text(encoding="utf-8") == STARTER_PLAN
    assert f"promoplan validate {path}" in result.stderr
    assert result.stdout == ""


def test_cli_refuses_to_overwrite_an_existing_file(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text("promoplan: 1\n# mine\n", encoding="utf-8")
    result = cli("init", path)
    assert result.exit_code == 2
    assert "already exists" in result.stderr
    assert path.read_text(encoding="utf-8") == "promoplan: 1\n# mine\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.yaml"]  # no temporary left


def test_refuses_a_directory_and_a_dangling_symlink(tmp_path: Path) -> None:
    with pytest.raises(UsageProblem, match="already exists"):
        write_starter(tmp_path)
    link = tmp_path / "link.yaml"
    os.symlink(tmp_path / "nowhere.yaml", link)
    with pytest.raises(UsageProblem, match="already exists"):
        write_starter(link)
    assert not (tmp_path / "nowhere.yaml").exists()


def test_missing_directory_is_a_usage_problem(tmp_path: Path) -> None:
    with pytest.raises(UsageProblem, match="does not exist"):
        write_starter(tmp_path / "missing" / "plan.yaml")


def test_default_path_is_plan_yaml_in_the_current_directory(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli("init")
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "plan.yaml").is_file()


@pytest.mark.parametrize("given", ["out/", "out", ""])
def test_a_directory_or_a_blank_is_refused_not_written_as_a_file(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, given: str
) -> None:
    """``init dir/`` wrote a regular file named ``dir`` (README: commands that write one
    file refuse a trailing slash); ``init out`` with ``out/`` a directory is refused too."""
    monkeypatch.chdir(tmp_path)
    if given == "out":
        (tmp_path / "out").mkdir()
    result = cli("init", given)
    assert result.exit_code == 2
    expected = "is empty (an unset variable?)" if not given else "init writes one file"
    assert expected in result.stderr
    assert [p.name for p in tmp_path.iterdir()] == (["out"] if given == "out" else [])


def test_a_dash_prints_the_starter_plan_and_its_tests(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli("init", "-")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == STARTER_PLAN
    assert list(tmp_path.iterdir()) == []  # no file named "-"
    (tmp_path / "plan.yaml").write_text(STARTER_PLAN, encoding="utf-8")
    tests = cli("init", "--tests", "plan.yaml", "-")
    assert tests.exit_code == 0, tests.stderr
    assert tests.stdout.startswith("# Starter tests for plan.yaml")
    assert '\nplan: "plan.yaml"\n' in tests.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.yaml"]


def test_a_directory_for_starter_tests_suggests_a_test_file_name(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "shop.yaml").write_text(STARTER_PLAN, encoding="utf-8")
    result = cli("init", "--tests", "shop.yaml", "t/")
    assert result.exit_code == 2
    assert "name it (t/shop.test.yaml)" in result.stderr
