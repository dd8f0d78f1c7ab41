"""Where the README's ``check`` spends its time, phase by phase, in the process itself.

``bench/startup.py`` gives ``check``'s whole-process ratio to the import floor;
this script says where the time goes. Each round runs ``promoplan check`` on the
example plan and actuals in a fresh interpreter whose functions of interest are
wrapped, when the run imports their module, to note when they start and end
(the wrapping costs microseconds); the parent notes the process's whole wall
time. Printed: each phase's median over
the rounds, in milliseconds.

    python bench/check_phases.py [--runs 15] [--plan plans/ecommerce-2025.yaml]

The phases are nested as the code nests them: the read of the actuals holds the
DuckDB connection (its database opened on a thread while the plan was read),
the files' grouping and checks, the overlap check, the cube's fetch, the search
for unknown channels; what a phase's children do not account for is its
"rest" (Python between the queries, the connection's close).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ACTUALS = "plans/actuals/*.csv"
REST = "rest (Python between the queries, the close)"

# (label, module, attribute, depth): the function whose calls make the phase. The
# attribute is wrapped where the caller looks it up.
PHASES = [
    ("read the plan", "promoplan.commands.check", "load_plan", 0),
    ("read the actuals", "promoplan.commands.check", "read_inputs", 0),
    ("DuckDB connection (the wait and its settings)", "promoplan.actuals.engine", "_connect", 1),
    ("each file grouped and checked", "promoplan.actuals.engine", "read_all", 1),
    ("overlap of files", "promoplan.actuals.engine", "overlaps", 1),
    ("the cube fetched", "promoplan.actuals.engine", "build_cube", 1),
    ("unknown channels (PA011)", "promoplan.actuals.engine", "unknown_channels", 1),
    ("evaluate", "promoplan.commands.check", "check_inputs", 0),
    ("render the table", "promoplan.render", "render", 0),
]

CHILD = """
import importlib.abc, importlib.machinery, json, sys, time
clock = time.time()  # the parent's clock too: when this interpreter got here
start = time.perf_counter()
marks = []

def wrapped(label, function):
    def wrapper(*args, **kwargs):
        began = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            marks.append((label, began - start, time.perf_counter() - began))
    return wrapper

class Wrapping(importlib.abc.MetaPathFinder):
    # Wraps a module's functions once it is loaded, where the run loads it.
    def __init__(self, phases):
        self.phases = phases

    def find_spec(self, name, path, target=None):
        wanted = [(label, attr) for label, module, attr, _ in self.phases if module == name]
        if not wanted:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        execute = spec.loader.exec_module

        def exec_module(module):
            execute(module)
            for label, attribute in wanted:
                setattr(module, attribute, wrapped(label, getattr(module, attribute)))

        spec.loader.exec_module = exec_module
        return spec

sys.meta_path.insert(0, Wrapping(json.loads(sys.argv[1])))
sys.argv = ["promoplan", "check", sys.argv[2], "--actuals", sys.argv[3], "-o", "/dev/null"]
from promoplan.process import main
try:
    main()
except SystemExit:
    pass
end = time.perf_counter() - start
report = {"marks": marks, "clock": clock, "end": end}
print(json.dumps(report), file=sys.stderr)
"""


def _round(plan: str, env: dict[str, str]) -> dict[str, float]:
    """One process: the phases' durations, and what lies around them (ms)."""
    begun, clock = time.perf_counter(), time.time()
    done = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(PHASES), plan, ACTUALS],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        check=False,
        text=True,
    )
    wall, ended = time.perf_counter() - begun, time.time()
    report = json.loads(done.stderr.strip().splitlines()[-1])
    got: dict[str, float] = {label: 0.0 for label, *_ in PHASES}
    first = min(at for _, at, _ in report["marks"])
    for label, _, took in report["marks"]:
        got[label] += took * 1000
    # Before the first phase: the interpreter, the imports and the command line.
    got["start-up: interpreter, imports, command line"] = (report["clock"] - clock + first) * 1000
    got[REST] = got["read the actuals"] - sum(got[label] for label, *_, depth in PHASES if depth)
    got["exit: the interpreter's end"] = (ended - report["clock"] - report["end"]) * 1000
    got["whole process"] = wall * 1000
    return got


def main() -> int:
    """Run the rounds, print each phase's median."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--plan", default="plans/ecommerce-2025.yaml")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="promoplan-pycache-") as cache:
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "PYTHONPYCACHEPREFIX": cache}
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # as an installed promoplan runs
        _round(args.plan, env)  # warm-up: bytecode cached, files in the page cache
        rounds = [_round(args.plan, env) for _ in range(args.runs)]
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"cores: {os.cpu_count()}, load average {load}; {args.runs} rounds, medians (ms)\n")
    for label, _, _, depth in PHASES:
        median = statistics.median(r[label] for r in rounds)
        print(f"{'    ' * depth}{label:{60 - 4 * depth}} {median:7.1f}")
        if label == "unknown channels (PA011)":  # the last of the read's parts
            print(f"    {REST:56} {statistics.median(r[REST] for r in rounds):7.1f}")
    for label in (
        "start-up: interpreter, imports, command line",
        "exit: the interpreter's end",
        "whole process",
    ):
        print(f"{label:60} {statistics.median(r[label] for r in rounds):7.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
