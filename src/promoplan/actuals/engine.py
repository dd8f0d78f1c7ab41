"""Read actuals files into the daily cube with DuckDB, in process.

Per file: the source registry (``sources/``) picks the module that reads it
(CSV text, compressed CSV, Parquet, Excel) and opens it as a FROM item; then one
scan in DuckDB groups the records by date and dimension values while counting
bad cells (``sql.py``), whatever the source. Only when something is wrong do
further queries run: the first bad cells with their records' ordinals, counts
per column, the first repeated key. Finally the per-file groups of files
without errors are combined into the cube. No Python object is made per row.

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
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from promoplan.actuals import problems, sql
from promoplan.actuals.model import (
    Actuals,
    ActualsSpec,
    Cell,
    Computed,
    Cube,
    CubeRow,
    FileSummary,
    UnpivotSpec,
)
from promoplan.actuals.pipes import is_pipe, spool
from promoplan.actuals.session import Progress, Tick, connect, run
from promoplan.actuals.sniff import canonical_encoding
from promoplan.actuals.sources import pick
from promoplan.actuals.sources.base import Context, Opened, Source
from promoplan.diagnostics import Diagnostic, diagnostic
from promoplan.errors import UsageProblem
from promoplan.formula import parse_formula

if TYPE_CHECKING:
    import duckdb

# The session's connect, by the name tests spy on (a module attribute, looked up per read).
_connect = connect


@dataclass(frozen=True)
class _Needed:
    """The columns the spec asks for, by header name."""

    date: str
    dimensions: tuple[str, ...]  # column headers, aligned with spec.dimensions
    measures: tuple[str, ...]  # unique, in the spec's order: columns, then computed keys
    extrema: tuple[bool, ...]
    computed: tuple[Computed | None, ...] = ()  # aligned with measures; None: a column

    @property
    def headers(self) -> tuple[str, ...]:
        """Every column header the spec needs, for PA002."""
        names = [self.date, *self.dimensions]
        for measure, computed in zip(self.measures, self.computed, strict=True):
            if computed is None:
                names.append(measure)
            elif computed.column is not None:
                names.append(computed.column)
        return tuple(dict.fromkeys(names))


@dataclass
class _FileRead:
    """What reading one file gave: its group table (when usable), summary and diagnostics."""

    name: str
    header: tuple[str, ...] | None = None
    table: str | None = None
    summary: FileSummary | None = None
    opened: Opened | None = None  # set with ``table``: where to find rows again
    layout: sql.Layout | None = None
    unpivoted: _Unpivoted | None = None
    records: int = 0
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(d.severity == "error" for d in self.diagnostics)


def read_actuals(
    files: Sequence[Path | str],
    spec: ActualsSpec,
    *,
    progress: Progress | None = None,
) -> Actuals:
    """Read ``files`` into the daily cube described by ``spec``, collecting every diagnostic."""
    paths = _unique_existing(files)
    encoding = _wanted_encoding(spec.encoding)
    needed = _needed(spec)
    with tempfile.TemporaryDirectory(prefix="promoplan-") as tmp:
        # A pipe can be read once: stream it into a copy that can be read again.
        paths = [
            (spool(path, Path(tmp), i, name) if is_pipe(path) else path, name)
            for i, (path, name) in enumerate(paths)
        ]
        sizes = [path.stat().st_size for path, _ in paths]
        total, done = sum(sizes), 0
        if progress is not None:
            progress(0, total)
        con = _connect(Path(tmp), [path for path, _ in paths])
        try:
            ctx = Context(con, Path(tmp), encoding, spec.date_column, spec.sheet)
            reader = _Reader(ctx, spec, needed)
            reads: list[_FileRead] = []
            for index, ((path, name), size) in enumerate(zip(paths, sizes, strict=True)):
                tick = None if progress is None else _ticker(progress, done, size, total)
                reads.append(reader.read(path, name, index, tick))
                done += size
                if progress is not None:
                    progress(done, total)
            cube = _cube(con, [r for r in reads if r.table and not r.failed], spec, needed)
            diagnostics = [d for r in reads for d in r.diagnostics]
            diagnostics += _missing_columns(reads, needed, spec)
            diagnostics += _unknown_channels(reader, reads)
        finally:
            con.close()
    summaries = tuple(r.summary for r in reads if r.summary is not None)
    return Actuals(cube=cube, files=summaries, diagnostics=tuple(diagnostics))


def _ticker(progress: Progress, base: int, size: int, total: int) -> Tick:
    """Turn the engine's fraction of one file into ``progress(bytes done, total)``."""

    def tick(fraction: float) -> None:
        progress(base + min(size, int(size * fraction)), total)

    return tick


