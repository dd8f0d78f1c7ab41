"""Metric values rolled up from the daily cube (SPEC section 3, "metrics").

Base metrics aggregate one cube column over a date range (``sum``, ``count``,
``mean``, ``min``, ``max``, ``last``); derived metrics evaluate their formula on
those aggregated values, so the ROI of a quarter is the quarter's GMV over the
quarter's spend, never a mean of daily ROIs.

The cube is indexed once: for each (column, filter, grouping) asked for, the
days with a value and running totals over them are built in one pass, so any
date range is then answered by two binary searches.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from promoplan.actuals.model import Cube, CubeRow
from promoplan.formula import Formula, evaluate_formula, is_additive, parse_formula
from promoplan.model import Metric, Plan

WhereSpec = Mapping[str, str | int | Sequence[str | int]]
# A normalised filter: sorted (dimension, allowed values) pairs, hashable for caching.
Filter = tuple[tuple[str, frozenset[str]], ...]
Group = str | None

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


@dataclass
class _Series:
    """One group's days with a value, with running totals for range queries."""

    days: list[dt.date] = field(default_factory=list)
    day_totals: list[Decimal] = field(default_factory=list)
    day_minima: list[Decimal | None] = field(default_factory=list)
    day_maxima: list[Decimal | None] = field(default_factory=list)
    running_totals: list[Decimal] = field(default_factory=lambda: [ZERO])
    running_counts: list[int] = field(default_factory=lambda: [0])

    def add(
        self, day: dt.date, total: Decimal, count: int, low: Decimal | None, high: Decimal | None
    ) -> None:
        """Add one cell (rows arrive in date order; cells of the same day are merged)."""
        if self.days and self.days[-1] == day:
            self.day_totals[-1] += total
            self.day_minima[-1] = _least(self.day_minima[-1], low)
            self.day_maxima[-1] = _greatest(self.day_maxima[-1], high)
            self.running_totals[-1] += total
            self.running_counts[-1] += count
            return
        self.days.append(day)
        self.day_totals.append(total)
        self.day_minima.append(low)
        self.day_maxima.append(high)
        self.running_totals.append(self.running_totals[-1] + total)
        self.running_counts.append(self.running_counts[-1] + count)

    def aggregate(  # noqa: PLR0911  # one return per aggregation
        self, agg: str, start: dt.date, end: dt.date
    ) -> Decimal | None:
        """The aggregate over ``start``..``end``; None when no value lies in the range."""
        low = bisect_left(self.days, start)
        high = bisect_right(self.days, end)
        if high <= low:
            return None
        count = self.running_counts[high] - self.running_counts[low]
        if count <= 0:
            return None
        if agg == "sum":
            return self.running_totals[high] - self.running_totals[low]
        if agg == "count":
            return Decimal(count)
        if agg == "mean":
            return (self.running_totals[high] - self.running_totals[low]) / count
        if agg == "last":
            return self.day_totals[high - 1]
        if agg == "min":
            minima = [m for m in self.day_minima[low:high] if m is not None]
            return min(minima) if minima else None
        if agg == "max":
            maxima = [m for m in self.day_maxima[low:high] if m is not None]
            return max(maxima) if maxima else None
        raise AssertionError(f"unknown aggregation {agg!r}")


def _least(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    if a is None:
        return b
    return a if b is None else min(a, b)


def _greatest(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    if a is None:
        return b
    return a if b is None else max(a, b)


def _to_float(value: Decimal | None) -> float | None:
    if value is None or not value.is_finite():
        return None
    return float(value)


class Rollup:
    """A plan's metrics over an actuals cube: values by date range, filter and group."""

    def __init__(self, plan: Plan, cube: Cube) -> None:
        self.plan = plan
        self.cube = cube
        self.rows: tuple[CubeRow, ...] = tuple(sorted(cube.rows, key=lambda row: row.day))
        self.column_index = {name: i for i, name in enumerate(cube.columns)}
        self.dimension_index = {name: i for i, name in enumerate(cube.dimensions)}
        self.days: tuple[dt.date, ...] = tuple(sorted({row.day for row in self.rows}))
        self._series: dict[tuple[str, Filter, str | None], dict[Group, _Series]] = {}
        self._formulas: dict[str, Formula] = {}
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
        if metric.column is not None:
            return metric.column in self.column_index
        formula = self.formula(metric_id)
        seen = _seen | {metric_id}
        return formula is not None and all(self.has_data(name, seen) for name in formula.names)

    # -- values -----------------------------------------------------------

    def value(
        self, metric_id: str, start: dt.date, end: dt.date, where: WhereSpec | Filter | None = None
    ) -> float | None:
        """The metric over ``start``..``end`` (inclusive), with an extra ``where``."""
        values = self._grouped(metric_id, start, end, _as_filter(where), None)
        return _to_float(values.get(None))

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

    def _grouped(
        self, metric_id: str, start: dt.date, end: dt.date, extra: Filter, by: str | None
    ) -> dict[Group, Decimal | None]:
        key = (metric_id, start, end, extra, by)
        cached = self._values.get(key)
        if cached is not None:
            return cached
        result = self._compute(metric_id, start, end, extra, by, seen=frozenset())
        self._values[key] = result
        return result

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
        if metric.column is not None:
            if metric.column not in self.column_index:
                return {}
            active = and_filters(normalise_where(metric.where), extra)
            series = self._series_for(metric.column, active, by)
            return {group: s.aggregate(metric.agg, start, end) for group, s in series.items()}
        formula = self.formula(metric_id)
        if formula is None:
            return {}
        inner = seen | {metric_id}
        parts = {
            name: self._compute(name, start, end, extra, by, seen=inner) for name in formula.names
        }
        groups: set[Group] = set()
        for part in parts.values():
            groups.update(part)
        if by is None:
            groups = {None}
        result: dict[Group, Decimal | None] = {}
        for group in groups:
            values = {name: part.get(group) for name, part in parts.items()}
            number = evaluate_formula(formula, values)
            result[group] = None if number is None else Decimal(repr(number))
        return result

    def _series_for(self, column: str, active: Filter, by: str | None) -> dict[Group, _Series]:
        key = (column, active, by)
        if key in self._series:
            return self._series[key]
        series: dict[Group, _Series] = {}
        self._series[key] = series
        checks: list[tuple[int, frozenset[str]]] = []
        for dimension, allowed in active:
            index = self.dimension_index.get(dimension)
            if index is None or not allowed:
                return series  # filtering on a dimension no file has: nothing matches
            checks.append((index, allowed))
        by_index = self.dimension_index.get(by) if by is not None else None
        if by is not None and by_index is None:
            # No file has that dimension: every row lacks it.
            by_index = -1
        column_index = self.column_index[column]
        for row in self.rows:
            cell = row.cells[column_index]
            if cell is None or cell.count <= 0:
                continue
            if not all(_dim(row, index) in allowed for index, allowed in checks):
                continue
            group: Group = None
            if by_index is not None:
                group = _dim(row, by_index) if by_index >= 0 else None
            target = series.get(group)
            if target is None:
                target = series[group] = _Series()
            target.add(row.day, cell.total, cell.count, cell.minimum, cell.maximum)
        return series


def _dim(row: CubeRow, index: int) -> str | None:
    value = row.dims[index] if index < len(row.dims) else None
    if value is None:
        return None
    value = value.strip()
    return value or None


def _as_filter(where: WhereSpec | Filter | None) -> Filter:
    if where is None:
        return ()
    if isinstance(where, tuple):
        return where
    return normalise_where(where)
