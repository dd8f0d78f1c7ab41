"""Parquet files: typed columns read by DuckDB directly, no text cleaning.

A number column (integers, decimals, floats) is cast to the engine's exact
decimal; a DATE or TIMESTAMP column is a date; text columns take the CSV rules.
A TIMESTAMP WITH TIME ZONE holds an instant, not the offset it was written with
(``2025-01-01 00:30+08`` is stored as 2024-12-31 16:30 UTC): it is read as the time
in the zone ``PROMOPLAN_TZ`` names (an IANA name, ``Asia/Shanghai``), else in UTC,
never in the machine's zone, so that the same file gives the same dates everywhere.
A column of another type (BOOLEAN, BLOB, a list ...) that the plan reads as a
number is a located PA003 naming its Parquet type (the engine says so from
:attr:`Opened.types`). Rows are numbered from 1 in the file's order: a bad cell
is found at ``file.parquet:ROW:COLUMN``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
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


TIME_ZONE = "PROMOPLAN_TZ"  # the zone a TIMESTAMP WITH TIME ZONE's date is taken in
DEFAULT_TIME_ZONE = "UTC"


def is_zoned(engine_type: str) -> bool:
    """A TIMESTAMP WITH TIME ZONE (an instant): its date depends on a zone."""
    base = engine_type.strip().upper()
    return base.startswith("TIMESTAMP") and base.endswith(("WITH TIME ZONE", "TZ"))


@dataclass(frozen=True)
class ZonedParquetScan:
    """:class:`sql.ParquetScan` with each zoned column as its wall-clock time in ``$time_zone``."""

    width: int
    zoned: tuple[int, ...]  # the columns (from 1) that are TIMESTAMP WITH TIME ZONE

    def render(self, *, ordinality: bool = False) -> str:
        """The FROM item as DuckDB SQL."""
        scan = sql.ParquetScan(self.width).render(ordinality=ordinality)
        replaced = ", ".join(f"timezone($time_zone, c{i}) AS c{i}" for i in self.zoned)
        return f"(SELECT * REPLACE ({replaced}) FROM {scan})"


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
        zoned = tuple(i for i, t in enumerate(types, start=1) if is_zoned(t))
        scan: sql.FromItem = sql.ParquetScan(len(header))
        if zoned:
            zone = os.environ.get(TIME_ZONE, "").strip() or DEFAULT_TIME_ZONE
            try:
                run(
                    ctx.con,
                    "SELECT timezone($zone, TIMESTAMPTZ '2025-01-01 00:00:00+00')",
                    {"zone": zone},
                )
            except duckdb.Error:
                diagnostics.append(
                    diagnostic(
                        "PA001",
                        f'{TIME_ZONE} names no time zone the engine knows: "{zone}"; '
                        f'column "{header[zoned[0] - 1]}" is a timestamp with a time zone',
                        file=name,
                        hint=f"set {TIME_ZONE} to an IANA zone name, such as Asia/Shanghai, "
                        "or unset it to read the dates in UTC",
                    )
                )
                return None
            scan = ZonedParquetScan(len(header), zoned)
            params = {**params, "time_zone": zone}
        return Opened(
            path=path,
            name=name,
            index=index,
            header=header,
            encoding="utf-8",  # Parquet text is UTF-8
            scan=scan,
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
