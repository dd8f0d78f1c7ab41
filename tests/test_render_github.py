"""``--format github``: workflow commands, their escaping, and that plan text cannot forge one."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TypedDict

import pytest
from hypothesis import given
from hypothesis import strategies as st

from builders import alert, drop_alert, plan_result, shares_diagnostic
from clirunner import Cli
from promoplan.diagnostics import diagnostic
from promoplan.render import RenderOptions
from promoplan.render.github import escape_data, escape_property, render_github
from promoplan.render.text import safe_lines
from promoplan.result import Run
from promoplan.starter import STARTER_PLAN

FORGE = "Sale\n::error::forged"
COMMAND = re.compile(r"^::(?P<name>[a-z-]+)(?: (?P<props>[^:]*))?::(?P<message>.*)$")


def unescape_data(text: str) -> str:
    """What the runner does to a message."""
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def unescape_property(text: str) -> str:
    """What the runner does to a property value."""
    return unescape_data(text.replace("%3A", ":").replace("%2C", ","))


class Command(TypedDict):
    """One parsed workflow command."""

    name: str
    props: dict[str, str]
    message: str


def parse(output: str) -> tuple[list[Command], list[str]]:
    """Split the output into parsed commands (as the runner reads them) and other lines."""
    commands: list[Command] = []
    others: list[str] = []
    for line in output.splitlines():
        if not line.startswith("::"):
            others.append(line)
            continue
        match = COMMAND.match(line)
        assert match, f"malformed command line: {line!r}"
        props: dict[str, str] = {}
        if match["props"]:
            for pair in match["props"].split(","):
                key, _, value = pair.partition("=")
                props[key] = unescape_property(value)
        commands.append(
            {"name": match["name"], "props": props, "message": unescape_data(match["message"])}
        )
    return commands, others


def test_diagnostics_become_annotations_at_their_line() -> None:
    diags = (
        shares_diagnostic(hint="add the missing 10% or reduce a line"),
        diagnostic("PP120", "target not set", file="plans/ecommerce-2025.yaml", line=9, column=5),
        diagnostic("PA012", "rows outside the period", file="data/a,b:c.csv", line=2),
    )
    out = render_github(Run("validate", (plan_result(diagnostics=diags),)), RenderOptions())
    lines = out.splitlines()
    assert lines[0] == (
        "::error file=plans/ecommerce-2025.yaml,line=41,col=3,title=PP101::"
        "budget shares sum to 90%25, not 100%25 (budget.lines)%0Aadd the missing 10%25 "
        "or reduce a line"
    )
    assert lines[1] == (
        "::warning file=plans/ecommerce-2025.yaml,line=9,col=5,title=PP120::target not set"
    )
    assert (
        lines[2] == "::notice file=data/a%2Cb%3Ac.csv,line=2,title=PA012::rows outside the period"
    )
    assert lines[3] == "promoplan validate: 1 plan, 1 error, 1 warning, 1 info"
    assert len(lines) == 4


def test_diagnostic_without_file_or_line_is_placed_at_the_plan() -> None:
    diags = (diagnostic("PP003", "the plan is empty"),)
    out = render_github(Run("validate", (plan_result(diagnostics=diags),)), RenderOptions())
    assert (
        out.splitlines()[0]
        == "::error file=plans/ecommerce-2025.yaml,title=PP003::the plan is empty"
    )


def test_alerts_are_annotated_at_the_plan_file_with_the_rule_as_title() -> None:
    alerts = (
        alert(),
        drop_alert(window="2025-W23", action=None),
    )
    out = render_github(Run("check", (plan_result(alerts=alerts),)), RenderOptions())
    commands, others = parse(out)
    assert [(c["name"], c["props"]) for c in commands] == [
        ("error", {"file": "plans/ecommerce-2025.yaml", "title": "low_roi"}),
        ("warning", {"file": "plans/ecommerce-2025.yaml", "title": "traffic_drop"}),
    ]
    assert commands[0]["message"] == (
        "roi 1:2.4 below 1:3 (channel=kuaishou, 2025-Q2); "
        "action: 缩减投放 (cut this channel's spend)"
    )
    assert "down 25%" in str(commands[1]["message"])
    assert others == ["promoplan check: 1 plan, 1 error, 1 warning, 0 infos"]


def test_plan_text_cannot_forge_a_command() -> None:
    diags = (
        diagnostic(
            "PP003",
            f"unknown key '{FORGE}'",
            file="plans/x.yaml",
            line=3,
            column=1,
            path=FORGE,
            hint=FORGE + "\r::warning::forged too",
        ),
    )
    alerts = (alert(rule=FORGE, label=FORGE, action=FORGE, group=(("channel", FORGE),)),)
    run = Run(
        "check",
        (
            plan_result(
                file="plans/x\n::error::forged.yaml", name=FORGE, diagnostics=diags, alerts=alerts
            ),
        ),
    )
    out = render_github(run, RenderOptions())
    commands, others = parse(out)
    assert [c["name"] for c in commands] == ["error", "error"]
    assert commands[0]["props"] == {
        "file": "plans/x.yaml",
        "line": "3",
        "col": "1",
        "title": "PP003",
    }
    # The message arrives whole: the runner decodes the newline back into it.
    assert commands[0]["message"] == (
        f"unknown key '{FORGE}' ({FORGE})\n{FORGE}\r::warning::forged too"
    )
    # A newline in a property is %0A, which the runner decodes back into the value.
    assert commands[1]["props"]["title"] == FORGE
    assert commands[1]["props"]["file"] == "plans/x\n::error::forged.yaml"
    assert "file=plans/x%0A%3A%3Aerror%3A%3Aforged.yaml," in out
    assert others == ["promoplan check: 1 plan, 2 errors, 0 warnings, 0 infos"]
    assert not any("forged" in line and not line.startswith("::") for line in out.splitlines())


def test_control_characters_are_made_visible() -> None:
    assert escape_data("red \x1b[31m text") == "red \\u001b[31m text"
    assert escape_property("a\u202eb") == "a\\u202eb"


@given(st.text())
def test_a_message_is_always_one_line_and_round_trips(text: str) -> None:
    escaped = escape_data(text)
    assert "\n" not in escaped
    assert "\r" not in escaped
    # Line breaks and percent signs survive the runner's decoding unchanged.
    decoded = unescape_data(escaped)
    assert decoded.count("\n") == text.count("\n")
    assert decoded.count("%") == text.count("%")


@given(st.text())
def test_a_property_never_contains_separators(text: str) -> None:
    escaped = escape_property(text)
    assert not set(escaped) & {",", ":", "\n", "\r"}


@given(st.text())
def test_a_property_round_trips_line_breaks_and_separators(text: str) -> None:
    # Only control, bidi and zero-width characters other than CR and LF are shown
    # as \uXXXX; a newline, "%", ":" and "," come back as written.
    escaped = escape_property(text)
    assert unescape_property(escaped) == safe_lines(text)


def test_a_newline_in_a_property_is_percent_encoded() -> None:
    assert escape_property("bad\nname.yaml") == "bad%0Aname.yaml"
    assert escape_property("a\r\nb%,c:d") == "a%0D%0Ab%25%2Cc%3Ad"


def test_empty_run_prints_only_the_summary() -> None:
    out = render_github(Run("validate", (plan_result(),)), RenderOptions())
    assert out == "promoplan validate: 1 plan, 0 errors, 0 warnings, 0 infos\n"


def test_validate_cli_annotates_the_offending_line(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(STARTER_PLAN.replace("reserve:     10%", "reserve:     5%"), encoding="utf-8")
    line = STARTER_PLAN.splitlines().index("  lines:") + 1
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    for fmt in ("github", "auto"):
        result = cli("validate", plan, "--format", fmt)
        assert result.exit_code == 1
        commands, others = parse(result.stdout)
        assert [(c["name"], c["props"]) for c in commands] == [
            ("error", {"file": str(plan), "line": str(line), "col": "3", "title": "PP101"})
        ]
        assert others == ["promoplan validate: 1 plan, 1 error, 0 warnings, 0 infos"]


ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = Path("plans") / "ecommerce-2025.yaml"


def rule_position(text: str, rule: str) -> tuple[int, int]:
    """1-based line and column of ``rule:`` under ``alerts:`` in a plan's text."""
    lines = text.splitlines()
    start = lines.index("alerts:")
    for number, line in enumerate(lines[start:], start + 1):
        if line.strip() == f"{rule}:":
            return number, len(line) - len(line.lstrip()) + 1
    raise AssertionError(f"{rule} not under alerts")


