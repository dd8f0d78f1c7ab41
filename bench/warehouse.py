"""Warehouse actuals: ``check`` from PostgreSQL vs from the same data as CSV vs bare ``psql``.

    python bench/warehouse.py [--rows 1000000] [--10m] [--repeat 3]

Starts a throwaway PostgreSQL (as the tests do), fills a table of order-level
rows of the example plan's shape with ``generate_series`` (deterministic),
exports it as CSV, then times, side by side in one run: the whole
``promoplan check`` reading PostgreSQL, the whole ``promoplan check`` reading
the CSV, ``read_actuals`` alone on PostgreSQL (in process, no start-up), and
``psql`` running the bare cube query promoplan sends (the dates inlined). The
best of ``--repeat`` runs counts; the ratios to ``psql`` are the figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT / "tests" / "warehouse"), str(HERE)]

import pgserver  # noqa: E402  # tests/warehouse/pgserver.py: the tests' throwaway server
import psycopg  # noqa: E402  # the postgres extra
from actuals import rows_plan  # noqa: E402  # bench/actuals.py: the example plan as grain: rows

from promoplan.actuals import read_actuals  # noqa: E402
from promoplan.actuals.warehouse.columns import plan_query  # noqa: E402
from promoplan.actuals.warehouse.query import render  # noqa: E402
from promoplan.actuals.warehouse.urls import parse_url  # noqa: E402
from promoplan.inputs import actuals_spec  # noqa: E402
from promoplan.loader import load_plan  # noqa: E402

_FILL = """
CREATE TABLE public.orders AS
SELECT DATE '2024-01-01' + (i * 7919 % 731)::int AS date,
       (ARRAY['douyin','kuaishou','wecom','xiaohongshu_koc','search','zhitongche',
              'wechat_group','mini_program'])[1 + (i * 31 % 8)] AS channel,
       ((i * 104729) % 500000 / 100.0)::numeric(12, 2) AS gmv,
       ((i * 15485863) % 80000 / 100.0)::numeric(12, 2) AS spend,
       (i * 7 % 40)::int AS uv,
       (1 + i % 3)::int AS orders,
       (i % 2)::int AS new_customer_orders,
       CASE WHEN i % 3 = 0 THEN ((i * 104729) % 500000 / 100.0)::numeric(12, 2) ELSE 0 END
           AS member_gmv,
       CASE WHEN i % 500 = 0 THEN 20 + i % 60 END::numeric AS nps,
       (CASE WHEN i % 50 = 0 THEN 1 ELSE 0 END)::int AS ugc_posts,
       (i / 7 % 2)::int AS new_users,
       (CASE WHEN i % 7 = 0 THEN 1 ELSE 0 END)::int AS wecom_adds
FROM generate_series(1::bigint, %(rows)s) AS i
"""


def best(run: Callable[[], object], repeat: int) -> float:
    """The shortest wall time of ``repeat`` runs."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def bare_query(url: str) -> str:
    """The cube query promoplan sends for the rows plan, with its dates written in."""

    plan = load_plan(rows_plan()).plan
    assert plan is not None
    spec = actuals_spec(plan)
    parsed = parse_url(url)
    with psycopg.connect(
        host="127.0.0.1", port=parsed.port, user="postgres", dbname="promoplan"
    ) as c:
        columns = tuple(
            c.execute(
                "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
                "WHERE attrelid = 'public.orders'::regclass AND attnum > 0 ORDER BY attnum"
            ).fetchall()
        )
    planned = plan_query(parsed, spec, columns)
    assert planned.query is not None
    rendered = render(planned.query, "postgres")
    text = rendered.sql
    assert isinstance(rendered.parameters, dict)
    for name, value in rendered.parameters.items():
        assert isinstance(value, dt.date)
        text = text.replace(f"%({name})s", f"DATE '{value.isoformat()}'")
    return text.replace("%%", "%")


def main(argv: list[str] | None = None) -> int:
    """Start the server, load, time the three, print them with ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--10m", dest="ten", action="store_true", help="10 million rows")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    rows = 10_000_000 if args.ten else args.rows
    bindir = pgserver.binaries()
    if bindir is None:
        print("no PostgreSQL binaries (initdb, pg_ctl); set PG_BIN", file=sys.stderr)
        return 2
    server = pgserver.start_server(bindir)
    try:
        with tempfile.TemporaryDirectory(prefix="promoplan-bench-") as tmp:
            csv_file = Path(tmp) / "orders.csv"
            with psycopg.connect(server.dsn(), autocommit=True) as conn:
                start = time.perf_counter()
                conn.execute(_FILL.replace("%(rows)s", str(int(rows))))
                conn.execute("VACUUM ANALYZE public.orders")
                loaded = time.perf_counter() - start
                export = "COPY public.orders TO STDOUT WITH (FORMAT csv, HEADER)"
                with csv_file.open("wb") as out, conn.cursor() as cur, cur.copy(export) as copy:
                    for chunk in copy:
                        out.write(chunk)
            url = server.url("public.orders")
            plan = str(rows_plan())
            check = [sys.executable, "-m", "promoplan", "check", plan, "--as-of", "2025-06-29",
                     "--format", "json"]  # fmt: skip

            def run(argv: list[str]) -> None:
                done = subprocess.run(argv, capture_output=True, check=False)
                if done.returncode > 1:
                    raise RuntimeError(done.stderr.decode(errors="replace"))

            loaded_plan = load_plan(rows_plan()).plan
            assert loaded_plan is not None
            spec = actuals_spec(loaded_plan)
            query = bare_query(url)
            psql = [str(bindir / "psql"), "-X", "-q", "-h", "127.0.0.1", "-p", str(server.port),
                    "-U", "postgres", "-d", "promoplan", "-o", os.devnull, "-c", query]  # fmt: skip
            timings = {
                "psql, the bare GROUP BY": best(lambda: run(psql), args.repeat),
                "check from PostgreSQL": best(lambda: run([*check, "-a", url]), args.repeat),
                "read_actuals from PostgreSQL": best(
                    lambda: read_actuals([url], spec), args.repeat
                ),
                "check from CSV": best(lambda: run([*check, "-a", str(csv_file)]), args.repeat),
            }
            cube = read_actuals([url], spec)
            size = csv_file.stat().st_size
    finally:
        pgserver.remove(server)
    bare = timings["psql, the bare GROUP BY"]
    print(f"{rows:,} rows (table filled in {loaded:.1f} s; CSV {size / 2**20:.0f} MiB); "
          f"cube {len(cube.cube.rows):,} rows; best of {args.repeat}")  # fmt: skip
    print(f"{'':32} {'seconds':>8} {'x psql':>7}")
    for label, seconds in timings.items():
        print(f"{label:32} {seconds:8.2f} {seconds / bare:7.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
