"""The bad-input catalogue (``../shared/reference/bad-inputs.md``) through the real CLI.

Four kinds of case, each a parametrised test:

* plans (Y1-Y29 not already in ``tests/cases/plans``): ``cases/plans/*.yaml`` with the
  same ``# expect:`` header as ``tests/test_plan_corpus.py``, plus ``# expect-name:``
  (a JSON string: the plan's name as loaded) and ``# expect-target: GOAL VALUE``
  (the goal's target in ``check --format json``: the documented normalisation);
  and inputs that cannot be committed as text, generated below;
* actuals (C1-C22): bytes run through ``check --format json`` against
  ``cases/csv-plan.yaml``: the exit status, every diagnostic's code, line and
  column, and the goals' actuals (what the reader made of the cells);
* outputs (O1-O11): ``cases/injection-plan.yaml`` and its actuals through every
  format of every command;
* failing runs: a run that fails must leave an existing ``--output`` file
  byte-identical, with its mode, and no temporary file beside it.

Every run asserts that no traceback and no internal error (exit 3) appears.
"""

from __future__ import annotations

import csv
import io
import json
import re
import stat
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt

from clirunner import Cli, CliResult
from hardening.files import CASES, assert_untouched, existing_output
from plancorpus import Case, assert_matches, read_case, run_validate

PLANS = sorted((CASES / "plans").glob("*.yaml"))
CSV_PLAN = CASES / "csv-plan.yaml"
PLAN_ACTUALS = CASES / "plan-actuals.csv"
INJECTION_PLAN = CASES / "injection-plan.yaml"
INJECTION_ACTUALS = CASES / "injection-actuals.csv"
REPORT_WINDOW = ("--as-of", "2025-01-31", "--week", "2025-W04")

_EXPECT_NAME = re.compile(r"^#\s*expect-name:\s*(?P<name>\".*\")\s*$")
_EXPECT_TARGET = re.compile(r"^#\s*expect-target:\s*(?P<goal>\S+)\s+(?P<value>\S+)\s*$")


def plan_document(outcome: CliResult) -> dict[str, Any]:
    """The one plan entry of a ``--format json`` document (strict JSON: no NaN)."""
    document = json.loads(outcome.stdout, parse_constant=_reject_constant)
    assert len(document["plans"]) == 1
    entry: dict[str, Any] = document["plans"][0]
    return entry


def _reject_constant(name: str) -> None:
    raise AssertionError(f"JSON output holds {name}")


# --- plans -----------------------------------------------------------------------


def extra_expectations(path: Path) -> tuple[str | None, dict[str, float]]:
    """``# expect-name:`` and ``# expect-target:`` lines of a plan case."""
    name: str | None = None
    targets: dict[str, float] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        if not raw.startswith("#"):
            break
        if match := _EXPECT_NAME.match(raw):
            name = json.loads(match["name"])
        elif match := _EXPECT_TARGET.match(raw):
            targets[match["goal"]] = float(match["value"])
    return name, targets


def test_plan_cases_are_there() -> None:
    assert len(PLANS) >= 25, [p.name for p in PLANS]


@pytest.mark.parametrize("path", PLANS, ids=[p.stem for p in PLANS])
def test_plan_case(cli: Cli, path: Path, tmp_path: Path) -> None:
    case = read_case(path)
    status, found = run_validate(path)
    assert_matches(case, status, found)
    name, targets = extra_expectations(path)
    if name is not None:
        assert plan_document(cli("validate", "-f", "json", path))["name"] == name
    if targets:
        checked = plan_document(
            cli("check", path, "--actuals", PLAN_ACTUALS, "-f", "json", "--as-of", "2025-01-31")
        )
        assert {g["id"]: g["target"] for g in checked["goals"] if g["id"] in targets} == targets
    if case.exit_status == 1:
        # A broken plan writes no report; last week's stays as it was.
        output = existing_output(tmp_path)
        outcome = cli("report", path, "--actuals", PLAN_ACTUALS, *REPORT_WINDOW, "-o", output)
        assert outcome.exit_code == 1
        assert_untouched(output)


HEADER = "promoplan: 1\nname: t\nperiod: 2025\n"

