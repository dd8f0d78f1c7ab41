"""The counts of values the cube query selects: only where a mean or a count of cells
reads them. A column whose cells are only counted may be text (it has no sum); a
summed column without a mean holds a value on a row where its sum is not NULL.
The numbers are worked out by hand from the rows written here."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from clirunner import Cli
from promoplan.actuals.model import OTHER_VALUE, ActualsSpec
from promoplan.actuals.warehouse import read_warehouse
from promoplan.actuals.warehouse.columns import plan_query
from promoplan.actuals.warehouse.query import render
from promoplan.actuals.warehouse.urls import parse_url
from promoplan.inputs import actuals_spec
from promoplan.loader import load_plan
from warehouse import pgserver
from warehouse.examples import comparable

PLAN = """promoplan: 1
name: Counts
period: 2025
actuals: {date: date, grain: rows, dimensions: {channel: channel}}
metrics:
  gmv: {column: gmv, unit: currency}
  nps: {column: nps, agg: mean}
  remarks: {column: remark, agg: count}
  orders: {agg: count}
goals:
  gmv: {metric: gmv, at_least: 5000}
  gmv_a: {metric: gmv, at_least: 2000, where: {channel: a}}
  nps: {metric: nps, at_least: 12}
  remarks: {metric: remarks, at_least: 30}
  orders: {metric: orders, at_least: 100}
