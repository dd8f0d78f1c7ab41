"""Writing results: to stdout, or to ``--output``.

A regular file (or a new one) is replaced atomically with its mode kept: a
temporary file beside it, fsynced, renamed over it. Anything else (a FIFO, a
character device such as ``/dev/null``, ``/dev/stdout`` or ``/dev/fd/N``) is
opened and written directly: renaming a file over it would replace the device
or pipe itself. A target that is one of the run's own inputs is refused, and
every failure to write is one line, ``cannot write FILE: reason`` (exit 2),
with the previous file left byte-identical and no temporary file behind.

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

from promoplan.errors import HeldSignals, Locked, UsageProblem, settle

LOCK_WAIT_SECONDS = 5.0  # how long a second run waits for the lock before exit 75
LOCK_POLL_SECONDS = 0.1
EXTENSIONS = {"markdown": "md", "html": "html", "json": "json", "csv": "csv"}

# Paths under these are kernel interfaces: written through, never replaced.
_SPECIAL_ROOTS = ("/dev/", "/proc/")
_MAX_LINK_HOPS = 40

# (device, inode) of every file this run reads: the plan(s) and the actuals.
_inputs: dict[tuple[int, int], str] = {}
_replaced_note_given = False
_stdout_closed = False  # set by the entry point when the process started with fd 1 closed


def mark_stdout_closed() -> None:
    """The process started with stdout closed: output meant for it is refused."""
    global _stdout_closed  # noqa: PLW0603  # one process-wide fact, set once at start
    _stdout_closed = True


def note_input(path: Path | str) -> None:
    """Remember that this run reads ``path``, so that ``--output`` cannot name it.

    Compared by device and inode, so a symlink or a hard link to an input is
    recognised too.
    """
    try:
        found = os.stat(path)
    except (OSError, ValueError):
        return  # not readable: the reader says why
    _inputs.setdefault((found.st_dev, found.st_ino), str(path))


def forget_inputs() -> None:
    """Start a new run: no input is known yet."""
    global _replaced_note_given  # noqa: PLW0603  # one note per run, reset with the inputs
    _inputs.clear()
    _replaced_note_given = False


def check_target(path: Path) -> None:
    """:class:`UsageProblem` when ``path`` (through any link) is one of the run's inputs."""
    try:
        found = os.stat(path)
    except (OSError, ValueError):
        return
    name = _inputs.get((found.st_dev, found.st_ino))
    if name is not None and not stat.S_ISCHR(found.st_mode):
        same = ""
        if os.path.abspath(name) != os.path.abspath(path):
            same = f" (the same file as {name})"
        raise UsageProblem(
            f"--output {path} is one of this run's inputs{same}; writing there would destroy "
            "it: give another file"
        )


STDOUT = "-"  # ``--output -``: standard output, as if --output were not given


def output_file(raw: str | None) -> Path | None:
    """``--output`` of a command that writes one file; a trailing ``/`` is refused.

    ``None`` (standard output) for no ``--output`` and for ``--output -``; a file
    named ``-`` is ``--output ./-``.
    """
    if raw is None or raw == STDOUT:
        return None
    _refuse_blank(raw)
    if raw.endswith(("/", os.sep)):
        raise UsageProblem(
            f"--output {raw} ends with '/', so it names a directory; give a file name"
        )
    path = Path(raw)
    check_directory(path)  # before the read, which may be long
    return path


def _refuse_blank(raw: str) -> None:
    """-o "$OUT" with OUT unset is a usage problem, not the current directory."""
    if not raw.strip():
        raise UsageProblem(f"--output {raw!r} is empty (an unset variable?); name a file, or -")


def check_directory(path: Path, shown: Path | None = None) -> Path:
    """The directory ``path`` is written in; :class:`UsageProblem` when it does not exist."""
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        what = (
            f"{directory} is a file, not a directory"
            if directory.exists()
            else f"directory {directory} does not exist"
        )
        raise UsageProblem(f"cannot write {shown if shown is not None else path}: {what}")
    return directory


