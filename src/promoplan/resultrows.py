"""The rows of an evaluated plan: each goal's progress, each budget line, each firing alert.

What ``check`` and ``report`` add to a :class:`~promoplan.result.PlanResult`
(``validate`` builds none of them, and does not import this module). Imported as
``promoplan.result``'s names too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from promoplan.result import Window
    from promoplan.vocabulary import (
        BudgetCondition,
        BudgetStatus,
        Condition,
        Direction,
        GoalKind,
        GoalStatus,
        Severity,
        Unit,
    )


@dataclass(frozen=True)
class Forecast:
    """A cumulative goal's forecast at ``to`` (the end of its span, or of a narrower window),
    with an 80% interval."""

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
    # Where the goal is written in the plan, when known (the CI formats point there).
    line: int | None = None
    column: int | None = None


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