"""
ROWS = 120
TYPES = (("date", "date"), ("channel", "text"), ("gmv", "numeric"), ("nps", "numeric"),
         ("remark", "text"))  # fmt: skip


def _row(i: int) -> dict[str, str]:
    """Order i: day 1 + i % 4, channel a or b by i // 4, some cells empty."""
    return {
        "date": dt.date(2025, 1, 1 + i % 4).isoformat(),
        "channel": "ab"[(i // 4) % 2],
        "gmv": str(i) if i % 5 else "",
        "nps": str(10 + i % 7) if i % 6 == 0 else "",
        "remark": f"note {i}" if i % 3 == 0 else "",
    }


RECORDS = [_row(i) for i in range(ROWS)]


@pytest.fixture(scope="module")
def orders(postgres: pgserver.Server, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The orders as a CSV file, and as the table public.counted."""
    path = tmp_path_factory.mktemp("counts") / "orders.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(RECORDS[0]))
        writer.writeheader()
        writer.writerows(RECORDS)
    pgserver.load_csv_files(
        postgres.dsn(), "public.counted", [path], text_columns=("channel", "remark")
    )
    return path


def _write(tmp_path: Path) -> Path:
    plan_file = tmp_path / "plan.yaml"
    plan_file.write_text(PLAN, encoding="utf-8")
    return plan_file


def _spec(tmp_path: Path) -> ActualsSpec:
    plan = load_plan(_write(tmp_path)).plan
    assert plan is not None
    return actuals_spec(plan)


def test_only_the_counts_read_are_selected(tmp_path: Path) -> None:
    spec = _spec(tmp_path)
    assert spec.counted == frozenset({"nps", "remark"})
    planned = plan_query(parse_url("postgresql://u@h/db?table=public.counted"), spec, TYPES)
    assert planned.query is not None
    sql = render(planned.query, "postgres").sql
    assert 'SUM("gmv")' in sql
    assert 'COUNT("gmv")' not in sql  # a sum only: its value is there where the sum is
    assert 'SUM("nps")' in sql
    assert 'COUNT("nps")' in sql  # the mean divides by it
    assert 'COUNT("remark")' in sql
    assert 'SUM("remark")' not in sql  # text: its cells are counted, never summed
    # day, n, channel; s, s c, c; g, r (channel is read by name only: two levels)
    assert planned.query.columns_out() == 2 + 1 + 1 + 2 + 1 + 2


def test_the_cube_counts_from_postgresql(
    postgres: pgserver.Server, orders: Path, tmp_path: Path
) -> None:
    spec = _spec(tmp_path)
    cube = read_warehouse(parse_url(postgres.url("public.counted")), spec).cube
    at = {name: j for j, name in enumerate(cube.columns)}
    remarks = next(name for name in cube.columns if "present:remark" in name)
    # Channel b is named by no filter: its values are summed under OTHER_VALUE, as in files.
    assert {row.dims[0] for row in cube.rows} == {"a", OTHER_VALUE}
    rows = {
        (row.day.day, row.dims[0] if row.dims[0] == "a" else "b"): row.cells for row in cube.rows
    }
    assert len(rows) == 8  # four days, two channels
    for (day, channel), cells in rows.items():
        mine = [r for r in RECORDS if int(r["date"][-2:]) == day and r["channel"] == channel]
        gmv = [Decimal(r["gmv"]) for r in mine if r["gmv"]]
        nps = [Decimal(r["nps"]) for r in mine if r["nps"]]
        gmv_cell, nps_cell = cells[at["gmv"]], cells[at["nps"]]
        assert gmv_cell is not None
        assert gmv_cell.total == sum(gmv)
        assert gmv_cell.count == 1  # present: no COUNT was selected for it
        if nps:
            assert nps_cell is not None
            assert (nps_cell.total, nps_cell.count) == (sum(nps), len(nps))
        else:
            assert nps_cell is None
        remark_cell = cells[at[remarks]]
        noted = sum(1 for r in mine if r["remark"])
        assert (remark_cell.count if remark_cell else 0) == noted


def test_check_json_with_counts_and_text_cells_is_the_csv_one(
    cli: Cli, postgres: pgserver.Server, orders: Path, tmp_path: Path
) -> None:
    plan_file = _write(tmp_path)
    args = ("--as-of", "2025-01-04", "-f", "json")
    from_csv = cli("check", str(plan_file), "-a", str(orders), *args)
    from_pg = cli("check", str(plan_file), "-a", postgres.url("public.counted"), *args)
    assert from_pg[0] == from_csv[0], from_pg[2]
    assert comparable(from_pg[1]) == comparable(from_csv[1])
    goals = {g["id"]: g["actual"] for g in comparable(from_pg[1])["plans"][0]["goals"]}
    gmv = [int(r["gmv"]) for r in RECORDS if r["gmv"]]
    nps = [int(r["nps"]) for r in RECORDS if r["nps"]]
    assert goals["gmv"] == sum(gmv)
    assert goals["gmv_a"] == sum(int(r["gmv"]) for r in RECORDS if r["gmv"] and r["channel"] == "a")
    assert Decimal(str(goals["nps"])) == pytest.approx(Decimal(sum(nps)) / len(nps))
    assert goals["remarks"] == sum(1 for r in RECORDS if r["remark"])  # 40
    assert goals["orders"] == ROWS


EXAMPLES = Path(__file__).resolve().parents[2] / "plans" / "examples"
MEANS = """promoplan: 1
name: Unpivoted means
period: 2025
actuals:
  date: week
  grain: weekly
  unpivot: {dimension: channel, measures: {spend: "{channel}_S"}}
metrics:
  spend: {column: spend}
  spend_mean: {column: spend, agg: mean}
  revenue_mean: {column: revenue, agg: mean}
goals:
  spend: {metric: spend, at_least: 1}
  spend_mean: {metric: spend_mean, at_most: 5000}
  tv_spend_mean: {metric: spend_mean, at_most: 5000, where: {channel: tv}}
  revenue_mean: {metric: revenue_mean, at_least: 1}
"""


def _weeks_of_2025(data: Path) -> list[dict[str, str]]:
    """The weekly rows that count in 2025: a week lying within the year whole (the
    last, from 2025-12-29, does not)."""
    with data.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    first, last = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
    return [
        r
        for r in rows
        if first <= dt.date.fromisoformat(r["week"])
        and dt.date.fromisoformat(r["week"]) + dt.timedelta(days=6) <= last
    ]


def _unpivot_goals(
    cli: Cli, postgres: pgserver.Server, plan_file: Path, table: str
) -> dict[str, Any]:
    """The goals' actual values of ``check`` from the unpivot example as ``table``, after
    asserting that its JSON is the one from the CSV file."""
    data = EXAMPLES / "unpivot.csv"
    pgserver.load_csv_files(postgres.dsn(), table, [data], date_columns=("week",))
    args = ("--as-of", "2025-12-31", "-f", "json")
    from_csv = cli("check", str(plan_file), "-a", str(data), *args)
    from_pg = cli("check", str(plan_file), "-a", postgres.url(table), *args)
    assert from_pg[0] == from_csv[0], from_pg[2]
    assert comparable(from_pg[1]) == comparable(from_csv[1])
    return {g["id"]: g["actual"] for g in comparable(from_pg[1])["plans"][0]["goals"]}


def test_means_of_unpivoted_columns_count_their_cells(
    cli: Cli, postgres: pgserver.Server, tmp_path: Path
) -> None:
    plan_file = tmp_path / "plan.yaml"
    plan_file.write_text(MEANS, encoding="utf-8")
    goals = _unpivot_goals(cli, postgres, plan_file, "public.unpivot_means")
    weeks = _weeks_of_2025(EXAMPLES / "unpivot.csv")
    cells = [int(r[c]) for r in weeks for c in r if c.endswith("_S") and r[c]]
    tv = [int(r["tv_S"]) for r in weeks if r["tv_S"]]
    revenue = [int(r["revenue"]) for r in weeks if r["revenue"]]
    assert goals["spend"] == sum(cells)
    assert goals["spend_mean"] == pytest.approx(sum(cells) / len(cells))
    assert goals["tv_spend_mean"] == pytest.approx(sum(tv) / len(tv))
    assert goals["revenue_mean"] == pytest.approx(sum(revenue) / len(revenue))


CELLS = """promoplan: 1
name: Unpivoted cells counted
period: 2025
actuals:
  date: week
  grain: weekly
  unpivot:
    dimension: channel
    measures: {spend: "{channel}_S", reach: {facebook: facebook_I, search: search_clicks_P}}
metrics:
  spend_weeks: {column: spend, agg: count}
  reach_weeks: {column: reach, agg: count}
  revenue: {column: revenue}
goals:
  spend_weeks: {metric: spend_weeks, at_least: 10}
  tv_weeks: {metric: spend_weeks, at_least: 10, where: {channel: tv}}
  reach_fb: {metric: reach_weeks, at_least: 10, where: {channel: facebook}}
  revenue: {metric: revenue, at_least: 1}
"""


def test_counts_of_unpivoted_cells_alone_read_their_columns(
    cli: Cli, postgres: pgserver.Server, tmp_path: Path
) -> None:
    """Only counts read the unpivoted measures: their columns are still matched."""
    plan_file = tmp_path / "plan.yaml"
    plan_file.write_text(CELLS, encoding="utf-8")
    goals = _unpivot_goals(cli, postgres, plan_file, "public.unpivot_cells")
    weeks = _weeks_of_2025(EXAMPLES / "unpivot.csv")
    assert goals["spend_weeks"] == sum(1 for r in weeks for c in r if c.endswith("_S") and r[c])
    assert goals["tv_weeks"] == sum(1 for r in weeks if r["tv_S"])
    assert goals["reach_fb"] == sum(1 for r in weeks if r["facebook_I"])
