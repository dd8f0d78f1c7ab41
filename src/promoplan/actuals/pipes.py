"""Actuals from a pipe (``--actuals <(cmd)``, a named pipe, a piped ``/dev/stdin``).

The engine reads a file more than once (sniffing, the scan, the error path) and
DuckDB seeks; a pipe can be read once only. So a pipe is streamed, once, into a
temporary copy in the engine's own temporary directory, which is read instead;
diagnostics still name the pipe as given.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from promoplan.errors import UsageProblem

CHUNK_BYTES = 1024 * 1024


def is_pipe(path: Path) -> bool:
    """True for a FIFO (a named pipe or ``/dev/fd/N`` of a process substitution)."""
    try:
        return stat.S_ISFIFO(os.stat(path).st_mode)
    except OSError:
        return False


def spool(path: Path, directory: Path, index: int, name: str) -> Path:
    """Copy the pipe ``path`` into ``directory``, streamed; the copy's path."""
    target = directory / f"pipe-{index}.csv"
    try:
        with path.open("rb") as source, target.open("wb") as copy:
            while chunk := source.read(CHUNK_BYTES):
                copy.write(chunk)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise UsageProblem(f"actuals {name}: cannot read the pipe ({reason})") from None
    return target