def _unique_existing(files: Sequence[Path | str]) -> list[tuple[Path, str]]:
    """(resolved path, name as given) for each file, once; a missing file is a usage problem."""
    seen: set[Path] = set()
    out: list[tuple[Path, str]] = []
    for file in files:
        path = Path(file)
        if is_pipe(path):
            out.append((path, str(file)))  # not resolved: /dev/fd/N resolves to no file
            continue
        if not path.is_file():
            what = "does not exist"
            if path.is_dir():
                what = "is a directory"
            elif path.exists():
                what = "is not a regular file"
            raise UsageProblem(f"actuals file {str(path)!r} {what}; pass CSV files with --actuals")
        if not os.access(path, os.R_OK):
            raise UsageProblem(f"actuals file {str(path)!r} cannot be read (permission denied)")
        resolved = path.resolve()
        if resolved not in seen:  # the same file twice would count its rows twice
            seen.add(resolved)
            out.append((resolved, str(file)))
    return out


def _wanted_encoding(encoding: str | None) -> str | None:
    if encoding is None:
        return None
    canonical = canonical_encoding(encoding)
    if canonical is None:
        raise UsageProblem(
            f"unknown encoding {encoding!r} for --encoding; try utf-8, gb18030 or utf-16"
        )
    return canonical


def _needed(spec: ActualsSpec) -> _Needed:
    columns = dict.fromkeys(spec.columns)
    computed = {c.key: c for c in spec.computed if c.key not in columns}
    measures = (*columns, *computed)
    wanted = spec.extrema
    extrema = tuple(wanted is None or m in wanted for m in measures)
    return _Needed(
        spec.date_column,
        tuple(c for _, c in spec.dimensions),
        measures,
        extrema,
        tuple(computed.get(m) for m in measures),
    )


@dataclass(frozen=True)
class _Unpivoted:
    """One file's columns that carry one value of the unpivot dimension each."""

    values: tuple[str, ...]  # the dimension values, in header order
    # (cube measure, 1-based value index, header column) per column found
    columns: tuple[tuple[int, int, int], ...]


def _unpivot(
    header: tuple[str, ...], needed: _Needed, unpivot: UnpivotSpec, name: str
) -> tuple[_Unpivoted, list[Diagnostic]]:
    """Match the spec's patterns and names against a header: PA002 for what matches nothing."""
    values: dict[str, int] = {}
    found: list[tuple[int, int, int]] = []
    problems_found: list[Diagnostic] = []
    for measure, pattern, named in unpivot.measures:
        if measure not in needed.measures:
            continue  # no metric reads it
        j = needed.measures.index(measure)
        pairs: list[tuple[str, int]] = []
        if pattern is not None:
            prefix, suffix = pattern.split("{}", 1)
            regex = re.compile(f"^{re.escape(prefix)}(.+){re.escape(suffix)}$", re.DOTALL)
            for column, text in enumerate(header, start=1):
                match = regex.match(text)
                if match and match.group(1).strip():
                    pairs.append((match.group(1).strip(), column))
            if not pairs:
                shown = pattern.replace("{}", "{" + unpivot.dimension + "}")
                problems_found.append(
                    diagnostic(
                        "PA002",
                        f'the pattern "{shown}" of {measure!r} matches no column',
                        file=name,
                        line=1,
                        hint=f"the columns are: {problems.listing(header)}",
                    )
                )
        for value, column_name in named:
            if column_name in header:
                pairs.append((value, header.index(column_name) + 1))
            else:
                problems_found.append(
                    diagnostic(
                        "PA002",
                        f'column "{column_name}" ({measure} for {unpivot.dimension} "{value}") '
                        "is not in the file",
                        file=name,
                        line=1,
                        hint=f"the columns are: {problems.listing(header)}",
                    )
                )
        for value, column in pairs:
            index = values.setdefault(value, len(values) + 1)
            found.append((j, index, column))
    return _Unpivoted(tuple(values), tuple(found)), problems_found


