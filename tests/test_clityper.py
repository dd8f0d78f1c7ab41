"""Options converted without a pydantic adapter get what typer's adapter gives them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer._click import Context
from typer._coercion import build_runtime_param

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
        assert got == expected, (name, param.name, value)


def _outcome(convert: Any) -> tuple[str, Any]:
    try:
        result = convert()
    except Exception as exc:  # the adapter's refusal must be the converter's too
        return ("error", f"{type(exc).__name__}: {exc}")
    return ("value", (type(result).__name__, result))
