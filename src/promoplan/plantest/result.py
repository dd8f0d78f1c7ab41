"""What ``promoplan test`` returns: frozen, plain data that every test renderer reads."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal, TypeAlias, Union

from promoplan.diagnostics import Diagnostic
from promoplan.result import AlertResult
from promoplan.vocabulary import Unit

CaseStatus = Literal["pass", "fail", "error"]
QuietKind = Literal[
    "not_crossed", "no_data", "below_min", "no_previous", "not_started", "unset", "other_group"
]
AlertCheckKind = Literal["matched", "missing", "unexpected", "also_firing"]
# A compared value: a number, a status or other text, an alert's group, or nothing.
FieldValue: TypeAlias = Union[float, str, tuple[tuple[str, str], ...], None]  # noqa: UP007  # a runtime alias on Python 3.10


@dataclass(frozen=True)
class Quiet:
    """Why a rule did not fire for a group: the numbers the rule looked at.

    ``kind``: ``not_crossed`` (the value is on the safe side of the threshold),
    ``no_data`` (no value in the window), ``below_min`` (a ``min`` guard skipped the
    group), ``no_previous`` (no value in the previous window to compare with),
    ``not_started`` (the window has not begun by as-of), ``unset`` (no threshold yet),
    ``other_group`` (the expectation's group names a dimension other than the rule's
    ``by``, held in ``by``: no alert of the rule can ever have that group).
    """

    kind: QuietKind
    rule: str
    metric: str
    unit: Unit
    window: str
    group: tuple[tuple[str, str], ...] = ()
    condition: str | None = None
    value: float | None = None  # the metric, or for drop_over/rise_over the change
    threshold: float | None = None
    guard_metric: str | None = None  # below_min: the guard's metric, its value and floor
    guard_value: float | None = None
    guard_floor: float | None = None
    by: str | None = None  # other_group: the dimension the rule splits by, if any


@dataclass(frozen=True)
class AlertCheck:
    """One row of the alert comparison: an expectation and the actual alert it met.

    ``matched``: the expectation met an alert. ``missing``: it met none; ``actual``
    is then the nearest alert of the same rule (``differing`` names the fields that
    differ) or ``None``, with ``quiet`` saying why the rule stayed quiet.
    ``unexpected``: an alert fired that the test forbids (``strict``, or
    ``expect_alerts: []``). ``also_firing``: an alert fired that the test does not
    mention and does not forbid.
    """

    kind: AlertCheckKind
    expected: tuple[tuple[str, FieldValue], ...] | None
    actual: AlertResult | None
    differing: tuple[str, ...] = ()
    quiet: Quiet | None = None
    line: int | None = None
    column: int | None = None


@dataclass(frozen=True)
class ValueCheck:
    """One expected goal or budget field against the evaluated one."""

    subject: Literal["goal", "budget"]
    id: str
    field: str
    expected: float | str | None
    actual: float | str | None
    ok: bool
    unit: Unit = "number"
    growth: bool = False  # a growth goal's numbers are changes (+28%)
    line: int | None = None
    column: int | None = None


@dataclass(frozen=True)
class CaseResult:
    """One test's outcome: ``pass``, ``fail``, or ``error`` when it could not run."""

    name: str
    status: CaseStatus
    line: int | None = None
    column: int | None = None
    rules: tuple[str, ...] = ()  # the alert rules compared
    alerts: tuple[AlertCheck, ...] = ()
    values: tuple[ValueCheck, ...] = ()
    problems: tuple[str, ...] = ()  # failures that are not a value: an unknown rule or goal
    diagnostics: tuple[Diagnostic, ...] = ()  # the fixtures' findings (errors: status "error")
    as_of: dt.date | None = None
    window: str | None = None
    currency: str = "CNY"


@dataclass(frozen=True)
class SuiteResult:
    """One test file: its own problems (which make it broken), its plan's, and its tests."""

    file: str
    plan: str | None
    diagnostics: tuple[Diagnostic, ...] = ()
    plan_diagnostics: tuple[Diagnostic, ...] = ()
    cases: tuple[CaseResult, ...] = ()

    @property
    def broken(self) -> bool:
        """True when the test file itself has an error, so none of its tests ran."""
        return any(d.severity == "error" for d in self.diagnostics)


@dataclass(frozen=True)
class PlanTestRun:
    """Every test file of one ``promoplan test`` run."""

    suites: tuple[SuiteResult, ...]

    def count(self, status: CaseStatus) -> int:
        """Tests of one status, over every file."""
        return sum(1 for suite in self.suites for case in suite.cases if case.status == status)

    @property
    def broken(self) -> int:
        """Test files that could not be used at all."""
        return sum(1 for suite in self.suites if suite.broken)

    @property
    def exit_status(self) -> int:
        """2 when a test file is broken or a test could not run, 1 when a test failed, else 0."""
        if self.broken or self.count("error"):
            return 2
        if self.count("fail"):
            return 1
        return 0
