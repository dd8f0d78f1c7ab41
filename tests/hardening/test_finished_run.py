"""A signal once the output file is in place: the run keeps the status of its work.

The child runs promoplan's entry point in a real process and sends itself the
signal at a chosen moment: right after ``os.replace`` has put the new output
over the previous one, or as a notification is about to be posted. Sent from
inside the process, the signal lands at that moment every time, where one sent
from outside after a delay hits it about once in some hundred runs.
"""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import pytest

from hardening.files import CASES, existing_output, no_temporaries, run_process_code
from robot_server import running_robots

# argv: the file name whose replacement triggers the signal ("" for none), the signal
# (0: none), whether it comes at the first POST instead, then promoplan's arguments.
SIGNAL_AT = r"""
import os, sys, urllib.request

name, signum, at_post = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "post"
replace, open_ = os.replace, urllib.request.OpenerDirector.open

def replace_then_signal(src, dst, *args, **kwargs):
    replace(src, dst, *args, **kwargs)
    if signum and not at_post and os.path.basename(os.fspath(dst)) == name:
        os.kill(os.getpid(), signum)  # the handler runs on the next line of Python

def signal_then_open(self, *args, **kwargs):
    if signum and at_post:
        os.kill(os.getpid(), signum)
    return open_(self, *args, **kwargs)

os.replace = replace_then_signal
urllib.request.OpenerDirector.open = signal_then_open
sys.argv = ["promoplan", *sys.argv[4:]]
from promoplan.process import main
main()
"""

SIGNALS = pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["INT", "TERM"])
ACTUALS = "date,channel,gmv,spend\n2025-01-20,douyin,100,10\n2025-01-26,wecom,50,5\n"


@pytest.fixture
def work(tmp_path: Path) -> Path:
    (tmp_path / "plan.yaml").write_bytes((CASES / "csv-plan.yaml").read_bytes())
    (tmp_path / "a.csv").write_text(ACTUALS, encoding="utf-8")
    return tmp_path


def signalled(
    work: Path, name: str, signum: int, *args: str, at_post: bool = False
) -> subprocess.CompletedProcess[bytes]:
    """promoplan ARGS in ``work``, sending itself ``signum`` at the chosen moment."""
    where = "post" if at_post else "replace"
    return run_process_code(SIGNAL_AT, [name, int(signum), where, *args], work)


REPORT = ("report", "plan.yaml", "-a", "a.csv", "--as-of", "2025-01-31", "-o", "report.md")
CHECK = ("check", "plan.yaml", "-a", "a.csv", "--as-of", "2025-01-31", "-o", "check.json")


@SIGNALS
@pytest.mark.parametrize("args", [REPORT, (*CHECK, "-f", "json")], ids=["report", "check"])
def test_a_signal_once_the_file_is_in_place_changes_nothing(
    work: Path, signum: int, args: tuple[str, ...]
) -> None:
    """The same status, stderr and file as a run without the signal."""
    name = args[-1] if args[0] == "report" else "check.json"
    existing_output(work, name)
    quiet = signalled(work, name, 0, *args)
    quiet_bytes = (work / name).read_bytes()
    existing_output(work, name)
    done = signalled(work, name, signum, *args)
    assert b"interrupted" not in done.stderr
    assert (done.returncode, done.stderr) == (quiet.returncode, quiet.stderr)
    assert quiet.returncode in (0, 1)  # the work's own status
    assert (work / name).read_bytes() == quiet_bytes
    assert done.stdout == b""
    assert not no_temporaries(work)


@SIGNALS
@pytest.mark.parametrize("optional", [False, True], ids=["required", "optional"])
@pytest.mark.parametrize("at_post", [False, True], ids=["after-write", "at-post"])
def test_a_signal_before_the_notifications_is_a_failed_notification(
    work: Path,
    monkeypatch: pytest.MonkeyPatch,
    signum: int,
    optional: bool,
    at_post: bool,
) -> None:
    """The report is written: every notification not yet sent fails as interrupted, and
    the run exits 4 (notification failed), or the report's 0 with --notify-optional."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    existing_output(work, "report.md")
    with running_robots() as robots:
        monkeypatch.setenv("PROMOPLAN_WEBHOOK_WEBHOOK", robots.url("webhook"))
        monkeypatch.setenv("PROMOPLAN_SLACK_WEBHOOK", robots.url("slack"))
        extra = ["--notify", "webhook", "--notify", "slack"]
        extra += ["--notify-optional"] if optional else []
        done = signalled(work, "report.md", signum, *REPORT, *extra, at_post=at_post)
        received = list(robots.received)
    assert received == []
    stderr = done.stderr.decode()
    assert "Traceback" not in stderr
    report = (work / "report.md").read_text(encoding="utf-8")
    assert report.startswith("#")
    lines = stderr.splitlines()
    assert lines[0].startswith("promoplan: weekly report 2025-W04 ")
    assert lines[1:3] == [
        "promoplan: notification to webhook ($PROMOPLAN_WEBHOOK_WEBHOOK) failed: interrupted",
        "promoplan: notification to slack ($PROMOPLAN_SLACK_WEBHOOK) failed: interrupted",
    ]
    if optional:
        assert lines[3:] == [
            "promoplan: 2 notification(s) failed; --notify-optional: exit status unchanged"
        ]
        assert done.returncode == 0
    else:
        assert lines[3:] == []
        assert done.returncode == 4
    assert done.stdout == b""
    assert not no_temporaries(work)
