"""Parquet files: typed columns read by DuckDB directly, no text cleaning.

A number column (integers, decimals, floats) is cast to the engine's exact
decimal; a DATE or TIMESTAMP column is a date; text columns take the CSV rules.
A column of another type (BOOLEAN, BLOB, a list ...) that the plan reads as a
number is a located PA003 naming its Parquet type (the engine says so from
:attr:`Opened.types`). Rows are numbered from 1 in the file's order: a bad cell
is found at ``file.parquet:ROW:COLUMN``.
"""

from __future__ import annotations

from pathlib import Path

from promoplan.actuals import sql
from promoplan.actuals.session import run
from promoplan.actuals.sources.base import Context, Opened
from promoplan.diagnostics import Diagnostic, diagnostic

_NUMBERS = (
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
    "UHUGEINT",
    "FLOAT",
    "DOUBLE",
)


def kind_of(engine_type: str) -> sql.Kind:
    """How the engine reads a column of this DuckDB type."""
    base = engine_type.split("(", 1)[0].strip().upper()
    if base in _NUMBERS or base == "DECIMAL":
        return "number"
    if base == "DATE" or base.startswith("TIMESTAMP"):
        return "date"
    if base == "VARCHAR":
        return "text"
    return "other"


class ParquetSource:
    """Parquet: the schema from the file's footer, the rows by DuckDB's ``read_parquet``."""

    kind = "parquet"

    def open(
        self, ctx: Context, path: Path, name: str, index: int, diagnostics: list[Diagnostic]
    ) -> Opened | None:
        """Read the schema; PA001 when the file is not a readable Parquet file."""
        from promoplan.actuals.duckengine import duckdb  # noqa: PLC0415  # DuckDB only when actuals are read

        params = {"path": str(path)}
        try:
            described = run(ctx.con, "DESCRIBE SELECT * FROM read_parquet($path)", params)
        except duckdb.Error as exc:
            diagnostics.append(self._unreadable(name, exc))
            return None
        header = tuple(str(row[0]).strip() for row in described)
        types = tuple(str(row[1]) for row in described)
        return Opened(
            path=path,
            name=name,
            index=index,
            header=header,
            encoding="utf-8",  # Parquet text is UTF-8
            scan=sql.ParquetScan(len(header)),
            params=params,
            kinds=tuple(kind_of(t) for t in types),
            types=types,
        )

    def recover(
        self, ctx: Context, opened: Opened, failure: Exception, diagnostics: list[Diagnostic]
    ) -> Opened | None:
        """Nothing to retry: a Parquet file reads one way."""
        return None

    def problem(self, opened: Opened, failure: Exception) -> Diagnostic:
        """The engine's failure, as an unreadable file."""
        return self._unreadable(opened.name, failure)

    @staticmethod
    def _unreadable(name: str, exc: Exception) -> Diagnostic:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return diagnostic(
            "PA001",
            f"the Parquet file cannot be read: {first.split('Error: ', 1)[-1]}",
            file=name,
            hint="the file may be cut short; write it again",
        )


SOURCE = ParquetSource()
