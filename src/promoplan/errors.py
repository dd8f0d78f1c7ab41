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
_held: list[int] = []  # one entry per held section the main thread is in (see HeldSignals)
_pending: list[int] = []  # a signal that arrived inside one, raised when the outermost ends


def received(signum: int) -> None:
    """Record that signal ``signum`` arrived (the entry point's handler calls this)."""
    _received.append(signum)


def hold(signum: int) -> bool:
    """Keep ``signum`` for the end of the held section the main thread is in, if it is in
    one (the handler then returns instead of raising); False when it is in none."""
    if not _held:
        return False
    _pending.append(signum)
    return True


class HeldSignals:
    """A section of the main thread that a SIGINT or SIGTERM must not cut: it arrives,
    and :class:`Interrupted` is raised when the section ends, not inside it.

    The handler raises wherever Python is, and Python runs inside C extensions too:
    DuckDB's module builds its enums with Python's ``enum`` while it is imported, and
    its binding library aborts the process (SIGABRT) when one of them fails, or the
    import swallows the exception and the run goes on as if no signal had come. Only
    the main thread runs signal handlers: elsewhere the section holds nothing.
    """

    def __init__(self) -> None:
        self.holding = False

    def __enter__(self) -> None:
        import threading  # noqa: PLC0415  # loaded by the time anything is held

        self.holding = threading.current_thread() is threading.main_thread()
        if self.holding:
            _held.append(1)

    def __exit__(self, *exc: object) -> None:
        if not self.holding:
            return
        _held.pop()
        if not _held and _pending:
            raise Interrupted(_pending.pop())


def interruption() -> Interrupted | None:
    """The interruption under way, if a signal arrived.

    DuckDB checks for signals itself during a query and raises its own error
    ("Query interrupted") in place of :class:`Interrupted`; the CLI asks here
    before calling such an error a bug.
    """
    return Interrupted(_received[0]) if _received else None