def output_place(raw: str | None) -> tuple[Path | None, bool]:
    """``report --output``: the path, and whether a trailing ``/`` makes it a directory
    (``None`` for standard output: no ``--output``, or ``--output -``)."""
    if raw is None or raw == STDOUT:
        return None, False
    _refuse_blank(raw)
    return Path(raw), raw.endswith(("/", os.sep))


def make_directory(path: Path) -> None:
    """Create ``path`` and its parents (``report -o reports/``); :class:`UsageProblem` if not."""
    if path.is_dir():
        return
    if path.exists():
        raise UsageProblem(f"cannot write {path}/: {path} exists and is not a directory")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageProblem(f"cannot create the directory {path}: {_reason(exc)}") from None


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def _special(path: Path) -> bool:
    """True when ``path`` is, or links to, something under /dev or /proc (``/dev/stdout``)."""
    if os.path.realpath(path).startswith(_SPECIAL_ROOTS):
        return True
    current = os.path.abspath(path)
    for _ in range(_MAX_LINK_HOPS):
        if current.startswith(_SPECIAL_ROOTS):
            return True
        try:
            link = os.readlink(current)
        except OSError:
            return False
        current = os.path.abspath(os.path.join(os.path.dirname(current), link))
    return True


def replaces(path: Path) -> bool:
    """True when :func:`write_to` would replace ``path`` atomically (a regular or new file
    outside /dev and /proc); False for what it writes into directly."""
    try:
        found = os.stat(path)
    except OSError:
        return not _special(path)
    return stat.S_ISREG(found.st_mode) and not _special(path)


def write_to(path: Path, data: bytes) -> None:
    """Write ``data`` to ``--output`` ``path``: atomically for a regular file, else directly."""
    check_target(path)
    try:
        found: os.stat_result | None = os.stat(path)
    except FileNotFoundError:
        found = None
    except OSError as exc:
        raise UsageProblem(f"cannot write {path}: {_reason(exc)}") from None
    if found is not None and stat.S_ISDIR(found.st_mode):
        raise UsageProblem(f"cannot write {path}: is a directory; give a file name")
    if _special(path) or (found is not None and not stat.S_ISREG(found.st_mode)):
        write_directly(path, data, append=found is not None and stat.S_ISREG(found.st_mode))
        return
    # Through a symlink, replace the file it points to and keep the link.
    real = Path(os.path.realpath(path)) if path.is_symlink() else path
    write_atomic(real, data, shown=path)


