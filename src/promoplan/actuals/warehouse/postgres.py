"""PostgreSQL: the cube query through psycopg 3 (the ``postgres`` extra).

One connection with ``application_name=promoplan`` and the client encoding
UTF-8; one read-only transaction (``BEGIN READ ONLY``) with a local
``statement_timeout``; the table's columns from the catalog, then the cube
query, with ``work_mem`` raised for that transaction so that the aggregate
stays in memory. Secrets come from libpq (``PGPASSWORD``, ``PGSERVICEFILE``,
``~/.pgpass``) or the URL's ``${ENV_VAR}`` password; no message carries one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from promoplan.actuals.model import Actuals, ActualsSpec
from promoplan.actuals.warehouse.columns import plan_query
from promoplan.actuals.warehouse.cube import assemble, empty_actuals
from promoplan.actuals.warehouse.problem import WarehouseProblem
from promoplan.actuals.warehouse.query import render, table_sql
from promoplan.actuals.warehouse.urls import WarehouseUrl
from promoplan.diagnostics import diagnostic
from promoplan.errors import UsageProblem

if TYPE_CHECKING:
    import psycopg

CONNECT_TIMEOUT = 10  # seconds to reach the server (libpq's connect_timeout)

# The cube query's hash aggregate keeps one state per cube row (a few hundred bytes
# with NUMERIC sums). PostgreSQL's default work_mem (4 MB) spills it to disk at a
# few thousand cube rows (5,848 made the query ~1.4x slower); the
# transaction raises work_mem to this (never lowers it), for this transaction only.
WORK_MEM_KB = 64 * 1024

# statement_timeout and work_mem for this transaction only (set_config's is_local).
_SETTINGS = """
SELECT pg_catalog.set_config('statement_timeout', %s, true),
       pg_catalog.set_config('work_mem', greatest(%s::bigint, (
           SELECT s.setting::bigint FROM pg_catalog.pg_settings s WHERE s.name = 'work_mem'
       ))::text || 'kB', true)
"""

_COLUMNS = """
SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod)
FROM pg_catalog.pg_attribute a
WHERE a.attrelid = pg_catalog.to_regclass(%s) AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum
"""
_EXISTS = "SELECT pg_catalog.to_regclass(%s) IS NOT NULL"
_TABLES = """
SELECT c.relname FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'v', 'm', 'p', 'f')
  AND n.nspname = coalesce(%s, pg_catalog.current_schema())
ORDER BY 1 LIMIT 13
"""
_AUTH = (
    "password authentication failed",
    "no password supplied",
    "authentication failed",
    "does not exist",  # a role that does not exist: the user is wrong
    "pg_hba.conf",
)


def _connect_kwargs(url: WarehouseUrl) -> dict[str, Any]:
    kwargs: dict[str, Any] = dict(url.parameters)
    kwargs.setdefault("connect_timeout", CONNECT_TIMEOUT)
    for key, value in (
        ("host", url.host),
        ("port", url.port),
        ("user", url.user),
        ("dbname", url.database),
        ("password", url.password),
    ):
        if value is not None:
            kwargs[key] = value
    kwargs["application_name"] = "promoplan"
    kwargs["client_encoding"] = "UTF8"
    return kwargs


def _reason(exc: Exception) -> str:
    """libpq's message without its ``connection to server at ... failed:`` preamble, one line."""
    text = str(exc).strip()
    for marker in (" failed: ", "connection failed: "):
        if marker in text:
            text = text.rsplit(marker, 1)[-1]
    text = text.replace("FATAL:  ", "").replace("ERROR:  ", "")
    return text.splitlines()[0].strip() if text else type(exc).__name__


def _connection_problem(url: WarehouseUrl, exc: Exception) -> WarehouseProblem:
    reason = _reason(exc)
    lowered = reason.lower()
    if 'database "' in lowered and "does not exist" in lowered:
        return WarehouseProblem("PA030", f"cannot connect to {url.display}: {reason}")
    if any(marker in lowered for marker in _AUTH):
        return WarehouseProblem(
            "PA031",
            f"authentication failed for {url.display}: {reason}; the password comes from "
            "PGPASSWORD, ~/.pgpass, PGSERVICEFILE or the URL's ${ENV_VAR}",
        )
    return WarehouseProblem(
        "PA030",
        f"cannot reach {url.display}: {reason}; is the server running and the host and port right?",
    )


def read(url: WarehouseUrl, spec: ActualsSpec, *, timeout: float) -> Actuals:
    """Read the cube for ``spec`` from the PostgreSQL table ``url`` names."""
    try:
        import psycopg  # noqa: PLC0415  # only when a postgresql:// source is read
    except ImportError:
        raise UsageProblem(
            "reading postgresql:// sources needs psycopg: pip install 'promoplan[postgres]'"
        ) from None
    try:
        conn = psycopg.connect(**_connect_kwargs(url))
    except psycopg.ProgrammingError as exc:  # an invalid libpq option value
        raise UsageProblem(f"cannot connect to {url.display}: {_reason(exc)}") from None
    except psycopg.OperationalError as exc:
        raise _connection_problem(url, exc) from None
    try:
        conn.read_only = True  # the transaction below begins READ ONLY
        return _read(conn, url, spec, timeout)
    except psycopg.errors.QueryCanceled:
        raise WarehouseProblem(
            "PA035",
            f"the query on {url.display} ran longer than the timeout ({_seconds(timeout)}); "
            "raise --timeout, or aggregate less (a shorter period, an index on the date column)",
        ) from None
    except psycopg.errors.InsufficientPrivilege as exc:
        raise WarehouseProblem(
            "PA031", f"not allowed to read {url.table} on {url.display}: {_reason(exc)}"
        ) from None
    except psycopg.OperationalError as exc:  # the server went away mid-query
        raise _connection_problem(url, exc) from None
    except psycopg.Error as exc:  # anything else the server refused (a view that fails, ...)
        raise UsageProblem(f"the query on {url.display} failed: {_reason(exc)}") from None
    finally:
        conn.close()


def _read(
    conn: psycopg.Connection[Any], url: WarehouseUrl, spec: ActualsSpec, timeout: float
) -> Actuals:
    with conn.transaction():
        conn.execute(_SETTINGS, [str(max(1, round(timeout * 1000))), WORK_MEM_KB])
        name = table_sql(url.table, "postgres")
        columns = tuple(conn.execute(_COLUMNS, [name]).fetchall())
        if not columns:
            exists = conn.execute(_EXISTS, [name]).fetchone()
            if not (exists and exists[0]):
                tables = tuple(r[0] for r in conn.execute(_TABLES, [url.table.schema]).fetchall())
                return empty_actuals(url, spec, [_no_table(url, tables)])
        planned = plan_query(url, spec, columns)
        if planned.query is None:
            return empty_actuals(url, spec, planned.diagnostics)
        rendered = render(planned.query, "postgres")
        rows = conn.execute(rendered.sql, rendered.parameters).fetchall()
    return assemble(url, spec, planned, rows)


def _no_table(url: WarehouseUrl, tables: tuple[str, ...]) -> Any:
    schema = url.table.schema or "the current schema"
    listed = ", ".join(tables[:12]) + (" and more" if len(tables) > 12 else "")
    return diagnostic(
        "PA032",
        f"no table {url.table} on {url.display}",
        file=url.display,
        hint=f"the tables in {schema} are: {listed}" if tables else f"{schema} has no tables",
    )


def _seconds(timeout: float) -> str:
    if timeout >= 60 and timeout % 60 == 0:
        return f"{int(timeout // 60)} min"
    return f"{timeout:g} s"
