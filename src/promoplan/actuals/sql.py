"""The aggregation as SQL text: from raw text cells to the daily cube.

This module only builds strings; it imports no engine. The queries read from a
``source`` (a FROM item whose columns are all VARCHAR: today DuckDB's
``read_csv``) so that the same aggregation can be pushed down to another SQL
engine when actuals outgrow one machine.

Nothing from a plan or a CSV file is ever spliced into the SQL text: file
columns are referred to by position (``"c4"``), dimension values and dates are
bound as parameters (``$keep_from``, ``$date_format``), and the only literals
are this module's own constants.
"""

from __future__ import annotations

from dataclasses import dataclass

# A cell is exact to 4 decimal places (a percentage to 0.01%), up to 10^14;
# sums are DECIMAL(38, 4). The 18-digit type keeps the scan fast (64-bit).
NUMBER_TYPE = "DECIMAL(18, 4)"
NUMBER_LIMIT = 10**14
SUM_TYPE = "DECIMAL(38, 4)"
MISSING_TOKENS = ("", "-", "n/a", "na", "null")  # compared lower-cased and trimmed
FIRST_ERRORS = 20

# Full-width digits and signs (as typed with a Chinese input method) -> ASCII:
# the part of NFKC that matters for numbers, done in SQL with translate().
_FULL_WIDTH = "０１２３４５６７８９．，－＋％（）　"
_ASCII = "0123456789.,-+%() "
_SPACES = " \t\r\n\u00a0\u202f\u3000"

_CURRENCY = "[¥￥$€]"
_DIGITS = r"(?:\d{1,3}(?:[,\x{00A0}\x{202F} ]\d{3})+|\d+)(?:\.\d*)?|\.\d+"
# (1,234.50) | -¥1,234.50 | ¥-1,234.50 | 4.5% ; one sign at most, balanced parentheses.
NUMBER_PATTERN = (
    rf"\(\s*{_CURRENCY}?\s*(?:{_DIGITS})\s*%?\s*\)"
    rf"|(?:[+-]\s*{_CURRENCY}?|{_CURRENCY}?\s*[+-]?)\s*(?:{_DIGITS})\s*%?"
)
# 2025-01-05, 2025/1/5, 2025.01.05, 20250105, each with an optional time of day, which
# may carry a UTC offset or Z (2025-01-05T10:00:00+08:00): the date is taken as written.
DATE_PATTERN = (
    r"^(\d{4})(?:[-/.](\d{1,2})[-/.](\d{1,2})|(\d{2})(\d{2}))"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?: ?(?:[Zz]|[+-]\d{2}(?::?\d{2})?))?)?$"
)
_DATE_REWRITE = r"\1-\2\4-\3\5"


def quote_ident(name: str) -> str:
    """A SQL identifier, double-quoted with any ``"`` doubled."""
    return '"' + name.replace('"', '""') + '"'


def sql_string(text: str) -> str:
    """A SQL string literal for one of this module's constants, with any ``'`` doubled."""
    return "'" + text.replace("'", "''") + "'"


def column(index: int) -> str:
    """The engine's name for the file's column ``index`` (1-based): headers never reach SQL."""
    return quote_ident(f"c{index}")


@dataclass(frozen=True)
class Layout:
    """Where the needed columns sit in one file (1-based; None: the file does not have it)."""

    width: int  # the number of columns in the file
    date: int
    dimensions: tuple[int | None, ...]
    measures: tuple[int | None, ...]
    extrema: tuple[bool, ...]  # per measure: whether min and max are wanted
    date_format: bool = False  # True: dates are parsed with the $date_format parameter

    def present_measures(self) -> list[tuple[int, int]]:
        """(measure position, file column) for the measures this file has."""
        return [(j, c) for j, c in enumerate(self.measures) if c is not None]

    def present_dimensions(self) -> list[tuple[int, int]]:
        """(dimension position, file column) for the dimensions this file has."""
        return [(j, c) for j, c in enumerate(self.dimensions) if c is not None]


