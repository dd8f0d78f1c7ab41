"""``promoplan test`` for people: a line per test, and for a failure why, side by side.

::

    plans/tests/ecommerce-2025.test.yaml (plan plans/ecommerce-2025.yaml)
    PASS all channels at or above 1:3, nothing fires
    FAIL kuaishou ROI 1:2.2 in Q2 trips low_roi
        at plans/tests/ecommerce-2025.test.yaml:11:5
        ...

    1 passed, 1 failed
"""

from __future__ import annotations

from promoplan.plantest.result import CaseResult, PlanTestRun, SuiteResult
from promoplan.render.options import RenderOptions
from promoplan.render.plantest_words import (
    case_location,
    diagnostic_line,
    failure_lines,
    summary,
)
from promoplan.render.text import one_line

_WORDS = {"pass": "PASS", "fail": "FAIL", "error": "ERROR"}
_COLOURS = {"pass": "32", "fail": "31", "error": "35"}  # ANSI green, red, magenta


def _status(case: CaseResult, color: bool) -> str:
    word = _WORDS[case.status]
    return f"\x1b[{_COLOURS[case.status]}m{word}\x1b[0m" if color else word


def _suite_lines(suite: SuiteResult, options: RenderOptions) -> list[str]:
    head = one_line(suite.file) + (f" (plan {one_line(suite.plan)})" if suite.plan else "")
    lines = [head]
    lines.extend(diagnostic_line(d) for d in suite.diagnostics)
    lines.extend(diagnostic_line(d) for d in suite.plan_diagnostics if d.severity == "error")
    for case in suite.cases:
        lines.append(f"{_status(case, options.color)} {one_line(case.name)}")
        if case.status == "pass":
            continue
        lines.append(f"    at {case_location(suite.file, case)}")
        for line in failure_lines(case):
            lines.extend("    " + part for part in line.split("\n"))
    return lines


def render_test_table(run: PlanTestRun, options: RenderOptions) -> str:
    """Every test file's tests, then the summary line."""
    lines: list[str] = []
    for suite in run.suites:
        lines.extend(_suite_lines(suite, options))
        lines.append("")
    lines.append(summary(run.count("pass"), run.count("fail"), run.count("error"), run.broken))
    return "\n".join(lines) + "\n"
