"""``--format csv``: tidy rows, one per goal, budget line and alert (and headline KPI in a report).

Every row has the same columns (:data:`COLUMNS`); a column that does not apply
to a row's ``section`` is empty. Numbers are plain (``0.35``, ``61000000``),
never formatted, and empty when unknown. String cells are made one line and
terminal-safe (``safe_text``), then neutralised against formula injection
(``=HYPERLINK(...)`` becomes ``'=HYPERLINK(...)``); numbers are left alone.
Lines end with CRLF as RFC 4180 asks and as spreadsheets expect; the text is
UTF-8 without a byte-order mark, so that it pipes cleanly into other tools.
Diagnostics are not rows: they are in the exit status and the other formats.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from promoplan.render.json import plain_number
from promoplan.render.options import RenderOptions
from promoplan.render.text import neutralise_csv, safe_text
from promoplan.result import PlanResult, Run

COLUMNS = (
    "plan",
    "file",
    "section",
    "id",
    "label",
    "metric",
    "scope",
    "dimension",
    "group",
    "window",
    "direction",
    "condition",
    "unit",
    "currency",
    "target",
    "target_text",
    "actual",
    "baseline",
    "expected",
    "progress",
    "projection",
    "share",
    "planned",
    "spent",
    "used",
    "remaining",
    "value",
    "threshold",
    "previous",
    "change",
    "change_kind",
    "status",
    "severity",
    "action",
)


def _string(text: str | None) -> str:
    return neutralise_csv(safe_text(text)) if text else ""


def _number(value: float | None) -> str:
    number = plain_number(value)
    return "" if number is None else str(number)


def _plan_rows(plan: PlanResult) -> Iterator[dict[str, str]]:
    common = {
        "plan": _string(plan.name),
        "file": _string(plan.file),
        "currency": _string(plan.currency),
    }
    window = plan.window.label if plan.window is not None else ""
    if plan.report is not None:
        for kpi in plan.report.kpis:
            yield common | {
                "section": "kpi",
                "id": _string(kpi.metric),
                "label": _string(kpi.label),
                "metric": _string(kpi.metric),
                "window": _string(plan.report.window.label),
                "unit": kpi.unit,
                "value": _number(kpi.value),
                "previous": _number(kpi.previous),
                "change": _number(kpi.change),
                "change_kind": kpi.change_kind,
            }
    for goal in plan.goals:
        yield common | {
            "section": "goal",
            "id": _string(goal.id),
            "label": _string(goal.label),
            "metric": _string(goal.metric),
            "scope": _string(goal.scope),
            "window": _string(goal.window.label if goal.window is not None else window),
            "direction": goal.direction,
            "unit": goal.unit,
            "target": _number(goal.target),
            "target_text": _string(goal.target_text),
            "actual": _number(goal.actual),
            "baseline": _number(goal.baseline),
            "expected": _number(goal.expected),
            "progress": _number(goal.progress),
            "projection": _number(goal.projection),
            "status": goal.status,
        }
    for row in plan.budget:
        yield common | {
            "section": "budget",
            "id": _string(row.line),
            "label": _string(row.label),
            "window": _string(window),
            "unit": "currency",
            "share": _number(row.share),
            "planned": _number(row.planned),
            "spent": _number(row.spent),
            "used": _number(row.used),
            "expected": _number(row.expected),
            "remaining": _number(row.remaining),
            "status": row.status,
        }
    for alert in plan.alerts:
        yield common | {
            "section": "alert",
            "id": _string(alert.rule),
            "label": _string(alert.label),
            "metric": _string(alert.metric),
            # Separate columns keep the group value filterable: channel | kuaishou.
            "dimension": _string(";".join(name for name, _ in alert.group)),
            "group": _string(";".join(value for _, value in alert.group)),
            "window": _string(alert.window),
            "condition": alert.condition,
            "unit": alert.unit,
            "value": _number(alert.value),
            "threshold": _number(alert.threshold),
            "severity": alert.severity,
            "action": _string(alert.action),
        }


def render_csv(run: Run, options: RenderOptions) -> str:
    """A header and one row per KPI, goal, budget line and alert of every plan."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, restval="", lineterminator="\r\n")
    writer.writeheader()
    for plan in run.plans:
        writer.writerows(_plan_rows(plan))
    return buffer.getvalue()
