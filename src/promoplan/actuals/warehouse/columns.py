"""Match what the plan reads against a table's typed columns, and plan the cube query.

Every engine lists the table's columns with their SQL types (from its
catalog, read through :mod:`promoplan.actuals.warehouse.catalog`); this module
decides, the same way for all of them, what is missing
(the date column: PA033, an error; a measure or dimension: PA002, as for a CSV
file without that column; an unpivot pattern that matches no column: PA002)
and what has the wrong type (PA034, naming the type), then plans the query:
which columns and exprs are grouped, the unpivot's branches, and the dates
kept as bounds on the bare date column.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, replace

from promoplan.actuals.model import ActualsSpec
from promoplan.actuals.names import trimmed_header
from promoplan.actuals.needs import needed_of, unpivot_header, unpivoted_measures
from promoplan.actuals.problems import listing
from promoplan.actuals.warehouse.catalog import (
    DATE,
    NUMBER,
    TIMESTAMP,
    TableColumns,
    not_in_table,
)
from promoplan.actuals.warehouse.cubequery import (
    CubeQuery,
    LongQuery,
    Period,
    RowExpr,
    UnpivotQuery,
)
from promoplan.actuals.warehouse.urls import WarehouseUrl
from promoplan.diagnostics import Diagnostic, diagnostic
from promoplan.formula import Node, name_nodes, parse_formula

MAX_CUBE_ROWS = 500_000  # a daily cube over years and hundreds of channels stays far below


@dataclass(frozen=True)
class Planned:
    """The query to run (None when the table cannot serve the plan) and what was found."""

    query: CubeQuery | None
    diagnostics: tuple[Diagnostic, ...]
    dimension_slots: tuple[int | None, ...]  # per spec dimension: its position in the query
    measure_slots: tuple[int | None, ...]  # per unique spec measure: its position in the query
    columns: tuple[str, ...]  # the table's column names
    expr_slots: tuple[tuple[str, int], ...] = ()  # (computed key, position) per expr computed


def _keep_bounds(spec: ActualsSpec) -> tuple[dt.date | None, dt.date | None]:
    """The dates kept, as bounds on the bare date column.

    A monthly row counts on its month's first day, so the file engine keeps it
    when that day is within the dates kept: on the bare column that is from the
    first month that starts on or after ``keep_from`` to the end of
    ``keep_to``'s month.
    """
    start, end = spec.keep_from, spec.keep_to
    if spec.grain != "monthly":
        return start, end
    if start is not None and start.day != 1:
        start = _next_month(start)
    if end is not None:
        end = _next_month(end) - dt.timedelta(days=1)
    return start, end


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


@dataclass
class _Split:
    """The unpivot's columns found in the table: per value, per measure name, the column."""

    values: tuple[str, ...]
    columns: dict[tuple[int, str], str]  # (value index, measure name) -> column
    dimension: str


def _split(
    url: WarehouseUrl, spec: ActualsSpec, names: tuple[str, ...], found: list[Diagnostic]
) -> _Split | None:
    """Match the plan's unpivot patterns and names against the table's columns (PA002)."""
    if spec.unpivot is None:
        return None
    needed = needed_of(spec)
    # Matched as the header of the table's CSV export would be (trimmed); the query
    # names each column as the table spells it.
    header = tuple(map(trimmed_header, names))
    unpivoted, missing = unpivot_header(header, needed, spec.unpivot, url.display, counts=True)
    found += [replace(d, line=None) for d in missing]  # a table has no header line

    def measure(j: int) -> str:  # a count of cells reads the columns of the measure it counts
        computed = needed.computed[j]
        return (computed.column or "") if computed is not None else needed.measures[j]

    columns = {(value - 1, measure(j)): names[column - 1] for j, value, column in unpivoted.columns}
    return _Split(unpivoted.values, columns, spec.unpivot.dimension)


