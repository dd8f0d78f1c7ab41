"""Why an expected alert did not fire: the value its rule saw, against the threshold.

A failing test that only says "missing: low_roi channel=kuaishou" leaves the
user to rerun ``check`` by hand. :func:`why_quiet` asks the evaluator's own
rule window and roll-up for the numbers the rule looked at, so the failure
reads "roi 1:2.2 in 2025-Q2, not below 1:2".
"""

from __future__ import annotations

import datetime as dt

from promoplan.actuals.model import Cube
from promoplan.alerting import compared_window
from promoplan.evaluate import Evaluator
from promoplan.model import Plan
from promoplan.plantest.result import Quiet, QuietKind
from promoplan.quantity import Quantity
from promoplan.result import Window
from promoplan.rollup import normalise_where
from promoplan.rowspans import window_words
from promoplan.vocabulary import Unit

# A min guard that skipped the group: its metric, the value it saw, its floor.
Guard = tuple[str, float | None, float]


def why_quiet(  # noqa: PLR0911  # one return per reason a rule stays quiet
    plan: Plan,
    cube: Cube,
    *,
    as_of: dt.date,
    window: Window,
    rule_id: str,
    group: tuple[tuple[str, str], ...] | None,
) -> Quiet | None:
    """The numbers rule ``rule_id`` saw for ``group``; None for budget or unknown rules."""
    rule = plan.alerts.get(rule_id)
    if rule is None:
        return None
    evaluator = Evaluator(plan, cube, as_of=as_of, window=window)
    seen = evaluator.rule_window(rule)
    metric = plan.metrics.get(rule.metric)
    wanted = dict(group or ())
    if wanted and set(wanted) != {rule.by}:
        unit_of: Unit = metric.unit if metric is not None else "count"
        return Quiet(
            "other_group",
            rule=rule_id,
            metric=rule.metric,
            unit=unit_of,
            window=window_words(seen),
            group=tuple(group or ()),
            condition=rule.condition,
            by=rule.by,
        )
    key = wanted.get(rule.by) if rule.by is not None else None
    shown_group = ((rule.by, key),) if rule.by is not None and key is not None else ()
    unit: Unit = metric.unit if metric is not None else "count"
    threshold = rule.threshold
    limit = threshold.value if isinstance(threshold, Quantity) else None

    def quiet(kind: QuietKind, shown: float | None = None, guard: Guard | None = None) -> Quiet:
        name, guard_value, floor = guard if guard is not None else (None, None, None)
        return Quiet(
            kind,
            rule=rule_id,
            metric=rule.metric,
            unit=unit,
            window=window_words(seen),
            group=shown_group,
            condition=rule.condition,
            value=shown,
            threshold=limit,
            guard_metric=name,
            guard_value=guard_value,
            guard_floor=floor,
        )

    if limit is None:
        return quiet("unset")
    if seen.end < seen.start:
        return quiet("not_started")
    where = normalise_where(rule.where)

    def value(name: str, span: Window) -> float | None:
        if rule.by is None:
            return evaluator.rollup.value(name, span.start, span.end, where)
        return evaluator.rollup.by_group(name, rule.by, span.start, span.end, where).get(key)

    current = value(rule.metric, seen)
    if current is None:
        return quiet("no_data")
    for name, floor in rule.min.items():
        if not isinstance(floor, Quantity):
            continue
        guard = value(name, seen)
        if guard is None or guard < floor.value:
            return quiet("below_min", current, (name, guard, floor.value))
    if rule.condition in ("below", "above"):
        return quiet("not_crossed", current)
    previous = value(rule.metric, compared_window(evaluator, seen))
    if previous is None or previous == 0:
        return quiet("no_previous")
    change = current / previous
    return quiet("not_crossed", 1 - change if rule.condition == "drop_over" else change - 1)
