"""Start-up benchmark: ``promoplan validate`` against importing its libraries, side by side.

Validation is start-up-bound, so the whole-process time of
``promoplan validate plans/ecommerce-2025.yaml`` is compared with a bare
``python -c "import pydantic, yaml, rich, typer"``, alternating the two so
that both see the same machine load. Prints medians and their ratio.

    python bench/startup.py [--runs 30] [--plan plans/ecommerce-2025.yaml]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(argv: list[str]) -> float:
    """Wall-clock seconds of one whole process."""
    start = time.perf_counter()
    subprocess.run(argv, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    """Run both commands alternately and print the medians and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--plan", default=str(ROOT / "plans" / "ecommerce-2025.yaml"))
    args = parser.parse_args()
    baseline = [sys.executable, "-c", "import pydantic, yaml, rich, typer"]
    validate = [sys.executable, "-m", "promoplan", "validate", args.plan]
    duckdb_check = [sys.executable, "-c", "import sys, promoplan.cli; print('duckdb' in sys.modules)"]
    for argv in (baseline, validate):  # warm the file cache
        timed(argv)
    base_times: list[float] = []
    validate_times: list[float] = []
    for _ in range(args.runs):
        base_times.append(timed(baseline))
        validate_times.append(timed(validate))
    base = statistics.median(base_times)
    ours = statistics.median(validate_times)
    imported = subprocess.run(duckdb_check, capture_output=True, text=True, check=False).stdout.strip()
    print(f"runs: {args.runs} each, alternated")
    print(f"import pydantic, yaml, rich, typer   median {base * 1000:7.1f} ms")
    print(f"promoplan validate {Path(args.plan).name:<18} median {ours * 1000:7.1f} ms")
    print(f"ratio validate / imports: {ours / base:.2f} (target <= 1.5)")
    print(f"duckdb imported by the CLI module: {imported}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
