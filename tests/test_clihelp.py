"""promoplan's ``--help`` is typer's rich help, byte for byte, colours included.

promoplan.clihelp draws the help without importing ``rich.markdown``; here typer's
own ``rich_utils.rich_format_help`` draws the same help for every command, and the
two must be equal, plain and coloured, at several widths. The help of the group
as a real run builds it (no command built) must be the one of typer's full tree.
"""

from __future__ import annotations

import re
import sys
import types
from collections.abc import Mapping
from pathlib import Path
from typing import Any, get_args, get_origin

import pytest
import typer.main
from typer import rich_utils
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from clirunner import CliResult, run_isolated
from promoplan import cli
from promoplan.clityper import PromoplanCommand, PromoplanGroup

COMMANDS = ["validate", "check", "report", "diff", "schema", "init", "test"]
ARGUMENTS = [["--help"], ["-h"], *([name, "--help"] for name in COMMANDS)]
SETTINGS: list[dict[str, str]] = [
    {},
    {"COLUMNS": "50"},
    {"TERMINAL_WIDTH": "132"},
    {"FORCE_COLOR": "1"},
    {"FORCE_COLOR": "1", "TERMINAL_WIDTH": "100"},
]


@pytest.fixture(autouse=True)
def _program_name(monkeypatch: pytest.MonkeyPatch) -> None:
    """The program is "promoplan" in the usage line, whatever runs pytest."""
    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))
    monkeypatch.setattr(sys, "argv", ["promoplan"])


def _eager(args: list[str], env: Mapping[str, str]) -> CliResult:
    group = typer.main.get_command(cli.app)
    return run_isolated(lambda: group.main(args, prog_name="promoplan"), env)


def _typers(monkeypatch: pytest.MonkeyPatch, env: Mapping[str, str]) -> None:
    """Draw with typer's rich_utils, its import-time settings as ``env`` sets them."""
    monkeypatch.setattr(PromoplanGroup, "format_help", TyperGroup.format_help)
    monkeypatch.setattr(PromoplanCommand, "format_help", TyperCommand.format_help)
    width = env.get("TERMINAL_WIDTH")
    monkeypatch.setattr(rich_utils, "MAX_WIDTH", int(width) if width else None)
    monkeypatch.setattr(rich_utils, "FORCE_TERMINAL", True if env.get("FORCE_COLOR") else None)


@pytest.mark.parametrize("env", SETTINGS, ids=repr)
@pytest.mark.parametrize("args", ARGUMENTS, ids=repr)
def test_help_is_typers_rich_help(
    args: list[str], env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    ours = _eager(args, env)
    with monkeypatch.context() as patched:
        _typers(patched, env)
        theirs = _eager(args, env)
    assert ours.exit_code == 0
    assert "Usage: " in ours.stdout
    assert ("\x1b[" in ours.stdout) == bool(env.get("FORCE_COLOR"))
    assert ours == theirs


@pytest.mark.parametrize("args", [[], ["--help"], ["validate", "--help"], ["test", "-h"]], ids=repr)
def test_a_run_builds_the_same_help_from_one_command(
    args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The group as a run builds it (commands described, none built) gives typer's help."""
    env = {"FORCE_COLOR": "1"}
    lazy = run_isolated(lambda: cli.app(args, prog_name="promoplan"), env)
    with monkeypatch.context() as patched:
        _typers(patched, env)
        theirs = _eager(args, env)
    assert lazy == theirs
    assert lazy.exit_code == (2 if not args else 0)


def test_a_run_builds_only_the_command_it_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[str] = []
    original = typer.main.get_command_from_info

    def counting(info: typer.models.CommandInfo, **settings: object) -> object:
        built.append(info.callback.__name__ if info.callback else "?")
        return original(info, **settings)  # type: ignore[arg-type]

    monkeypatch.setattr(typer.main, "get_command_from_info", counting)
    run_isolated(lambda: cli.app(["--help"], prog_name="promoplan"))
    assert built == []
    run_isolated(lambda: cli.app(["diff", "--help"], prog_name="promoplan"))
    assert built == ["diff"]


def _row(help_text: str, name: str) -> re.Match[str] | None:
    """The panel row of the parameter shown as ``name``: its value column, if any."""
    pattern = rf"^│\s+(?:\*\s+)?{re.escape(name)}(?:\s+-\w)?\s+(<[^>\s]+>)?"
    return re.search(pattern, help_text, flags=re.MULTILINE)


def _expected_value(param: Any) -> str | None:
    """What one value of ``param`` looks like: none for a flag; ``<str>`` or ``<path>``
    for a text or path value, a list's element shown as that element alone."""
    if getattr(param, "is_flag", False):
        return None
    annotation = param.type_descriptor.annotation
    if get_origin(annotation) is list:
        (annotation,) = get_args(annotation)
    return {str: "<str>", Path: "<path>"}[annotation]


@pytest.mark.parametrize("columns", ["80", "120"])
@pytest.mark.parametrize("args", ARGUMENTS, ids=repr)
def test_help_shows_the_value_each_option_takes(args: list[str], columns: str) -> None:
    """A flag shows no value (``--strict``, not ``--strict <bool>``); a repeatable option
    or an argument of several values shows one value (``<str>``, not ``<list[str]>``)
    and says in its help that it repeats."""
    shown = run_isolated(lambda: cli.app(args, prog_name="promoplan"), {"COLUMNS": columns})
    assert shown.exit_code == 0
    assert "<bool>" not in shown.stdout
    assert "<list[" not in shown.stdout
    group = typer.main.get_command(cli.app)
    assert isinstance(group, TyperGroup)
    command = group if args[0].startswith("-") else group.commands[args[0]]
    ctx = command.make_context("promoplan", [], resilient_parsing=True)
    params = command.get_params(ctx)
    assert any(getattr(p, "is_flag", False) for p in params)  # --help, at least
    for param in params:
        name = param.name or ""
        if isinstance(param, TyperOption):
            name = next(opt for opt in param.opts if opt.startswith("--"))
        if isinstance(param, TyperArgument) and param.nargs != 1:
            name += "..."
        row = _row(shown.stdout, name)
        assert row is not None, name
        assert row.group(1) == _expected_value(param), name
        if getattr(param, "multiple", False) or param.nargs == -1:
            text = (getattr(param, "help", None) or "").lower()
            assert "repeatable" in text or "files or directories" in text, name
