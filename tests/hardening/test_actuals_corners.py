"""Actuals corner cases: pipes, ISO timestamps with an offset, a stray non-UTF-8 byte;
and the hint for a flow collection left open at the end of a plan.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from clirunner import run_cli
from hardening.files import CASES

PLAN = CASES / "csv-plan.yaml"
ACTUALS = "date,channel,gmv,spend\n2025-01-05,douyin,100,10\n2025-01-06,wecom,50,5\n"


def entry(stdout: str | bytes) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(stdout)["plans"][0]
    return document


def actual(document: dict[str, Any], goal: str) -> float:
    found: float = next(g["actual"] for g in document["goals"] if g["id"] == goal)
    return found


# --- pipes --------------------------------------------------------------------------------


def test_a_named_pipe_is_read(tmp_path: Path) -> None:
    fifo = tmp_path / "actuals.csv"
    os.mkfifo(fifo)

    def feed() -> None:
        with fifo.open("w", encoding="utf-8") as handle:
            handle.write(ACTUALS)

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    outcome = run_cli(*["check", PLAN, "-a", fifo, "-f", "json"])
    writer.join(10)
    assert outcome.exit_code == 0, outcome
    document = entry(outcome.stdout)
    assert (actual(document, "gmv"), actual(document, "spend")) == (150, 15)
    assert document["diagnostics"] == []


def test_process_substitution_is_read(tmp_path: Path) -> None:
    """``--actuals <(cat a.csv)``: the shell passes /dev/fd/N, a pipe read once."""
    read_end, write_end = os.pipe()
    child = subprocess.Popen(
        [*run_args(), "check", str(PLAN), "-a", f"/dev/fd/{read_end}", "-f", "json"],
        pass_fds=(read_end,),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
    )
    os.close(read_end)
    with os.fdopen(write_end, "wb") as handle:
        handle.write(ACTUALS.encode())
    stdout, stderr = child.communicate(timeout=120)
    assert child.returncode == 0, stderr
    document = entry(stdout)
    assert (actual(document, "gmv"), actual(document, "spend")) == (150, 15)
    # Diagnostics name the pipe as given.
    bad_read, bad_write = os.pipe()
    child = subprocess.Popen(
        [*run_args(), "check", str(PLAN), "-a", f"/dev/fd/{bad_read}", "-f", "json"],
        pass_fds=(bad_read,),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
    )
    os.close(bad_read)
    with os.fdopen(bad_write, "wb") as handle:
        handle.write(b"date,channel,gmv,spend\n2025-01-05,douyin,x,1\n")
    stdout, _ = child.communicate(timeout=120)
    found = entry(stdout)["diagnostics"]
    assert [(d["code"], d["file"], d["line"]) for d in found] == [
        ("PA003", f"/dev/fd/{bad_read}", 2)
    ]


def run_args() -> list[str]:
    """``python -m promoplan`` in this interpreter."""
    return [sys.executable, "-m", "promoplan"]


def test_a_character_device_is_refused_with_the_reason() -> None:
    outcome = run_cli(*["check", PLAN, "-a", "/dev/zero"])
    assert outcome.exit_code == 2
    assert outcome.stderr == "promoplan: --actuals /dev/zero: is neither a file nor a pipe; " \
        "name a CSV file\n"  # fmt: skip


def test_a_missing_file_is_still_no_such_file(tmp_path: Path) -> None:
    outcome = run_cli(*["check", PLAN, "-a", tmp_path / "nope.csv"])
    assert outcome.exit_code == 2
    assert "no such file" in outcome.stderr


@pytest.mark.skipif(not Path("/proc/self/mem").exists(), reason="needs Linux's /proc")
def test_a_file_whose_read_fails_is_refused_naming_it() -> None:
    """/proc/self/mem opens and then fails to read (EIO), as a file on a failing disk or a
    stale network mount does: the file named, exit 2, no internal error."""
    outcome = run_cli(*["check", PLAN, "-a", "/proc/self/mem"])
    assert outcome.exit_code == 2
    assert outcome.stderr == (
        "promoplan: actuals file '/proc/self/mem' cannot be read (Input/output error)\n"
    )


LONG = "x" * 300  # one name longer than a file system allows (255 bytes)


@pytest.mark.parametrize(
    ("args", "path"),
    [
        (["validate", f"{LONG}.yaml"], f"{LONG}.yaml"),
        (["check", str(PLAN), "-a", f"{LONG}.csv"], f"{LONG}.csv"),
        (["diff", str(PLAN), f"{LONG}.yaml"], f"{LONG}.yaml"),
        (["test", f"{LONG}.test.yaml"], f"{LONG}.test.yaml"),
        (["init", f"{LONG}.yaml"], f"{LONG}.yaml"),
    ],
    ids=["validate", "check", "diff", "test", "init"],
)
def test_a_name_too_long_is_a_usage_problem_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], path: str
) -> None:
    monkeypatch.chdir(tmp_path)
    outcome = run_cli(*args)
    assert outcome.exit_code == 2, outcome.stderr
    assert outcome.stderr.endswith(f"{path}: File name too long\n"), outcome.stderr
    assert os.listdir(tmp_path) == []


# --- ISO timestamps with an offset ---------------------------------------------------------


def test_timestamps_with_an_offset_take_the_date_as_written(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text(
        "date,channel,gmv,spend\n"
        "2025-01-05T10:00:00+08:00,douyin,100,10\n"
        "2025-01-05T23:30:00-05:00,douyin,1,1\n"  # 2025-01-06 in UTC: counted on the 5th
        "2025-01-06T01:00:00Z,wecom,50,5\n"
        "2025-01-06 08:00:00 +0800,wecom,2,1\n"
        "2025/01/06T08:00+08,wecom,4,1\n",
        encoding="utf-8",
    )
    outcome = run_cli(*["check", PLAN, "-a", path, "-f", "json", "--period", "2025-01"])
    assert outcome.exit_code == 0, outcome
    document = entry(outcome.stdout)
    # Two rows per day and channel: PA010 (repeated), and no PA004 (not a date).
    assert {d["code"] for d in document["diagnostics"]} == {"PA010"}
    assert (actual(document, "gmv"), actual(document, "spend")) == (157, 18)
    day = run_cli(*["check", PLAN, "-a", path, "-f", "json", "--as-of", "2025-01-05"])
    ytd = entry(day.stdout)
    assert (actual(ytd, "gmv"), ytd["window"]["end"]) == (101, "2025-01-05")


@pytest.mark.parametrize(
    "cell",
    [
        "2025-01-05T10:00:00+8",
        "2025-01-05+08:00",
        "2025-01-05T10Z",
        # No time of day: a corrupt export, not a date to count (they all counted).
        "2025-01-05 99:99:99",
        "2025-01-05T25:00:00",
        "2025-01-05T24:00:01",
        "2025-01-05T10:60",
        "2025-01-05T10:00:00+99:00",
    ],
)
def test_malformed_offsets_are_still_pa004(tmp_path: Path, cell: str) -> None:
    path = tmp_path / "a.csv"
    path.write_text(f"date,channel,gmv,spend\n{cell},douyin,1,1\n", encoding="utf-8")
    document = entry(run_cli(*["check", PLAN, "-a", path, "-f", "json"]).stdout)
    assert [(d["code"], d["line"]) for d in document["diagnostics"]] == [("PA004", 2)]


# --- a stray byte in a UTF-8 file ----------------------------------------------------------

CN_PLAN = """\
promoplan: 1
name: cn
period: 2025
actuals:
  date: 日期
  dimensions: {channel: 渠道}
