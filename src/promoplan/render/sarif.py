"""``--format sarif``: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

One run whose driver lists a rule for every diagnostic code (and one per alert
rule that fired, as ``alert/<rule>``, and one per missed goal, as
``goal/<id>``); one result per diagnostic, per firing alert and per missed
goal, located by a relative URI and a 1-based line and column (an alert on its
rule, a goal on its key in the plan). No URLs point anywhere: the tool is
offline. A finding whose place is unknown is put on line 1 of the plan, where
code scanning can show it.
"""

from __future__ import annotations

import json
import math
import os
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from promoplan import __version__
from promoplan.diagnostics import CODES, Diagnostic
from promoplan.render.findings import alert_text, counted_goals, diagnostic_text, goal_text
from promoplan.render.options import RenderOptions
from promoplan.render.text import safe_lines, safe_text
from promoplan.result import PlanResult, Run

if TYPE_CHECKING:  # check's results: validate's runs have none
    from promoplan.resultrows import AlertResult, GoalProgress

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVEL_BY_SEVERITY = {"error": "error", "warning": "warning", "info": "note"}

# What to do about each code: the rule's help text.
HELP: dict[str, str] = {
    "PP001": "Fix the YAML syntax at the line shown; quote values that contain ': ' or start "
    "with a special character, indent with spaces, and save the file as UTF-8.",
    "PP002": "Remove or rename the second occurrence of the key; YAML would otherwise keep "
    "only one of the values.",
    "PP003": "Check the key's spelling and type against the plan format "
    "(promoplan schema prints it as JSON Schema).",
    "PP004": 'Write a quantity: 35% or 0.35, "1:3", 5000万, 1.2M, ￥2,000, or a placeholder '
    "(X, TBD) while the target is not set.",
    "PP005": 'Quote the whole value when the "#" belongs to it (name: "Promo #1"), or put a '
    "space after the # of a comment.",
    "PP010": "Split the plan or remove deep nesting and aliases: plans are capped in size, "
    "depth and alias expansion.",
    "PP101": "Make the top-level budget shares add up to 100%, e.g. by adjusting the reserve.",
    "PP102": "Make the shares of a line's sub-lines add up to the line's own share.",
    "PP103": "Make each amount equal total x share, and the amounts sum to the total.",
    "PP104": "Map the channel to an existing budget line (dotted, e.g. traffic.public), or add "
    "that line to the budget.",
    "PP110": "Give quarters start and end dates that tile the period with no gap or overlap.",
    "PP111": "Move the event's dates inside its quarter, or move the event to the right quarter.",
    "PP112": "Give a weight to all four quarters or to none, summing to 100%.",
    "PP120": "Set the target when it is known; until then the goal shows status 'unset'. "
    "Add PP120 to the plan's ignore list to accept it.",
    "PP121": "Define the metric under 'metrics', or fix the name the goal or alert uses.",
    "PP122": "Fix the formula: only metric names, numbers, + - * / and parentheses, "
    "with no metric defined in terms of itself.",
    "PP123": "Check the target against its goal: e.g. an at_least target below the baseline "
    "is already met.",
    "PP124": "Define the metric with expr over the columns (multiplied per row, then summed) "
    "instead of a formula that multiplies two totals.",
    "PP125": "Unpivot the measure's columns under actuals.unpivot.measures, or drop the split "
    "by the unpivot dimension.",
    "PP126": "Remove the error code from the plan's ignore: list; pass --ignore on the "
    "command line where an error is to be accepted.",
    "PP127": "Read the metric's own rows with column: NAME in a long table, or combine "
    "metrics with formula.",
    "PP128": "Read the unpivoted measure with a column: metric and compute the value with "
    "formula: over metrics; an expr is per row, where the measure has one column per value.",
    "PP129": "Correct the code in ignore: (promoplan's codes are listed in the README), or "
    "remove it.",
    "PP130": "Fix the curve file at the line named: one row per day or per week of the "
    "period (date,share), no gaps, shares summing to 100%, beside the plan.",
    "PP131": "Write the dimension as actuals.dimensions declares it (by: channel, not chanel), "
    "or declare the column under actuals.dimensions when the actuals do have it.",
    "PP140": "Write the webhook URL or secret as a ${NAME} reference and export NAME in the "
    "environment of the job; rotate a key that was committed.",
    "PP141": "Write actuals.source as postgresql://user@host/db or sc://host:15002 with the "
    "table in actuals.table; a password as ${NAME} or in PGPASSWORD or ~/.pgpass, never in the "
    "plan; pass a DuckDB file with --actuals.",
    "PA001": "Pass actuals as CSV (UTF-8), compressed CSV, an Excel workbook or Parquet, "
    "with a header row and data rows.",
    "PA002": "Add the column to an actuals file, or change the metric's column; its goals "
    "show no_data until then.",
    "PA003": "Fix the cell so that it holds a number (thousands separators, currency signs "
    "and % are fine).",
    "PA004": "Write dates as 2025-01-05, or declare actuals.date_format for day- or "
    "month-first dates.",
    "PA005": "Re-save the file as UTF-8, or pass --encoding, to silence this note.",
    "PA006": "Repair the CSV: every row needs as many fields as the header, quotes must close, "
    "and headers must be unique.",
    "PA010": "Remove the repeated rows, or declare actuals.grain: rows for order-level data; "
    "across two files the later file's values are counted.",
    "PA011": "Map the channel to a budget line under 'channels', or leave its spend unmapped.",
    "PA012": "Nothing to do unless the rows were meant to count: check the plan's period.",
    "PA013": "Refresh the file that carries the lagging metric: it stops earlier than the others.",
    "PA015": "Add a metric with column: NAME to read one of the names; otherwise nothing "
    "is needed.",
    "PA014": "Pass actuals that cover last year's aligned days, or pace the goal by a curve "
    "file; until then it is paced by the quarter weights.",
    "PA016": "Nothing to do: the file was given twice, or is a copy of another, and counts once.",
    "PA017": "Split the actuals into files of fewer dates, or read fewer dimensions or "
    "min/max metrics.",
    "PA018": "Export the id column as text (or from the source system, not a spreadsheet): "
    "the rounded values merge ids that differ in their last digits.",
    "PA020": "Check the data feed: the actuals stop more than a week before the report's "
    "window ends.",
    "PA022": "Check the data feed: the actuals stop before the report's window starts, so "
    "it holds none; to report an earlier window, pass --as-of.",
    "PA021": "Give actuals that cover the baseline's dates, or write 'baseline: partial' on a "
    "growth goal to compare the part that exists with the same days this year.",
    "PA030": "Check the source URL's host, port and database, and that the server runs.",
    "PA031": "Give the password through PGPASSWORD, ~/.pgpass, a service file or ${ENV_VAR}, "
    "and grant the user SELECT on the table.",
    "PA032": "Fix the table name in ?table= or actuals.table; the hint lists the tables.",
    "PA033": "Set actuals.date to the table's date column; the message lists the columns.",
    "PA034": "Read a view that casts the column to DATE or NUMERIC.",
    "PA035": "Raise --timeout, or make the query cheaper (an index on the date column).",
    "PA036": "Remove the id-like dimension from the plan, or aggregate it away in a view.",
    "PT001": "Fix the path in the test file (relative to the test file's directory), or add "
    "the missing plan or fixture file.",
    "PT002": "Rename one of the tests: names select tests (--run) and name JUnit testcases.",
    "PT003": "Give the test a period promoplan check accepts: ytd, qtd, mtd, last-week, Q2, "
    "2025, 2025-Q2, 2025-06 or 2025-W23.",
}


