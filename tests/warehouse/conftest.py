"""A throwaway PostgreSQL server for the session, holding the example actuals.

When the PostgreSQL binaries (or psycopg) are missing the database tests skip,
saying why; under ``CI=true`` they fail instead, so CI cannot pass without
running them.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from warehouse import pgserver

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_ACTUALS = sorted((ROOT / "plans" / "actuals").glob("*.csv"))
EXAMPLE_TABLE = "public.actuals"


def unavailable(reason: str) -> None:
    """Skip, or fail under CI=true: the database tests must run in CI."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true and the PostgreSQL tests cannot run: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres() -> Iterator[pgserver.Server]:
    """A running PostgreSQL with ``public.actuals`` (the example CSVs), stopped whatever happens."""
    bindir = pgserver.binaries()
    if bindir is None:
        unavailable("no PostgreSQL binaries (initdb, pg_ctl): install PostgreSQL or set PG_BIN")
    try:
        import psycopg  # noqa: F401, PLC0415  # present or not: the reason to skip
    except ImportError:
        unavailable("psycopg is not installed: pip install -e '.[test]'")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        unavailable("running as root without runuser: PostgreSQL cannot run as root")
    assert bindir is not None
    server = pgserver.start_server(bindir)
    try:
        pgserver.load_csv_files(server.dsn(), EXAMPLE_TABLE, EXAMPLE_ACTUALS)
        yield server
    finally:
        pgserver.remove(server)
