"""Run test files: load each plan once, read each test's fixtures as ``check`` does, compare.

The only part of ``promoplan test`` that touches files. Fixtures go through
:func:`promoplan.inputs.read_inputs` (the spec of
:func:`promoplan.inputs.actuals_spec`) and evaluation through
:func:`promoplan.inputs.check_inputs`: the very code ``promoplan check`` runs,
so a test exercises every actuals rule and every evaluation rule of production.
Inline ``rows:`` are written to a temporary CSV file and read the same way;
their findings are then located in the test file.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from promoplan.diagnostics import Diagnostic, diagnostic
from promoplan.errors import UsageProblem
from promoplan.inputs import check_inputs, read_inputs
from promoplan.loader import LoadedPlan, load_plan
from promoplan.output import note_input
from promoplan.plantest.compare import DEFAULT_TOLERANCE, compare_case
from promoplan.plantest.explain import why_quiet
from promoplan.plantest.loader import LoadedSuite, RowsOrigin, is_test_file, load_suite
from promoplan.plantest.model import Case
from promoplan.plantest.result import CaseResult, PlanTestRun, Quiet, SuiteResult
from promoplan.result import PlanResult
from promoplan.windows import window_to_read


def expand_test_paths(paths: Iterable[Path]) -> list[Path]:
    """Files as given; directories become every ``*.test.yaml``/``*.test.yml`` below, sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            below = sorted(p for p in path.rglob("*") if is_test_file(p) and p.is_file())
            if not below:
                raise UsageProblem(f"{path}: no *.test.yaml files in this directory")
            for item in below:
                # As for validate: a link out of the directory is not read behind the user's back.
                if not item.resolve().is_relative_to(path.resolve()):
                    raise UsageProblem(
                        f"{item}: is a link to a file outside {path}; name it on the command line"
                    )
                found.append(item)
        elif path.exists():
            found.append(path)
        else:
            raise UsageProblem(f"{path}: no such file or directory")
    return list(dict.fromkeys(found))


def compile_selection(pattern: str | None) -> re.Pattern[str] | None:
    """``--run REGEX``: a usage problem when it is not a regular expression."""
    if pattern is None:
        return None
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise UsageProblem(f"--run {pattern!r} is not a regular expression: {exc}") from None


def run_tests(paths: Sequence[Path], *, select: str | None = None) -> PlanTestRun:
    """``promoplan test``: every test of every test file named by ``paths``."""
    selection = compile_selection(select)
    plans: dict[Path, LoadedPlan] = {}
    suites = tuple(
        run_suite(load_suite(path), selection, plans) for path in expand_test_paths(paths)
    )
    if selection is not None:
        # Files none of whose tests were selected are left out of the report.
        suites = tuple(s for s in suites if s.cases or s.broken)
    run = PlanTestRun(suites)
    if selection is not None and not suites:
        raise UsageProblem(
            f"--run {select!r} selects no test; the names are matched with re.search"
        )
    return run


def run_suite(
    loaded: LoadedSuite, selection: re.Pattern[str] | None, plans: dict[Path, LoadedPlan]
) -> SuiteResult:
    """Run the selected tests of one loaded test file; ``plans`` caches plans by path."""
    suite = loaded.suite
    if suite is None or not loaded.ok or loaded.plan_path is None:
        return SuiteResult(loaded.file, loaded.plan_display, loaded.diagnostics)
    key = loaded.plan_path.resolve()
    if key not in plans:
        plans[key] = load_plan(loaded.plan_path, display=loaded.plan_display)
    plan = plans[key]
    cases: list[CaseResult] = []
    for index, case in enumerate(suite.tests):
        if selection is not None and not selection.search(case.name):
            continue
        cases.append(run_case(loaded, index, case, plan))
    return SuiteResult(
        loaded.file, loaded.plan_display, loaded.diagnostics, plan.diagnostics, tuple(cases)
    )


