"""The README documents every command, option and diagnostic code, and its two commands."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any, get_args

import pytest
import typer.main

from clirunner import Cli
from promoplan.cli import app
from promoplan.diagnostics import CODES
from promoplan.vocabulary import BudgetStatus, GoalStatus

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands() -> dict[str, Any]:
    group = typer.main.get_command(app)
    return dict(group.commands)  # type: ignore[attr-defined]  # a group: the app has several commands


def test_every_command_is_documented() -> None:
    for name in _commands():
        assert f"promoplan {name}" in README, name


def test_every_option_is_documented() -> None:
    for name, command in _commands().items():
        for param in command.params:
            if getattr(param, "param_type_name", "") != "option":
                continue
            for opt in param.opts:
                if opt.startswith("--") and opt != "--help":
                    assert f"`{opt}" in README, f"{name} {opt}"


def test_every_diagnostic_code_has_an_example() -> None:
    section = README.split("## Diagnostic codes", 1)[1].split("\n## ", 1)[0]
    for code in CODES:
        rows = [line for line in section.splitlines() if line.startswith(f"| {code} ")]
        assert rows, f"{code} missing from the README's code table"
        assert re.search(r"`[^`]+`", rows[0]), f"{code} has no example"


def test_the_plan_tests_section_lists_every_status_a_test_may_expect() -> None:
    start = README.index("- **`expect_goals` and `expect_budget`**")
    paragraph = " ".join(README[start : README.index("\n- ", start + 1)].split())
    goals, budget = paragraph.split("; budget lines", 1)
    for status in get_args(GoalStatus):
        assert f"`{status}`" in goals, status
    for status in get_args(BudgetStatus):
        assert f"`{status}`" in budget.split(")")[0], status


def test_readme_opens_with_the_two_commands() -> None:
    head = README.split("## ", 1)[0]
    assert "pip install -e . && promoplan check plans/ecommerce-2025.yaml" in head
    assert "pip install -e '.[test]' && pytest -q" in head
    ci = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install -e '.[test]' && pytest -q" in ci


# ```text blocks that start with "$ promoplan ..." show real output; they must stay true.
_EXAMPLE = re.compile(r"```text\n\$ (promoplan [^\n]+)\n(.*?)```", re.DOTALL)


def test_readme_example_outputs_are_current(
    cli: Cli, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each example is rerun; ``pytest --update-golden`` rewrites the README's copy."""
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("NO_COLOR", "1")
    text = README
    examples = _EXAMPLE.findall(text)
    assert len(examples) >= 2
    for command, shown in examples:
        result = cli(*shlex.split(command)[1:])
        if request.config.getoption("--update-golden"):
            text = text.replace(f"$ {command}\n{shown}", f"$ {command}\n{result.stdout}", 1)
            continue
        assert result.stdout == shown, f"README output of `{command}` is out of date"
    if text != README:
        (ROOT / "README.md").write_text(text, encoding="utf-8")
