"""Every speed figure promoplan tracks, one benchmark after the other, in one run.

    python bench/all.py [--quick] [--before main] [--warehouse]

Each benchmark measures its own reference side by side with promoplan in the
same run (interleaved, medians or best of a few, each run a fresh process) and
prints promoplan's ratio to it, with the machine's core count and load:

- ``bench/startup.py``: ``validate``, ``--help``, ``validate --help``,
  ``--version`` and the README's main command (``check`` on the example plan
  and actuals) against the import floor
  ``python -c "import typer, rich, rich.table, pydantic, yaml"``;
- ``bench/actuals.py``: reading the default order-level file (1M rows) against
  the hand-written DuckDB query over the same file, and as Parquet;
- ``bench/files.py``: 365 daily files against the same rows as one file, and
  10M rows in one file against the hand daily-grain query (polars beside it
  when installed), with peak RSS and 20M against 10M;
- ``bench/cardinality.py``: ``check`` with 1 to 1M distinct channel values, and
  reports of 500 and 10,000 goals against ``check``;
- ``bench/groups.py``: ``check`` with an alert by SKU over 100,000 SKUs against
  the same plan without it;
- ``bench/warehouse.py`` (with ``--warehouse``: it starts a throwaway
  PostgreSQL): ``check`` from PostgreSQL against ``psql``.

``--quick`` runs each at a tenth of its default size, to see that they all run;
the figures to quote are those of a full run on an otherwise idle machine.
Data is generated under /tmp/promoplan-bench, never in the repository.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _benchmarks(quick: bool, before: str, warehouse: bool) -> list[tuple[str, list[str]]]:
    """(title, argv) of each benchmark, at full or a tenth of its size."""
    runs = ["--runs", "5" if quick else "20"]
    jobs = [
        ("start-up and the README's main command", ["startup.py", *runs]),
        (
            "the default actuals file against its hand query",
            ["actuals.py", "--rows", "100000" if quick else "1000000", "--before", before],
        ),
        (
            "many daily files, and one large file",
            [
                "files.py",
                *(["--days", "37", "--day-rows", "3000", "--rows", "1000000"] if quick else []),
                "--repeat",
                "1" if quick else "3",
                "--before",
                before,
            ],
        ),
        (
            "distinct values and goals",
            [
                "cardinality.py",
                "--rows",
                "100000" if quick else "1000000",
                "--repeat",
                "1" if quick else "3",
                "--before",
                before,
            ],
        ),
        (
            "an alert by SKU over many SKUs",
            [
                "groups.py",
                "--skus",
                "10000" if quick else "100000",
                "--repeat",
                "1" if quick else "3",
                "--before",
                before,
            ],
        ),
    ]
    if warehouse:
        jobs.append(
            ("PostgreSQL against psql", ["warehouse.py", "--repeat", "2" if quick else "5"])
        )
    return jobs


def main() -> int:
    """Run each benchmark in turn; exit non-zero if any of them fails."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of each default size")
    parser.add_argument("--before", default="main", help="a git revision also timed, beside")
    parser.add_argument(
        "--warehouse", action="store_true", help="also bench/warehouse.py (starts a PostgreSQL)"
    )
    args = parser.parse_args()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"cores: {cores}; load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    failed = []
    for title, argv in _benchmarks(args.quick, args.before, args.warehouse):
        print(f"\n=== {title}: python bench/{' '.join(argv)}", flush=True)
        start = time.perf_counter()
        done = subprocess.run([sys.executable, str(HERE / argv[0]), *argv[1:]], check=False)
        print(f"--- {argv[0]}: exit {done.returncode}, {time.perf_counter() - start:.0f} s")
        if done.returncode:
            failed.append(argv[0])
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
