"""Benchmark: costs that must not grow with distinct dimension values or with goals.

    python bench/cardinality.py [--rows 1000000] [--repeat 3] [--before main]

Data is generated once under /tmp/promoplan-bench (``PROMOPLAN_BENCH_DATA``):
CSVs of ``--rows`` daily rows over 180 days whose ``channel`` column has 1,
40,000, 200,000 or 1,000,000 distinct
values, and plans with 500 and 10,000 goals over a 40-channel file. Then, each
command in a fresh subprocess (so that peak RSS is its own), interleaved round by
round and reported as medians:

- ``check`` of a plan with a budget (so the channel dimension is read) and a
  goal filtered to one channel, on each file: seconds, peak RSS and the ratio
  to the same command on the file with one channel value;
- for 500 and 10,000 goals: ``check``, ``report --format markdown`` and
  ``report --format html`` (with the page's size), each report as a ratio to
  ``check`` of the same plan;
- with ``--before REV`` (default ``main``; ``none`` to skip), the same commands
  run by promoplan as of REV (its ``src/`` exported with ``git archive``) beside
  them, as ``before`` (``--before-max N``: only up to N values or goals).

The machine's core count is printed: ratios, not seconds, are what to compare.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from gen_rows import DATA  # noqa: E402  # where every benchmark keeps its data

SRC = HERE.parent / "src"
DAYS = 180
CARDINALITIES = (1, 40_000, 200_000, 1_000_000)
GOALS = (500, 10_000)
GOAL_CHANNELS = 40

PLAN = """promoplan: 1
name: Cardinality
period: 2025
currency: CNY
actuals:
  date: date
  dimensions: {{channel: channel}}
metrics:
  gmv: {{column: gmv, unit: currency}}
  spend: {{column: spend, unit: currency}}
  orders: {{column: orders}}
  roi: {{formula: gmv / spend}}
goals:
{goals}
budget:
  total: 50000000
  lines:
    ads: {{share: 60%}}
    content: {{share: 40%}}
"""


def generate_csv(path: Path, distinct: int, rows: int) -> None:
    """``rows`` daily rows over DAYS days, the channel cycling through ``distinct`` values."""
    if path.exists():
        return
    start = dt.date(2025, 1, 1)
    days = [(start + dt.timedelta(days=d)).isoformat() for d in range(DAYS)]
    tmp = path.with_suffix(".tmp")
    with tmp.open("w") as out:
        out.write("date,channel,gmv,spend,orders\n")
        for i in range(rows):
            gmv, spend = (i * 37) % 10_000, (i * 11) % 3_000
            out.write(
                f"{days[i % DAYS]},c{i % distinct},{gmv // 100}.{gmv % 100:02d},"
                f"{spend // 100}.{spend % 100:02d},{i % 7}\n"
            )
    tmp.rename(path)


def goal_lines(count: int) -> str:
    """``count`` goals: cumulative GMV goals, every other one filtered to a channel."""
    lines = [
        "  gmv: {metric: gmv, at_least: 100000000}",
        "  roi: {metric: roi, at_least: 3}",
    ]
    for i in range(count - 2):
        where = f", where: {{channel: c{i % GOAL_CHANNELS}}}" if i % 2 else ""
        lines.append(f"  g{i}: {{metric: gmv, at_least: {1_000_000 + 1_000 * i}{where}}}")
    return "\n".join(lines)


def write_plan(path: Path, goals: int) -> None:
    """A plan of this module's shape with ``goals`` goals."""
    path.write_text(PLAN.format(goals=goal_lines(goals)), encoding="utf-8")


