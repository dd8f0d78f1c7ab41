"""The DuckDB session the actuals are read in: one in-memory connection per read.

The connection may read only the files named on the command line and its own
temporary directory; it loads no extension and reaches no network. Queries run
through :func:`run`, which binds the parameters a query names and polls the
engine's progress into a callback while a long scan runs.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from promoplan.actuals import cellsql
from promoplan.errors import HeldSignals

if TYPE_CHECKING:
    import duckdb

Progress = Callable[[int, int], None]
Tick = Callable[[float], None]

# DuckDB's buffer memory: past it, grouping and sorting spill to the temp directory, so
# a million distinct dimension values or ten million rows stay within ~250 MiB of RSS.
MEMORY_LIMIT = "128MB"
MAX_THREADS = 8
STREAMING_BUFFER = "64KB"
_POLL_SECONDS = 0.1
_DISABLED = ("type_pushdown", "common_subexpressions")  # optimizers turned off (see connect)


class _Ahead:
    """An in-memory DuckDB being opened on a thread (see :func:`open_ahead`)."""

    def __init__(self) -> None:
        self.con: duckdb.DuckDBPyConnection | None = None
        # Not a daemon: the interpreter waits for it at the exit. A daemon thread still
        # inside DuckDB's C++ when the interpreter ends is torn down mid-call (abort).
        self.thread = threading.Thread(target=self._open, name="promoplan-open")
        # Started whole: a signal inside start() would leave a thread that has not yet
        # told the interpreter to wait for it, still opening DuckDB as the exit tears
        # the interpreter down (it is then killed inside DuckDB's C++: abort).
        with HeldSignals():
            self.thread.start()

    def _open(self) -> None:
        # A failure is not kept: connect() opens its own and reports that one's.
        with contextlib.suppress(Exception):
            self.con = _open_database()

    def take(self) -> duckdb.DuckDBPyConnection | None:
        """The connection once opened; None if opening it failed."""
        self.thread.join()
        return self.con


_ahead: _Ahead | None = None


def open_ahead() -> None:
    """Start opening the next read's database on a thread, for :func:`connect` to take.

    Creating a DuckDB database (its catalog of built-in functions) takes 30-50 ms
    with Python's lock released, which is what reading the plan and importing the
    file engine take with it held: started before them, it is ready when needed.
    A command that opens one ahead drops it when it ends (:func:`drop_ahead`); an
    interruption leaves it to the exit, which waits for the thread first.
    """
    global _ahead  # noqa: PLW0603  # one pending database per process, taken once
    if _ahead is None:
        _ahead = _Ahead()


def drop_ahead() -> None:
    """Close the database :func:`open_ahead` started if no read took it (a plan with
    errors): the next read in this process opens its own."""
    global _ahead
    ahead, _ahead = _ahead, None
    con = ahead.take() if ahead is not None else None
    if con is not None:
        con.close()


def _open_database(threads: int | None = None) -> duckdb.DuckDBPyConnection:
    from promoplan.actuals.duckengine import duckdb  # noqa: PLC0415  # DuckDB only when actuals are read

    if threads is None:
        threads = max(1, min(MAX_THREADS, os.cpu_count() or 1))
    return duckdb.connect(
        ":memory:",
        config={
            "threads": threads,
            "memory_limit": MEMORY_LIMIT,
            "preserve_insertion_order": False,
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
        },
    )


def connect(tmp: Path, paths: list[Path], threads: int | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB that may read only the given files and its own temp directory.

    The database :func:`open_ahead` started is taken when there is one (once);
    ``threads`` (the retry of a read that ran out of memory: one) opens a new one
    with that many threads, as the configuration is locked once connected.
    """
    from promoplan.actuals.duckengine import duckdb  # noqa: PLC0415  # DuckDB only when actuals are read

    global _ahead  # taken once
    con = None
    if threads is None:
        ahead, _ahead = _ahead, None
        con = ahead.take() if ahead is not None else None
    if con is None:
        con = _open_database() if threads is None else _open_database(threads)
    con.execute("SET temp_directory = $dir", {"dir": str(tmp / "spill")})
    # type_pushdown turns TRY_CAST over a CSV column into a strict conversion in
    # the scan: a dirty cell would abort the read instead of taking the cleaning
    # path. common_subexpressions hoists the cleaning expression, which appears
    # several times, out of COALESCE, so every cell would pay for it.
    # type_pushdown is new in DuckDB 2.0 (1.4 and 1.5 keep TRY_CAST as written):
    # SET fails on an optimizer this DuckDB does not have, so only then are the
    # ones it has asked for.
    try:
        con.execute(f"SET disabled_optimizers = {cellsql.sql_string(','.join(_DISABLED))}")
    except duckdb.Error:
        names = {row[0] for row in con.execute("SELECT name FROM duckdb_optimizers()").fetchall()}
        disabled = [o for o in _DISABLED if o in names]
        if disabled:
            con.execute(f"SET disabled_optimizers = {cellsql.sql_string(','.join(disabled))}")
    # A streamed result (``stream``: PA011's read in file order, stopped early) runs
    # the scan ahead until this much is buffered; DuckDB's default, megabytes of
    # rows, made that early stop read half of a large file.
    con.execute(f"SET streaming_buffer_size = {cellsql.sql_string(STREAMING_BUFFER)}")
    con.execute("SET enable_progress_bar = true")
    con.execute("SET enable_progress_bar_print = false")
    try:
        con.execute("SET allowed_paths = $paths", {"paths": [str(p) for p in paths]})
        con.execute("SET allowed_directories = $dirs", {"dirs": [str(tmp) + os.sep]})
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
    except duckdb.Error:
        pass  # older DuckDB: no allow-lists; the queries still name only these files
    return con


def run(
    con: duckdb.DuckDBPyConnection,
    query: str,
    params: dict[str, Any],
    tick: Tick | None = None,
) -> list[tuple[Any, ...]]:
    """Execute ``query`` with the parameters it names; poll DuckDB's progress into ``tick``."""
    bound = {k: v for k, v in params.items() if f"${k}" in query}
    if tick is None:
        return con.execute(query, bound).fetchall()
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["rows"] = con.execute(query, bound).fetchall()
        except BaseException as exc:  # re-raised in the calling thread
            outcome["error"] = exc

    worker = threading.Thread(target=work, name="promoplan-actuals", daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(_POLL_SECONDS)
            percent = con.query_progress()
            if percent >= 0:
                tick(percent / 100)
    except BaseException:
        con.interrupt()
        worker.join()
        raise
    if "error" in outcome:
        raise outcome["error"]
    rows: list[tuple[Any, ...]] = outcome["rows"]
    return rows


def stream(
    con: duckdb.DuckDBPyConnection, query: str, params: dict[str, Any], size: int = 2048
) -> Iterator[tuple[Any, ...]]:
    """The rows of ``query`` as DuckDB produces them, a chunk at a time.

    A caller that stops iterating stops the scan: the pending result is
    dropped by the connection's next query.
    """
    bound = {k: v for k, v in params.items() if f"${k}" in query}
    result = con.execute(query, bound)
    while rows := result.fetchmany(size):
        yield from rows
