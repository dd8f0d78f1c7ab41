"""What evaluation returns: frozen, plain data that every renderer reads.

Renderers never see pydantic models, file handles or DuckDB; they format these.
Numbers are floats (``None`` when unknown); percentages are fractions.

This module holds what every command returns (:class:`Run`, :class:`PlanResult`,
:class:`Window`). The rows of an evaluation (:mod:`promoplan.resultrows`) and a
report's data (:mod:`promoplan.resultreport`) live beside it and are importable
from here too, loaded on first use: ``validate`` never builds them, and each
frozen dataclass costs its definition at every start-up.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from promoplan.diagnostics import Diagnostic, count_by_severity, overall_status
from promoplan.vocabulary import BudgetStatus, Condition, GoalStatus, Unit

if TYPE_CHECKING:
    from promoplan.resultreport import (
        CumulativeSeries,
        GroupBar,
        GroupChart,
        Kpi,
        ReportData,
        SeriesPoint,
    )
    from promoplan.resultrows import AlertResult, BudgetRow, Forecast, GoalProgress
    from promoplan.vocabulary import Command, RunStatus, Units

# Re-exported: renderers read these names from here.
__all__ = [
    "AlertResult",
    "BudgetRow",
    "BudgetStatus",
    "Condition",
    "CumulativeSeries",
    "Forecast",
    "GoalProgress",
    "GoalStatus",
    "GroupBar",
    "GroupChart",
    "Kpi",
    "PlanResult",
    "ReportData",
    "Run",
    "SeriesPoint",
    "Unit",
    "Window",
]
_ROWS = frozenset({"AlertResult", "BudgetRow", "Forecast", "GoalProgress"})
_REPORT = frozenset(
    {"CumulativeSeries", "GroupBar", "GroupChart", "Kpi", "ReportData", "SeriesPoint"}
)


def __getattr__(name: str) -> Any:
    """The rows' and the report's classes, from their modules on first use (PEP 562)."""
    if name in _ROWS:
        from promoplan import resultrows  # noqa: PLC0415  # check and report only

        value = getattr(resultrows, name)
    elif name in _REPORT:
        from promoplan import resultreport  # noqa: PLC0415  # report only

        value = getattr(resultreport, name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


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
