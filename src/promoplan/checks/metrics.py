"""Metric checks PP121-PP122: names that refer to defined metrics, formulas that work."""

from __future__ import annotations

from collections.abc import Iterator

from promoplan.checks.finding import Finding, Path, did_you_mean
from promoplan.checks.reading import all_goals
from promoplan.formula import metric_order
from promoplan.model import Plan


def _metric_references(plan: Plan) -> Iterator[tuple[Path, str, str]]:
    """(key path, metric id, who names it) for every place that names a metric."""
    for goal_id, path, goal in all_goals(plan):
        yield (*path, "metric"), goal.metric, f"goal {goal_id!r}"
    for alert_id, alert in plan.alerts.items():
        yield ("alerts", alert_id, "metric"), alert.metric, f"alert {alert_id!r}"
        for name in alert.min:
            yield ("alerts", alert_id, "min", name), name, f"alert {alert_id!r} (min)"
    budget = plan.budget
    if budget is not None and ("spend_metric" in budget.model_fields_set or plan.channels):
        yield ("budget", "spend_metric"), budget.spend_metric, "budget.spend_metric"
    if plan.report is not None:
        for index, kpi in enumerate(plan.report.kpis):
            yield ("report", "kpis", index), kpi, "report.kpis"


def check_metric_names(plan: Plan) -> Iterator[Finding]:
    """PP121: goals, alerts, ``min``, ``budget.spend_metric`` and report KPIs name defined metrics.

    Fails (no metric ``revenue``)::

        metrics: {gmv: {column: gmv}}
        goals: {growth: {metric: revenue, growth: 30%}}
    """
    known = list(plan.metrics)
    for path, name, who in _metric_references(plan):
        if name in plan.metrics:
            continue
        hint = did_you_mean(name, known) or f"define {name!r} under metrics"
        yield Finding("PP121", f"{who} names unknown metric {name!r}", path, hint)


def check_formulas(plan: Plan) -> Iterator[Finding]:
    """PP122: every formula parses, names defined metrics only, no formula depends on itself,
    and no chain of formulas is more than 32 deep.

    Fails (``revenue`` is not a metric; ``a`` and ``b`` form a cycle)::

        metrics:
          roi: {formula: revenue / spend}
          a: {formula: b + 1}
          b: {formula: a * 2}
    """
    order = metric_order({metric_id: metric.formula for metric_id, metric in plan.metrics.items()})
    known = list(plan.metrics)
    for problem in order.problems:
        path: Path = ("metrics", problem.metric, "formula")
        if problem.kind == "syntax":
            at = f" at character {problem.offset + 1}" if problem.offset is not None else ""
            yield Finding(
                "PP122",
                f"metric {problem.metric!r}: formula error{at}: {problem.message}",
                path,
                "a formula has metric names, numbers, + - * / and parentheses",
            )
        elif problem.kind == "unknown":
            name = problem.name or ""
            yield Finding(
                "PP122",
                f"metric {problem.metric!r}: formula names unknown metric {name!r}",
                path,
                did_you_mean(name, known) or f"define {name!r} under metrics",
            )
        elif problem.kind == "chain":
            yield Finding(
                "PP122",
                f"metric {problem.metric!r}: {problem.message}",
                path,
                "write the longer formulas in terms of base metrics, skipping steps",
            )
        else:
            yield Finding(
                "PP122",
                f"metric {problem.metric!r}: {problem.message}",
                path,
                "a formula cannot depend on itself, directly or through other formulas",
            )
