"""``--encoding utf-8`` on a file that is not: the same PA001 as without it, at the first bad
byte's line and column, never a false "duplicate header"; and hints that do not tell the
user to pass the ``--encoding`` they passed.
"""

from __future__ import annotations

import codecs
import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from clirunner import run_cli

PLAN = """\
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

HEADER = "日期,渠道,交易额"


def _diagnostics(tmp_path: Path, actuals: Path, *options: str) -> list[dict[str, Any]]:
    plan = tmp_path / "plan.yaml"
    plan.write_text(PLAN, encoding="utf-8")
    outcome = run_cli("check", plan, "-a", actuals, "-f", "json", *options)
    assert outcome.exit_code == 1, outcome.stderr
    found: list[dict[str, Any]] = json.loads(outcome.stdout)["plans"][0]["diagnostics"]
    return found


def _where(found: list[dict[str, Any]]) -> list[tuple[str, int | None, int | None]]:
    return [(d["code"], d["line"], d["column"]) for d in found]


def _stray_latin1(line: int, rows: int) -> bytes:
    """UTF-8 with Chinese headers and values; on ``line``, 'Café' with é as Latin-1."""
    records = [HEADER] + [f"2025-01-{i % 28 + 1:02d},抖音,{i}" for i in range(rows)]
    data = [record.encode() for record in records]
    data[line - 1] = data[line - 1].replace(b",\xe6\x8a\x96", b",Caf\xe9\xe6\x8a\x96", 1)
    return b"\n".join(data) + b"\n"


@pytest.mark.parametrize("suffix", [".csv", ".csv.gz"])
@pytest.mark.parametrize(("line", "rows"), [(58, 100), (9000, 12_000)], ids=["head", "late"])
def test_utf8_named_is_pa001_at_the_same_byte_as_detected(
    tmp_path: Path, line: int, rows: int, suffix: str
) -> None:
    data = _stray_latin1(line, rows)
    assert len(data) > 64 * 1024 or line == 58  # the late one is past the sniffed head
    path = tmp_path / f"a{suffix}"
    path.write_bytes(gzip.compress(data) if suffix == ".csv.gz" else data)
    detected = _diagnostics(tmp_path, path)
    named = _diagnostics(tmp_path, path, "--encoding", "utf-8")
    # "2025-01-xx," is 11 characters; then "Caf": the byte is the 15th character.
    assert _where(detected) == _where(named) == [("PA001", line, 15)]
    assert named[0]["message"] == detected[0]["message"]
    assert named[0]["message"].startswith("byte 0xE9 here is not UTF-8 ('é' in Latin-1")
    # 0xE9 then 0xE6: could be GBK too, so both encodings are named.
    assert "--encoding cp1252" in named[0]["hint"]
    assert "--encoding gb18030" in named[0]["hint"]
    assert "pass --encoding to name" not in named[0]["hint"]


def test_a_gbk_header_named_utf8_is_pa001_not_a_duplicate_header(tmp_path: Path) -> None:
    """日期 and 渠道 both decode to replacement characters only: once a false PA006."""
    path = tmp_path / "a.csv"
    path.write_bytes(f"{HEADER}\n2025-01-05,抖音,100\n".encode("gbk"))
    found = _diagnostics(tmp_path, path, "--encoding", "utf-8")
    # 日 is 0xC8 0xD5 in GBK: the first byte of the file, line 1, column 1.
    assert _where(found) == [("PA001", 1, 1)]
    assert found[0]["message"].startswith("byte 0xC8 here is not UTF-8")
    assert "--encoding gb18030 (GBK)" in found[0]["hint"]


def test_a_late_gbk_byte_named_utf8_has_its_column(tmp_path: Path) -> None:
    """ASCII header and rows past the sniffed head, then one GBK value: found by the engine."""
    rows = [f"2025-01-{i % 28 + 1:02d},douyin,{i}" for i in range(8000)]
    text = "\n".join(["date,channel,gmv", *rows, "2025-01-05,抖音,1"]) + "\n"
    path = tmp_path / "a.csv"
    path.write_bytes(text.encode("gbk"))
    assert len(path.read_bytes()) > 64 * 1024
    plan = PLAN.replace("日期", "date").replace("渠道", "channel").replace("交易额", "gmv")
    (tmp_path / "plan.yaml").write_text(plan, encoding="utf-8")
    outcome = run_cli(
        "check", tmp_path / "plan.yaml", "-a", path, "-f", "json", "--encoding", "utf-8"
    )
    assert outcome.exit_code == 1, outcome.stderr
    found = json.loads(outcome.stdout)["plans"][0]["diagnostics"]
    # Header on line 1, 8000 rows on lines 2-8001, the GBK row on line 8002; after
    # "2025-01-05," (11 characters) 抖 (0xB6 0xB6) is column 12.
    assert _where(found) == [("PA001", 8002, 12)]


def test_a_bom_file_with_a_stray_byte_is_pa001_at_the_byte_not_gb18030(tmp_path: Path) -> None:
    """A BOM says UTF-8: a stray byte is PA001 with or without --encoding, and the BOM is
    not a character of line 1."""
    path = tmp_path / "a.csv"
    path.write_bytes(codecs.BOM_UTF8 + f"{HEADER}\n".encode() + b"2025-01-05,caf\xe9,1\n")
    # "2025-01-05," is 11 characters, "caf" 12-14: the byte is column 15 of line 2.
    assert _where(_diagnostics(tmp_path, path)) == [("PA001", 2, 15)]
    assert _where(_diagnostics(tmp_path, path, "--encoding", "utf-8-sig")) == [("PA001", 2, 15)]
    header = tmp_path / "b.csv"
    header.write_bytes(codecs.BOM_UTF8 + "日期,渠道,".encode() + b"caf\xe9\n2025-01-05,x,1\n")
    # Line 1 is 日期,渠道, (6 characters, the BOM not one), then "caf": column 10.
    assert _where(_diagnostics(tmp_path, header, "--encoding", "utf-8")) == [("PA001", 1, 10)]


def test_another_encoding_named_that_does_not_fit_does_not_hint_at_encoding(
    tmp_path: Path,
) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(f"{HEADER}\n2025-01-05,抖音,1\n".encode() + b"2025-01-06,caf\xe9,2\n")
    found = _diagnostics(tmp_path, path, "--encoding", "ascii")
    # 日 is not ASCII: the first line.
    assert _where(found) == [("PA001", 1, None)]
    assert found[0]["message"] == "the file cannot be decoded as ascii"
    assert found[0]["hint"] == "re-save it as UTF-8, or pass the encoding it was saved in instead"


@pytest.mark.parametrize("options", [(), ("--encoding", "utf-8")], ids=["detected", "named"])
def test_mixed_line_ends_and_a_late_stray_byte_is_pa001_at_the_byte(
    tmp_path: Path, options: tuple[str, ...]
) -> None:
    """A CRLF header, LF rows: the file is re-read as an LF copy, which finds the byte."""
    rows = [f"2025-01-{i % 28 + 1:02d},抖音,{i}\n" for i in range(8000)]
    text = f"{HEADER}\r\n" + "".join(rows)
    path = tmp_path / "a.csv"
    path.write_bytes(text.encode() + b"2025-01-05,caf\xe9,1\n")
    assert len(path.read_bytes()) > 64 * 1024
    found = _diagnostics(tmp_path, path, *options)
    # Header on line 1, 8000 rows on lines 2-8001, the stray byte's row on line 8002;
    # "2025-01-05," is 11 characters, "caf" 12-14: column 15.
    assert _where(found) == [("PA001", 8002, 15)]