def plan_query(
    url: WarehouseUrl,
    spec: ActualsSpec,
    table_columns: tuple[tuple[str, str], ...],
    *,
    limit: int | None = None,
    domains: Mapping[str, str] | None = None,
) -> Planned:
    """Check the table's ``(name, SQL type)`` columns against ``spec`` and build the query;
    ``domains`` holds the base type of each column whose type is a domain."""
    types = TableColumns(table_columns, domains)
    names = types.names
    source = url.display
    found: list[Diagnostic] = []
    split = _split(url, spec, names, found)
    unpivoted = unpivoted_measures(spec)
    # A count of a column's cells reads the column (any type) through COUNT(column).
    counted = tuple(c.column for c in spec.computed if c.kind == "present" and c.column)
    queried = tuple(dict.fromkeys((*spec.columns, *counted)))
    dims = tuple(
        column
        for name, column in spec.dimensions
        if split is None or name != split.dimension  # its values come from column names
    )
    date_type = types.get(spec.date_column)
    if date_type is None:
        found.append(
            diagnostic(
                "PA033",
                f'no date column "{spec.date_column}" in {url.table} '
                f"(the columns are: {listing(names)})",
                file=source,
                hint="set actuals.date in the plan to the date column's name",
            )
        )
    elif not (DATE.match(date_type) or TIMESTAMP.match(date_type)):
        found.append(
            diagnostic(
                "PA034",
                f'column "{spec.date_column}" is {types.shown(spec.date_column)}, '
                "not a date or timestamp",
                file=source,
                hint="cast it in a view (CAST(... AS DATE)) and read the view",
            )
        )
    if spec.long is not None:
        return _plan_long(url, spec, types, date_type, found, limit)
    numbers = [c for c in dict.fromkeys(spec.columns) if c not in unpivoted]
    numbers += list(split.columns.values()) if split is not None else []
    for column in dict.fromkeys(numbers):
        sql_type = types.get(column)
        if sql_type is not None and not NUMBER.match(sql_type):
            found.append(
                diagnostic(
                    "PA034",
                    f'column "{column}" is {types.shown(column)}, not a number',
                    file=source,
                    hint="cast it in a view (CAST(... AS NUMERIC)) and read the view",
                )
            )
    found += not_in_table(
        url, types, tuple(dict.fromkeys((*dims, *(q for q in queried if q not in unpivoted))))
    )
    # A dimension nothing reads is not a key of the cube: for order-level rows
    # (grain: rows, where no repeat is looked for) it is left out, under another
    # grain grouped by in an inner query that finds repeated rows, then summed over.
    unread = _unread(spec)
    present_dims = tuple(dict.fromkeys(c for c in dims if c in types and c not in unread))
    folded = tuple(c for c in dict.fromkeys(dims) if c in types and c in unread)
    kept = _kept(spec, present_dims)
    dimension_slots = tuple(
        len(present_dims)
        if split is not None and name == split.dimension
        else present_dims.index(column)
        if column in present_dims
        else None
        for name, column in spec.dimensions
    )
    measures = _Measures(spec, types, queried, unpivoted, split)
    if any(d.severity == "error" for d in found) or date_type is None:
        return Planned(None, tuple(found), dimension_slots, measures.slots, names)
    keep_from, keep_to = _keep_bounds(spec)
    query = CubeQuery(
        table=url.table,
        date_column=spec.date_column,
        date_is_timestamp=not DATE.match(date_type),
        dimensions=present_dims,
        measures=measures.columns,
        extrema=tuple(measures.wants(c) for c in measures.owners),
        summed=measures.summed,
        counted=measures.counted,
        keep_from=keep_from,
        keep_to=keep_to,
        limit=limit if limit is not None else MAX_CUBE_ROWS + 1,  # one more shows the cap is hit
        exprs=tuple(RowExpr(f, measures.wants(k), measures.counts(k)) for k, f in measures.exprs),
        period=_PERIODS.get(spec.grain, "day"),
        unpivot=measures.unpivot(),
        folded=folded if spec.grain != "rows" else (),
        kept=kept,
        renamed=types.renamed(
            (
                spec.date_column,
                *present_dims,
                *folded,
                *measures.columns,
                *(n.name for _, root in measures.exprs for n in name_nodes(root)),
            )
        ),
    )
    return Planned(query, tuple(found), dimension_slots, measures.slots, names, measures.expr_slots)


