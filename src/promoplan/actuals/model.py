"""The actuals engine's inputs and outputs as plain frozen data.

The engine reads CSV files and sums them, in one scan, to a daily cube: one row
per date and dimension values, holding per measure column the sum, the count
of non-missing values, the minimum and the maximum. Everything the evaluator
needs (weeks, months, quarters, year-to-date, groups, ``where`` filters,
mean/last/min/max, formulas) is rolled up from that cube.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from promoplan.diagnostics import Diagnostic
from promoplan.vocabulary import Grain, WeekStart

ROWS_KEY = "\x00rows"  # the cube column of a row count; no header starts with NUL


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
    timeout: float | None = None  # --timeout, seconds: database sources' statement timeout
    # Measures computed per record (row counts, cells present, expr), after ``columns``
    # in the cube; an expr's columns are in ``columns`` too, so their cells are checked.
    computed: tuple[Computed, ...] = ()
    sheet: str | None = None  # the workbook sheet to read (Excel); None: the first
    unpivot: UnpivotSpec | None = None  # columns carrying one dimension value each
    long: LongSpec | None = None  # a long table (actuals.layout: long); None: wide


@dataclass(frozen=True)
class Cell:
    """One measure at one (date, dimension values): exact sum, count of values, min, max."""

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
class Cube:
    """The daily cube: a few thousand rows, whatever the size of the CSVs."""

    dimensions: tuple[str, ...]
    columns: tuple[str, ...]
    rows: tuple[CubeRow, ...]


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
