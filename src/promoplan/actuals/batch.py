"""Many files with one header read as one: a single multi-file scan, per-file results.

A daily export is hundreds of files with the same header. Scanning them one by
one costs a query per file, twice over (groups, then statistics with channel
values); here the files that open alike (same header, delimiter, compression
and encoding, no copy needed) are grouped by one ``read_csv`` over the list of
files, with each record's file as a column, and their statistics and channel
values come from one query. The grouped table keeps the file in column
``f``; each file gets a view ``g<index>`` of its own groups, so everything after
the scan (bad cells, repeats, unknown channels, the cube) runs per file as
before, and every diagnostic names its file and line.

If the scan fails (a malformed file among them), the files are read one by one
instead, which names the file and the line.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Hashable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from promoplan.actuals import cellsql, checksql, sql, typed
from promoplan.actuals.files import ticker
from promoplan.actuals.layout import file_layout, wrong_types
from promoplan.actuals.session import Progress, Tick, run
from promoplan.actuals.sources.base import Opened, Source
from promoplan.actuals.unknowns import channel_position

if TYPE_CHECKING:
    from promoplan.actuals.engine import FileRead, Reader

Member = tuple["FileRead", Source, Opened | None]

# The statistics of a file that has a header and no records (it has no groups).
_NO_ROWS = (0, 0, 0, 0, None, None, 0, 0)


def read_all(
    reader: Reader, paths: list[tuple[Path, str]], sizes: list[int], progress: Progress | None
) -> list[FileRead]:
    """Every file read, in the order given; files that open alike share one scan."""
    total, done = sum(sizes), 0
    if progress is not None:
        progress(0, total)
    members = [reader.open(path, name, i) for i, (path, name) in enumerate(paths)]
    groups: dict[Hashable, list[int]] = {}
    for i, member in enumerate(members):
        key = batch_key(reader, member)
        if key is not None:
            groups.setdefault(key, []).append(i)
    reads: dict[int, FileRead] = {}
    for indexes in groups.values():
        if len(indexes) < 2:
            continue
        size = sum(sizes[i] for i in indexes)
        tick = None if progress is None else ticker(progress, done, size, total)
        got = read_batch(reader, [members[i] for i in indexes], tick)
        if got is None:
            continue
        reads.update(zip(indexes, got, strict=True))
        done += size
        if progress is not None:
            progress(done, total)
    out = []
    for i, member in enumerate(members):
        if i not in reads:
            tick = None if progress is None else ticker(progress, done, sizes[i], total)
            reads[i] = reader.finish(*member, tick)
            done += sizes[i]
            if progress is not None:
                progress(done, total)
        out.append(reads[i])
    return out


def batch_key(reader: Reader, member: Member) -> Hashable | None:
    """What files must share to be read by one scan; None: this file is read alone."""
    read, _, opened = member
    spec = reader.spec
    if opened is None or read.diagnostics or spec.unpivot is not None or spec.long is not None:
        return None
    scan = opened.scan
    if not isinstance(scan, sql.CsvScan) or scan.types or opened.state.get("transcoded"):
        return None
    return (opened.header, opened.params.get("delim"), scan.compression, opened.encoding)


def read_batch(reader: Reader, members: list[Member], tick: Tick | None) -> list[FileRead] | None:
    """Group ``members`` in one scan and check each file; None when the scan fails."""
    first = members[0][2]
    assert first is not None
    layout = file_layout(first, reader.needed, reader.spec, None)
    if layout is None or wrong_types(first, layout, reader.needed):
        return None  # said per file, by the one-by-one read
    opened = [m[2] for m in members if m[2] is not None]
    table = f"b{first.index}"
    numbers = _group(reader, table, first, layout, [str(o.params["path"]) for o in opened], tick)
    if numbers is None:
        return None
    position, k = channel_position(reader.spec), len(layout.dimensions)
    query = checksql.stats_query(table, files=True, dimensions=k, values=position)
    by_file = {row[0]: row[1:] for row in run(reader.con, query, reader.params())}
    # A file without groups: no records, no groups without a value, no "+",
    # no channel values.
    no_rows = (
        *_NO_ROWS,
        *([[0] * k, [False] * k] if k else []),
        *([None] if position is not None else []),
    )
    out = []
    for pos, (read, _, each) in enumerate(members, start=1):
        assert each is not None
        reader.con.execute(checksql.file_view(f"g{each.index}", table, pos))
        mine, mine_layout = (
            typed.typed_variant(each, layout, numbers) if numbers else (each, layout)
        )
        read.header = each.header
        read.table, read.opened, read.layout = f"g{each.index}", mine, mine_layout
        read.batch = (table, pos)
        reader.check(mine, mine_layout, read, tuple(by_file.get(pos, no_rows)))
        out.append(read)
    return out


def _group(  # noqa: PLR0917  # the scan and where it goes
    reader: Reader,
    table: str,
    first: Opened,
    layout: sql.Layout,
    paths: list[str],
    tick: Tick | None,
) -> set[int] | None:
    """The scan into ``table``: typed where the columns allow (``typed.py``), else text.

    Returns the columns read typed (empty: all text), None when even the text
    scan fails.
    """
    from promoplan.actuals.duckengine import duckdb  # noqa: PLC0415  # DuckDB only when actuals are read

    numbers = typed.number_columns(first, layout)
    if numbers:  # the first file's first records stand for all
        numbers = typed.clean_in_sample(reader.con, first, numbers, reader.params(first))
    attempts = 0
    params: dict[str, Any] = {**reader.params(), "delim": first.params["delim"], "paths": paths}
    k, m = len(layout.dimensions), len(layout.measures)
    while True:
        each, each_layout = (
            typed.typed_variant(first, layout, numbers) if numbers else (first, layout)
        )
        assert isinstance(each.scan, sql.CsvScan)  # batch_key took CSV text scans only
        scan = dataclasses.replace(each.scan, files=True)
        query = sql.group_query(each_layout, scan, k, m, files=True, narrow=reader.narrow)
        start = time.perf_counter()
        try:
            run(
                reader.con,
                f"CREATE OR REPLACE TEMP TABLE {cellsql.quote_ident(table)} AS {query}",
                params,
                tick,
            )
            return numbers
        except duckdb.Error as exc:
            if isinstance(exc, (duckdb.OutOfMemoryException, duckdb.InterruptException)):
                raise
            if not numbers:
                return None
            column = typed.failed_column(exc)
            attempts += 1
            slow = time.perf_counter() - start > typed.GIVE_UP_SECONDS
            if column in numbers and attempts < typed.MAX_ATTEMPTS and not slow:
                numbers = numbers - {column}
            else:
                numbers = set()