def run_case(loaded: LoadedSuite, index: int, case: Case, plan_file: LoadedPlan) -> CaseResult:
    """Read one test's fixtures, evaluate as ``check`` does, and compare."""
    line, column = loaded.case_position(index)
    named = CaseResult(case.name, "fail", line, column)
    plan = plan_file.plan
    errors = sum(1 for d in plan_file.diagnostics if d.severity == "error")
    if plan is None or errors:
        return replace(
            named,
            problems=(
                f"the plan {plan_file.file} has {errors or 'an'} error"
                f"{'s' if errors > 1 else ''}: fix the plan before testing its rules "
                f"(promoplan validate {plan_file.file})",
            ),
        )

    def bad_period(exc: UsageProblem) -> CaseResult:
        # "--as-of X is before the plan period" is the test's as_of, not its period.
        key = "as_of" if str(exc).startswith("--as-of ") and case.as_of is not None else "period"
        where = loaded.where(("tests", index, key))
        text = str(exc).replace("--period ", "period ").replace("--as-of ", "as_of ")
        found = diagnostic(
            "PT003",
            text.replace("pass an as_of within it", "give an as_of within it"),
            file=loaded.file,
            line=where[0],
            column=where[1],
            path=f"tests[{index}].{key}",
        )
        return replace(named, status="error", diagnostics=(found,))

    try:
        window = window_to_read(case.period, plan, case.as_of)
    except UsageProblem as exc:
        return bad_period(exc)
    with tempfile.TemporaryDirectory(prefix="promoplan-test-") as tmp:
        files = [loaded.fixture(written)[1] for written in case.actuals]
        for written in case.actuals:
            note_input(loaded.fixture(written)[0])  # --output may not name a fixture
        rows_file: str | None = None
        if case.rows is not None:
            rows_file = str(Path(tmp) / "rows.csv")
            Path(rows_file).write_text(case.rows, encoding="utf-8")
            files.append(rows_file)
        inputs = read_inputs(plan_file, files, span=(window.start, window.end))
    actuals = inputs.actuals
    assert actuals is not None  # read_inputs reads the actuals of a plan without errors

    def located(found: Iterable[Diagnostic]) -> tuple[Diagnostic, ...]:
        if rows_file is None:
            return tuple(found)
        origin = loaded.rows_origin(index)
        fallback = loaded.where(("tests", index, "rows"))
        return tuple(_in_test_file(d, rows_file, loaded.file, origin, fallback) for d in found)

    if not actuals.ok:
        return replace(named, status="error", diagnostics=located(actuals.diagnostics))
    try:  # a relative period without as_of is as of the fixture's latest day, known now
        result: PlanResult = check_inputs(inputs, as_of=case.as_of, period=case.period)
    except UsageProblem as exc:
        return bad_period(exc)
    assert result.as_of is not None  # check_inputs sets both
    assert result.window is not None
    as_of, evaluated = result.as_of, result.window

    def explain(rule: str, group: tuple[tuple[str, str], ...] | None) -> Quiet | None:
        return why_quiet(
            plan, actuals.cube, as_of=as_of, window=evaluated, rule_id=rule, group=group
        )

    suite = loaded.suite
    assert suite is not None  # run_suite runs only loaded suites
    tolerance = case.tolerance
    if tolerance is None:
        tolerance = suite.tolerance if suite.tolerance is not None else DEFAULT_TOLERANCE
    comparison = compare_case(
        case, index, result, plan, tolerance=tolerance, locate=loaded.where, explain=explain
    )
    return CaseResult(
        name=case.name,
        status="pass" if comparison.passed else "fail",
        line=line,
        column=column,
        rules=comparison.rules,
        alerts=comparison.alerts,
        values=comparison.values,
        problems=comparison.problems,
        diagnostics=located(d for d in result.diagnostics if d not in plan_file.diagnostics),
        as_of=as_of,
        window=evaluated.label,
        currency=plan.currency,
    )


def _in_test_file(
    found: Diagnostic,
    rows_file: str,
    test_file: str,
    origin: RowsOrigin | None,
    fallback: tuple[int | None, int | None],
) -> Diagnostic:
    """A finding about the temporary rows file, placed at those rows in the test file."""
    if found.file != rows_file and rows_file not in found.message:
        return found
    message = found.message.replace(rows_file, "rows")
    line, column = fallback
    if origin is not None and found.line is not None and 1 <= found.line <= len(origin.lines):
        line = origin.line + found.line - 1
        column = origin.indent + 1
        if found.column is not None:
            column += _field_offset(origin.lines[found.line - 1], found.column)
    return replace(found, file=test_file, line=line, column=column, message=message)


def _field_offset(text: str, field: int) -> int:
    """Characters before field number ``field`` (1-based) of a CSV line, quotes respected."""
    number, quoted = 1, False
    for offset, char in enumerate(text):
        if number == field:
            return offset
        if char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            number += 1
    return len(text) if number == field else 0
