"""Running promoplan's CLI in process: the one runner behind the ``cli`` fixture (conftest.py).

Every run is checked for the things no run may show, whatever its arguments: a traceback,
an exception escaping the CLI, or an internal error (exit 3). Tests then assert on the
exit status, stdout and stderr, which are kept apart (click >= 8.2 always separates them).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from typing import NamedTuple, Protocol

from typer.testing import CliRunner

from promoplan.cli import app

Arg = object  # a path, a string, or a number written as text


class CliResult(NamedTuple):
    """What one run gave; unpacks as ``status, stdout, stderr``."""

    exit_code: int
    stdout: str
    stderr: str


class Cli(Protocol):
    """The ``cli`` fixture's type: ``cli("check", plan, "--actuals", folder, env=...)``."""

    def __call__(
        self, *args: Arg, env: Mapping[str, str] | None = None, input: str | bytes | None = None
    ) -> CliResult:
        """Run ``promoplan ARGS``."""
        ...


def run_cli(
    *args: Arg, env: Mapping[str, str] | None = None, input: str | bytes | None = None
) -> CliResult:
    """Run ``promoplan ARGS`` in process; fail on a traceback, an escaped exception or exit 3."""
    result = CliRunner().invoke(
        app,
        [os.fspath(a) if isinstance(a, (str, os.PathLike)) else str(a) for a in args],
        env=dict(env) if env is not None else None,
        input=input,
        # An exception escaping the CLI is a bug: let pytest show it where it was raised.
        catch_exceptions=False,
    )
    text = result.stdout + result.stderr
    assert "Traceback" not in text, text
    assert result.exit_code != 3, f"internal error: {text}"
    return CliResult(result.exit_code, result.stdout, result.stderr)


def run_isolated(run: Callable[[], object], env: Mapping[str, str] | None = None) -> CliResult:
    """Call ``run`` (``promoplan.cli.main``, or the app itself) with the streams and the
    environment the test runner gives a command; its exit status from ``SystemExit``."""
    status = 0
    with CliRunner().isolation(env=dict(env or {})) as (stdout, stderr, _):
        try:
            run()
        except SystemExit as stop:
            status = stop.code if isinstance(stop.code, int) else 1
        sys.stdout.flush()
        sys.stderr.flush()
        return CliResult(status, stdout.getvalue().decode(), stderr.getvalue().decode())
