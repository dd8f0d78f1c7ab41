"""PostgreSQL: the cube query through psycopg 3 (the ``postgres`` extra).

One connection with ``application_name=promoplan`` and the client encoding
UTF-8; one read-only transaction (``BEGIN READ ONLY``) with a local
``statement_timeout``; the table's columns from the catalog, then the cube
query, with ``work_mem`` raised for that transaction so that the aggregate
stays in memory. Secrets come from libpq (``PGPASSWORD``, ``PGSERVICEFILE``,
``~/.pgpass``) or the URL's ``${ENV_VAR}`` password; no message carries one.

:func:`start` runs everything up to the cube query and sends it; a worker
thread waits for its rows (psycopg waits in libpq without the GIL) while the
caller works, and :meth:`Pending.wait` assembles the cube. Leaving before the
rows came back (an error, an interruption) cancels the query on the server
(a cancel request) and closes the connection.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Any

from promoplan.actuals.model import Actuals, ActualsSpec
from promoplan.actuals.warehouse.catalog import LISTED, no_table
from promoplan.actuals.warehouse.columns import Planned, plan_query
from promoplan.actuals.warehouse.cube import assemble, empty_actuals
from promoplan.actuals.warehouse.pending import Background, Pending, Ready
from promoplan.actuals.warehouse.problem import WarehouseProblem
from promoplan.actuals.warehouse.rendered import rendered
from promoplan.actuals.warehouse.sqltext import Rendered
from promoplan.actuals.warehouse.tablenames import TableName
from promoplan.actuals.warehouse.urls import WarehouseUrl
from promoplan.errors import UsageProblem

if TYPE_CHECKING:
    import psycopg

CONNECT_TIMEOUT = 10  # seconds to reach the server (libpq's connect_timeout)
# Seconds for the server to take a cancel request, and for the query to end after it.
CANCEL_WAIT = 5.0

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

# The table named by its parts, each quoted by the server (a part not given is NULL,
# which concat_ws leaves out): the name resolves as the cube query's quoted one does.
_REGCLASS = """pg_catalog.to_regclass(pg_catalog.concat_ws('.',
    pg_catalog.quote_ident(%(catalog)s::text), pg_catalog.quote_ident(%(schema)s::text),
    pg_catalog.quote_ident(%(name)s::text)))"""
# Each column's type, and for a domain its base type (through domains over domains,
# with the innermost one's typmod: numeric(12,2)), which decides what the column is.
_COLUMNS = f"""
SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), (
    WITH RECURSIVE d(base, typmod, depth) AS (
        SELECT t.typbasetype, t.typtypmod, 1 FROM pg_catalog.pg_type t
        WHERE t.oid = a.atttypid AND t.typtype = 'd'
        UNION ALL
        SELECT t.typbasetype, t.typtypmod, d.depth + 1
        FROM d JOIN pg_catalog.pg_type t ON t.oid = d.base AND t.typtype = 'd'
    )
    SELECT pg_catalog.format_type(d.base, d.typmod) FROM d ORDER BY d.depth DESC LIMIT 1
)
FROM pg_catalog.pg_attribute a
WHERE a.attrelid = {_REGCLASS} AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum
"""
_EXISTS = f"SELECT {_REGCLASS} IS NOT NULL"
# The first tables of the schema (one named as the table asked for, case aside, first),
# and how many it has.
_TABLES = f"""
SELECT c.relname, count(*) OVER () FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'v', 'm', 'p', 'f')
  AND n.nspname = coalesce(%(schema)s, pg_catalog.current_schema())
ORDER BY lower(c.relname) <> lower(%(name)s), 1 LIMIT {LISTED}
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
    text = text.removeprefix("connection is bad: ")  # psycopg's, before libpq's own words
    text = text.replace("FATAL:  ", "").replace("ERROR:  ", "")
    return text.splitlines()[0].strip() if text else type(exc).__name__


# libpq refusing the URL's own settings before it asks any server: the URL is to fix.
_SETTINGS_REFUSED = ("invalid ", "bad value for", "definition of service", "service file")


def _connection_problem(url: WarehouseUrl, exc: Exception) -> WarehouseProblem:
    reason = _reason(exc)
    lowered = reason.lower()
    if 'database "' in lowered and "does not exist" in lowered:
        return WarehouseProblem("PA030", f"cannot connect to {url.display}: {reason}")
    if lowered.startswith(_SETTINGS_REFUSED):
        where = (
            "; a service is read from PGSERVICEFILE or ~/.pg_service.conf"
            if "service" in lowered
            else ""
        )
        return WarehouseProblem(
            "PA030", f"cannot connect to {url.display}: {reason}; check the URL's parameters{where}"
        )
    if "ssl" in lowered and "not support" in lowered:
        return WarehouseProblem(
            "PA030",
            f"cannot connect to {url.display}: {reason}; this server offers no SSL: "
            "lower the URL's sslmode, or enable SSL on the server",
        )
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
    with start(url, spec, timeout=timeout) as pending:
        return pending.wait()


def start(url: WarehouseUrl, spec: ActualsSpec, *, timeout: float) -> Pending:
    """Connect, read the catalog, send the cube query for ``spec``; the cube to wait on.

    Everything up to the cube query runs here (its problems are raised here);
    the query runs in the server while the caller works.
    """
    try:
        import psycopg  # noqa: PLC0415  # only when a postgresql:// source is read
    except ImportError:
        raise UsageProblem(
            "reading postgresql:// sources needs psycopg: pip install 'promoplan[postgres]'"
        ) from None
    try:
        conn = psycopg.connect(**_connect_kwargs(url))
    except psycopg.ProgrammingError as exc:  # an invalid libpq option value
        raise _connection_problem(url, exc) from None
    except psycopg.OperationalError as exc:
        raise _connection_problem(url, exc) from None
    try:
        with _problems(psycopg, url, timeout):
            conn.read_only = True  # the transaction begins READ ONLY
            found = _prepare(conn, url, spec, timeout)
            if isinstance(found, Actuals):
                conn.close()
                return Ready(found)
            return _Running(psycopg, conn, url, spec, timeout, *found)
    except BaseException:
        _abandon(conn)
        raise