def write_directly(path: Path, data: bytes, *, append: bool = False) -> None:
    """Open an existing non-regular ``path`` (FIFO, device, ``/dev/fd/N``) and write into it.

    Never creates a file. ``append`` is for a regular file reached through
    ``/dev/stdout`` or ``/proc/self/fd``: the shell opened it, maybe with ``>>``.
    """
    flags = os.O_WRONLY | os.O_NOCTTY | (os.O_APPEND if append else 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        kind = " (a socket cannot be opened as a file)" if _is_socket(path) else ""
        raise UsageProblem(f"cannot write {path}: {_reason(exc)}{kind}") from None
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
    except OSError as exc:
        raise UsageProblem(f"cannot write {path}: {_reason(exc)}") from None
    finally:
        os.close(fd)


def _is_socket(path: Path) -> bool:
    with contextlib.suppress(OSError):
        return stat.S_ISSOCK(os.stat(path).st_mode)
    return False


def write_atomic(path: Path, data: bytes, *, shown: Path | None = None) -> None:
    """Write ``data`` to ``path`` so that a reader sees the old file or the new one, never half.

    The temporary file lives beside the target, is fsynced, gets the previous
    file's mode (or 0644 less the umask) and replaces the target with ``os.replace``;
    from then on the run is settled (:func:`promoplan.errors.settle`: a signal no
    longer interrupts it), so this is the last step of a command that can fail.
    Any failure (full disk, file size limit, read-only directory) is
    :class:`UsageProblem` naming ``shown`` (default ``path``), with the temporary file removed.
    """
    name = shown if shown is not None else path
    directory = check_directory(path, name)  # checked before the read too; it may be gone
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise UsageProblem(f"cannot write {name}: {_reason(exc)}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, mode)
        # The new file in place and the run settled, with no signal in between: from the
        # rename on, a signal would only make the exit status say the file was not
        # replaced (130/143) while it was.
        with HeldSignals():
            os.replace(tmp_name, path)
            settle()
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        if isinstance(exc, OSError):
            raise UsageProblem(f"cannot write {name}: {_reason(exc)}") from None
        raise
    with contextlib.suppress(OSError):
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def ascii_json(text: str) -> str:
    r"""The same JSON document with every non-ASCII character written as ``\uXXXX``.

    JSON's own syntax is ASCII, so non-ASCII characters occur only inside strings,
    where the escape means the same character.
    """
    if text.isascii():
        return text
    out: list[str] = []
    for char in text:
        code = ord(char)
        if code < 0x80:
            out.append(char)
        elif code <= 0xFFFF:
            out.append(f"\\u{code:04x}")
        else:
            code -= 0x10000
            out.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
    return "".join(out)


def write_stdout(text: str, *, json: bool = False) -> None:
    """Print ``text`` to stdout, in what its encoding can carry.

    JSON is escaped to ASCII when the stream cannot carry it; other text has the
    characters it cannot carry replaced, said once on stderr.
    """
    if _stdout_closed:
        raise UsageProblem("cannot write the output: stdout is closed; pass --output FILE")
    if text and not text.endswith("\n"):
        text += "\n"
    stream = sys.stdout
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        text = ascii_json(text) if json else _replaced(text, encoding)
    except LookupError:
        pass
    try:
        stream.write(text)
        stream.flush()
    except OSError as exc:
        _silence_stdout()
        raise UsageProblem(f"cannot write to stdout: {_reason(exc)}") from None


def _replaced(text: str, encoding: str) -> str:
    global _replaced_note_given  # noqa: PLW0603  # said once per run
    if not _replaced_note_given:
        _replaced_note_given = True
        sys.stderr.write(
            f"promoplan: stdout's encoding ({encoding}) cannot show every character; they "
            "print as '?' (set PYTHONIOENCODING=utf-8, or write the file with --output)\n"
        )
    return text.encode(encoding, errors="replace").decode(encoding)


def _silence_stdout() -> None:
    """After a failed write, point stdout at /dev/null so the exit flush cannot fail again."""
    with contextlib.suppress(OSError, ValueError):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)


def emit(text: str, output: Path | None, *, json: bool = False) -> None:
    """Print ``text`` to stdout, or write it to ``output`` (``json``: the text is JSON)."""
    if output is None:
        write_stdout(text, json=json)
        return
    write_to(output, text.encode("utf-8"))


def output_target(
    output: Path | None, plan_path: Path, label: str, fmt: str, *, directory: bool = False
) -> Path | None:
    """``--output``: a file as given, or in a directory ``{plan-stem}-{period}.{ext}``.

    With ``directory`` (``-o reports/``, a trailing slash) the directory is created
    with its parents when missing. The file chosen may not be one of the run's inputs.
    """
    if output is None:
        return None
    if directory:
        make_directory(output)
    target = output
    if directory or output.is_dir():
        target = output / f"{plan_path.stem}-{label}.{EXTENSIONS[fmt]}"
    check_directory(target)  # before the lock and the long read
    check_target(target)
    return target


@contextlib.contextmanager
def output_lock(target: Path | None, wait: float | None = None) -> Iterator[None]:
    """Hold ``<target>.lock`` (``flock``) while writing; :class:`Locked` after ``wait`` seconds.

    No target (stdout), or one written into rather than replaced (a FIFO, a device,
    anything under /dev), needs no lock: no lock file is made beside it. The lock
    file is left in place (removing it would race with a waiting run); the kernel
    releases the lock when the process ends, however it ends.
    """
    if target is None or not replaces(target):
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
            f"cannot write {target}: cannot create the lock file {lock_path} ({exc.strerror})"
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
