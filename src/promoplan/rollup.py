"""Metric values rolled up from the daily cube (SPEC section 3, "metrics").

Base metrics aggregate one cube column over a date range (``sum``, ``count``,
``mean``, ``min``, ``max``, ``last``); derived metrics evaluate their formula on
those aggregated values, so the ROI of a quarter is the quarter's GMV over the
quarter's spend, never a mean of daily ROIs.

For each (column, filter, grouping) asked for, the cube's column is kept as running
totals per group (:mod:`promoplan.runningtotals`: exact integers of the measure's
units, no object per cell), so any date range is then answered by two binary
searches per group; a Decimal is made only for the value returned. The cost of a
value does not grow with the dimension values the filter leaves out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal

from promoplan.actuals.model import Cube, measure_key
from promoplan.formula import Formula, evaluate_formula, is_additive, parse_formula
from promoplan.model import Metric, Plan
from promoplan.rowspans import row_dates, row_of, rows_year_earlier
from promoplan.runningtotals import CubeTotals, Filter, Group, Series
from promoplan.windows import days_in, each_day

WhereSpec = Mapping[str, str | int | Sequence[str | int]]

ZERO = Decimal(0)


def normalise_where(where: WhereSpec | None) -> Filter:
    """A plan ``where`` as a hashable filter; values compared as trimmed strings."""
    if not where:
        return ()
    pairs: list[tuple[str, frozenset[str]]] = []
    for dimension, raw in where.items():
        values = raw if isinstance(raw, (list, tuple)) else [raw]
        pairs.append((dimension, frozenset(str(value).strip() for value in values)))
    return tuple(sorted(pairs, key=lambda pair: pair[0]))


def and_filters(*filters: Filter) -> Filter:
    """All filters at once: a dimension named twice keeps only the values in both."""
    merged: dict[str, frozenset[str]] = {}
    for current in filters:
        for dimension, values in current:
            merged[dimension] = merged[dimension] & values if dimension in merged else values
    return tuple(sorted(merged.items(), key=lambda pair: pair[0]))


def _to_float(value: Decimal | None) -> float | None:
    if value is None or not value.is_finite():
        return None
    return float(value)


class Rollup:
    """A plan's metrics over an actuals cube: values by date range, filter and group."""

    def __init__(self, plan: Plan, cube: Cube) -> None:
        self.plan = plan
        self.cube = cube
        self.grain = plan.actuals.grain
        self.totals = CubeTotals(cube)
        self.column_index = self.totals.column_index
        self.days: tuple[dt.date, ...] = tuple(sorted(set(cube.days)))
        self._formulas: dict[str, Formula] = {}
        self._bases: dict[
            tuple[str, Filter, str | None], tuple[dict[Group, Series], str, int] | None
        ] = {}
        self._cumulative: dict[str, bool] = {}
        self._values: dict[
            tuple[str, dt.date, dt.date, Filter, str | None], dict[Group, Decimal | None]
        ] = {}

    # -- what a metric is -------------------------------------------------

    def metric(self, metric_id: str) -> Metric | None:
        """The plan's metric of this id, if any."""
        return self.plan.metrics.get(metric_id)

    def formula(self, metric_id: str) -> Formula | None:
        """The parsed formula of a derived metric (None for base or unknown metrics)."""
        metric = self.metric(metric_id)
        if metric is None or metric.formula is None:
            return None
        if metric_id not in self._formulas:
            self._formulas[metric_id] = parse_formula(metric.formula)
        return self._formulas[metric_id]

    def is_cumulative(self, metric_id: str, _seen: frozenset[str] = frozenset()) -> bool:
        """``sum`` and ``count`` metrics, and formulas that only add and subtract them."""
        if metric_id in self._cumulative:
            return self._cumulative[metric_id]
        metric = self.metric(metric_id)
        if metric is None or metric_id in _seen:
            return False
        formula = self.formula(metric_id)
        if formula is None:
            result = metric.agg in ("sum", "count")
        else:
            seen = _seen | {metric_id}
            result = is_additive(formula) and all(
                self.is_cumulative(name, seen) for name in formula.names
            )
        self._cumulative[metric_id] = result
        return result

    def has_data(self, metric_id: str, _seen: frozenset[str] = frozenset()) -> bool:
        """False when a column the metric reads is in no actuals file."""
        metric = self.metric(metric_id)
        if metric is None or metric_id in _seen:
            return False
        key = self._key(metric)
        if key is not None:
            return key in self.column_index
        formula = self.formula(metric_id)
        seen = _seen | {metric_id}
        return formula is not None and all(self.has_data(name, seen) for name in formula.names)

    def coverage(
        self, metric_id: str, _seen: frozenset[str] = frozenset()
    ) -> tuple[dt.date, dt.date] | None:
        """The first and last day on which the actuals hold the metric (for a formula, the
        days all its operands cover); None when they never do."""
        metric = self.metric(metric_id)
        if metric is None or metric_id in _seen:
            return None
        key = self._key(metric)  # a column, an expr computed per row, rows counted
        if key is not None:
            if key not in self.column_index:
                return None
            whole = self.totals.series(key, (), None).get(None)
            return (whole.days[0], whole.days[-1]) if whole is not None else None
        formula = self.formula(metric_id)
        if formula is None:
            return None
        spans = [self.coverage(name, _seen | {metric_id}) for name in formula.names]
        if not spans or any(span is None for span in spans):
            return None
        first = max(span[0] for span in spans if span is not None)
        last = min(span[1] for span in spans if span is not None)
        return (first, last) if first <= last else None

    # -- values -----------------------------------------------------------

    def value(
        self, metric_id: str, start: dt.date, end: dt.date, where: WhereSpec | Filter | None = None
    ) -> float | None:
        """The metric over ``start``..``end`` (inclusive), with an extra ``where``."""
        values = self._grouped(metric_id, start, end, _as_filter(where), None)
        return _to_float(values.get(None))

    def per_day(
        self, metric_id: str, start: dt.date, end: dt.date, where: WhereSpec | Filter | None = None
    ) -> tuple[float | None, ...]:
        """The metric on each day of ``start``..``end`` (None: no data that day).

        Over weekly or monthly rows a cumulative metric's row is spread evenly over its
        days (a week of 7,000 is 1,000 a day), so curves and forecasts built day by day
        work on any grain; any other metric has no value for a single day there.
        """
        if self.grain not in ("weekly", "monthly"):
            return tuple(self.value(metric_id, day, day, where) for day in each_day(start, end))
        if not self.is_cumulative(metric_id):
            return (None,) * days_in(start, end)
        week_start = self.plan.actuals.week_start
        values: list[float | None] = []
        for day in each_day(start, end):
            first, last = row_of(day, self.grain, week_start)
            whole = self.value(metric_id, first, last, where)
            values.append(None if whole is None else whole / days_in(first, last))
        return tuple(values)

    def by_group(
        self,
        metric_id: str,
        dimension: str,
        start: dt.date,
        end: dt.date,
        where: WhereSpec | Filter | None = None,
        *,
        keep_missing: bool = False,
    ) -> dict[Group, float | None]:
        """The metric per value of ``dimension``, sorted by value.

        Rows without that dimension are left out, or kept under ``None`` with ``keep_missing``.
        """
        values = self._grouped(metric_id, start, end, _as_filter(where), dimension)
        result: dict[Group, float | None] = {
            group: _to_float(values[group]) for group in sorted(g for g in values if g is not None)
        }
        if keep_missing and None in values:
            result[None] = _to_float(values[None])
        return result

    def _key(self, metric: Metric) -> str | None:
        """The cube column a base metric reads (None for a formula).

        A count of a column reads the column's cells-present measure; a cube
        made without one (by hand) counts the column's numbers instead.
        """
        key = measure_key(metric.column, metric.agg, metric.expr)
        if (
            key is not None
            and key not in self.column_index
            and metric.expr is None
            and metric.column in self.column_index
        ):
            return metric.column
        return key

    def year_earlier(self, start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
        """The comparison span a year before ``start``..``end`` for this plan's rows
        (52 weeks back for weekly rows, the same dates otherwise)."""
        return rows_year_earlier(start, end, self.grain)

    def _grouped(
        self, metric_id: str, start: dt.date, end: dt.date, extra: Filter, by: str | None
    ) -> dict[Group, Decimal | None]:
        # Weekly and monthly rows count only when their whole span is inside.
        start, end = row_dates(start, end, self.grain)
        key = (metric_id, start, end, extra, by)
        cached = self._values.get(key)
        if cached is not None:
            return cached
        result = self._compute(metric_id, start, end, extra, by, seen=frozenset())
        self._values[key] = result
        return result

    def _base(
        self, metric_id: str, metric: Metric, extra: Filter, by: str | None
    ) -> tuple[dict[Group, Series], str, int] | None:
        """A base metric's series per group with its aggregation and scale (no series
        when its column is in no file); None for a formula. Kept: per-day values ask often."""
        wanted = (metric_id, extra, by)
        if wanted in self._bases:
            return self._bases[wanted]
        key = self._key(metric)
        base: tuple[dict[Group, Series], str, int] | None = None
        if key is not None and key not in self.column_index:
            base = ({}, metric.agg, 0)
        elif key is not None:
            active = and_filters(normalise_where(metric.where), extra)
            scale = self.cube.measures[self.column_index[key]].scale
            base = (self.totals.series(key, active, by), metric.agg, scale)
        self._bases[wanted] = base
        return base

    def _direct(
        self, metric: Metric, start: dt.date, end: dt.date, extra: Filter, by: str | None
    ) -> dict[Group, Decimal | None] | None:
        """A base metric per value of a dimension of many values, summed over the window's
        rows (no Series per value); None where Series answer (few values, or another
        aggregation, or a formula)."""
        key = self._key(metric)
        if by is None or key is None or key not in self.column_index:
            return None
        if not self.totals.direct(by, metric.agg):
            return None
        active = and_filters(normalise_where(metric.where), extra)
        scale = self.cube.measures[self.column_index[key]].scale
        return self.totals.window_groups(
            key, active, by, start=start, end=end, agg=metric.agg, scale=scale
        )

    def _compute(
        self,
        metric_id: str,
        start: dt.date,
        end: dt.date,
        extra: Filter,
        by: str | None,
        *,
        seen: frozenset[str],
    ) -> dict[Group, Decimal | None]:
        metric = self.metric(metric_id)
        if metric is None or metric_id in seen:
            return {}
        direct = self._direct(metric, start, end, extra, by)
        if direct is not None:
            return direct
        base = self._base(metric_id, metric, extra, by)
        if base is not None:
            found: dict[Group, Decimal | None] = {}
            per_group, agg, scale = base
            for group, series in per_group.items():
                rows = series.span(start, end)
                if rows is not None:
                    found[group] = series.aggregate(agg, rows[0], rows[1], scale)
            return found
        formula = self.formula(metric_id)
        if formula is None:
            return {}
        inner = seen | {metric_id}
        operands = {
            name: self._compute(name, start, end, extra, by, seen=inner) for name in formula.names
        }
        groups: set[Group] = set()
        for operand in operands.values():
            groups.update(operand)
        if by is None:
            groups = {None}
        result: dict[Group, Decimal | None] = {}
        for group in groups:
            values = {name: operand.get(group) for name, operand in operands.items()}
            number = evaluate_formula(formula, values)
            result[group] = None if number is None else Decimal(repr(number))
        return result


def _as_filter(where: WhereSpec | Filter | None) -> Filter:
    if where is None:
        return ()
    if isinstance(where, tuple):
        return where
    return normalise_where(where)
