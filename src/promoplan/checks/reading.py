"""How checks read a plan: every goal, every budget line, the number in a quantity."""

from __future__ import annotations

from collections.abc import Iterator

from promoplan.checks.finding import Path
from promoplan.model import BudgetLine, Goal, Plan
from promoplan.planindex import plan_index
from promoplan.quantity import Placeholder, Quantity

# Shares are written as percentages with a few decimals; this only absorbs float error.
SHARE_TOLERANCE = 1e-6


def number_of(value: Quantity | Placeholder | None) -> float | None:
    """The value of a quantity; None for a placeholder or nothing."""
    return value.value if isinstance(value, Quantity) else None


def bare_fraction(value: Quantity | Placeholder | None) -> bool:
    """A bare number above 1 where a fraction is meant (``share: 15``)."""
    return isinstance(value, Quantity) and value.kind == "number" and abs(value.value) > 1


def all_goals(plan: Plan) -> Iterator[tuple[str, Path, Goal]]:
    """Period goals, then quarter goals: (id as shown, key path, goal), from the plan index."""
    for ref in plan_index(plan).goals:
        yield ref.id, ref.path, ref.goal


def budget_lines(plan: Plan) -> Iterator[tuple[str, Path, BudgetLine]]:
    """Every budget line, depth first: (dotted id, key path, line), from the plan index."""
    for ref in plan_index(plan).lines:
        yield ref.id, ref.path, ref.line