_PERIODS: dict[str, sql.Period] = {"weekly": "week", "monthly": "month"}
_ISO_WEEKDAY = {"monday": 1, "sunday": 7}


def _row_value(computed: Computed, index: dict[str, int]) -> sql.RowValue | None:
    """How a computed measure is computed in a file with these columns; None: it cannot be."""
    if computed.kind == "rows":
        return sql.RowValue("rows")
    if computed.kind == "present":
        column = index.get(computed.column or "")
        return None if column is None else sql.RowValue("present", column)
    formula = parse_formula(computed.expr or "")
    if not all(name in index for name in formula.names):
        return None  # a column it reads is missing: PA002 says which
    operands = tuple((name, index[name]) for name in sorted(formula.names))
    return sql.RowValue("expr", formula=formula.root, operands=operands)


def _layout(
    opened: Opened, needed: _Needed, spec: ActualsSpec, unpivoted: _Unpivoted | None = None
) -> sql.Layout | None:
    """Positions of the needed columns in this file, or None when it has no date column.

    Unpivoted measures have no column of their own: each of their columns is an
    extra measure after the cube's, in the order of ``unpivoted.columns``.
    """
    index = {name: i for i, name in enumerate(opened.header, start=1) if name}
    if needed.date not in index:
        return None
    split = _unpivoted_measures(spec)
    measures: list[int | None] = []
    row_values: list[sql.RowValue | None] = []
    for measure, computed in zip(needed.measures, needed.computed, strict=True):
        if computed is None:
            measures.append(None if measure in split else index.get(measure))
            row_values.append(None)
            continue
        value = _row_value(computed, index)
        # A computed measure has no column of its own; 0 marks "this file has it".
        measures.append(None if value is None else 0)
        row_values.append(value)
    extrema = list(needed.extrema)
    for j, _, column in unpivoted.columns if unpivoted is not None else ():
        measures.append(column)
        row_values.append(None)
        extrema.append(needed.extrema[j])
    dimensions = [index.get(c) for c in needed.dimensions]
    if spec.unpivot is not None:
        names = [n for n, _ in spec.dimensions]
        if spec.unpivot.dimension in names:
            dimensions[names.index(spec.unpivot.dimension)] = None  # from the headers instead
    return sql.Layout(
        width=len(opened.header),
        date=index[needed.date],
        dimensions=tuple(dimensions),
        measures=tuple(measures),
        extrema=tuple(extrema),
        date_format=spec.date_format is not None,
        kinds=opened.kinds,
        row_values=tuple(row_values),
        period=_PERIODS.get(spec.grain, "day"),
    )


def _wrong_types(opened: Opened, layout: sql.Layout, needed: _Needed) -> list[Diagnostic]:
    """PA003/PA004 for a typed column (Parquet) that cannot hold the numbers or dates read."""
    out = []
    columns = [(_measure_name(needed, layout, opened, j), c) for j, c in layout.present_measures()]
    for _, value in layout.computed_measures():
        columns += [(name, c) for name, c in value.operands]
    for measure, c in dict.fromkeys(columns):
        if layout.kind(c) == "other":
            out.append(
                diagnostic(
                    "PA003",
                    f'column "{measure}" holds {opened.types[c - 1]} values, not numbers',
                    file=opened.where,
                    column=c + opened.column_offset,
                    hint="write the column as a number type (integer, decimal or double)",
                )
            )
    if layout.kind(layout.date) == "other":
        out.append(
            diagnostic(
                "PA004",
                f'column "{needed.date}" holds {opened.types[layout.date - 1]} values, not dates',
                file=opened.where,
                column=layout.date + opened.column_offset,
                hint="write the column as DATE, TIMESTAMP or year-first text",
            )
        )
    return out


