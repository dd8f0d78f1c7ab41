"""Actuals a database is computing: a source starts its query and returns a :class:`Pending`.

The cube query runs for most of a ``check`` from a database (about 0.8 s of
1.8 at a million rows), and the client has nothing to do but wait. So a source
sends it as soon as it can be built and returns something to wait on; the
reader does what does not need the numbers meanwhile (importing the evaluation
and the renderer), then :meth:`Pending.wait`. Leaving the ``with`` block
before the cube came back (an error, or :class:`promoplan.errors.Interrupted`
raised in the main thread by SIGINT or SIGTERM) cancels the query on the
server and closes the connection.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from types import TracebackType
from typing import Generic, TypeVar

from promoplan.actuals.model import Actuals

T = TypeVar("T")


class Pending(ABC):
    """The cube of a query under way; a context manager that releases the query on exit."""

    @abstractmethod
    def wait(self) -> Actuals:
        """Wait for the cube (once); the source's problems are raised here."""

    @abstractmethod
    def close(self) -> None:
        """Cancel the query if it still runs and close its connection; idempotent."""

    def __enter__(self) -> Pending:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class Ready(Pending):
    """Actuals already read: an engine that computes in the caller's thread (DuckDB, Spark),
    or a table that cannot serve the plan (its diagnostics)."""

    def __init__(self, actuals: Actuals) -> None:
        self._actuals = actuals

    def wait(self) -> Actuals:
        """The actuals read."""
        return self._actuals

    def close(self) -> None:
        """Nothing runs."""


class Background(Generic[T]):
    """``call()`` in a worker thread, so that the thread that started it works meanwhile.

    A driver waiting for its server releases the GIL, so the wait costs the
    caller nothing. Signals are handled in the main thread only: a wait in
    :meth:`result` is interruptible, and the worker is never interrupted (the
    caller cancels the query on the server, and the worker's call returns).
    """

    def __init__(self, call: Callable[[], T], name: str) -> None:
        self._call = call
        self._done = threading.Event()
        self._value: T | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._value = self._call()
        except BaseException as exc:  # handed to the caller's thread
            self._error = exc
        finally:
            self._done.set()

    def result(self) -> T:
        """Wait for the call; its value, or its exception raised here."""
        self._done.wait()
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]  # set when the call returned

    def running(self) -> bool:
        """True while the call has not returned."""
        return not self._done.is_set()

    def join(self, timeout: float) -> bool:
        """Wait at most ``timeout`` seconds for the call to return; True when it has."""
        return self._done.wait(timeout)
