"""``promoplan test`` as a command: run the tests, render them in one format, exit status.

Formats: ``table`` (default), ``json``, ``junit``, ``github``, and ``auto``
(``github`` under GitHub Actions, else ``table``). Each is one renderer module.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from typing_extensions import assert_never

from promoplan.errors import UsageProblem
from promoplan.plantest.result import PlanTestRun
from promoplan.render import RenderOptions

TestFormat = Literal["table", "json", "junit", "github"]
TEST_FORMATS = ("table", "json", "junit", "github", "auto")


def choose_test_format(fmt: str | None) -> TestFormat:
    """``--format``; a usage problem for an unknown one."""
    chosen = (fmt or "table").lower()
    if chosen == "auto":
        return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "table"
    if chosen == "table":
        return "table"
    if chosen == "json":
        return "json"
    if chosen == "junit":
        return "junit"
    if chosen == "github":
        return "github"
    raise UsageProblem(f"unknown format {fmt!r} for test; choose one of: {', '.join(TEST_FORMATS)}")


def render_test_run(fmt: TestFormat, run: PlanTestRun, options: RenderOptions) -> str:
    """Render ``run`` in ``fmt``; only the github format's own lines are workflow commands."""
    from promoplan.render.text import neutralise_workflow_commands  # noqa: PLC0415  # lazy

    match fmt:
        case "table":
            from promoplan.render.plantest_table import render_test_table  # noqa: PLC0415

            return neutralise_workflow_commands(render_test_table(run, options), "table")
        case "json":
            from promoplan.render.plantest_json import render_test_json  # noqa: PLC0415

            return neutralise_workflow_commands(render_test_json(run), "json")
        case "junit":
            from promoplan.render.plantest_junit import render_test_junit  # noqa: PLC0415

            return neutralise_workflow_commands(render_test_junit(run), "junit")
        case "github":
            from promoplan.render.plantest_github import render_test_github  # noqa: PLC0415

            return render_test_github(run)
        case _:
            assert_never(fmt)


def run_test_command(
    paths: Sequence[Path],
    *,
    select: str | None,
    fmt: TestFormat,
    options: RenderOptions,
    output: Path | None,
) -> int:
    """Run the tests under ``paths``, write them in ``fmt``, return 0, 1 or 2."""
    from promoplan.output import emit  # noqa: PLC0415  # only the command writes
    from promoplan.plantest.runner import run_tests  # noqa: PLC0415  # DuckDB on use

    run: PlanTestRun = run_tests(paths, select=select)
    emit(render_test_run(fmt, run, options), output)
    return run.exit_status
