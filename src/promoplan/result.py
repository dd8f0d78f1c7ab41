"""What evaluation returns: frozen, plain data that every renderer reads.

Renderers never see pydantic models, file handles or DuckDB; they format these.
Numbers are floats (``None`` when unknown); percentages are fractions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from promoplan.diagnostics import Diagnostic, count_by_severity, overall_status
from promoplan.vocabulary import (
    BudgetCondition,
    BudgetStatus,
    ChangeKind,
    Command,
    Condition,
    Direction,
    GoalKind,
    GoalStatus,
    ReportKind,
    RunStatus,
    Severity,
    Unit,
    Units,
)

__all__ = ["BudgetStatus", "Condition", "GoalStatus", "Unit"]  # re-exported for renderers


@dataclass(frozen=True)
class Window:
    """A closed date range with its label (``ytd``, ``2025-Q2``, ``2025-W23``, ``2025-06``)."""

    label: str
    start: dt.date
    end: dt.date
    # Over weekly or monthly rows: the whole rows the window sums ("52 weeks"), said
    # beside its dates; None over daily or order-level rows.
    summed: str | None = None


@dataclass(frozen=True)
class Forecast:
    """A cumulative goal's forecast at ``to`` (the end of its span), with an 80% interval."""

    method: Literal["seasonal_naive", "run_rate"]
    to: dt.date
    value: float
    low: float | None  # None when too few weeks show how much the metric varies
    high: float | None


@dataclass(frozen=True)
class GoalProgress:
    """One goal's standing (SPEC section 5, "The numbers, exactly")."""

    id: str
    label: str
    metric: str
    scope: str  # "period" or "Q1".."Q4"
    direction: Direction
    kind: GoalKind
    unit: Unit
    target: float | None
    actual: float | None
    baseline: float | None
    expected: float | None
    progress: float | None
    projection: float | None
    status: GoalStatus
    window: Window | None = None
    target_text: str | None = None  # the placeholder as written, for unset goals
    notes: str | None = None
    pacing: Literal["quarters", "last_year", "curve"] | None = None  # cumulative goals only
    forecast: Forecast | None = None
    # Set for ``missed`` (a complete window that fell short): it counts like an alert.
    severity: Severity | None = None


@dataclass(frozen=True)
class BudgetRow:
    """One budget line (or ``<unmapped>``) against its spend."""

    line: str  # dotted id: "traffic.public"; "<unmapped>" for spend no line claims
    label: str
    depth: int
    share: float | None
    planned: float | None
    spent: float | None
    expected: float | None
    remaining: float | None
    status: BudgetStatus
    used: float | None = None  # spent / planned: the 82% of hledger's "412 [82% of 500]"
    spent_share: float | None = None  # this line's share of all spend (compared with share)


@dataclass(frozen=True)
class AlertResult:
    """A firing alert: rule, group, window, value against threshold, and the plan's action."""

    rule: str
    label: str
    severity: Severity
    metric: str
    unit: Unit
    value: float | None
    threshold: float | None
    condition: Condition | BudgetCondition
    group: tuple[tuple[str, str], ...]
    window: str
    action: str | None
    # Where the rule (or the budget line) is written in the plan, when known.
    line: int | None = None
    column: int | None = None


@dataclass(frozen=True)
class SeriesPoint:
    """One day of a cumulative chart: actual to date, paced target, last year to date."""

    day: dt.date
    actual: float | None
    target: float | None
    last_year: float | None
    forecast: float | None = None  # after as-of: the forecast to the end of the span


@dataclass(frozen=True)
class CumulativeSeries:
    """A cumulative goal's metric against its paced target line (report chart)."""

    goal: str
    label: str
    unit: Unit
    target: float | None
    points: tuple[SeriesPoint, ...]
    forecast: Forecast | None = None  # at the end of the span


@dataclass(frozen=True)
class GroupBar:
    """One group's value in a by-dimension chart."""

    group: str
    value: float | None


@dataclass(frozen=True)
class GroupChart:
    """A ``below`` rule's metric per group against its floor (ROI per channel vs 1:3)."""

    rule: str
    label: str
    metric: str
    unit: Unit
    dimension: str
    window: str
    floor: float
    bars: tuple[GroupBar, ...]


@dataclass(frozen=True)
class Kpi:
    """A headline number of the report window, with the previous window's."""

    metric: str
    label: str
    unit: Unit
    value: float | None
    previous: float | None
    change: float | None  # value / previous - 1; value - previous for a percent or ratio
    direction: Direction | None = None  # from a goal on the metric: which way is good
    change_kind: ChangeKind = "relative"  # "points": percentage (or ratio) points


@dataclass(frozen=True)
class ReportData:
    """What a report adds to a check: its window, headline KPIs and chart data."""

    kind: ReportKind
    window: Window
    previous: Window
    kpis: tuple[Kpi, ...]
    series: tuple[CumulativeSeries, ...] = ()
    group_charts: tuple[GroupChart, ...] = ()


@dataclass(frozen=True)
class PlanResult:
    """Everything known about one plan: diagnostics and, for check/report, the evaluation."""

    file: str
    name: str | None
    period: tuple[dt.date, dt.date] | None
    currency: str = "CNY"
    units: Units = "cn"  # the plan's units:, else the currency's default
    as_of: dt.date | None = None
    window: Window | None = None
    diagnostics: tuple[Diagnostic, ...] = ()
    goals: tuple[GoalProgress, ...] = ()
    budget: tuple[BudgetRow, ...] = ()
    alerts: tuple[AlertResult, ...] = ()
    report: ReportData | None = None

    @property
    def counts(self) -> dict[str, int]:
        """Errors, warnings and infos over diagnostics, alerts and missed goals alike."""
        return count_by_severity(
            [d.severity for d in self.diagnostics]
            + [a.severity for a in self.alerts]
            + [g.severity for g in self.goals if g.severity is not None]
        )

    @property
    def status(self) -> RunStatus:
        """``fail`` with any error, ``warn`` with any warning, else ``pass``."""
        return overall_status(self.counts)


@dataclass(frozen=True)
class Run:
    """The result of one command over one or more plans."""

    command: Command
    plans: tuple[PlanResult, ...] = field(default_factory=tuple)

    @property
    def counts(self) -> dict[str, int]:
        """Totals over every plan."""
        total = {"error": 0, "warning": 0, "info": 0}
        for plan in self.plans:
            for key, value in plan.counts.items():
                total[key] += value
        return total
