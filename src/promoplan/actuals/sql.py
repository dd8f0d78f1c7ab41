"""The aggregation as SQL text: from raw text cells to the daily cube.

This module only builds strings; it imports no engine. The queries read from a
``source`` (``scans.py``): a value (:class:`CsvScan`, :class:`ParquetScan`, or any
object with the :class:`FromItem` shape) that renders itself as a FROM item whose columns
are named ``c1`` .. ``cN`` after their position. The aggregation is written
against those names only, so another SQL engine can run it behind a FROM item
of its own when actuals outgrow one machine.

Columns are text (VARCHAR, cleaned here) unless the source says they are
typed (:attr:`Layout.kinds`): a typed number or date column is cast, never
cleaned.

Nothing from a plan or a CSV file is ever spliced into the SQL text: file
columns are referred to by position (``"c4"``), dimension values and dates are
bound as parameters (``$keep_from``, ``$date_format``), and the only literals
are this module's own constants.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from promoplan.actuals.cellsql import (
    NUMBER_TYPE,
    SPACES,
    SUM_TYPE,
    date_expr,
    dimension_expr,
    missing_expr,
    number_expr,
    quote_ident,
    sql_string,
)

# Re-exported: the sources and the engine name the FROM items as sql.CsvScan and so on.
from promoplan.actuals.scans import CsvScan as CsvScan  # noqa: PLC0414
from promoplan.actuals.scans import FromItem as FromItem  # noqa: PLC0414
from promoplan.actuals.scans import ParquetScan as ParquetScan  # noqa: PLC0414
from promoplan.formula import Name, Negate, Node, Number


def column(index: int) -> str:
    """The engine's name for the file's column ``index`` (1-based): headers never reach SQL."""
    return quote_ident(f"c{index}")


Kind = Literal["text", "number", "date", "other"]
Period = Literal["day", "week", "month"]


@dataclass(frozen=True)
class RowValue:
    """A measure computed per record instead of read from one column.

    ``rows``: 1 for every record (``agg: count`` without a column); ``present``:
    1 where ``column`` has a value, text or not (``agg: count`` of a column);
    ``expr``: the formula ``formula`` over the file columns ``operands`` (name ->
    1-based column), missing when any operand is.
    """

    kind: Literal["rows", "present", "expr"]
    column: int | None = None
    formula: Node | None = None
    operands: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class Layout:
    """Where the needed columns sit in one file (1-based; None: the file does not have it)."""

    width: int  # the number of columns in the file
    date: int
    dimensions: tuple[int | None, ...]
    measures: tuple[int | None, ...]
    extrema: tuple[bool, ...]  # per measure: whether min and max are wanted
    date_format: bool = False  # True: dates are parsed with the $date_format parameter
    # Per file column (index 0 is column 1): "text" unless the source's type says
    # otherwise. Empty: every column is text.
    kinds: tuple[Kind, ...] = ()
    # Per measure: how its value is computed per record; None (or a short tuple):
    # read from the measure's column.
    row_values: tuple[RowValue | None, ...] = ()
    # The span a row covers: a weekly row's date must be a $week_start weekday
    # (ISO, Monday 1), a monthly row stands for the first day of its month.
    period: Period = "day"

    def kind(self, column: int) -> Kind:
        """The kind of file column ``column`` (1-based)."""
        return self.kinds[column - 1] if column <= len(self.kinds) else "text"

    def row_value(self, measure: int) -> RowValue | None:
        """How measure ``measure`` is computed per record, when it is not one column."""
        return self.row_values[measure] if measure < len(self.row_values) else None

    def present_measures(self) -> list[tuple[int, int]]:
        """(measure position, file column) for the column measures this file has."""
        return [
            (j, c)
            for j, c in enumerate(self.measures)
            if c is not None and self.row_value(j) is None
        ]

    def computed_measures(self) -> list[tuple[int, RowValue]]:
        """(measure position, row value) for the computed measures this file can compute."""
        out = []
        for j in range(len(self.measures)):
            value = self.row_value(j)
            if value is None:
                continue
            if value.kind == "present" and value.column is None:
                continue
            out.append((j, value))
        return out

    def present_dimensions(self) -> list[tuple[int, int]]:
        """(dimension position, file column) for the dimensions this file has."""
        return [(j, c) for j, c in enumerate(self.dimensions) if c is not None]


def _date_value(layout: Layout) -> str:
    """The date a record is counted on: its own, its month's first day, or NULL.

    A weekly record dated on another weekday than $week_start has no date (a
    bad date, said with the hint to set week_start).
    """
    if layout.kind(layout.date) == "date":
        day = f"CAST({column(layout.date)} AS DATE)"
    else:  # text, or a typed column read as its text (20250105 as an integer)
        day = date_expr(
            _raw_text(layout, layout.date),
            with_format=layout.date_format,
            months=layout.period == "month",
        )
    if layout.period == "month":
        return f"CAST(date_trunc('month', {day}) AS DATE)"
    if layout.period == "week":
        return f"CASE WHEN isodow({day}) = $week_start THEN {day} END"
    return day


def _raw_text(layout: Layout, index: int) -> str:
    """File column ``index`` as text: itself, or a typed column cast to VARCHAR."""
    if layout.kind(index) == "text":
        return column(index)
    return f"CAST({column(index)} AS VARCHAR)"


def _number(layout: Layout, index: int, number_type: str = NUMBER_TYPE) -> str:
    """The value of file column ``index``: cleaned text, or a typed number cast."""
    if layout.kind(index) == "number":
        return f"TRY_CAST({column(index)} AS {number_type})"
    return number_expr(column(index), number_type)


def _missing(layout: Layout, index: int, raw: str) -> str:
    """True when a measure cell of column ``index`` (``raw``, as read) means no value."""
    if layout.kind(index) == "text":
        return missing_expr(raw)
    return f"({raw} IS NULL)"


def formula_sql(node: Node, operand: Callable[[str], str]) -> str:
    """A parsed formula as SQL: names via ``operand`` (quoted identifiers), numbers as
    decimal literals of their own digits. Nothing else of the plan's text is used.

    Arithmetic on a missing operand gives NULL, so a record with a missing
    operand has no value; a division by zero has none either.
    """
    if isinstance(node, Name):
        return operand(node.name)
    if isinstance(node, Number):
        text = format(node.value, "f")
        if not all(ch.isdigit() or ch == "." for ch in text):
            raise AssertionError(f"a parsed number is digits only, not {text!r}")
        return text  # DuckDB reads 2.50 as DECIMAL(3, 2), exact
    if isinstance(node, Negate):
        return f"(-{formula_sql(node.operand, operand)})"
    parts = [formula_sql(node.first, operand)]
    for op, item in node.rest:
        right = formula_sql(item, operand)
        if op == "/":
            right = f"NULLIF(CAST({right} AS DOUBLE), 0)"
        parts.append(f"{op} {right}")
    joined = " ".join(parts)
    return f"({joined})"


def row_value_expr(layout: Layout, value: RowValue) -> str:
    """The per-record SQL of a computed measure (NULL where it has no value)."""
    if value.kind == "rows":
        return "1"
    if value.kind == "present":
        assert value.column is not None
        raw = column(value.column)
        return f"CASE WHEN NOT {_missing(layout, value.column, raw)} THEN 1 END"
    assert value.formula is not None
    columns = dict(value.operands)
    # Operands as DOUBLE: a per-row product keeps every digit of its operands (a
    # revenue per conversion of 0.019999500475), rounded to 4 places only after.
    expr = formula_sql(value.formula, lambda name: _number(layout, columns[name], "DOUBLE"))
    return f"TRY_CAST({expr} AS {SUM_TYPE})"


def record_rows(
    layout: Layout,
    source: FromItem,
    *,
    measures: bool,
    ordinality: bool,
    trim: bool,
    files: bool = False,
    ranged: bool = True,
) -> str:
    """One row per record: d (date or NULL), rd (raw date), k<j> (dimensions), r<j>/v<j> (measures).

    With ``trim=False`` the dimensions stay raw: the scan groups by the raw text
    and trims the few distinct values afterwards, which is much cheaper. With
    ``ranged=False`` there is no d, only d0, the date before the check that its
    year has four digits (the group query checks its few distinct days after).
    """
    inner = [
        f"{_date_value(layout)} AS d0",
        f"{_raw_text(layout, layout.date)} AS rd",
    ]
    inner += [
        f"{dimension_expr(_raw_text(layout, c)) if trim else _raw_text(layout, c)} AS k{j}"
        for j, c in layout.present_dimensions()
    ]
    if measures:
        inner += [
            f"{column(c)} AS r{j}, {_number(layout, c)} AS v{j}"
            for j, c in layout.present_measures()
        ]
        inner += [f"{row_value_expr(layout, v)} AS v{j}" for j, v in layout.computed_measures()]
    if ordinality:
        inner.append("ordinality AS ord")
    if files:
        inner.append("filename AS fn")
    records = f"SELECT {', '.join(inner)} FROM {source.render(ordinality=ordinality)}"
    if not ranged:
        return records
    return f"SELECT {IN_YEARS} AS d, * FROM ({records})"


def _blank(layout: Layout) -> str:
    """True for a record with no date and nothing else either (``,,,``): skipped, not an error."""
    parts = [f"coalesce(trim(rd, {sql_string(SPACES)}), '') = ''"]
    parts += [f"k{j} IS NULL" for j, _ in layout.present_dimensions()]
    parts += [f"r{j} IS NULL" for j, _ in layout.present_measures()]
    return "(" + " AND ".join(parts) + ")"


def bad_date_flag(layout: Layout) -> str:
    return f"(d IS NULL AND NOT {_blank(layout)})"


def bad_measure_flag(layout: Layout, j: int, c: int) -> str:
    return f"(v{j} IS NULL AND r{j} IS NOT NULL AND NOT {_missing(layout, c, f'r{j}')})"


# A date is kept only with a four-digit year (DuckDB reads 10000-01-01 too).
IN_YEARS = "CASE WHEN d0 BETWEEN DATE '1000-01-01' AND DATE '9999-12-31' THEN d0 END"


def _exact(source: FromItem, index: int) -> bool:
    """Whether the reader types file column ``index`` as NUMBER_TYPE itself: every cell
    of it is then a number or empty (any other cell fails the read), never a bad cell."""
    if not isinstance(source, CsvScan) or index > len(source.types):
        return False
    return source.types[index - 1] == NUMBER_TYPE


def _flag(condition: str) -> str:
    """0 or 1; the CASE runs the (costly) inner test only where the outer cheap one holds."""
    return f"CASE WHEN {condition} THEN 1 ELSE 0 END"


# A row's date inside the dates kept (keep_from..keep_to, either may be unset).
IN_RANGE = (
    "(d IS NOT NULL AND (CAST($keep_from AS DATE) IS NULL OR d >= CAST($keep_from AS DATE)) "
    "AND (CAST($keep_to AS DATE) IS NULL OR d <= CAST($keep_to AS DATE)))"
)


def group_query(
    layout: Layout,
    source: FromItem,
    dimensions: int,
    measures: int,
    *,
    files: bool = False,
    narrow: bool = False,
) -> str:
    """The one scan: records -> groups by (date, dimension values) with sums, counts, extrema.

    Per group it also counts blank records and bad cells (dates and numbers
    together; which column they are in is asked only when there are any). The
    result has the same columns for every file (``dimensions`` and ``measures``
    in all): d, k0.., n, blank, bad, then per measure s, n, mn, mx. With
    ``files`` (a scan of several files) the groups are per file as well, and a
    last column ``f`` holds the file's 1-based position in ``$paths``.

    What can be decided per group is, after the scan, over its few rows: the
    dimension values' trimming, and whether a day's year has four digits (a
    record whose date has another year is a bad date, and never blank, as
    its date cell is not empty).

    ``narrow``: the extremes are taken over the values as read and widened after
    the scan; slower, but each group holds half the bytes per extreme, which is
    what lets a million groups with several ``min``/``max`` measures spill within
    the memory cap on one thread (the retry of a read that ran out of memory).
    """
    dims = layout.present_dimensions()
    columns = dict(layout.present_measures())
    present = {**columns, **{j: 0 for j, _ in layout.computed_measures()}}
    # The cells that can be bad: dates, and the measure cells that are not read typed.
    checked = {j: c for j, c in columns.items() if not _exact(source, c)}
    bad_terms = [f"CASE WHEN d0 IS NULL THEN {_flag('NOT ' + _blank(layout))} ELSE 0 END"]
    bad_terms += [
        f"CASE WHEN v{j} IS NULL AND r{j} IS NOT NULL "
        f"THEN {_flag('NOT ' + _missing(layout, c, f'r{j}'))} ELSE 0 END"
        for j, c in checked.items()
    ]
    # Plain sums in the scan: a FILTER clause is far slower in a grouped aggregate.
    scan_aggs = [
        "count(*) AS n",
        f"sum(CASE WHEN d0 IS NULL THEN {_flag(_blank(layout))} ELSE 0 END) AS blank",
        f"sum({' + '.join(bad_terms)}) AS bad",
    ]
    for j in sorted(present):
        scan_aggs += [f"sum(v{j}) AS s{j}", f"count(v{j}) AS n{j}"]
        if layout.extrema[j]:
            # min/max over the wide type run faster here; narrow holds less per group
            wide = f"v{j}" if narrow else f"CAST(v{j} AS {SUM_TYPE})"
            scan_aggs += [f"min({wide}) AS mn{j}", f"max({wide}) AS mx{j}"]
    scan_keys = ["d0"] + [f"k{j}" for j, _ in dims] + (["fn"] if files else [])
    rows = record_rows(
        layout, source, measures=True, ordinality=False, trim=False, files=files, ranged=False
    )
    scan = (
        f"SELECT {', '.join(scan_keys + scan_aggs)} FROM ({rows}) GROUP BY {', '.join(scan_keys)}"
    )
    dated = f"SELECT {IN_YEARS} AS d, * FROM ({scan})"

    present_dims = dict(dims)
    keys = ["d"] + [
        f"{dimension_expr(f'k{j}')} AS k{j}"
        if j in present_dims
        else f"CAST(NULL AS VARCHAR) AS k{j}"
        for j in range(dimensions)
    ]
    group_by = ["d"] + [f"{dimension_expr(f'k{j}')}" for j, _ in dims] + (["fn"] if files else [])
    out = [
        "sum(n) AS n",
        "sum(blank) AS blank",
        "sum(bad + CASE WHEN d IS NULL AND d0 IS NOT NULL THEN n ELSE 0 END) AS bad",
    ]
    null = f"CAST(NULL AS {SUM_TYPE})"
    for j in range(measures):
        if j not in present:
            out.append(f"{null} AS s{j}, 0 AS n{j}, {null} AS mn{j}, {null} AS mx{j}")
            continue
        out.append(f"sum(s{j}) AS s{j}, sum(n{j}) AS n{j}")
        if layout.extrema[j] and narrow:  # widened after the scan: the same values
            out.append(
                f"CAST(min(mn{j}) AS {SUM_TYPE}) AS mn{j}, CAST(max(mx{j}) AS {SUM_TYPE}) AS mx{j}"
            )
        elif layout.extrema[j]:
            out.append(f"min(mn{j}) AS mn{j}, max(mx{j}) AS mx{j}")
        else:
            out.append(f"{null} AS mn{j}, {null} AS mx{j}")
    if files:  # the position of the few distinct names, after the scan: cheap
        out.append("list_position($paths, fn) AS f")
    return f"SELECT {', '.join(keys + out)} FROM ({dated}) GROUP BY {', '.join(group_by)}"


def unpivot_view(  # noqa: PLR0917  # the table and the shape of its columns
    table: str,
    dimensions: int,
    measures: int,
    dimension: int,
    expanded: list[tuple[int, int, int]],
    values: str,
) -> str:
    """A group table of a file with one column per dimension value, as cube rows.

    The table has the cube's ``measures`` first (those unpivoted are empty
    there), then one expanded measure per (measure, value) column. The view
    keeps the table's rows for the measures not unpivoted (the dimension is
    empty: they are not split by it) and adds, per value, rows with the
    dimension set to ``list_extract(values, i)`` (a bound list parameter) and
    each unpivoted measure read from its expanded column. ``expanded``:
    (cube measure, 1-based value index, expanded measure).
    """
    keys = ["d"] + [f"k{j}" for j in range(dimensions)]
    null = f"CAST(NULL AS {SUM_TYPE})"
    empty = [f"{null}, 0, {null}, {null}"]
    unpivoted = {j for j, _, _ in expanded}
    base = [*keys] + [
        f"s{j}, n{j}, mn{j}, mx{j}" if j not in unpivoted else empty[0] for j in range(measures)
    ]
    branches = [f"SELECT {', '.join(base)} FROM {quote_ident(table)}"]
    for value in sorted({v for _, v, _ in expanded}):
        columns = {j: e for j, v, e in expanded if v == value}
        row = ["d"] + [
            f"list_extract({values}, {value})" if j == dimension else f"k{j}"
            for j in range(dimensions)
        ]
        row += [
            f"s{e}, n{e}, mn{e}, mx{e}" if (e := columns.get(j)) is not None else empty[0]
            for j in range(measures)
        ]
        branches.append(f"SELECT {', '.join(row)} FROM {quote_ident(table)}")
    names = keys + [f"{kind}{j}" for j in range(measures) for kind in ("s", "n", "mn", "mx")]
    return f"(SELECT * FROM ({' UNION ALL '.join(branches)}) AS u({', '.join(names)}))"