# name -> (bytes, expected (code, line, column), exit status)
GENERATED_PLANS: dict[str, tuple[bytes, tuple[tuple[str, int, int], ...], int]] = {
    "y21-latin-1": (
        "promoplan: 1\nname: Café crème\nperiod: 2025\n".encode("latin-1"),
        (("PP001", 2, 10),),
        1,
    ),
    "y22-utf16-le-without-bom": (HEADER.encode("utf-16-le"), (("PP001", 1, 1),), 1),
    "y22-utf16-be-without-bom": (HEADER.encode("utf-16-be"), (("PP001", 1, 1),), 1),
    "y22-utf32-with-bom": (HEADER.encode("utf-32"), (("PP001", 1, 1),), 1),
    "y24-del-character": (HEADER.encode() + b"notes: a\x7fb\n", (("PP001", 4, 9),), 1),
    "y24-c1-csi": (HEADER.encode() + "notes: a\x9b2Jb\n".encode(), (("PP001", 4, 9),), 1),
    "y24-next-line-nel": (
        "promoplan: 1\nname: a\x85b\nperiod: 2025\n".encode(),
        (("PP001", 2, 8),),
        1,
    ),
    "y24-line-separator-in-comment": (
        "promoplan: 1\n# pasted\u2028text\nname: t\nperiod: 2025\n".encode(),
        (("PP001", 2, 9),),
        1,
    ),
    "y24-lone-surrogate-escape": (
        HEADER.encode() + b'notes: "\\ud800"\n',
        (("PP001", 4, 11),),
        1,
    ),
    "y28-bare-cr-line-ends": (HEADER.replace("\n", "\r").encode(), (), 0),
    "y28-json-plan": (
        b'{"promoplan": 1, "name": "json is yaml", "period": 2025}\n',
        (),
        0,
    ),
}


@pytest.mark.parametrize("name", sorted(GENERATED_PLANS))
def test_generated_plan_case(name: str, tmp_path: Path) -> None:
    data, expected, status = GENERATED_PLANS[name]
    path = tmp_path / f"{name}.yaml"
    path.write_bytes(data)
    found_status, found = run_validate(path)
    assert_matches(Case(path, expected, status), found_status, found)


@pytest.mark.parametrize("extra", ["", "name: 双十一\n"], ids=["ascii", "chinese"])
def test_utf16_plan_is_named_as_such(tmp_path: Path, extra: str) -> None:
    """Chinese text in a UTF-16 plan without a BOM was "not UTF-8 (looks like GBK)"."""
    path = tmp_path / "plan.yaml"
    path.write_bytes((HEADER + extra).encode("utf-16-le"))
    _, found = run_validate(path)
    assert found[0]["message"] == "the file looks like UTF-16 text without a BOM, not UTF-8"
    assert (found[0]["line"], found[0]["column"]) == (1, 1)


def test_a_python_tag_runs_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    path = tmp_path / "plan.yaml"
    path.write_text(
        HEADER
        + f'notes: !!python/object/apply:os.system ["touch {marker}"]\n'
        + "description: !!python/object/apply:pathlib.Path.touch\n"
        + f'  [!!python/object/apply:pathlib.Path ["{marker}"]]\n',
        encoding="utf-8",
    )
    status, found = run_validate(path)
    assert status == 1
    assert {d["code"] for d in found} == {"PP001"}
    assert not marker.exists()


# --- actuals ---------------------------------------------------------------------

H = b"date,channel,gmv,spend\n"


def rows(*lines: str, header: bytes = H, end: str = "\n") -> bytes:
    """A CSV file: the header, then ``lines`` (UTF-8)."""
    return header + "".join(line + end for line in lines).encode("utf-8")


@dataclass(frozen=True)
class CsvCase:
    """One actuals file and what ``check`` must make of it."""

    data: bytes | Callable[[], bytes]
    status: int
    diagnostics: tuple[tuple[str, int | None, int | None], ...] = ()
    actual: dict[str, float | None] = field(default_factory=dict)  # goal -> its actual
    args: tuple[str, ...] = ()
    message: str | None = None  # a fragment of the first diagnostic's message

    def bytes(self) -> bytes:
        """The file's content."""
        return self.data() if callable(self.data) else self.data


def _bad_deep() -> bytes:
    """C13: a bad value at row 30,002, far past any type-inference sample."""
    good = "".join(f"2025-01-{1 + n % 28:02d},douyin,1,1\n" for n in range(30_000))
    return H + good.encode() + b"2025-02-01,douyin,12,3a,1\n".replace(b"12,3a", b'"12,3a"')


def _many_bad() -> bytes:
    """25 bad cells: the first 20 are listed, then one line with the count."""
    return rows(*(f"2025-01-{n:02d},douyin,bad{n},1" for n in range(1, 26)))


def _long_field() -> bytes:
    """C19: a 200,000-character field (Python's csv stops at 131,072)."""
    return rows("2025-01-05,douyin," + "9" * 200_000 + ",1", "2025-01-06,wecom,2,1")


def _long_line() -> bytes:
    """C19: a line past the engine's maximum line size (2 MB)."""
    return rows("2025-01-05,douyin,1,1", "2025-01-06," + "a" * 3_000_000 + ",1,1")


def _gbk() -> bytes:
    """C2: a Chinese spreadsheet export, GBK-encoded, with ￥ (U+FFE5, which GBK has)."""
    text = "date,channel,gmv,spend\n2025-01-05,douyin,￥2000,10\n2025-01-06,wecom,1,1\n"
    return (text + "2025-01-07,抖音,3,1\n").encode("gbk")