def csv_source(width: int, *, ordinality: bool = False) -> str:
    """DuckDB's ``read_csv`` of ``$path`` split on ``$delim``: all VARCHAR, strict, no sniffing."""
    columns = ", ".join(f"{sql_string(f'c{i}')}: 'VARCHAR'" for i in range(1, width + 1))
    scan = (
        "read_csv($path, delim = $delim, quote = '\"', escape = '\"', header = true, "
        f"columns = {{{columns}}}, auto_detect = false, all_varchar = true, "
        "strict_mode = true, null_padding = false, ignore_errors = false, "
        "comment = '', encoding = 'utf-8')"
    )
    return f"{scan} WITH ORDINALITY" if ordinality else scan


def clean_text(raw: str) -> str:
    """``raw`` with full-width digits and signs made ASCII and surrounding spaces trimmed."""
    ascii_text = f"translate({raw}, {sql_string(_FULL_WIDTH)}, {sql_string(_ASCII)})"
    return f"trim({ascii_text}, {sql_string(_SPACES)})"


def number_expr(raw: str) -> str:
    """The exact value of a raw cell, NULL when missing or not a number.

    Clean cells take the cheap cast; only the cells it rejects pay for
    cleaning (COALESCE evaluates its second argument only for those rows).
    """
    fast = f"TRY_CAST({raw} AS {NUMBER_TYPE})"
    text = clean_text(raw)
    sign = f"CASE WHEN starts_with({text}, '(') OR contains({text}, '-') THEN '-' ELSE '' END"
    digits = f"regexp_replace({text}, '[^0-9.]', '', 'g')"
    percent = f"CASE WHEN contains({text}, '%') THEN 'e-2' ELSE '' END"
    dirty = (
        f"CASE WHEN regexp_full_match({text}, {sql_string(NUMBER_PATTERN)}) "
        f"THEN TRY_CAST({sign} || {digits} || {percent} AS {NUMBER_TYPE}) END"
    )
    return f"COALESCE({fast}, {dirty})"


def missing_expr(raw: str) -> str:
    """True when a raw measure cell means "no value" (empty, ``-``, ``N/A``, ``NA``, ``null``)."""
    tokens = ", ".join(sql_string(t) for t in MISSING_TOKENS)
    return f"({raw} IS NULL OR lower({clean_text(raw)}) IN ({tokens}))"


def date_expr(raw: str, *, with_format: bool) -> str:
    """The date of a raw cell; NULL when not a year-first date (or not matching $date_format)."""
    if with_format:
        # strptime maps 'infinity' and 'epoch' to dates: a real date has a digit.
        # The format may leave out a time of day that the cells have.
        text = f"trim({raw}, {sql_string(_SPACES)})"
        return (
            f"CASE WHEN regexp_matches({raw}, '[0-9]') THEN COALESCE("
            f"TRY_CAST(TRY_STRPTIME({text}, $date_format) AS DATE), "
            f"TRY_CAST(TRY_STRPTIME(regexp_replace({text}, '[ T].*$', ''), $date_format) AS DATE)"
            ") END"
        )
    fast = (
        f"CASE WHEN {raw} LIKE '____-__-__' THEN TRY_CAST({raw} AS DATE) "
        # The day written, as the 'T' spelling reads it: 24:00:00 ends that day, it does not
        # start the next (a cast to TIMESTAMP would move 2024-12-31 24:00 into 2025).
        f"WHEN {raw} LIKE '____-__-__ __:__:__' AND TRY_CAST({raw} AS TIMESTAMP) IS NOT NULL "
        f"THEN TRY_CAST(left({raw}, 10) AS DATE) END"
    )
    text = f"trim({raw}, {sql_string(_SPACES)})"
    pattern = sql_string(DATE_PATTERN)
    slow = (
        f"CASE WHEN regexp_full_match({text}, {pattern}) "
        f"THEN TRY_CAST(regexp_replace({text}, {pattern}, {sql_string(_DATE_REWRITE)}) AS DATE) END"
    )
    return f"COALESCE({fast}, {slow})"


