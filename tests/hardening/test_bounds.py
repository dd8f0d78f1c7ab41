"""Resource bounds: each limit is a diagnostic at the edge, never a crash, and memory stays flat.

Plan: size (1 MiB), nesting depth (64), aliases (100), YAML nodes (200,000). CSV: a
line over the engine's 2 MB, a header over 1 MiB, bad cells (the first 20, then a
count). A file of 200,000 rows, every one bad in one column, is read by a
subprocess whose peak memory is measured (generously bounded).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from clirunner import Cli, run_cli
from hardening.files import CASES
from promoplan.actuals.cellsql import FIRST_ERRORS
from promoplan.yamlsafe import MAX_ALIASES, MAX_BYTES, MAX_DEPTH, MAX_EVENTS, load_yaml

HEAD = "promoplan: 1\nname: t\nperiod: 2025\n"


def codes(data: str | bytes) -> list[str]:
    """Codes of what loading ``data`` as YAML found."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return [d.code for d in load_yaml(raw, "plan.yaml").diagnostics]


def nested(depth: int) -> str:
    """A top-level mapping whose ``notes`` value is nested to ``depth`` levels in all."""
    return HEAD + "notes: " + "[" * (depth - 1) + "]" * (depth - 1) + "\n"


def test_nesting_up_to_the_cap_loads_and_one_more_is_pp010() -> None:
    assert codes(nested(MAX_DEPTH)) == []
    assert codes(nested(MAX_DEPTH + 1)) == ["PP010"]


def test_block_nesting_is_capped_the_same() -> None:
    deep = HEAD + "".join("  " * n + f"k{n}:\n" for n in range(MAX_DEPTH + 2)) + "  " * 70 + "x\n"
    assert codes(deep) == ["PP010"]


def test_aliases_up_to_the_cap_load_and_one_more_is_pp010() -> None:
    def with_aliases(count: int) -> str:
        return HEAD + "a: &x 1\nb: [" + ", ".join(["*x"] * count) + "]\n"

    assert codes(with_aliases(MAX_ALIASES)) == []
    assert codes(with_aliases(MAX_ALIASES + 1)) == ["PP010"]


