"""The queries that check what one file's groups say: statistics, bad cells, repeated keys,
and the first record of each dimension value (each run only when the grouping query's
counts say there is something to find)."""

from __future__ import annotations

from promoplan.actuals.cellsql import (
    FIRST_ERRORS,
    dimension_expr,
    quote_ident,
)
from promoplan.actuals.names import ROUNDED_ID
from promoplan.actuals.sql import (
    IN_RANGE,
    FromItem,
    Layout,
    bad_date_flag,
    bad_measure_flag,
    record_rows,
)


def stats_query(
    table: str, *, files: bool = False, dimensions: int = 0, values: int | None = None
) -> str:
    """Per-file figures from its group table.

    One row: records, data rows, bad cells, rows out of range, first and last
    date kept, repeated keys and extra rows; with ``dimensions``, then the list
    of the kept groups without a value of each dimension (k0 ..), and whether
    any value of each holds a ``+`` (as an id rounded as a number does); with
    ``values`` (a dimension's position), then the sorted distinct values of that
    dimension among the kept rows (as :func:`values_query` lists them; NULL for
    none). With ``files`` (the table of a scan of several files), one such row
    per file, its position ``f`` first.
    """
    by_file = ("f, ", " GROUP BY f") if files else ("", "")
    listed = ""
    if dimensions:
        nulls = [f"count(*) FILTER (WHERE {IN_RANGE} AND k{j} IS NULL)" for j in range(dimensions)]
        # Only whether a value holds a "+": the pattern costs more, and is matched by
        # rounded_query on the rare file where one does.
        plus = [f"bool_or(contains(k{j}, '+'))" for j in range(dimensions)]
        listed += f", [{', '.join(nulls)}], [{', '.join(plus)}]"
    if values is not None:
        key = f"k{values}"
        listed += (
            f", list(DISTINCT {key} ORDER BY {key}) FILTER (WHERE {IN_RANGE} AND {key} IS NOT NULL)"
        )
    return (
        f"SELECT {by_file[0]}coalesce(sum(n), 0), coalesce(sum(n - blank), 0), "
        "coalesce(sum(bad), 0), "
        f"coalesce(sum(n) FILTER (WHERE d IS NOT NULL AND NOT {IN_RANGE}), 0), "
        f"min(d) FILTER (WHERE {IN_RANGE}), max(d) FILTER (WHERE {IN_RANGE}), "
        f"count(*) FILTER (WHERE {IN_RANGE} AND n > 1), "
        f"coalesce(sum(n - 1) FILTER (WHERE {IN_RANGE} AND n > 1), 0){listed} "
        f"FROM {quote_ident(table)}{by_file[1]}"
    )


def rounded_query(table: str, dimensions: int, *, files: bool = False) -> str:
    """Per dimension of a group table, how many distinct kept values look like an id
    rounded as a number (``names.ROUNDED_ID``), then the least of them (NULL for none).

    One row; with ``files``, one per file, its position ``f`` first.
    """
    by_file = ("f, ", " GROUP BY f") if files else ("", "")
    looks = [
        f"FILTER (WHERE {IN_RANGE} AND regexp_full_match(k{j}, '{ROUNDED_ID}'))"
        for j in range(dimensions)
    ]
    counts = ", ".join(f"count(DISTINCT k{j}) {f}" for j, f in enumerate(looks))
    least = ", ".join(f"min(k{j}) {f}" for j, f in enumerate(looks))
    return f"SELECT {by_file[0]}[{counts}], [{least}] FROM {quote_ident(table)}{by_file[1]}"


def bad_counts_query(layout: Layout, source: FromItem) -> str:
    """Bad cells per column: the date column first, then each measure the file has (error path)."""
    rows = record_rows(layout, source, measures=True, ordinality=False, trim=False)
    counts = [f"count(*) FILTER (WHERE {bad_date_flag(layout)})"]
    counts += [
        f"count(*) FILTER (WHERE {bad_measure_flag(layout, j, c)})"
        for j, c in layout.present_measures()
    ]
    return f"SELECT {', '.join(counts)} FROM ({rows})"


