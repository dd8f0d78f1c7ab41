"""promoplan's ``--help`` is typer's rich help, byte for byte, colours included.

promoplan.clihelp draws the help without importing ``rich.markdown``; here typer's
own ``rich_utils.rich_format_help`` draws the same help for every command, and the
two must be equal, plain and coloured, at several widths. The help of the group
as a real run builds it (no command built) must be the one of typer's full tree.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Mapping

import pytest
import typer.main
from typer import rich_utils
from typer.core import TyperCommand, TyperGroup

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
