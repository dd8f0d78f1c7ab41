"""DuckDB database files: the cube query on a table of a ``.duckdb`` file, opened read-only.

The connection is in-process, read-only, and may touch no file but the
database (external access off, configuration locked); the timeout interrupts
the query from a timer thread.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path
from typing import Any

from promoplan.actuals.model import Actuals, ActualsSpec
from promoplan.actuals.sources.parquet import DEFAULT_TIME_ZONE, TIME_ZONE, is_zoned
from promoplan.actuals.warehouse.catalog import LISTED, no_table
from promoplan.actuals.warehouse.columns import plan_query
from promoplan.actuals.warehouse.cube import assemble, empty_actuals
from promoplan.actuals.warehouse.problem import WarehouseProblem
from promoplan.actuals.warehouse.rendered import rendered
from promoplan.actuals.warehouse.tablenames import TableName
from promoplan.actuals.warehouse.urls import WarehouseUrl
from promoplan.diagnostics import Diagnostic, diagnostic
from promoplan.errors import UsageProblem

# A name without a schema is the current schema's, as the cube query reads it.
_COLUMNS = (
    "SELECT column_name, data_type FROM information_schema.columns "
    "WHERE table_name = $name AND table_schema = coalesce($schema, current_schema()) "
    "AND ($catalog IS NULL OR table_catalog = $catalog) ORDER BY ordinal_position"
)
# The first tables of the schema, or of the file (one named as the table asked for, case
# aside, first; then the current schema's), and how many.
_TABLES = (
    "SELECT table_schema, table_name, table_schema = current_schema(), count(*) OVER () "
    "FROM information_schema.tables WHERE $schema IS NULL OR table_schema = $schema "
    "ORDER BY lower(table_name) <> lower($name), table_schema <> current_schema(), "
    f"table_schema, table_name LIMIT {LISTED}"
)


# A DuckDB database file's main header: a checksum (8 bytes), then these 4.
_MAGIC_AT, _MAGIC = 8, b"DUCK"


def _is_duckdb_file(path: Path) -> bool:
    """True when ``path`` starts as a DuckDB database file does (unreadable: let DuckDB say)."""
    try:
        with path.open("rb") as file:
            head = file.read(_MAGIC_AT + len(_MAGIC))
    except OSError:
        return True
    return head[_MAGIC_AT:] == _MAGIC


def _no_table(url: WarehouseUrl, rows: list[tuple[str, str, bool, int]]) -> Diagnostic:
    """PA032 naming the tables of the URL's schema, or of the file: one of another schema
    than the current one (where a name without a schema is looked for) with its schema."""
    here = url.table.schema is not None  # all of that schema
    tables = [
        TableName((name,) if here or current else (schema, name))
        for schema, name, current, _ in rows
    ]
    where = url.table.schema or "the file"
    return no_table(url, tables, where, on="in", count=rows[0][3] if rows else 0)


def _any_row(con: Any, url: WarehouseUrl) -> bool:
    """Whether the table has a row at all (asked when none is in the span read)."""
    # sqlglot for the quoted name, only here: a kept cube query needs none.
    from promoplan.actuals.warehouse.query import table_sql  # noqa: PLC0415

    return (
        con.execute(f"SELECT 1 FROM {table_sql(url.table, 'duckdb')} LIMIT 1").fetchone()
        is not None
    )


_ZONE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_+\-/]*")  # IANA names: SET takes no parameter


def _set_zone(con: Any, zone: str, error: type[Exception]) -> bool:
    """Set the session's TimeZone to ``zone``; False when it names none DuckDB knows."""
    if not _ZONE_NAME.fullmatch(zone):
        return False
    try:
        con.execute(f"SET TimeZone = '{zone}'")
    except error:
        return False
    return True


def _unknown_zone(url: WarehouseUrl, zone: str, column: str) -> Diagnostic:
    """PA001 as for a Parquet file: PROMOPLAN_TZ names no zone, and a column needs one."""
    return diagnostic(
        "PA001",
        f'{TIME_ZONE} names no time zone the engine knows: "{zone}"; '
        f'column "{column}" is a timestamp with a time zone',
        file=url.display,
        hint=f"set {TIME_ZONE} to an IANA zone name, such as Asia/Shanghai, "
        "or unset it to read the dates in UTC",
    )


