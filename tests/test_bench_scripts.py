"""Every benchmark script under bench/ still runs, at a tiny size.

The benchmarks are scripts, not timed tests: nothing here looks at a figure.
What it catches is a script that no longer runs against the code it measures
(bench/warehouse.py once wrapped a function whose signature had changed, and
failed on its first round). Each runs in a process of its own, its data in a
directory of its own (``PROMOPLAN_BENCH_DATA``), with ``--before HEAD`` where
it takes one, so the "before" tree is built too.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"

# script -> the smallest arguments that still run every part of it
TINY = {
    "startup.py": ["--runs", "1"],
    "actuals.py": ["--rows", "2000", "--repeat", "1", "--before", "HEAD"],
    "files.py": ["--days", "3", "--day-rows", "100", "--rows", "3000", "--repeat", "1"],
    "cardinality.py": ["--rows", "3000", "--repeat", "1", "--before", "HEAD"],
    "groups.py": ["--skus", "50", "--days", "2", "--repeat", "1", "--before", "HEAD"],
    "check_phases.py": ["--runs", "1"],
    "forecast.py": [],
    "gen_rows.py": ["--rows", "500"],
    "warehouse.py": ["--rows", "3000", "--repeat", "1", "--before", "HEAD"],
}


def test_every_script_is_listed() -> None:
    """A new benchmark gets a tiny run here too."""
    assert sorted(TINY) == sorted(p.name for p in BENCH.glob("*.py") if p.name != "all.py")


@pytest.mark.slow
@pytest.mark.parametrize("script", sorted(TINY))
def test_runs_at_a_tiny_size(script: str, tmp_path: Path) -> None:
    if script == "warehouse.py":
        sys.path.insert(0, str(ROOT / "tests"))
        from warehouse import pgserver  # noqa: PLC0415  # only this one needs a server
        from warehouse.conftest import unavailable  # noqa: PLC0415

        if pgserver.binaries() is None:
            unavailable("no PostgreSQL binaries (initdb, pg_ctl): install PostgreSQL or set PG_BIN")
        pytest.importorskip("psycopg")
    if "--before" in TINY[script] and not (ROOT / ".git").exists():
        pytest.skip("--before needs the git history")
    env = {**os.environ, "PROMOPLAN_BENCH_DATA": str(tmp_path / "data"), "COLUMNS": "120"}
    done = subprocess.run(
        [sys.executable, str(BENCH / script), *TINY[script]],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    assert "Traceback" not in done.stderr
    if script == "gen_rows.py":  # the generator, not a benchmark: its file is the output
        written = (tmp_path / "data" / "orders-500.csv").read_text(encoding="utf-8")
        assert len(written.splitlines()) == 1 + 500
    else:
        assert done.stdout.strip(), "a benchmark prints its figures"
