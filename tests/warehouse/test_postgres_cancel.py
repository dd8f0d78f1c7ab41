"""A query the server cancels: PA035 for the statement timeout only, not for a cancel
by another session."""

from __future__ import annotations

import threading
import time

import psycopg
import pytest

from clirunner import Cli
from promoplan.actuals.warehouse.postgres import _timed_out
from warehouse import pgserver
from warehouse.examples import FILTERS
from warehouse.pgserver import execute

# The cube query's, not a catalog query's: the slow view's name is in it.
_CANCEL = """
SELECT pg_catalog.pg_cancel_backend(pid) FROM pg_catalog.pg_stat_activity
WHERE application_name = 'promoplan' AND state = 'active' AND query LIKE '%cancel_me%'
"""


def _cancel_when_running(server: pgserver.Server, cancelled: list[bool]) -> None:
    """Cancel promoplan's cube query from another session as soon as it runs."""
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if conn.execute(_CANCEL).fetchall():
                cancelled.append(True)
                return
            time.sleep(0.05)


def test_a_cancel_by_another_session_is_not_a_timeout(cli: Cli, postgres: pgserver.Server) -> None:
    execute(
        postgres,
        "CREATE TABLE public.cancel_rows (date date, channel text, gmv numeric, spend numeric)",
        "INSERT INTO public.cancel_rows VALUES ('2025-01-02', 'douyin', 1, 2)",
        "CREATE VIEW public.cancel_me AS SELECT r.* FROM public.cancel_rows r, "
        "(SELECT pg_catalog.pg_sleep(30)) s",
    )
    cancelled: list[bool] = []
    canceller = threading.Thread(target=_cancel_when_running, args=(postgres, cancelled))
    canceller.start()
    started = time.monotonic()
    try:
        status, stdout, stderr = cli("check", str(FILTERS), "-a", postgres.url("public.cancel_me"))
    finally:
        canceller.join()
    assert cancelled
    assert time.monotonic() - started < 20
    assert status == 2
    assert stdout == ""
    assert stderr == (
        f"promoplan: the query on {postgres.url('public.cancel_me')} was cancelled on the server "
        "(canceling statement due to user request), not by promoplan's timeout: another "
        "session or an administrator (pg_cancel_backend) stopped it; run it again\n"
    ), stderr


@pytest.mark.parametrize(
    ("message", "timed_out"),
    [
        ("canceling statement due to statement timeout", True),
        ("canceling statement due to user request", False),
        ("canceling statement due to conflict with recovery", False),
        # In the server's own language the words cannot tell: the timeout, as before.
        ("Abbruch der Anweisung wegen Zeitüberschreitung", True),
    ],
)
def test_only_the_statement_timeout_is_a_timeout(message: str, timed_out: bool) -> None:
    assert _timed_out(psycopg.errors.QueryCanceled(message)) is timed_out
