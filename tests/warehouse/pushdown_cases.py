"""The plans whose work the database's query does (row-level expr, unpivot, weekly and
monthly grain, a long table), each with its table name and the CSV file of the same data."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb

from warehouse.conftest import EXAMPLE_ACTUALS, ROOT

EXAMPLES = ROOT / "plans" / "examples"
WEEKLY_EXPR = Path(__file__).parent / "cases" / "weekly-expr.yaml"
# The example actuals summed per channel and ISO week (dated by its Monday): the data
# of the weekly plan with filters and expr, as a table and as a CSV file.
WEEKLY_SQL = (
    "SELECT (date - (extract(isodow FROM date)::int - 1))::date AS week, channel, "
    "sum(gmv) AS gmv, sum(spend) AS spend, sum(orders) AS orders FROM public.actuals "
    "WHERE channel IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2"
)


WEEKLY_DUCKDB = """
SELECT date_trunc('week', date)::DATE AS week, channel, sum(gmv) AS gmv, sum(spend) AS spend,
       sum(orders) AS orders
FROM read_csv($files, union_by_name = true, types = {'date': 'DATE', 'channel': 'VARCHAR',
              'gmv': 'DECIMAL(18, 2)', 'spend': 'DECIMAL(18, 2)', 'orders': 'BIGINT'})
WHERE channel IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2
"""


def weekly_csv(path: Path) -> Path:
    """The weekly data as a CSV file, summed by DuckDB from the example actuals (no server)."""
    rows = duckdb.execute(WEEKLY_DUCKDB, {"files": [str(p) for p in EXAMPLE_ACTUALS]}).fetchall()
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["week", "channel", "gmv", "spend", "orders"])
        writer.writerows(["" if v is None else v for v in row] for row in rows)
    return path


# plan, table, its CSV file (None: written from the table), the date column
CASES = {
    "weekly-expr": (WEEKLY_EXPR, "public.weekly_expr", None, "week"),
    "weekly": (EXAMPLES / "weekly.yaml", "public.weekly", EXAMPLES / "weekly.csv", "week"),
    "unpivot": (EXAMPLES / "unpivot.yaml", "public.unpivot", EXAMPLES / "unpivot.csv", "week"),
    "monthly": (EXAMPLES / "monthly.yaml", "public.monthly", EXAMPLES / "monthly.csv", "month"),
    "expr": (
        EXAMPLES / "conversions.yaml",
        "public.conversions",
        EXAMPLES / "conversions.csv",
        "date",
    ),
    "long": (EXAMPLES / "long.yaml", "public.long", EXAMPLES / "long.csv", "week"),
}
# Columns of the cases' tables that hold text (the rest are numbers, and the date).
TEXT_COLUMNS = ("channel", "metric")
