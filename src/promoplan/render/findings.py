"""Findings as plain sentences, shared by the CI formats (github, junit, sarif).

A finding is a diagnostic or a firing alert. These functions only word them;
each CI format escapes the result its own way.
"""

from __future__ import annotations

from promoplan.diagnostics import Diagnostic
from promoplan.render.text import Units, format_value
from promoplan.result import AlertResult


def diagnostic_text(diag: Diagnostic) -> str:
    """The message, its key path in brackets, and the hint on a second line."""
    text = diag.message
    if diag.path:
        text += f" ({diag.path})"
    if diag.hint:
        text += f"\n{diag.hint}"
    return text


def diagnostic_location(diag: Diagnostic, default_file: str) -> str:
    """``file:line:column`` with whatever parts are known."""
    where = diag.file or default_file
    if diag.line is not None:
        where += f":{diag.line}"
        if diag.column is not None:
            where += f":{diag.column}"
    return where


def group_text(alert: AlertResult) -> str:
    """``channel=kuaishou``, or an empty string for a rule without ``by``."""
    return ", ".join(f"{key}={value}" for key, value in alert.group)


def alert_text(alert: AlertResult, *, currency: str = "CNY", units: Units = "cn") -> str:
    """What fired, in words: the metric's value against the threshold, where, and the action."""

    def value(number: float | None) -> str:
        return format_value(number, alert.unit, currency=currency, units=units)

    def share(number: float | None) -> str:
        return format_value(number, "percent")

    condition = alert.condition
    if condition == "below":
        what = f"{alert.metric} {value(alert.value)} is below {value(alert.threshold)}"
    elif condition == "above":
        what = f"{alert.metric} {value(alert.value)} is above {value(alert.threshold)}"
    elif condition == "drop_over":
        what = (
            f"{alert.metric} dropped {share(alert.value)} against the previous window "
            f"(more than {share(alert.threshold)})"
        )
    elif condition == "rise_over":
        what = (
            f"{alert.metric} rose {share(alert.value)} against the previous window "
            f"(more than {share(alert.threshold)})"
        )
    elif condition == "over_budget":
        what = f"spent {value(alert.value)}, over the planned {value(alert.threshold)}"
    else:  # "ahead"
        what = f"spent {value(alert.value)}, ahead of the paced {value(alert.threshold)}"
    scope = ", ".join(part for part in (group_text(alert), alert.window) if part)
    text = f"{what} ({scope})" if scope else what
    if alert.action:
        text += f"; action: {alert.action}"
    return text