CSV_CASES: dict[str, CsvCase] = {
    # C1 encodings and what the file really is
    "c01-utf8-bom": CsvCase(
        b"\xef\xbb\xbf" + rows("2025-01-05,douyin,100,10"), 0, (), {"gmv": 100}
    ),
    "c02-gbk-export": CsvCase(
        _gbk, 0, (("PA005", None, None), ("PA011", 4, 2)), {"gmv": 2004, "spend": 12}
    ),
    "c02-encoding-option": CsvCase(
        rows("2025-01-05,douyin,7,1").replace(b"douyin", "抖音".encode("gbk")),
        0,
        (("PA011", 2, 2),),
        {"gmv": 7},
        ("--encoding", "GBK"),
    ),
    "c02-utf16-told-without-bom": CsvCase(
        rows("2025-01-05,douyin,7,1").decode().encode("utf-16-le"),
        1,
        (("PA001", None, None),),
        args=("--encoding", "utf-16"),
        message="cannot be decoded as utf-16",
    ),
    "c02-utf16-told-with-bom": CsvCase(
        rows("2025-01-05,douyin,7,1").decode().encode("utf-16"),
        0,
        (),
        {"gmv": 7},
        ("--encoding", "utf-16"),
    ),
    "c03-utf16-unicode-text": CsvCase(
        "date\tchannel\tgmv\tspend\n2025-01-05\tdouyin\t1\t1\n".encode("utf-16"),
        1,
        (("PA001", None, None),),
        message="UTF-16",
    ),
    "c03-utf16-without-bom": CsvCase(
        rows("2025-01-05,douyin,1,1").decode().encode("utf-16-le"),
        1,
        (("PA001", None, None),),
        message="UTF-16 text without a BOM",
    ),
    "c03-xlsx-renamed": CsvCase(
        b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 60, 1, (("PA001", None, None),), message="xlsx"
    ),
    "c03-xls-renamed": CsvCase(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 60,
        1,
        (("PA001", None, None),),
        message="xls",
    ),
    "c03-html-error-page": CsvCase(
        b"\n<!DOCTYPE html>\n<html><body><h1>502 Bad Gateway</h1></body></html>\n",
        1,
        (("PA001", None, None),),
        message="HTML page",
    ),
    "c03-nul-bytes": CsvCase(
        rows("2025-01-05,dou\x00yin,1,2"), 1, (("PA001", None, None),), message="NUL"
    ),
    # C4-C7 numbers
    "c04-money-forms": CsvCase(
        rows(
            '2025-01-05,douyin,"1,234.50",4.5%',
            '2025-01-06,douyin,￥2000,"¥1,234"',
            "2025-01-07,douyin,$3.25, 12 ",
            '2025-01-08,douyin,"€1 000",1\u00a0000',
        ),
        0,
        (),
        {"gmv": 1234.5 + 2000 + 3.25 + 1000, "spend": 0.045 + 1234 + 12 + 1000},
    ),
    "c04-unquoted-thousands-is-ragged": CsvCase(
        rows("2025-01-05,douyin,1,1", "2025-01-06,douyin,¥1,234,1"),
        1,
        (("PA006", 3, None),),
        message="this row has 5 fields, the header has 4",
    ),
    "c05-accounting-negative": CsvCase(
        rows('2025-01-05,douyin,"(1,234.50)",1', "2025-01-06,douyin,2000,(5)"),
        0,
        (),
        {"gmv": 765.5, "spend": -4},
    ),
    "c06-full-width-digits": CsvCase(
        rows("2025-01-05,douyin,１２３,１２．５", "2025-01-06,douyin,－５,１０％"),
        0,
        (),
        {"gmv": 118, "spend": 12.6},
    ),
    "c06-arabic-indic-digits": CsvCase(
        rows("2025-01-05,douyin,\u0661\u0662\u0663,1"),
        1,
        (("PA003", 2, 3),),
        message='column "gmv": "١٢٣" is not a number',
    ),
    "c07-missing-tokens": CsvCase(
        rows(
            "2025-01-05,douyin,N/A,-",
            "2025-01-06,douyin,,null",
            "2025-01-07,douyin,5,NA",
            "2025-01-08,douyin, n/a ,NULL",
        ),
        0,
        (),
        {"gmv": 5, "spend": None},
    ),
    "c07-na-is-a-channel": CsvCase(
        rows("2025-01-05,NA,5,1", "2025-01-05,null,6,1"),
        0,
        (("PA011", 2, 2), ("PA011", 3, 2)),
        {"gmv": 11},
    ),
    # C8-C12 structure
    "c08-duplicate-header": CsvCase(
        b"date,channel,gmv,gmv\n2025-01-05,douyin,1,2\n",
        1,
        (("PA006", 1, 4),),
        message='duplicate header "gmv" (columns 3 and 4)',
    ),
    "c08-duplicate-header-after-trim": CsvCase(
        b"date,channel,gmv, gmv \n2025-01-05,douyin,1,2\n", 1, (("PA006", 1, 4),)
    ),
    "c09-missing-column": CsvCase(
        b"date,channel,gmv\n2025-01-05,douyin,1\n",
        0,
        (("PA002", None, None),),
        {"gmv": 1, "spend": None},
        message='column "spend" is in no actuals file',
    ),
    "c09-renamed-column": CsvCase(
        "date,channel,gmv,花费\n2025-01-05,douyin,1,2\n".encode(),
        0,
        (("PA002", None, None),),
        {"gmv": 1, "spend": None},
    ),
    "c09-no-date-column": CsvCase(
        b"day,channel,gmv,spend\n2025-01-05,douyin,1,2\n",
        1,
        (("PA001", 1, None), ("PA002", None, None)),
        message='no date column "date"',
    ),
    "c10-extra-columns": CsvCase(
        b"date,channel,gmv,spend,other,\n2025-01-05,douyin,1,2,zzz,\n",
        0,
        (),
        {"gmv": 1, "spend": 2},
    ),
    "c11-ragged-long": CsvCase(
        rows("2025-01-05,douyin,1,2", "2025-01-06,douyin,1,2,3"), 1, (("PA006", 3, None),)
    ),
    "c11-ragged-short": CsvCase(
        rows("2025-01-05,douyin,1,2", "2025-01-06,douyin,1"), 1, (("PA006", 3, None),)
    ),
    "c12-unclosed-quote": CsvCase(
        rows("2025-01-05,douyin,1,2", '2025-01-06,"douyin,1,2', "2025-01-07,douyin,1,2"),
        1,
        (("PA006", 3, None),),
        message="never closed",
    ),
    "c12-unclosed-quote-in-header": CsvCase(
        b'date,"channel,gmv,spend\n2025-01-05,douyin,1,2\n', 1, (("PA006", 1, None),)
    ),
    "c13-bad-value-at-row-30002": CsvCase(
        _bad_deep,
        1,
        (("PA003", 30_002, 3), ("PA010", 30, None)),
        message='column "gmv": "12,3a" is not a number',
    ),
    "c13-many-bad-cells-first-20": CsvCase(
        _many_bad,
        1,
        (*(("PA003", n + 1, 3) for n in range(1, 21)), ("PA003", None, None)),
    ),
    # C14 dates
    "c14-year-first-forms": CsvCase(
        rows(
            "2025/1/5,douyin,1,0",
            "20250106,douyin,2,0",
            "2025.01.07,douyin,4,0",
            "2025-01-08 10:30:00,douyin,8,0",
            "2025-01-09T23:59,douyin,16,0",
        ),
        0,
        (),
        {"gmv": 31},
    ),
    "c14-ambiguous-day-month": CsvCase(
        rows("01/02/2025,douyin,1,0"), 1, (("PA004", 2, 1),), message="ambiguous"
    ),
    "c14-excel-serial": CsvCase(
        rows("45663,douyin,1,0"), 1, (("PA004", 2, 1),), message='"45663" is not a date'
    ),
    "c14-february-30": CsvCase(rows("2025-02-30,douyin,1,0"), 1, (("PA004", 2, 1),)),
    "c14-empty-date-with-values": CsvCase(
        rows("2025-01-05,douyin,1,0", ",douyin,1,0"), 1, (("PA004", 3, 1),)
    ),
    # C15-C17 ids, leading zeros, non-finite
    "c15-c16-ids-stay-text": CsvCase(
        rows(
            "2025-01-05,123456789012345678901,1,0",
            "2025-01-05,1.23457E+18,1,0",
            "2025-01-05,00123,1,0",
            "2025-01-05,123,1,0",
        ),
        0,
        # The id a spreadsheet rounded is told apart (PA018); the others are as written.
        (("PA011", 2, 2), ("PA011", 3, 2), ("PA018", 3, 2), ("PA011", 4, 2), ("PA011", 5, 2)),
        {"gmv": 4},
    ),
    "c15-exponent-out-of-range": CsvCase(
        rows("2025-01-05,douyin,1.23457E+18,0"), 1, (("PA003", 2, 3),), message="out of range"
    ),
    "c17-non-finite": CsvCase(
        rows("2025-01-05,douyin,nan,-inf", "2025-01-06,douyin,1e400,Infinity"),
        1,
        (("PA003", 2, 3), ("PA003", 2, 4), ("PA003", 3, 3), ("PA003", 3, 4)),
    ),
    "c17-negative-zero-and-refunds": CsvCase(
        rows("2025-01-05,douyin,-0,-5", "2025-01-06,douyin,10,+2"),
        0,
        (),
        {"gmv": 10, "spend": -3},
    ),
    # C18 delimiters
    "c18-semicolon-decimal-comma": CsvCase(
        b"date;channel;gmv;spend\n2025-01-05;douyin;1.234,50;1\n",
        1,
        (("PA003", 2, 3),),
        message='"1.234,50" is not a number',
    ),
    "c18-semicolon": CsvCase(
        b"date;channel;gmv;spend\n2025-01-05;douyin;1,234.50;1\n", 0, (), {"gmv": 1234.5}
    ),
    "c18-tab": CsvCase(b"date\tchannel\tgmv\tspend\n2025-01-05\tdouyin\t7\t1\n", 0, (), {"gmv": 7}),
    # C19 sizes
    "c19-field-over-131072": CsvCase(_long_field, 1, (("PA003", 2, 3),), message="out of range"),
    "c19-line-over-2mb": CsvCase(_long_line, 1, (("PA006", 3, None),), message="too long"),
    "c19-wide-header": CsvCase(
        lambda: rows(
            "2025-01-05,douyin,1,1" + ",x" * 12_000,
            header=(H.decode().strip() + "".join(f",e{n}" for n in range(12_000)) + "\n").encode(),
        ),
        0,
        (),
        {"gmv": 1},
    ),
    "c19-header-never-ends": CsvCase(
        lambda: b"date,channel,gmv,spend" + b",x" * 600_000,
        1,
        (("PA006", 1, None),),
        message="the header row is longer than 1,048,576 characters",
    ),
    # C20 empty
    "c20-empty-file": CsvCase(b"", 1, (("PA001", None, None),), message="empty"),
    "c20-blank-lines-only": CsvCase(b"\n\r\n  \n", 1, (("PA001", None, None),)),
    "c20-header-only": CsvCase(H, 1, (("PA001", 1, None),), message="no data rows"),
    # C21 line ends
    "c21-crlf": CsvCase(
        rows("2025-01-05,douyin,1,2", "2025-01-06,douyin,x,2", end="\r\n").replace(
            b"spend\n", b"spend\r\n"
        ),
        1,
        (("PA003", 3, 3),),
    ),
    "c21-bare-cr": CsvCase(
        rows("2025-01-05,douyin,1,2", "2025-01-06,douyin,3,2", end="\r").replace(
            b"spend\n", b"spend\r"
        ),
        0,
        (),
        {"gmv": 4},
    ),
    "c21-bare-cr-bad-cell": CsvCase(
        rows(
            "2025-01-05,douyin,1,2", '2025-01-06,"dou\ryin",3,2', "2025-01-07,douyin,x,2", end="\r"
        ).replace(b"spend\n", b"spend\r"),
        1,
        (("PA003", 5, 3),),  # a file with errors gets no PA011
    ),
    "c21-mixed-line-ends": CsvCase(
        H + b"2025-01-05,douyin,1,2\r\n2025-01-06,wecom,2,2\n2025-01-07,douyin,3,2\r",
        0,
        (),
        {"gmv": 6},
    ),
    "c21-mixed-line-ends-bad-cell": CsvCase(
        H.replace(b"\n", b"\r\n") + b"2025-01-05,douyin,1,2\n2025-01-06,douyin,x,2\r\n",
        1,
        (("PA003", 3, 3),),
    ),
    "c21-newline-in-quoted-field": CsvCase(
        rows('2025-01-05,"dou\nyin",1,2', "", "2025-01-06,douyin,x,2"),
        1,
        (("PA003", 5, 3),),  # a file with errors gets no PA011
    ),
    # C22 exact sums
    "c22-decimal-sums": CsvCase(
        rows(*(f"2025-01-{n:02d},douyin,0.1,0.2" for n in range(1, 11))),
        0,
        (),
        {"gmv": 1, "spend": 2},
    ),
    "c22-four-decimal-places": CsvCase(
        rows("2025-01-05,douyin,0.00005,1.23456"), 0, (), {"gmv": 0.0001, "spend": 1.2346}
    ),
    # SQL in headers and values is data (safety)
    "sql-in-values-and-headers": CsvCase(
        b'date,channel,gmv,spend,"x""); DROP TABLE g0; --"\n'
        b'2025-01-05,"\'); DROP TABLE x; --",5,1,1\n2025-01-05,douyin,3,1,1\n',
        0,
        (("PA011", 2, 2),),
        {"gmv": 8, "spend": 2},
    ),
}


