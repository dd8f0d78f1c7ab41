"""The same date and dimension values in two files (PA010): overlapping exports, counted once.

Monthly exports often overlap by a day or a week (``jan.csv`` runs to
February 2nd, ``feb.csv`` starts on February 1st). Summing both would count
those days twice. Under ``grain: daily`` (weekly, monthly) a (date, dimension
values) that two files both give a value of one measure is counted once, from
the file that comes later in the order given (globs expanded sorted), since a
later export supersedes an earlier one; a PA010 per pair of files names both
files and the lines of the first such key. Files that hold different measures
for the same keys (``sales.csv`` and ``spend.csv``) do not overlap: the check
is per measure (in a long table, per metric: its name is one more key). Under
``grain: rows`` keys repeat by design and nothing is checked.

The check reads only the per-file group tables (a few thousand rows each),
and only when two files could meet: some measure present in both, over dates
that intersect (what their layouts and statistics already say); only to name
the lines of the first overlapping key does it scan the two files again, and
only when there is an overlap. A file read with ``unpivot`` (its dimension
comes from the header) is checked as the cube sees it: its groups are made cube
rows, one per value, in a table of their own, which the cube then reads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from promoplan.actuals import checksql, problems, sql
from promoplan.actuals.model import ActualsSpec
from promoplan.actuals.session import run
from promoplan.actuals.sources.base import Opened
from promoplan.actuals.sql import Layout
from promoplan.diagnostics import Diagnostic, diagnostic

if TYPE_CHECKING:
    import duckdb

    from promoplan.actuals.engine import FileRead, Reader

# Pairs of files named one by one; past this, one line counts the rest.
MAX_PAIRS = 10
# Temp tables: every kept key per file, the winning file per (measure, key), shared keys.
_KEYS, _WINNERS, _SHARED = "overlap_keys", "overlap_winners", "overlap_shared"


@dataclass(frozen=True)
class Grouped:
    """One usable file's group table, as the overlap check sees it."""

    order: int  # position among the files given: a later file wins
    name: str
    table: str
    opened: Opened
    layout: Layout
    records: int
    first: dt.date | None = None  # the first and last date kept (None: no rows kept)
    last: dt.date | None = None
    split: frozenset[int] = frozenset()  # measures an unpivoted file has from its header

    def has(self, measure: int) -> bool:
        """True when the file's groups may hold values of ``measure`` (its column, its
        computed value or, unpivoted, one of its columns is there): elsewhere the group
        query fills in no value."""
        layout = self.layout
        return (
            measure in self.split
            or any(j == measure for j, _ in layout.present_measures())
            or any(j == measure for j, _ in layout.computed_measures())
        )


@dataclass(frozen=True)
class _Pair:
    earlier: int
    later: int
    keys: int  # (date, dimension values) the two files share for some measure
    day: dt.date | None  # the first of them (None past the pairs named one by one)
    dims: tuple[str | None, ...]


def counted_once(
    con: duckdb.DuckDBPyConnection,
    files: Sequence[Grouped],
    dimensions: tuple[str, ...],
    measures: int,
    params: dict[str, Any],
) -> list[Diagnostic]:
    """Drop from earlier files the cells a later file also has; PA010 per overlapping pair.

    ``dimensions`` are the dimension headers (aligned with k0..), ``params`` the
    reader's (``$keep_from``, ``$keep_to``, ``$date_format``, ``$week_start``).
    """
    if len(files) < 2 or measures == 0 or not _may_meet(files, measures):
        return []
    k = len(dimensions)
    query = checksql.overlap_keys_query([(f.order, f.table) for f in files], k, measures)
    run(con, checksql.create_temp_table(_KEYS, query), params)
    query = checksql.overlap_winners_query(_KEYS, k, measures)
    run(con, checksql.create_temp_table(_WINNERS, query), {})
    query = checksql.overlap_shared_query(_KEYS, _WINNERS, k, measures)
    run(con, checksql.create_temp_table(_SHARED, query), {})
    pairs = _pairs(con, k)
    if not pairs:
        return []
    losers = {pair.earlier for pair in pairs}
    for file in files:
        if file.order in losers:
            _as_table(con, file.table)
            for j in range(measures):
                run(con, checksql.overlap_drop_query(file.table, _WINNERS, file.order, k, j), {})
    by_order = {file.order: file for file in files}
    out = [_pair_problem(con, pair, by_order, dimensions, params) for pair in pairs[:MAX_PAIRS]]
    if len(pairs) > MAX_PAIRS:
        more = pairs[MAX_PAIRS:]
        out.append(
            diagnostic(
                "PA010",
                f"{problems.count(len(more), 'more pair')} of files overlap "
                f"({problems.count(sum(p.keys for p in more), 'date and dimension values')}), "
                "each counted once, from the later file",
            )
        )
    return out


