"""Writing results: stdout, or a file replaced atomically with its mode kept.

Also where a report goes (:func:`output_target`) and the lock that keeps two
cron runs from writing it at once (:func:`output_lock`).
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from promoplan.errors import Locked, UsageProblem

LOCK_WAIT_SECONDS = 5.0  # how long a second run waits for the lock before exit 75
LOCK_POLL_SECONDS = 0.1
EXTENSIONS = {"markdown": "md", "html": "html", "json": "json", "csv": "csv"}


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a reader sees the old file or the new one, never half.

    The temporary file lives beside the target, is fsynced, gets the previous
    file's mode (or 0644 less the umask) and replaces the target with ``os.replace``.
    """
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise UsageProblem(f"cannot write {path}: directory {directory} does not exist")
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise UsageProblem(f"cannot write {path}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, mode)
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    with contextlib.suppress(OSError):
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def emit(text: str, output: Path | None) -> None:
    """Print ``text`` to stdout, or write it atomically to ``output``."""
    if output is None:
        sys.stdout.write(text)
        if text and not text.endswith("\n"):
            sys.stdout.write("\n")
        sys.stdout.flush()
        return
    if output.is_dir():
        raise UsageProblem(f"--output {output} is a directory; give a file name")
    write_atomic(output, text.encode("utf-8"))


def output_target(output: Path | None, plan_path: Path, label: str, fmt: str) -> Path | None:
    """``--output``: a file as given, or in a directory ``{plan-stem}-{period}.{ext}``."""
    if output is None:
        return None
    if output.is_dir():
        return output / f"{plan_path.stem}-{label}.{EXTENSIONS[fmt]}"
    return output


@contextlib.contextmanager
def output_lock(target: Path | None, wait: float | None = None) -> Iterator[None]:
    """Hold ``<target>.lock`` (``flock``) while writing; :class:`Locked` after ``wait`` seconds.

    No target (stdout) needs no lock. The lock file is left in place (removing it
    would race with a waiting run); the kernel releases the lock when the process
    ends, however it ends.
    """
    if target is None:
        yield
        return
    try:
        import fcntl  # noqa: PLC0415  # POSIX only; elsewhere the report runs unlocked
    except ImportError:
        yield
        return
    lock_path = target.with_name(target.name + ".lock")
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as exc:
        raise UsageProblem(
            f"cannot create the lock file {lock_path}: {exc.strerror}; check the output directory"
        ) from None
    try:
        deadline = time.monotonic() + (LOCK_WAIT_SECONDS if wait is None else wait)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError:
                if time.monotonic() >= deadline:
                    raise Locked(
                        f"{target}: another promoplan report is writing it (lock {lock_path} "
                        "is held); gave up waiting, try again later"
                    ) from None
                time.sleep(LOCK_POLL_SECONDS)
        _remove_stale_temporaries(target)
        yield
    finally:
        os.close(fd)


def _remove_stale_temporaries(target: Path) -> None:
    """Temporary files a killed run left beside ``target`` (we hold the lock: none is live)."""
    directory = target.parent if str(target.parent) else Path(".")
    with contextlib.suppress(OSError):
        for leftover in directory.glob(f".{target.name}.*.tmp"):
            with contextlib.suppress(OSError):
                leftover.unlink()