_SPACE_CLASS = r"[\s\x{00A0}\x{202F}\x{3000}]"
_EDGE_SPACES = f"^{_SPACE_CLASS}+|{_SPACE_CLASS}+$"


def dimension_expr(raw: str) -> str:
    """A dimension value: the trimmed text, NULL when empty. Null tokens are values here (``NA``).

    A regex guard is several times faster than trim() with a character set.
    """
    edges = sql_string(_EDGE_SPACES)
    trimmed = (
        f"CASE WHEN regexp_matches({raw}, {edges}) "
        f"THEN regexp_replace({raw}, {edges}, '', 'g') ELSE {raw} END"
    )
    return f"NULLIF({trimmed}, '')"


def _rows(layout: Layout, source: str, *, measures: bool, ordinality: bool, trim: bool) -> str:
    """One row per record: d (date or NULL), rd (raw date), k<j> (dimensions), r<j>/v<j> (measures).

    With ``trim=False`` the dimensions stay raw: the scan groups by the raw text
    and trims the few distinct values afterwards, which is much cheaper.
    """
    inner = [
        f"{date_expr(column(layout.date), with_format=layout.date_format)} AS d0",
        f"{column(layout.date)} AS rd",
    ]
    inner += [
        f"{dimension_expr(column(c)) if trim else column(c)} AS k{j}"
        for j, c in layout.present_dimensions()
    ]
    if measures:
        inner += [
            f"{column(c)} AS r{j}, {number_expr(column(c))} AS v{j}"
            for j, c in layout.present_measures()
        ]
    if ordinality:
        inner.append("ordinality AS ord")
    outer = ["CASE WHEN d0 BETWEEN DATE '1000-01-01' AND DATE '9999-12-31' THEN d0 END AS d", "*"]
    return f"SELECT {', '.join(outer)} FROM (SELECT {', '.join(inner)} FROM {source})"


def _blank(layout: Layout) -> str:
    """True for a record with no date and nothing else either (``,,,``): skipped, not an error."""
    parts = [f"coalesce(trim(rd, {sql_string(_SPACES)}), '') = ''"]
    parts += [f"k{j} IS NULL" for j, _ in layout.present_dimensions()]
    parts += [f"r{j} IS NULL" for j, _ in layout.present_measures()]
    return "(" + " AND ".join(parts) + ")"


def _bad_date(layout: Layout) -> str:
    return f"(d IS NULL AND NOT {_blank(layout)})"


def _bad_measure(j: int) -> str:
    return f"(v{j} IS NULL AND r{j} IS NOT NULL AND NOT {missing_expr(f'r{j}')})"


def _flag(condition: str) -> str:
    """0 or 1; the CASE runs the (costly) inner test only where the outer cheap one holds."""
    return f"CASE WHEN {condition} THEN 1 ELSE 0 END"


