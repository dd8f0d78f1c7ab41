"""Metric checks PP121, PP122, PP124, PP125, PP127, PP128: names that refer to defined
metrics, formulas that work and mean what they say, metrics the actuals' layout can give."""

from __future__ import annotations

from collections.abc import Iterator

from promoplan.checks.finding import Finding, Path, did_you_mean
from promoplan.checks.reading import all_goals
from promoplan.formula import (
    FormulaError,
    Name,
    Negate,
    Node,
    Op,
    Product,
    Sum,
    name_nodes,
    parse_formula,
)
from promoplan.metricorder import metric_order
from promoplan.model import Plan


def _metric_references(plan: Plan) -> Iterator[tuple[Path, str, str, bool]]:
    """(key path, metric id, who names it, named by the key) for every place that names
    a metric (a ``min`` floor's metric is its key)."""
    for goal_id, path, goal in all_goals(plan):
        yield (*path, "metric"), goal.metric, f"goal {goal_id!r}", False
    for alert_id, alert in plan.alerts.items():
        yield ("alerts", alert_id, "metric"), alert.metric, f"alert {alert_id!r}", False
        for name in alert.min:
            yield ("alerts", alert_id, "min", name), name, f"alert {alert_id!r} (min)", True
    budget = plan.budget
    if budget is not None and ("spend_metric" in budget.model_fields_set or plan.channels):
        yield ("budget", "spend_metric"), budget.spend_metric, "budget.spend_metric", False
    if plan.report is not None:
        for index, kpi in enumerate(plan.report.kpis):
            yield ("report", "kpis", index), kpi, "report.kpis", False


def check_metric_names(plan: Plan) -> Iterator[Finding]:
    """PP121: goals, alerts, ``min``, ``budget.spend_metric`` and report KPIs name defined metrics.

    Fails (no metric ``revenue``)::

        metrics: {gmv: {column: gmv}}
        goals: {growth: {metric: revenue, growth: 30%}}
    """
    known = list(plan.metrics)
    for path, name, who, key in _metric_references(plan):
        if name in plan.metrics:
            continue
        hint = did_you_mean(name, known) or f"define {name!r} under metrics"
        yield Finding("PP121", f"{who} names unknown metric {name!r}", path, hint, key=key)


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


def check_expressions(plan: Plan) -> Iterator[Finding]:
    """PP122: every ``expr`` (a per-row value over columns) parses.

    Fails (an operator without its right operand)::

        metrics:
          revenue: {expr: "conversions *"}
    """
    for metric_id, metric in plan.metrics.items():
        if metric.expr is None:
            continue
        try:
            parse_formula(metric.expr)
        except FormulaError as exc:
            yield Finding(
                "PP122",
                f"metric {metric_id!r}: expr error at character {exc.offset + 1}: {exc.message}",
                ("metrics", metric_id, "expr"),
                "an expr has column names, numbers, + - * / and parentheses",
            )


def _metric_factors(node: Node) -> list[tuple[Op | None, Node]]:
    """The factors of a product with the operator before each (None for the first)."""
    if isinstance(node, Product):
        return [(None, node.first), *node.rest]
    return [(None, node)]


def _products(node: Node) -> Iterator[Product]:
    """Every product in the tree."""
    if isinstance(node, Product):
        yield node
        yield from _products(node.first)
        for _, item in node.rest:
            yield from _products(item)
    elif isinstance(node, Negate):
        yield from _products(node.operand)
    elif isinstance(node, Sum):
        yield from _products(node.first)
        for _, item in node.rest:
            yield from _products(item)


def _names_in(node: Node) -> list[str]:
    return [n.name for n in name_nodes(node)]


def _expr_hint(plan: Plan, names: list[str]) -> str:
    """``use expr: a_col * b_col``, when the metrics multiplied read one column each."""
    columns = [plan.metrics[n].column if n in plan.metrics else None for n in names]
    suggestion = ""
    if all(columns) and len(columns) == 2:
        suggestion = f" (expr: {columns[0]} * {columns[1]})"
    return (
        "a formula combines totals; to multiply per row and then sum, define the metric with "
        f"expr over the columns instead{suggestion}"
    )


def check_products_of_sums(plan: Plan) -> Iterator[Finding]:
    """PP124 (warning): a formula multiplies two metrics, or divides by a percent or ratio one.

    A formula works on totals, so ``conversions * revenue_per_conversion`` is the
    product of two sums, almost never what is meant; ``expr`` multiplies per row.
    Warns::

        metrics:
          revenue: {formula: conversions * revenue_per_conversion}
    """
    for metric_id, metric in plan.metrics.items():
        if metric.formula is None:
            continue
        try:
            formula = parse_formula(metric.formula)
        except FormulaError:
            continue  # PP122 says so
        path: Path = ("metrics", metric_id, "formula")
        for product in _products(formula.root):
            factors = _metric_factors(product)
            multiplied = [item for op, item in factors if op != "/" and _names_in(item)]
            if len(multiplied) >= 2:
                names = [_names_in(item)[0] for item in multiplied[:2]]
                yield Finding(
                    "PP124",
                    f"metric {metric_id!r}: formula multiplies {names[0]!r} by {names[1]!r}, "
                    "a product of two totals",
                    path,
                    _expr_hint(plan, names),
                )
                break
            divisors = [
                item.name
                for op, item in factors
                if op == "/"
                and isinstance(item, Name)
                and item.name in plan.metrics
                and plan.metrics[item.name].unit in ("percent", "ratio")
            ]
            if divisors:
                unit = plan.metrics[divisors[0]].unit
                yield Finding(
                    "PP124",
                    f"metric {metric_id!r}: formula divides by {divisors[0]!r}, a {unit} metric: "
                    f"a total divided by an aggregated {unit}",
                    path,
                    "to divide per row and then sum, define the metric with expr over the "
                    "columns instead",
                )
                break


