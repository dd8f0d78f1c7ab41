"""Exceptions for "could not run as asked" (exit 2) and for an interruption (exit 130/143);
findings are diagnostics, never exceptions."""

from __future__ import annotations


class UsageProblem(Exception):
    """The command cannot run as asked: a missing file, a bad option value.

    The message is one line that says what to do; the CLI prints it and exits 2.
    """


class Locked(Exception):
    """Another run is writing the same output (``report`` exits 75)."""


class Interrupted(BaseException):
    """SIGINT or SIGTERM arrived; a BaseException, so that ``except Exception`` lets it pass."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def status(self) -> int:
        """The conventional exit status: 128 plus the signal number."""
        return 128 + self.signum


_received: list[int] = []  # the signal that arrived, if one did


def received(signum: int) -> None:
    """Record that signal ``signum`` arrived (the entry point's handler calls this)."""
    _received.append(signum)


def interruption() -> Interrupted | None:
    """The interruption under way, if a signal arrived.

    DuckDB checks for signals itself during a query and raises its own error
    ("Query interrupted") in place of :class:`Interrupted`; the CLI asks here
    before calling such an error a bug.
    """
    return Interrupted(_received[0]) if _received else None
