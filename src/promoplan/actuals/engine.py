"""Read actuals CSV files into the daily cube with DuckDB, in process.

Per file: sniff the first bytes (sniff.py), transcode to UTF-8 when needed,
read the header in Python, then one scan in DuckDB groups the records by date
and dimension values while counting bad cells (sql.py). Only when something is
wrong do further queries run: the first bad cells with their records'
ordinals, counts per column, the first repeated key. Finally the per-file
groups of files without errors are combined into the cube. No Python object is
made per CSV row.

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
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from promoplan.actuals import sql
from promoplan.actuals.model import Actuals, ActualsSpec, Cell, Cube, CubeRow, FileSummary
from promoplan.actuals.pipes import is_pipe, spool
from promoplan.actuals.sniff import (
    UTF8_EVIDENCE,
    Header,
    canonical_encoding,
    first_bad_utf8_in,
    gb18030_note,
    not_utf8,
    read_header,
    record_lines,
    sniff,
    transcode,
)
from promoplan.diagnostics import Diagnostic, diagnostic
from promoplan.errors import UsageProblem

if TYPE_CHECKING:
    import duckdb

Progress = Callable[[int, int], None]
Tick = Callable[[float], None]

MEMORY_LIMIT = "2GB"
MAX_THREADS = 8
_POLL_SECONDS = 0.1


@dataclass(frozen=True)
class _Needed:
    """The columns the spec asks for, by header name."""

    date: str
    dimensions: tuple[str, ...]  # column headers, aligned with spec.dimensions
    measures: tuple[str, ...]  # unique, in the spec's order
    extrema: tuple[bool, ...]


@dataclass
class _FileRead:
    """What reading one file gave: its group table (when usable), summary and diagnostics."""

    name: str
    header: tuple[str, ...] | None = None
    table: str | None = None
    summary: FileSummary | None = None
    source: _Source | None = None  # set with ``table``: where to find lines again
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
            reader = _Reader(con, spec, needed, encoding, Path(tmp))
            reads: list[_FileRead] = []
            for index, ((path, name), size) in enumerate(zip(paths, sizes, strict=True)):
                tick = None if progress is None else _ticker(progress, done, size, total)
                reads.append(reader.read(path, name, index, tick))
                done += size
                if progress is not None:
                    progress(done, total)
            cube = _cube(con, [r for r in reads if r.table and not r.failed], spec, needed)
            diagnostics = [d for r in reads for d in r.diagnostics]
            diagnostics += _missing_columns(reads, needed)
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
    measures = tuple(dict.fromkeys(spec.columns))
    wanted = spec.extrema
    extrema = tuple(wanted is None or m in wanted for m in measures)
    return _Needed(spec.date_column, tuple(c for _, c in spec.dimensions), measures, extrema)


def _connect(tmp: Path, paths: list[Path]) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB that may read only the given files and its own temp directory."""
    import duckdb  # noqa: PLC0415  # DuckDB only when actuals are read

    threads = max(1, min(MAX_THREADS, os.cpu_count() or 1))
    con = duckdb.connect(
        ":memory:",
        config={
            "threads": threads,
            "memory_limit": MEMORY_LIMIT,
            "preserve_insertion_order": False,
            "temp_directory": str(tmp / "spill"),
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
        },
    )
    # type_pushdown turns TRY_CAST over a CSV column into a strict conversion in
    # the scan: a dirty cell would abort the read instead of taking the cleaning
    # path. common_subexpressions hoists the cleaning expression, which appears
    # several times, out of COALESCE, so every cell would pay for it.
    # type_pushdown is new in DuckDB 2.0 (1.4 and 1.5 keep TRY_CAST as written):
    # only the optimizers this DuckDB has are named, as SET fails on others.
    optimizers = {row[0] for row in con.execute("SELECT name FROM duckdb_optimizers()").fetchall()}
    disabled = [o for o in ("type_pushdown", "common_subexpressions") if o in optimizers]
    if disabled:
        con.execute(f"SET disabled_optimizers = {sql.sql_string(','.join(disabled))}")
    con.execute("SET enable_progress_bar = true")
    con.execute("SET enable_progress_bar_print = false")
    try:
        con.execute("SET allowed_paths = $paths", {"paths": [str(p) for p in paths]})
        con.execute("SET allowed_directories = $dirs", {"dirs": [str(tmp) + os.sep]})
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
    except duckdb.Error:
        pass  # older DuckDB: no allow-lists; the queries still name only these files
    return con