@pytest.mark.slow
def test_yaml_nodes_are_capped() -> None:
    items = MAX_EVENTS  # with the document's own events, just past the cap
    assert codes(HEAD + "b: [" + ",".join(["1"] * items) + "]\n") == ["PP010"]
    assert codes(HEAD + "b: [" + ",".join(["1"] * (items // 2)) + "]\n") == []


def test_size_cap_is_exact_and_says_how_large(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    filler = MAX_BYTES - len(HEAD)
    path.write_text(HEAD + "#" * (filler - 1) + "\n", encoding="utf-8")
    assert path.stat().st_size == MAX_BYTES
    assert cli("validate", path).exit_code == 0
    path.write_text(HEAD + "#" * filler + "\n", encoding="utf-8")
    outcome = cli("validate", path, "-f", "json")
    found = json.loads(outcome.stdout)["plans"][0]["diagnostics"]
    assert outcome.exit_code == 1
    assert [(d["code"], d["line"], d["column"]) for d in found] == [("PP010", 1, 1)]
    assert "1,048,577 bytes; the limit is 1 MiB" in found[0]["message"]


@pytest.mark.slow
def test_a_plan_of_many_errors_reports_each_in_linear_time(cli: Cli, tmp_path: Path) -> None:
    """Not capped, but bounded by the size cap: every unknown key is one diagnostic."""
    path = tmp_path / "plan.yaml"
    path.write_text(HEAD + "".join(f"k{n}: 1\n" for n in range(3000)), encoding="utf-8")
    found = json.loads(cli("validate", path, "-f", "json").stdout)["plans"][0]
    assert found["counts"]["error"] == 3000


# --- CSV ---------------------------------------------------------------------------

CSV_PLAN = CASES / "csv-plan.yaml"
HEADER = "date,channel,gmv,spend\n"


def check(tmp_path: Path, data: bytes) -> list[dict[str, object]]:
    path = tmp_path / "actuals.csv"
    path.write_bytes(data)
    outcome = run_cli("check", CSV_PLAN, "--actuals", path, "-f", "json")
    diagnostics: list[dict[str, object]] = json.loads(outcome.stdout)["plans"][0]["diagnostics"]
    return diagnostics


@pytest.mark.parametrize("bad", [FIRST_ERRORS, FIRST_ERRORS + 1])
def test_first_20_bad_cells_then_one_count(tmp_path: Path, bad: int) -> None:
    body = "".join(f"2025-01-{1 + n % 28:02d},douyin,x{n},1\n" for n in range(bad))
    found = check(tmp_path, (HEADER + body).encode())
    located = [d for d in found if d["line"] is not None]
    assert len(located) == FIRST_ERRORS
    summary = [d for d in found if d["line"] is None and d["code"] == "PA003"]
    assert len(summary) == (1 if bad > FIRST_ERRORS else 0)
    if summary:
        assert f'({bad:,} in all: {bad:,} in "gmv")' in str(summary[0]["message"])


def test_bad_cells_in_dates_and_numbers_are_counted_per_column(tmp_path: Path) -> None:
    body = "".join(f"2025-13-{n:02d},douyin,x,y\n" for n in range(1, 31))
    found = check(tmp_path, (HEADER + body).encode())
    summary = [(d["code"], d["message"]) for d in found if d["line"] is None]
    # 20 listed: rows 1-6 whole (18 cells), then row 7's date and gmv.
    assert summary == [
        ("PA004", '23 more bad dates not listed (30 in all: 30 in "date")'),
        ("PA003", '47 more bad numbers not listed (60 in all: 30 in "gmv", 30 in "spend")'),
    ]
    assert len([d for d in found if d["line"] is not None]) == FIRST_ERRORS


def test_a_line_over_the_engines_limit_is_pa006_at_its_line(tmp_path: Path) -> None:
    data = HEADER + "2025-01-05,douyin,1,1\n2025-01-06," + "a" * 2_200_000 + ",1,1\n"
    found = check(tmp_path, data.encode())
    assert [(d["code"], d["line"]) for d in found] == [("PA006", 3)]


def test_a_one_megabyte_field_under_the_line_limit_is_data(tmp_path: Path) -> None:
    data = HEADER + "2025-01-05,douyin,1,1\n2025-01-06," + "a" * 1_000_000 + ",1,1\n"
    found = check(tmp_path, data.encode())
    assert [d["code"] for d in found] == ["PA011"]  # a channel the plan does not map


# --- memory ------------------------------------------------------------------------

PEAK = """\
import resource, sys
from promoplan.cli import app
try:
    app(sys.argv[1:], prog_name="promoplan")
except SystemExit:
    pass
sys.stderr.write(f"\\npeak-rss-kib {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}\\n")
"""


def peak_rss(args: list[str]) -> tuple[int, str]:
    """Run the CLI in a fresh interpreter; its peak RSS in MiB, and its stdout."""
    done = subprocess.run(
        [sys.executable, "-c", PEAK, *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    match = re.search(r"peak-rss-kib (\d+)", done.stderr)
    assert match, done.stderr[-2000:]
    return int(match.group(1)) // 1024, done.stdout


@pytest.mark.slow
def test_memory_stays_bounded_when_every_row_is_bad(tmp_path: Path) -> None:
    """200,000 rows, each with a bad gmv: 21 diagnostics, and memory far below the data."""
    rows = 200_000
    path = tmp_path / "actuals.csv"
    with path.open("w", encoding="utf-8") as handle:
        handle.write(HEADER)
        for n in range(rows):
            handle.write(f"2025-{1 + n % 12:02d}-{1 + n % 28:02d},ch{n % 50},1.2.3,{n}\n")
    clean, _ = peak_rss(["validate", str(CSV_PLAN)])
    peak, stdout = peak_rss(["check", str(CSV_PLAN), "--actuals", str(path), "-f", "json"])
    found = json.loads(stdout)["plans"][0]["diagnostics"]
    bad = [d for d in found if d["code"] == "PA003"]
    assert len(bad) == FIRST_ERRORS + 1
    assert f"{rows:,} in all" in bad[-1]["message"]
    # Generous: DuckDB's own buffers and thread pools, not a Python object per row.
    assert peak - clean < 600, (peak, clean)


def test_cells_up_to_10_to_the_14_are_summed_exactly(tmp_path: Path) -> None:
    """A sum of 10^10 or more overflowed the one query's 64-bit units (exit 3): it is
    read through the table instead, exactly, in every spelling of a number."""
    from decimal import Decimal  # noqa: PLC0415

    from promoplan.actuals import read_actuals  # noqa: PLC0415
    from promoplan.actuals.model import ActualsSpec  # noqa: PLC0415

    cells = ["10000000000", '"10,000,000,000"', "1e10", "99999999999999.9999"]
    body = "".join(f"2025-01-0{n + 1},douyin,{cell},1\n" for n, cell in enumerate(cells))
    path = tmp_path / "actuals.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    spec = ActualsSpec(
        date_column="date", dimensions=(("channel", "channel"),), columns=("gmv", "spend")
    )
    actuals = read_actuals([path], spec)
    assert actuals.diagnostics == ()
    gmv = [row.cells[0] for row in actuals.cube.rows]
    assert [cell.total for cell in gmv if cell is not None] == [
        Decimal(10**10),
        Decimal(10**10),
        Decimal(10**10),
        Decimal("99999999999999.9999"),
    ]
    outcome = run_cli("check", CSV_PLAN, "--actuals", path, "-f", "json")
    assert outcome.exit_code in (0, 1), outcome.stderr