def test_csv_cases_cover_the_catalogue() -> None:
    numbers = {int(n) for name in CSV_CASES for n in re.findall(r"c(\d\d)", name)}
    assert numbers == set(range(1, 23)), sorted(numbers)


@pytest.mark.parametrize("name", sorted(CSV_CASES))
def test_csv_case(cli: Cli, name: str, tmp_path: Path) -> None:
    case = CSV_CASES[name]
    actuals = tmp_path / "actuals.csv"
    actuals.write_bytes(case.bytes())
    outcome = cli("check", CSV_PLAN, "--actuals", actuals, "-f", "json", *case.args)
    entry = plan_document(outcome)
    found = [(d["code"], d["line"], d["column"]) for d in entry["diagnostics"]]
    shown = [
        f"{d['code']} {d['line']}:{d['column']} {d['message'][:80]}" for d in entry["diagnostics"]
    ]
    assert sorted(found, key=str) == sorted(case.diagnostics, key=str), shown
    assert outcome.exit_code == case.status, shown
    for d in entry["diagnostics"]:
        if d["code"].startswith("PA") and d["code"] not in ("PA002",):
            assert d["file"] == str(actuals), d
    if case.message is not None:
        assert case.message in entry["diagnostics"][0]["message"], shown
    actual = {g["id"]: g["actual"] for g in entry["goals"]}
    for goal, value in case.actual.items():
        if value is None:
            assert actual[goal] is None, actual
        else:
            assert actual[goal] == pytest.approx(value, rel=1e-12, abs=1e-9), actual
    # The weekly report of the same data: a file with errors writes no report.
    output = existing_output(tmp_path)
    report = cli("report", CSV_PLAN, "--actuals", actuals, *REPORT_WINDOW, "-o", output, *case.args)
    if case.status == 1:
        assert report.exit_code == 1, report.stderr
        assert_untouched(output, others=[actuals.name])
    else:
        assert report.exit_code == 0, report.stderr
        assert output.read_bytes() != b""
        assert stat.S_IMODE(output.stat().st_mode) == 0o640  # O9: the mode is kept


