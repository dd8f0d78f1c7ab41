"""Benchmark: promoplan's actuals reader against a hand-written DuckDB query and ``cat``.

    python bench/actuals.py --rows 1000000 --rows 10000000 [--repeat 3]

For each size, an order-level CSV of the example plan's shape is generated
once under /tmp/promoplan-bench (bench/gen_rows.py). Then, side by side, each in a fresh
subprocess (so that peak RSS is its own):

- ``promoplan``: ``read_actuals`` building the cube for the example plan's
  metrics by date and channel (what ``check`` reads);
- ``check``: the whole ``promoplan check`` command on the example plan read
  as ``grain: rows``, JSON output to /dev/null (start-up, evaluation, rendering);
- ``hand``: one DuckDB query a person would write for the same sums by quarter
  and channel over the same file;
- ``cat``: ``cat FILE > /dev/null``, the floor for reading the bytes;
- ``parquet``: ``read_actuals`` on the same data written once as typed Parquet
  (beside the CSV), which must be at least 3x faster than the CSV;
- ``before``: ``read_actuals`` of the CSV by promoplan as of ``--before REV``
  (default ``main``; its ``src/`` exported with ``git archive``), so that the
  CSV path is compared with the previous engine side by side, in the same run.

It prints seconds (best and median of --repeat interleaved rounds), CPU seconds
(user and system of every thread; steadier than wall time on a shared
machine), rows per second, peak RSS (the child's ``ru_maxrss``) and
promoplan's ratios to the hand query, each the median of the rounds' own
ratios, and checks that all give the same GMV and spend totals. Each round's
peak RSS is printed too, and with several ``--rows`` each size against the
smallest (time, CPU and peak RSS, medians of the rounds), so that a peak that
grows with the length read shows. To time another command on the same file,
add a row to ``ROWS``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from gen_rows import DATA, default_path, generate  # noqa: E402  # the sibling script

MEASURES = (
    "gmv",
    "spend",
    "uv",
    "orders",
    "new_customer_orders",
    "member_gmv",
    "nps",
    "ugc_posts",
    "new_users",
    "wecom_adds",
)
PLAN_CHANNELS = ("douyin", "kuaishou", "wecom", "xiaohongshu_koc")
MONEY = ("gmv", "spend", "member_gmv")


def _python(*args: str) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), *args]


def rows_plan() -> Path:
    """The example plan, read as order-level rows (``grain: rows``), for timing ``check``."""
    source = HERE.parent / "plans" / "ecommerce-2025.yaml"
    target = DATA / "ecommerce-2025-rows.yaml"
    text = source.read_text(encoding="utf-8").replace("grain: daily", "grain: rows", 1)
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")
    return target


def check_argv(file: Path) -> list[str]:
    """The whole ``promoplan check`` command, JSON to /dev/null; exit 1 (alerts) is success here."""
    command = [
        sys.executable,
        "-m",
        "promoplan",
        "check",
        str(rows_plan()),
        "--actuals",
        str(file),
        "--as-of",
        "2025-06-29",
        "--format",
        "json",
    ]
    return ["sh", "-c", '"$@" > /dev/null; test $? -le 1', "check", *command]


# label -> argv for one timed run over FILE.
ROWS: dict[str, Callable[[Path], list[str]]] = {
    "promoplan": lambda f: _python("--child", "promoplan", str(f)),
    "check": check_argv,
    "hand": lambda f: _python("--child", "hand", str(f)),
    "cat": lambda f: ["sh", "-c", 'cat "$1" > /dev/null', "cat", str(f)],
}


def parquet_copy(csv_file: Path) -> Path:
    """The CSV written once as Parquet with typed columns (DATE, VARCHAR, DECIMAL)."""
    import duckdb  # noqa: PLC0415  # only when benchmarking

    target = csv_file.with_suffix(".parquet")
    if target.exists() and target.stat().st_mtime >= csv_file.stat().st_mtime:
        return target
    columns = ", ".join(
        f"TRY_CAST(replace(replace({m}, ',', ''), '￥', '') AS DECIMAL(18, 2)) AS {m}"
        for m in MEASURES
    )
    query = (
        f"COPY (SELECT CAST(date AS DATE) AS date, channel, {columns} "
        "FROM read_csv($src, all_varchar = true)) TO '" + str(target).replace("'", "''") + "' "
        "(FORMAT parquet)"
    )
    duckdb.connect().execute(query, {"src": str(csv_file)})
    return target


def before_tree(rev: str) -> Path:
    """``src/`` of promoplan at ``rev``, exported under /tmp/promoplan-bench (once per commit)."""
    root = HERE.parent
    commit = subprocess.run(
        ["git", "-C", str(root), "rev-parse", rev], capture_output=True, text=True, check=True
    ).stdout.strip()
    tree = DATA / f"promoplan-{commit[:12]}"
    if not (tree / "src").is_dir():
        tree.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(
            ["git", "-C", str(root), "archive", commit, "src"], capture_output=True, check=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    return tree


BEFORE = {"rev": "main"}


def before_argv(file: Path) -> list[str]:
    """read_actuals of the previous promoplan (``--before``) on the CSV."""
    tree = before_tree(BEFORE["rev"])
    return ["env", f"PYTHONPATH={tree / 'src'}", *_python("--child", "promoplan", str(file))]


ROWS["parquet"] = lambda f: _python("--child", "promoplan", str(parquet_copy(f)))
ROWS["before"] = before_argv


def actuals_spec():  # type: ignore[no-untyped-def]  # promoplan imported in the child only
    """The spec of the example plan's metrics read as order-level rows."""
    import datetime as dt  # noqa: PLC0415  # the child imports only what it runs

    from promoplan.actuals.model import ActualsSpec  # noqa: PLC0415

    return ActualsSpec(
        date_column="date",
        dimensions=(("channel", "channel"),),
        columns=MEASURES,
        grain="rows",
        keep_from=dt.date(2024, 1, 1),
        keep_to=dt.date(2025, 12, 31),
        channel_dimension="channel",
        known_channels=frozenset(PLAN_CHANNELS),
        extrema=frozenset(),  # the example plan has no min or max metric
    )


