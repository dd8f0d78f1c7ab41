"""``load_suite``: a test file to a validated :class:`~.model.Suite` and its diagnostics.

The same safe YAML loader and the same schema-error translation as plans
(:mod:`promoplan.yamlsafe`, :mod:`promoplan.schema_errors`), so a broken test
file gets ``file:line:col`` diagnostics in the same words. Paths in the file
(the plan, fixture files) are relative to the test file and are checked here.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from promoplan.diagnostics import Diagnostic, diagnostic
from promoplan.loader import read_plan_bytes
from promoplan.plantest.model import Suite
from promoplan.schema_errors import schema_diagnostics
from promoplan.vocabulary import TEST_FILE_SUFFIXES
from promoplan.yamlsafe import MAX_BYTES, KeyPath, PositionIndex, load_yaml

# load_yaml words its findings for plans; the same findings in a test file say so.
_WORDING = (
    (re.compile(r"\ba plan file\b"), "a test file"),
    (re.compile(r"\bthe plan\b"), "the test file"),
    (re.compile(r"\ba plan\b"), "a test file"),
    (re.compile(r"^plan is\b"), "the test file is"),
    (re.compile(r"\(promoplan: 1, name: \.\.\.\)"), "(promoplan_test: 1, plan: ..., tests: [...])"),
    (
        re.compile(r"`promoplan init`, which writes a commented starter plan"),
        "`promoplan init --tests PLAN`",
    ),
    (re.compile(r"split the file into two plans"), "split the file into two test files"),
)


@dataclass(frozen=True)
class RowsOrigin:
    """Where inline ``rows:`` text starts in the test file, to locate CSV findings in it."""

    line: int  # the test-file line of the CSV's first line
    indent: int  # columns of indentation YAML strips from each line
    lines: tuple[str, ...]  # the CSV's lines, to turn a field number into a column


@dataclass(frozen=True)
class LoadedSuite:
    """A test file as loaded: the suite when usable, every finding, and where things are."""

    file: str
    suite: Suite | None
    diagnostics: tuple[Diagnostic, ...]
    positions: PositionIndex
    plan_path: Path | None = None  # the plan file, resolved against the test file
    plan_display: str | None = None  # the plan file as shown: relative to the working directory
    text: str = ""

    @property
    def ok(self) -> bool:
        """True when the file has no error, so its tests may run."""
        return self.suite is not None and not any(d.severity == "error" for d in self.diagnostics)

    def where(self, path: KeyPath) -> tuple[int | None, int | None]:
        """Line and column of ``path`` in the test file."""
        return self.positions.locate(path)

    def case_position(self, index: int) -> tuple[int | None, int | None]:
        """Where test ``index`` is written: its ``name`` key."""
        return self.positions.locate_key(("tests", index, "name"))

    def fixture(self, written: str) -> tuple[Path, str]:
        """A fixture file as written in the test file: (path to read, name to show)."""
        return _relative_to(Path(self.file), written)

    def rows_origin(self, index: int) -> RowsOrigin | None:
        """Where test ``index``'s inline rows start, when written as a ``|`` block scalar."""
        if self.suite is None:
            return None
        rows = self.suite.tests[index].rows
        line, column = self.positions.value_at(("tests", index, "rows"))
        if rows is None or line is None or column is None:
            return None
        source = self.text.splitlines()
        if line > len(source) or not source[line - 1][column - 1 :].startswith("|"):
            return None  # a quoted or folded scalar: lines do not map one to one
        body = [text for text in source[line:] if text.strip()]
        if not body:
            return None
        indent = len(body[0]) - len(body[0].lstrip(" "))
        return RowsOrigin(line=line + 1, indent=indent, lines=tuple(rows.splitlines()))


def is_test_file(path: Path) -> bool:
    """``*.test.yaml`` or ``*.test.yml``."""
    return path.name.lower().endswith(TEST_FILE_SUFFIXES)