def test_unknown_and_non_text_encodings_are_usage_problems(cli: Cli, tmp_path: Path) -> None:
    actuals = tmp_path / "actuals.csv"
    actuals.write_bytes(rows("2025-01-05,douyin,1,1"))
    for name in ("klingon", "hex", "zlib", "rot13", "base64"):
        outcome = cli("check", CSV_PLAN, "--actuals", actuals, "--encoding", name)
        assert outcome.exit_code == 2, (name, outcome)
        assert "unknown encoding" in outcome.stderr


# --- outputs ---------------------------------------------------------------------

# The hazards of injection-plan.yaml, as they must never appear raw in any output.
RAW = ("\x1b", "\x07", "\x9b", "\u202e")
FORGED = re.compile(r"^\s*::", re.MULTILINE)


def no_raw_controls(text: str) -> None:
    """O1/Y25: no ESC, BEL, C1 CSI or bidi override reaches the output."""
    for char in RAW:
        assert char not in text, f"raw U+{ord(char):04X} in output"


def no_forged_commands(text: str, own: bool = False) -> None:
    """O3: no line is a GitHub workflow command unless it is one of the github format's own."""
    for line in text.splitlines():
        if FORGED.match(line):
            assert own, f"a line reads as a workflow command: {line!r}"
            assert re.match(r"^::(error|warning|notice)( [^:]*)?::", line), line
        assert "##[" not in line or own, f"legacy workflow command: {line!r}"