def artifact_uri(file: str) -> str:
    """A relative URI reference for ``file`` (forward slashes, percent-encoded)."""
    path = file.replace(os.sep, "/") if os.sep != "/" else file
    if os.path.isabs(file):
        try:
            relative = os.path.relpath(file)
        except ValueError:  # another drive on Windows: no relative path exists
            relative = None
        if relative is not None and not relative.startswith(".."):
            path = relative.replace(os.sep, "/")
    return quote(safe_text(path), safe="/")


def _text(text: str) -> str:
    return safe_lines(text)


def _number(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def _code_rule(code: str) -> dict[str, Any]:
    severity, title = CODES[code]
    return {
        "id": code,
        "shortDescription": {"text": title},
        "fullDescription": {"text": f"{code}: {title}."},
        "help": {"text": HELP.get(code, title)},
        "defaultConfiguration": {"level": LEVEL_BY_SEVERITY[severity]},
        "properties": {"tags": ["plan" if code.startswith("PP") else "actuals"]},
    }


def _alert_rule(alert: AlertResult) -> dict[str, Any]:
    description = _text(alert.label if alert.label != alert.rule else f"alert rule {alert.rule}")
    help_text = f"Action: {alert.action}" if alert.action else description
    return {
        "id": f"alert/{_text(alert.rule)}",
        "shortDescription": {"text": description},
        "help": {"text": _text(help_text)},
        "defaultConfiguration": {"level": LEVEL_BY_SEVERITY[alert.severity]},
        "properties": {"tags": ["alert"]},
    }


def _goal_rule(goal: GoalProgress) -> dict[str, Any]:
    assert goal.severity is not None  # only the goals that count
    description = _text(goal.label if goal.label != goal.id else f"goal {goal.id}")
    return {
        "id": f"goal/{_text(goal.id)}",
        "shortDescription": {"text": description},
        "help": {"text": "The goal's window is over and its target was not reached."},
        "defaultConfiguration": {"level": LEVEL_BY_SEVERITY[goal.severity]},
        "properties": {"tags": ["goal"]},
    }


def _location(file: str, line: int | None, column: int | None) -> dict[str, Any]:
    region: dict[str, int] = {"startLine": line if line and line > 0 else 1}
    if line and line > 0 and column and column > 0:
        region["startColumn"] = column
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": artifact_uri(file)},
            "region": region,
        }
    }