_PERIODS: dict[str, Period] = {"weekly": "week", "monthly": "month"}


def _plan_long(  # noqa: PLR0917  # what plan_query found, handed on
    url: WarehouseUrl,
    spec: ActualsSpec,
    types: TableColumns,
    date_type: str | None,
    found: list[Diagnostic],
    limit: int | None,
) -> Planned:
    """A long table's query: grouped by the date, the dimensions and the metric column,
    the value column the one measure, only the rows of the metrics the plan reads.

    Every dimension the table has is grouped by (none is folded, no value summed
    under another): the cube holds what the file engine's does before it sums those.
    """
    long = spec.long
    assert long is not None
    dims = tuple(dict.fromkeys(c for _, c in spec.dimensions))
    found += not_in_table(url, types, (*dims, long.metric_column, long.value_column))
    value_type = types.get(long.value_column)
    if value_type is not None and not NUMBER.match(value_type):
        found.append(
            diagnostic(
                "PA034",
                f'column "{long.value_column}" is {types.shown(long.value_column)}, not a number',
                file=url.display,
                hint="cast it in a view (CAST(... AS NUMERIC)) and read the view",
            )
        )
    present = tuple(c for c in dims if c in types)
    dimension_slots = tuple(present.index(c) if c in present else None for _, c in spec.dimensions)
    metrics = tuple(dict.fromkeys(spec.columns))  # the metric names read, each a cube measure
    counted = tuple(c.column for c in spec.computed if c.kind == "present" and c.column)
    queried = tuple(dict.fromkeys((*spec.columns, *counted)))
    slots = tuple(metrics.index(q) if q in metrics else None for q in queried)
    # Nothing to fetch without the two columns, or without a metric to read (no IN list).
    unreadable = long.metric_column not in types or value_type is None or not metrics
    if any(d.severity == "error" for d in found) or date_type is None or unreadable:
        return Planned(None, tuple(found), dimension_slots, slots, types.names)
    keep_from, keep_to = _keep_bounds(spec)
    extrema = spec.extrema is None or any(m in spec.extrema for m in metrics)
    query = CubeQuery(
        table=url.table,
        date_column=spec.date_column,
        date_is_timestamp=not DATE.match(date_type),
        dimensions=(*present, long.metric_column),
        measures=(long.value_column,),
        extrema=(extrema,),
        keep_from=keep_from,
        keep_to=keep_to,
        limit=limit if limit is not None else MAX_CUBE_ROWS + 1,
        period=_PERIODS.get(spec.grain, "day"),
        long=LongQuery(metrics),
        renamed=types.renamed((spec.date_column, *present, long.metric_column, long.value_column)),
    )
    return Planned(query, tuple(found), dimension_slots, slots, types.names)


def _kept(
    spec: ActualsSpec, dimensions: tuple[str, ...]
) -> tuple[tuple[int, tuple[str, ...]], ...]:
    """The dimensions grouped by whose values the plan reads only by name (``where``
    filters, budget channels), with those names: the query sums every other value into
    one, as the file engine does. Not the channel dimension of a plan with channels,
    whose values PA011 lists one by one.

    Each name is listed composed (NFC, as the plan's names are) and decomposed (NFD,
    as macOS exports write accents): a value in either form is kept, and the cube
    reads it in NFC, as the file engine does (SQL has no normalisation every engine
    shares)."""
    named = {
        name: {form for value in values for form in (value, unicodedata.normalize("NFD", value))}
        for name, values in spec.read_values
        if values
    }
    if spec.known_channels is not None and spec.channel_dimension is not None:
        named.pop(spec.channel_dimension, None)
    columns = {column: name for name, column in spec.dimensions}
    return tuple(
        (j, tuple(sorted(named[columns[column]])))
        for j, column in enumerate(dimensions)
        if columns.get(column) in named
    )


def _unread(spec: ActualsSpec) -> set[str]:
    """The dimension columns nothing reads (listed in ``read_values`` with no value),
    whose values would only multiply the cube's rows."""
    unread = {name for name, values in spec.read_values if not values}
    return {column for name, column in spec.dimensions if name in unread}


