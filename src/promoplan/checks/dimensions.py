"""PP131: a ``by`` or ``where`` that names a dimension spelt like a declared one.

A dimension that ``actuals.dimensions`` does not declare reads the column of the
same name (SPEC), so ``by: region`` over a ``region`` column needs no declaration.
But when the plan declares ``channel`` and an alert says ``by: chanel``, the rule
reads a column no export has: it never fires, and only a PA002 at check time, on
the actuals, says so. Such a near miss is a warning at the plan's line, with the
name it looks like.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from promoplan.checks.finding import Finding, Path
from promoplan.checks.reading import all_goals
from promoplan.model import Plan


def _dimension_references(plan: Plan) -> Iterator[tuple[Path, str, str, bool]]:
    """(key path, dimension, who names it, named by the key) for every ``by`` and ``where``."""
    for metric_id, metric in plan.metrics.items():
        for name in metric.where or {}:
            yield ("metrics", metric_id, "where", name), name, f"metric {metric_id!r}", True
    for goal_id, path, goal in all_goals(plan):
        for name in goal.where or {}:
            yield (*path, "where", name), name, f"goal {goal_id!r}", True
    for alert_id, alert in plan.alerts.items():
        if alert.by is not None:
            yield ("alerts", alert_id, "by"), alert.by, f"alert {alert_id!r}", False
        for name in alert.where or {}:
            yield ("alerts", alert_id, "where", name), name, f"alert {alert_id!r}", True


def check_dimension_names(plan: Plan) -> Iterator[Finding]:
    """PP131 (warning): a ``by``/``where`` dimension not declared, but close to one that is.

    Warns (the rule reads a column ``chanel``, which no export has)::

        actuals: {dimensions: {channel: channel}}
        alerts: {low_roi: {metric: roi, below: "1:3", by: chanel}}
    """
    declared = set(plan.actuals.dimensions)
    if plan.actuals.unpivot is not None:
        declared.add(plan.actuals.unpivot.dimension)
    if plan.channels or plan.budget is not None:
        declared.add("channel")
    if not declared:
        return
    known = sorted(declared)
    for path, name, who, key in _dimension_references(plan):
        if name in declared:
            continue
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.75)
        if not close:
            continue  # another column of the actuals, read by its own name
        yield Finding(
            "PP131",
            f"{who} names dimension {name!r}, which actuals.dimensions does not declare, "
            f"so it reads a column {name!r}; did you mean {close[0]!r}?",
            path,
            f"write {close[0]!r}; a column {name!r} that the actuals do have may be "
            "declared under actuals.dimensions to keep this name",
            key=key,
        )