def _run(
    con: duckdb.DuckDBPyConnection,
    query: str,
    params: dict[str, Any],
    tick: Tick | None = None,
) -> list[tuple[Any, ...]]:
    """Execute ``query`` with the parameters it names; poll DuckDB's progress into ``tick``."""
    bound = {k: v for k, v in params.items() if f"${k}" in query}
    if tick is None:
        return con.execute(query, bound).fetchall()
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["rows"] = con.execute(query, bound).fetchall()
        except BaseException as exc:  # re-raised in the calling thread
            outcome["error"] = exc

    worker = threading.Thread(target=work, name="promoplan-actuals", daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(_POLL_SECONDS)
            percent = con.query_progress()
            if percent >= 0:
                tick(percent / 100)
    except BaseException:
        con.interrupt()
        worker.join()
        raise
    if "error" in outcome:
        raise outcome["error"]
    rows: list[tuple[Any, ...]] = outcome["rows"]
    return rows


def _layout(header: Header, needed: _Needed, spec: ActualsSpec) -> sql.Layout | None:
    """Positions of the needed columns in this file, or None when it has no date column."""
    index = {name: i for i, name in enumerate(header.names, start=1) if name}
    if needed.date not in index:
        return None
    return sql.Layout(
        width=len(header.names),
        date=index[needed.date],
        dimensions=tuple(index.get(c) for c in needed.dimensions),
        measures=tuple(index.get(c) for c in needed.measures),
        extrema=needed.extrema,
        date_format=spec.date_format is not None,
    )


@dataclass
class _Source:
    """One file as the engine reads it: the UTF-8 bytes to scan, its header and column layout."""

    path: Path  # the file named on the command line
    name: str  # as given, for diagnostics
    index: int
    encoding: str
    readable: Path  # ``path`` itself, or its UTF-8 copy
    header: Header
    layout: sql.Layout

    @property
    def table(self) -> str:
        return f"g{self.index}"


class _Reader:
    """Reads files one by one into group tables ``g<index>`` on one connection."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        spec: ActualsSpec,
        needed: _Needed,
        encoding: str | None,
        tmp: Path,
    ) -> None:
        self.con = con
        self.spec = spec
        self.needed = needed
        self.encoding = encoding
        self.tmp = tmp

    def params(self, source: _Source | None = None) -> dict[str, Any]:
        """Every query parameter; ``_run`` binds those a query names."""
        params: dict[str, Any] = {
            "keep_from": self.spec.keep_from,
            "keep_to": self.spec.keep_to,
            "date_format": self.spec.date_format,
        }
        if source is not None:
            params["path"] = str(source.readable)
            params["delim"] = source.header.delimiter
        return params

    def read(  # noqa: PLR0911  # one return per way a file can fail
        self, path: Path, name: str, index: int, tick: Tick | None
    ) -> _FileRead:
        """Sniff, transcode if needed, group one file, then check what the groups say."""
        read = _FileRead(name)
        sniffed = sniff(path, name, self.encoding, expected=(self.needed.date,))
        if sniffed.problem is not None:
            read.diagnostics.append(sniffed.problem)
            return read
        if sniffed.note is not None:
            read.diagnostics.append(sniffed.note)
        source = self.open(read, path, name, index, sniffed.encoding, transcoded=sniffed.transcode)
        if source is None:
            return read
        failure = self.group(source, tick)
        if (
            failure is not None
            and _is_unicode_error(failure)
            and not sniffed.transcode
            and self.encoding is None
        ):
            # Valid UTF-8 at the start but not further on: a GB18030 export after all,
            # unless the file is UTF-8 beyond ASCII before the bad byte (a stray byte).
            bad = first_bad_utf8_in(path)
            if bad is not None and bad.wide >= UTF8_EVIDENCE:
                read.diagnostics.append(not_utf8(bad, name))
                return read
            read.diagnostics.append(gb18030_note(name))
            source = self.open(read, path, name, index, "gb18030", transcoded=True)
            if source is None:
                return read
            failure = self.group(source, tick)
        if failure is not None and _is_line_end_error(failure):
            # LF and CRLF (or CR) in one file: read a copy with LF line ends.
            encoding = source.encoding
            source = self.open(read, path, name, index, encoding, transcoded=True, newlines=True)
            if source is None:
                return read
            failure = self.group(source, tick)
        if failure is not None:
            read.diagnostics.append(_csv_problem(failure, name, source.encoding))
            return read
        read.table, read.source = source.table, source
        self.check(source, read)
        return read

    def open(
        self,
        read: _FileRead,
        path: Path,
        name: str,
        index: int,
        encoding: str,
        *,
        transcoded: bool,
        newlines: bool = False,
    ) -> _Source | None:
        """Make the UTF-8 copy if needed, read the header and lay out the needed columns."""
        readable = path
        if transcoded:
            readable = self.tmp / f"{index}.csv"
            problem = transcode(path, readable, encoding, name, newlines=newlines)
            if problem is not None:
                read.diagnostics.append(problem)
                return None
        header = read_header(readable, name)
        if isinstance(header, Diagnostic):
            read.diagnostics.append(header)
            return None
        read.header = header.names
        layout = _layout(header, self.needed, self.spec)
        if layout is None:
            read.diagnostics.append(
                diagnostic(
                    "PA001",
                    f'no date column "{self.needed.date}" '
                    f"(the columns are: {_listing(header.names)})",
                    file=name,
                    line=1,
                    hint="set actuals.date in the plan to the date column's header",
                )
            )
            return None
        return _Source(path, name, index, encoding, readable, header, layout)

    def group(self, source: _Source, tick: Tick | None) -> Exception | None:
        """The one full scan: group the file into its table; the engine's error if it cannot."""
        import duckdb  # noqa: PLC0415  # DuckDB only when actuals are read

        query = sql.group_query(
            source.layout,
            sql.csv_source(source.layout.width),
            len(self.needed.dimensions),
            len(self.needed.measures),
        )
        self.con.execute(f"DROP TABLE IF EXISTS {sql.quote_ident(source.table)}")
        try:
            _run(
                self.con,
                f"CREATE TEMP TABLE {sql.quote_ident(source.table)} AS {query}",
                self.params(source),
                tick,
            )
        except duckdb.Error as exc:
            if isinstance(exc, (duckdb.OutOfMemoryException, duckdb.InterruptException)):
                raise
            return exc
        return None

    def check(self, source: _Source, read: _FileRead) -> None:
        """Summarise the groups; list bad cells, repeats and ignored rows when there are any."""
        stats = _run(self.con, sql.stats_query(source.table), self.params())[0]
        records, rows, bad, outside, first, last, repeated_keys, repeated_rows = stats
        read.records = int(records)
        read.summary = FileSummary(
            path=source.name,
            rows=int(rows),
            columns=source.header.names,
            first_date=first,
            last_date=last,
            encoding=source.encoding,
        )
        if rows == 0:
            read.diagnostics.append(
                diagnostic(
                    "PA001", "the file has a header but no data rows", file=source.name, line=1
                )
            )
            return
        if bad:
            read.diagnostics += self.bad_cells(source, int(records))
        if self.spec.grain == "daily" and repeated_keys:
            read.diagnostics.append(
                self.repeats(source, int(records), int(repeated_keys), int(repeated_rows))
            )
        if outside:
            read.diagnostics.append(
                diagnostic(
                    "PA012",
                    f"{_count(int(outside), 'row')} dated outside {_span(self.spec)} ignored",
                    file=source.name,
                )
            )

    def bad_cells(self, source: _Source, records: int) -> list[Diagnostic]:
        """PA004/PA003 for the first bad cells in file order, then one line for the rest."""
        layout, needed = source.layout, self.needed
        present = layout.present_measures()
        scan = sql.csv_source(layout.width, ordinality=True)
        # (ordinal, file column, measure name or "" for the date, raw cell)
        found: list[tuple[int, int, str, str | None]] = []
        for row in _run(self.con, sql.bad_rows_query(layout, scan), self.params(source)):
            ordinal, raw_date = row[0], row[1]
            raws, flags = row[2 : 2 + len(present)], row[2 + len(present) :]
            if flags[0]:
                found.append((ordinal, layout.date, "", raw_date))
            for (j, col), raw, flag in zip(present, raws, flags[1:], strict=True):
                if flag:
                    found.append((ordinal, col, needed.measures[j], raw))
        found.sort(key=lambda f: (f[0], f[1]))
        shown = found[: sql.FIRST_ERRORS]
        lines = record_lines(
            source.readable, source.header.delimiter, [f[0] for f in shown], records
        )
        out: list[Diagnostic] = []
        for ordinal, col, measure, raw in shown:
            if measure:
                out.append(_number_problem(source.name, lines(ordinal), col, measure, raw or ""))
            else:
                out.append(
                    _date_problem(
                        source.name,
                        lines(ordinal),
                        col,
                        raw,
                        date_column=needed.date,
                        date_format=self.spec.date_format,
                    )
                )
        if len(found) < sql.FIRST_ERRORS:
            return out
        # More than fit: count them per column (a second scan, on the error path only).
        counts = _run(
            self.con,
            sql.bad_counts_query(layout, sql.csv_source(layout.width)),
            self.params(source),
        )[0]
        bad_dates, bad_numbers = int(counts[0]), [int(c) for c in counts[1:]]
        total = bad_dates + sum(bad_numbers)
        if total > len(shown):
            names = [needed.date] + [needed.measures[j] for j, _ in present]
            parts = ", ".join(
                f'{n:,} in "{c}"'
                for c, n in zip(names, [bad_dates, *bad_numbers], strict=True)
                if n
            )
            out.append(
                diagnostic(
                    "PA003" if sum(bad_numbers) >= bad_dates else "PA004",
                    f"{total - len(shown):,} more bad cells not listed ({total:,} in all: {parts})",
                    file=source.name,
                    hint=f"the first {len(shown)} are listed above",
                )
            )
        return out

    def repeats(self, source: _Source, records: int, keys: int, rows: int) -> Diagnostic:
        """PA010 once per file, at the second record of the earliest repeated key."""
        layout = source.layout
        query = sql.repeat_query(
            layout, sql.csv_source(layout.width, ordinality=True), source.table
        )
        found = _run(self.con, query, self.params(source))
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
            lines = record_lines(source.readable, source.header.delimiter, [first, second], records)
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
            repeated = _count(keys, "date and dimension values")
            more = f"; {repeated} repeat, {_count(rows, 'extra row')} in all"
        return diagnostic(
            "PA010",
            f"repeated: {described}{more}",
            file=source.name,
            line=line,
            hint="grain is daily, so repeated rows are probably counted twice; "
            "set actuals.grain: rows for order-level data",
        )


_LINE = re.compile(r"CSV Error on Line: (\d+)")
_COLUMNS = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")


def _is_unicode_error(exc: Exception) -> bool:
    return "Invalid unicode" in str(exc)


def _is_line_end_error(exc: Exception) -> bool:
    """DuckDB's error for a file whose line ends change (LF, then CRLF or CR)."""
    return "state machine reached an invalid state" in str(exc)


def _csv_problem(exc: Exception, name: str, encoding: str) -> Diagnostic:
    """A DuckDB read error as PA006 (malformed CSV) or PA001 (cannot be decoded), with its line."""
    text = str(exc)
    match = _LINE.search(text)
    line = int(match.group(1)) if match else None
    if _is_unicode_error(exc):
        return diagnostic(
            "PA001",
            f"the file is not valid {encoding.upper().replace('-SIG', '')}",
            file=name,
            line=line,
            hint="re-save it as UTF-8, or pass --encoding to name its encoding",
        )
    columns = _COLUMNS.search(text)
    hint: str | None = None
    if columns:
        expected, found = int(columns.group(1)), int(columns.group(2))
        message = f"this row has {found} fields, the header has {expected}"
        hint = (
            "quote fields that contain the delimiter; every row needs as many fields as the header"
        )
    elif "unterminated quote" in text:
        message = "a quoted field starting on this line is never closed"
        hint = "close the quote, or double a quote character inside a quoted field"
    elif "Maximum line size" in text:
        message = "a line is too long (over the engine's maximum line size)"
    else:
        first = text.splitlines()[0] if text else type(exc).__name__
        message = "the file cannot be read as CSV: " + first.split("Error: ", 1)[-1]
    return diagnostic("PA006", message, file=name, line=line, hint=hint)


def _number_problem(name: str, line: int | None, col: int, measure: str, raw: str) -> Diagnostic:
    """PA003 for one cell, saying why when the reason is not obvious."""
    why = ""
    try:
        value: Decimal | None = Decimal(raw.strip())
    except InvalidOperation:
        value = None
    if value is not None and not value.is_finite():
        why = " (not a finite number)"
    elif value is not None and abs(value) >= sql.NUMBER_LIMIT:
        why = " (out of range)"
    return diagnostic(
        "PA003",
        f'column "{measure}": "{raw}" is not a number{why}',
        file=name,
        line=line,
        column=col,
        hint="numbers may have thousands separators, a currency sign, % or (parentheses) "
        "for negatives; "
        'leave a cell empty, or write "-" or "N/A", when there is no value',
    )


_AMBIGUOUS = re.compile(r"^\s*\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}(\s.*)?$")


def _date_problem(
    name: str,
    line: int | None,
    col: int,
    raw: str | None,
    *,
    date_column: str,
    date_format: str | None,
) -> Diagnostic:
    """PA004 for one date cell: empty, ambiguous (day or month first), or not a date."""
    text = raw or ""
    if not text.strip():
        message = f'column "{date_column}" is empty in a row that has values'
        hint = "give every row a date, or delete the row"
    elif date_format is not None:
        message = f'column "{date_column}": "{text}" does not match the date format "{date_format}"'
        hint = "fix the value, or actuals.date_format in the plan"
    elif _AMBIGUOUS.match(text):
        message = f'column "{date_column}": "{text}" is ambiguous: day or month first?'
        hint = 'write dates year first (2025-01-05), or set actuals.date_format (e.g. "%d/%m/%Y")'
    else:
        message = f'column "{date_column}": "{text}" is not a date'
        hint = "write dates year first: 2025-01-05, 2025/1/5, 20250105 or 2025.01.05"
    return diagnostic("PA004", message, file=name, line=line, column=col, hint=hint)


def _count(n: int, noun: str) -> str:
    if n == 1:
        return f"1 {noun}"
    plural = noun if noun.endswith("values") else noun + "s"
    return f"{n:,} {plural}"


def _span(spec: ActualsSpec) -> str:
    if spec.keep_from and spec.keep_to:
        return f"{spec.keep_from.isoformat()} to {spec.keep_to.isoformat()}"
    if spec.keep_from:
        return f"from {spec.keep_from.isoformat()} on"
    return f"up to {spec.keep_to.isoformat()}" if spec.keep_to else "the period"


def _listing(names: tuple[str, ...], limit: int = 12) -> str:
    shown = [f'"{n}"' for n in names[:limit]]
    return ", ".join(shown) + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _missing_columns(reads: list[_FileRead], needed: _Needed) -> list[Diagnostic]:
    """PA002 once per needed column that no readable file has."""
    headers = [r.header for r in reads if r.header is not None]
    if not headers:
        return []
    have = {name for header in headers for name in header}
    out = []
    for column in dict.fromkeys((needed.date, *needed.dimensions, *needed.measures)):
        if column not in have:
            out.append(
                diagnostic(
                    "PA002",
                    f'column "{column}" is in no actuals file; what reads it has no data',
                    file=reads[0].name if len(reads) == 1 else None,
                    hint=f"the columns are: {_listing(headers[0])}" if len(headers) == 1 else None,
                )
            )
    return out


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
        source = read.source
        if read.table is None or source is None or read.failed:
            continue
        values = _run(reader.con, sql.values_query(read.table, position), reader.params())
        unknown = [
            value for (value,) in values if value not in spec.known_channels and value not in seen
        ]
        column = source.layout.dimensions[position]
        if not unknown or column is None:
            continue
        seen.update(unknown)
        query = sql.first_records_query(
            source.layout, sql.csv_source(source.layout.width, ordinality=True), position
        )
        params = {**reader.params(source), "values": unknown}
        first = {value: int(ordinal) for value, ordinal in _run(reader.con, query, params)}
        lines = record_lines(source.readable, source.header.delimiter, first.values(), read.records)
        for value in unknown:
            ordinal = first.get(value)
            out.append(
                diagnostic(
                    "PA011",
                    f'{spec.channel_dimension} "{value}" is not in the plan\'s channels; '
                    "its spend counts as unmapped",
                    file=read.name,
                    line=None if ordinal is None else lines(ordinal),
                    column=column if ordinal is not None else None,
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
    params = {"keep_from": spec.keep_from, "keep_to": spec.keep_to}
    rows = []
    for record in _run(con, sql.cube_query(tables, k, m), params):
        day: dt.date = record[0]
        dims = tuple(record[1 : 1 + k])
        cells: list[Cell | None] = []
        for j in range(m):
            total, count, low, high = record[1 + k + 4 * j : 5 + k + 4 * j]
            cells.append(Cell(total, int(count), low, high) if count else None)
        rows.append(CubeRow(day=day, dims=dims, cells=tuple(cells)))
    return Cube(dimensions=dimensions, columns=needed.measures, rows=tuple(rows))