def child_promoplan(file: Path) -> dict[str, str]:
    """read_actuals for the example plan's metrics; totals of gmv and spend from the cube."""
    from promoplan.actuals import read_actuals  # noqa: PLC0415  # the child imports only what it runs

    actuals = read_actuals([file], actuals_spec())
    if not actuals.ok:
        raise SystemExit(f"promoplan reported errors: {actuals.diagnostics[:3]}")
    cube = actuals.cube
    # Column-wise, as the evaluation reads the cube: no row objects (the hand query
    # sums its 32 groups, so neither side pays for more than its own answer).
    totals = []
    for name in ("gmv", "spend"):
        measure = cube.measures[cube.columns.index(name)]
        totals.append(measure.number(sum(measure.totals)))
    return {
        "gmv": str(totals[0]),
        "spend": str(totals[1]),
        "cube_rows": str(len(cube.days)),
    }


HAND_QUERY = """
SELECT quarter(date) AS q, channel, {sums}
FROM read_csv(?, all_varchar = true)
GROUP BY ALL
"""


def child_hand(file: Path) -> dict[str, str]:
    """The hand-written query: sums by quarter and channel, stripping separators and ￥."""
    import duckdb  # noqa: PLC0415  # the child imports only what it runs

    sums = ", ".join(
        f"sum(TRY_CAST(replace(replace({m}, ',', ''), '￥', '') AS DECIMAL(18, 2))) AS {m}"
        if m in MONEY
        else f"sum(TRY_CAST({m} AS DECIMAL(18, 2))) AS {m}"
        for m in MEASURES
    )
    query = HAND_QUERY.format(sums=sums).replace("quarter(date)", "quarter(CAST(date AS DATE))")
    con = duckdb.connect()
    rows = con.execute(query, [str(file)]).fetchall()
    gmv = sum(r[2] for r in rows if r[2] is not None)
    spend = sum(r[3] for r in rows if r[3] is not None)
    return {"gmv": str(gmv), "spend": str(spend), "groups": str(len(rows))}


