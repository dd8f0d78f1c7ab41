"""``--format github``: GitHub Actions workflow commands that annotate the offending lines.

One ``::error``/``::warning``/``::notice`` command per diagnostic, per firing
alert and per missed goal (placed on the goal in the plan), then one summary
line that is not a command. Every value is escaped as the runner expects, so
no plan text can end a command early or start a new one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from promoplan.diagnostics import Diagnostic
from promoplan.render.findings import alert_text, counted_goals, diagnostic_text, goal_text
from promoplan.render.options import RenderOptions
from promoplan.render.text import safe_lines
from promoplan.result import PlanResult, Run

if TYPE_CHECKING:  # check's results: validate's runs have none
    from promoplan.resultrows import AlertResult, GoalProgress

COMMAND_BY_SEVERITY = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    """Escape a command's message: ``%``, CR and LF (the runner decodes them back)."""
    return safe_lines(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a property value: as a message, plus ``:`` and ``,``.

    A line break is ``%0A`` as in a message, not a visible ``\\u000a``: the runner
    decodes it back, so a file name with a newline in it names the real file.
    """
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def workflow_command(
    severity: str,
    message: str,
    *,
    file: str | None = None,
    line: int | None = None,
    column: int | None = None,
    title: str | None = None,
) -> str:
    """One annotation command, e.g. ``::error file=p.yaml,line=3,col=5,title=PP101::msg``."""
    props: list[str] = []
    if file:
        props.append(f"file={escape_property(file)}")
    if line is not None:
        props.append(f"line={line}")
        if column is not None:
            props.append(f"col={column}")
    if title:
        props.append(f"title={escape_property(title)}")
    head = COMMAND_BY_SEVERITY[severity]
    if props:
        head += " " + ",".join(props)
    return f"::{head}::{escape_data(message)}"


def _diagnostic_command(plan: PlanResult, diag: Diagnostic) -> str:
    return workflow_command(
        diag.severity,
        diagnostic_text(diag),
        file=diag.file or plan.file,
        line=diag.line,
        column=diag.column,
        title=diag.code,
    )


def _alert_command(plan: PlanResult, alert: AlertResult, options: RenderOptions) -> str:
    return workflow_command(
        alert.severity,
        alert_text(alert, currency=plan.currency, units=options.units_for(plan)),
        file=plan.file,
        line=alert.line,
        column=alert.column,
        title=alert.rule,
    )


def _goal_command(plan: PlanResult, goal: GoalProgress, options: RenderOptions) -> str:
    assert goal.severity is not None  # only the goals that count
    return workflow_command(
        goal.severity,
        goal_text(goal, currency=plan.currency, units=options.units_for(plan)),
        file=plan.file,
        line=goal.line,
        column=goal.column,
        title=f"goal {goal.id}",
    )


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def render_github(run: Run, options: RenderOptions) -> str:
    """Workflow commands for every diagnostic, missed goal and alert, then a one-line summary."""
    lines: list[str] = []
    for plan in run.plans:
        lines.extend(_diagnostic_command(plan, diag) for diag in plan.diagnostics)
        lines.extend(_goal_command(plan, goal, options) for goal in counted_goals(plan.goals))
        lines.extend(_alert_command(plan, alert, options) for alert in plan.alerts)
    counts = run.counts
    # The summary holds only numbers, so it can never be read as a command.
    lines.append(
        f"promoplan {run.command}: {_plural(len(run.plans), 'plan')}, "
        f"{_plural(counts['error'], 'error')}, {_plural(counts['warning'], 'warning')}, "
        f"{_plural(counts['info'], 'info')}"
    )
    return "\n".join(lines) + "\n"
