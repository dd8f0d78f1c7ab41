"""``--format junit``: JUnit XML for CI test reports (GitLab, Jenkins, Azure DevOps ...).

One ``testsuite`` per plan, named after the file, and one ``testcase`` per
check: ``schema`` (codes PP001-PP010), each semantic check (PP1xx) when the
plan loaded, each actuals check (PAxxx) for check and report runs, each goal
(failing when it is missed over its whole period, an error as in the exit
status) and each firing alert. A check that found nothing is one passing
testcase; a check that found several things gives one testcase per finding,
so that every error is exactly one failing testcase (one ``failure``
element) and the ``tests``/``failures`` counts read the same in every CI
system.

Warnings and infos never fail a testcase: the testcase name ends in
``[warning]`` or ``[info]`` and the finding is in its ``system-out``, which
GitLab, Jenkins and Azure DevOps show with the test. ``errors`` (crashes) is
always 0: a crash exits 3 and writes no report.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from promoplan.diagnostics import CODES, Diagnostic
from promoplan.render.findings import (
    alert_text,
    diagnostic_location,
    diagnostic_text,
    goal_text,
)
from promoplan.render.options import RenderOptions
from promoplan.render.text import (
    format_group,
    one_line,
    safe_lines,
    safe_text,
)
from promoplan.result import PlanResult, Run

if TYPE_CHECKING:  # check's results: validate's runs have none
    from promoplan.resultrows import AlertResult, GoalProgress

SCHEMA_CODES = frozenset({"PP001", "PP002", "PP003", "PP004", "PP005", "PP010"})
SEMANTIC_CODES = tuple(code for code in CODES if code.startswith("PP") and code not in SCHEMA_CODES)
ACTUALS_CODES = tuple(code for code in CODES if code.startswith("PA"))

# Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile(r"[\ufffe\uffff]")


def _xml_text(text: str) -> str:
    """Text for an element body: line breaks kept, control characters made visible."""
    return _NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", safe_lines(text))


def _xml_attr(text: str) -> str:
    """Text for an attribute: one line, control characters made visible."""
    return _xml_text(safe_text(text))


class _Suite:
    """Builds one ``testsuite`` element and counts what it holds."""

    def __init__(self, name: str) -> None:
        self.element = ET.Element("testsuite", {"name": _xml_attr(name)})
        self.tests = 0
        self.failures = 0

    def case(
        self,
        classname: str,
        name: str,
        *,
        failure: tuple[str, str, str] | None = None,
        output: str | None = None,
    ) -> None:
        """Add a testcase; ``failure`` is (type, message, body)."""
        case = ET.SubElement(
            self.element, "testcase", {"classname": _xml_attr(classname), "name": _xml_attr(name)}
        )
        self.tests += 1
        if failure is not None:
            kind, message, body = failure
            element = ET.SubElement(
                case, "failure", {"type": _xml_attr(kind), "message": _xml_attr(message)}
            )
            element.text = _xml_text(body)
            self.failures += 1
        if output:
            ET.SubElement(case, "system-out").text = _xml_text(output)

    def finish(self) -> ET.Element:
        """Set the counts and return the element."""
        self.element.set("tests", str(self.tests))
        self.element.set("failures", str(self.failures))
        self.element.set("errors", "0")
        self.element.set("skipped", "0")
        return self.element


def _diagnostic_line(plan: PlanResult, diag: Diagnostic) -> str:
    return (
        f"{diagnostic_location(diag, plan.file)}: {diag.severity} {diag.code} "
        f"{diagnostic_text(diag)}"
    )


def _check_cases(suite: _Suite, plan: PlanResult, check: str, diags: Sequence[Diagnostic]) -> None:
    """One passing testcase when ``diags`` is empty, else one testcase per finding."""
    if not diags:
        suite.case(plan.file, check)
        return
    for diag in diags:
        name = check if check == diag.code else f"{check} {diag.code}"
        if diag.path:
            name += f" {diag.path}"
        where = diagnostic_location(diag, plan.file)
        if diag.line is not None:
            name += f" ({where})"
        full = _diagnostic_line(plan, diag)
        if diag.severity == "error":
            suite.case(plan.file, name, failure=(diag.code, one_line(diag.message), full))
        else:
            suite.case(plan.file, f"{name} [{diag.severity}]", output=full)


def _by_code(diags: Iterable[Diagnostic], codes: Iterable[str]) -> list[Diagnostic]:
    wanted = set(codes)
    return [d for d in diags if d.code in wanted]


def _goal_case(suite: _Suite, plan: PlanResult, goal: GoalProgress) -> None:
    """A goal is a testcase with its standing: failing when it counts as an error (missed
    over its whole period), passing otherwise (a missed quarter is ``[warning]``)."""
    text = goal_text(goal, currency=plan.currency, units=plan.units)
    name = f"goal {goal.id} [{goal.status}]"
    if goal.severity == "error":
        suite.case(plan.file, name, failure=(f"goal:{goal.id}", one_line(text), text))
    elif goal.severity is not None:
        suite.case(plan.file, f"{name} [{goal.severity}]", output=text)
    else:
        suite.case(plan.file, name, output=text)


def _alert_case(suite: _Suite, plan: PlanResult, alert: AlertResult) -> None:
    name = f"alert {alert.rule}"
    group = format_group(alert.group)
    if group:
        name += f" {group}"
    name += f" {alert.window}"
    text = alert_text(alert, currency=plan.currency, units=plan.units)
    if alert.severity == "error":
        suite.case(plan.file, name, failure=(f"alert:{alert.rule}", one_line(text), text))
    else:
        suite.case(plan.file, f"{name} [{alert.severity}]", output=text)


def _plan_suite(run: Run, plan: PlanResult) -> ET.Element:
    suite = _Suite(plan.file)
    diags = plan.diagnostics
    schema = _by_code(diags, SCHEMA_CODES)
    _check_cases(suite, plan, "schema", schema)
    # Semantic checks run only on a plan that loaded, actuals checks only when actuals are read;
    # a check that did not run is left out unless it reported something anyway.
    loaded = not any(d.severity == "error" for d in schema)
    codes = SEMANTIC_CODES + (ACTUALS_CODES if run.command != "validate" else ())
    for code in SEMANTIC_CODES + ACTUALS_CODES:
        found = _by_code(diags, [code])
        if found or (loaded and code in codes):
            _check_cases(suite, plan, code, found)
    others = [d for d in diags if d.code not in CODES]
    if others:
        _check_cases(suite, plan, "other", others)
    for goal in plan.goals:
        _goal_case(suite, plan, goal)
    for alert in plan.alerts:
        _alert_case(suite, plan, alert)
    return suite.finish()


def render_junit(run: Run, options: RenderOptions) -> str:
    """A ``testsuites`` document with one ``testsuite`` per plan."""
    del options  # JUnit has no colours or units to choose
    root = ET.Element("testsuites", {"name": f"promoplan {run.command}"})
    tests = failures = 0
    for plan in run.plans:
        element = _plan_suite(run, plan)
        tests += int(element.get("tests", "0"))
        failures += int(element.get("failures", "0"))
        root.append(element)
    root.set("tests", str(tests))
    root.set("failures", str(failures))
    root.set("errors", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