def bad_rows_query(layout: Layout, source: FromItem) -> str:
    """The first records holding a bad date or number, in file order, with raw cells and flags."""
    measures = layout.present_measures()
    flags = [f"{bad_date_flag(layout)} AS bad_d"]
    flags += [f"{bad_measure_flag(layout, j, c)} AS b{j}" for j, c in measures]
    raws = ["rd"] + [f"CAST(r{j} AS VARCHAR)" for j, _ in measures]
    condition = " OR ".join(
        [bad_date_flag(layout)] + [bad_measure_flag(layout, j, c) for j, c in measures]
    )
    rows = record_rows(layout, source, measures=True, ordinality=True, trim=False)
    return (
        f"SELECT ord, {', '.join(raws)}, {', '.join(flags)} FROM ({rows}) "
        f"WHERE {condition} ORDER BY ord LIMIT {FIRST_ERRORS}"
    )


def repeat_query(layout: Layout, source: FromItem, table: str) -> str:
    """The repeated key (date, dimension values) whose second record comes first.

    One row: the key, then the ordinals of its first and second records.
    """
    keys = ["d"] + [f"k{j}" for j, _ in layout.present_dimensions()]
    listed = ", ".join(keys)
    join = " AND ".join(f"r.{k} IS NOT DISTINCT FROM g.{k}" for k in keys)
    rows = record_rows(layout, source, measures=False, ordinality=True, trim=True)
    # Only g filters by date: the semi join keeps just the records of g's keys,
    # which are in range. The same filter on r too is redundant, slower, and
    # with both $keep_ bound DuckDB 1.5 fails on it beneath the window
    # ("Failed to cast expression to type").
    # Each key's first record by one aggregate, its second by a join back and another:
    # both spill past DuckDB's memory cap, where a window over every record of the
    # repeated keys (order-level rows read as daily: most records) did not.
    pair = " AND ".join(f"h.{k} IS NOT DISTINCT FROM f.{k}" for k in keys)
    firsts = ", ".join(f"f.{k}" for k in keys)
    return (
        f"WITH r AS (SELECT ord, {listed} FROM ({rows})), "
        f"g AS (SELECT {listed} FROM {quote_ident(table)} WHERE {IN_RANGE} AND n > 1), "
        f"hit AS (SELECT r.* FROM r SEMI JOIN g ON {join}), "
        f"f AS (SELECT {listed}, min(ord) AS first FROM hit GROUP BY {listed}) "
        f"SELECT {firsts}, f.first, min(h.ord) AS second "
        f"FROM hit AS h JOIN f ON {pair} AND h.ord > f.first "
        f"GROUP BY {firsts}, f.first ORDER BY second LIMIT 1"
    )


def values_query(table: str, dimension: int, *, files: bool = False) -> str:
    """The distinct values of one dimension among a group table's kept rows.

    With ``files``: (file position, value) pairs of a table of several files.
    """
    key = f"k{dimension}"
    listed = f"f, {key}" if files else key
    return (
        f"SELECT DISTINCT {listed} FROM {quote_ident(table)} "
        f"WHERE {IN_RANGE} AND {key} IS NOT NULL ORDER BY {listed}"
    )


def first_seen_query(layout: Layout, source: FromItem, dimension: int) -> str:
    """Each kept record holding a value in ``$values`` of one dimension: (value, ordinal).

    No ORDER BY and no aggregate: the rows stream out in file order, so the
    caller stops reading as soon as every value has been seen (usually within
    the first chunks) instead of scanning the whole file again.
    """
    key = f"k{dimension}"
    rows = record_rows(layout, source, measures=False, ordinality=True, trim=False)
    value = dimension_expr(key)
    return (
        f"SELECT {value} AS v, ord FROM ({rows}) "
        f"WHERE {IN_RANGE} AND list_contains($values, {value})"
    )