def check_table(text: str) -> None:
    """O1/O2: markup shown as written (rich did not style, link or choke on it)."""
    assert "[red]LOSS[/red]" in text
    assert "[/]" in text
    assert "\\u001b" in text  # ESC shown as an escape, not dropped


def check_markdown(text: str) -> None:
    """O6: tables keep their column count; no HTML, link, image or heading from plan text."""
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    columns: int | None = None
    cells = 0
    for token in tokens:
        assert token.type not in ("html_block", "html_inline"), token
        if token.type == "thead_open":
            columns, cells = None, 0
        elif token.type == "tr_open":
            cells = 0
        elif token.type in ("th_open", "td_open"):
            cells += 1
        elif token.type == "tr_close":
            columns = cells if columns is None else columns
            assert cells == columns, f"a row with {cells} cells, the header has {columns}"
        for child in token.children or ():
            assert child.type not in ("html_inline", "link_open", "image"), child
    assert "<script>" not in text


class _Tags(HTMLParser):
    """Every start tag and attribute of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def check_html(text: str) -> None:
    """O4/O5: no script, no event handler, no javascript: URL; plan text is escaped."""
    parser = _Tags()
    parser.feed(text)
    names = {tag for tag, _ in parser.tags}
    assert "script" not in names
    assert "img" not in names
    for tag, attrs in parser.tags:
        for key, value in attrs:
            assert not key.startswith("on"), (tag, key)
            assert not (value or "").strip().lower().startswith("javascript:"), (tag, key, value)
    assert "&lt;script&gt;" in text


NUMERIC = {
    "target",
    "actual",
    "baseline",
    "expected",
    "progress",
    "projection",
    "share",
    "planned",
    "spent",
    "used",
    "remaining",
    "value",
    "threshold",
    "previous",
    "change",
}


def check_csv(text: str) -> None:
    """O7: every text cell that a spreadsheet would run starts with '; numbers are numbers."""
    table = list(csv.reader(io.StringIO(text, newline="")))
    header = table[0]
    assert len(table) > 1
    for row in table[1:]:
        assert len(row) == len(header), row
        for name, cell in zip(header, row, strict=True):
            if name in NUMERIC:
                if cell:
                    float(cell)
            else:
                assert not cell or cell[0] not in "=+-@\t\r\0", (name, cell)
    assert any(cell.startswith("'=") for row in table for cell in row)


