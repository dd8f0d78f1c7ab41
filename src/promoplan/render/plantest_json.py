"""``promoplan test --format json``: every test's outcome as one versioned JSON document.

``{"schema_version": 1, "tool": {...}, "summary": {"passed", "failed", "errors",
"broken_files"}, "files": [{"file", "plan", "broken", "diagnostics",
"plan_diagnostics", "tests": [{"name", "status", "line", "column", "as_of",
"window", "rules", "problems", "alerts": [{"kind", "expected", "actual",
"differing", "quiet", "line", "column"}], "values": [...], "diagnostics"}]}]}``.
Adding keys does not bump ``schema_version``; renaming or removing does.
"""

from __future__ import annotations

from typing import Any

from promoplan import __version__
from promoplan.plantest.result import (
    AlertCheck,
    CaseResult,
    FieldValue,
    PlanTestRun,
    Quiet,
    SuiteResult,
    ValueCheck,
)
from promoplan.render.json import alert_document, diagnostic_document, json_text, plain_number
from promoplan.result import AlertResult

SCHEMA_VERSION = 1


def _value(value: FieldValue) -> Any:
    if isinstance(value, float):
        return plain_number(value)
    if isinstance(value, tuple):
        return dict(value)
    return value


def _alert(alert: AlertResult | None) -> dict[str, Any] | None:
    return None if alert is None else alert_document(alert)


def _quiet(quiet: Quiet | None) -> dict[str, Any] | None:
    if quiet is None:
        return None
    return {
        "kind": quiet.kind,
        "rule": quiet.rule,
        "metric": quiet.metric,
        "window": quiet.window,
        "group": dict(quiet.group),
        "condition": quiet.condition,
        "value": plain_number(quiet.value),
        "threshold": plain_number(quiet.threshold),
        "guard_metric": quiet.guard_metric,
        "guard_value": plain_number(quiet.guard_value),
        "guard_floor": plain_number(quiet.guard_floor),
        "by": quiet.by,
    }


def _alert_check(check: AlertCheck) -> dict[str, Any]:
    return {
        "kind": check.kind,
        "expected": (
            {name: _value(value) for name, value in check.expected}
            if check.expected is not None
            else None
        ),
        "actual": _alert(check.actual),
        "differing": list(check.differing),
        "quiet": _quiet(check.quiet),
        "line": check.line,
        "column": check.column,
    }


def _number_or_text(value: float | str | None) -> Any:
    return plain_number(value) if isinstance(value, float) else value


def _value_check(check: ValueCheck) -> dict[str, Any]:
    return {
        "subject": check.subject,
        "id": check.id,
        "field": check.field,
        "expected": _number_or_text(check.expected),
        "actual": _number_or_text(check.actual),
        "ok": check.ok,
        "line": check.line,
        "column": check.column,
    }


def _case(case: CaseResult) -> dict[str, Any]:
    return {
        "name": case.name,
        "status": case.status,
        "line": case.line,
        "column": case.column,
        "as_of": case.as_of.isoformat() if case.as_of is not None else None,
        "window": case.window,
        "rules": list(case.rules),
        "problems": list(case.problems),
        "alerts": [_alert_check(check) for check in case.alerts],
        "values": [_value_check(check) for check in case.values],
        "diagnostics": [diagnostic_document(d) for d in case.diagnostics],
    }


def _suite(suite: SuiteResult) -> dict[str, Any]:
    return {
        "file": suite.file,
        "plan": suite.plan,
        "broken": suite.broken,
        "diagnostics": [diagnostic_document(d) for d in suite.diagnostics],
        "plan_diagnostics": [diagnostic_document(d) for d in suite.plan_diagnostics],
        "tests": [_case(case) for case in suite.cases],
    }


def test_run_document(run: PlanTestRun) -> dict[str, Any]:
    """The whole document as plain data."""
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "promoplan", "version": __version__},
        "summary": {
            "passed": run.count("pass"),
            "failed": run.count("fail"),
            "errors": run.count("error"),
            "broken_files": run.broken,
        },
        "files": [_suite(suite) for suite in run.suites],
    }


def render_test_json(run: PlanTestRun) -> str:
    """The JSON document, indented, no NaN, terminal-safe strings."""
    return json_text(test_run_document(run))
