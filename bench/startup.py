"""Start-up benchmark: ``promoplan validate`` against importing its libraries, side by side.

Validation is start-up-bound, so the whole-process time of
``promoplan validate plans/ecommerce-2025.yaml`` is compared with a bare
``python -c "import pydantic, yaml, rich, typer"``, alternating the two so
that both see the same machine load. Prints medians and their ratio.

    python bench/startup.py [--runs 30] [--plan plans/ecommerce-2025.yaml]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(argv: list[str]) -> tuple[float, float]:
    """Wall-clock and CPU (user + system) seconds of one whole process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> int:
    """Run both commands alternately and print the medians and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--plan", default=str(ROOT / "plans" / "ecommerce-2025.yaml"))
    args = parser.parse_args()
    commands = {
        "import pydantic, yaml, rich, typer": [
            sys.executable,
            "-c",
            "import pydantic, yaml, rich, typer",
        ],
        # What any pydantic + rich program pays: `import pydantic` alone is lazy and
        # does not load pydantic.BaseModel; `import rich` does not load rich.console.
        "  + BaseModel, rich.console (floor)": [
            sys.executable,
            "-c",
            "import pydantic, yaml, rich, typer; from pydantic import BaseModel; "
            "import rich.console",
        ],
        f"promoplan validate {Path(args.plan).name}": [
            sys.executable,
            "-m",
            "promoplan",
            "validate",
            args.plan,
        ],
    }
    for argv in commands.values():  # warm the file cache
        timed(argv)
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, argv in commands.items():
            samples[name].append(timed(argv))
    print(f"runs: {args.runs} each, interleaved; median wall and CPU (user+system) time")
    medians = {}
    for name, values in samples.items():
        wall = statistics.median(v[0] for v in values)
        cpu = statistics.median(v[1] for v in values)
        medians[name] = (wall, cpu)
        print(f"{name:<40} wall {wall * 1000:7.1f} ms   cpu {cpu * 1000:7.1f} ms")
    names = list(commands)
    base, floor, ours = (medians[n] for n in names)
    print(
        f"ratio validate / imports: wall {ours[0] / base[0]:.2f}, cpu {ours[1] / base[1]:.2f}"
        " (target <= 1.5)"
    )
    print(f"ratio floor / imports:    wall {floor[0] / base[0]:.2f}, cpu {floor[1] / base[1]:.2f}")
    print(f"ratio validate / floor:   wall {ours[0] / floor[0]:.2f}, cpu {ours[1] / floor[1]:.2f}")
    duckdb_check = [
        sys.executable,
        "-c",
        "import sys; sys.argv = ['promoplan', 'validate', " + repr(args.plan) + "]\n"
        "import promoplan.cli\ntry:\n    promoplan.cli.main()\nexcept SystemExit:\n    pass\n"
        "print('duckdb' in sys.modules, file=sys.stderr)",
    ]
    done = subprocess.run(duckdb_check, capture_output=True, text=True, check=False)
    print(f"duckdb imported by validate: {done.stderr.strip().splitlines()[-1]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
