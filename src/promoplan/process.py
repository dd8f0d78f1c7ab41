"""The process around the CLI: signals and standard streams, set up before anything else.

The console script's entry point is :func:`main` here, not in ``cli.py``:
this module imports only the standard library, so the signal handlers are in
place a few milliseconds after the interpreter starts, before pydantic, typer,
rich and DuckDB are imported (100 ms and more).

* SIGINT and SIGTERM raise :class:`Interrupted` wherever the program is; the
  ``finally`` blocks and the atomic writer clean up on the way out (no
  temporary file is left, the previous report stays), then one line
  ``promoplan: interrupted`` and exit 130 (SIGINT) or 143 (SIGTERM). Until the
  run's output file is in place, that is: from the rename on
  (:func:`promoplan.errors.settle`) a signal is noted, not raised, and the run
  ends with its work's status; only ``report --notify``'s deliveries stay
  interruptible (:class:`promoplan.errors.Interruptible`: each fails as
  ``interrupted``, exit 4).
* SIGXFSZ is ignored, so that a write over ``ulimit -f`` fails with EFBIG,
  which the writer reports, instead of killing the process with a core dump.
* The cyclic garbage collector runs less often (a young generation of
  :data:`YOUNG_OBJECTS` instead of 700) and not at all at the exit: a run is
  short, and what it builds (pydantic's schemas, typer's and rich's objects, the
  plan and its result) lives until the end. The default thresholds, tuned for
  long-running programs, made ``check`` on the example spend ~30 ms collecting
  objects that were all still alive, and the interpreter's collections at the
  exit took ~50 ms more to free memory the operating system reclaims anyway.
* A closed stdout or stderr (``>&-``, ``2>&-``) is re-opened on /dev/null, so
  that no file promoplan opens later takes descriptor 1 or 2 and receives the
  report meant for the terminal; output meant for a closed stdout is refused
  (exit 2), output meant for ``--output`` is written as usual.
"""

from __future__ import annotations

# Only modules the interpreter has loaded already: this import is what runs
# before the handlers are installed.
import gc
import os
import signal
import sys

from promoplan.errors import Interrupted, hold, received

TYPE_CHECKING = False  # not typing's: importing typing takes 15 ms, before the handlers
if TYPE_CHECKING:
    from collections.abc import Callable
    from types import FrameType

EXIT_SIGINT = 128 + signal.SIGINT
EXIT_SIGTERM = 128 + signal.SIGTERM

# Container objects allocated between two collections of the young generation. The
# bound on what waits to be collected stays small (cycles are rare in what promoplan
# builds: tuples, Decimals, frozen dataclasses).
YOUNG_OBJECTS = 100_000

_closed: set[int] = set()


def ignore_signals() -> None:
    """Ignore SIGINT and SIGTERM from now on."""
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_IGN)


def _raise_interrupted(signum: int, frame: FrameType | None) -> None:
    ignore_signals()  # later signals wait while the first one unwinds and cleans up
    received(signum)
    if not hold(signum):  # inside a section that must not be cut (errors.HeldSignals)
        raise Interrupted(signum)


def _deliver_again(unraisable: sys.UnraisableHookArgs) -> None:
    """An :class:`Interrupted` raised where Python cannot propagate it (a weakref callback
    of the import system, a ``__del__``) is swallowed with a traceback on stderr and the
    run goes on. Raise it again a moment later instead, in ordinary code: a signal sent
    from here would be handled inside this hook, which swallows it too."""
    interrupted = unraisable.exc_value
    if not isinstance(interrupted, Interrupted):
        sys.__unraisablehook__(unraisable)
        return

    def again(signum: int, frame: FrameType | None) -> None:
        if not hold(interrupted.signum):
            raise Interrupted(interrupted.signum)

    if hasattr(signal, "setitimer"):
        signal.signal(signal.SIGALRM, again)
        signal.setitimer(signal.ITIMER_REAL, 0.001)


def install_signal_handlers() -> None:
    """SIGINT and SIGTERM raise :class:`Interrupted`; SIGXFSZ is ignored (writes fail instead)."""
    sys.unraisablehook = _deliver_again
    signal.signal(signal.SIGINT, _raise_interrupted)
    signal.signal(signal.SIGTERM, _raise_interrupted)
    if hasattr(signal, "SIGXFSZ"):
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def occupy_closed_streams() -> None:
    """Re-open a closed fd 0, 1 or 2 on /dev/null, and remember which were closed."""
    import contextlib  # noqa: PLC0415  # after the handlers are installed
    import io  # noqa: PLC0415

    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            _closed.add(fd)
            try:
                opened = os.open(os.devnull, os.O_RDWR)
            except OSError:
                continue
            if opened != fd:  # the lowest free descriptor is ``fd`` itself
                os.dup2(opened, fd)
                os.close(opened)
    if 1 in _closed:
        from promoplan.output import mark_stdout_closed  # noqa: PLC0415  # standard library only

        mark_stdout_closed()
        sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8")
    if 2 in _closed:
        sys.stderr = io.TextIOWrapper(
            io.FileIO(2, "w", closefd=False), encoding="utf-8", errors="backslashreplace"
        )
    # Messages on stderr never fail for want of an encoding (PYTHONIOENCODING=ascii:strict).
    with contextlib.suppress(AttributeError, ValueError):
        sys.stderr.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]  # a TextIOWrapper


def interrupted(status: int) -> None:
    """Say ``promoplan: interrupted`` on stderr (when it is open) and exit with ``status``."""
    if hasattr(signal, "setitimer"):
        signal.setitimer(signal.ITIMER_REAL, 0)  # no re-delivery (see _deliver_again) now
    message = "promoplan: interrupted\n"
    try:
        sys.stderr.write(message)
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):
        # sys.stderr unusable (interrupted while it was being set up): the descriptor.
        try:  # noqa: SIM105  # contextlib may not be imported yet this early
            os.write(2, message.encode())
        except OSError:
            pass  # stderr closed: the exit status says it
    _quiet_exit(status)


def _quiet_exit(status: int) -> None:
    """Exit; what is still buffered for stdout is dropped (no half report), and the
    interpreter's final flush cannot fail on a broken pipe."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.close(null)
    except OSError:
        pass
    sys.exit(status)


def run(app: Callable[[], object]) -> None:
    """Run ``app`` (the CLI), turning an interruption into its exit status."""
    try:
        app()
    except Interrupted as stop:
        interrupted(stop.status)
    except KeyboardInterrupt:  # SIGINT before the handlers were installed (python -m)
        interrupted(EXIT_SIGINT)
    finally:
        # The work is done (or undone): a signal now would only make the exit status
        # lie. Python keeps an ignored disposition through its own shutdown.
        try:  # noqa: SIM105  # one that lands before the disposition changes: the same
            ignore_signals()
        except Interrupted:
            pass
        # Nothing is collected at the exit: the files are closed by now (every writer
        # closes its own), and the operating system takes the memory back at once.
        gc.freeze()


def main() -> None:
    """Console-script entry point: handlers and streams first, then the CLI."""
    run(_start)


def _start() -> None:
    # Inside run()'s try from the first handler on: a signal that lands between two
    # of these lines (the test's "at once") ends in one line and 130/143 like any other.
    install_signal_handlers()
    gc.set_threshold(YOUNG_OBJECTS)
    occupy_closed_streams()
    from promoplan.cli import main as cli  # noqa: PLC0415  # after the handlers are in place

    cli()