def _reason(exc: Exception) -> str:
    """DuckDB's message on one line, without its ``Conversion Error:`` kind, the query
    text it quotes (``LINE 1: SELECT ...``) or its guesses at another catalog name."""
    text = " ".join(str(exc).split())
    kind, sep, rest = text.partition(" Error: ")
    if sep and " " not in kind.strip():
        text = rest
    text = text.split(" LINE ", 1)[0]
    return re.sub(r" Did you mean .*$", "", text)


def _database_file(url: WarehouseUrl) -> Path:
    """The file ``url`` names, when it is a DuckDB database file (else exit 2, saying why)."""
    path = Path(url.database or "")
    if path.is_dir():
        raise UsageProblem(f"{url.display}: a directory, not a database file; check the path")
    if not path.exists():
        raise UsageProblem(f"{url.display}: no such database file; check the path")
    if not path.is_file():
        raise UsageProblem(
            f"{url.display}: not a regular file (a device, a pipe or a socket); "
            "name the database file"
        )
    if not _is_duckdb_file(path):
        raise UsageProblem(
            f"{url.display}: not a DuckDB database file; a CSV, Excel or Parquet file "
            "is read as --actuals PATH"
        )
    return path


def read(url: WarehouseUrl, spec: ActualsSpec, *, timeout: float) -> Actuals:
    """Read the cube for ``spec`` from the table ``url`` names in a DuckDB database file."""
    from promoplan.actuals.duckengine import duckdb  # noqa: PLC0415  # only when actuals are read

    path = _database_file(url)
    try:
        con = duckdb.connect(
            str(path),
            read_only=True,
            config={"autoinstall_known_extensions": False, "autoload_known_extensions": False},
        )
    except duckdb.Error as exc:
        raise UsageProblem(f"{url.display} cannot be opened as a DuckDB database: {exc}") from None
    try:
        con.execute("SET enable_external_access = false")
        # A timestamp with a time zone is dated in PROMOPLAN_TZ, else UTC, as from a
        # Parquet file: never in the machine's zone, which DuckDB would take.
        zone = os.environ.get(TIME_ZONE, "").strip() or DEFAULT_TIME_ZONE
        known = _set_zone(con, zone, duckdb.Error)
        con.execute("SET lock_configuration = true")
        table = url.table
        params = {"name": table.name, "schema": table.schema, "catalog": table.catalog}
        columns = tuple(con.execute(_COLUMNS, params).fetchall())
        if not columns:
            rows = con.execute(_TABLES, {"schema": table.schema, "name": table.name}).fetchall()
            return empty_actuals(url, spec, [_no_table(url, rows)])
        zoned = [str(name) for name, kind in columns if is_zoned(str(kind))]
        if zoned and not known:
            return empty_actuals(url, spec, [_unknown_zone(url, zone, zoned[0])])
        planned = plan_query(url, spec, columns)
        if planned.query is None:
            return empty_actuals(url, spec, planned.diagnostics)
        text = rendered(planned.query, "duckdb")
        timer = threading.Timer(timeout, con.interrupt)
        timer.start()
        try:
            rows = con.execute(text.sql, text.parameters).fetchall()
        except duckdb.InterruptException:
            raise WarehouseProblem(
                "PA035",
                f"the query on {url.display} ran longer than the timeout ({timeout:g} s); "
                "raise --timeout",
            ) from None
        except duckdb.PermissionException:  # a view reading files: external access is off
            raise UsageProblem(
                f"the query on {url.display} failed: {url.table} reads files or the network, "
                "which promoplan does not allow from a database file; read those files as "
                "--actuals PATH, or make the view a table"
            ) from None
        except duckdb.Error as exc:  # a view that fails (a bad cast, a dropped table, ...)
            raise UsageProblem(f"the query on {url.display} failed: {_reason(exc)}") from None
        finally:
            timer.cancel()
        return assemble(
            url, spec, planned, rows, table_has_rows=None if rows else _any_row(con, url)
        )
    finally:
        con.close()
