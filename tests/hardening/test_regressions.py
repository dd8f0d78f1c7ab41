"""Bugs that the hardening corpus and the fuzz targets found, one test each."""

from __future__ import annotations

from pathlib import Path

import pytest

from promoplan.actuals import read_actuals
from promoplan.actuals.model import ActualsSpec
from promoplan.actuals.sniff import canonical_encoding
from promoplan.errors import UsageProblem
from promoplan.loader import load_plan
from promoplan.render.text import neutralise_workflow_commands

SPEC = ActualsSpec(date_column="date", dimensions=(("channel", "channel"),), columns=("gmv",))
CSV = "date,channel,gmv\n2025-01-05,douyin,7\n"


def read(tmp_path: Path, data: bytes, encoding: str | None = None) -> list[tuple[str, int | None]]:
    path = tmp_path / "a.csv"
    path.write_bytes(data)
    spec = ActualsSpec(**{**SPEC.__dict__, "encoding": encoding})
    return [(d.code, d.line) for d in read_actuals([path], spec).diagnostics]


# fuzz_csv: --encoding utf-16 on a file without a BOM raised UnicodeError (exit 3).
@pytest.mark.parametrize("encoding", ["utf-16", "undefined", "punycode"])
def test_undecodable_with_the_encoding_given_is_pa001(tmp_path: Path, encoding: str) -> None:
    found = read(tmp_path, b"\xff" + CSV.encode("utf-16-le"), encoding)
    assert [code for code, _ in found] == ["PA001"]


# --encoding hex/zlib/rot13 name codecs that are not text encodings (exit 3 before).
@pytest.mark.parametrize("name", ["hex", "zlib", "bz2", "rot13", "base64", "uu", "quopri"])
def test_codecs_that_are_not_text_encodings_are_refused(tmp_path: Path, name: str) -> None:
    assert canonical_encoding(name) is None
    with pytest.raises(UsageProblem, match="unknown encoding"):
        read(tmp_path, CSV.encode(), name)


def test_text_encodings_are_still_accepted() -> None:
    assert canonical_encoding("GBK") == "gbk"
    assert canonical_encoding("utf-16") == "utf-16"
    assert canonical_encoding("undefined") == "undefined"  # a text codec; fails per file


# A file with bare CR line ends (old Mac exports) was "a quote is not closed".
def test_bare_cr_line_ends_are_read_with_exact_lines(tmp_path: Path) -> None:
    assert read(tmp_path, CSV.replace("\n", "\r").encode()) == []
    bad = 'date,channel,gmv\r2025-01-05,douyin,1\r2025-01-06,"a\rb",2\r2025-01-07,x,bad\r'
    assert read(tmp_path, bad.encode()) == [("PA003", 5)]


# U+0085, U+2028 and U+2029 are line breaks to libyaml: a name pasted from the web
# gave a syntax error lines away from the character, or shifted every line number.
@pytest.mark.parametrize("char", ["\x85", "\u2028", "\u2029"])
def test_yaml11_line_breaks_are_pp001_where_they_are(char: str) -> None:
    data = f"promoplan: 1\nname: a{char}b\nperiod: 2025\n".encode()
    found = load_plan(Path("plan.yaml"), data=data).diagnostics
    assert [(d.code, d.line, d.column) for d in found] == [("PP001", 2, 8)]
    assert f"U+{ord(char):04X}" in found[0].message


def test_utf16_plan_without_bom_is_named() -> None:
    data = "promoplan: 1\nname: t\nperiod: 2025\n".encode("utf-16-le")
    found = load_plan(Path("plan.yaml"), data=data).diagnostics
    assert [(d.code, d.line, d.column) for d in found] == [("PP001", 1, 1)]
    assert "UTF-16" in found[0].message


# A plan label at the start of a table row (or a wrapped line) read as a GitHub
# workflow command in a CI log; "##[" is one anywhere in a line.
@pytest.mark.parametrize(
    ("fmt", "text", "expected"),
    [
        ("table", " ::warning::forged 40%\n", " \\u003a:warning::forged 40%\n"),
        ("table", "a\r::error::x", "a\r\\u003a:error::x"),
        ("table", "ok ::error:: mid-line", "ok ::error:: mid-line"),
        ("csv", "x ##[error]y", "x \\u0023#[error]y"),
        ("json", '  "a": "##[error]y"', '  "a": "\\u0023#[error]y"'),
        ("html", "<td>\n::error::x</td>", "<td>\n&#58;:error::x</td>"),
        ("markdown", "::error::x", "\\::error::x"),
    ],
)
def test_workflow_commands_are_neutralised(fmt: str, text: str, expected: str) -> None:
    assert neutralise_workflow_commands(text, fmt) == expected


# test_properties: LF and CRLF (or CR) in one file stopped DuckDB's CSV parser
# ("state machine reached an invalid state"): PA006 with no line for a valid file.
@pytest.mark.parametrize(
    "data",
    [
        b"date,channel,gmv\n2025-01-05,a,1\r\n2025-01-06,b,2\n",
        b"date,channel,gmv\r\n2025-01-05,a,1\n2025-01-06,b,2\n",
        b"date,channel,gmv\n2025-01-05,a,1\r2025-01-06,b,2\n",
    ],
)
def test_mixed_line_ends_are_read(tmp_path: Path, data: bytes) -> None:
    assert read(tmp_path, data) == []


def test_mixed_line_ends_keep_exact_lines(tmp_path: Path) -> None:
    data = b'date,channel,gmv\n2025-01-05,a,1\r2025-01-06,"x\r\ny",2\n2025-01-07,x,bad\r\n'
    assert read(tmp_path, data) == [("PA003", 5)]


# test_properties: in a file with CR line ends the fast path counted only LF bytes,
# so a bad cell after a blank line was reported one line too early.
def test_lines_of_a_cr_file_count_blank_lines(tmp_path: Path) -> None:
    data = b'date,channel,gmv\r\r2025-01-05,"a\nb",bad\r'
    assert read(tmp_path, data) == [("PA003", 3)]


# A header row longer than the first 64 KiB read was "a quote is not closed".
def test_a_wide_header_is_read(tmp_path: Path) -> None:
    extra = ",".join(f"extra{n}" for n in range(12_000))  # about 120 KB
    data = f"date,channel,gmv,{extra}\n2025-01-05,douyin,7{',x' * 12_000}\n"
    assert read(tmp_path, data.encode()) == []


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("h" * 200_000, "a header name is longer than"),
        ("h," * 600_000, "the header row is longer than"),
    ],
)
def test_header_bounds_are_named(tmp_path: Path, header: str, message: str) -> None:
    path = tmp_path / "a.csv"
    path.write_text(f"date,channel,gmv,{header}\n2025-01-05,douyin,1,x\n", encoding="utf-8")
    found = read_actuals([path], SPEC).diagnostics
    assert [(d.code, d.line) for d in found] == [("PA006", 1)]
    assert found[0].message.startswith(message)