metrics:
  gmv: {column: 交易额}
goals:
  gmv: {metric: gmv, at_least: 1}
"""


def _with_stray_byte(line: int, rows: int) -> bytes:
    """UTF-8 with Chinese headers and values; on ``line``, 'Café' with é as Latin-1."""
    records = ["日期,渠道,交易额"] + [f"2025-01-{i % 28 + 1:02d},抖音,{i}" for i in range(rows)]
    data = [record.encode() for record in records]
    data[line - 1] = data[line - 1].replace(b",\xe6\x8a\x96", b",Caf\xe9\xe6\x8a\x96", 1)
    return b"\n".join(data) + b"\n"


@pytest.mark.parametrize(("line", "rows"), [(58, 100), (9000, 12_000)], ids=["head", "late"])
def test_a_stray_latin1_byte_is_pa001_at_its_line_and_column(
    tmp_path: Path, line: int, rows: int
) -> None:
    (tmp_path / "plan.yaml").write_text(CN_PLAN, encoding="utf-8")
    path = tmp_path / "a.csv"
    path.write_bytes(_with_stray_byte(line, rows))
    assert len(path.read_bytes()) > 64 * 1024 or line == 58  # the late one is past the sniff
    outcome = run_cli(*["check", tmp_path / "plan.yaml", "-a", path, "-f", "json"])
    assert outcome.exit_code == 1
    found = entry(outcome.stdout)["diagnostics"]
    # "2025-01-xx," is 11 characters; then "Caf": the byte is the 15th character.
    assert [(d["code"], d["line"], d["column"]) for d in found] == [("PA001", line, 15)]
    assert "0xE9" in found[0]["message"]


def test_a_gb18030_export_is_still_read(tmp_path: Path) -> None:
    (tmp_path / "plan.yaml").write_text(CN_PLAN, encoding="utf-8")
    path = tmp_path / "a.csv"
    path.write_bytes(
        "日期,渠道,交易额\n2025-01-05,抖音,100\n2025-01-06,快手,50\n".encode("gb18030")
    )
    outcome = run_cli(*["check", tmp_path / "plan.yaml", "-a", path, "-f", "json"])
    document = entry(outcome.stdout)
    assert [d["code"] for d in document["diagnostics"]] == ["PA005"]
    assert actual(document, "gmv") == 150


def test_gb18030_needs_the_headers_to_match(tmp_path: Path) -> None:
    """ASCII, then a byte pair that happens to be GB18030 ('é' then 'a'), and the date
    column is not what the plan names: not silently GB18030, but PA001 at the byte."""
    plan = CN_PLAN.replace("date: 日期", "date: día")
    (tmp_path / "plan.yaml").write_text(plan, encoding="utf-8")
    path = tmp_path / "a.csv"
    path.write_bytes("día,渠道,交易额\n2025-01-05,x,1\n".encode("latin-1", errors="replace"))
    outcome = run_cli(*["check", tmp_path / "plan.yaml", "-a", path, "-f", "json"])
    found = entry(outcome.stdout)["diagnostics"]
    assert [(d["code"], d["line"], d["column"]) for d in found] == [("PA001", 1, 2)]


# --- the hint for an unclosed flow collection ----------------------------------------------


@pytest.mark.parametrize(
    ("tail", "hint"),
    [
        ("ignore: [PP120,\n", "close the list opened on line 4 with ']'"),
        ("metrics: {a: {column: a}, b: [1, 2\n", "close the list opened on line 4 with ']', "
         "then the mapping opened on line 4 with '}'"),
        ("metrics:\n  a: {column: a\n", "close the mapping opened on line 5 with '}'"),
        ('name2: "a [b"\nignore: [PP120\n# { in a comment\n', "close the list opened on line 5"),
    ],
)  # fmt: skip
def test_unclosed_flow_collection_hint_names_the_open_bracket(
    tmp_path: Path, tail: str, hint: str
) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text("promoplan: 1\nname: t\nperiod: 2025\n" + tail, encoding="utf-8")
    outcome = run_cli(*["validate", path, "-f", "json"])
    found = entry(outcome.stdout)["diagnostics"]
    assert [d["code"] for d in found] == ["PP001"]
    assert found[0]["hint"].startswith(hint), found[0]["hint"]


def test_only_the_machines_file_system_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    """A failing disk or a full one is the machine's (exit 2, one line); any other OSError
    escaping a command is still a bug (exit 3)."""
    import errno  # noqa: PLC0415

    from promoplan.guard import guarded_status  # noqa: PLC0415

    def failing(error: OSError) -> Any:
        def action() -> int:
            raise error

        return action

    no_space = OSError(errno.ENOSPC, "No space left on device", "/tmp/out.json")
    assert guarded_status(failing(no_space)) == 2
    assert capsys.readouterr().err == "promoplan: /tmp/out.json: No space left on device\n"
    assert guarded_status(failing(OSError(errno.EIO, "Input/output error"))) == 2
    assert capsys.readouterr().err == (
        "promoplan: a file could not be read or written: Input/output error\n"
    )
    assert guarded_status(failing(OSError(errno.ECONNRESET, "Connection reset by peer"))) == 3
    assert "internal error (a bug)" in capsys.readouterr().err