def before_tree(rev: str, into: Path) -> Path:
    """promoplan's ``src/`` as of ``rev``, exported into ``into``."""
    root = HERE.parent
    archive = subprocess.run(
        ["git", "-C", str(root), "archive", rev, "src"], capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into / "src"


def measure(args: list[str], src: Path) -> tuple[float, float]:
    """Seconds and the child's own peak RSS, in a forked helper so RSS is not the max so far."""
    code = (
        "import resource, subprocess, sys, time, json;"
        "t=time.perf_counter();"
        "r=subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE);"
        "s=time.perf_counter()-t;"
        "print(json.dumps([s, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss/1024, "
        "r.returncode, r.stderr.decode()[-2000:]]))"
    )
    env = {**os.environ, "PYTHONPATH": str(src), "NO_COLOR": "1"}
    out = subprocess.run(
        [sys.executable, "-c", code, sys.executable, "-m", "promoplan", *args],
        env=env,
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    import json  # noqa: PLC0415  # only here

    seconds, rss, status, err = json.loads(out)
    if status > 1:
        raise SystemExit(f"{' '.join(args)}: exit {status}\n{err}")
    return float(seconds), float(rss)


def main() -> None:
    """Generate the data, run every command side by side, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--before", default="main", help="a git revision, or 'none'")
    parser.add_argument("--only", choices=("values", "goals"), default=None)
    parser.add_argument(
        "--before-max",
        type=int,
        default=None,
        help="run the --before tree only up to this many distinct values or goals "
        "(the old roll-up takes minutes beyond)",
    )
    args = parser.parse_args()
    DATA.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="promoplan-bench-"))
    trees = {"now": SRC}
    if args.before != "none":
        trees["before"] = before_tree(args.before, work)
    jobs: dict[tuple[str, str], list[str]] = {}
    if args.only != "goals":
        plan = work / "values.yaml"
        write_plan(plan, 3)
        for n in CARDINALITIES:
            csv = DATA / f"channels-{n}-{args.rows}.csv"
            generate_csv(csv, n, args.rows)
            jobs[(f"{n:,} values", "check")] = ["check", str(plan), "--actuals", str(csv)]
    if args.only != "values":
        csv = DATA / f"channels-{GOAL_CHANNELS}-200000.csv"
        generate_csv(csv, GOAL_CHANNELS, 200_000)
        for g in GOALS:
            plan = work / f"goals-{g}.yaml"
            write_plan(plan, g)
            common = [str(plan), "--actuals", str(csv), "--as-of", "2025-06-29"]
            jobs[(f"{g:,} goals", "check")] = ["check", *common]
            for fmt in ("markdown", "html"):
                out = work / f"goals-{g}-TREE.{fmt}"
                jobs[(f"{g:,} goals", fmt)] = ["report", *common, "-f", fmt, "-o", str(out)]
    runs: dict[tuple[str, str, str], list[tuple[float, float]]] = {}
    for _ in range(args.repeat):
        for key, command in jobs.items():
            for tree, src in trees.items():
                size = int(key[0].split()[0].replace(",", ""))
                if tree == "before" and args.before_max is not None and size > args.before_max:
                    continue
                command_of_tree = [part.replace("TREE", tree) for part in command]
                runs.setdefault((*key, tree), []).append(measure(command_of_tree, src))
                print(f"  {key} {tree}: {runs[(*key, tree)][-1]}", file=sys.stderr, flush=True)
    report(runs, work, args.rows, args.repeat)


def report(
    runs: dict[tuple[str, str, str], list[tuple[float, float]]], work: Path, rows: int, repeat: int
) -> None:
    """Print each command's median seconds, peak RSS and its ratio to its reference."""
    print(f"cores: {os.cpu_count()}; rows per values file: {rows:,}; medians of {repeat}")
    print(f"{'case':<18}{'command':<10}{'tree':<8}{'seconds':>9}{'MiB':>8}{'ratio':>8}  ratio to")
    for (case, command, tree), values in runs.items():
        seconds = statistics.median(v[0] for v in values)
        rss = max(v[1] for v in values)
        if case.endswith("values"):
            base_key = (f"{CARDINALITIES[0]:,} values", "check", tree)
            what = "1 value"
        else:
            base_key = (case, "check", tree)
            what = "check"
        base = statistics.median(v[0] for v in runs[base_key])
        size = ""
        if command == "html":
            page = work / f"goals-{case.split()[0].replace(',', '')}-{tree}.html"
            size = f"  page {page.stat().st_size / 2**20:.1f} MiB" if page.exists() else ""
        print(
            f"{case:<18}{command:<10}{tree:<8}{seconds:>9.2f}{rss:>8.0f}"
            f"{seconds / base:>7.2f}x  {what}{size}"
        )


if __name__ == "__main__":
    main()
