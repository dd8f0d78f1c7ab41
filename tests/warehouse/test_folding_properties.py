"""Property: the database query's folding gives the file engine's results.

Random rows over three dimensions (values with spaces, empty ones, repeats, an
accented value; the header in lower or upper case), a
random grain and goals that read the dimensions by name, by nothing or through a
mean and a count: ``check --format json`` from a DuckDB database file of the rows
is the one from their CSV file, its goals and its counts of repeated rows alike.
Where each diagnostic points, and the (date, values) PA010 names first, are left
out: a file names the first by line, a table by key.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import tempfile
from pathlib import Path
from typing import Any

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clirunner import Cli
from profiles import scaled
from warehouse.examples import comparable

VALUES = {
    "channel": ["a", " a", "b", "c "],
    # é1 composed only: the query groups a dimension read by name or not at all before
    # it is normalised, so é1 composed and decomposed on one day are no repeat there
    # (README, "Actuals from a database"); test_postgres reads both forms.
    "sku": ["s1", " s1", "s2", "s2 ", "s3", "", "S1", "\u00e91"],
    "store": ["x", "y", "z"],
}
GOALS = {
    "channel": "  ga: {metric: gmv, at_least: 1, where: {channel: a}}",
    "sku": "  gs: {metric: gmv, at_least: 1, where: {sku: [s1, s2, \u00e91]}}",
    "mean": "  gm: {metric: om, at_least: 1}",
    "cells": "  gc: {metric: oc, at_least: 1, where: {store: x}}",
}

rows = st.lists(
    st.tuples(
        st.integers(0, 8),  # the period: a day, a week or a month from the first
        *(st.sampled_from(v) for v in VALUES.values()),
        st.one_of(st.none(), st.decimals(0, 999, places=1)),
        st.one_of(st.none(), st.integers(1, 5)),
    ),
    min_size=1,
    max_size=60,
)


def _day(grain: str, step: int) -> dt.date:
    """Weekly rows on Mondays (another weekday is PA004, which a file locates per cell
    and a table per date), monthly rows on the first, daily rows on any day."""
    if grain == "weekly":
        return dt.date(2025, 1, 6) + dt.timedelta(weeks=step)
    if grain == "monthly":
        return dt.date(2025, 1 + step, 1)
    return dt.date(2025, 1, 1) + dt.timedelta(days=step)


def _plain(document: Any) -> Any:
    """``comparable``, and the source's name and PA010's first key left out too."""
    for plan in document["plans"]:
        plan["file"] = None
        for found in plan["diagnostics"]:
            found["message"] = re.sub(r"\([^()]*(t\.csv|table=t)\)", "(source)", found["message"])
            found["message"] = re.sub(r"^repeated: [^;]*", "repeated: ...", found["message"])
    return document


def _same_json(cli: Cli, rows: list[list[Any]], types: dict[str, str], plan: str) -> None:
    """``rows`` (the header first) as a CSV file and as a DuckDB table of ``types``:
    ``check`` of ``plan`` on each gives the same JSON but for places and names."""
    with tempfile.TemporaryDirectory(prefix="promoplan-fold-") as work:
        folder = Path(work)
        file = folder / "t.csv"
        with file.open("w", encoding="utf-8", newline="") as out:
            csv.writer(out).writerows(["" if v is None else v for v in row] for row in rows)
        database = folder / "t.duckdb"
        con = duckdb.connect(str(database))
        read = "CREATE TABLE t AS SELECT * FROM read_csv($file, header = true, types = $types)"
        con.execute(read, {"file": str(file), "types": types})
        con.close()
        plan_file = folder / "p.yaml"
        plan_file.write_text(plan, encoding="utf-8")
        args = ("--as-of", "2025-09-30", "-f", "json")
        from_csv = cli("check", str(plan_file), "-a", str(file), *args)
        from_table = cli("check", str(plan_file), "-a", f"duckdb://{database}?table=t", *args)
    assert from_table[0] == from_csv[0], from_table[2]
    assert _plain(comparable(from_table[1])) == _plain(comparable(from_csv[1]))


@settings(
    max_examples=scaled(40),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    grain=st.sampled_from(["daily", "weekly", "monthly", "rows"]),
    data=rows,
    goals=st.sets(st.sampled_from(sorted(GOALS))),
    shouted=st.booleans(),
)
def test_a_table_folded_by_the_query_gives_the_files_json(
    cli: Cli, grain: str, data: list[tuple[Any, ...]], goals: set[str], shouted: bool
) -> None:
    """``shouted``: the header (and so the table's columns) in upper case, which the
    plan's lower-case names match in both."""
    header = ["date", "channel", "sku", "store", "gmv", "orders"]
    table = [[h.upper() for h in header] if shouted else header]
    table += [[_day(grain, step).isoformat(), *rest] for step, *rest in data]
    types = {"date": "DATE", "channel": "VARCHAR", "sku": "VARCHAR", "store": "VARCHAR",
             "gmv": "DECIMAL(10, 1)", "orders": "INTEGER"}  # fmt: skip
    types = {(k.upper() if shouted else k): v for k, v in types.items()}
    plan = (
        "promoplan: 1\nname: Folding\nperiod: 2025\n"
        f"actuals: {{date: date, grain: {grain}, "
        "dimensions: {channel: channel, sku: sku, store: store}}\n"
        "metrics:\n  gmv: {column: gmv}\n  om: {column: orders, agg: mean}\n"
        "  oc: {column: orders, agg: count}\n"
        "goals:\n  g: {metric: gmv, at_least: 1}\n"
        + "".join(f"{GOALS[g]}\n" for g in sorted(goals))
    )
    _same_json(cli, table, types, plan)


UNPIVOT_GOALS = {
    "tv": "  gt: {metric: spend, at_least: 1, where: {channel: tv}}",
    "region": "  gr: {metric: revenue, at_least: 1, where: {region: north}}",
    "mean": "  gm: {metric: spend_mean, at_least: 1}",
    "cells": "  gc: {metric: spend_cells, at_least: 1}",
}
spend = st.one_of(st.none(), st.integers(0, 500))
unpivot_rows = st.lists(
    st.tuples(
        st.integers(0, 8),
        st.sampled_from(["north", " north", "south"]),
        st.sampled_from(["x", "y", " x"]),
        spend,
        spend,
        spend,
    ),
    min_size=1,
    max_size=40,
)


@settings(
    max_examples=scaled(25),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    grain=st.sampled_from(["daily", "weekly", "rows"]),
    data=unpivot_rows,
    goals=st.sets(st.sampled_from(sorted(UNPIVOT_GOALS))),
)
def test_unpivoted_columns_folded_by_the_query_give_the_files_json(
    cli: Cli, grain: str, data: list[tuple[Any, ...]], goals: set[str]
) -> None:
    """One spend column per channel, a region read by name (or not) and a store read
    by nothing: the unpivot's branches read the rows grouped in levels."""
    table = [["date", "region", "store", "tv_S", "ooh_S", "revenue"]]
    table += [[_day(grain, step).isoformat(), *rest] for step, *rest in data]
    types = {"date": "DATE", "region": "VARCHAR", "store": "VARCHAR", "tv_S": "INTEGER",
             "ooh_S": "INTEGER", "revenue": "INTEGER"}  # fmt: skip
    plan = (
        "promoplan: 1\nname: Unpivot folding\nperiod: 2025\n"
        f"actuals: {{date: date, grain: {grain}, dimensions: {{region: region, store: store}},"
        ' unpivot: {dimension: channel, measures: {spend: "{channel}_S"}}}\n'
        "metrics:\n  spend: {column: spend}\n  revenue: {column: revenue}\n"
        "  spend_mean: {column: spend, agg: mean}\n"
        "  spend_cells: {column: spend, agg: count}\n"
        "goals:\n  g: {metric: spend, at_least: 1}\n"
        + "".join(f"{UNPIVOT_GOALS[g]}\n" for g in sorted(goals))
    )
    _same_json(cli, table, types, plan)