def measure(argv: list[str]) -> dict[str, float | str]:
    """Run ``argv`` as this process's only child: wall seconds, CPU seconds (user + system,
    every thread), its peak RSS, its stdout."""
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{argv} failed:\n{done.stderr}")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "seconds": seconds,
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss_mib": usage.ru_maxrss / 1024,
        "stdout": done.stdout.strip(),
    }


def timed(argv: list[str]) -> dict[str, float | str]:
    """Measure ``argv`` from a fresh wrapper process, so RUSAGE_CHILDREN holds it alone."""
    wrapper = _python("--measure", json.dumps(argv))
    done = subprocess.run(wrapper, capture_output=True, text=True, check=True)
    result: dict[str, float | str] = json.loads(done.stdout)
    return result


def machine() -> str:
    """nproc and physical memory, for the record."""
    pages, size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
    memory = pages * size / 2**30
    return f"nproc {os.cpu_count()}, memory {memory:.1f} GiB, Python {sys.version.split()[0]}"


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def _ratio(rounds: dict[str, list[dict[str, float | str]]], a: str, b: str, key: str) -> float:
    """The median over rounds of ``a``'s ``key`` over ``b``'s in the same round (paired)."""
    return _median(
        [float(x[key]) / float(y[key]) for x, y in zip(rounds[a], rounds[b], strict=True)]
    )


Rounds = dict[str, list[dict[str, float | str]]]


def bench(rows: int, repeat: int, only: list[str]) -> tuple[bool, Rounds]:
    """Time every row of ROWS on a file of ``rows`` rows: whether all give the same totals,
    and the rounds' measurements."""
    file = default_path(rows)
    if not file.exists():
        print(f"generating {file} ...", file=sys.stderr)
        generate(rows, file)
    size = file.stat().st_size
    print(f"\n{rows:,} rows, {size / 2**20:,.0f} MiB: {file}")
    labels = [label for label in ROWS if label in only or label in ("promoplan", "hand")]
    rounds: Rounds = {label: [] for label in labels}
    for _ in range(repeat):  # alternate, so that a busy moment does not hit one row only
        for label in labels:
            rounds[label].append(timed(ROWS[label](file)))
    print(
        f"{'':<10} {'best s':>8} {'median s':>9} {'CPU s':>7} {'rows/s':>12} {'peak RSS MiB':>13}"
    )
    for label, got in rounds.items():
        best = min(float(g["seconds"]) for g in got)
        wall = _median([float(g["seconds"]) for g in got])
        cpu = _median([float(g["cpu"]) for g in got])
        rss = max(float(g["rss_mib"]) for g in got)
        print(
            f"{label:<10} {best:>8.2f} {wall:>9.2f} {cpu:>7.2f} {rows / best:>12,.0f} {rss:>13,.0f}"
        )
    print(f"ratios: medians of the {repeat} rounds' own ratios (wall and CPU), peak RSS of all")
    for label, got in rounds.items():
        peaks = ", ".join(f"{float(g['rss_mib']):.0f}" for g in got)
        print(f"peak RSS MiB of each round, {label}: {peaks}")

    def versus(a: str, b: str) -> str:
        peak = max(float(g["rss_mib"]) for g in rounds[a])
        peak_b = max(float(g["rss_mib"]) for g in rounds[b])
        wall, cpu = _ratio(rounds, a, b, "seconds"), _ratio(rounds, a, b, "cpu")
        return f"time {wall:.2f}x, CPU {cpu:.2f}x, peak RSS {peak / peak_b:.2f}x"

    ratio = _ratio(rounds, "promoplan", "hand", "seconds")
    print(
        f"promoplan / hand: {versus('promoplan', 'hand')} (target <= 1.2x: "
        f"{'met' if ratio <= 1.2 else 'missed'})"
    )
    if "check" in rounds:
        ratio = _ratio(rounds, "check", "hand", "seconds")
        print(
            f"promoplan check / hand: {versus('check', 'hand')} "
            f"(target <= 1.5x at 10M rows: {'met' if ratio <= 1.5 else 'missed'})"
        )
    if "cat" in rounds:
        print(f"cat / hand: time {_ratio(rounds, 'cat', 'hand', 'seconds'):.2f}x")
    if "parquet" in rounds:
        speedup = _ratio(rounds, "promoplan", "parquet", "seconds")
        print(
            f"CSV / Parquet: time {speedup:.2f}x, CPU "
            f"{_ratio(rounds, 'promoplan', 'parquet', 'cpu'):.2f}x "
            f"(target >= 3x: {'met' if speedup >= 3 else 'missed'})"
        )
    if "before" in rounds:
        slower = _ratio(rounds, "promoplan", "before", "seconds")
        print(
            f"CSV now / before ({BEFORE['rev']}): {versus('promoplan', 'before')} "
            f"(target: no slower, <= 1.05x for noise: {'met' if slower <= 1.05 else 'missed'})"
        )
    mine = json.loads(str(rounds["promoplan"][-1]["stdout"]))
    others = [
        json.loads(str(rounds[k][-1]["stdout"]))
        for k in ("hand", "parquet", "before")
        if k in rounds
    ]
    agree = all(float(x[k]) == float(mine[k]) for x in others for k in ("gmv", "spend"))
    print(
        f"totals: gmv {mine['gmv']} spend {mine['spend']}: "
        f"{'the same' if agree else 'DIFFERENT'} in all"
    )
    return agree, rounds