def _unpivoted_measures(spec: ActualsSpec) -> set[str]:
    return {m for m, _, _ in spec.unpivot.measures} if spec.unpivot is not None else set()


def _measure_name(needed: _Needed, layout: sql.Layout, opened: Opened, j: int) -> str:
    """The name a bad cell of measure ``j`` is reported under: an unpivoted column's header."""
    if j < len(needed.measures):
        return needed.measures[j]
    column = layout.measures[j]
    return opened.header[column - 1] if column else ""


def _table(opened: Opened) -> str:
    return f"g{opened.index}"


class _Reader:
    """Reads files one by one into group tables ``g<index>`` on one connection."""

    def __init__(self, ctx: Context, spec: ActualsSpec, needed: _Needed) -> None:
        self.ctx = ctx
        self.con = ctx.con
        self.spec = spec
        self.needed = needed

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

    def read(self, path: Path, name: str, index: int, tick: Tick | None) -> _FileRead:
        """Open the file with its source, group it, then check what the groups say."""
        read = _FileRead(name)
        source = pick(path)
        opened = source.open(self.ctx, path, name, index, read.diagnostics)
        while opened is not None:
            read.header = opened.header
            unpivoted = None
            if self.spec.unpivot is not None:
                unpivoted, missing = _unpivot(opened.header, self.needed, self.spec.unpivot, name)
                if opened is not None and read.unpivoted is None:
                    read.diagnostics += missing
                read.unpivoted = unpivoted
            layout = _layout(opened, self.needed, self.spec, unpivoted)
            if layout is None:
                read.diagnostics.append(
                    problems.no_date_column(name, self.needed.date, opened.header)
                )
                return read
            wrong = _wrong_types(opened, layout, self.needed)
            if wrong:
                read.diagnostics += wrong
                return read
            failure = self.group(opened, layout, tick)
            if failure is None:
                read.table, read.opened, read.layout = _table(opened), opened, layout
                self.check(opened, layout, read, source)
                return read
            retry = source.recover(self.ctx, opened, failure, read.diagnostics)
            if retry is None:
                if not read.failed:  # recover may have named the problem already
                    read.diagnostics.append(source.problem(opened, failure))
                return read
            opened = retry
        return read

    def group(self, opened: Opened, layout: sql.Layout, tick: Tick | None) -> Exception | None:
        """The one full scan: group the file into its table; the engine's error if it cannot."""
        import duckdb  # noqa: PLC0415  # DuckDB only when actuals are read

        query = sql.group_query(
            layout, opened.scan, len(self.needed.dimensions), len(layout.measures)
        )
        self.con.execute(f"DROP TABLE IF EXISTS {sql.quote_ident(_table(opened))}")
        try:
            run(
                self.con,
                f"CREATE TEMP TABLE {sql.quote_ident(_table(opened))} AS {query}",
                self.params(opened),
                tick,
            )
        except duckdb.Error as exc:
            if isinstance(exc, (duckdb.OutOfMemoryException, duckdb.InterruptException)):
                raise
            return exc
        return None

    def check(self, opened: Opened, layout: sql.Layout, read: _FileRead, source: Source) -> None:
        """Summarise the groups; list bad cells, repeats and ignored rows when there are any."""
        stats = run(self.con, sql.stats_query(_table(opened)), self.params())[0]
        records, rows, bad, outside, first, last, repeated_keys, repeated_rows = stats
        read.records = int(records)
        read.summary = FileSummary(
            path=opened.name,
            rows=int(rows),
            columns=opened.header,
            first_date=first,
            last_date=last,
            encoding=opened.encoding,
        )
        if rows == 0:
            read.diagnostics.append(
                diagnostic(
                    "PA001", "the file has a header but no data rows", file=opened.name, line=1
                )
            )
            return
        if bad:
            read.diagnostics += self.bad_cells(opened, layout, int(records))
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

    def bad_cells(self, opened: Opened, layout: sql.Layout, records: int) -> list[Diagnostic]:
        """PA004/PA003 for the first bad cells in file order, then one line for the rest."""
        needed = self.needed
        present = layout.present_measures()
        # (ordinal, file column, measure name or "" for the date, raw cell)
        found: list[tuple[int, int, str, str | None]] = []
        for row in run(self.con, sql.bad_rows_query(layout, opened.scan), self.params(opened)):
            ordinal, raw_date = row[0], row[1]
            raws, flags = row[2 : 2 + len(present)], row[2 + len(present) :]
            if flags[0]:
                found.append((ordinal, layout.date, "", raw_date))
            for (j, col), raw, flag in zip(present, raws, flags[1:], strict=True):
                if flag:
                    found.append((ordinal, col, _measure_name(needed, layout, opened, j), raw))
        found.sort(key=lambda f: (f[0], f[1]))
        shown = found[: sql.FIRST_ERRORS]
        lines = opened.lines([f[0] for f in shown], records)
        where, offset = opened.where, opened.column_offset
        out: list[Diagnostic] = []
        for ordinal, col, measure, raw in shown:
            if measure:
                out.append(
                    problems.number_problem(where, lines(ordinal), col + offset, measure, raw or "")
                )
            else:
                out.append(
                    problems.date_problem(
                        where,
                        lines(ordinal),
                        col + offset,
                        raw,
                        date_column=needed.date,
                        date_format=self.spec.date_format,
                        week_start=self.spec.week_start if self.spec.grain == "weekly" else None,
                    )
                )
        if len(found) < sql.FIRST_ERRORS:
            return out
        # More than fit: count them per column (a second scan, on the error path only).
        counts = run(self.con, sql.bad_counts_query(layout, opened.scan), self.params(opened))[0]
        bad_dates, bad_numbers = int(counts[0]), [int(c) for c in counts[1:]]
        total = bad_dates + sum(bad_numbers)
        if total > len(shown):
            names = [needed.date] + [_measure_name(needed, layout, opened, j) for j, _ in present]
            parts = ", ".join(
                f'{n:,} in "{c}"'
                for c, n in zip(names, [bad_dates, *bad_numbers], strict=True)
                if n
            )
            out.append(
                diagnostic(
                    "PA003" if sum(bad_numbers) >= bad_dates else "PA004",
                    f"{total - len(shown):,} more bad cells not listed ({total:,} in all: {parts})",
                    file=opened.name,
                    hint=f"the first {len(shown)} are listed above",
                )
            )
        return out

    def repeats(
        self, opened: Opened, layout: sql.Layout, records: int, keys: int, rows: int
    ) -> Diagnostic:
        """PA010 once per file, at the second record of the earliest repeated key."""
        query = sql.repeat_query(layout, opened.scan, _table(opened))
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


