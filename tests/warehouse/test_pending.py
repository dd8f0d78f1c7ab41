"""The cube query runs while promoplan works; leaving early, or a signal, cancels it.

Against the real server: a view that sleeps per row keeps the query running
for half a minute, so what the server is doing can be read in
``pg_stat_activity`` while promoplan waits, works, or is interrupted.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from types import FrameType

import psycopg
import pytest

from promoplan.actuals import read_actuals
from promoplan.actuals.model import ActualsSpec
from promoplan.actuals.warehouse import read_warehouse
from promoplan.actuals.warehouse.urls import parse_url
from promoplan.commands.check import run_check
from promoplan.errors import Interrupted, UsageProblem
from warehouse import pgserver
from warehouse.conftest import ROOT
from warehouse.examples import FILTERS, example_spec
from warehouse.pgserver import execute

SLOW = "public.sleepy"
# 5 ms per row over the example's 6,560 rows: about 30 s, far past every wait below.
_SLOW_VIEW = (
    "CREATE OR REPLACE FUNCTION public.sleepily(numeric) RETURNS numeric VOLATILE "
    "LANGUAGE sql AS 'SELECT pg_sleep(0.005); SELECT $1'",
    f"CREATE OR REPLACE VIEW {SLOW} AS SELECT date, channel, public.sleepily(gmv) AS gmv, "
    "spend FROM public.actuals",
)
# promoplan's backends, and what each runs: the cube query reads the view.
_ACTIVITY = (
    "SELECT state, query FROM pg_catalog.pg_stat_activity "
    "WHERE application_name = 'promoplan' AND pid <> pg_catalog.pg_backend_pid()"
)


@pytest.fixture
def slow(postgres: pgserver.Server) -> Iterator[str]:
    """The URL of a view whose cube query runs for about 30 s."""
    execute(postgres, *_SLOW_VIEW)
    yield postgres.url(SLOW)
    _cancel_leftovers(postgres)


def _activity(server: pgserver.Server) -> list[tuple[str, str]]:
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        return [(str(s), str(q)) for s, q in conn.execute(_ACTIVITY).fetchall()]


def _cube_query_running(server: pgserver.Server) -> bool:
    return any(s == "active" and '"sleepy"' in q for s, q in _activity(server))


def _until(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def _cancel_leftovers(server: pgserver.Server) -> None:
    """End what a failing test left running, so that the next test starts clean."""
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        conn.execute(
            "SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity "
            "WHERE application_name = 'promoplan' AND pid <> pg_catalog.pg_backend_pid()"
        )


def _sleepy_spec() -> ActualsSpec:
    return example_spec(columns=("gmv", "spend"))


def test_the_query_runs_while_the_caller_works(postgres: pgserver.Server) -> None:
    """``meanwhile`` runs with the cube query active on the server; the cube comes after."""
    execute(postgres, "CREATE OR REPLACE VIEW public.awake AS SELECT * FROM public.actuals")
    seen: list[list[tuple[str, str]]] = []
    url = postgres.url("public.awake")
    spec = example_spec(columns=("gmv",))
    # A lock held by this test keeps the query waiting until meanwhile has looked.
    with psycopg.connect(postgres.dsn()) as blocker:
        blocker.execute("LOCK TABLE public.actuals IN ACCESS EXCLUSIVE MODE")

        def meanwhile() -> None:
            assert _until(lambda: any(s == "active" for s, _ in _activity(postgres)), 10)
            seen.append(_activity(postgres))
            blocker.rollback()  # the query may go on

        actuals = read_actuals([url], spec, meanwhile=meanwhile)
    (running,) = seen[0]
    assert running[0] == "active"
    assert '"awake"' in running[1]
    assert len(actuals.cube.days) > 0
    assert _activity(postgres) == []  # the connection is closed


def test_check_prepares_its_evaluation_and_renderer_meanwhile(postgres: pgserver.Server) -> None:
    """``check``'s work that needs no numbers (the caller's ``prepare``) runs while the
    cube query is active on the server."""
    execute(postgres, "CREATE OR REPLACE VIEW public.awake AS SELECT * FROM public.actuals")
    states: list[bool] = []
    with psycopg.connect(postgres.dsn()) as blocker:
        blocker.execute("LOCK TABLE public.actuals IN ACCESS EXCLUSIVE MODE")

        def prepare() -> None:
            states.append(_until(lambda: any(s == "active" for s, _ in _activity(postgres)), 10))
            blocker.rollback()

        run = run_check(
            FILTERS,
            [postgres.url("public.awake")],
            as_of=None,
            period=None,
            encoding=None,
            ignore=(),
            prepare=prepare,
        )
    assert states == [True]
    assert run.plans[0].goals


def test_leaving_before_the_cube_cancels_the_query(postgres: pgserver.Server, slow: str) -> None:
    """An error or an interruption while the caller works: the server stops the query."""
    started = time.monotonic()

    def interrupted() -> None:
        assert _until(lambda: _cube_query_running(postgres), 10)
        raise Interrupted(signal.SIGINT)  # as the handler raises it, in this thread

    with pytest.raises(Interrupted):
        read_actuals([slow], _sleepy_spec(), meanwhile=interrupted)
    assert _until(lambda: _activity(postgres) == [], 5), _activity(postgres)
    assert time.monotonic() - started < 20  # not the 30 s the query takes


def test_a_signal_while_waiting_cancels_the_query(postgres: pgserver.Server, slow: str) -> None:
    """SIGINT during the wait for the rows raises Interrupted here; the server stops the query."""

    def handler(signum: int, frame: FrameType | None) -> None:
        raise Interrupted(signum)

    def fire() -> None:  # once the query runs: the main thread waits for its rows then
        if _until(lambda: _cube_query_running(postgres), 30):
            os.kill(os.getpid(), signal.SIGINT)

    previous = signal.signal(signal.SIGINT, handler)
    sender = threading.Thread(target=fire, daemon=True)
    try:
        sender.start()
        with pytest.raises(Interrupted):
            read_warehouse(parse_url(slow), _sleepy_spec(), timeout=120)
    finally:
        sender.join(35)
        signal.signal(signal.SIGINT, previous)
    assert _until(lambda: _activity(postgres) == [], 5), _activity(postgres)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["INT", "TERM"])
def test_promoplan_interrupted_cancels_the_query(
    postgres: pgserver.Server, slow: str, signum: int
) -> None:
    """``promoplan check`` from PostgreSQL stopped by a signal: one line, 130 or 143, and
    the server no longer runs its query nor holds its connection."""
    child = subprocess.Popen(
        [sys.executable, "-m", "promoplan", "check", str(FILTERS), "-a", slow],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert _until(lambda: _cube_query_running(postgres), 60), "the query never ran"
        child.send_signal(signum)
        stdout, stderr = child.communicate(timeout=30)
    finally:
        child.kill()
    assert child.returncode == 128 + signum, stderr
    assert stderr == b"promoplan: interrupted\n"
    assert stdout == b""
    assert _until(lambda: _activity(postgres) == [], 5), _activity(postgres)


def test_the_timeout_still_ends_the_query(postgres: pgserver.Server, slow: str) -> None:
    """The statement timeout applies to the query the worker waits for: PA035, nothing left."""
    with pytest.raises(UsageProblem, match="PA035"):
        read_warehouse(parse_url(slow), _sleepy_spec(), timeout=1)
    assert _until(lambda: _activity(postgres) == [], 5), _activity(postgres)
