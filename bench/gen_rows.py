"""Generate an order-level actuals CSV of the example plan's shape, for benchmarks.

    python bench/gen_rows.py --rows 10000000 [--out /tmp/orders-10000000.csv]

Columns: date, channel, category, gmv, spend, uv, orders, new_customer_orders,
member_gmv, nps, ugc_posts, new_users, wecom_adds. Dates cover 2024 (the
baseline year) and 2025. About 1% of money cells are written the way
spreadsheet exports write them (``"1,234.50"``, ``￥88.00``, `` 12.5 ``) and
some counts are missing (empty or ``-``), so the reader's cleaning path is
exercised; every cell is valid, so the run measures the happy path. The same
row count always gives the same bytes (the values are hashes of the row
number).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

DATA = Path(os.environ.get("PROMOPLAN_BENCH_DATA", "/tmp/promoplan-bench"))
CHANNELS = (
    "douyin",
    "kuaishou",
    "wecom",
    "xiaohongshu_koc",
    "search",
    "zhitongche",
    "wechat_group",
    "mini_program",
)
CATEGORIES = ("美妆", "数码", "家居", "生鲜", "服饰")

# Everything below is a constant query: no value from outside is spliced in
# except the row count and the output path, which are bound or checked.
_SELECT = """
WITH r AS (
    SELECT i, hash(i) AS h1, hash(i + 1000000007) AS h2 FROM range(?) t(i)
), v AS (
    SELECT
        i, h1, h2,
        DATE '2024-01-01' + CAST(h1 % 731 AS INTEGER) AS day,
        list_extract(?, CAST(h2 % 8 AS INTEGER) + 1) AS channel,
        list_extract(?, CAST((h1 >> 20) % 5 AS INTEGER) + 1) AS category,
        CAST((h1 >> 8) % 500000 AS DECIMAL(18, 2)) / 100 AS gmv,
        CAST((h2 >> 8) % 80000 AS DECIMAL(18, 2)) / 100 AS spend,
        (h1 >> 30) % 40 AS uv,
        1 + (h2 >> 30) % 3 AS orders
    FROM r
)
SELECT
    strftime(day, '%Y-%m-%d') AS date,
    channel,
    category,
    CASE WHEN h1 % 97 = 0 THEN format('{:,.2f}', gmv + 1000)
         ELSE CAST(gmv AS VARCHAR) END AS gmv,
    CASE WHEN h2 % 211 = 0 THEN '￥' || CAST(spend AS VARCHAR)
         WHEN h2 % 223 = 0 THEN ' ' || CAST(spend AS VARCHAR) || ' '
         ELSE CAST(spend AS VARCHAR) END AS spend,
    CASE WHEN h1 % 101 = 0 THEN NULL WHEN h1 % 103 = 0 THEN '-' ELSE CAST(uv AS VARCHAR) END AS uv,
    CAST(orders AS VARCHAR) AS orders,
    CAST((h2 >> 40) % 2 AS VARCHAR) AS new_customer_orders,
    CASE WHEN (h1 >> 40) % 3 = 0 THEN CAST(gmv AS VARCHAR) ELSE '0' END AS member_gmv,
    CASE WHEN h1 % 500 = 0 THEN CAST(20 + (h2 >> 50) % 60 AS VARCHAR) END AS nps,
    CAST(CASE WHEN h2 % 50 = 0 THEN 1 ELSE 0 END AS VARCHAR) AS ugc_posts,
    CAST((h1 >> 50) % 2 AS VARCHAR) AS new_users,
    CAST(CASE WHEN channel = 'wecom' AND h1 % 7 = 0 THEN 1 ELSE 0 END AS VARCHAR) AS wecom_adds
FROM v
ORDER BY i
"""


def generate(rows: int, out: Path, *, threads: int = 2) -> Path:
    """Write ``rows`` order rows to ``out`` (replacing it) and return the path."""
    import duckdb  # noqa: PLC0415  # --help should not need it

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    con = duckdb.connect(config={"threads": threads, "memory_limit": "2GB"})
    try:
        relation = con.sql(_SELECT, params=[rows, list(CHANNELS), list(CATEGORIES)])
        relation.write_csv(str(tmp), header=True, quotechar='"')
    finally:
        con.close()
    tmp.replace(out)
    return out


def default_path(rows: int) -> Path:
    """Where the benchmark keeps a file of ``rows`` rows."""
    return DATA / f"orders-{rows}.csv"


def main(argv: list[str] | None = None) -> int:
    """Command line: generate one file (skipped when it exists unless --force)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--force", action="store_true", help="regenerate even if the file exists")
    args = parser.parse_args(argv)
    if args.rows < 1:
        parser.error("--rows must be at least 1")
    out = args.out or default_path(args.rows)
    if out.exists() and not args.force:
        print(f"{out} exists ({out.stat().st_size:,} bytes)", file=sys.stderr)
        return 0
    generate(args.rows, out)
    print(f"{out}: {args.rows:,} rows, {out.stat().st_size:,} bytes", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
