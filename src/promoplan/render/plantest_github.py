"""``promoplan test --format github``: an annotation at each failing test's line.

A failing test is an ``::error`` at its ``name`` line in the test file, titled
``FAIL <name>``, with the side-by-side comparison as its message; a test that
could not run, and each problem of a broken test file, is an ``::error`` at the
finding's own line (a fixture row, a key of the test file). Passing tests print
nothing; the last line is the summary, which is not a command.
"""

from __future__ import annotations

from promoplan.plantest.result import PlanTestRun
from promoplan.render.github import workflow_command
from promoplan.render.plantest_words import failure_lines, summary


def render_test_github(run: PlanTestRun) -> str:
    """Workflow commands for every failure and broken file, then the summary line."""
    lines: list[str] = []
    for suite in run.suites:
        for diag in (*suite.diagnostics, *suite.plan_diagnostics):
            if diag.severity != "error":
                continue
            text = diag.message + (f" ({diag.path})" if diag.path else "")
            if diag.hint:
                text += f"\n{diag.hint}"
            lines.append(
                workflow_command(
                    "error",
                    text,
                    file=diag.file or suite.file,
                    line=diag.line,
                    column=diag.column,
                    title=diag.code,
                )
            )
        for case in suite.cases:
            if case.status == "pass":
                continue
            errors = [d for d in case.diagnostics if d.severity == "error"]
            if case.status == "error" and errors:
                lines.extend(
                    workflow_command(
                        "error",
                        d.message,
                        file=d.file or suite.file,
                        line=d.line,
                        column=d.column,
                        title=f"{d.code} in test {case.name}",
                    )
                    for d in errors
                )
                continue
            lines.append(
                workflow_command(
                    "error",
                    "\n".join(failure_lines(case)),
                    file=suite.file,
                    line=case.line,
                    column=case.column,
                    title=f"FAIL {case.name}",
                )
            )
    # Only numbers: the summary can never be read as a command.
    counts = summary(run.count("pass"), run.count("fail"), run.count("error"), run.broken)
    lines.append(f"promoplan test: {counts}")
    return "\n".join(lines) + "\n"
