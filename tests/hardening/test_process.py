"""A hostile environment: closed standard streams, an encoding that cannot show the
plan's names, SIGINT and SIGTERM at any moment, dates at the ends of the calendar.

These run ``python -m promoplan`` in a real process: the entry point installs
the signal handlers and checks the streams before anything else is imported.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from clirunner import run_cli
from hardening.files import (
    CASES,
    assert_untouched,
    existing_output,
    no_temporaries,
    run_process,
    run_process_code,
)

CHINESE_PLAN = (
    (CASES / "csv-plan.yaml")
    .read_text(encoding="utf-8")
    .replace("name: hardening actuals", "name: 电商推广计划")
    .replace(
        "gmv: {metric: gmv, at_least: 100万}", "gmv: {metric: gmv, at_least: 100万, label: 交易额}"
    )
)
# 抖音 is no channel of the plan: PA011 quotes it, in SARIF too.
ACTUALS = "date,channel,gmv,spend\n2025-01-05,douyin,100,10\n2025-01-06,抖音,50,5\n"
CHECK = ("check", "plan.yaml", "-a", "a.csv", "--as-of", "2025-01-31")
REPORT = ("report", "plan.yaml", "-a", "a.csv", "--as-of", "2025-01-31")


# cp1252 (a Windows console) in every run; the other narrow encodings, which take the
# same path, in the slow run (CI).
NARROW_ENCODINGS = [
    "cp1252",
    pytest.param("ascii", marks=pytest.mark.slow),
    pytest.param("latin-1", marks=pytest.mark.slow),
]


@pytest.fixture
def work(tmp_path: Path) -> Path:
    (tmp_path / "plan.yaml").write_text(CHINESE_PLAN, encoding="utf-8")
    (tmp_path / "a.csv").write_text(ACTUALS, encoding="utf-8")
    return tmp_path


# --- closed stdout / stderr -------------------------------------------------------------


def _closing(*fds: int) -> Callable[[], None]:
    """A ``preexec_fn`` that closes ``fds`` in the child, as ``>&-`` and ``2>&-`` do."""

    def close() -> None:
        for fd in fds:
            os.close(fd)

    return close


@pytest.mark.parametrize("closed", [(1,), (2,), (1, 2)], ids=["stdout", "stderr", "both"])
@pytest.mark.parametrize("command", [CHECK, REPORT], ids=["check", "report"])
def test_closed_streams_still_write_the_output(
    work: Path, closed: tuple[int, ...], command: tuple[str, ...]
) -> None:
    out = work / "out.txt"
    done = run_process(
        [*command, "-o", out],
        cwd=work,
        preexec_fn=_closing(*closed),
        stdout=None if 1 in closed else subprocess.PIPE,
        stderr=None if 2 in closed else subprocess.PIPE,
    )
    assert done.returncode == 0, done.stderr
    assert "电商推广计划" in out.read_text(encoding="utf-8")
    assert not no_temporaries(work)


def test_closed_stdout_without_output_is_exit_2(work: Path) -> None:
    """Nowhere to put the result: the exit status says so (not 0, not an internal error)."""
    done = run_process(CHECK, cwd=work, preexec_fn=_closing(1), stdout=None)
    assert done.returncode == 2
    assert done.stderr.decode() == (
        "promoplan: cannot write the output: stdout is closed; pass --output FILE\n"
    )


def test_closed_stdout_does_not_receive_a_file_opened_later(work: Path) -> None:
    """With fd 1 closed, the first file opened would get fd 1; the report must not land in it."""
    previous = existing_output(work)
    done = run_process([*REPORT, "-o", previous], cwd=work, preexec_fn=_closing(1), stdout=None)
    assert done.returncode == 0, done.stderr
    text = previous.read_text(encoding="utf-8")
    assert text.startswith("#")
    assert text.count("电商推广计划") >= 1


# --- an encoding that cannot carry the text ---------------------------------------------


@pytest.mark.parametrize("encoding", NARROW_ENCODINGS)
def test_json_on_a_narrow_stdout_is_escaped(work: Path, encoding: str) -> None:
    for fmt in ("json", "sarif"):
        done = run_process([*CHECK, "-f", fmt], cwd=work, env={"PYTHONIOENCODING": encoding})
        assert done.returncode == 0, done.stderr
        assert done.stdout.isascii()
        document = json.dumps(json.loads(done.stdout), ensure_ascii=False)
        assert ("电商推广计划" if fmt == "json" else "抖音") in document
        assert done.stderr == b""


@pytest.mark.parametrize("encoding", NARROW_ENCODINGS)
@pytest.mark.parametrize(
    "command",
    [CHECK, (*CHECK, "-f", "markdown"), (*CHECK, "-f", "csv"), REPORT, (*REPORT, "-f", "html")],
    ids=["table", "markdown", "csv", "report", "report-html"],
)
def test_text_on_a_narrow_stdout_is_replaced_and_said_once(
    work: Path, encoding: str, command: tuple[str, ...]
) -> None:
    done = run_process(command, cwd=work, env={"PYTHONIOENCODING": encoding})
    assert done.returncode == 0, done.stderr
    text = done.stdout.decode(encoding)
    assert "??????" in text  # 电商推广计划, as the stream can show it
    # report also lists its warnings and a summary on stderr; the encoding note comes once.
    notes = [n for n in done.stderr.decode().splitlines() if "stdout's encoding" in n]
    assert len(notes) == 1
    assert notes[0].startswith("promoplan: stdout's encoding (")
    assert "'?'" in notes[0]


def test_diagnostics_on_a_narrow_stderr_do_not_fail(work: Path) -> None:
    (work / "bad.csv").write_text("date,channel,gmv,spend\n2025-01-05,抖音,x,1\n", encoding="utf-8")
    done = run_process(
        ["report", "plan.yaml", "-a", "bad.csv", "--as-of", "2025-01-31"],
        cwd=work,
        env={"PYTHONIOENCODING": "ascii:strict"},
    )
    assert done.returncode == 1
    assert b"PA003" in done.stderr
    assert b"Traceback" not in done.stderr


# --- signals ------------------------------------------------------------------------------


def _handlers_installed(pid: int) -> bool:
    """True once the process catches SIGTERM: promoplan's entry point has run."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return False
    for line in status.splitlines():
        if line.startswith("SigCgt:"):
            return bool(int(line.split()[1], 16) >> (signal.SIGTERM - 1) & 1)
    return False