def _missing_columns(
    reads: list[_FileRead], needed: _Needed, spec: ActualsSpec
) -> list[Diagnostic]:
    """PA002 once per needed column that no readable file has.

    Unpivoted measures and their dimension come from headers, not columns of
    their own: their patterns say PA002 for themselves.
    """
    readable = [r for r in reads if r.header is not None]
    skip = _unpivoted_measures(spec)
    if spec.unpivot is not None:
        skip |= {c for n, c in spec.dimensions if n == spec.unpivot.dimension}
    return problems.missing_columns(
        [r.header for r in readable if r.header is not None],
        [reads[0].name] if len(reads) == 1 else [r.name for r in readable],
        [h for h in needed.headers if h not in skip],
    )


def _unknown_channels(reader: _Reader, reads: list[_FileRead]) -> list[Diagnostic]:
    """PA011 once per channel value the plan does not map, at its first record in the first file.

    Files with errors are skipped: their errors already fail the run. Only when
    a file has unknown values is it scanned again, for their first records.
    """
    spec = reader.spec
    if spec.known_channels is None or spec.channel_dimension is None:
        return []
    names = [n for n, _ in spec.dimensions]
    if spec.channel_dimension not in names:
        return []
    position = names.index(spec.channel_dimension)
    seen: set[str] = set()
    out = []
    for read in reads:
        opened, layout = read.opened, read.layout
        if read.table is None or opened is None or layout is None or read.failed:
            continue
        unpivoted = read.unpivoted
        if unpivoted is not None and spec.unpivot is not None:
            if spec.unpivot.dimension == spec.channel_dimension:
                out += _unknown_headers(spec, opened, unpivoted, seen)
            continue
        values = run(reader.con, sql.values_query(read.table, position), reader.params())
        unknown = [
            value for (value,) in values if value not in spec.known_channels and value not in seen
        ]
        column = layout.dimensions[position]
        if not unknown or column is None:
            continue
        seen.update(unknown)
        query = sql.first_records_query(layout, opened.scan, position)
        params = {**reader.params(opened), "values": unknown}
        first = {value: int(ordinal) for value, ordinal in run(reader.con, query, params)}
        lines = opened.lines(first.values(), read.records)
        for value in unknown:
            ordinal = first.get(value)
            out.append(
                diagnostic(
                    "PA011",
                    f'{spec.channel_dimension} "{value}" is not in the plan\'s channels; '
                    "its spend counts as unmapped",
                    file=opened.where if ordinal is not None else read.name,
                    line=None if ordinal is None else lines(ordinal),
                    column=column + opened.column_offset if ordinal is not None else None,
                    hint="map it to a budget line under channels:",
                )
            )
    return out