def first_records_query(layout: Layout, source: FromItem, dimension: int) -> str:
    """The ordinal of the first kept record holding each value in ``$values`` of one dimension.

    One row per value found: the value, then that ordinal. Grouped ``min``s, not
    a window: DuckDB 1.5 fails on a window beneath the bound date filter. The
    scan groups by the raw text and trims the few distinct values afterwards,
    as the group query does: trimming every record costs more than the scan.
    """
    key = f"k{dimension}"
    rows = record_rows(layout, source, measures=False, ordinality=True, trim=False)
    raw = f"SELECT {key} AS k, min(ord) AS o FROM ({rows}) WHERE {IN_RANGE} GROUP BY {key}"
    value = dimension_expr("k")
    return (
        f"SELECT {value}, min(o) FROM ({raw}) "
        f"WHERE list_contains($values, {value}) GROUP BY {value} ORDER BY 1"
    )


def key_values_query(table: str, key: int) -> str:
    """The distinct values of key ``k<key>`` of a group table, all rows (a long table's
    metric names)."""
    column = f"k{key}"
    return (
        f"SELECT DISTINCT {column} FROM {quote_ident(table)} WHERE {column} IS NOT NULL ORDER BY 1"
    )


def file_view(view: str, table: str, position: int) -> str:
    """A view of one file's groups in the group table of a scan of several files."""
    return (
        f"CREATE TEMP VIEW {quote_ident(view)} AS SELECT * EXCLUDE (f) "
        f"FROM {quote_ident(table)} WHERE f = {int(position)}"
    )


SAMPLE_RECORDS = 4096


def clean_sample_query(source: FromItem, columns: list[int]) -> str:
    """Per column of ``columns``: whether its first records' cells are all plain numbers
    (or empty), so that a typed read of it may succeed. A guess that saves failed typed
    reads, never a verdict: the typed read itself decides."""
    tests = [
        f'bool_and("c{c}" IS NULL OR TRY_CAST("c{c}" AS DECIMAL(18, 4)) IS NOT NULL)'
        for c in columns
    ]
    return (
        f"SELECT {', '.join(tests)} FROM (SELECT * FROM {source.render()} LIMIT {SAMPLE_RECORDS})"
    )


# --- the same keys in two files (promoplan.actuals.overlap) -------------------------


def create_temp_table(name: str, query: str) -> str:
    """``query``'s rows as the temp table ``name``, replacing one of that name."""
    return f"CREATE OR REPLACE TEMP TABLE {quote_ident(name)} AS {query}"


def _keys(dimensions: int) -> list[str]:
    return ["d"] + [f"k{j}" for j in range(dimensions)]


def overlap_keys_query(tables: list[tuple[int, str]], dimensions: int, measures: int) -> str:
    """Every kept key of the files' group tables: f (file order), the key, h<j> (has measure j)."""
    listed = ", ".join(_keys(dimensions))
    has = ", ".join(f"n{j} > 0 AS h{j}" for j in range(measures))
    return " UNION ALL ".join(
        f"SELECT {int(order)} AS f, {listed}, {has} FROM {quote_ident(table)} WHERE {IN_RANGE}"
        for order, table in tables
    )


def overlap_winners_query(keys_table: str, dimensions: int, measures: int) -> str:
    """Per measure j, the keys more than one file has a value of, and the last such file (w)."""
    listed = ", ".join(_keys(dimensions))
    return " UNION ALL ".join(
        f"SELECT {j} AS j, {listed}, max(f) AS w FROM {quote_ident(keys_table)} WHERE h{j} "
        f"GROUP BY {listed} HAVING count(*) > 1"
        for j in range(measures)
    )


