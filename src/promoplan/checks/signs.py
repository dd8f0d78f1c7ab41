"""Sign check PP004: amounts, shares, weights and tolerances that cannot be negative.

A negative budget ``total`` would make every line's planned amount negative, a
negative quarter ``weight`` would pace a quarter backwards, and a negative
``tolerance`` would put every goal that is exactly on pace "at risk".
"""

from __future__ import annotations

from collections.abc import Iterator

from promoplan.checks.finding import Finding, Path, pct, plain
from promoplan.checks.reading import budget_lines, number_of
from promoplan.model import Plan
from promoplan.quantity import Placeholder, Quantity


def _negative(value: Quantity | Placeholder | None) -> bool:
    number = number_of(value)
    return number is not None and number < 0


def _shown(value: Quantity | Placeholder | None) -> str:
    number = number_of(value) or 0.0
    if isinstance(value, Quantity) and value.kind == "percent":
        return pct(number)
    return plain(number)


def _finding(what: str, value: Quantity | Placeholder | None, path: Path, hint: str) -> Finding:
    return Finding("PP004", f"{what} cannot be negative ({_shown(value)})", path, hint)


def check_negative_values(plan: Plan) -> Iterator[Finding]:
    """PP004: a budget total or line amount, quarter weight, tolerance or drop_over below zero.

    Fails::

        tolerance: -10%
        budget: {total: -100万, lines: {traffic: 100%}}
        quarters: {Q1: {weight: -10%}}
    """
    if _negative(plan.tolerance):
        yield _finding(
            "tolerance", plan.tolerance, ("tolerance",), "write how far behind pace is at risk: 10%"
        )
    budget = plan.budget
    if budget is not None:
        if _negative(budget.total):
            yield _finding(
                "the budget total", budget.total, ("budget", "total"), "write the whole budget"
            )
        for line_id, path, line in budget_lines(plan):
            # A negative share is PP101/PP102 already.
            if _negative(line.amount):
                yield _finding(
                    f"budget line {line_id!r}: the amount",
                    line.amount,
                    (*path, "amount"),
                    "a budget line plans spending; write 0 for a line with nothing planned",
                )
    for name, quarter in plan.quarters.items():
        if _negative(quarter.weight):
            yield _finding(
                f"{name}'s weight",
                quarter.weight,
                ("quarters", name, "weight"),
                "a weight is the share of the year's targets due in the quarter: 0% or more",
            )
    for alert_id, alert in plan.alerts.items():
        for key in ("drop_over", "rise_over"):
            value = getattr(alert, key)
            if _negative(value):
                yield _finding(
                    f"alert {alert_id!r}: {key}",
                    value,
                    ("alerts", alert_id, key),
                    f"{key} is a size of change: write it without a sign",
                )