def _unknown_headers(
    spec: ActualsSpec, opened: Opened, unpivoted: _Unpivoted, seen: set[str]
) -> list[Diagnostic]:
    """PA011 for channel values read from headers, at the header cell of the first."""
    known = spec.known_channels or frozenset()
    out = []
    for index, value in enumerate(unpivoted.values, start=1):
        if value in known or value in seen:
            continue
        seen.add(value)
        column = min(c for _, v, c in unpivoted.columns if v == index)
        out.append(
            diagnostic(
                "PA011",
                f'{spec.channel_dimension} "{value}" is not in the plan\'s channels; '
                "its spend counts as unmapped",
                file=opened.where,
                line=1,
                column=column + opened.column_offset,
                hint="map it to a budget line under channels:",
            )
        )
    return out


def _cube(
    con: duckdb.DuckDBPyConnection, reads: list[_FileRead], spec: ActualsSpec, needed: _Needed
) -> Cube:
    """Combine the usable files' groups into the cube (a few thousand rows)."""
    dimensions = tuple(n for n, _ in spec.dimensions)
    if not reads:
        return Cube(dimensions=dimensions, columns=needed.measures, rows=())
    tables = [r.table for r in reads if r.table is not None]
    k, m = len(needed.dimensions), len(needed.measures)
    params: dict[str, Any] = {"keep_from": spec.keep_from, "keep_to": spec.keep_to}
    views: dict[str, str] = {}
    names = [n for n, _ in spec.dimensions]
    for read in reads:
        unpivoted = read.unpivoted
        if read.table is None or unpivoted is None or spec.unpivot is None:
            continue
        expanded = [(j, v, m + e) for e, (j, v, _) in enumerate(unpivoted.columns)]
        param = f"u{read.table}"  # the file's dimension values, bound: headers never reach SQL
        params[param] = list(unpivoted.values)
        views[read.table] = sql.unpivot_view(
            read.table, k, m, names.index(spec.unpivot.dimension), expanded, f"${param}"
        )
    rows = []
    for record in run(con, sql.cube_query(tables, k, m, views), params):
        day: dt.date = record[0]
        dims = tuple(record[1 : 1 + k])
        cells: list[Cell | None] = []
        for j in range(m):
            total, count, low, high = record[1 + k + 4 * j : 5 + k + 4 * j]
            cells.append(Cell(total, int(count), low, high) if count else None)
        rows.append(CubeRow(day=day, dims=dims, cells=tuple(cells)))
    return Cube(dimensions=dimensions, columns=needed.measures, rows=tuple(rows))