def overlap_shared_query(keys_table: str, winners: str, dimensions: int, measures: int) -> str:
    """(earlier file, later file, key) for each key a file shares with the later file that wins."""
    keys = _keys(dimensions)
    has = " OR ".join(f"(w.j = {j} AND u.h{j})" for j in range(measures))
    join = " AND ".join(f"u.{k} IS NOT DISTINCT FROM w.{k}" for k in keys)
    return (
        f"SELECT DISTINCT u.f AS earlier, w.w AS later, {', '.join(f'u.{k}' for k in keys)} "
        f"FROM {quote_ident(keys_table)} AS u JOIN {quote_ident(winners)} AS w ON {join} "
        f"WHERE u.f <> w.w AND ({has})"
    )


def overlap_pairs_query(shared: str) -> str:
    """(earlier, later, keys shared) per pair of files, the later file's order first."""
    return (
        f"SELECT earlier, later, count(*) FROM {quote_ident(shared)} "
        "GROUP BY earlier, later ORDER BY later, earlier"
    )


def overlap_first_query(shared: str, dimensions: int) -> str:
    """The first key the pair ($earlier, $later) shares, by date then dimension values."""
    keys = _keys(dimensions)
    order = ", ".join(f"{k} NULLS FIRST" for k in keys)
    return (
        f"SELECT {', '.join(keys)} FROM {quote_ident(shared)} "
        f"WHERE earlier = $earlier AND later = $later ORDER BY {order} LIMIT 1"
    )


def overlap_drop_query(table: str, winners: str, order: int, dimensions: int, j: int) -> str:
    """Empty measure j in a file's group table where a later file wins that key."""
    join = " AND ".join(f"t.{k} IS NOT DISTINCT FROM w.{k}" for k in _keys(dimensions))
    return (
        f"UPDATE {quote_ident(table)} AS t SET s{j} = NULL, n{j} = 0, mn{j} = NULL, mx{j} = NULL "
        f"FROM {quote_ident(winners)} AS w "
        f"WHERE w.j = {int(j)} AND w.w <> {int(order)} AND t.n{j} > 0 AND {join}"
    )


def key_record_query(layout: Layout, source: FromItem) -> str:
    """The ordinal of the file's first record of the key ($key_day, $key_k<j> or NULL).

    As the group query does, it groups the day's records by the raw text and
    cleans the few distinct values after, not every record.
    """
    dims = [f"k{j}" for j, _ in layout.present_dimensions()]
    rows = record_rows(layout, source, measures=False, ordinality=True, trim=False)
    raw = (
        f"SELECT {', '.join(['min(ord) AS o', *dims])} FROM ({rows}) "
        f"WHERE d = CAST($key_day AS DATE)" + (f" GROUP BY {', '.join(dims)}" if dims else "")
    )
    conditions = [
        f"{dimension_expr(k)} IS NOT DISTINCT FROM CAST($key_{k} AS VARCHAR)" for k in dims
    ]
    where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    return f"SELECT min(o) FROM ({raw}){where}"


def is_view_query() -> str:
    """Whether $name is a temporary view (a file's groups in a scan of several files)."""
    return "SELECT count(*) FROM duckdb_views() WHERE temporary AND view_name = $name"


def temp_views_query() -> str:
    """The names of the temporary views (the files' groups still read from their scan)."""
    return "SELECT view_name FROM duckdb_views() WHERE temporary"


def view_copy_query(view: str) -> str:
    """A table ``<view>_t`` with the rows of the view ``view`` (then dropped and renamed)."""
    copy = quote_ident(view + "_t")
    return f"CREATE OR REPLACE TEMP TABLE {copy} AS SELECT * FROM {quote_ident(view)}"


def drop_view_query(view: str) -> str:
    """Drop the view ``view``."""
    return f"DROP VIEW {quote_ident(view)}"


def copy_as_view_name_query(view: str) -> str:
    """Give the copy made by :func:`view_copy_query` the view's name."""
    return f"ALTER TABLE {quote_ident(view + '_t')} RENAME TO {quote_ident(view)}"