@contextmanager
def _problems(psycopg: Any, url: WarehouseUrl, timeout: float) -> Iterator[None]:
    """What the server refused, as the problem it is (exit 2), without a traceback."""
    try:
        yield
    except psycopg.errors.QueryCanceled as exc:
        if not _timed_out(exc):
            raise UsageProblem(
                f"the query on {url.display} was cancelled on the server ({_reason(exc)}), "
                "not by promoplan's timeout: another session or an administrator "
                "(pg_cancel_backend) stopped it; run it again"
            ) from None
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


def _timed_out(exc: psycopg.Error) -> bool:
    """Whether a cancelled statement (SQLSTATE 57014) ran into the statement_timeout set
    here ("canceling statement due to statement timeout"), rather than being cancelled
    by another session (``pg_cancel_backend``, a pooler: "... due to user request").
    Only the server's words tell them apart; in another language (``lc_messages``)
    they are taken for the timeout, as before."""
    primary = exc.diag.message_primary or str(exc)
    english = primary.startswith("canceling statement due to ")
    return not english or "statement timeout" in primary


def _prepare(
    conn: psycopg.Connection[Any], url: WarehouseUrl, spec: ActualsSpec, timeout: float
) -> Actuals | tuple[Planned, Rendered]:
    """The transaction's settings and the catalog; the query to run, or why there is none."""
    conn.execute(_SETTINGS, [str(max(1, round(timeout * 1000))), WORK_MEM_KB])
    table = url.table
    name = {"catalog": table.catalog, "schema": table.schema, "name": table.name}
    found = conn.execute(_COLUMNS, name).fetchall()
    columns = tuple((column, sql_type) for column, sql_type, _ in found)
    domains = {column: base for column, _, base in found if base is not None}
    if not columns:
        exists = conn.execute(_EXISTS, name).fetchone()
        if not (exists and exists[0]):
            rows = conn.execute(_TABLES, name).fetchall()
            where = url.table.schema or "the current schema"
            tables = [TableName((name,)) for name, _ in rows]
            count = rows[0][1] if rows else 0
            return empty_actuals(url, spec, [no_table(url, tables, where, count=count)])
    planned = plan_query(url, spec, columns, domains=domains)
    if planned.query is None:
        return empty_actuals(url, spec, planned.diagnostics)
    return planned, rendered(planned.query, "postgres")


class _Running(Pending):
    """The cube query under way in its read-only transaction, fetched by a worker thread."""

    def __init__(  # noqa: PLR0917  # what the query was built from
        self,
        psycopg: Any,
        conn: psycopg.Connection[Any],
        url: WarehouseUrl,
        spec: ActualsSpec,
        timeout: float,
        planned: Planned,
        text: Rendered,
    ) -> None:
        self._psycopg, self._conn, self._url, self._spec = psycopg, conn, url, spec
        self._timeout, self._planned = timeout, planned
        self._closed = False

        def fetch() -> list[tuple[Any, ...]]:
            return conn.execute(text.sql, text.parameters).fetchall()

        self._query = Background(fetch, name="promoplan-cube-query")

    def wait(self) -> Actuals:
        """The cube, once the server has sent it; PA035 past the timeout, and so on."""
        try:
            with _problems(self._psycopg, self._url, self._timeout):
                rows = self._query.result()
                # No row in the span: is the table empty? (one row looked at, same transaction)
                has_rows = None if rows else self._any_row()
                self._conn.commit()
        finally:
            self.close()
        return assemble(self._url, self._spec, self._planned, rows, table_has_rows=has_rows)

    def _any_row(self) -> bool:
        composed = self._psycopg.sql.SQL("SELECT 1 FROM {} LIMIT 1").format(
            self._psycopg.sql.Identifier(*self._url.table.parts)
        )
        return self._conn.execute(composed).fetchone() is not None

    def close(self) -> None:
        """Cancel the query if it still runs, then close the connection."""
        if self._closed:
            return
        self._closed = True
        if self._query.running():
            _cancel(self._conn)
            if not self._query.join(CANCEL_WAIT):
                # Still inside libpq: closing would free what the worker uses. The
                # server has the cancel request; the process's exit closes the socket.
                return
        self._conn.close()


def _cancel(conn: psycopg.Connection[Any]) -> None:
    """Ask the server to cancel the statement under way (a separate, short connection)."""
    with suppress(Exception):  # the server is gone, or refused: closing is what is left
        conn.cancel_safe(timeout=CANCEL_WAIT)


def _abandon(conn: psycopg.Connection[Any]) -> None:
    """Close ``conn`` on the way out of an error or an interruption, cancelling a statement
    the server is still running (a catalog query interrupted)."""
    from psycopg.pq import TransactionStatus  # noqa: PLC0415  # psycopg is imported: conn is one

    if conn.pgconn.transaction_status == TransactionStatus.ACTIVE:
        _cancel(conn)
    conn.close()


def _seconds(timeout: float) -> str:
    if timeout >= 60 and timeout % 60 == 0:
        return f"{int(timeout // 60)} min"
    return f"{timeout:g} s"
