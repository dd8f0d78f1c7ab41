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
_settled: list[int] = []  # not empty once the run's output is in place (see settle)


def received(signum: int) -> None:
    """Record that signal ``signum`` arrived (the entry point's handler calls this)."""
    _received.append(signum)


def hold(signum: int) -> bool:
    """Keep ``signum`` instead of raising it (the handler then returns): for the end of the
    held section the main thread is in, or for good once the run's output is in place
    (:func:`settle`). False when neither is the case."""
    if _settled:
        return True  # noted by received(): an Interruptible section raises it
    if not _held:
        return False
    _pending.append(signum)
    return True


def settle() -> None:
    """The run's output is in place (its file renamed over the previous one): a SIGINT or
    SIGTERM from now on, or one held while the file was being put there, no longer
    interrupts, and the run ends with the status of its work.

    Called inside a :class:`HeldSignals` section right after the rename, so that no
    signal lands between the two. What still follows and can fail (``report --notify``)
    runs in an :class:`Interruptible` section.
    """
    _settled.append(1)
    _pending.clear()


def unsettle() -> None:
    """A new run starts in this process (tests run many): its output is not in place yet."""
    _settled.clear()


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


class Interruptible:
    """A section after :func:`settle` that a SIGINT or SIGTERM still interrupts: work that
    can fail once the output is in place (``report --notify``'s notifications).

    A signal that arrived since the output was put in place is raised on entry; one
    during the section, at once. Afterwards the run is settled again, as it was before.
    """

    def __init__(self) -> None:
        self.was_settled = False

    def __enter__(self) -> None:
        self.was_settled = bool(_settled)
        if not self.was_settled:
            return
        # Cleared first: a signal from now on raises at once, one noted before raises here.
        _settled.clear()
        if _received:
            _settled.append(1)
            raise Interrupted(_received[0])

    def __exit__(self, *exc: object) -> None:
        if self.was_settled:
            _settled.append(1)


def interruption() -> Interrupted | None:
    """The interruption under way, if a signal arrived.

    DuckDB checks for signals itself during a query and raises its own error
    ("Query interrupted") in place of :class:`Interrupted`; the CLI asks here
    before calling such an error a bug.
    """
    return Interrupted(_received[0]) if _received else None