@pytest.mark.skipif(not (ROOT / EXAMPLE).exists(), reason="the example plan is not here")
def test_alerts_are_annotated_at_their_rule(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    args = ["check", str(EXAMPLE), "--actuals", "plans/actuals/*.csv", "-f", "github"]
    result = cli(*args)
    commands, _ = parse(result.stdout)
    (low_roi,) = [c for c in commands if c["props"].get("title") == "low_roi"]
    line, column = rule_position((ROOT / EXAMPLE).read_text(encoding="utf-8"), "low_roi")
    assert low_roi["props"] == {
        "file": EXAMPLE.as_posix(),
        "line": str(line),
        "col": str(column),
        "title": "low_roi",
    }


def goal_position(text: str, goal: str) -> tuple[int, int]:
    """1-based line and column of ``goal:`` under the plan's top-level ``goals:``."""
    lines = text.splitlines()
    start = lines.index("goals:")
    for number, line in enumerate(lines[start:], start + 1):
        if line.lstrip().startswith(f"{goal}:"):
            return number, len(line) - len(line.lstrip()) + 1
    raise AssertionError(f"{goal} not under goals")


@pytest.mark.skipif(not (ROOT / EXAMPLE).exists(), reason="the example plan is not here")
def test_every_missed_goal_is_annotated_at_the_goal(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At the year's end the example's goals that fell short are missed, errors that fail
    the check: each is one ``::error`` on its key in the plan, and the annotations add up
    to the counts the summary prints (nothing counted goes unannotated)."""
    monkeypatch.chdir(ROOT)
    args = [str(EXAMPLE), "--actuals", "plans/actuals/*.csv", "--as-of", "2025-12-31"]
    plan = json.loads(cli("check", *args, "-f", "json").stdout)["plans"][0]
    missed = [g["id"] for g in plan["goals"] if g["status"] == "missed" and g["scope"] == "period"]
    assert len(missed) >= 5  # the example's actuals end in June
    result = cli("check", *args, "-f", "github")
    assert result.exit_code == 1
    commands, others = parse(result.stdout)
    text = (ROOT / EXAMPLE).read_text(encoding="utf-8")
    annotated = {
        c["props"]["title"]: c for c in commands if c["props"]["title"].startswith("goal ")
    }
    assert sorted(annotated) == sorted(f"goal {g}" for g in missed)
    for goal_id in missed:
        command = annotated[f"goal {goal_id}"]
        line, column = goal_position(text, goal_id)
        assert command["name"] == "error"
        assert command["props"]["line"] == str(line)
        assert command["props"]["col"] == str(column)
        assert command["message"].startswith(f"{goal_id} (")
        assert ": missed; " in command["message"]
    by_name = {name: sum(c["name"] == name for c in commands) for name in ("error", "warning")}
    counts = plan["counts"]
    assert by_name == {"error": counts["error"], "warning": counts["warning"]}
    assert others == [
        f"promoplan check: 1 plan, {counts['error']} errors, {counts['warning']} warnings, "
        f"{counts['info']} infos"
    ]
