"""Findings as plain sentences, shared by the CI formats (github, junit, sarif).

A finding is a diagnostic or a firing alert. These functions only word them;
each CI format escapes the result its own way.
"""

from __future__ import annotations

from promoplan.diagnostics import Diagnostic
from promoplan.render.cells import alert_value
from promoplan.render.text import Units, format_group, format_location
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
    """``file:line:column`` with whatever parts are known (the plan file when none is named)."""
    return format_location(diag.file or default_file, diag.line, diag.column)


def alert_text(alert: AlertResult, *, currency: str = "CNY", units: Units = "cn") -> str:
    """What fired, in words: the metric's value against the threshold, where, and the action."""
    what = alert_value(alert, currency=currency, units=units)
    scope = ", ".join(part for part in (format_group(alert.group), alert.window) if part)
    text = f"{what} ({scope})" if scope else what
    if alert.action:
        text += f"; action: {alert.action}"
    return text
