"""``validate`` on the quick path (no typer) is the same command as on the typer path.

Every argument list below runs three ways: ``promoplan.cli.main`` as the console
script runs it (the quick path when quickargs takes the arguments, typer otherwise),
typer's own application (``typer.main.get_command``, what every other test runs),
and the application as a real run builds it (``app()``, one command built). The
exit status, stdout, stderr and any file written must be the same, and the quick
path must be the one taken exactly for the lists marked so.
"""

from __future__ import annotations

import os
import subprocess
import sys
import types
from collections.abc import Mapping
from pathlib import Path

import pytest
import typer.main

from clirunner import CliResult, run_cli, run_isolated
from promoplan import cli
from promoplan.quickargs import FLAG_OPTIONS, REPEATABLE, TOP_FLAGS, VALUE_OPTIONS, parse_validate

ROOT = Path(__file__).resolve().parents[1]
GOOD = "plans/ecommerce-2025.yaml"
SEED = "plans/seed-2025.yaml"  # errors and warnings, with hints

# (arguments, the quick path takes them); {tmp} is a fresh directory of the test.
QUICK: list[list[str]] = [
    ["validate", GOOD],
    ["validate", SEED],
    ["validate", SEED, GOOD],
    ["validate", "plans"],
    ["validate", SEED, "--format", "json"],
    ["validate", "--format=github", SEED],
    ["validate", "-f", "junit", SEED],
    ["validate", "-f", "sarif", GOOD],
    ["validate", "-f", "auto", SEED],
    ["validate", "--format=", SEED],
    ["validate", "--format", "json", "--format", "table", SEED],
    ["validate", SEED, "-q"],
    ["validate", SEED, "--quiet", "--strict"],
    ["validate", "--strict", GOOD],
    ["validate", SEED, "--ignore", "PP120", "--ignore", "PP101"],
    ["validate", SEED, "--ignore=PP120"],
    ["validate", SEED, "--ignore", "PA0111"],  # no such code: exit 2 on both paths
    ["--debug", "validate", SEED],
    ["--debug", "--debug", "validate", GOOD],
    ["validate", "--", SEED],
    ["validate", "--", "-q"],
    ["validate", "-"],
    ["validate", "missing.yaml"],
    ["validate", "no-such-\x1b[31mred.yaml"],
    ["validate", "--format", "bogus", SEED],
    ["validate", "-f", "--help", SEED],
    ["validate", SEED, "-o", "{tmp}/out.json", "-f", "json"],
    ["validate", SEED, "--output={tmp}/out.txt"],
    ["validate", SEED, "--output", "{tmp}/"],
    ["validate", SEED, "-o", SEED],
    ["validate", SEED, "-o", "-", "-f", "json"],
    ["validate", SEED, "--output=-"],
]
TYPER: list[list[str]] = [
    [],
    ["validate"],
    ["validate", ""],  # empty (an unset variable): typer refuses it (clityper.PlainValues)
    ["validate", GOOD, " "],
    ["validate", "--help"],
    ["validate", "-h"],
    ["validate", SEED, "--help"],
    ["validate", SEED, "--bogus"],
    ["validate", "-qf", "json", SEED],
    ["validate", "-f=json", SEED],
    ["validate", "--strict=1", SEED],
    ["validate", SEED, "--format"],
    ["validate", SEED, "--debug"],
    ["validate", "--"],
    ["--version"],
    ["--help"],
    ["-h", "validate", SEED],
    ["--debug=1", "validate", SEED],
    ["--debug"],
    ["valid", SEED],
    ["schema"],
]


def _fill(args: list[str], tmp: Path) -> list[str]:
    return [arg.replace("{tmp}", str(tmp)) for arg in args]


def _files(tmp: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(tmp.iterdir()) if p.is_file()}


def _by_main(args: list[str], env: Mapping[str, str]) -> CliResult:
    """``promoplan.cli.main`` with ``args`` on the command line (the console script's way)."""
    saved = sys.argv
    sys.argv = ["promoplan", *args]
    try:
        return run_isolated(cli.main, env)
    finally:
        sys.argv = saved