def _may_meet(files: Sequence[Grouped], measures: int) -> bool:
    """True unless no two files have a measure in common over dates that intersect.

    The overlap queries only find a key that two files both give one measure
    of; a file has no value of a measure it has no column for, and no key
    outside its first..last date. When no pair can meet, their answer is known.
    """
    for j in range(measures):
        spans = sorted(
            (f.first, f.last)
            for f in files
            if f.first is not None and f.last is not None and f.has(j)
        )
        end: dt.date | None = None
        for first, last in spans:
            if end is not None and first <= end:
                return True
            end = last if end is None else max(end, last)
    return False


def _as_table(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Make a file's groups updatable: a scan of several files gives each file a view."""
    if run(con, checksql.is_view_query(), {"name": table})[0][0]:
        run(con, checksql.view_copy_query(table), {})
        run(con, checksql.drop_view_query(table), {})
        run(con, checksql.copy_as_view_name_query(table), {})


def _pairs(con: duckdb.DuckDBPyConnection, dimensions: int) -> list[_Pair]:
    """Each (earlier file, later file) sharing a measure's key, with its first shared key."""
    out = []
    for index, (earlier, later, n) in enumerate(
        run(con, checksql.overlap_pairs_query(_SHARED), {})
    ):
        day: dt.date | None = None
        dims: tuple[str | None, ...] = ()
        if index < MAX_PAIRS:  # only those named need their first key
            query = checksql.overlap_first_query(_SHARED, dimensions)
            first = run(con, query, {"earlier": earlier, "later": later})[0]
            day, dims = first[0], tuple(first[1:])
        out.append(_Pair(int(earlier), int(later), int(n), day, dims))
    return out


def _pair_problem(
    con: duckdb.DuckDBPyConnection,
    pair: _Pair,
    files: dict[int, Grouped],
    dimensions: tuple[str, ...],
    params: dict[str, Any],
) -> Diagnostic:
    """PA010 at the later file's line of the pair's first shared key, naming the earlier one."""
    earlier, later = files[pair.earlier], files[pair.later]
    assert pair.day is not None  # named pairs have their first key
    first_line = _line(con, earlier, pair.day, pair.dims, params)
    second_line = _line(con, later, pair.day, pair.dims, params)
    parts = [pair.day.isoformat()] + [
        f'{name} "{value}"' if value is not None else f"no {name}"
        for j, (name, value) in enumerate(zip(dimensions, pair.dims, strict=True))
        if value is not None or _has_dimension(earlier, later, j)
    ]
    at = f"{earlier.opened.where}" + (f":{first_line}" if first_line is not None else "")
    more = ""
    if pair.keys > 1:
        more = f"; {problems.count(pair.keys, 'date and dimension values')} overlap in all"
    return diagnostic(
        "PA010",
        f"overlap: {', '.join(parts)} is also in {at}; counted once, from {later.name}{more}",
        file=later.opened.where,
        line=second_line,
        hint="two files hold the same dates (overlapping exports?): the later file given wins; "
        "if they are separate parts, add the column that tells them apart as a dimension",
    )


def _has_dimension(earlier: Grouped, later: Grouped, j: int) -> bool:
    """True when either file has the dimension column ``j`` (else it is not worth naming)."""
    return earlier.layout.dimensions[j] is not None or later.layout.dimensions[j] is not None


def _line(
    con: duckdb.DuckDBPyConnection,
    file: Grouped,
    day: dt.date,
    dims: tuple[str | None, ...],
    params: dict[str, Any],
) -> int | None:
    """The line (or row) of the file's first kept record of one key: a scan, error path only.

    ``params``: the reader's (the dates kept, a declared date format, the weekday a
    weekly row is dated on), which the record's date is read with.
    """
    layout, opened = file.layout, file.opened
    bound: dict[str, Any] = {**params, **opened.params, "key_day": day}
    bound.update({f"key_k{j}": dims[j] for j, _ in layout.present_dimensions()})
    query = checksql.key_record_query(layout, opened.scan)
    found = run(con, query, bound)
    ordinal = found[0][0] if found else None
    if ordinal is None:
        return None
    return opened.lines([int(ordinal)], file.records)(int(ordinal))


def overlaps(
    con: duckdb.DuckDBPyConnection, reader: Reader, reads: list[FileRead]
) -> list[Diagnostic]:
    """:func:`counted_once` over the usable files a reader read (not under ``grain: rows``)."""
    spec = reader.spec
    if spec.grain == "rows":
        return []
    grouped = [
        (
            read,
            Grouped(
                index,
                read.name,
                read.table,
                read.opened,
                read.layout,
                read.records,
                # No summary (not expected with a table): any date, so the check runs.
                read.summary.first_date if read.summary is not None else dt.date.min,
                read.summary.last_date if read.summary is not None else dt.date.max,
                frozenset(j for j, _, _ in read.unpivoted.columns)
                if read.unpivoted is not None
                else frozenset(),
            ),
        )
        for index, read in enumerate(reads)
        if read.table is not None and read.opened is not None and read.layout is not None
    ]
    # A long file's groups have one measure (its value column) and the metric as their
    # last key: the same (date, values, metric) in two files is the overlap.
    needed = reader.needed
    measures = 1 if needed.value_column is not None else len(needed.measures)
    files = [file for _, file in grouped]
    if len(files) < 2 or measures == 0 or not _may_meet(files, measures):
        return []
    if spec.unpivot is not None:
        files = [_as_cube_rows(con, read, file, spec, measures) for read, file in grouped]
    found = counted_once(con, files, needed.dimensions, measures, reader.params())
    if found and any(read.batch is not None for read in reads):
        # An earlier file's view was made a table of its own to drop what a later file
        # replaces: the cube reads that table, not the scan's rows of the file.
        views = {row[0] for row in run(con, checksql.temp_views_query(), {})}
        for read in reads:
            if read.batch is not None and read.table not in views:
                read.batch = None
    return found


def _as_cube_rows(
    con: duckdb.DuckDBPyConnection,
    read: FileRead,
    file: Grouped,
    spec: ActualsSpec,
    measures: int,
) -> Grouped:
    """An unpivoted file's groups as cube rows (one per value of the dimension its header
    carries), in a table of their own that the cube reads (``read.cube_table``)."""
    if read.unpivoted is None or spec.unpivot is None or read.table is None:
        return file
    names = [n for n, _ in spec.dimensions]
    expanded = [(j, v, measures + e) for e, (j, v, _) in enumerate(read.unpivoted.columns)]
    view = sql.unpivot_view(
        read.table, len(names), measures, names.index(spec.unpivot.dimension), expanded, "$values"
    )
    table = f"{read.table}_cube"
    query = checksql.create_temp_table(table, f"SELECT * FROM {view}")
    run(con, query, {"values": list(read.unpivoted.values)})
    read.cube_table = table
    return replace(file, table=table)
