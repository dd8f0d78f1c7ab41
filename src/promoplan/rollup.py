"""Metric values rolled up from the daily cube (SPEC section 3, "metrics").

Base metrics aggregate one cube column over a date range (``sum``, ``count``,
``mean``, ``min``, ``max``, ``last``); derived metrics evaluate their formula on
those aggregated values, so the ROI of a quarter is the quarter's GMV over the
quarter's spend, never a mean of daily ROIs.

For each (column, filter, grouping) asked for, the cube's column is summed per
group and day in one pass and running totals are kept (exact integers of the
measure's units, no object per cell), so any date range is then answered by two
binary searches per group; a Decimal is made only for the value returned. The
cost of a value does not grow with the dimension values the filter leaves out.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import accumulate
from typing import Any

from promoplan.actuals.model import Cube, measure_key
from promoplan.formula import Formula, evaluate_formula, is_additive, parse_formula
from promoplan.model import Metric, Plan
from promoplan.rowspans import row_dates, rows_year_earlier

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


@dataclass(frozen=True)
class _Part:
    """One series' share of an aggregate over a date range, in its measure's units."""

    total: int
    count: int
    minimum: int | None
    maximum: int | None
    last_day: dt.date
    last_total: int


class _Series:
    """One column summed over the cube rows of one group (those passing a filter, with
    one ``by`` value), one entry per day in date order, with running totals so that any
    date range is two binary searches away. Sums are exact integers of measure units."""

    def __init__(
        self,
        days: list[dt.date],
        totals: list[int],
        counts: list[int],
        minima: list[int | None],
        maxima: list[int | None],
    ) -> None:
        self.days = days
        self.minima = minima
        self.maxima = maxima
        self.totals = totals
        self.running_totals = list(accumulate(totals, initial=0))
        self.running_counts = list(accumulate(counts, initial=0))

    def part(self, start: dt.date, end: dt.date, *, extremes: bool) -> _Part | None:
        """This series over ``start``..``end``; None when it has no value there."""
        low = bisect_left(self.days, start)
        high = bisect_right(self.days, end)
        if high <= low:
            return None
        count = self.running_counts[high] - self.running_counts[low]
        if count <= 0:
            return None
        minimum = maximum = None
        if extremes:  # a scan of the range, only for min and max metrics
            minimum = min((m for m in self.minima[low:high] if m is not None), default=None)
            maximum = max((m for m in self.maxima[low:high] if m is not None), default=None)
        return _Part(
            total=self.running_totals[high] - self.running_totals[low],
            count=count,
            minimum=minimum,
            maximum=maximum,
            last_day=self.days[high - 1],
            last_total=self.totals[high - 1],
        )


def _aggregate(agg: str, parts: Sequence[_Part], scale: int) -> Decimal | None:  # noqa: PLR0911  # one return per aggregation
    """Combine the parts of several series into one exact aggregate."""
    if not parts:
        return None
    total = sum(p.total for p in parts)
    count = sum(p.count for p in parts)
    if agg == "sum":
        return _number(total, scale)
    if agg == "count":
        return Decimal(count)
    if agg == "mean":
        return _number(total, scale) / count
    if agg == "last":
        # The latest date with a value, summed over the dimension values of that date.
        latest = max(p.last_day for p in parts)
        return _number(sum(p.last_total for p in parts if p.last_day == latest), scale)
    if agg == "min":
        low = min((p.minimum for p in parts if p.minimum is not None), default=None)
        return None if low is None else _number(low, scale)
    if agg == "max":
        high = max((p.maximum for p in parts if p.maximum is not None), default=None)
        return None if high is None else _number(high, scale)
    raise AssertionError(f"unknown aggregation {agg!r}")


def _number(units: int, scale: int) -> Decimal:
    """``units`` of ``10**-scale`` as an exact Decimal."""
    return Decimal(units).scaleb(-scale)


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
        self.column_index = {name: i for i, name in enumerate(cube.columns)}
        self.dimension_index = {name: i for i, name in enumerate(cube.dimensions)}
        days = cube.days
        self.days: tuple[dt.date, ...] = tuple(sorted(set(days)))
        # Row positions in date order (the engines' cubes already are: then no sort).
        ordered = all(days[i] <= days[i + 1] for i in range(len(days) - 1))
        self._order: Sequence[int] = (
            range(len(days)) if ordered else sorted(range(len(days)), key=days.__getitem__)
        )
        # Dimension values trimmed once per distinct value; an empty value is no value.
        self._keys = tuple(
            _trimmed(cube.keys[j]) if j < len(cube.keys) else (None,) * len(days)
            for j in range(len(cube.dimensions))
        )
        self._series: dict[tuple[str, Filter, str | None], dict[Group, _Series]] = {}
        self._matching: dict[Filter, Sequence[int]] = {}
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
        if metric.column is not None:
            if metric.column not in self.column_index:
                return None
            whole = self._column_series(metric.column, (), None).get(None)
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
        key = self._key(metric)
        if key is not None:
            if key not in self.column_index:
                return {}
            active = and_filters(normalise_where(metric.where), extra)
            extremes = metric.agg in ("min", "max")
            scale = self.cube.measures[self.column_index[key]].scale
            found: dict[Group, Decimal | None] = {}
            for group, series in self._column_series(key, active, by).items():
                part = series.part(start, end, extremes=extremes)
                if part is not None:
                    found[group] = _aggregate(metric.agg, (part,), scale)
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

    def _column_series(self, column: str, active: Filter, by: str | None) -> dict[Group, _Series]:
        """The column summed per day over the rows passing ``active``, per ``by`` value:
        built in one pass over the cube the first time it is asked for, then kept."""
        wanted = (column, active, by)
        built = self._series.get(wanted)
        if built is None:
            built = self._build_series(column, active, by)
            self._series[wanted] = built
        return built

    def _build_series(self, column: str, active: Filter, by: str | None) -> dict[Group, _Series]:
        rows = self._rows_matching(active)
        by_position = self.dimension_index.get(by) if by is not None else None
        groups = self._keys[by_position] if by_position is not None else None
        measure = self.cube.measures[self.column_index[column]]
        counts, totals, days = measure.counts, measure.totals, self.cube.days
        minima, maxima = measure.minima, measure.maxima
        # Per group: days, totals, counts, minima, maxima, each day once.
        parts: dict[Group, tuple[list[Any], ...]] = {}
        lists: tuple[list[Any], ...] = ([], [], [], [], [])
        group: Group = None
        for i in rows:
            count = counts[i]
            if count <= 0:
                continue
            if groups is not None or not parts:
                group = groups[i] if groups is not None else None
                found = parts.get(group)
                if found is None:
                    found = parts[group] = ([], [], [], [], [])
                lists = found
            day_list = lists[0]
            low = minima[i] if minima is not None else None
            high = maxima[i] if maxima is not None else None
            if day_list and day_list[-1] == days[i]:  # rows of one day that differ elsewhere
                lists[1][-1] += totals[i]
                lists[2][-1] += count
                if minima is not None:
                    lists[3][-1] = _pick(min, lists[3][-1], low)
                if maxima is not None:
                    lists[4][-1] = _pick(max, lists[4][-1], high)
                continue
            day_list.append(days[i])
            lists[1].append(totals[i])
            lists[2].append(count)
            lists[3].append(low)
            lists[4].append(high)
        return {group: _Series(*lists) for group, lists in parts.items()}

    def _rows_matching(self, active: Filter) -> Sequence[int]:
        """The positions of the rows passing ``active``, in date order (kept per filter)."""
        found = self._matching.get(active)
        if found is not None:
            return found
        rows: Sequence[int] = self._order
        for dimension, allowed in active:
            position = self.dimension_index.get(dimension)
            if position is None or not allowed:
                rows = ()  # filtering on a dimension no file has: nothing matches
                break
            values = self._keys[position]
            rows = [i for i in rows if values[i] in allowed]
        self._matching[active] = rows
        return rows


def _pick(choose: Callable[[int, int], int], old: int | None, new: int | None) -> int | None:
    """The lower (``min``) or higher (``max``) of two extremes, either of which may be missing."""
    if old is None:
        return new
    return old if new is None else choose(old, new)


def _trimmed(values: tuple[str | None, ...]) -> tuple[str | None, ...]:
    """Dimension values trimmed, each distinct value once; an empty value is no value."""
    seen: dict[str | None, str | None] = {}
    out = []
    for raw in values:
        clean = seen.get(raw, _MISSING)
        if clean is _MISSING:
            text = raw.strip() if raw is not None else ""
            clean = seen[raw] = text or None
        out.append(clean)
    return tuple(out)


_MISSING: Any = object()


def _as_filter(where: WhereSpec | Filter | None) -> Filter:
    if where is None:
        return ()
    if isinstance(where, tuple):
        return where
    return normalise_where(where)
