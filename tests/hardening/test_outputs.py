"""Where ``--output`` writes: never over an input, never replacing a device or a pipe.

Every command that takes ``-o`` is run with it pointed at each of its inputs
(as named, through a symlink, through a hard link), a FIFO, a character device
(one made with mknod in the test's directory, and ``/dev/null`` itself), a
directory with a trailing slash, and a full filesystem (a 64 KiB tmpfs when
the test may mount one, else ``ulimit -f``). No input changes, no device or
pipe is replaced by a regular file, and the exit statuses are 2 with one line
for what cannot be written, the command's own status otherwise.
"""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import socket
import stat
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from clirunner import run_cli
from hardening.files import (
    CASES,
    KNOWN_BYTES,
    assert_untouched,
    existing_output,
    no_temporaries,
    run_process,
)

ACTUALS = "date,channel,gmv,spend\n2025-01-05,douyin,100,10\n2025-01-06,wecom,50,5\n"
AS_OF = ("--as-of", "2025-01-31")
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


@dataclass(frozen=True)
class Command:
    """One command line: its arguments before ``-o``, its inputs, its status when it writes."""

    args: tuple[str, ...]
    inputs: tuple[str, ...]
    status: int = 0


COMMANDS = {
    "validate": Command(("validate", "plan.yaml"), ("plan.yaml",)),
    "check": Command(("check", "plan.yaml", "-a", "a.csv", *AS_OF), ("plan.yaml", "a.csv")),
    "check-json": Command(
        ("check", "plan.yaml", "-a", "a.csv", *AS_OF, "-f", "json"), ("plan.yaml", "a.csv")
    ),
    "report": Command(("report", "plan.yaml", "-a", "a.csv", *AS_OF), ("plan.yaml", "a.csv")),
    "report-html": Command(
        ("report", "plan.yaml", "-a", "a.csv", *AS_OF, "-f", "html"), ("plan.yaml", "a.csv")
    ),
    "diff": Command(("diff", "plan.yaml", "new.yaml"), ("plan.yaml", "new.yaml")),
    "schema": Command(("schema",), ()),
}


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A directory with a plan, a second version of it and actuals; the working directory."""
    plan = (CASES / "csv-plan.yaml").read_text(encoding="utf-8")
    (tmp_path / "plan.yaml").write_text(plan, encoding="utf-8")
    (tmp_path / "new.yaml").write_text(plan.replace("100万}", "120万}", 1), encoding="utf-8")
    (tmp_path / "a.csv").write_text(ACTUALS, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _snapshot(work: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in work.iterdir() if p.is_file() and not p.is_symlink()}


# --- -o at one of the command's own inputs --------------------------------------------


@pytest.mark.parametrize("how", ["named", "symlink", "hardlink"])
@pytest.mark.parametrize("name", sorted(n for n, c in COMMANDS.items() if c.inputs))
def test_output_at_an_input_is_refused(work: Path, name: str, how: str) -> None:
    command = COMMANDS[name]
    for number, target in enumerate(command.inputs):
        given = target
        if how == "symlink":
            given = f"link{number}"
            (work / given).symlink_to(target)
        elif how == "hardlink":
            given = f"hard{number}"
            os.link(work / target, work / given)
        before = _snapshot(work)
        outcome = run_cli(*[*command.args, "-o", given])
        assert outcome.exit_code == 2, (given, outcome)
        lines = outcome.stderr.strip().splitlines()
        assert len(lines) == 1, lines
        assert "one of this run's inputs" in lines[0]
        assert _snapshot(work) == before
        assert (work / given).is_symlink() == (how == "symlink")
        assert not no_temporaries(work)


def test_report_into_a_directory_refuses_an_input_there(work: Path) -> None:
    """The report's own file name inside the output directory can be an input too."""
    out = work / "out"
    out.mkdir()
    (out / "plan-2025-W04.md").symlink_to(work / "a.csv")
    outcome = run_cli(*[*COMMANDS["report"].args, "-o", "out"])
    assert outcome.exit_code == 2
    assert "one of this run's inputs" in outcome.stderr
    assert (work / "a.csv").read_text(encoding="utf-8") == ACTUALS


# --- non-regular targets ---------------------------------------------------------------


@contextlib.contextmanager
def reading(fifo: Path) -> Iterator[list[bytes]]:
    """A thread that reads ``fifo`` to its end while the block runs; the bytes it got."""
    got: list[bytes] = []

    def read() -> None:
        with fifo.open("rb") as handle:
            got.append(handle.read())

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    try:
        yield got
    finally:
        if thread.is_alive():
            with contextlib.suppress(OSError):  # unblock the reader if nothing opened the FIFO
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        thread.join(10)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_output_into_a_fifo_is_written_through(work: Path, name: str) -> None:
    command = COMMANDS[name]
    fifo = work / "pipe"
    os.mkfifo(fifo)
    with reading(fifo) as got:
        outcome = run_cli(*[*command.args, "-o", fifo])
    assert outcome.exit_code == command.status, outcome
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert got, "the reader got nothing"
    assert got[0].strip(), "the reader got nothing"
    assert not no_temporaries(work)
    assert not [p for p in work.iterdir() if p.name.endswith(".lock")]