def check_json(text: str) -> None:
    """Y11/O1: strict JSON; plan text survives exactly (escapes decode to the original)."""
    document = json.loads(text, parse_constant=_reject_constant)
    if "plans" in document:
        assert document["plans"][0]["name"].startswith("\x1b]")


def check_junit(text: str) -> None:
    """JUnit XML parses (XML 1.0 cannot carry ESC even escaped)."""
    ET.fromstring(text.encode("utf-8"))


def check_sarif(text: str) -> None:
    """SARIF is strict JSON."""
    json.loads(text, parse_constant=_reject_constant)


CHECKS: dict[str, Callable[[str], None]] = {
    "table": check_table,
    "markdown": check_markdown,
    "html": check_html,
    "csv": check_csv,
    "json": check_json,
    "github": lambda text: None,
    "junit": check_junit,
    "sarif": check_sarif,
}

# A plan whose diagnostics quote the hazards: validate shows only diagnostics.
BROKEN_INJECTION = """\
promoplan: 1
name: "\\e]8;;javascript:alert(1)\\e\\\\<script>x</script>\\e]8;;\\e\\\\"
period: 2025
metrics:
  gmv: {column: gmv}
goals:
  "\\e[2J|::error::forged [red]x[/] ##[error]legacy":
    metric: "=HYPERLINK(\\"x\\")\\n::error::forged <script>alert(1)</script> \\u202Eevil"
    at_least: 5
"""

OUTPUT_RUNS: dict[str, tuple[str, ...]] = {}
for _fmt in ("table", "json", "github", "junit", "sarif"):
    OUTPUT_RUNS[f"validate-{_fmt}"] = ("validate", "{broken}", "-f", _fmt)
for _fmt in ("table", "json", "markdown", "csv", "github", "junit", "sarif"):
    OUTPUT_RUNS[f"check-{_fmt}"] = (
        "check",
        str(INJECTION_PLAN),
        "--actuals",
        str(INJECTION_ACTUALS),
        "-f",
        _fmt,
    )
for _fmt in ("markdown", "html", "json", "csv"):
    OUTPUT_RUNS[f"report-{_fmt}"] = (
        "report",
        str(INJECTION_PLAN),
        "--actuals",
        str(INJECTION_ACTUALS),
        "--as-of",
        "2025-01-08",
        "--week",
        "this",
        "-f",
        _fmt,
    )
for _fmt in ("table", "markdown", "json"):
    OUTPUT_RUNS[f"diff-{_fmt}"] = ("diff", "{broken}", str(INJECTION_PLAN), "-f", _fmt)


