"""The actuals engine's inputs and outputs as plain frozen data.

The engine reads CSV files and sums them, in one scan, to a daily cube: one row
per date and dimension values, holding per measure column the sum, the count
of non-missing values, the minimum and the maximum. The cube is kept column by
column (:class:`Measure`: exact integers, no object per cell). Everything the
evaluator needs (weeks, months, quarters, year-to-date, groups, ``where``
filters, mean/last/min/max, formulas) is rolled up from that cube.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from promoplan.diagnostics import Diagnostic
from promoplan.vocabulary import Grain, WeekStart

ROWS_KEY = "\x00rows"  # the cube column of a row count; no header starts with NUL
# The one value a cube keeps for all values of a dimension that nothing reads by name
# (see ActualsSpec.read_values); NUL-led, so no file's value can equal it.
OTHER_VALUE = "\x00other"


def measure_key(column: str | None, agg: str, expr: str | None) -> str | None:
    """The cube column a base metric reads: its column, or a computed measure's key.

    ``agg: count`` without a column counts rows; with a column it counts the
    column's non-missing cells (text or not); ``expr`` is computed per row.
    None for a derived (formula) metric.
    """
    if expr is not None:
        return "\x00expr:" + expr.strip()
    if agg == "count":
        return ROWS_KEY if column is None else "\x00present:" + column
    return column


@dataclass(frozen=True)
class Computed:
    """A measure computed per record, under its cube column ``key`` (see :func:`measure_key`)."""

    key: str
    kind: Literal["rows", "present", "expr"]
    column: str | None = None  # present: the column whose cells are counted
    expr: str | None = None  # expr: the formula over column headers


@dataclass(frozen=True)
class UnpivotSpec:
    """Measures read from one column per value of ``dimension``.

    ``measures``: (measure name, pattern, named) where the pattern has ``{}``
    where the value goes (None when the columns are named one by one in
    ``named``: (value, column header) pairs).
    """

    dimension: str
    measures: tuple[tuple[str, str | None, tuple[tuple[str, str], ...]], ...]


@dataclass(frozen=True)
class LongSpec:
    """A long table: one row per date, dimension values and metric.

    ``metric_column`` names each row's metric (a value of it is what a plan's
    ``metrics.X.column`` names), ``value_column`` holds its number.
    """

    metric_column: str = "metric"
    value_column: str = "value"


@dataclass(frozen=True)
class ActualsSpec:
    """What to read: derived from the plan by the caller, so the engine needs no pydantic."""

    date_column: str
    dimensions: tuple[tuple[str, str], ...]  # (dimension name, column header)
    columns: tuple[str, ...]  # measure column headers the plan's metrics read
    grain: Grain = "daily"
    week_start: WeekStart = "monday"  # weekly: the weekday rows are dated on
    date_format: str | None = None
    encoding: str | None = None  # --encoding; None: UTF-8 (BOM or not), else GB18030 with PA005
    keep_from: dt.date | None = None  # rows before this are ignored with PA012
    keep_to: dt.date | None = None  # rows after this are ignored with PA012
    channel_dimension: str | None = None  # the dimension whose values `channels` maps
    known_channels: frozenset[str] | None = None  # PA011 for values not in this set
    # Measure columns whose per-day minimum and maximum are needed (metrics with
    # agg min or max); None: every column. Others get Cell.minimum/maximum None,
    # which saves the engine two aggregates per column.
    extrema: frozenset[str] | None = None
    # Measures whose per-day count of values is read (metrics with agg mean, and the
    # columns whose cells agg count counts); None: every one. A database query
    # selects COUNT only for these: another measure's count is 1 on a row holding a
    # value (its SUM is not NULL), which is all that is read of it.
    counted: frozenset[str] | None = None
    timeout: float | None = None  # --timeout, seconds: database sources' statement timeout
    # Measures computed per record (row counts, cells present, expr), after ``columns``
    # in the cube; an expr's columns are in ``columns`` too, so their cells are checked.
    computed: tuple[Computed, ...] = ()
    sheet: str | None = None  # the workbook sheet to read (Excel); None: the first
    unpivot: UnpivotSpec | None = None  # columns carrying one dimension value each
    long: LongSpec | None = None  # a long table (actuals.layout: long); None: wide
    # Dimensions whose values the plan reads only by name (``where`` filters, budget
    # channels), with those names: the cube keeps them apart and sums every other value
    # of the dimension under OTHER_VALUE, so its size does not grow with distinct values.
    # A dimension not listed (an alert's ``by``, say) keeps every value.
    read_values: tuple[tuple[str, frozenset[str]], ...] = ()


@dataclass(frozen=True)
class Cell:
    """One measure at one (date, dimension values): exact sum, count of values, min, max.

    Only :attr:`Cube.rows` makes these (for callers that look at single rows); the
    cube itself keeps its measures column-wise.
    """

    total: Decimal
    count: int
    minimum: Decimal | None
    maximum: Decimal | None


@dataclass(frozen=True)
class CubeRow:
    """One date and dimension values; ``dims`` aligns with ``Cube.dimensions``.

    A ``None`` in ``dims`` means the file had no such column.
    """

    day: dt.date
    dims: tuple[str | None, ...]
    cells: tuple[Cell | None, ...]  # aligned with Cube.columns; None: no value that day


@dataclass(frozen=True)
class Measure:
    """One cube column, column-wise: per row the exact sum as an integer number of
    ``10**-scale`` units, the count of values (0: no value that day; from a database,
    1 for a row with a value where the spec's ``counted`` leaves the measure out)
    and, when kept, the minimum and maximum in the same units (None where a row has
    none)."""

    scale: int
    totals: tuple[int, ...]
    counts: tuple[int, ...]
    minima: tuple[int | None, ...] | None = None
    maxima: tuple[int | None, ...] | None = None

    def number(self, units: int | None) -> Decimal | None:
        """``units`` of this measure as an exact Decimal."""
        return None if units is None else Decimal(units).scaleb(-self.scale)


def scaled(value: Decimal, scale: int) -> int:
    """``value`` in units of ``10**-scale``, exactly (``scale`` at least its decimal places)."""
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # finite: the caller checks
    units: int = int("".join(map(str, digits)) or "0") * 10 ** (exponent + scale)
    return -units if sign else units


def decimals(value: Decimal) -> int:
    """The decimal places ``value`` is written with (0 for an integer)."""
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


class Cube:
    """The daily cube, column-wise: per row a date and dimension values, per column a
    :class:`Measure`. No object is made per cell; :attr:`rows` builds rows on demand.

    ``Cube(dimensions, columns, rows)`` builds one from :class:`CubeRow` values (by
    hand, in tests); the engines use :meth:`of_columns`.
    """

    __slots__ = ("_rows", "columns", "days", "dimensions", "keys", "measures")

    def __init__(
        self,
        dimensions: tuple[str, ...],
        columns: tuple[str, ...],
        rows: tuple[CubeRow, ...] = (),
    ) -> None:
        self.dimensions = dimensions
        self.columns = columns
        self.days: tuple[dt.date, ...] = tuple(row.day for row in rows)
        width = len(dimensions)
        self.keys: tuple[tuple[str | None, ...], ...] = tuple(
            tuple(row.dims[j] if j < len(row.dims) else None for row in rows) for j in range(width)
        )
        self.measures: tuple[Measure, ...] = tuple(
            _measure([row.cells[j] if j < len(row.cells) else None for row in rows])
            for j in range(len(columns))
        )
        self._rows: tuple[CubeRow, ...] | None = tuple(rows)

    @classmethod
    def of_columns(
        cls,
        dimensions: tuple[str, ...],
        columns: tuple[str, ...],
        days: tuple[dt.date, ...],
        keys: tuple[tuple[str | None, ...], ...],
        measures: tuple[Measure, ...],
    ) -> Cube:
        """A cube from its columns: ``keys`` per dimension, ``measures`` per column."""
        cube = cls(dimensions, columns)
        cube.days, cube.keys, cube.measures, cube._rows = days, keys, measures, None
        return cube

    def __len__(self) -> int:
        return len(self.days)

    @property
    def rows(self) -> tuple[CubeRow, ...]:
        """The cube row by row (built once, on first use: the evaluation never needs it)."""
        if self._rows is None:
            built = []
            for i, day in enumerate(self.days):
                cells: list[Cell | None] = []
                for measure in self.measures:
                    count = measure.counts[i]
                    if not count:
                        cells.append(None)
                        continue
                    low = measure.minima[i] if measure.minima is not None else None
                    high = measure.maxima[i] if measure.maxima is not None else None
                    total = measure.number(measure.totals[i])
                    assert total is not None
                    cells.append(Cell(total, count, measure.number(low), measure.number(high)))
                dims = tuple(column[i] for column in self.keys)
                built.append(CubeRow(day=day, dims=dims, cells=tuple(cells)))
            self._rows = tuple(built)
        return self._rows

    def until(self, last: dt.date) -> Cube:
        """The same cube without the rows dated after ``last``."""
        kept = [i for i, day in enumerate(self.days) if day <= last]

        def pick(values: tuple[Any, ...] | None) -> tuple[Any, ...] | None:
            return None if values is None else tuple(values[i] for i in kept)

        measures = tuple(
            Measure(
                m.scale,
                tuple(m.totals[i] for i in kept),
                tuple(m.counts[i] for i in kept),
                pick(m.minima),
                pick(m.maxima),
            )
            for m in self.measures
        )
        keys = tuple(tuple(column[i] for i in kept) for column in self.keys)
        days = tuple(self.days[i] for i in kept)
        return Cube.of_columns(self.dimensions, self.columns, days, keys, measures)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Cube):
            return NotImplemented
        return (self.dimensions, self.columns, self.rows) == (
            other.dimensions,
            other.columns,
            other.rows,
        )

    __hash__ = None  # type: ignore[assignment]  # mutable-looking: compared by value only

    def __repr__(self) -> str:
        return f"Cube({self.dimensions!r}, {self.columns!r}, {len(self)} rows)"


def _measure(cells: list[Cell | None]) -> Measure:
    """A column of hand-made cells as a :class:`Measure`, at the scale its numbers need."""
    numbers = [
        n
        for c in cells
        if c is not None
        for n in (c.total, c.minimum, c.maximum)
        if n is not None and n.is_finite()
    ]
    scale = max((decimals(n) for n in numbers), default=0)

    def units(value: Decimal | None) -> int | None:
        return None if value is None or not value.is_finite() else scaled(value, scale)

    totals = tuple(0 if c is None else units(c.total) or 0 for c in cells)
    counts = tuple(0 if c is None or not c.total.is_finite() else c.count for c in cells)
    minima = tuple(None if c is None else units(c.minimum) for c in cells)
    maxima = tuple(None if c is None else units(c.maximum) for c in cells)
    return Measure(scale, totals, counts, minima, maxima)


@dataclass(frozen=True)
class FileSummary:
    """What one actuals file held."""

    path: str
    rows: int
    columns: tuple[str, ...]
    first_date: dt.date | None
    last_date: dt.date | None
    encoding: str
    # The measures the file has a column for, for PA013; None: not known (every one).
    measures: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Actuals:
    """The read result: the cube, per-file summaries and every diagnostic."""

    cube: Cube
    files: tuple[FileSummary, ...]
    diagnostics: tuple[Diagnostic, ...]

    @property
    def ok(self) -> bool:
        """False when any file had an error: then nothing may be computed from the cube."""
        return not any(d.severity == "error" for d in self.diagnostics)

    @property
    def last_date(self) -> dt.date | None:
        """The latest date with data, over every file."""
        dates = [f.last_date for f in self.files if f.last_date is not None]
        return max(dates) if dates else None