def group_query(layout: Layout, source: str, dimensions: int, measures: int) -> str:
    """The one scan: records -> groups by (date, dimension values) with sums, counts, extrema.

    Per group it also counts blank records and bad cells (dates and numbers
    together; which column they are in is asked only when there are any). The
    result has the same columns for every file (``dimensions`` and ``measures``
    in all): d, k0.., n, blank, bad, then per measure s, n, mn, mx.
    """
    dims = layout.present_dimensions()
    present = dict(layout.present_measures())
    bad_terms = [f"CASE WHEN d IS NULL THEN {_flag('NOT ' + _blank(layout))} ELSE 0 END"]
    bad_terms += [
        f"CASE WHEN v{j} IS NULL AND r{j} IS NOT NULL THEN {_flag('NOT ' + missing_expr(f'r{j}'))} "
        "ELSE 0 END"
        for j in present
    ]
    # Plain sums in the scan: a FILTER clause is far slower in a grouped aggregate.
    scan_aggs = [
        "count(*) AS n",
        f"sum(CASE WHEN d IS NULL THEN {_flag(_blank(layout))} ELSE 0 END) AS blank",
        f"sum({' + '.join(bad_terms)}) AS bad",
    ]
    for j in present:
        scan_aggs += [f"sum(v{j}) AS s{j}", f"count(v{j}) AS n{j}"]
        if layout.extrema[j]:
            wide = f"CAST(v{j} AS {SUM_TYPE})"  # min/max over the wide type run faster here
            scan_aggs += [f"min({wide}) AS mn{j}", f"max({wide}) AS mx{j}"]
    scan_keys = ["d"] + [f"k{j}" for j, _ in dims]
    rows = _rows(layout, source, measures=True, ordinality=False, trim=False)
    scan = (
        f"SELECT {', '.join(scan_keys + scan_aggs)} FROM ({rows}) GROUP BY {', '.join(scan_keys)}"
    )

    present_dims = dict(dims)
    keys = ["d"] + [
        f"{dimension_expr(f'k{j}')} AS k{j}"
        if j in present_dims
        else f"CAST(NULL AS VARCHAR) AS k{j}"
        for j in range(dimensions)
    ]
    group_by = ["d"] + [f"{dimension_expr(f'k{j}')}" for j, _ in dims]
    out = ["sum(n) AS n", "sum(blank) AS blank", "sum(bad) AS bad"]
    null = f"CAST(NULL AS {SUM_TYPE})"
    for j in range(measures):
        if j not in present:
            out.append(f"{null} AS s{j}, 0 AS n{j}, {null} AS mn{j}, {null} AS mx{j}")
            continue
        out.append(f"sum(s{j}) AS s{j}, sum(n{j}) AS n{j}")
        if layout.extrema[j]:
            out.append(f"min(mn{j}) AS mn{j}, max(mx{j}) AS mx{j}")
        else:
            out.append(f"{null} AS mn{j}, {null} AS mx{j}")
    return f"SELECT {', '.join(keys + out)} FROM ({scan}) GROUP BY {', '.join(group_by)}"


IN_RANGE = (
    "(d IS NOT NULL AND (CAST($keep_from AS DATE) IS NULL OR d >= CAST($keep_from AS DATE)) "
    "AND (CAST($keep_to AS DATE) IS NULL OR d <= CAST($keep_to AS DATE)))"
)


def stats_query(table: str) -> str:
    """Per-file figures from its group table.

    One row: records, data rows, bad cells, rows out of range, first and last
    date kept, repeated keys and extra rows.
    """
    return (
        "SELECT coalesce(sum(n), 0), coalesce(sum(n - blank), 0), coalesce(sum(bad), 0), "
        f"coalesce(sum(n) FILTER (WHERE d IS NOT NULL AND NOT {IN_RANGE}), 0), "
        f"min(d) FILTER (WHERE {IN_RANGE}), max(d) FILTER (WHERE {IN_RANGE}), "
        f"count(*) FILTER (WHERE {IN_RANGE} AND n > 1), "
        f"coalesce(sum(n - 1) FILTER (WHERE {IN_RANGE} AND n > 1), 0) "
        f"FROM {quote_ident(table)}"
    )


def bad_counts_query(layout: Layout, source: str) -> str:
    """Bad cells per column: the date column first, then each measure the file has (error path)."""
    rows = _rows(layout, source, measures=True, ordinality=False, trim=False)
    counts = [f"count(*) FILTER (WHERE {_bad_date(layout)})"]
    counts += [f"count(*) FILTER (WHERE {_bad_measure(j)})" for j, _ in layout.present_measures()]
    return f"SELECT {', '.join(counts)} FROM ({rows})"


