"""Options converted without a pydantic adapter get what typer's adapter gives them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer._click import Context
from typer._coercion import build_runtime_param

from clirunner import run_isolated
from promoplan import cli
from promoplan.clityper import PlainValues

VALUES: list[Any] = [
    "",
    "plan.yaml",
    "-",
    " spaced name ",
    "中文.yaml",
    "\udcff-undecodable",
    "/dev/null",
    "tests",
    ["a.yaml", "b.yaml"],
    ("a.yaml",),
    [],
    True,
    False,
    3,
]


def _params() -> list[tuple[str, Any, Any]]:
    group = typer.main.get_command(cli.app)
    found = [("promoplan", group, p) for p in group.params]
    for name, command in group.commands.items():  # type: ignore[attr-defined]  # a group
        found.extend((name, command, p) for p in command.params)
    return found


def test_text_options_take_the_plain_converter() -> None:
    plain = {
        (name, p.name) for name, _, p in _params() if isinstance(p._runtime_param, PlainValues)
    }
    assert ("validate", "paths") in plain
    assert ("check", "actuals") in plain
    assert ("report", "notify") in plain
    assert ("promoplan", "debug") in plain


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_plain_values_are_the_adapters(value: Any, tmp_path: Path) -> None:
    for name, command, param in _params():
        ours = param._runtime_param
        if not isinstance(ours, PlainValues):
            continue
        ctx = Context(command, info_name=name)
        theirs = build_runtime_param(param.type_descriptor)
        expected = _outcome(lambda: theirs.coerce(value, param=param, ctx=ctx))  # noqa: B023
        got = _outcome(lambda: ours.coerce(value, param=param, ctx=ctx))  # noqa: B023
        if ours.element is Path and not ours.is_list and value == "":
            # The one difference: the adapter makes "" the current directory (Path("")
            # is "."); an empty path is an unset variable, refused.
            assert expected == ("value", ("PosixPath", Path()))
            assert got[0] == "error"
            assert "'' is empty (an unset variable?); name a file" in got[1]
            continue
        assert got == expected, (name, param.name, value)


def _outcome(convert: Any) -> tuple[str, Any]:
    try:
        result = convert()
    except Exception as exc:  # the adapter's refusal must be the converter's too
        return ("error", f"{type(exc).__name__}: {exc}")
    return ("value", (type(result).__name__, result))


@pytest.mark.parametrize(
    "args",
    [["validate", ""], ["validate", "plans", " "], ["check", "", "-a", "x.csv"], ["init", ""]],
)
def test_an_empty_path_is_refused_not_read_as_the_current_directory(args: list[str]) -> None:
    """``promoplan validate "$PLAN"`` with PLAN unset validated every plan below ``.``."""
    shown = run_isolated(lambda: cli.app(args, prog_name="promoplan"))
    assert shown.exit_code == 2
    assert "is empty (an unset variable?); name a file" in shown.stderr
    assert shown.stdout == ""


def _without_root_reads() -> list[str] | None:
    """A command prefix under which file permissions apply: none for another user, setpriv
    without the capabilities that let root read anything; None when there is none."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return None
    caps = "-dac_override,-dac_read_search"
    return [setpriv, f"--bounding-set={caps}", f"--inh-caps={caps}"]


@pytest.mark.parametrize("command", ["check", "report", "test"])
def test_an_unreadable_file_is_one_line_not_a_usage_box(tmp_path: Path, command: str) -> None:
    prefix = _without_root_reads()
    if prefix is None:
        pytest.skip("needs a non-root user or setpriv")
    secret = tmp_path / ("secret.test.yaml" if command == "test" else "secret.yaml")
    secret.write_text("promoplan: 1\n", encoding="utf-8")
    secret.chmod(0)
    args = [command, str(secret)] + ([] if command == "test" else ["-a", str(secret)])
    done = subprocess.run(
        [*prefix, sys.executable, "-m", "promoplan", *args],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr == f"promoplan: {secret}: permission denied; make the file readable\n"


def test_an_unreadable_plan_directory_is_said_so_not_empty(tmp_path: Path) -> None:
    """validate DIR of a directory it cannot list said "no *.yaml files" (nothing to do)."""
    prefix = _without_root_reads()
    if prefix is None:
        pytest.skip("needs a non-root user or setpriv")
    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "plan.yaml").write_text("promoplan: 1\n", encoding="utf-8")
    plans.chmod(0)
    try:
        done = subprocess.run(
            [*prefix, sys.executable, "-m", "promoplan", "validate", str(plans)],
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        plans.chmod(0o755)
    assert done.returncode == 2
    assert done.stderr == f"promoplan: {plans}: permission denied; make the directory readable\n"
