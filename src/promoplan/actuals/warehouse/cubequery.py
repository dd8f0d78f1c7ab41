"""What the daily-cube query reads, as plain frozen dataclasses: no SQL here.

:mod:`promoplan.actuals.warehouse.columns` plans a :class:`CubeQuery` from the plan's
needs and the table's catalog; :mod:`promoplan.actuals.warehouse.query` renders it
per dialect with sqlglot; :mod:`promoplan.actuals.warehouse.cube` reads its rows back
by the same description (:meth:`CubeQuery.out_parts`, :meth:`CubeQuery.folded_tail`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Literal

from promoplan.actuals.warehouse.tablenames import TableName
from promoplan.formula import Node

Period = Literal["day", "week", "month"]
# What the CSV engine trims from dimension values (RE2's \s and three wide spaces).
SPACES = " \t\n\f\r\u00a0\u202f\u3000"
# The values of a kept dimension not named, summed into one, as the query returns them:
# no trimmed value starts with a space (OTHER_VALUE's NUL cannot be in PostgreSQL text).
OTHER_SQL = " other "


Parts = tuple[str, ...]  # the aggregates of one measure in a result row, in order


def parts_of(*, summed: bool, counted: bool, extrema: bool) -> Parts:
    """One measure's aggregates in a result row, in this order: its SUM (``s``), its
    COUNT of values (``c``), its MIN and MAX (``lo``, ``hi``)."""
    return (
        *(("s",) if summed else ()),
        *(("c",) if counted or not summed else ()),  # a measure has one of the two at least
        *(("lo", "hi") if extrema else ()),
    )


def _flags(given: tuple[bool, ...] | None, size: int) -> tuple[bool, ...]:
    return (True,) * size if given is None else given


@dataclass(frozen=True)
class RowExpr:
    """A measure computed per row from columns (``expr``): the parsed formula."""

    formula: Node
    extrema: bool = False  # select MIN and MAX too
    counted: bool = True  # select COUNT too (a mean reads it)


@dataclass(frozen=True)
class UnpivotQuery:
    """The grouped rows read once per value of the unpivoted dimension.

    The result has one more key column (the value; NULL on the rows not split)
    and its own measures: per output measure, ``base`` names the grouped
    measure read on the rows not split (None: empty there) and ``split[i]`` the
    one read on the rows of ``values[i]``.
    """

    values: tuple[str, ...]
    base: tuple[int | None, ...]
    split: tuple[tuple[int | None, ...], ...]
    extrema: tuple[bool, ...]  # per output measure
    summed: tuple[bool, ...] | None = None  # per output measure, as CubeQuery's
    counted: tuple[bool, ...] | None = None

    def parts(self) -> tuple[Parts, ...]:
        """Per output measure: its aggregates in a result row."""
        size = len(self.extrema)
        return tuple(
            parts_of(summed=s, counted=c, extrema=e)
            for s, c, e in zip(
                _flags(self.summed, size), _flags(self.counted, size), self.extrema, strict=True
            )
        )


@dataclass(frozen=True)
class LongQuery:
    """A long table (one row per date, dimension values and metric): its metric column
    is the last of the query's dimensions and its value column the one measure; only
    the rows of ``names`` (the cube measures, bound) are read, and the result's rows are
    pivoted into one measure per name (:meth:`CubeQuery.wide`)."""

    names: tuple[str, ...]


@dataclass(frozen=True)
class CubeQuery:
    """What the cube query reads: the table, its typed columns and the dates kept."""

    table: TableName
    date_column: str
    date_is_timestamp: bool  # cast to DATE in SELECT and GROUP BY
    dimensions: tuple[str, ...]  # column names, in the spec's order (present ones only)
    measures: tuple[str, ...]  # column names (present ones only)
    extrema: tuple[bool, ...]  # aligned with measures: select MIN and MAX too
    keep_from: dt.date | None
    keep_to: dt.date | None
    limit: int | None = None  # at most this many rows come back
    exprs: tuple[RowExpr, ...] = ()  # grouped after ``measures``
    period: Period = "day"  # month: the date truncated to its month's first day
    unpivot: UnpivotQuery | None = None
    # Per column of ``measures``: whether its SUM is selected (not for a column whose
    # cells are only counted, which may be of any type), and its COUNT (only where a
    # mean or a count of cells reads it). None: both, for every column.
    summed: tuple[bool, ...] | None = None
    counted: tuple[bool, ...] | None = None
    # Dimension columns nothing reads, under a grain of one row per date and values:
    # grouped by in an inner query (every key trimmed), so that repeated rows are
    # found, then summed over; a result row ends with how many inner groups it
    # sums (``g``), how many of them are repeated rows (``r``) and, when one
    # dimension is folded, its least value among those repeated (``f``: PA010 names it).
    folded: tuple[str, ...] = ()
    # Dimensions (positions in ``dimensions``) whose values the plan reads only by
    # name, with those names: summed over the inner groups too, every other value
    # under OTHER_SQL (as the file engine sums them under OTHER_VALUE).
    kept: tuple[tuple[int, tuple[str, ...]], ...] = ()
    # The columns above (and those exprs read) are the plan's names; where the table
    # spells one otherwise (case or surrounding spaces aside, as a file's header is
    # matched), (the plan's name, the table's): the query names the table's.
    renamed: tuple[tuple[str, str], ...] = ()
    long: LongQuery | None = None

    def wide(self) -> CubeQuery:
        """The query its rows answer once a long table's are pivoted (the metric column
        no key, one measure per name, each aggregated as the value column is); itself
        for a wide table."""
        if self.long is None:
            return self
        n = len(self.long.names)
        return replace(
            self,
            dimensions=self.dimensions[:-1],
            measures=self.long.names,
            extrema=self.extrema * n,
            summed=None if self.summed is None else self.summed * n,
            counted=None if self.counted is None else self.counted * n,
            long=None,
        )

    def two_level(self) -> bool:
        """Whether the rows are grouped by every key first, then summed (folded, kept)."""
        return bool(self.folded or self.kept)

    def table_column(self, name: str) -> str:
        """The table's spelling of the column the plan names ``name``."""
        return dict(self.renamed).get(name, name)

    def grouped_parts(self) -> tuple[Parts, ...]:
        """Per grouped measure (columns, then exprs): the aggregates selected."""
        size = len(self.measures)
        columns = zip(
            _flags(self.summed, size), _flags(self.counted, size), self.extrema, strict=True
        )
        return (
            *(parts_of(summed=s, counted=c, extrema=e) for s, c, e in columns),
            *(parts_of(summed=True, counted=e.counted, extrema=e.extrema) for e in self.exprs),
        )

    def out_parts(self) -> tuple[Parts, ...]:
        """Per measure of a result row: its aggregates, in the row's order."""
        return self.unpivot.parts() if self.unpivot is not None else self.grouped_parts()

    def keys(self) -> int:
        """The key columns of a result row after the date: the dimensions (and the value)."""
        return len(self.dimensions) + (1 if self.unpivot is not None else 0)

    def folded_tail(self) -> tuple[str, ...]:
        """The columns a result row ends with when its rows are grouped in two levels."""
        if not self.two_level():
            return ()
        return ("g", "r", "f") if len(self.folded) == 1 else ("g", "r")

    def columns_out(self) -> int:
        """How many columns a result row has."""
        return 2 + self.keys() + sum(map(len, self.out_parts())) + len(self.folded_tail())