def _by_app(args: list[str], env: Mapping[str, str]) -> CliResult:
    """The application as a real run builds it: the group, then one command."""
    return run_isolated(lambda: cli.app(args, prog_name="promoplan"), env)


@pytest.fixture
def here(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Run from the repository; the program name is "promoplan" whatever runs pytest."""
    monkeypatch.chdir(ROOT)
    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))
    return tmp_path


def _same_three_ways(args: list[str], tmp: Path, env: Mapping[str, str]) -> CliResult:
    results = []
    for runner in (_by_main, run_cli, _by_app):
        for stale in tmp.iterdir():
            stale.unlink()
        result = run_cli(*args, env=env) if runner is run_cli else runner(args, env)
        results.append((result, _files(tmp)))
    assert results[0] == results[1], f"quick path != typer for {args}"
    assert results[2] == results[1], f"one-command app != typer for {args}"
    return results[0][0]


@pytest.mark.parametrize("args", QUICK, ids=repr)
def test_the_quick_path_gives_what_typer_gives(args: list[str], here: Path) -> None:
    filled = _fill(args, here)
    assert parse_validate(filled, {}) is not None
    result = _same_three_ways(filled, here, {"NO_COLOR": "1"})
    assert result.exit_code in (0, 1, 2)


@pytest.mark.parametrize("args", TYPER, ids=repr)
def test_other_command_lines_go_through_typer(args: list[str], here: Path) -> None:
    assert parse_validate(args, {}) is None
    _same_three_ways(args, here, {"NO_COLOR": "1"})


def test_auto_in_github_actions_and_completion(here: Path) -> None:
    _same_three_ways(["validate", "-f", "auto", SEED], here, {"GITHUB_ACTIONS": "true"})
    completing = {"_PROMOPLAN_COMPLETE": "bash_complete", "COMP_WORDS": "promoplan va"}
    assert parse_validate(["validate", SEED], completing) is None


def test_values_are_read_as_typer_hands_them_over() -> None:
    quick = parse_validate(
        ["--debug", "validate", "a", "-f", "x", "b", "--ignore", "P1", "-q", "--ignore=P2"], {}
    )
    assert quick is not None
    assert quick.paths == ("a", "b")
    assert (quick.fmt, quick.output, quick.quiet, quick.strict, quick.debug) == (
        "x",
        None,
        True,
        False,
        True,
    )
    assert quick.ignore == ("P1", "P2")
    plain = parse_validate(["validate", "a"], {})
    assert plain is not None
    assert plain.ignore is None
    assert not plain.debug


def test_the_option_table_is_validates_own() -> None:
    group = typer.main.get_command(cli.app)
    command = group.commands["validate"]  # type: ignore[attr-defined]  # a group
    values: set[str] = set()
    flags: set[str] = set()
    repeatable: set[str] = set()
    for param in command.params:
        if param.param_type_name != "option":
            continue
        (flags if param.is_flag else values).update(param.opts)
        if param.multiple:
            repeatable.add(param.name)
    assert values == set(VALUE_OPTIONS)
    assert flags == set(FLAG_OPTIONS)
    names = {p.name for p in command.params}
    assert set(VALUE_OPTIONS.values()) | set(FLAG_OPTIONS.values()) <= names
    assert repeatable == set(REPEATABLE)
    top_flags = {opt for p in group.params if getattr(p, "is_flag", False) for opt in p.opts}
    assert set(TOP_FLAGS) <= top_flags


def test_a_real_run_of_the_console_script(tmp_path: Path) -> None:
    """Through the process entry point, with real streams: the same as typer in process."""
    code = "import sys; sys.argv[0] = 'promoplan'\nfrom promoplan.process import main\nmain()\n"
    env = {**os.environ, "NO_COLOR": "1"}
    for args in (["validate", SEED, "-f", "github"], ["validate", "nowhere/x.yaml"]):
        done = subprocess.run(
            [sys.executable, "-c", code, *args],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
            check=False,
        )
        cwd = Path.cwd()
        os.chdir(ROOT)
        try:
            expected = run_cli(*args, env={"NO_COLOR": "1"})
        finally:
            os.chdir(cwd)
        assert (done.returncode, done.stdout, done.stderr) == tuple(expected)