def bad_rows_query(layout: Layout, source: str) -> str:
    """The first records holding a bad date or number, in file order, with raw cells and flags."""
    measures = layout.present_measures()
    flags = [f"{_bad_date(layout)} AS bad_d"]
    flags += [f"{_bad_measure(j)} AS b{j}" for j, _ in measures]
    raws = ["rd"] + [f"r{j}" for j, _ in measures]
    condition = " OR ".join([_bad_date(layout)] + [_bad_measure(j) for j, _ in measures])
    rows = _rows(layout, source, measures=True, ordinality=True, trim=False)
    return (
        f"SELECT ord, {', '.join(raws)}, {', '.join(flags)} FROM ({rows}) "
        f"WHERE {condition} ORDER BY ord LIMIT {FIRST_ERRORS}"
    )


def repeat_query(layout: Layout, source: str, table: str) -> str:
    """The repeated key (date, dimension values) whose second record comes first.

    One row: the key, then the ordinals of its first and second records.
    """
    keys = ["d"] + [f"k{j}" for j, _ in layout.present_dimensions()]
    listed = ", ".join(keys)
    join = " AND ".join(f"r.{k} IS NOT DISTINCT FROM g.{k}" for k in keys)
    rows = _rows(layout, source, measures=False, ordinality=True, trim=True)
    # Only g filters by date: the semi join keeps just the records of g's keys,
    # which are in range. The same filter on r too is redundant, slower, and
    # with both $keep_ bound DuckDB 1.5 fails on it beneath the window
    # ("Failed to cast expression to type").
    return (
        f"WITH r AS (SELECT ord, {listed} FROM ({rows})), "
        f"g AS (SELECT {listed} FROM {quote_ident(table)} WHERE {IN_RANGE} AND n > 1), "
        f"hit AS (SELECT r.* FROM r SEMI JOIN g ON {join}), "
        f"ranked AS (SELECT *, row_number() OVER (PARTITION BY {listed} ORDER BY ord) AS rn "
        "FROM hit) "
        f"SELECT {listed}, min(ord) FILTER (WHERE rn = 1) AS first, "
        f"min(ord) FILTER (WHERE rn = 2) AS second FROM ranked WHERE rn <= 2 "
        f"GROUP BY {listed} ORDER BY second LIMIT 1"
    )


def values_query(table: str, dimension: int) -> str:
    """The distinct values of one dimension among a group table's kept rows."""
    key = f"k{dimension}"
    return (
        f"SELECT DISTINCT {key} FROM {quote_ident(table)} "
        f"WHERE {IN_RANGE} AND {key} IS NOT NULL ORDER BY 1"
    )


def first_records_query(layout: Layout, source: str, dimension: int) -> str:
    """The ordinal of the first kept record holding each value in ``$values`` of one dimension.

    One row per value found: the value, then that ordinal. A grouped ``min``, not
    a window: DuckDB 1.5 fails on a window beneath the bound date filter.
    """
    key = f"k{dimension}"
    rows = _rows(layout, source, measures=False, ordinality=True, trim=True)
    return (
        f"SELECT {key}, min(ord) FROM ({rows}) "
        f"WHERE {IN_RANGE} AND list_contains($values, {key}) GROUP BY {key} ORDER BY 1"
    )


def cube_query(tables: list[str], dimensions: int, measures: int) -> str:
    """Combine the per-file group tables into the daily cube, kept rows only, in a stable order."""
    keys = ["d"] + [f"k{j}" for j in range(dimensions)]
    cells = []
    for j in range(measures):
        cells += [f"sum(s{j})", f"sum(n{j})", f"min(mn{j})", f"max(mx{j})"]
    columns = keys + [f"{kind}{j}" for j in range(measures) for kind in ("s", "n", "mn", "mx")]
    union = " UNION ALL ".join(
        f"SELECT {', '.join(columns)} FROM {quote_ident(t)} WHERE {IN_RANGE}" for t in tables
    )
    order = ", ".join(f"{k} NULLS FIRST" for k in keys)
    return (
        f"SELECT {', '.join(keys)}, {', '.join(cells)} FROM ({union}) "
        f"GROUP BY {', '.join(keys)} ORDER BY {order}"
    )
