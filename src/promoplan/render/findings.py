"""Findings as plain sentences, shared by the CI formats (github, junit, sarif).

A finding is a diagnostic, a firing alert or a missed goal (one that counts: an
error when its whole period is over, else a warning). These functions only word
them; each CI format escapes the result its own way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from promoplan.diagnostics import SEVERITY_ORDER, Diagnostic, count_by_severity
from promoplan.render.cells import alert_value, goal_cells
from promoplan.render.text import (
    count_words,
    format_group,
    format_location,
    format_progress,
    one_line,
)
from promoplan.vocabulary import Units

if TYPE_CHECKING:  # check's results: validate's runs have none
    from promoplan.resultrows import AlertResult, GoalProgress


def diagnostic_message(diag: Diagnostic) -> str:
    """The message with its key path in brackets: ``shares sum to 90% (budget.lines)``."""
    return f"{diag.message} ({diag.path})" if diag.path else diag.message


def diagnostic_text(diag: Diagnostic, hint_joiner: str = "\n") -> str:
    """The message, its key path, and the hint after ``hint_joiner`` (each format has its own)."""
    text = diagnostic_message(diag)
    if diag.hint:
        text += f"{hint_joiner}{diag.hint}"
    return text


def diagnostic_line(diag: Diagnostic, default_file: str) -> str:
    """``file:line:col: error PP101 message (path)`` on one line, yamllint-style."""
    where = one_line(diagnostic_location(diag, default_file))
    return f"{where}: {diag.severity} {diag.code} {one_line(diagnostic_message(diag))}"


def diagnostic_listing(diagnostics: Sequence[Diagnostic], default_file: str) -> str:
    """Every diagnostic on its line, errors first, each hint indented below it."""
    ordered = sorted(diagnostics, key=lambda d: (SEVERITY_ORDER[d.severity], *d.sort_key()))
    lines = []
    for diag in ordered:
        lines.append(diagnostic_line(diag, default_file) + "\n")
        if diag.hint:
            lines.append(f"    hint: {one_line(diag.hint)}\n")
    return "".join(lines)


def severity_words(diagnostics: Sequence[Diagnostic]) -> str:
    """``1 error, 3 warnings``: the counts of ``diagnostics`` in words."""
    return count_words(count_by_severity(d.severity for d in diagnostics))


def diagnostic_location(diag: Diagnostic, default_file: str) -> str:
    """``file:line:column`` with whatever parts are known (the plan file when none is named)."""
    return format_location(diag.file or default_file, diag.line, diag.column)


def alert_text(alert: AlertResult, *, currency: str = "CNY", units: Units | None = None) -> str:
    """What fired, in words: the metric's value against the threshold, where, and the action."""
    what = alert_value(alert, currency=currency, units=units)
    scope = ", ".join(part for part in (format_group(alert.group), alert.window) if part)
    text = f"{what} ({scope})" if scope else what
    if alert.action:
        text += f"; action: {alert.action}"
    return text


def goal_text(goal: GoalProgress, *, currency: str = "CNY", units: Units | None = None) -> str:
    """A goal's standing in words: ``gmv_growth (gmv, period): missed; at_least 30%, actual
    27.6%, progress 92%``."""
    shown = goal_cells(goal, currency=currency, units=units)
    return (
        f"{goal.id} ({goal.metric}, {goal.scope}): {goal.status}; "
        f"{goal.direction} {shown.target}, actual {shown.actual}, "
        f"progress {format_progress(goal.progress)}"
    )


def counted_goals(goals: Sequence[GoalProgress]) -> list[GoalProgress]:
    """The goals that count like an alert (missed ones): findings, as alerts are."""
    return [goal for goal in goals if goal.severity is not None]
