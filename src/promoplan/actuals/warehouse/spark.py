"""Spark through Spark Connect (the ``spark`` extra): the rendered Spark SQL runs on the cluster.

A new Connect session (user agent ``promoplan``) reads the table's schema,
then runs the cube query with named parameters (``:keep_from``); only the cube
comes back. The timeout interrupts the session's operations from a timer.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import warnings
from typing import Any

from promoplan.actuals.model import Actuals, ActualsSpec
from promoplan.actuals.warehouse.catalog import no_table
from promoplan.actuals.warehouse.columns import plan_query
from promoplan.actuals.warehouse.cube import assemble, empty_actuals
from promoplan.actuals.warehouse.problem import WarehouseProblem
from promoplan.actuals.warehouse.query import table_sql
from promoplan.actuals.warehouse.rendered import rendered
from promoplan.actuals.warehouse.tablenames import TableName
from promoplan.actuals.warehouse.urls import WarehouseUrl
from promoplan.diagnostics import Diagnostic
from promoplan.errors import UsageProblem

CONNECT_TIMEOUT = 10  # seconds to open a TCP connection to the server
_UNREACHABLE = ("UNAVAILABLE", "failed to connect", "Connection refused", "DEADLINE_EXCEEDED")
_AUTH = ("UNAUTHENTICATED", "PERMISSION_DENIED")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def read(url: WarehouseUrl, spec: ActualsSpec, *, timeout: float) -> Actuals:
    """Read the cube for ``spec`` from the Spark table ``url`` names."""
    try:
        with warnings.catch_warnings():
            # pyspark warns about pandas versions it has not been tested with; the
            # cube comes back as rows, without pandas.
            warnings.simplefilter("ignore", FutureWarning)
            from pyspark.errors import AnalysisException  # noqa: PLC0415  # only for sc://
            from pyspark.sql import SparkSession  # noqa: PLC0415
            from pyspark.sql.connect import session as _connect  # noqa: PLC0415, F401
    except ImportError:
        raise UsageProblem(
            "reading sc:// sources needs the Spark Connect client: pip install 'promoplan[spark]'"
        ) from None
    _reachable(url)
    remote = f"sc://{url.host}:{url.port}/;user_agent=promoplan"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            session = SparkSession.builder.remote(remote).create()
    except Exception as exc:  # the client's errors differ between pyspark versions
        raise _problem(url, exc) from None
    try:
        return _read(session, url, spec, timeout, AnalysisException)
    finally:
        with contextlib.suppress(Exception):  # the session may be gone with its server
            session.stop()


def _reachable(url: WarehouseUrl) -> None:
    """PA030 at once when nothing listens: the Connect client would retry for minutes."""
    try:
        with socket.create_connection(
            (url.host or "localhost", url.port or 15002), CONNECT_TIMEOUT
        ):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise WarehouseProblem(
            "PA030",
            f"cannot reach {url.display}: {reason}; "
            "is the Spark Connect server running and the host and port right?",
        ) from None


def _problem(url: WarehouseUrl, exc: BaseException) -> WarehouseProblem:
    text = str(exc)
    if any(marker in text for marker in _AUTH):
        return WarehouseProblem("PA031", f"not allowed to read {url.display}: {_first_line(exc)}")
    return WarehouseProblem(
        "PA030",
        f"cannot reach {url.display}: {_first_line(exc)}; "
        "is the Spark Connect server running and the host and port right?",
    )


def _read(
    session: Any, url: WarehouseUrl, spec: ActualsSpec, timeout: float, analysis: type[Exception]
) -> Actuals:
    name = table_sql(url.table, "spark")
    try:
        fields = session.table(name).schema.fields
    except analysis as exc:
        if "TABLE_OR_VIEW_NOT_FOUND" not in str(exc):
            raise UsageProblem(f"{url.display}: {_first_line(exc)}") from None
        return empty_actuals(url, spec, [_no_table(session, url)])
    except Exception as exc:
        raise _problem(url, exc) from None
    columns = tuple((f.name, f.dataType.simpleString()) for f in fields)
    planned = plan_query(url, spec, columns)
    if planned.query is None:
        return empty_actuals(url, spec, planned.diagnostics)
    text = rendered(planned.query, "spark")
    timed_out = threading.Event()

    def interrupt() -> None:
        timed_out.set()
        session.interruptAll()

    timer = threading.Timer(timeout, interrupt)
    timer.start()
    try:
        rows = [tuple(row) for row in session.sql(text.sql, args=text.parameters).collect()]
    except Exception as exc:
        if timed_out.is_set():
            raise WarehouseProblem(
                "PA035",
                f"the query on {url.display} ran longer than the timeout ({timeout:g} s); "
                "raise --timeout",
            ) from None
        raise (
            _problem(url, exc)
            if any(m in str(exc) for m in _UNREACHABLE)
            else UsageProblem(f"the query on {url.display} failed: {_first_line(exc)}")
        ) from None
    finally:
        timer.cancel()
    # No row in the span: is the table empty? (one row looked at)
    has_rows = None if rows else bool(session.table(name).limit(1).collect())
    return assemble(url, spec, planned, rows, table_has_rows=has_rows)


def _no_table(session: Any, url: WarehouseUrl) -> Diagnostic:
    tables: list[TableName] | None
    try:
        names = sorted(t.name for t in session.catalog.listTables(url.table.schema))
        tables = [TableName((name,)) for name in names]
    except Exception:  # an unknown database: name none
        tables = None
    return no_table(url, tables, url.table.schema or "the current database")