class _Measures:
    """The grouped measures (columns, unpivoted columns, exprs) and where each cube measure is.

    Grouped: the plain columns present, then each unpivoted column, then the
    exprs whose operands are all present. A result row's measures are the
    grouped ones, or under unpivot one per cube measure read (``slots``).
    """

    def __init__(
        self,
        spec: ActualsSpec,
        types: TableColumns,
        queried: tuple[str, ...],
        unpivoted: set[str],
        split: _Split | None,
    ) -> None:
        self.spec = spec
        self.cells_counted = {c.column for c in spec.computed if c.kind == "present"}
        plain = [q for q in queried if q in types and q not in unpivoted]
        expanded = list(dict.fromkeys(split.columns.values())) if split is not None else []
        self.columns = tuple(dict.fromkeys((*plain, *expanded)))
        # The cube measure each grouped column stands for (its extrema follow it).
        owners = {c: c for c in plain}
        # Every cube measure a grouped column is read for: it is summed if one of them
        # is, and counted if one of them is.
        read_for: dict[str, set[str]] = {c: {c} for c in plain}
        for (_, measure), column in split.columns.items() if split is not None else ():
            owners.setdefault(column, measure)
            read_for.setdefault(column, set()).add(measure)
        self.owners = tuple(owners[c] for c in self.columns)
        self.summed = tuple(any(map(self.sums, read_for[c])) for c in self.columns)
        self.counted = tuple(any(map(self.counts, read_for[c])) for c in self.columns)
        self.exprs: list[tuple[str, Node]] = []
        for computed in spec.computed:
            if computed.kind != "expr" or computed.key in dict.fromkeys(spec.columns):
                continue
            formula = parse_formula(computed.expr or "")
            if all(n in types for n in formula.names):
                self.exprs.append((computed.key, formula.root))
        self.split = split
        first_expr = len(self.columns)
        if split is None:
            self.slots = tuple(self.columns.index(q) if q in plain else None for q in queried)
            self.expr_slots = tuple((k, first_expr + i) for i, (k, _) in enumerate(self.exprs))
            return
        # Under unpivot a result row has one measure per cube measure read.
        outputs = [q for q in queried if q in plain or q in unpivoted]
        self.slots = tuple(outputs.index(q) if q in outputs else None for q in queried)
        self.expr_slots = tuple((k, len(outputs) + i) for i, (k, _) in enumerate(self.exprs))
        self.base = tuple(self.columns.index(q) if q in plain else None for q in outputs) + tuple(
            first_expr + i for i in range(len(self.exprs))
        )
        self.split_slots = tuple(
            tuple(
                self.columns.index(split.columns[(v, q)]) if (v, q) in split.columns else None
                for q in outputs
            )
            + (None,) * len(self.exprs)
            for v in range(len(split.values))
        )
        self.out_extrema = tuple(self.wants(q) for q in outputs) + tuple(
            self.wants(k) for k, _ in self.exprs
        )
        self.out_summed = (*map(self.sums, outputs), *(True for _ in self.exprs))
        self.out_counted = (*map(self.counts, outputs), *(self.counts(k) for k, _ in self.exprs))

    def wants(self, measure: str) -> bool:
        """Whether the cube measure's minimum and maximum are needed."""
        return self.spec.extrema is None or measure in self.spec.extrema

    def sums(self, measure: str) -> bool:
        """Whether the cube measure's sum is read: not for a column whose cells are only
        counted (agg count), which may be text."""
        return measure in self.spec.columns

    def counts(self, measure: str) -> bool:
        """Whether the cube measure's count of values is read (a mean, a count of cells)."""
        counted = self.spec.counted
        return counted is None or measure in counted or measure in self.cells_counted

    def unpivot(self) -> UnpivotQuery | None:
        """The unpivot's branches, when the plan unpivots."""
        if self.split is None:
            return None
        return UnpivotQuery(
            self.split.values,
            self.base,
            self.split_slots,
            self.out_extrema,
            self.out_summed,
            self.out_counted,
        )