@pytest.mark.skipif(not IS_ROOT, reason="mknod of a character device needs root")
@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_output_into_a_character_device_is_written_through(work: Path, name: str) -> None:
    """A null device made in the test's directory: replacing it would show, and harm nothing."""
    device = work / "null"
    os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    outcome = run_cli(*[*COMMANDS[name].args, "-o", device])
    assert outcome.exit_code == COMMANDS[name].status, outcome
    assert stat.S_ISCHR(device.lstat().st_mode), "the device was replaced by a file"
    assert not no_temporaries(work)
    assert not [p for p in work.iterdir() if p.name.endswith(".lock")]


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_output_into_dev_null_leaves_it_a_device(work: Path, name: str) -> None:
    dev_null = Path("/dev/null")
    assert stat.S_ISCHR(dev_null.lstat().st_mode)
    try:
        outcome = run_cli(*[*COMMANDS[name].args, "-o", dev_null])
    finally:
        replaced = not stat.S_ISCHR(dev_null.lstat().st_mode)
        if replaced and IS_ROOT:  # put the machine's /dev/null back before failing
            dev_null.unlink()
            os.mknod(dev_null, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
            dev_null.chmod(0o666)
    assert not replaced, "/dev/null was replaced by a regular file"
    assert outcome.exit_code == COMMANDS[name].status, outcome


def test_output_to_dev_stdout_appends_to_the_shell_redirection(work: Path) -> None:
    """``-o /dev/stdout`` with ``>> log``: written into the log, which is not truncated."""
    log = work / "log.txt"
    log.write_bytes(b"earlier line\n")
    with log.open("ab") as handle:
        done = run_process(
            [*COMMANDS["check-json"].args, "-o", "/dev/stdout"], cwd=work, stdout=handle
        )
    assert done.returncode == 0, done.stderr
    text = log.read_text(encoding="utf-8")
    assert text.startswith("earlier line\n{")
    assert '"schema_version": 1' in text
    assert stat.S_ISREG(log.lstat().st_mode)


def test_output_to_a_socket_is_exit_2(work: Path) -> None:
    path = work / "sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        server.bind(str(path))
        outcome = run_cli(*[*COMMANDS["validate"].args, "-o", path])
    finally:
        server.close()
    assert outcome.exit_code == 2
    assert outcome.stderr.startswith(f"promoplan: cannot write {path}: ")
    assert stat.S_ISSOCK(path.lstat().st_mode)


# --- directories -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["report", "report-html"])
def test_report_trailing_slash_creates_the_directory(work: Path, name: str) -> None:
    outcome = run_cli(*[*COMMANDS[name].args, "-o", "reports/weekly/"])
    assert outcome.exit_code == 0, outcome
    directory = work / "reports" / "weekly"
    assert directory.is_dir()
    extension = "html" if name.endswith("html") else "md"
    assert (directory / f"plan-2025-W04.{extension}").stat().st_size > 0
    assert not (work / "reports" / "weekly.md").exists()


def test_report_trailing_slash_on_a_file_is_exit_2(work: Path) -> None:
    (work / "reports").write_bytes(KNOWN_BYTES)
    outcome = run_cli(*[*COMMANDS["report"].args, "-o", "reports/"])
    assert outcome.exit_code == 2
    assert "is not a directory" in outcome.stderr
    assert (work / "reports").read_bytes() == KNOWN_BYTES


@pytest.mark.parametrize("name", sorted(n for n in COMMANDS if not n.startswith("report")))
def test_trailing_slash_for_a_one_file_command_is_exit_2(work: Path, name: str) -> None:
    outcome = run_cli(*[*COMMANDS[name].args, "-o", "out/"])
    assert outcome.exit_code == 2
    assert "names a directory" in outcome.stderr
    assert not (work / "out").exists()


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_output_into_a_missing_directory_is_exit_2_before_the_read(work: Path, name: str) -> None:
    """Said at once, not after a long read (and not as report's lock file failing)."""
    (work / "a.csv").write_bytes(b"PK\x03\x04 a workbook")  # PA001 (exit 1) if it were read
    outcome = run_cli(*[*COMMANDS[name].args, "-o", "missing/out.txt"])
    assert outcome.exit_code == 2, outcome.stderr
    assert outcome.stderr == (
        "promoplan: cannot write missing/out.txt: directory missing does not exist\n"
    )
    assert not (work / "missing").exists()


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_a_blank_output_or_one_inside_a_file_is_exit_2_saying_so(work: Path, name: str) -> None:
    """-o "" (an unset variable) was "cannot write .: is a directory"; -o a.csv/x.json
    said directory a.csv "does not exist", beside the file it is."""
    before = _snapshot(work)
    blank = run_cli(*[*COMMANDS[name].args, "-o", ""])
    assert blank.exit_code == 2, blank.stderr
    assert (
        blank.stderr == "promoplan: --output '' is empty (an unset variable?); name a file, or -\n"
    )
    inside = run_cli(*[*COMMANDS[name].args, "-o", "a.csv/out.txt"])
    assert inside.exit_code == 2, inside.stderr
    assert "a.csv is a file, not a directory" in inside.stderr
    assert _snapshot(work) == before


def test_report_name_inside_the_directory_is_a_directory(work: Path) -> None:
    (work / "out" / "plan-2025-W04.md").mkdir(parents=True)
    outcome = run_cli(*[*COMMANDS["report"].args, "-o", "out"])
    assert outcome.exit_code == 2
    assert outcome.stderr == "promoplan: cannot write out/plan-2025-W04.md: is a directory; " \
        "give a file name\n"  # fmt: skip
    assert not no_temporaries(work / "out")


# --- failing writes ----------------------------------------------------------------------


@contextlib.contextmanager
def small_filesystem(directory: Path) -> Iterator[Path | None]:
    """A 64 KiB tmpfs mounted on ``directory`` (None when this test may not mount one)."""
    directory.mkdir()
    mount = shutil.which("mount")
    if mount is None or not IS_ROOT:
        yield None
        return
    done = subprocess.run(
        [mount, "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(directory)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        yield None
        return
    try:
        yield directory
    finally:
        subprocess.run(["umount", str(directory)], check=False, capture_output=True)


def _fill(directory: Path) -> None:
    with contextlib.suppress(OSError), (directory / "filler").open("wb") as handle:
        while True:
            handle.write(b"x" * 1024)
            handle.flush()


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_full_disk_is_exit_2_with_the_previous_file_intact(work: Path, name: str) -> None:
    command = COMMANDS[name]
    with small_filesystem(work / "small") as mounted:
        if mounted is None:
            # No tmpfs: the same failure through the file size limit (EFBIG).
            previous = existing_output(work)

            def limit() -> None:
                resource.setrlimit(resource.RLIMIT_FSIZE, (64, 64))

            done = run_process([*command.args, "-o", previous], cwd=work, preexec_fn=limit)
            stderr = done.stderr.decode()
            assert done.returncode == 2, stderr
            assert stderr == f"promoplan: cannot write {previous}: File too large\n"
            assert_untouched(previous)
            return
        previous = existing_output(mounted)
        _fill(mounted)
        outcome = run_cli(*[*command.args, "-o", previous])
        assert outcome.exit_code == 2, outcome
        assert outcome.stderr == f"promoplan: cannot write {previous}: No space left on device\n"
        assert_untouched(previous, others=["filler"])


def test_file_size_limit_is_exit_2_not_a_signal(work: Path) -> None:
    """SIGXFSZ would kill the process (and dump core); it is ignored, so write says EFBIG."""
    previous = existing_output(work)

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (64, 64))

    done = run_process([*COMMANDS["report"].args, "-o", previous], cwd=work, preexec_fn=limit)
    assert done.returncode == 2, done.stderr
    assert done.stderr.decode() == f"promoplan: cannot write {previous}: File too large\n"
    assert_untouched(previous)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_read_only_directory_is_exit_2(work: Path, name: str) -> None:
    with small_filesystem(work / "ro") as mounted:
        if mounted is None:
            pytest.skip("cannot mount a tmpfs to make read-only (root only)")
        previous = existing_output(mounted)
        remount = subprocess.run(
            ["mount", "-o", "remount,ro", str(mounted)], capture_output=True, check=False
        )
        if remount.returncode != 0:
            pytest.skip("cannot remount the tmpfs read-only")
        outcome = run_cli(*[*COMMANDS[name].args, "-o", previous])
        assert outcome.exit_code == 2, outcome
        assert outcome.stderr.startswith(f"promoplan: cannot write {previous}: ")
        assert "Read-only file system" in outcome.stderr
        assert_untouched(previous)


# --- "-" is standard output ------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_output_dash_is_stdout_and_dot_slash_dash_a_file(work: Path, name: str) -> None:
    """``-o -`` prints what no ``-o`` prints and writes nothing; ``-o ./-`` writes a file."""
    command = COMMANDS[name]
    before = _snapshot(work)
    plain = run_cli(*command.args)
    dashed = run_cli(*command.args, "-o", "-")
    assert (dashed.exit_code, dashed.stdout) == (plain.exit_code, plain.stdout)
    assert plain.stdout.strip()
    assert _snapshot(work) == before  # no file named "-", no lock file
    written = run_cli(*command.args, "-o", "./-")
    assert written.exit_code == plain.exit_code
    assert (work / "-").read_text(encoding="utf-8").strip()
