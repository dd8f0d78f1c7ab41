"""Alerts (SPEC section 5, "Alerts"): each rule, per group, in the one window it looks at.

One part of an evaluation, like :mod:`promoplan.budgetrows`: it reads the
evaluator's rolled-up actuals and as-of, and returns the firing alerts. The
``min`` guard is applied in one place (:func:`rule_values`), for the alerts and
for the report's group charts alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING

from promoplan.model import AlertRule
from promoplan.quantity import Quantity, ratio
from promoplan.result import AlertResult, Unit, Window
from promoplan.rollup import normalise_where
from promoplan.rowspans import counted_through, previous_rows, summed, window_words
from promoplan.windows import last_complete_week, month_of, previous_window, quarter_of

if TYPE_CHECKING:
    from promoplan.evaluate import Evaluator


def rule_window(ev: Evaluator, rule: AlertRule) -> Window:
    """The one window a rule looks at (SPEC section 5, "Alerts").

    Over weekly or monthly rows it is narrowed to the whole rows inside, the
    window summed; a ``week`` is then the last whole week of rows.
    """
    grain, week_start = ev.plan.actuals.grain, ev.plan.actuals.week_start
    if rule.window == "week":
        window = last_complete_week(ev.as_of)
        if grain == "weekly" and week_start != "monday":
            end = counted_through(ev.as_of, grain, week_start)
            start = end - dt.timedelta(days=6)
            window = Window(f"week of {start.isoformat()}", start, end)
    elif rule.window == "month":
        current = month_of(ev.as_of)
        window = Window(current.label, current.start, ev.as_of)
    elif rule.window == "quarter":
        quarter = quarter_of(ev.plan, ev.as_of)
        window = Window(quarter.label, quarter.start, ev.as_of)
    else:
        window = Window(ev.window.label, ev.window.start, min(ev.window.end, ev.as_of))
    return summed(window, grain, week_start)


def compared_window(ev: Evaluator, window: Window) -> Window:
    """What a ``drop_over``/``rise_over`` rule compares ``window`` with: as many days (as many
    whole weeks, as many months over monthly rows) right before it."""
    grain = ev.plan.actuals.grain
    if grain in ("weekly", "monthly"):
        return previous_rows(window, grain)
    return previous_window(window)


def firing_alerts(ev: Evaluator) -> tuple[AlertResult, ...]:
    """Every firing alert of the plan's rules, rule by rule, group by group."""
    found: list[AlertResult] = []
    for rule_id, rule in ev.plan.alerts.items():
        found.extend(rule_alerts(ev, rule_id, rule))
    return tuple(found)


def rule_alerts(ev: Evaluator, rule_id: str, rule: AlertRule) -> Iterator[AlertResult]:
    """The firing alerts of one rule."""
    threshold_quantity = rule.threshold
    if not isinstance(threshold_quantity, Quantity):
        return
    threshold = threshold_quantity.value
    window = rule_window(ev, rule)
    if window.end < window.start:
        return
    where = normalise_where(rule.where)
    current = rule_values(ev, rule, window)
    previous: dict[str | None, float | None] = {}
    if rule.condition in ("drop_over", "rise_over"):
        before = compared_window(ev, window)
        previous = _values(ev, rule.metric, rule.by, before, where)
    metric = ev.plan.metrics.get(rule.metric)
    unit: Unit = metric.unit if metric is not None else "count"
    line, column = ev.where(("alerts", rule_id))
    for group, value in current.items():
        if value is None:
            continue
        shown: float | None = value
        if rule.condition == "below":
            fires = value < threshold
        elif rule.condition == "above":
            fires = value > threshold
        else:
            change = ratio(value, previous.get(group))
            if change is None:
                continue
            shown = 1 - change if rule.condition == "drop_over" else change - 1
            fires = shown > threshold
        if not fires:
            continue
        yield AlertResult(
            rule=rule_id,
            label=rule.label or rule_id,
            severity=rule.severity,
            metric=rule.metric,
            unit=unit,
            value=shown,
            threshold=threshold,
            condition=rule.condition,
            group=() if rule.by is None or group is None else ((rule.by, group),),
            window=window_words(window),
            action=rule.action,
            line=line,
            column=column,
        )


def rule_values(
    ev: Evaluator, rule: AlertRule, window: Window, *, keep_empty: bool = False
) -> dict[str | None, float | None]:
    """A rule's metric per group (one ``None`` group without ``by``) over ``window``.

    Groups that the rule's ``min`` skips (any named metric missing or below its
    floor in the same window) are left out; so are groups without a value,
    unless ``keep_empty`` (a chart shows them as empty bars).
    """
    where = normalise_where(rule.where)
    current = _values(ev, rule.metric, rule.by, window, where)
    floors = [
        (floor.value, _values(ev, name, rule.by, window, where))
        for name, floor in rule.min.items()
        if isinstance(floor, Quantity)
    ]
    kept: dict[str | None, float | None] = {}
    for group, value in current.items():
        if value is None and not keep_empty:
            continue
        if any((seen := values.get(group)) is None or seen < floor for floor, values in floors):
            continue
        kept[group] = value
    return kept


def _values(
    ev: Evaluator,
    metric: str,
    by: str | None,
    window: Window,
    where: tuple[tuple[str, frozenset[str]], ...],
) -> dict[str | None, float | None]:
    if by is None:
        return {None: ev.rollup.value(metric, window.start, window.end, where)}
    return ev.rollup.by_group(metric, by, window.start, window.end, where)
