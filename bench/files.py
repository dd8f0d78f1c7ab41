"""Benchmark: many daily files and one large file, each against its reference, side by side.

    python bench/files.py [--days 365] [--day-rows 30000] [--rows 10000000] [--repeat 3]
                          [--before main] [--last-row]

Data is generated once under /tmp/promoplan-bench (bench/gen_rows.py's shape).
Every figure is a ratio to a reference measured in the same run, interleaved,
each run a fresh process (so its peak RSS is its own), the median of --repeat:

- ``days``: ``read_actuals`` over --days files of --day-rows rows (one day each)
  against the same rows as one file (target <= 1.3x);
- ``large``: ``read_actuals`` of one file of --rows rows against the hand-written
  DuckDB daily-grain query (sums by day and channel; target <= 1.1x), with a
  polars lazy scan of the same query beside it when polars is installed, peak
  RSS (target <= 300 MiB), and twice the rows against --rows (time <= 2.1x,
  peak RSS within 10%);
- ``before``: the same reads by promoplan as of --before (its src/ exported).

--last-row checks by hand that a bad cell in the last row of the large file,
and a channel first seen there, are still located exactly.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from actuals import (  # noqa: E402
    MEASURES,
    MONEY,
    actuals_spec,
    before_tree,
    child_promoplan,
    machine,
    timed,
)
from gen_rows import DATA, default_path, generate  # noqa: E402


def daily_files(days: int, rows: int) -> tuple[list[Path], Path]:
    """``days`` files of ``rows`` rows, one day each, and the same rows as one file."""
    folder = DATA / f"daily-{days}x{rows}"
    one = DATA / f"daily-{days}x{rows}.csv"
    files = [folder / f"orders-{d:03d}.csv" for d in range(days)]
    if one.exists() and all(f.exists() for f in files):
        return files, one
    import duckdb  # noqa: PLC0415  # only when generating

    source = default_path(days * rows)
    if not source.exists():
        generate(days * rows, source)
    folder.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE t AS SELECT * FROM read_csv($f, all_varchar = true)", {"f": str(source)}
    )
    con.execute("CREATE TABLE o AS SELECT *, (row_number() OVER () - 1) AS i FROM t")
    # Day d gets rows [d*rows, (d+1)*rows), dated 2025-01-01 + d.
    for d, file in enumerate(files):
        con.execute(
            "COPY (SELECT strftime(DATE '2025-01-01' + CAST($d AS INTEGER), '%Y-%m-%d') AS date, "
            "* EXCLUDE (date, i) FROM o WHERE i >= $lo AND i < $hi ORDER BY i) "
            f"TO '{file}' (HEADER, QUOTE '\"')",
            {"d": d, "lo": d * rows, "hi": (d + 1) * rows},
        )
    con.execute(
        "COPY (SELECT * FROM read_csv($files, all_varchar = true)) "
        f"TO '{one}' (HEADER, QUOTE '\"')",
        {"files": [str(f) for f in files]},
    )
    return files, one


def _python(*args: str) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), *args]


def _sums() -> str:
    return ", ".join(
        f"sum(TRY_CAST(replace(replace({m}, ',', ''), '￥', '') AS DECIMAL(18, 2))) AS {m}"
        if m in MONEY
        else f"sum(TRY_CAST({m} AS DECIMAL(18, 2))) AS {m}"
        for m in MEASURES
    )


def child_hand(files: list[Path]) -> dict[str, str]:
    """The hand-written daily-grain query: sums by day and channel."""
    import duckdb  # noqa: PLC0415

    query = (
        f"SELECT CAST(date AS DATE) AS d, channel, {_sums()} "
        "FROM read_csv(?, all_varchar = true) GROUP BY ALL"
    )
    rows = duckdb.connect().execute(query, [[str(f) for f in files]]).fetchall()
    return {"gmv": str(sum(r[2] for r in rows if r[2] is not None)), "groups": str(len(rows))}


def child_polars(files: list[Path]) -> dict[str, str]:
    """The same daily-grain sums with a polars lazy scan."""
    import polars as pl  # type: ignore[import-not-found,unused-ignore]  # noqa: PLC0415

    def number(m: str) -> pl.Expr:
        text = pl.col(m)
        if m in MONEY:
            text = text.str.replace_all(",", "").str.replace_all("￥", "")
        return text.str.strip_chars().cast(pl.Decimal(18, 2), strict=False).sum().alias(m)

    frame = (
        pl.scan_csv([str(f) for f in files], infer_schema=False)
        .group_by(pl.col("date").str.to_date(), "channel")
        .agg([number(m) for m in MEASURES])
        .collect()
    )
    return {"gmv": str(frame["gmv"].sum()), "groups": str(frame.height)}


def child(kind: str, files: list[Path]) -> dict[str, str]:
    """One measured run."""
    if kind == "promoplan":
        return child_promoplan_files(files)
    return child_hand(files) if kind == "hand" else child_polars(files)


def child_promoplan_files(files: list[Path]) -> dict[str, str]:
    """read_actuals over ``files`` (bench/actuals.py's spec)."""
    if len(files) == 1:
        return child_promoplan(files[0])
    from promoplan.actuals import read_actuals  # noqa: PLC0415

    spec = actuals_spec()
    got = read_actuals(files, spec)
    if not got.ok:
        raise SystemExit(f"promoplan reported errors: {got.diagnostics[:3]}")
    measure = got.cube.measures[got.cube.columns.index("gmv")]
    total = measure.number(sum(measure.totals))
    return {"gmv": str(total), "cube_rows": str(len(got.cube.days))}


def argv(kind: str, files: list[Path], before: Path | None = None) -> list[str]:
    """The measured command: this script as a child over ``files``."""
    command = _python("--child", kind, json.dumps([str(f) for f in files]))
    if before is None:
        return command
    return ["env", f"PYTHONPATH={before / 'src'}", *command]


def compare(rows: dict[str, list[str]], repeat: int) -> dict[str, dict[str, float]]:
    """Run every row ``repeat`` times, interleaved: median seconds, max peak RSS, outputs."""
    runs: dict[str, list[dict[str, float | str]]] = {k: [] for k in rows}
    for _ in range(repeat):
        for label, command in rows.items():
            runs[label].append(timed(command))
    out = {}
    for label, got in runs.items():
        out[label] = {
            "seconds": statistics.median(float(g["seconds"]) for g in got),
            "cpu": statistics.median(float(g["cpu"]) for g in got),
            "rss": max(float(g["rss_mib"]) for g in got),
            "runs": [float(g["seconds"]) for g in got],
            "cpu_runs": [float(g["cpu"]) for g in got],
        }
        out[label]["stdout"] = got[0]["stdout"]  # type: ignore[assignment]
    return out


def ratio(results: dict[str, dict[str, float]], a: str, b: str, key: str = "runs") -> float:
    """Median of the paired per-run ratios a/b (runs were interleaved); ``key="cpu_runs"``
    for CPU seconds (user and system of every thread), steadier on a shared machine."""
    pairs = zip(results[a][key], results[b][key], strict=True)  # type: ignore[call-overload]
    return statistics.median(x / y for x, y in pairs)


def table(results: dict[str, dict[str, float]]) -> None:
    """Seconds, CPU seconds and peak RSS per row."""
    print(f"  {'':<22} {'seconds':>8} {'CPU s':>7} {'peak RSS MiB':>13}")
    for label, got in results.items():
        print(f"  {label:<22} {got['seconds']:>8.2f} {got['cpu']:>7.2f} {got['rss']:>13,.0f}")


def has_polars() -> bool:
    """Whether polars can be imported here (it is no dependency of promoplan)."""
    done = subprocess.run([sys.executable, "-c", "import polars"], capture_output=True, check=False)
    return done.returncode == 0


def bench_days(days: int, rows: int, repeat: int, before: Path | None) -> None:
    """Many daily files against the same rows in one file."""
    files, one = daily_files(days, rows)
    print(f"\n{days} files of {rows:,} rows against the same {days * rows:,} rows in one file")
    commands = {"files": argv("promoplan", files), "one file": argv("promoplan", [one])}
    if before is not None:
        commands["files, before"] = argv("promoplan", files, before)
    results = compare(commands, repeat)
    table(results)
    print(f"  files / one file: {ratio(results, 'files', 'one file'):.2f}x (target <= 1.3x)")
    if before is not None:
        print(f"  files, before / one file: {ratio(results, 'files, before', 'one file'):.2f}x")
    same = {json.loads(str(r["stdout"]))["gmv"] for r in results.values()}
    print(f"  gmv: {' / '.join(sorted(same))} ({'the same' if len(same) == 1 else 'DIFFERENT'})")


def bench_large(rows: int, repeat: int, before: Path | None, polars: bool) -> None:
    """One large file against the hand daily-grain query; twice the rows against it."""
    file, double = default_path(rows), default_path(2 * rows)
    for path, n in ((file, rows), (double, 2 * rows)):
        if not path.exists():
            print(f"generating {path} ...", file=sys.stderr)
            generate(n, path)
    print(f"\none file of {rows:,} rows ({file.stat().st_size / 2**20:,.0f} MiB)")
    commands = {
        "promoplan": argv("promoplan", [file]),
        "hand DuckDB": argv("hand", [file]),
        "promoplan, 2x rows": argv("promoplan", [double]),
    }
    if polars:
        commands["polars lazy"] = argv("polars", [file])
    if before is not None:
        commands["promoplan, before"] = argv("promoplan", [file], before)
    results = compare(commands, repeat)
    table(results)
    ours = ratio(results, "promoplan", "hand DuckDB")
    cpu = ratio(results, "promoplan", "hand DuckDB", "cpu_runs")
    line = f"  promoplan / hand DuckDB: {ours:.2f}x, CPU {cpu:.2f}x (target <= 1.1x)"
    if polars:
        line += f"; polars lazy / hand DuckDB: {ratio(results, 'polars lazy', 'hand DuckDB'):.2f}x"
        line += f", CPU {ratio(results, 'polars lazy', 'hand DuckDB', 'cpu_runs'):.2f}x"
    print(line)
    print(f"  promoplan peak RSS: {results['promoplan']['rss']:,.0f} MiB (target <= 300)")
    grow = ratio(results, "promoplan, 2x rows", "promoplan")
    grow_cpu = ratio(results, "promoplan, 2x rows", "promoplan", "cpu_runs")
    rss = results["promoplan, 2x rows"]["rss"] / results["promoplan"]["rss"]
    print(
        f"  2x rows / 1x rows: time {grow:.2f}x, CPU {grow_cpu:.2f}x (target <= 2.1), "
        f"peak RSS {rss:.2f}x (<= 1.1)"
    )
    if before is not None:
        print(f"  now / before: {ratio(results, 'promoplan', 'promoplan, before'):.2f}x")


def last_row(rows: int) -> None:
    """A bad cell, then a new channel, in the last row of the large file: located exactly?

    Two edited copies: a file with an error is not searched for unknown channels.
    """
    from promoplan.actuals import read_actuals  # noqa: PLC0415

    file = default_path(rows)
    lines = rows + 1
    for code, column, value in (("PA003", 5, "12abc"), ("PA011", 2, "brand_new_channel")):
        edited = DATA / f"last-row-{rows}.csv"
        with file.open("rb") as src, edited.open("wb") as out:
            for number, line in enumerate(src, start=1):
                if number == lines:
                    cells = line.decode().rstrip("\n").split(",")
                    cells[column - 1] = value
                    out.write((",".join(cells) + "\n").encode())
                else:
                    out.write(line)
        start = time.perf_counter()
        got = read_actuals([edited], actuals_spec())
        seconds = time.perf_counter() - start
        hits = [d for d in got.diagnostics if d.code == code]
        exact = any(d.line == lines and d.column == column for d in hits)
        print(
            f"  {code} in the last row (line {lines:,}, column {column}): "
            f"{'located exactly' if exact else 'NOT located'} "
            f"({[(d.line, d.column) for d in hits]}; read in {seconds:.1f} s)"
        )
        edited.unlink()


def main(args_in: list[str] | None = None) -> int:
    """Command line; also the entry point of the measured children."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--day-rows", type=int, default=30_000)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--before", default="", help="also time promoplan as of this revision")
    parser.add_argument("--only", choices=("days", "large"), default=None)
    parser.add_argument("--last-row", action="store_true", help="the last-row check only")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "FILES"), help=argparse.SUPPRESS)
    args = parser.parse_args(args_in)
    if args.child:
        kind, files = args.child
        print(json.dumps(child(kind, [Path(f) for f in json.loads(files)])))
        return 0
    print(machine(), f"| load average {os.getloadavg()[0]:.1f}")
    if args.last_row:
        last_row(args.rows)
        return 0
    before = before_tree(args.before) if args.before else None
    if args.only in (None, "days"):
        bench_days(args.days, args.day_rows, args.repeat, before)
    if args.only in (None, "large"):
        bench_large(args.rows, args.repeat, before, has_polars())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