@pytest.mark.parametrize("name", sorted(OUTPUT_RUNS))
def test_output_injection(cli: Cli, name: str, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(BROKEN_INJECTION, encoding="utf-8")
    args = [a.replace("{broken}", str(broken)) for a in OUTPUT_RUNS[name]]
    fmt = args[args.index("-f") + 1]
    outcome = cli(*args)
    assert outcome.exit_code in (0, 1), outcome.stderr
    text = outcome.stdout
    assert text.strip(), outcome.stderr
    no_raw_controls(text + outcome.stderr)
    no_forged_commands(text, own=fmt == "github")
    no_forged_commands(outcome.stderr)
    if name.startswith(("check", "report")) or fmt in ("json", "junit", "sarif"):
        CHECKS[fmt](text)


def test_o8_o10_are_covered_by_the_report_tests() -> None:
    """Kill mid-write (O8) and the lock (O10) run in tests/test_report.py; keep them there."""
    source = (Path(__file__).parents[1] / "test_report.py").read_text(encoding="utf-8")
    assert "def test_killed_run_leaves_the_previous_file_and_its_mode" in source
    assert "def test_a_second_run_exits_75_while_the_lock_is_held" in source


def test_o11_csv_is_utf8_with_crlf_and_no_bom(cli: Cli, tmp_path: Path) -> None:
    """O11, documented choice: UTF-8 without BOM (pipes cleanly), CRLF rows (RFC 4180)."""
    output = tmp_path / "check.csv"
    outcome = cli(
        "check", INJECTION_PLAN, "--actuals", INJECTION_ACTUALS, "-f", "csv", "-o", output
    )
    assert outcome.exit_code == 1
    data = output.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\r\n") == data.count(b"\n")
    data.decode("utf-8")


# --- failing runs leave existing output alone -------------------------------------

FAILING_RUNS: dict[str, tuple[tuple[str, ...], int]] = {
    "validate-missing-plan": (("validate", "{tmp}/nope.yaml", "-o", "{out}"), 2),
    "validate-unknown-format": (("validate", "{plan}", "-f", "xml", "-o", "{out}"), 2),
    "check-bad-as-of": (
        ("check", "{plan}", "--actuals", "{csv}", "--as-of", "2025-02-30", "-o", "{out}"),
        2,
    ),
    "check-missing-actuals": (("check", "{plan}", "--actuals", "{tmp}/no.csv", "-o", "{out}"), 2),
    "check-glob-matches-nothing": (
        ("check", "{plan}", "--actuals", "{tmp}/*.nothing", "-o", "{out}"),
        2,
    ),
    "check-actuals-is-a-directory": (("check", "{plan}", "--actuals", "{tmp}", "-o", "{out}"), 2),
    "check-bad-units": (
        ("check", "{plan}", "--actuals", "{csv}", "--units", "x", "-o", "{out}"),
        2,
    ),
    "check-bad-period": (
        ("check", "{plan}", "--actuals", "{csv}", "--period", "Q9", "-o", "{out}"),
        2,
    ),
    "check-bad-encoding": (
        ("check", "{plan}", "--actuals", "{csv}", "--encoding", "hex", "-o", "{out}"),
        2,
    ),
    "report-plan-errors": (
        ("report", "{broken}", "--actuals", "{csv}", "--as-of", "2025-01-31", "-o", "{out}"),
        1,
    ),
    "report-actuals-errors": (
        ("report", "{plan}", "--actuals", "{bad_csv}", "--as-of", "2025-01-31", "-o", "{out}"),
        1,
    ),
    "report-bad-fail-on": (
        ("report", "{plan}", "--actuals", "{csv}", "--fail-on", "x", "-o", "{out}"),
        2,
    ),
    "report-two-windows": (
        (
            "report",
            "{plan}",
            "--actuals",
            "{csv}",
            "--week",
            "last",
            "--month",
            "last",
            "-o",
            "{out}",
        ),
        2,
    ),
    "report-bad-week": (
        ("report", "{plan}", "--actuals", "{csv}", "--week", "2025-W54", "-o", "{out}"),
        2,
    ),
    "diff-missing-old": (("diff", "{tmp}/old.yaml", "{plan}", "-o", "{out}"), 2),
    "diff-unknown-format": (("diff", "{plan}", "{plan}", "-f", "html", "-o", "{out}"), 2),
    "init-over-an-existing-file": (("init", "{out}"), 2),
}


@pytest.mark.parametrize("name", sorted(FAILING_RUNS))
def test_failing_run_leaves_existing_output_alone(cli: Cli, name: str, tmp_path: Path) -> None:
    args, status = FAILING_RUNS[name]
    bad_csv = tmp_path / "bad.csv"
    bad_csv.write_bytes(rows("2025-01-05,douyin,12;3a,1"))
    broken = tmp_path / "broken.yaml"
    broken.write_text(BROKEN_INJECTION, encoding="utf-8")
    output = existing_output(tmp_path)
    values = {
        "{tmp}": str(tmp_path),
        "{plan}": str(CSV_PLAN),
        "{csv}": str(PLAN_ACTUALS),
        "{bad_csv}": str(bad_csv),
        "{broken}": str(broken),
        "{out}": str(output),
    }
    resolved = []
    for arg in args:
        for key, value in values.items():
            arg = arg.replace(key, value)  # noqa: PLW2901  # each placeholder in turn
        resolved.append(arg)
    outcome = cli(*resolved)
    assert outcome.exit_code == status, (outcome.stdout, outcome.stderr)
    assert outcome.stderr.strip(), "a failing run says why"
    no_raw_controls(outcome.stderr)
    assert_untouched(output, others=["bad.csv", "broken.yaml"])


def test_a_passing_run_replaces_the_output_keeping_its_mode(cli: Cli, tmp_path: Path) -> None:
    """O9: the new file has the old file's mode, not mkstemp's 0600."""
    output = existing_output(tmp_path)
    outcome = cli("validate", CSV_PLAN, "-f", "json", "-o", output)
    assert outcome.exit_code == 0
    assert json.loads(output.read_text(encoding="utf-8"))["plans"][0]["status"] == "pass"
    assert stat.S_IMODE(output.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == [output.name]


# --- counting ----------------------------------------------------------------------


def test_the_whole_corpus_has_at_least_80_cases() -> None:
    existing = Path(__file__).parents[1] / "cases" / "plans"
    ours = len(PLANS) + len(GENERATED_PLANS) + len(CSV_CASES) + len(OUTPUT_RUNS)
    ours += len(FAILING_RUNS)
    assert len(list(existing.glob("*.yaml"))) + ours >= 80