def _base_metrics(plan: Plan, metric_id: str, seen: frozenset[str] = frozenset()) -> set[str]:
    """The base metrics a metric reads, through its formulas."""
    metric = plan.metrics.get(metric_id)
    if metric is None or metric_id in seen:
        return set()
    if metric.formula is None:
        return {metric_id}
    try:
        names = parse_formula(metric.formula).names
    except FormulaError:
        return set()
    found: set[str] = set()
    for name in names:
        found |= _base_metrics(plan, name, seen | {metric_id})
    return found


def check_unpivoted_groups(plan: Plan) -> Iterator[Finding]:
    """PP125: a goal or alert split by the unpivot dimension reads only unpivoted measures.

    A measure that is not unpivoted has no value per channel, so grouping or
    filtering it by channel would show nothing. Fails (revenue is one column)::

        actuals:
          unpivot: {dimension: channel, measures: {spend: "{channel}_S"}}
        metrics:
          spend: {column: spend}
          revenue: {column: revenue}
          roi: {formula: revenue / spend}
        alerts:
          low_roi: {metric: roi, by: channel, below: 2}
    """
    unpivot = plan.actuals.unpivot
    if unpivot is None:
        return
    dimension = unpivot.dimension
    places: list[tuple[Path, str, str]] = []
    for alert_id, alert in plan.alerts.items():
        if alert.by == dimension:
            places.append((("alerts", alert_id, "by"), alert.metric, f"alert {alert_id!r}"))
        elif alert.where and dimension in alert.where:
            places.append((("alerts", alert_id, "where"), alert.metric, f"alert {alert_id!r}"))
    for goal_id, path, goal in all_goals(plan):
        if goal.where and dimension in goal.where:
            places.append(((*path, "where"), goal.metric, f"goal {goal_id!r}"))
    for path, metric_id, who in places:
        for base in sorted(_base_metrics(plan, metric_id)):
            metric = plan.metrics[base]
            if metric.column in unpivot.measures:
                continue
            yield Finding(
                "PP125",
                f"{who} is split by {dimension}, but metric {base!r} is not unpivoted: "
                f"it has no value per {dimension}",
                path,
                f"unpivot its column under actuals.unpivot.measures, or drop the {dimension} "
                "split (a total over every value has a value)",
            )
            break


def check_long_metrics(plan: Plan) -> Iterator[Finding]:
    """PP127: a long table holds one metric per row, so a metric of it reads one name.

    ``expr`` (columns of one row) and ``agg: count`` (rows or cells) have nothing
    to read there. Fails::

        actuals: {layout: long}
        metrics:
          revenue: {expr: conversions * revenue_per_conversion}
    """
    if plan.actuals.layout != "long":
        return
    for metric_id, metric in plan.metrics.items():
        if metric.expr is not None:
            what, key = "computes expr per row", "expr"
        elif metric.agg == "count":
            what, key = "counts rows or cells", "agg"
        else:
            continue
        yield Finding(
            "PP127",
            f"metric {metric_id!r} {what}, but in a long table each row holds one metric",
            ("metrics", metric_id, key),
            "read the metric's own rows with column: NAME (a value of the metric column), "
            "or combine metrics with formula:",
        )


def check_unpivoted_exprs(plan: Plan) -> Iterator[Finding]:
    """PP128: an ``expr`` reads no measure that ``actuals.unpivot`` splits.

    An expr is computed per row of the file, where an unpivoted measure has one
    column per value of the dimension (``tv_S``, ``ooh_S``): no value of its own
    in a row, so the expr would have none either. A formula works on the summed
    measures instead. Fails::

        actuals:
          unpivot: {dimension: channel, measures: {spend: "{channel}_S"}}
        metrics:
          spend: {column: spend}
          spend2: {expr: spend * 2}
    """
    unpivot = plan.actuals.unpivot
    if unpivot is None:
        return
    dimension = unpivot.dimension
    for metric_id, metric in plan.metrics.items():
        if metric.expr is None:
            continue
        try:
            names = parse_formula(metric.expr).names
        except FormulaError:
            continue  # PP122 says what is wrong with it
        split = sorted(name for name in names if name in unpivot.measures)
        if not split:
            continue
        listed = ", ".join(repr(name) for name in split)
        yield Finding(
            "PP128",
            f"metric {metric_id!r}: expr reads {listed}, which actuals.unpivot splits into "
            f"one column per {dimension}: it has no value per row",
            ("metrics", metric_id, "expr"),
            f"use formula: instead of expr:, over metrics that read the columns "
            f"({{column: {split[0]}}}): a formula works on the summed measures",
        )
