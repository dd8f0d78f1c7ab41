"""Read actuals files into the daily cube with DuckDB, in process.

Per file: the source registry (``sources/``) picks the module that reads it
(CSV text, compressed CSV, Parquet, Excel) and opens it as a FROM item; then one
scan in DuckDB groups the records by date and dimension values while counting
bad cells (``sql.py``), whatever the source. Only when something is wrong do
further queries run: the first bad cells with their records' ordinals, counts
per column, the first repeated key. Finally the per-file groups of files
without errors are combined into the cube, summed in DuckDB and fetched column
by column as exact integers (``cubesql.py``). No Python object is made per row.

Choices and limits, for the README:
- A file with any error contributes nothing to the cube (``Actuals.ok`` is
  False then anyway); warnings and infos do not hold a file back.
- Numbers are exact to 4 decimal places (4.5678% is read as 0.0457), up to
  10^14 per cell; sums are DECIMAL(38, 4). A decimal comma (``1.234,50``) is
  not a number; thousands separators must group by three.
- Quotes are RFC 4180 (``""`` inside a quoted field); a backslash is data.
- Line numbers are exact, line breaks inside quoted fields and blank lines
  included: the engine reports records, and when a file has more lines than
  records the error path maps records to lines with Python's CSV parser.
- Rows dated outside [keep_from, keep_to] are ignored (PA012); first_date and
  last_date of a file are over the rows kept.
- A read that runs out of DuckDB's memory cap is done again from the start on
  one thread (extremes held narrow while grouping), within the same cap; PA017
  stops the run (exit 2) when that runs out too.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from promoplan.actuals import cellsql, checksql, problems, sql, typed
from promoplan.actuals.badcells import bad_cells
from promoplan.actuals.batch import read_all
from promoplan.actuals.carried import carried
from promoplan.actuals.cube import build_cube
from promoplan.actuals.files import unique_existing, wanted_encoding
from promoplan.actuals.identical import distinct_files
from promoplan.actuals.layout import file_layout, wrong_types
from promoplan.actuals.longtable import metric_diagnostics
from promoplan.actuals.model import (
    Actuals,
    ActualsSpec,
    FileSummary,
)
from promoplan.actuals.needs import (
    Needed,
    Unpivoted,
    needed_of,
    unpivot_header,
    unpivot_missing,
)
from promoplan.actuals.overlap import overlaps
from promoplan.actuals.pipes import is_pipe, spool
from promoplan.actuals.session import MEMORY_LIMIT, Progress, Tick, connect, run
from promoplan.actuals.sources import pick
from promoplan.actuals.sources.base import Context, Opened, Source
from promoplan.actuals.unknowns import (
    channel_position,
    missing_columns,
    rounded_ids,
    unknown_channels,
)
from promoplan.diagnostics import Diagnostic, diagnostic
from promoplan.errors import UsageProblem

if TYPE_CHECKING:
    pass

# The session's connect, by the name tests spy on (a module attribute, looked up per read).
_connect = connect


_ISO_WEEKDAY = {"monday": 1, "sunday": 7}  # DuckDB isodow of the first day of a week


@dataclass
class FileRead:
    """What reading one file gave: its group table (when usable), summary and diagnostics."""

    name: str
    header: tuple[str, ...] | None = None
    table: str | None = None
    summary: FileSummary | None = None
    opened: Opened | None = None  # set with ``table``: where to find rows again
    layout: sql.Layout | None = None
    unpivoted: Unpivoted | None = None
    records: int = 0
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # The channel values among the kept rows, when the statistics listed them.
    channel_values: list[str] | None = None
    # Per dimension, the kept groups without a value of it (from the statistics).
    null_keys: tuple[int, ...] = ()
    # Whether a kept group's dimension value holds a "+", as 1.23457E+18 does (PA018).
    plus: bool = False
    # A long file: the metric names it holds rows of (from its groups).
    metric_names: list[str] | None = None
    # Read by a scan of several files: its group table and the file's position there
    # (``table`` is then a view of that table's rows of this file).
    batch: tuple[str, int] | None = None
    # An unpivoted file checked for overlap: its groups as cube rows (the dimension set
    # from the header), a table of their own that the check may empty cells of.
    cube_table: str | None = None
    # PA002 for the unpivot patterns and named columns its header lacks.
    unpivot_missing: list[Diagnostic] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(d.severity == "error" for d in self.diagnostics)


def read_actuals(
    files: Sequence[Path | str],
    spec: ActualsSpec,
    *,
    progress: Progress | None = None,
) -> Actuals:
    """Read ``files`` into the daily cube described by ``spec``, collecting every diagnostic.

    A read that runs out of DuckDB's memory is read again on one thread, within the
    same cap (PA017 when even that does not fit).
    """
    from promoplan.actuals.duckengine import duckdb  # noqa: PLC0415  # DuckDB only when actuals are read

    paths = unique_existing(files)
    encoding = wanted_encoding(spec.encoding)
    with tempfile.TemporaryDirectory(prefix="promoplan-") as tmp:
        # A pipe can be read once: stream it into a copy that can be read again.
        paths = [
            (spool(path, Path(tmp), i, name) if is_pipe(path) else path, name)
            for i, (path, name) in enumerate(paths)
        ]
        paths, once = distinct_files(paths)
        try:
            return _read(Path(tmp), paths, once, spec, encoding, progress, None)
        except duckdb.OutOfMemoryException:
            pass
        # Each thread groups into a hash table of its own, and with several the
        # grouping of many distinct (date, dimension values) with wide sums, counts
        # and extremes can fail to spill within the cap; one thread, holding the
        # extremes narrow, spills it.
        try:
            return _read(Path(tmp), paths, once, spec, encoding, progress, 1)
        except duckdb.OutOfMemoryException:
            raise problems.out_of_memory(MEMORY_LIMIT) from None


def _read(  # noqa: PLR0917  # what read_actuals prepared, and the threads to read with
    tmp: Path,
    paths: list[tuple[Path, str]],
    once: list[Diagnostic],
    spec: ActualsSpec,
    encoding: str | None,
    progress: Progress | None,
    threads: int | None,
) -> Actuals:
    """One read of the distinct ``paths`` on a connection of its own."""
    sizes = [path.stat().st_size for path, _ in paths]
    needed = needed_of(spec)
    allowed = [path for path, _ in paths]
    con = _connect(tmp, allowed, threads)
    try:
        ctx = Context(con, tmp, encoding, spec.date_column, spec.sheet)
        reader = Reader(ctx, spec, needed)
        reader.narrow = threads == 1
        reads = read_all(reader, paths, sizes, progress)
        usable = [r for r in reads if r.table and not r.failed]
        found = overlaps(con, reader, usable)
        cube = build_cube(con, usable, spec, needed)
        diagnostics = once + found + [d for r in reads for d in r.diagnostics]
        diagnostics += unpivot_missing(
            [r.unpivot_missing for r in reads if r.unpivoted is not None]
        )
        diagnostics += missing_columns(reads, needed, spec)
        diagnostics += unknown_channels(reader, reads)
        diagnostics += rounded_ids(reader, reads)
        diagnostics += metric_diagnostics(reads, spec)
    finally:
        con.close()
    summaries = tuple(r.summary for r in reads if r.summary is not None)
    return Actuals(cube=cube, files=summaries, diagnostics=tuple(diagnostics))


def _table(opened: Opened) -> str:
    return f"g{opened.index}"


class Reader:
    """Reads files one by one into group tables ``g<index>`` on one connection."""

    def __init__(self, ctx: Context, spec: ActualsSpec, needed: Needed) -> None:
        self.ctx = ctx
        self.con = ctx.con
        self.spec = spec
        self.needed = needed
        # The extremes held narrow while grouping (``sql.group_query``): the one-thread retry.
        self.narrow = False

    def params(self, opened: Opened | None = None) -> dict[str, Any]:
        """Every query parameter; ``run`` binds those a query names."""
        params: dict[str, Any] = {
            "keep_from": self.spec.keep_from,
            "keep_to": self.spec.keep_to,
            "date_format": self.spec.date_format,
            "week_start": _ISO_WEEKDAY[self.spec.week_start],
        }
        if opened is not None:
            params.update(opened.params)
        return params

    def read(self, path: Path, name: str, index: int, tick: Tick | None) -> FileRead:
        """Open the file with its source, group it, then check what the groups say."""
        return self.finish(*self.open(path, name, index), tick)

    def open(self, path: Path, name: str, index: int) -> tuple[FileRead, Source, Opened | None]:
        """The file opened by its source (header read), not yet scanned."""
        read = FileRead(name)
        try:
            source = pick(path)
        except OSError as exc:  # a failing disk, a stale mount: open worked, read did not
            reason = exc.strerror or type(exc).__name__
            raise UsageProblem(f"actuals file {name!r} cannot be read ({reason})") from None
        return read, source, source.open(self.ctx, path, name, index, read.diagnostics)

    def finish(
        self, read: FileRead, source: Source, opened: Opened | None, tick: Tick | None
    ) -> FileRead:
        """Group one opened file, then check what the groups say."""
        name = read.name
        while opened is not None:
            read.header = opened.header
            unpivoted = None
            if self.spec.unpivot is not None:
                unpivoted, missing = unpivot_header(
                    opened.header, self.needed, self.spec.unpivot, name, counts=True
                )
                if read.unpivoted is None:  # reported once all files are read
                    read.unpivot_missing = missing
                read.unpivoted = unpivoted
            layout = file_layout(opened, self.needed, self.spec, unpivoted)
            if layout is None:
                read.diagnostics.append(
                    problems.no_date_column(name, self.needed.date, opened.header)
                )
                return read
            if self.needed.measures and not any(c is not None for c in layout.measures):
                # Nothing to count: its dates must not set as-of either.
                read.diagnostics.append(problems.no_needed_column(name, self.needed, opened.header))
                return read
            wrong = wrong_types(opened, layout, self.needed)
            if wrong:
                read.diagnostics += wrong
                return read
            opened, layout, failure = self.group_fast(opened, layout, tick)
            if failure is None:
                read.table, read.opened, read.layout = _table(opened), opened, layout
                self.check(opened, layout, read)
                return read
            retry = source.recover(self.ctx, opened, failure, read.diagnostics)
            if retry is None:
                if not read.failed:  # recover may have named the problem already
                    read.diagnostics.append(source.problem(opened, failure))
                return read
            opened = retry
        return read

    def group_fast(
        self, opened: Opened, layout: sql.Layout, tick: Tick | None
    ) -> tuple[Opened, sql.Layout, Exception | None]:
        """Group with the measure columns typed (``typed.py``), else as text, as read."""
        numbers = typed.number_columns(opened, layout)
        if numbers and typed.worth_sampling(opened):
            numbers = typed.clean_in_sample(self.con, opened, numbers, self.params(opened))
        for _ in range(typed.MAX_ATTEMPTS):
            if not numbers:
                break
            fast, fast_layout = typed.typed_variant(opened, layout, numbers)
            start = time.perf_counter()
            failure = self.group(fast, fast_layout, tick)
            if failure is None:
                return fast, fast_layout, None
            column = typed.failed_column(failure)
            if column not in numbers or time.perf_counter() - start > typed.GIVE_UP_SECONDS:
                break
            numbers.discard(column)
        return opened, layout, self.group(opened, layout, tick)

    def group(self, opened: Opened, layout: sql.Layout, tick: Tick | None) -> Exception | None:
        """The one full scan: group the file into its table; the engine's error if it cannot."""
        from promoplan.actuals.duckengine import duckdb  # noqa: PLC0415  # DuckDB only when actuals are read

        query = sql.group_query(
            layout, opened.scan, len(layout.dimensions), len(layout.measures), narrow=self.narrow
        )
        try:
            run(
                self.con,
                f"CREATE OR REPLACE TEMP TABLE {cellsql.quote_ident(_table(opened))} AS {query}",
                self.params(opened),
                tick,
            )
        except duckdb.Error as exc:
            if isinstance(exc, (duckdb.OutOfMemoryException, duckdb.InterruptException)):
                raise
            return exc
        return None

    def check(
        self,
        opened: Opened,
        layout: sql.Layout,
        read: FileRead,
        stats: tuple[Any, ...] | None = None,
    ) -> None:
        """Summarise the groups; list bad cells, repeats and ignored rows when there are any.

        ``stats``: the file's row of ``stats_query`` when a scan of several files
        has counted it already. After the figures come the groups without each
        dimension's value (for the cube) and, when the plan maps channels, the
        file's channel values (for PA011), from the same query.
        """
        position, k = channel_position(self.spec), len(layout.dimensions)
        if stats is None:
            query = checksql.stats_query(_table(opened), dimensions=k, values=position)
            stats = run(self.con, query, self.params())[0]
        records, rows, bad, outside, first, last, repeated_keys, repeated_rows = stats[:8]
        if k:
            read.null_keys = tuple(int(n) for n in stats[8] or ())
            read.plus = any(stats[9] or ())
        if position is not None:
            read.channel_values = list(stats[8 + 2 * bool(k)] or ())
        read.records = int(records)
        read.summary = FileSummary(
            path=opened.name,
            rows=int(rows),
            columns=opened.header,
            first_date=first,
            last_date=last,
            encoding=opened.encoding,
            measures=self.measures_carried(opened, layout, read),
        )
        if rows == 0:
            read.diagnostics.append(
                diagnostic(
                    "PA001", "the file has a header but no data rows", file=opened.name, line=1
                )
            )
            return
        if bad:
            read.diagnostics += bad_cells(self, opened, layout, int(records))
        if self.spec.grain != "rows" and repeated_keys:
            read.diagnostics.append(
                self.repeats(opened, layout, int(records), int(repeated_keys), int(repeated_rows))
            )
        if outside:
            read.diagnostics.append(
                diagnostic(
                    "PA012",
                    f"{problems.count(int(outside), 'row')} dated outside "
                    f"{problems.span(self.spec)} ignored",
                    file=opened.name,
                )
            )

    def measures_carried(
        self, opened: Opened, layout: sql.Layout, read: FileRead
    ) -> tuple[str, ...]:
        """The measures the file carries (PA013 judges lag by them): a long file, the
        metrics it holds rows of (their names kept on ``read`` for PA015 and PA002)."""
        if self.needed.value_column is None:
            return carried(self.needed, layout, read.unpivoted)
        if layout.dimensions[-1] is None:  # no metric column: PA002 names it
            return ()
        query = checksql.key_values_query(_table(opened), len(layout.dimensions) - 1)
        read.metric_names = [str(name) for (name,) in run(self.con, query, {})]
        if layout.measures[0] is None:  # no value column: its metrics have no values
            return ()
        held = set(read.metric_names)
        return tuple(m for m in self.needed.measures if m in held)

    def repeats(
        self, opened: Opened, layout: sql.Layout, records: int, keys: int, rows: int
    ) -> Diagnostic:
        """PA010 once per file, at the second record of the earliest repeated key."""
        query = checksql.repeat_query(layout, opened.scan, _table(opened))
        found = run(self.con, query, self.params(opened))
        dims = layout.present_dimensions()
        line = None
        described = "a date and dimension values"
        if found:
            record = found[0]
            day, values, first, second = (
                record[0],
                record[1 : 1 + len(dims)],
                record[-2],
                record[-1],
            )
            lines = opened.lines([first, second], records)
            line = lines(second)
            parts = [day.isoformat()] + [
                f'{self.needed.dimensions[j]} "{value}"'
                if value is not None
                else f"no {self.needed.dimensions[j]}"
                for (j, _), value in zip(dims, values, strict=True)
            ]
            first_line = lines(first)
            described = ", ".join(parts) + (f" (first at line {first_line})" if first_line else "")
        more = ""
        if keys > 1 or rows > 1:
            repeated = problems.count(keys, "date and dimension values")
            more = f"; {repeated} repeat, {problems.count(rows, 'extra row')} in all"
        return diagnostic(
            "PA010",
            f"repeated: {described}{more}",
            file=opened.where,
            line=line,
            hint=f"grain is {self.spec.grain}, so repeated rows are probably counted twice; "
            "set actuals.grain: rows for order-level data",
        )
