"""``promoplan test --format junit``: JUnit XML with one ``testcase`` per test.

One ``testsuite`` per test file (named after it, with the plan in a
``property``); each test is a ``testcase`` whose ``classname`` is the test file
and whose ``name`` is the test's name, with ``file`` and ``line`` attributes. A
failing test has a ``failure`` element (the message says what is missing or
different, the body lays it out), a test that could not run an ``error``
element. A broken test file is one testcase, named after the file, with an
``error`` per diagnostic in its body.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from promoplan.plantest.result import CaseResult, PlanTestRun, SuiteResult
from promoplan.render.plantest_words import diagnostic_line, failure_lines
from promoplan.render.text import safe_lines, safe_text

# Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile(r"[\ufffe\uffff]")


def _xml_text(text: str) -> str:
    """Text for an element body: line breaks kept, control characters made visible."""
    return _NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", safe_lines(text))


def _xml_attr(text: str) -> str:
    """Text for an attribute: one line, control characters made visible."""
    return _xml_text(safe_text(text))


def _headline(case: CaseResult) -> str:
    """The failure's one-line message."""
    if case.problems:
        return case.problems[0]
    missing = sum(1 for a in case.alerts if a.kind == "missing")
    unexpected = sum(1 for a in case.alerts if a.kind == "unexpected")
    wrong = sum(1 for v in case.values if not v.ok)
    parts = []
    if missing:
        parts.append(f"{missing} expected alert{'s' if missing > 1 else ''} missing")
    if unexpected:
        parts.append(f"{unexpected} unexpected alert{'s' if unexpected > 1 else ''}")
    if wrong:
        parts.append(f"{wrong} value{'s' if wrong > 1 else ''} differ{'' if wrong > 1 else 's'}")
    return ", ".join(parts) or "failed"


def _case(parent: ET.Element, suite: SuiteResult, case: CaseResult) -> None:
    attributes = {"classname": _xml_attr(suite.file), "name": _xml_attr(case.name)}
    attributes["file"] = _xml_attr(suite.file)
    if case.line is not None:
        attributes["line"] = str(case.line)
    element = ET.SubElement(parent, "testcase", attributes)
    if case.status == "pass":
        return
    # The plan's errors, which the other formats list above its tests: here, with each.
    plan_errors = [diagnostic_line(d) for d in suite.plan_diagnostics if d.severity == "error"]
    body = "\n".join([*failure_lines(case), *plan_errors])
    if case.status == "fail":
        child = ET.SubElement(
            element, "failure", {"type": "expectation", "message": _xml_attr(_headline(case))}
        )
    else:
        errors = [d for d in case.diagnostics if d.severity == "error"]
        message = errors[0].message if errors else "the test could not run"
        child = ET.SubElement(element, "error", {"type": "fixture", "message": _xml_attr(message)})
    child.text = _xml_text(body)


def _suite(suite: SuiteResult) -> ET.Element:
    element = ET.Element("testsuite", {"name": _xml_attr(suite.file)})
    if suite.plan is not None:
        properties = ET.SubElement(element, "properties")
        ET.SubElement(properties, "property", {"name": "plan", "value": _xml_attr(suite.plan)})
    tests = failures = errors = 0
    if suite.broken:
        case = ET.SubElement(
            element,
            "testcase",
            {"classname": _xml_attr(suite.file), "name": _xml_attr(suite.file)},
        )
        problems = [d for d in suite.diagnostics if d.severity == "error"]
        child = ET.SubElement(
            case,
            "error",
            {"type": problems[0].code, "message": _xml_attr(problems[0].message)},
        )
        child.text = _xml_text("\n".join(diagnostic_line(d) for d in suite.diagnostics))
        tests, errors = 1, 1
    for result in suite.cases:
        _case(element, suite, result)
        tests += 1
        failures += result.status == "fail"
        errors += result.status == "error"
    element.set("tests", str(tests))
    element.set("failures", str(failures))
    element.set("errors", str(errors))
    element.set("skipped", "0")
    return element


def render_test_junit(run: PlanTestRun) -> str:
    """A ``testsuites`` document with one ``testsuite`` per test file."""
    root = ET.Element("testsuites", {"name": "promoplan test"})
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for suite in run.suites:
        element = _suite(suite)
        for key in totals:
            totals[key] += int(element.get(key, "0"))
        root.append(element)
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
