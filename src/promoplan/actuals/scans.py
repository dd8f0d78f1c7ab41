"""The FROM items the queries read: a file (or several) as columns ``c1`` .. ``cN``.

An item renders itself as DuckDB SQL; the aggregation (``sql.py``) is written
against the positional column names only, so another engine can run it behind
a FROM item of its own. Only this module's constants and bound parameters
(``$path``, ``$paths``, ``$delim``) appear in the text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from promoplan.actuals.cellsql import sql_string


class FromItem(Protocol):
    """What the queries read from: a FROM item with columns ``c1`` .. ``c<width>``.

    With ``ordinality`` it has one more column, ``ordinality``: the 1-based
    record number in the file's order.
    """

    @property
    def width(self) -> int:
        """The number of columns."""
        ...  # pragma: no cover

    def render(self, *, ordinality: bool = False) -> str:
        """The FROM item as DuckDB SQL."""
        ...  # pragma: no cover


@dataclass(frozen=True)
class CsvScan:
    """DuckDB's ``read_csv`` of ``$path`` split on ``$delim``: strict, no sniffing; VARCHAR
    columns unless ``types`` says otherwise."""

    width: int
    compression: Literal["gzip", "zstd"] | None = None
    # Per column, the type DuckDB reads it as (this module's own type names);
    # empty: every column VARCHAR. A typed read fails on the first cell that is
    # not of its type, and the engine then reads the column as text.
    types: tuple[str, ...] = ()
    # True: ``$paths``, a list of files with the same header, read as one, with
    # each record's file in a ``filename`` column.
    files: bool = False

    def render(self, *, ordinality: bool = False) -> str:
        """The FROM item as DuckDB SQL."""
        types = self.types or ("VARCHAR",) * self.width
        columns = ", ".join(
            f"{sql_string(f'c{i}')}: {sql_string(t)}" for i, t in enumerate(types, start=1)
        )
        compression = f"compression = {sql_string(self.compression or 'none')}, "
        everything_text = "" if self.types else "all_varchar = true, "
        paths = "$paths" if self.files else "$path"
        filename = ", filename = true" if self.files else ""
        scan = (
            f"read_csv({paths}, delim = $delim, quote = '\"', escape = '\"', header = true, "
            f"columns = {{{columns}}}, auto_detect = false, {everything_text}"
            "strict_mode = true, null_padding = false, ignore_errors = false, "
            f"{compression}comment = '', encoding = 'utf-8'{filename})"
        )
        return f"{scan} WITH ORDINALITY" if ordinality else scan


@dataclass(frozen=True)
class ParquetScan:
    """DuckDB's ``read_parquet`` of ``$path``, its columns renamed by position (typed)."""

    width: int

    def render(self, *, ordinality: bool = False) -> str:
        """The FROM item as DuckDB SQL."""
        names = ", ".join(f"c{i}" for i in range(1, self.width + 1))
        if not ordinality:
            return f"read_parquet($path) AS t({names})"
        # file_row_number is 0-based and in file order whatever the threads do.
        return (
            f"(SELECT * EXCLUDE (r0), r0 + 1 AS ordinality "
            f"FROM read_parquet($path, file_row_number = true) AS t({names}, r0))"
        )
