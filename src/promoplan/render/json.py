"""``--format json``: the versioned JSON document of SPEC section 8.

Key names and order are part of the contract; adding keys is allowed, renaming
or removing them bumps ``schema_version``.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from typing import TYPE_CHECKING, Any

from promoplan import __version__
from promoplan.diagnostics import Diagnostic
from promoplan.render.options import RenderOptions
from promoplan.result import PlanResult, Run, Window

if TYPE_CHECKING:  # check's and report's results: validate's documents have none
    from promoplan.resultreport import Kpi, ReportData
    from promoplan.resultrows import AlertResult, BudgetRow, Forecast, GoalProgress

SCHEMA_VERSION = 1

# Characters json.dumps(ensure_ascii=False) leaves raw but a terminal or an editor
# would act on: DEL and C1 controls, bidi overrides, zero-width characters, line and
# paragraph separators, lone surrogates. They can only occur inside strings, where a
# \uXXXX escape decodes to the very same value.
_RAW_UNSAFE = re.compile(r"[\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ud800-\udfff]")

_MAX_EXACT_INT = 2**53


def plain_number(value: float | None) -> float | int | None:
    """A number as JSON should carry it: ``None`` when unknown or not finite.

    Binary noise is trimmed to 15 significant digits (``0.1 + 0.2`` is ``0.3``), and a
    whole number prints without ``.0`` (``61000000``).
    """
    if value is None or not math.isfinite(value):
        return None
    number = float(f"{value:.15g}")
    if not math.isfinite(number):  # 1.7976931348623157e308 rounds up past the largest float
        number = value
    if number.is_integer() and abs(number) < _MAX_EXACT_INT:
        return int(number)
    return number


def _date(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _window(window: Window | None) -> dict[str, Any] | None:
    if window is None:
        return None
    found = {"label": window.label, "start": _date(window.start), "end": _date(window.end)}
    if window.summed is not None:  # weekly or monthly rows: the whole rows summed
        found["summed"] = window.summed
    return found


def diagnostic_document(diag: Diagnostic) -> dict[str, Any]:
    """A diagnostic as JSON: code, severity, message, file, line, column, path, hint."""
    return {
        "code": diag.code,
        "severity": diag.severity,
        "message": diag.message,
        "file": diag.file,
        "line": diag.line,
        "column": diag.column,
        "path": diag.path,
        "hint": diag.hint,
    }


def _goal(goal: GoalProgress) -> dict[str, Any]:
    return {
        "id": goal.id,
        "metric": goal.metric,
        "scope": goal.scope,
        "direction": goal.direction,
        "target": plain_number(goal.target),
        "actual": plain_number(goal.actual),
        "baseline": plain_number(goal.baseline),
        "expected": plain_number(goal.expected),
        "progress": plain_number(goal.progress),
        "projection": plain_number(goal.projection),
        "status": goal.status,
        "label": goal.label,
        "kind": goal.kind,
        "unit": goal.unit,
        "window": _window(goal.window),
        "target_text": goal.target_text,
        "notes": goal.notes,
        "pacing": goal.pacing,
        "forecast": _forecast(goal.forecast),
        "severity": goal.severity,
        "line": goal.line,
        "column": goal.column,
    }


def _forecast(forecast: Forecast | None) -> dict[str, Any] | None:
    """The forecast at the end of the goal's span, with its 80% interval (null when unknown)."""
    if forecast is None:
        return None
    return {
        "method": forecast.method,
        "to": forecast.to.isoformat(),
        "value": plain_number(forecast.value),
        "low": plain_number(forecast.low),
        "high": plain_number(forecast.high),
    }


def _budget(row: BudgetRow) -> dict[str, Any]:
    return {
        "line": row.line,
        "share": plain_number(row.share),
        "planned": plain_number(row.planned),
        "spent": plain_number(row.spent),
        "expected": plain_number(row.expected),
        "remaining": plain_number(row.remaining),
        "status": row.status,
        "label": row.label,
        "depth": row.depth,
        "used": plain_number(row.used),
        "spent_share": plain_number(row.spent_share),
    }


def alert_document(alert: AlertResult) -> dict[str, Any]:
    """An alert as JSON (also the alerts of ``promoplan test --format json``)."""
    return {
        "rule": alert.rule,
        "severity": alert.severity,
        "metric": alert.metric,
        "value": plain_number(alert.value),
        "threshold": plain_number(alert.threshold),
        "condition": alert.condition,
        "group": dict(alert.group),
        "window": alert.window,
        "action": alert.action,
        "label": alert.label,
        "unit": alert.unit,
    }


def _kpi(kpi: Kpi) -> dict[str, Any]:
    return {
        "metric": kpi.metric,
        "value": plain_number(kpi.value),
        "previous": plain_number(kpi.previous),
        "change": plain_number(kpi.change),
        "change_kind": kpi.change_kind,
        "label": kpi.label,
        "unit": kpi.unit,
    }


def _report(report: ReportData | None) -> dict[str, Any] | None:
    if report is None:
        return None
    return {
        "window": _window(report.window),
        "kpis": [_kpi(kpi) for kpi in report.kpis],
        "kind": report.kind,
        "previous": _window(report.previous),
    }


def plan_document(plan: PlanResult, command: str) -> dict[str, Any]:
    """One entry of ``plans``; ``report`` is added for report runs (null when none was made)."""
    entry: dict[str, Any] = {
        "file": plan.file,
        "name": plan.name,
        "period": (
            {"start": _date(plan.period[0]), "end": _date(plan.period[1])}
            if plan.period is not None
            else None
        ),
        "as_of": _date(plan.as_of),
        "window": _window(plan.window),
        "status": plan.status,
        "counts": dict(plan.counts),
        "diagnostics": [diagnostic_document(d) for d in plan.diagnostics],
        "goals": [_goal(g) for g in plan.goals],
        "budget": [_budget(b) for b in plan.budget],
        "alerts": [alert_document(a) for a in plan.alerts],
        "currency": plan.currency,
    }
    if command == "report":
        entry["report"] = _report(plan.report)
    return entry


def run_document(run: Run) -> dict[str, Any]:
    """The whole document as plain data (what :func:`render_json` serialises)."""
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "promoplan", "version": __version__},
        "plans": [plan_document(plan, run.command) for plan in run.plans],
    }


def json_text(document: dict[str, Any]) -> str:
    """``document`` as indented JSON: no NaN, readable Chinese, terminal-safe strings."""
    text = json.dumps(document, allow_nan=False, ensure_ascii=False, indent=2)
    return _RAW_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"


def render_json(run: Run, options: RenderOptions) -> str:
    """The JSON document, indented, keys in contract order, no NaN, terminal-safe strings."""
    return json_text(run_document(run))