@pytest.fixture
def big(work: Path) -> Path:
    """Actuals large enough that a report takes a while (a signal lands mid-run)."""
    rows = ["date,channel,gmv,spend"]
    rows += [f"2025-01-{day % 28 + 1:02d},ch{day % 50},{day},1" for day in range(60_000)]
    (work / "a.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return work


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc")
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["INT", "TERM"])
# The later moments mostly wait for a whole report: in the slow run (CI).
@pytest.mark.parametrize(
    "delay",
    [
        0.0,
        0.1,
        0.4,
        pytest.param(1.0, marks=pytest.mark.slow),
        pytest.param(2.0, marks=pytest.mark.slow),
    ],
)
def test_a_signal_at_any_moment(big: Path, signum: int, delay: float) -> None:
    """Sent as soon as the handlers are in (during the imports) or later: one line,
    130 or 143, the previous report intact, no temporary file; or a complete run."""
    previous = existing_output(big, "report.md")
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    child = subprocess.Popen(
        [sys.executable, "-m", "promoplan", *REPORT, "-o", str(previous)],
        cwd=big,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 20
    while not _handlers_installed(child.pid):
        assert child.poll() is None, "the run ended before its signal handlers were seen"
        assert time.monotonic() < deadline, "promoplan never installed signal handlers"
        time.sleep(0.001)
    time.sleep(delay)
    child.send_signal(signum)
    stdout, stderr = child.communicate(timeout=120)
    assert b"Traceback" not in stderr
    assert stdout == b""
    if delay == 0.0 or child.returncode != 0:
        assert child.returncode == 128 + signum, stderr
        assert stderr == b"promoplan: interrupted\n"
        assert_untouched(previous)
    else:  # the run had finished: its report is whole
        assert previous.read_text(encoding="utf-8").startswith("#")
    assert not no_temporaries(big)


# The Python code DuckDB's extension runs while it is imported (its enums, built with
# Python's ``enum``): a handler that raised there aborted the process (SIGABRT, "Critical
# nanobind error") or had the exception swallowed and the run went on to exit 0. The
# child counts the Python calls the import makes and sends itself the signal at call N
# (N=0: only count them, and say how many).
INSIDE_DUCKDB_IMPORT = r"""
import importlib.machinery, os, signal, sys

nth, signum = int(sys.argv[1]), int(sys.argv[2])
calls = 0

def profile(frame, event, arg):
    global calls
    if event == "call":
        calls += 1
        if calls == nth:
            sys.setprofile(None)
            os.kill(os.getpid(), signum)

class Finder:
    def find_spec(self, name, path=None, target=None):
        if name != "_duckdb":
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        run = spec.loader.exec_module
        def exec_module(module):
            sys.setprofile(profile)
            try:
                run(module)
            finally:
                sys.setprofile(None)
                if nth == 0:
                    print(calls, file=sys.stderr)
                    os._exit(0)
        spec.loader.exec_module = exec_module
        return spec

sys.meta_path.insert(0, Finder())
sys.argv = ["promoplan", *sys.argv[3:]]
from promoplan.process import main
main()
"""


def _signal_inside_duckdb_import(
    work: Path, nth: int, signum: int
) -> subprocess.CompletedProcess[bytes]:
    return run_process_code(
        INSIDE_DUCKDB_IMPORT, [nth, int(signum), *REPORT, "-o", "report.md"], work
    )


def _duckdb_import_calls(work: Path) -> int:
    counted = _signal_inside_duckdb_import(work, 0, signal.SIGTERM)
    if counted.returncode != 0 or not counted.stderr.strip().isdigit():
        pytest.skip("DuckDB's engine is not imported as the extension module _duckdb")
    calls = int(counted.stderr)
    if calls == 0:
        pytest.skip("this DuckDB runs no Python code while it is imported")
    return calls


def _assert_interrupted_inside_import(work: Path, nth: int, signum: int) -> None:
    previous = existing_output(work, "report.md")
    done = _signal_inside_duckdb_import(work, nth, signum)
    assert (done.returncode, done.stderr) == (128 + signum, b"promoplan: interrupted\n"), nth
    assert done.stdout == b""
    assert_untouched(previous)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["INT", "TERM"])
