"""What a plan's ``actuals.source`` may name, wherever the plan comes from: a local host
or one the environment allows, no path, one table (PP141, and ``check`` before it
connects). A URL given with ``--actuals`` is the operator's own and is not checked."""

from __future__ import annotations

import os

from promoplan.actuals.warehouse.schemes import is_warehouse_url
from promoplan.actuals.warehouse.tablenames import parse_table
from promoplan.actuals.warehouse.urls import (
    PlanSecretProblem,
    WarehouseUrl,
    parse_url,
    redacted,
    with_table,
)
from promoplan.errors import UsageProblem

# The port libpq connects to when neither the URL, PGPORT nor a service names one.
_LIBPQ_PORT = 5432
# Hosts a plan's actuals.source may name besides the local ones: comma-separated
# host or host:port, or "*" for any (the environment's choice, never the plan's).
SOURCE_HOSTS = "PROMOPLAN_SOURCE_HOSTS"
_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
# URL parameters that name files on this machine: a plan names no paths.
_PATH_PARAMETERS = frozenset({"passfile", "sslcert", "sslkey", "sslrootcert"})
_PATH_HINT = (
    "a plan may come from anyone who can open a pull request, and a path in it would "
    "have this machine read its files: name them where the plan runs (--actuals, a "
    "service file)"
)


def _host_allowed(url: WarehouseUrl) -> bool:
    """A plan may name a local server (or none: libpq's PGHOST), or a host allowed here:
    ``host``, or ``host:port`` for the port connected to."""
    host = (url.host or "").lower()
    if not host or host.startswith("/") or host in _LOCAL_HOSTS:
        return True
    allowed = {h.strip().lower() for h in os.environ.get(SOURCE_HOSTS, "").split(",")}
    port = _port(url)
    return bool({"*", host, *([f"{host}:{port}"] if port else [])} & allowed)


def _port(url: WarehouseUrl) -> str | None:
    """The port ``url`` connects to: its own, else libpq's (``PGPORT``, else 5432); None
    when a service file may set it (``?service=``, ``PGSERVICE``), which only the
    environment reads."""
    if url.port is not None:
        return str(url.port)
    if "service" in dict(url.parameters) or os.environ.get("PGSERVICE"):
        return None
    return os.environ.get("PGPORT", "").strip() or str(_LIBPQ_PORT)


def _check_plan_url(url: WarehouseUrl) -> None:
    """Refuse what a plan (perhaps in a pull request) could use to take this machine's secrets.

    libpq sends the environment's password (PGPASSWORD, ~/.pgpass) to whatever
    host it connects to, and a ``${ENV_VAR}`` password is read from this
    environment: a plan naming any host could send them to its own server.
    """
    _check_plan_paths(url)
    if not _host_allowed(url):
        raise UsageProblem(
            f"actuals.source names the host {url.host}, which this environment does not allow: "
            "a plan could send the database password (PGPASSWORD, ~/.pgpass, ${ENV_VAR}) to "
            f"any server. Pass the URL with --actuals, or set {SOURCE_HOSTS}={url.host}"
        )


def _check_plan_paths(url: WarehouseUrl) -> None:
    """Refuse a path in a plan's URL: a DuckDB file, a libpq parameter naming a file."""
    if url.kind == "duckdb":
        raise PlanSecretProblem(
            "actuals.source may not name a DuckDB file (a plan names no paths); "
            "pass it with --actuals duckdb:///path/file.duckdb?table=t",
            hint=_PATH_HINT,
        )
    paths = sorted(k for k, _ in url.parameters if k in _PATH_PARAMETERS)
    if paths:
        raise PlanSecretProblem(
            f"actuals.source may not set {paths[0]} (a plan names no paths); "
            "pass the URL with --actuals, or use a service file (?service=name)",
            hint=_PATH_HINT,
        )


def _check_one_table(source: str, url: WarehouseUrl, table: str | None) -> None:
    """Refuse a plan naming two tables, in ``?table=`` and ``actuals.table`` (which one it
    means is no guess to make); the same one twice is fine."""
    if table is not None and url.table != parse_table(table):
        raise UsageProblem(
            f"{redacted(source)!r} names the table {url.table}, and actuals.table "
            f"{parse_table(table)}; name the table once"
        )


def plan_source(files: list[str], source: str | None, table: str | None) -> list[str]:
    """The sources to read: ``--actuals`` as given, else the plan's ``actuals.source``.

    The plan's ``actuals.table`` fills in a URL's missing ``?table=``. A source
    from the plan is checked here: no literal password, no path (a DuckDB file,
    a ``passfile``), and a host that is local or allowed by
    ``PROMOPLAN_SOURCE_HOSTS``; a URL on the command line is the operator's own.
    """
    if not files and source is not None:
        url = parse_url(source, table=table, from_plan=True)
        _check_plan_url(url)
        _check_one_table(source, url, table)
        return [with_table(source, table)]
    return [with_table(f, table) if is_warehouse_url(f) else f for f in files]


def plan_source_problem(source: str, table: str | None) -> UsageProblem | None:
    """Why a plan's ``actuals.source`` cannot be read wherever the plan runs, else None.

    What its text alone decides (``validate`` reads no environment): a scheme of
    no source, a URL that does not parse, no table or two, a password or a path
    written in it (:class:`PlanSecretProblem`). Whether its host is allowed and its
    ``${ENV_VAR}`` set are ``check``'s to say, where the plan runs.
    """
    try:
        url = parse_url(source, table=table, from_plan=True, environment=False)
        _check_plan_paths(url)
        _check_one_table(source, url, table)
    except UsageProblem as problem:
        return problem
    return None
