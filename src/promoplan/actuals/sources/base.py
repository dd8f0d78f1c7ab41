"""What a source is: the one seam between a file format and the actuals engine.

A source turns one file into an :class:`Opened`: its header, a FROM item the
engine's queries read (``sql.CsvScan``, ``sql.ParquetScan``, ...) with the
parameters it binds, the kind of each column, and how record numbers map to
the places a person finds them (a line of a CSV, a row of an Excel sheet).
The engine then groups every source alike into the daily cube: it never knows
where the rows came from.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from promoplan.actuals import sql
from promoplan.diagnostics import Diagnostic

if TYPE_CHECKING:
    import duckdb

# (record numbers wanted, records in the file) -> record number -> its line or row
Lines = Callable[[Iterable[int], int], Callable[[int], int | None]]


def same_number(ordinals: Iterable[int], records: int) -> Callable[[int], int | None]:
    """Record ``n`` is found as row ``n`` (formats without a header line, such as Parquet)."""
    return lambda ordinal: ordinal


@dataclass(frozen=True)
class Context:
    """What a source may use while opening a file: the session and a private temp directory."""

    con: duckdb.DuckDBPyConnection
    tmp: Path
    encoding: str | None  # --encoding, as a Python codec name
    date_column: str  # the header of the date column (an Excel source reads its serials as dates)
    sheet: str | None = None  # the workbook sheet to read; None: the first


@dataclass(frozen=True)
class Opened:
    """One file, ready for the engine's queries."""

    path: Path  # the file named on the command line, resolved
    name: str  # as given, for diagnostics and the summary
    index: int  # its position among the files: names its group table
    header: tuple[str, ...]  # trimmed column names, aligned with c1 .. cN
    encoding: str  # what the summary says the file was read as
    scan: sql.FromItem
    params: Mapping[str, Any]  # what the scan binds ($path, $delim ...)
    lines: Lines = same_number
    kinds: tuple[sql.Kind, ...] = ()  # per column; empty: all text
    types: tuple[str, ...] = ()  # per column, the file's own type names (typed formats)
    located_as: str = ""  # the file part of a cell's location ("book.xlsx:Sheet1"); "": name
    column_offset: int = 0  # added to a column's position to give the column a person sees
    state: Mapping[str, Any] = field(default_factory=dict)  # the source's own, for recover()

    @property
    def where(self) -> str:
        """The file part of a cell's location."""
        return self.located_as or self.name


class Source(Protocol):
    """A file format. One module per source; the registry (``sources/__init__.py``) picks one.

    ``open`` returns None after appending the diagnostics that say why the file
    cannot be read. When the engine's scan fails, ``recover`` may return the
    file opened another way (the CSV source retries as GB18030, or with its
    line ends made alike) or None; then ``problem`` words the failure.
    """

    kind: str  # "csv", "parquet", "excel": what the summary says the file is

    def open(
        self, ctx: Context, path: Path, name: str, index: int, diagnostics: list[Diagnostic]
    ) -> Opened | None:
        """Open one file for the engine, or append why it cannot be read and return None."""
        ...  # pragma: no cover

    def recover(
        self, ctx: Context, opened: Opened, failure: Exception, diagnostics: list[Diagnostic]
    ) -> Opened | None:
        """The file opened another way after the scan failed with ``failure``, if any."""
        ...  # pragma: no cover

    def problem(self, opened: Opened, failure: Exception) -> Diagnostic:
        """The scan's failure as a diagnostic."""
        ...  # pragma: no cover