def test_a_signal_inside_duckdbs_import(work: Path, signum: int) -> None:
    """Held until the import is done, then an interruption like any other."""
    calls = _duckdb_import_calls(work)
    nth = calls // 3 if signum == signal.SIGINT else 2 * calls // 3
    _assert_interrupted_inside_import(work, nth, signum)


@pytest.mark.slow
def test_a_signal_at_every_moment_of_duckdbs_import(work: Path) -> None:
    """Two dozen moments spread over the whole import, SIGINT and SIGTERM in turn."""
    calls = _duckdb_import_calls(work)
    for i, nth in enumerate(sorted({1 + k * (calls - 1) // 23 for k in range(24)})):
        _assert_interrupted_inside_import(work, nth, signal.SIGTERM if i % 2 else signal.SIGINT)


HELD = r"""
import os, signal, sys, threading
from promoplan.errors import HeldSignals, Interrupted
from promoplan.process import install_signal_handlers

install_signal_handlers()
try:
    with HeldSignals():
        os.kill(os.getpid(), signal.SIGTERM)
        sum(range(100_000))  # Python code, where the handler runs
        print("held", flush=True)
except Interrupted as stop:
    print("raised", stop.signum)

def elsewhere():
    with HeldSignals():  # a thread other than the main one holds nothing
        pass
    print("thread", flush=True)

thread = threading.Thread(target=elsewhere)
thread.start()
thread.join()
"""


def test_a_held_signal_is_raised_when_the_section_ends() -> None:
    done = subprocess.run(
        [sys.executable, "-c", HELD], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.stdout.split("\n") == ["held", f"raised {int(signal.SIGTERM)}", "thread", ""]
    assert done.stderr == ""


# --- extreme dates ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("--as-of", "9999-12-31", "--period", "mtd"),
        ("--as-of", "9999-12-31"),
        ("--as-of", "0001-02-01"),
        ("--as-of", "0001-01-01", "--period", "last-week"),
        ("--period", "9999-12"),
        ("--period", "9999-Q4"),
        ("--period", "9999-W52"),
    ],
)
def test_extreme_dates_in_check_are_exit_2_with_the_range(
    work: Path, args: tuple[str, ...]
) -> None:
    outcome = run_cli(*["check", work / "plan.yaml", "-a", work / "a.csv", *args])
    assert outcome.exit_code == 2
    assert "1900-01-01 to 2999-12-31" in outcome.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("--as-of", "9999-12-31"),
        ("--as-of", "0001-02-01"),
        ("--as-of", "2999-12-31", "--week", "9999-W52"),
        ("--as-of", "2999-12-31", "--month", "9999-12"),
        ("--as-of", "2999-12-31", "--quarter", "9999-Q4"),
    ],
)
def test_extreme_dates_in_report_are_exit_2_with_the_range(
    work: Path, args: tuple[str, ...]
) -> None:
    outcome = run_cli(*["report", work / "plan.yaml", "-a", work / "a.csv", *args])
    assert outcome.exit_code == 2
    assert "1900-01-01 to 2999-12-31" in outcome.stderr


def test_the_ends_of_the_range_still_run(work: Path) -> None:
    for args in (
        ("--as-of", "1900-01-01", "--period", "last-week"),
        ("--as-of", "2999-12-31", "--period", "mtd"),
    ):
        # The windows are computed (no overflow at the ends of the range) and lie outside
        # the 2025 plan: a usage error naming the period, not a crash.
        outcome = run_cli(*["check", work / "plan.yaml", "-a", work / "a.csv", *args])
        assert outcome.exit_code == 2, outcome.stderr
        assert "the plan period 2025-01-01..2025-12-31" in outcome.stderr
    for period, as_of in (("1900", "1900-01-07"), ("2999", "2999-12-31")):
        plan = work / f"plan-{period}.yaml"
        text = (work / "plan.yaml").read_text(encoding="utf-8")
        plan.write_text(text.replace("period: 2025", f"period: {period}"), encoding="utf-8")
        for window in ("last-week", "mtd", "qtd", "ytd"):
            outcome = run_cli(
                "check", plan, "-a", work / "a.csv", "--as-of", as_of, "--period", window
            )
            assert outcome.exit_code in (0, 1), outcome.stdout + outcome.stderr