def _diagnostic_result(plan: PlanResult, diag: Diagnostic, index: int) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": diag.code,
        "level": LEVEL_BY_SEVERITY[diag.severity],
        "message": {"text": _text(diagnostic_text(diag))},
        "locations": [_location(diag.file or plan.file, diag.line, diag.column)],
    }
    if index >= 0:
        result["ruleIndex"] = index
    if diag.path:
        result["properties"] = {"path": _text(diag.path)}
    return result


def _finding(
    rule_id: str,
    index: int,
    severity: str,
    text: str,
    *,
    location: dict[str, Any],
    properties: dict[str, Any],
) -> dict[str, Any]:
    """A result of a rule of promoplan's own (an alert rule, a goal) at ``location``."""
    return {
        "ruleId": rule_id,
        "ruleIndex": index,
        "level": LEVEL_BY_SEVERITY[severity],
        "message": {"text": _text(text)},
        "locations": [location],
        "properties": properties,
    }


def _alert_result(
    plan: PlanResult, alert: AlertResult, index: int, options: RenderOptions
) -> dict[str, Any]:
    return _finding(
        f"alert/{_text(alert.rule)}",
        index,
        alert.severity,
        alert_text(alert, currency=plan.currency, units=options.units_for(plan)),
        location=_location(plan.file, alert.line, alert.column),
        properties={
            "metric": _text(alert.metric),
            "value": _number(alert.value),
            "threshold": _number(alert.threshold),
            "condition": alert.condition,
            "group": {_text(key): _text(value) for key, value in alert.group},
            "window": _text(alert.window),
        },
    )


def _goal_result(
    plan: PlanResult, goal: GoalProgress, index: int, options: RenderOptions
) -> dict[str, Any]:
    assert goal.severity is not None  # only the goals that count
    return _finding(
        f"goal/{_text(goal.id)}",
        index,
        goal.severity,
        goal_text(goal, currency=plan.currency, units=options.units_for(plan)),
        location=_location(plan.file, goal.line, goal.column),
        properties={
            "metric": _text(goal.metric),
            "scope": _text(goal.scope),
            "direction": goal.direction,
            "target": _number(goal.target),
            "actual": _number(goal.actual),
            "progress": _number(goal.progress),
            "status": goal.status,
        },
    )


def render_sarif(run: Run, options: RenderOptions) -> str:
    """A SARIF 2.1.0 log with one run."""
    rules = [_code_rule(code) for code in CODES]
    index_by_rule = {code: number for number, code in enumerate(CODES)}
    results: list[dict[str, Any]] = []
    for plan in run.plans:
        for diag in plan.diagnostics:
            results.append(_diagnostic_result(plan, diag, index_by_rule.get(diag.code, -1)))
        for goal in counted_goals(plan.goals):
            rule_id = f"goal/{_text(goal.id)}"
            if rule_id not in index_by_rule:
                index_by_rule[rule_id] = len(rules)
                rules.append(_goal_rule(goal))
            results.append(_goal_result(plan, goal, index_by_rule[rule_id], options))
        for alert in plan.alerts:
            rule_id = f"alert/{_text(alert.rule)}"
            if rule_id not in index_by_rule:
                index_by_rule[rule_id] = len(rules)
                rules.append(_alert_rule(alert))
            results.append(_alert_result(plan, alert, index_by_rule[rule_id], options))
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "promoplan",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": rules,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(log, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
