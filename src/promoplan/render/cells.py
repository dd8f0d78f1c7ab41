"""Cell texts that several renderers show alike, not yet escaped.

A goal's name and numbers (a placeholder target as written), a budget line's
label and place, an alert's value in words, a KPI's row. Each renderer escapes
these for its own medium.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from promoplan.alertorder import AlertEntry
from promoplan.render.text import (
    describe_alert,
    format_apart,
    format_change,
    format_goal_value,
    format_group,
    format_value,
)
from promoplan.rowspans import summed_words
from promoplan.vocabulary import UNMAPPED, Units

if TYPE_CHECKING:  # named for types only: validate's CI formats load no result rows
    from promoplan.result import PlanResult
    from promoplan.resultreport import Kpi
    from promoplan.resultrows import AlertResult, BudgetRow, GoalProgress

# A budget alert's wording ("spent ¥800万, over the ¥750万 planned") already names the metric.
BUDGET_CONDITIONS = ("over_budget", "ahead", "behind", "unmapped")


@dataclass(frozen=True)
class GoalCells:
    """A goal's numbers as shown: growth as a signed change, the rest in the metric's unit."""

    target: str  # the placeholder as written (``X万``) while the target is unset
    actual: str
    expected: str
    projection: str  # ``-`` unless the goal is cumulative


def goal_cells(goal: GoalProgress, *, currency: str, units: Units | None) -> GoalCells:
    """The target, actual, expected and projection cells of ``goal``."""

    def shown(value: float | None) -> str:
        return format_goal_value(value, goal.unit, goal.kind, currency=currency, units=units)

    def things(value: float | None) -> str:
        # Where a count should stand, or will end, is a whole number of orders or users:
        # 3,995, not 3,994.52 (the JSON keeps the exact value).
        if goal.unit == "count" and goal.kind != "growth" and value is not None:
            value = float(round(value)) if math.isfinite(value) else value
        return shown(value)

    return GoalCells(
        target=(
            goal.target_text if goal.target is None and goal.target_text else shown(goal.target)
        ),
        # Apart from what the status compares it with: the paced expected (the target
        # for level and growth goals).
        actual=format_apart(
            goal.actual,
            goal.expected if goal.expected is not None else goal.target,
            goal.unit,
            goal.kind,
            currency=currency,
            units=units,
        ),
        expected=things(goal.expected),
        projection=things(goal.projection) if goal.kind == "cumulative" else "-",
    )


def goal_name(goal: GoalProgress) -> str:
    """The goal's label (or id), led by its quarter unless the label starts with it."""
    name = goal.label or goal.id
    if goal.scope != "period" and not name.startswith(goal.scope):
        name = f"{goal.scope} {name}"
    return name


def own_window(goal: GoalProgress, plan: PlanResult) -> str | None:
    """The label of the window a goal looks at when it is not the plan's (``per: month``);
    None when it is, or when the goal's scope already says so (a Q2 goal over ``2025-Q2``)."""
    window = goal.window
    if window is not None and window.summed is not None:
        # Over weekly or monthly rows: the dates summed, unless they are the plan window's.
        evaluated = plan.window
        if evaluated is None or (window.start, window.end) != (evaluated.start, evaluated.end):
            return f"{window.label} {summed_words(window)}"
    if window is None or (plan.window is not None and window.label == plan.window.label):
        return None
    if goal.scope == "period" or not window.label.endswith(goal.scope):
        return window.label
    return None


def budget_order(rows: Iterable[BudgetRow]) -> list[BudgetRow]:
    """The plan's order, with ``<unmapped>`` last, as hledger puts ``<unbudgeted>``."""
    return sorted(rows, key=lambda row: row.line == UNMAPPED)


def budget_label(row: BudgetRow) -> str:
    """The line's label (or dotted id); ``<unmapped>`` as it is."""
    return row.line if row.line == UNMAPPED else (row.label or row.line)


def alert_value(alert: AlertResult, *, currency: str, units: Units | None) -> str:
    """The metric's value against the threshold: ``roi 1:2.4 below 1:3``."""
    value = describe_alert(
        alert.condition, alert.value, alert.threshold, alert.unit, currency=currency, units=units
    )
    if alert.condition not in BUDGET_CONDITIONS:
        value = f"{alert.metric} {value}"
    return value


def kpi_cells(kpi: Kpi, *, currency: str, units: Units | None) -> tuple[str, str, str, str]:
    """A headline KPI's row: label (or metric), this window's value, the previous, the change."""
    return (
        kpi.label or kpi.metric,
        format_value(kpi.value, kpi.unit, currency=currency, units=units),
        format_value(kpi.previous, kpi.unit, currency=currency, units=units),
        format_change(kpi.change, kpi.change_kind, kpi.unit),
    )


@dataclass(frozen=True)
class EntryCells:
    """An alert entry as shown: where (group, or the dimension and how many groups fire),
    the value lines (one per group shown, then ``and N more``) and the action, once."""

    where: str
    values: tuple[str, ...]


def entry_cells(entry: AlertEntry, *, currency: str, units: Units | None) -> EntryCells:
    """One alert, or a rule's worst groups folded into one entry (``and 21 more``)."""
    if not entry.folded:
        alert = entry.alert
        return EntryCells(
            format_group(alert.group), (alert_value(alert, currency=currency, units=units),)
        )
    names = ", ".join(dict.fromkeys(name for a in entry.members for name, _ in a.group))
    count = len(entry.members) + entry.more
    values = [
        f"{', '.join(v for _, v in a.group)}: {alert_value(a, currency=currency, units=units)}"
        for a in entry.members
    ]
    if entry.more:
        values.append(f"and {entry.more} more")
    return EntryCells(f"{names}: {count} groups, the worst {len(entry.members)}", tuple(values))
