"""The daily cube's columns as running totals, per filter and group, for the roll-up.

:class:`CubeTotals` answers "this column over these days, for the rows passing
this filter, per value of this dimension" with two binary searches. For each
(filter, grouping) the rows of each group are found once, in date order, and
shared by every column; for each (column, filter, grouping) the rows holding a
value are picked out and summed into running totals by C-level iteration
(``itertools.compress`` and ``accumulate``), with no Python loop over the cube's
rows. Sums stay exact integers of the measure's units.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from itertools import accumulate, chain, compress
from operator import le
from typing import Any

from promoplan.actuals.model import Cube, Measure

# A normalised filter: sorted (dimension, allowed values) pairs, hashable for caching.
Filter = tuple[tuple[str, frozenset[str]], ...]
Group = str | None


class Series:
    """One column over the cube rows of one group that hold a value of it, in date order,
    with running totals, so that any date range is two binary searches away.

    Every row kept holds a value, so a range of days is empty exactly when it has
    no value; :meth:`span` finds it and :meth:`aggregate` reads it.
    """

    __slots__ = ("_counts", "_running_counts", "days", "maxima", "minima", "running_totals")

    def __init__(
        self,
        days: list[dt.date],
        totals: Iterable[int],
        counts: Iterable[int],
        minima: list[int | None] | None,
        maxima: list[int | None] | None,
    ) -> None:
        self.days = days
        self.minima = minima
        self.maxima = maxima
        self.running_totals = list(accumulate(totals, initial=0))
        self._counts = counts
        self._running_counts: list[int] | None = None  # only count and mean need them

    def span(self, start: dt.date, end: dt.date) -> tuple[int, int] | None:
        """The rows of ``start``..``end`` as a slice (low, high); None when none is there."""
        days = self.days
        low = bisect_left(days, start)
        high = bisect_right(days, end, low)
        return (low, high) if high > low else None

    def aggregate(self, agg: str, low: int, high: int, scale: int) -> Decimal | None:
        """The exact ``agg`` of the rows ``low``..``high`` (a non-empty :meth:`span`)."""
        running = self.running_totals
        if agg == "sum":
            return _number(running[high] - running[low], scale)
        if agg == "count":
            return Decimal(self._count(low, high))
        if agg == "mean":
            return _number(running[high] - running[low], scale) / self._count(low, high)
        if agg == "last":
            # The latest date with a value, summed over the dimension values of that date.
            first_of_last = bisect_left(self.days, self.days[high - 1], low, high)
            return _number(running[high] - running[first_of_last], scale)
        if agg in ("min", "max"):  # a scan of the range, only for min and max metrics
            values = self.minima if agg == "min" else self.maxima
            if values is None:
                return None
            choose = min if agg == "min" else max
            found = choose((v for v in values[low:high] if v is not None), default=None)
            return None if found is None else _number(found, scale)
        raise AssertionError(f"unknown aggregation {agg!r}")

    def _count(self, low: int, high: int) -> int:
        running = self._running_counts
        if running is None:
            running = self._running_counts = list(accumulate(self._counts, initial=0))
            self._counts = ()
        return running[high] - running[low]


def _number(units: int, scale: int) -> Decimal:
    """``units`` of ``10**-scale`` as an exact Decimal."""
    return Decimal(units).scaleb(-scale)


# Past this many distinct values of a dimension, a grouping by it is summed over the
# window's rows each time it is asked (:meth:`CubeTotals.window_groups`) instead of
# one Series per value and column: 100,000 SKUs made 200,000 Series for one alert.
MANY_GROUPS = 2_000
# The aggregations summed directly; the others (last, min, max) always read Series.
DIRECT_AGGREGATIONS = frozenset({"sum", "count", "mean"})


class CubeTotals:
    """A cube's columns as :class:`Series`, per filter and grouping, built on first use."""

    many_groups = MANY_GROUPS  # per instance in tests: 0 sums every grouping directly

    def __init__(self, cube: Cube) -> None:
        self.cube = cube
        self.column_index = {name: i for i, name in enumerate(cube.columns)}
        self.dimension_index = {name: i for i, name in enumerate(cube.dimensions)}
        days = cube.days
        self.days = days
        # Row positions in date order (the engines' cubes already are: then no sort).
        self.ordered = all(map(le, days, days[1:]))
        self._order: Sequence[int] = (
            range(len(days)) if self.ordered else sorted(range(len(days)), key=days.__getitem__)
        )
        self._rank: Sequence[int] | None = None
        if not self.ordered:
            rank = [0] * len(days)
            for place, position in enumerate(self._order):
                rank[position] = place
            self._rank = rank
        width = len(cube.dimensions)
        self._keys: list[tuple[Group, ...] | None] = [None] * width
        self._distinct: list[int | None] = [None] * width
        self._positions: list[dict[Group, list[int]] | None] = [None] * width
        self._matching: dict[Filter, Sequence[int] | None] = {}
        self._groups: dict[tuple[Filter, str | None], dict[Group, Sequence[int] | None]] = {}
        self._series: dict[tuple[str, Filter, str | None], dict[Group, Series]] = {}

    def series(self, column: str, active: Filter, by: str | None) -> dict[Group, Series]:
        """The column over the rows passing ``active``, per ``by`` value (kept)."""
        wanted = (column, active, by)
        built = self._series.get(wanted)
        if built is None:
            measure = self.cube.measures[self.column_index[column]]
            built = {}
            for group, rows in self.groups(active, by).items():
                series = self._build(measure, rows)
                if series is not None:
                    built[group] = series
            self._series[wanted] = built
        return built

    def direct(self, by: str | None, agg: str) -> bool:
        """Whether ``agg`` of a column per ``by`` value is summed over the window's rows
        (:meth:`window_groups`) rather than read from Series: a dimension of many values."""
        position = self.dimension_index.get(by) if by is not None else None
        if position is None or agg not in DIRECT_AGGREGATIONS:
            return False
        distinct = self._distinct[position]
        if distinct is None:
            distinct = self._distinct[position] = len(set(self.keys(position)))
        return distinct > self.many_groups

    def window_groups(
        self,
        column: str,
        active: Filter,
        by: str,
        *,
        start: dt.date,
        end: dt.date,
        agg: str,
        scale: int,
    ) -> dict[Group, Decimal | None]:
        """``agg`` (sum, count or mean) of the column over ``start``..``end`` per ``by``
        value, for the rows passing ``active``: what the Series of :meth:`series` give
        (a group only where a row of the window holds a value), in one pass over the
        window's rows and without a Series per value."""
        measure = self.cube.measures[self.column_index[column]]
        position = self.dimension_index[by]
        keys, totals, counts = self.keys(position), measure.totals, measure.counts
        rows = self.matching(active)
        days = self.days
        if rows is None:  # every row, in date order: the window is a slice
            low, high = bisect_left(days, start), bisect_right(days, end)
            window = zip(keys[low:high], totals[low:high], counts[low:high], strict=True)
        else:
            low = bisect_left(rows, start, key=days.__getitem__)
            picked = rows[low : bisect_right(rows, end, low, key=days.__getitem__)]
            window = zip(
                map(keys.__getitem__, picked),
                map(totals.__getitem__, picked),
                map(counts.__getitem__, picked),
                strict=True,
            )
        sums: dict[Group, int] = {}
        numbers: dict[Group, int] = {}
        for group, total, count in window:
            if count:  # a row holding a value (as Series keep)
                if group in sums:
                    sums[group] += total
                    numbers[group] += count
                else:
                    sums[group] = total
                    numbers[group] = count
        if agg == "sum":
            return {group: _number(total, scale) for group, total in sums.items()}
        if agg == "count":
            return {group: Decimal(count) for group, count in numbers.items()}
        return {group: _number(sums[group], scale) / numbers[group] for group in sums}

    def _build(self, measure: Measure, rows: Sequence[int] | None) -> Series | None:
        """The series of ``measure`` over ``rows`` (positions in date order; None: all)."""
        counts: Sequence[int] = measure.counts if rows is None else _pick(measure.counts, rows)
        # The rows holding a value: a count of 0 is no value that day (counts are
        # never negative: a Measure's counts count values).
        holding = counts
        if rows is None:

            def select(values: Sequence[Any]) -> Iterator[Any]:
                return compress(values, holding)
        else:
            kept = list(compress(rows, holding))

            def select(values: Sequence[Any]) -> Iterator[Any]:
                return map(values.__getitem__, kept)

        days = list(select(self.days))
        if not days:
            return None
        minima, maxima = measure.minima, measure.maxima
        return Series(
            days,
            select(measure.totals),
            compress(counts, holding),  # an iterator: summed on first use
            None if minima is None else list(select(minima)),
            None if maxima is None else list(select(maxima)),
        )

    def groups(self, active: Filter, by: str | None) -> dict[Group, Sequence[int] | None]:
        """The positions, in date order, of the rows passing ``active`` per ``by`` value
        (None: every row of the cube, in its own order, which is date order)."""
        wanted = (active, by)
        found = self._groups.get(wanted)
        if found is not None:
            return found
        rows = self.matching(active)
        position = self.dimension_index.get(by) if by is not None else None
        if position is None:  # no grouping, or by a dimension no file has: one group
            found = {None: rows} if rows is None or rows else {}
        elif rows is None:  # every row: the dimension's index is the grouping
            found = dict(self.positions(position))
        elif len(active) == 1 and active[0][0] == by:  # filtered on the grouping itself
            index = self.positions(position)
            found = {value: index[value] for value in index if value in active[0][1]}
        else:
            values = self.keys(position)
            grouped: dict[Group, list[int]] = {}
            for i in rows:
                group = values[i]
                members = grouped.get(group)
                if members is None:
                    grouped[group] = [i]
                else:
                    members.append(i)
            found = dict(grouped)
        self._groups[wanted] = found
        return found

    def matching(self, active: Filter) -> Sequence[int] | None:
        """The positions of the rows passing ``active`` in date order (None: every row,
        already in date order), kept per filter."""
        if active in self._matching:
            return self._matching[active]
        rows: Sequence[int] | None = None if self.ordered else self._order
        for dimension, allowed in active:
            position = self.dimension_index.get(dimension)
            if position is None or not allowed:
                rows = ()  # filtering on a dimension no file has: nothing matches
                break
            if rows is None or rows is self._order:
                # The first filter: the rows of each allowed value, merged in date order.
                index = self.positions(position)
                picked = chain.from_iterable(index.get(value, ()) for value in allowed)
                rows = sorted(picked, key=None if self._rank is None else self._rank.__getitem__)
            else:
                values = self.keys(position)
                rows = [i for i in rows if values[i] in allowed]
        self._matching[active] = rows
        return rows

    def keys(self, position: int) -> tuple[Group, ...]:
        """A dimension's values trimmed (each distinct value once); empty is no value."""
        found = self._keys[position]
        if found is None:
            cube = self.cube
            raw = cube.keys[position] if position < len(cube.keys) else (None,) * len(cube.days)
            found = self._keys[position] = _trimmed(raw)
        return found

    def positions(self, position: int) -> dict[Group, list[int]]:
        """Per trimmed value of a dimension, its rows' positions in date order."""
        found = self._positions[position]
        if found is None:
            values = self.keys(position)
            found = {}
            for i in self._order:  # one pass (faster than sorting by value, measured)
                members = found.get(values[i])
                if members is None:
                    found[values[i]] = [i]
                else:
                    members.append(i)
            self._positions[position] = found
        return found


def _pick(values: Sequence[Any], rows: Sequence[int]) -> list[Any]:
    """``values`` at ``rows``, in that order."""
    return list(map(values.__getitem__, rows))


def _trimmed(values: Sequence[str | None]) -> tuple[Group, ...]:
    """Dimension values trimmed, each distinct value once; an empty value is no value."""
    clean: dict[str | None, Group] = {}
    for raw in set(values):
        text = raw.strip() if raw is not None else ""
        clean[raw] = text or None
    return tuple(map(clean.__getitem__, values))