def scaling(sizes: list[tuple[int, Rounds]]) -> None:
    """Each size against the smallest, per row: time (medians) and peak RSS (median and
    highest of the rounds); the file is read once per round, so a longer file's peak may
    differ only by what grows with the length read."""
    (small, base), *larger = sorted(sizes, key=lambda s: s[0])
    for rows, rounds in larger:
        print(f"\n{rows:,} rows against {small:,}:")
        for label in rounds:
            if label not in base or label == "cat":
                continue
            ratio = {
                key: _median([float(g[key]) for g in rounds[label]])
                / _median([float(g[key]) for g in base[label]])
                for key in ("seconds", "cpu", "rss_mib")
            }
            peak = max(float(g["rss_mib"]) for g in rounds[label])
            peak_base = max(float(g["rss_mib"]) for g in base[label])
            print(
                f"{label:<10} time {ratio['seconds']:.2f}x, CPU {ratio['cpu']:.2f}x, "
                f"peak RSS {ratio['rss_mib']:.2f}x (medians; highest {peak / peak_base:.2f}x)"
            )


def main(argv: list[str] | None = None) -> int:
    """Command line; also the entry point of the measured children."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, action="append", help="rows per file (repeatable)")
    parser.add_argument(
        "--repeat", type=int, default=1, help="interleaved rounds; ratios are their medians"
    )
    parser.add_argument(
        "--before", default="main", help="the revision whose CSV reading is the baseline"
    )
    parser.add_argument(
        "--only",
        default=",".join(ROWS),
        help="the rows to run, comma-separated (promoplan and hand always run)",
    )
    parser.add_argument("--child", nargs=2, metavar=("KIND", "FILE"), help=argparse.SUPPRESS)
    parser.add_argument("--measure", metavar="ARGV_JSON", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(json.loads(args.measure))))
        return 0
    if args.child:
        kind, file = args.child
        run = child_promoplan if kind == "promoplan" else child_hand
        print(json.dumps(run(Path(file))))
        return 0
    BEFORE["rev"] = args.before
    print(machine())
    only = args.only.split(",")
    sizes = [(rows, bench(rows, max(1, args.repeat), only)) for rows in (args.rows or [1_000_000])]
    if len(sizes) > 1:
        scaling([(rows, rounds) for rows, (_, rounds) in sizes])
    return 0 if all(agree for _, (agree, _) in sizes) else 1


if __name__ == "__main__":
    raise SystemExit(main())
