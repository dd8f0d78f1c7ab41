"""PP004, the wrong unit: a target or threshold written in a unit its metric is not in.

``at_least: 50%`` for GMV is a target of ¥0.50, met on the first day; ``"1:3"`` for
a conversion rate is 300%; ``¥500`` for a count of orders, or ``$5`` in a CNY plan,
is money where there is none, or another currency. Each is refused where it is
written, as a percentage written as a bare number is (``targets.py``).
"""

from __future__ import annotations

from collections.abc import Iterator

from promoplan.checks.finding import Finding, Path, pct, plain
from promoplan.checks.reading import all_goals, budget_lines
from promoplan.model import Plan
from promoplan.quantity import Placeholder, Quantity, format_quantity
from promoplan.vocabulary import Unit

# The sign each currency is written with; a currency not listed is not checked.
_SIGNS = {"CNY": "¥", "RMB": "¥", "JPY": "¥", "USD": "$", "EUR": "€", "GBP": "£"}
_AMOUNTS = ("currency", "count")  # units of amounts, where a percentage means nothing
_WORDS = {
    "currency": "an amount of money",
    "count": "a count",
    "number": "a number",
    "percent": "a percentage",
    "ratio": "a ratio",
}


def check_target_units(plan: Plan) -> Iterator[Finding]:
    """PP004: a goal's target or baseline, or an alert's threshold, in another unit than
    the one its metric declares; an amount in another currency than the plan's.

    Fails (50% of GMV is not an amount; growth: 50% is the growth goal)::

        metrics: {gmv: {column: gmv, unit: currency}}
        goals: {gmv: {metric: gmv, at_least: 50%}}
    """
    for goal_id, path, goal in all_goals(plan):
        for key in ("at_least", "at_most", "baseline"):
            value = getattr(goal, key)
            yield from _mismatch(plan, f"goal {goal_id!r}", goal.metric, value, (*path, key))
    for alert_id, alert in plan.alerts.items():
        for key in ("below", "above"):
            value = getattr(alert, key)
            at: Path = ("alerts", alert_id, key)
            yield from _mismatch(plan, f"alert {alert_id!r}", alert.metric, value, at)
    if plan.budget is not None:
        yield from _currency(plan, "budget total", plan.budget.total, ("budget", "total"))
        for line_id, line_path, line in budget_lines(plan):
            at = (*line_path, "amount")
            yield from _currency(plan, f"budget line {line_id!r}", line.amount, at)


def _mismatch(
    plan: Plan, lead: str, metric_id: str, value: Quantity | Placeholder | str | None, path: Path
) -> Iterator[Finding]:
    metric = plan.metrics.get(metric_id)
    if metric is None or not isinstance(value, Quantity):
        return
    if "unit" not in metric.model_fields_set:
        # No unit written: "count" by default, which says nothing of what the metric is
        # (roi: {formula: gmv / spend} with below: "1:3"). Only the currency is checked.
        yield from _currency(plan, lead, value, path)
        return
    unit: Unit = metric.unit
    written = (
        f"1:{value.value:g}" if value.kind == "ratio" else format_quantity(value.value, "percent")
    )
    what = f"{lead}: {metric_id!r} is {_WORDS[unit]} (unit: {unit})"
    if value.kind == "percent" and unit in _AMOUNTS:
        yield Finding(
            "PP004",
            f"{what}, so {written} is not a value of it",
            path,
            "write the amount (50万, 1.2M); for a rise over last year, a growth goal "
            "(growth: 30%) or an alert's drop_over",
        )
    elif value.kind == "ratio" and unit == "percent" and value.value > 1:
        yield Finding(
            "PP004",
            f'{what}, so "{written}" would mean {pct(value.value)}',
            path,
            f"write a percentage ({pct(1 / value.value)} for 1 in {value.value:g}), or give "
            "the metric unit: ratio",
        )
    elif value.kind == "ratio" and unit in (*_AMOUNTS, "number"):
        yield Finding(
            "PP004",
            f'{what}, so "{written}" (a ratio) is not a value of it',
            path,
            "write a number, or give the metric unit: ratio if it is one",
        )
    elif value.symbol is not None and unit != "currency":
        yield Finding(
            "PP004",
            f"{what}, so {value.symbol}{plain(value.value)} (money) is not a value of it",
            path,
            "drop the currency sign, or give the metric unit: currency if it is money",
        )
    else:
        yield from _currency(plan, lead, value, path)


def _currency(
    plan: Plan, lead: str, value: Quantity | Placeholder | None, path: Path
) -> Iterator[Finding]:
    """An amount written with another currency's sign than the plan's."""
    if not isinstance(value, Quantity) or value.symbol is None:
        return
    sign = _SIGNS.get(plan.currency.upper())
    if sign is not None and value.symbol != sign:
        yield Finding(
            "PP004",
            f"{lead}: {value.symbol}{plain(value.value)} is not in the plan's currency "
            f"({plan.currency}, {sign})",
            path,
            f"write it in {plan.currency} ({sign}{plain(value.value)} if that is the amount): "
            "promoplan does not convert currencies",
        )
