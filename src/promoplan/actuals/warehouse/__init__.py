"""Actuals read from where they live: PostgreSQL, Spark (Connect) and DuckDB database files.

``read_warehouse(url, spec)`` pushes the daily-cube ``GROUP BY`` down to the
engine (``query.py``, rendered per dialect by sqlglot and kept between runs by
``rendered.py``, so that a run sending the same query imports no sqlglot) and
returns the same :class:`promoplan.actuals.model.Actuals` the CSV engine
returns; ``start_warehouse`` sends the query and returns the cube to wait on
(``pending.py``), so that the caller works while the server computes. Each
engine is one module (``postgres.py``, ``spark.py``, ``duckdb_file.py``) imported only
when its URL is read; problems that stop the run (server unreachable,
authentication, timeout) raise :class:`WarehouseProblem` (exit 2), problems
with the data are diagnostics (exit 1).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from promoplan.actuals.warehouse.problem import WarehouseProblem
from promoplan.actuals.warehouse.schemes import is_url, is_warehouse_url
from promoplan.errors import UsageProblem

if TYPE_CHECKING:
    from promoplan.actuals.model import Actuals, ActualsSpec
    from promoplan.actuals.warehouse.pending import Pending
    from promoplan.actuals.warehouse.urls import WarehouseUrl

__all__ = [
    "DEFAULT_TIMEOUT",
    "WarehouseProblem",
    "is_url",
    "is_warehouse_url",
    "parse_timeout",
    "read_source",
    "read_warehouse",
    "start_source",
    "start_warehouse",
]

DEFAULT_TIMEOUT = 600.0  # seconds: the statement timeout unless --timeout says otherwise


def read_warehouse(
    url: WarehouseUrl, spec: ActualsSpec, *, timeout: float = DEFAULT_TIMEOUT
) -> Actuals:
    """Run the cube query for ``spec`` on the table ``url`` names; the cube comes back."""
    with start_warehouse(url, spec, timeout=timeout) as pending:
        return pending.wait()


def start_warehouse(
    url: WarehouseUrl, spec: ActualsSpec, *, timeout: float = DEFAULT_TIMEOUT
) -> Pending:
    """Start the cube query for ``spec`` on the table ``url`` names; the cube to wait on.

    PostgreSQL's query runs while the caller works; DuckDB and Spark Connect
    compute in this call (their cube is ready when it returns).
    """
    from promoplan.actuals.warehouse.pending import Ready  # noqa: PLC0415  # a source is read

    match url.kind:
        case "postgresql":
            from promoplan.actuals.warehouse import postgres  # noqa: PLC0415  # psycopg on use

            return postgres.start(url, spec, timeout=timeout)
        case "spark":
            from promoplan.actuals.warehouse import spark  # noqa: PLC0415  # pyspark on use

            return Ready(spark.read(url, spec, timeout=timeout))
        case "duckdb":
            from promoplan.actuals.warehouse import duckdb_file  # noqa: PLC0415

            return Ready(duckdb_file.read(url, spec, timeout=timeout))


def read_source(sources: list[str], spec: ActualsSpec) -> Actuals:
    """Read the one database source in ``sources`` (``--actuals``, or ``actuals.source``)."""
    with start_source(sources, spec) as pending:
        return pending.wait()


def start_source(sources: list[str], spec: ActualsSpec) -> Pending:
    """Start reading the one database source in ``sources``; the cube to wait on."""
    if len(sources) != 1 or not is_warehouse_url(sources[0]):
        raise UsageProblem(
            "a database source is read on its own: pass one --actuals URL, without CSV files"
        )
    from promoplan.actuals.warehouse.urls import parse_url  # noqa: PLC0415  # a URL was given

    url = parse_url(sources[0])
    return start_warehouse(url, spec, timeout=spec.timeout or DEFAULT_TIMEOUT)


# PostgreSQL's statement_timeout is a 32-bit count of milliseconds: about 596 hours.
MAX_TIMEOUT = (2**31 - 1) // 1000
_TIMEOUT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|min|h)?\s*$")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0, None: 1.0}


def parse_timeout(text: str | None) -> float | None:
    """``--timeout``: seconds, or a number with ms, s, m (min) or h; None when not given."""
    if text is None:
        return None
    match = _TIMEOUT.match(text)
    if match is None:
        raise UsageProblem(f"--timeout {text!r} is not a duration; write e.g. 90s, 10m or 1h")
    seconds = float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    if seconds <= 0:
        raise UsageProblem(f"--timeout {text!r} is no time at all; write e.g. 90s, 10m or 1h")
    if seconds > MAX_TIMEOUT:
        raise UsageProblem(
            f"--timeout {text!r} is longer than a statement may run "
            f"({MAX_TIMEOUT // 3600}h at most, PostgreSQL's limit)"
        )
    return seconds