def load_suite(path: Path) -> LoadedSuite:
    """Read, parse and check one test file; an unreadable file is a ``UsageProblem``."""
    file = str(path)
    data = read_plan_bytes(path, file)
    loaded = load_yaml(data, file, size=path.stat().st_size if len(data) > MAX_BYTES else None)
    positions = loaded.positions
    if not loaded.ok:
        return _done(file, None, [_reworded(d) for d in loaded.diagnostics], positions)
    try:
        suite = Suite.model_validate(loaded.data)
    except ValidationError as error:
        found = schema_diagnostics(error, loaded.data, positions, file=file, model=Suite)
        return _done(file, None, found, positions)
    text = data.decode("utf-8-sig", errors="replace")
    plan_path, plan_display = _relative_to(path, suite.plan)
    found = list(_check_paths(suite, path, plan_path, positions))
    found.extend(_duplicate_names(suite, positions))
    return _done(
        file, suite, found, positions, plan_path=plan_path, plan_display=plan_display, text=text
    )


def _relative_to(test_file: Path, written: str) -> tuple[Path, str]:
    """A path written in a test file: relative to the test file's directory."""
    if os.path.isabs(written):
        return Path(written), written
    joined = test_file.parent / written
    return joined, os.path.normpath(joined)


def _check_paths(
    suite: Suite, test_file: Path, plan_path: Path, positions: PositionIndex
) -> list[Diagnostic]:
    """PT001 for the plan and each fixture file that is not a readable file."""
    found: list[Diagnostic] = []
    problem = _unreadable(plan_path)
    if problem:
        line, column = positions.locate(("plan",))
        found.append(
            diagnostic(
                "PT001",
                f"plan {suite.plan!r} {problem}",
                line=line,
                column=column,
                path="plan",
                hint="the path is relative to the test file's directory",
            )
        )
    for index, case in enumerate(suite.tests):
        for number, written in enumerate(case.actuals):
            problem = _unreadable(_relative_to(test_file, written)[0])
            if problem:
                key: KeyPath = ("tests", index, "actuals", number)
                line, column = positions.locate(key)
                found.append(
                    diagnostic(
                        "PT001",
                        f"fixture {written!r} of test {case.name!r} {problem}",
                        line=line,
                        column=column,
                        path=f"tests[{index}].actuals[{number}]",
                        hint="the path is relative to the test file's directory",
                    )
                )
    return found


def _unreadable(path: Path) -> str | None:
    if path.is_dir():
        return "is a directory"
    if not path.is_file():
        return "does not exist"
    if not os.access(path, os.R_OK):
        return "cannot be read (permission denied)"
    return None


def _duplicate_names(suite: Suite, positions: PositionIndex) -> list[Diagnostic]:
    """PT002 at the second and later tests of the same name: names select and report tests."""
    counts = Counter(case.name for case in suite.tests)
    first: dict[str, int] = {}
    found: list[Diagnostic] = []
    for index, case in enumerate(suite.tests):
        if counts[case.name] < 2:
            continue
        if case.name not in first:
            first[case.name] = index
            continue
        line, column = positions.locate(("tests", index, "name"))
        first_line, _ = positions.locate(("tests", first[case.name], "name"))
        found.append(
            diagnostic(
                "PT002",
                f"a second test named {case.name!r} (first at line {first_line})",
                line=line,
                column=column,
                path=f"tests[{index}].name",
                hint="give each test its own name: --run and the JUnit report select by name",
            )
        )
    return found


def _reworded(found: Diagnostic) -> Diagnostic:
    message, hint = found.message, found.hint
    for pattern, words in _WORDING:
        message = pattern.sub(words, message)
        hint = pattern.sub(words, hint) if hint else hint
    return Diagnostic(
        found.code, found.severity, message, found.file, found.line, found.column, found.path, hint
    )


def _done(
    file: str,
    suite: Suite | None,
    found: list[Diagnostic],
    positions: PositionIndex,
    *,
    plan_path: Path | None = None,
    plan_display: str | None = None,
    text: str = "",
) -> LoadedSuite:
    located = sorted((d.located(file) for d in found), key=Diagnostic.sort_key)
    return LoadedSuite(file, suite, tuple(located), positions, plan_path, plan_display, text)
