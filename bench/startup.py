"""Start-up benchmark: ``validate``, ``--help`` and ``--version`` against the import floor.

Every figure is a whole process, run interleaved with the others (one round runs
each command once), so that all see the same machine load; a ratio is the median
of the rounds' own ratios (paired), a step's cost the median of the rounds'
differences between two processes that differ by that step.

* The floor is ``python -c "import typer, rich, rich.table, pydantic, yaml"``:
  what any program on promoplan's libraries pays before it does anything.
* ``--before SRC`` runs another source tree's commands in the same rounds (its
  ``src`` directory on ``PYTHONPATH``), e.g. ``--before ../main/src``.
* The steps: cumulative processes along ``validate``'s own path (interpreter,
  pydantic and PyYAML, pydantic's BaseModel, promoplan's modules, the plan model
  build, the work), then along the typer path the other commands take (the click
  tree of every command or of one, typer's pydantic adapter per option, rich).

    python bench/startup.py [--runs 20] [--plan plans/ecommerce-2025.yaml] [--before SRC]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FLOOR = "import typer, rich, rich.table, pydantic, yaml"
ENTRY = "import sys; sys.argv[0] = 'promoplan'\nfrom promoplan.process import main\nmain()\n"
TARGETS = {
    "validate": 1.8,
    "--help": 1.3,
    "validate --help": 1.3,
    "--version": 1.3,
    "check": 3.5,  # the README's main command, on the example plan and actuals
}
CHECK_ACTUALS = "plans/actuals/*.csv"

# Cumulative steps of validate's path: each process does what the one before did, and one
# thing more. {plan} is the plan file.
VALIDATE_STEPS = [
    ("interpreter start-up", "pass"),
    ("pydantic and PyYAML", "import pydantic, yaml"),
    ("pydantic's BaseModel machinery", "import pydantic, yaml; from pydantic import BaseModel"),
    (
        "promoplan's modules (validate's import chain)",
        "import pydantic, yaml; from pydantic import BaseModel; import promoplan.cli, "
        "promoplan.quickargs, promoplan.commands.validate, promoplan.render.plain, "
        "promoplan.exitstatus, promoplan.output",
    ),
    (
        "the plan model build (first validation)",
        "import pydantic, yaml; from pydantic import BaseModel; import promoplan.cli, "
        "promoplan.quickargs, promoplan.commands.validate, promoplan.render.plain, "
        "promoplan.exitstatus, promoplan.output; promoplan.model.Plan.model_rebuild()",
    ),
    (
        "the work: options, read, check, render (the whole command)",
        "import sys; sys.argv = ['promoplan', 'validate', {plan!r}]\n"
        "from promoplan.process import main\nmain()\n",
    ),
]
# What promoplan.process.main does with the cyclic garbage collector, around a step.
COLLECTOR = "import gc; gc.set_threshold(100_000)\n{code}\ngc.freeze()"
# Steps of the typer path: (title, code, the step it adds to).
_CLI = FLOOR + "; import promoplan.cli, typer.main; app = promoplan.cli.app"
_ONE = (
    _CLI + "; from promoplan.clityper import lazy_group; c = lazy_group(app).commands['validate']"
)
_CLI_TITLE = "promoplan.cli and its typer application"
_ONE_TITLE = "the click tree, one command (what a run builds)"
TYPER_STEPS = [
    (_CLI_TITLE, _CLI, "floor"),
    (_ONE_TITLE, _ONE, _CLI_TITLE),
    (
        "the click tree, all seven commands (typer's own)",
        _CLI + "; typer.main.get_command(app)",
        _CLI_TITLE,
    ),
    (
        "typer's pydantic adapter per option of validate (replaced for text values)",
        _ONE + "; from typer._coercion import build_runtime_param\n"
        "for p in c.params: build_runtime_param(p.type_descriptor)",
        _ONE_TITLE,
    ),
    (
        "rich console and the table renderer (validate with colour)",
        _ONE + "; import promoplan.render.table",
        _ONE_TITLE,
    ),
]


def _run(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(
        argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False
    )
    wall = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"{argv[2:]} failed ({done.returncode}): {done.stderr.decode()[-400:]}")
    return wall


def _env(src: Path, cache: str) -> dict[str, str]:
    """``src`` first on the path; bytecode cached (in ``cache``, outside the trees), as an
    installed promoplan runs: without it every run compiles every module of the tree."""
    env = {**os.environ, "PYTHONPATH": str(src), "NO_COLOR": "1", "PYTHONPYCACHEPREFIX": cache}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _rounds(jobs: dict[str, tuple[list[str], dict[str, str]]], runs: int) -> dict[str, list[float]]:
    """Each job once per round, in an order that rotates; one warm-up round first."""
    names = list(jobs)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for index in range(runs + 1):
        shift = index % len(names)
        for name in names[shift:] + names[:shift]:
            wall = _run(*jobs[name])
            if index:
                samples[name].append(wall)
    return samples


def _paired(samples: dict[str, list[float]], name: str, base: str) -> float:
    return statistics.median(a / b for a, b in zip(samples[name], samples[base], strict=True))


def _step(samples: dict[str, list[float]], name: str, base: str) -> float:
    return statistics.median(a - b for a, b in zip(samples[name], samples[base], strict=True))


def _jobs(
    args: argparse.Namespace, trees: dict[str, Path], cache: str
) -> dict[str, tuple[list[str], dict[str, str]]]:
    python = sys.executable
    jobs = {"floor": ([python, "-c", FLOOR], _env(ROOT / "src", cache))}
    for label, src in trees.items():
        for name in TARGETS:
            command = name.split()
            if name == "validate":
                command = [*command, args.plan]
            elif name == "check":
                command = [*command, args.plan, "--actuals", CHECK_ACTUALS]
            jobs[label + name] = ([python, "-c", ENTRY, *command], _env(src, cache))
    if not args.no_steps:
        # validate's partial steps collect garbage as promoplan's entry point has it
        # collect (its last step is that entry point): else the whole command would
        # cost less than the step before it.
        partial = {title: COLLECTOR.format(code=code) for title, code in VALIDATE_STEPS[:-1]}
        steps = VALIDATE_STEPS + [(title, code) for title, code, _ in TYPER_STEPS]
        for title, code in steps:
            argv = [python, "-c", partial.get(title, code).format(plan=args.plan)]
            jobs["step: " + title] = (argv, _env(ROOT / "src", cache))
    return jobs


def _print_commands(samples: dict[str, list[float]], trees: dict[str, Path]) -> None:
    floor = statistics.median(samples["floor"])
    print(f"\n{'':44}{'wall ms':>9}{'x floor':>9}{'target':>9}")
    print(f"{'floor: ' + FLOOR:44.44}{floor * 1000:9.1f}{1:9.2f}")
    for label in trees:
        for name, target in TARGETS.items():
            key = label + name
            wall = statistics.median(samples[key]) * 1000
            ratio = _paired(samples, key, "floor")
            verdict = "" if label else ("  ok" if ratio <= target else "  OVER")
            shown = f"{label}promoplan {name}"
            print(f"{shown:44.44}{wall:9.1f}{ratio:9.2f}{'<= ' + str(target):>9}{verdict}")
    if len(trees) > 1:
        print()
        for name in TARGETS:
            print(f"now / before, {name:22} {_paired(samples, name, 'before: ' + name):.2f}")


def _print_steps(samples: dict[str, list[float]]) -> None:
    print("\nWhere validate's time goes (each step: the median paired difference, ms)")
    previous = None
    for title, _ in VALIDATE_STEPS:
        key = "step: " + title
        cost = (
            statistics.median(samples[key]) if previous is None else _step(samples, key, previous)
        )
        print(f"  {title:76} {cost * 1000:7.1f}")
        previous = key
    print("\nThe typer path (--help, --version, the other commands), from the floor")
    for title, _, base in TYPER_STEPS:
        cost = _step(samples, "step: " + title, base if base == "floor" else "step: " + base)
        print(f"  {title:76} {cost * 1000:7.1f}")


def main() -> int:
    """Measure, then print the commands, their ratios to the floor, and the steps."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--plan", default="plans/ecommerce-2025.yaml")
    parser.add_argument("--before", type=Path, help="another tree's src directory, measured too")
    parser.add_argument("--no-steps", action="store_true", help="the commands only")
    args = parser.parse_args()
    trees = {"": ROOT / "src"}
    if args.before:
        trees["before: "] = args.before.resolve()
    os.chdir(ROOT)
    with tempfile.TemporaryDirectory(prefix="promoplan-pycache-") as cache:
        samples = _rounds(_jobs(args, trees, cache), args.runs)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"cores: {cores}, load average {load}; {args.runs} interleaved rounds, medians")
    _print_commands(samples, trees)
    if not args.no_steps:
        _print_steps(samples)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
