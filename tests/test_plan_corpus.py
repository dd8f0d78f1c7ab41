"""The broken-plan corpus, run through the real CLI (``validate --format json``).

Each ``tests/cases/plans/*.yaml`` starts with comment lines saying what it must
produce::

    # expect: PP002 7:3      (a code at line:column; one line per diagnostic)
    # expect: PP120          (a code, anywhere)
    # expect: none           (a clean plan)
    # expect-exit: 1         (optional; by default 1 when an error is expected, else 0)

The diagnostics found must be exactly the ones expected. Inputs that cannot be
committed as text (a GBK file, 5 MB, a NUL byte ...) are generated below.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from clirunner import Cli
from plancorpus import Case, Expected, assert_matches, read_case, run_validate

CASES = Path(__file__).parent / "cases" / "plans"
CORPUS = sorted(CASES.glob("*.yaml"))


def test_corpus_is_there() -> None:
    own = [p for p in CORPUS if not p.name.startswith("pp1")]
    assert len(own) >= 30, [p.name for p in own]


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_corpus_case(path: Path) -> None:
    case = read_case(path)
    status, found = run_validate(path)
    assert_matches(case, status, found)


@pytest.mark.slow
def test_billion_laughs_is_rejected_quickly() -> None:
    path = CASES / "pp010-billion-laughs.yaml"
    started = time.perf_counter()
    status, found = run_validate(path)
    elapsed = time.perf_counter() - started
    assert status == 1
    assert [d["code"] for d in found] == ["PP010"]
    assert elapsed < 1.0  # a generous bound: the naive path takes minutes and gigabytes


# --- inputs generated at test time ---------------------------------------------------

HEADER = "promoplan: 1\nname: 电商平台运营年度推广计划\nperiod: 2025\n"
CSV = b"date,channel,gmv,spend\n2025-01-01,douyin,1000,200\n"
HTML = b"<!DOCTYPE html>\n<html><body>502 Bad Gateway</body></html>\n"


def _big() -> bytes:
    line = "# " + "x" * 98 + "\n"
    return (HEADER + line * 52_000).encode()


GENERATED: dict[str, tuple[bytes, tuple[Expected, ...], int]] = {
    "empty-file": (b"", (("PP003", 1, 1),), 1),
    "only-whitespace": (b"\n\n   \n", (("PP003", 1, 1),), 1),
    "gbk-encoded": (HEADER.encode("gbk"), (("PP001", 2, 7),), 1),
    "gbk-after-ascii-lines": (
        b"promoplan: 1\nperiod: 2025\nname: " + "年货节".encode("gbk") + b"\n",
        (("PP001", 3, 7),),
        1,
    ),
    "utf16-with-bom": (HEADER.encode("utf-16"), (("PP001", 1, 1),), 1),
    "utf8-bom": (b"\xef\xbb\xbf" + HEADER.encode(), (), 0),
    "nul-byte": (HEADER.encode() + b"notes: a\x00b\n", (("PP001", 4, 9),), 1),
    "esc-byte": (HEADER.encode() + b"notes: \x1b[2J\n", (("PP001", 4, 8),), 1),
    "five-megabytes": (_big(), (("PP010", 1, 1),), 1),
    "deep-flow-10000": (
        HEADER.encode() + b"notes: " + b"[" * 10_000 + b"]" * 10_000 + b"\n",
        (("PP010", None, None),),
        1,
    ),
    "csv-as-plan": (CSV, (("PP003", 1, 1),), 1),
    "html-as-plan": (HTML, (("PP003", 1, 1),), 1),
    "crlf-line-ends": (HEADER.replace("\n", "\r\n").encode(), (), 0),
}


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_generated_case(name: str, tmp_path: Path) -> None:
    data, expected, status = GENERATED[name]
    path = tmp_path / f"{name}.yaml"
    path.write_bytes(data)
    found_status, found = run_validate(path)
    assert_matches(Case(path, expected, status), found_status, found)


def test_gbk_plan_is_named_as_such(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_bytes(HEADER.encode("gbk"))
    _, found = run_validate(path)
    assert "GBK/GB18030" in str(found[0]["message"])
    assert "UTF-8" in str(found[0]["hint"])


def test_csv_passed_as_a_plan_asks_about_actuals(tmp_path: Path) -> None:
    path = tmp_path / "actuals.csv"
    path.write_bytes(CSV)
    status, found = run_validate(path)
    assert status == 1
    assert "actuals" in str(found[0]["hint"])


def test_a_missing_plan_is_a_usage_problem(cli: Cli, tmp_path: Path) -> None:
    result = cli("validate", "--format", "json", tmp_path / "nope.yaml")
    assert result.exit_code == 2
    assert "Traceback" not in result.stdout + result.stderr
