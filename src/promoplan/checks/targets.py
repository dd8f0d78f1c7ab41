"""Target checks: PP004, PP120 and PP123, the values a plan aims for.

PP004 finds a percentage written as a bare number, PP120 a target not set yet
(a placeholder), PP123 a target that contradicts its goal.
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel

from promoplan.checks.finding import Finding, Path, pct, plain
from promoplan.checks.reading import all_goals, bare_fraction, budget_lines, number_of
from promoplan.diagnostics import dotted
from promoplan.model import AlertRule, Plan
from promoplan.quantity import Placeholder, Quantity


def _metric_unit(plan: Plan, metric: str) -> str | None:
    found = plan.metrics.get(metric)
    return found.unit if found else None


def _placeholders(value: object, path: Path) -> Iterator[tuple[Path, Placeholder]]:
    """Every placeholder in the plan, in file order, with its key path."""
    if isinstance(value, Placeholder):
        yield path, value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _placeholders(getattr(value, name), (*path, name))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _placeholders(item, (*path, str(key)))
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _placeholders(item, (*path, index))


def _what_is_unset(path: Path) -> str:  # noqa: PLR0911  # one wording per kind of place
    head = path[0]
    key = path[-1]
    if head == "goals" and len(path) == 3:
        noun = "baseline" if key == "baseline" else "target"
        return f"goal {path[1]!r}: {noun}"
    if head == "quarters" and len(path) == 5 and path[2] == "goals":
        noun = "baseline" if key == "baseline" else "target"
        return f"goal '{path[1]}.{path[3]}': {noun}"
    if head == "quarters" and key == "weight":
        return f"{path[1]} weight"
    if path == ("budget", "total"):
        return "budget total"
    if head == "budget" and len(path) >= 4:
        line_id = ".".join(str(part) for part in path[2:-1:2])
        return f"budget line {line_id!r}: {key}"
    if head == "alerts" and len(path) == 4 and path[2] == "min":
        return f"alert {path[1]!r}: minimum {path[3]}"
    if head == "alerts" and len(path) == 3:
        return f"alert {path[1]!r}: threshold"
    return dotted(path)


def check_placeholders(plan: Plan) -> Iterator[Finding]:
    """PP120 (warning): a target written as a placeholder (``X``, ``X万``, ``TBD``, ``待定``, ``?``)

    Fails::

        goals:
          new_users: {metric: new_users, at_least: X万}
    """
    for path, placeholder in _placeholders(plan, ()):
        yield Finding(
            "PP120",
            f"{_what_is_unset(path)} not set yet ({placeholder.text})",
            path,
            "fill it in once decided; until then it is shown as unset "
            "(or list PP120 under ignore: to silence this)",
        )


def check_goal_targets(plan: Plan) -> Iterator[Finding]:
    """PP123: a target does not contradict its goal; an event does not end before it starts.

    Fails (the baseline already meets the target)::

        goals:
          conversion: {metric: conversion, baseline: 5%, at_least: 4%}
    """
    for goal_id, path, goal in all_goals(plan):
        given = None if isinstance(goal.baseline, str) else goal.baseline  # 'partial'
        baseline = number_of(given)
        if baseline is None or _bare_fraction_for(plan, goal.metric, given):
            continue
        if goal.growth is not None:
            if baseline <= 0:
                yield Finding(
                    "PP123",
                    f"goal {goal_id!r}: growth over a baseline of {plain(baseline)} means nothing",
                    (*path, "baseline"),
                    "give the baseline value the growth is measured from, or drop it to "
                    "compare with last year's actuals",
                )
            continue
        target = number_of(goal.target)
        if target is None or _bare_fraction_for(plan, goal.metric, goal.target):
            continue
        key = goal.direction
        shown_b, shown_t = _shown(plan, goal.metric, baseline), _shown(plan, goal.metric, target)
        if key == "at_least" and baseline >= target:
            yield Finding(
                "PP123",
                f"goal {goal_id!r}: baseline {shown_b} already meets the at_least target {shown_t}",
                (*path, key),
                "raise the target above the baseline, or use at_most if lower is better",
            )
        elif key == "at_most" and baseline <= target:
            yield Finding(
                "PP123",
                f"goal {goal_id!r}: baseline {shown_b} already meets the at_most target {shown_t}",
                (*path, key),
                "lower the target below the baseline, or use at_least if higher is better",
            )
    for quarter_name, quarter in plan.quarters.items():
        for index, event in enumerate(quarter.events):
            if event.start is not None and event.end is not None and event.end < event.start:
                yield Finding(
                    "PP123",
                    f"event {event.name!r} ends ({event.end}) before it starts ({event.start})",
                    ("quarters", quarter_name, "events", index, "end"),
                    "swap start and end",
                )


def _bare_fraction_for(plan: Plan, metric: str, value: Quantity | Placeholder | None) -> bool:
    return _metric_unit(plan, metric) == "percent" and bare_fraction(value)


def _shown(plan: Plan, metric: str, value: float) -> str:
    return pct(value) if _metric_unit(plan, metric) == "percent" else plain(value)


def check_fraction_units(plan: Plan) -> Iterator[Finding]:
    """PP004: a percentage written as a bare number above 1 (``at_least: 35`` for a percent metric).

    Also growth targets, shares, weights, ``tolerance``, ``drop_over`` and ``rise_over``,
    which are fractions too (a rise of 150% is written ``150%``).
    Fails (35 would be 3500%)::

        metrics: {new_order_share: {formula: new_orders / orders, unit: percent}}
        goals: {share: {metric: new_order_share, at_least: 35}}
    """
    for goal_id, path, goal in all_goals(plan):
        if bare_fraction(goal.growth):
            yield _fraction_finding(
                f"goal {goal_id!r}: growth is a fraction, so", goal.growth, (*path, "growth")
            )
        if _metric_unit(plan, goal.metric) != "percent":
            continue
        for key in ("at_least", "at_most", "baseline"):
            value = getattr(goal, key)
            if bare_fraction(value):
                yield _fraction_finding(
                    f"goal {goal_id!r}: {goal.metric!r} is a percentage, so", value, (*path, key)
                )
    for alert_id, alert in plan.alerts.items():
        yield from _alert_fractions(plan, alert_id, alert)
    if plan.budget is not None:
        for line_id, path, line in budget_lines(plan):
            if bare_fraction(line.share):
                yield _fraction_finding(
                    f"budget line {line_id!r}: a share is a fraction, so",
                    line.share,
                    (*path, "share"),
                )
    for name, quarter in plan.quarters.items():
        if bare_fraction(quarter.weight):
            yield _fraction_finding(
                f"{name}: a weight is a fraction, so", quarter.weight, ("quarters", name, "weight")
            )
    if bare_fraction(plan.tolerance):
        yield _fraction_finding("tolerance is a fraction, so", plan.tolerance, ("tolerance",))


def _alert_fractions(plan: Plan, alert_id: str, alert: AlertRule) -> Iterator[Finding]:
    if _metric_unit(plan, alert.metric) == "percent":
        for key in ("below", "above"):
            value = getattr(alert, key)
            if bare_fraction(value):
                yield _fraction_finding(
                    f"alert {alert_id!r}: {alert.metric!r} is a percentage, so",
                    value,
                    ("alerts", alert_id, key),
                )
    for key in ("drop_over", "rise_over"):
        value = getattr(alert, key)
        if bare_fraction(value):
            yield _fraction_finding(
                f"alert {alert_id!r}: {key} is a fraction, so", value, ("alerts", alert_id, key)
            )


def _fraction_finding(lead: str, value: Quantity | Placeholder | None, path: Path) -> Finding:
    number = number_of(value) or 0.0
    written = f"{number:.15g}"
    # 35 is 35% or 0.35 mistyped; 5万 is neither: say how a percentage is written.
    hint = (
        f"write {written}% or {number / 100:g}"
        if abs(number) <= 100
        else ("write a percentage with % (35%) or as a fraction (0.35)")
    )
    return Finding("PP004", f"{lead} {written} would mean {number * 100:.15g}%", path, hint)
