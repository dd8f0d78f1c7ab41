"""A dimension the plan declares but nothing reads, on order-level rows in a database:
left out of the GROUP BY, so the cube has a row per date and the dimensions read.
The numbers are worked out by hand from the rows written here."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from clirunner import Cli, CliResult
from promoplan.actuals.model import OTHER_VALUE, ActualsSpec
from promoplan.actuals.warehouse import read_warehouse
from promoplan.actuals.warehouse.columns import plan_query
from promoplan.actuals.warehouse.query import render
from promoplan.actuals.warehouse.urls import parse_url
from promoplan.inputs import actuals_spec
from promoplan.loader import load_plan
from warehouse import daily_skus, pgserver
from warehouse.examples import comparable

PLAN = """promoplan: 1
name: Unread
period: 2025
actuals: {date: date, grain: rows, dimensions: {channel: channel, sku: sku}}
metrics:
  gmv: {column: gmv, unit: currency}
goals:
  gmv: {metric: gmv, at_least: 30000}
  gmv_a: {metric: gmv, at_least: 20000, where: {channel: a}}
"""
ROWS = 200  # order i: day 1 + i % 5, channel a (even i) or b, sku "s<i>", gmv i


def _spec(tmp_path: Path, text: str) -> ActualsSpec:
    """What the plan ``text`` reads."""
    plan_file = tmp_path / "plan.yaml"
    plan_file.write_text(text, encoding="utf-8")
    plan = load_plan(plan_file).plan
    assert plan is not None
    return actuals_spec(plan)


@pytest.fixture(scope="module")
def orders(postgres: pgserver.Server, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The orders as a CSV file, and as the table public.unread."""
    path = tmp_path_factory.mktemp("unread") / "orders.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["date", "channel", "sku", "gmv"])
        for i in range(ROWS):
            writer.writerow([dt.date(2025, 1, 1 + i % 5).isoformat(), "ab"[i % 2], f"s{i}", i])
    pgserver.load_csv_files(
        postgres.dsn(), "public.unread", [path], text_columns=("channel", "sku")
    )
    return path


def test_an_unread_dimension_is_not_grouped(
    postgres: pgserver.Server, orders: Path, tmp_path: Path
) -> None:
    spec = _spec(tmp_path, PLAN)
    url = parse_url(postgres.url("public.unread"))
    planned = plan_query(url, spec, (("date", "date"), ("channel", "text"), ("sku", "text"),
                                     ("gmv", "numeric")))  # fmt: skip
    assert planned.query is not None
    assert planned.query.dimensions == ("channel",)
    assert '"sku"' not in render(planned.query, "postgres").sql
    cube = read_warehouse(url, spec).cube
    # i % 5 and i % 2 together are i % 10: ten (date, channel) pairs, twenty orders each.
    assert len(cube.rows) == 10
    # Channel b is named by no filter: summed under OTHER_VALUE, as the file engine does.
    assert {row.dims for row in cube.rows} == {("a", None), (OTHER_VALUE, None)}
    gmv = {(row.day.day, row.dims[0]): row.cells[0].total for row in cube.rows if row.cells[0]}
    assert gmv[(1, "a")] == sum(i for i in range(ROWS) if i % 10 == 0)  # 0 + 10 + ... + 190
    assert sum(gmv.values()) == sum(range(ROWS))  # 19,900


def test_check_json_with_an_unread_dimension_is_the_csv_one(
    cli: Cli, postgres: pgserver.Server, orders: Path, tmp_path: Path
) -> None:
    plan_file = tmp_path / "plan.yaml"
    plan_file.write_text(PLAN, encoding="utf-8")
    from_csv = cli(
        "check", str(plan_file), "-a", str(orders), "--as-of", "2025-01-05", "-f", "json"
    )
    from_pg = cli(
        "check", str(plan_file), "-a", postgres.url("public.unread"), "--as-of", "2025-01-05",
        "-f", "json",
    )  # fmt: skip
    assert from_pg[0] == from_csv[0], from_pg[2]
    assert comparable(from_pg[1]) == comparable(from_csv[1])
    goals = {g["id"]: g["actual"] for g in comparable(from_pg[1])["plans"][0]["goals"]}
    assert goals == {"gmv": 19900, "gmv_a": 9900}  # every order; the even ones


@pytest.fixture(scope="module")
def daily(postgres: pgserver.Server, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The daily rows, clean and with repeated rows, as CSV files and as tables."""
    folder = tmp_path_factory.mktemp("daily")
    clean = daily_skus.write(folder / "clean.csv", [])
    repeated = daily_skus.write(folder / "repeated.csv", daily_skus.REPEATS)
    for table, path in (("public.daily_clean", clean), ("public.daily_repeated", repeated)):
        pgserver.load_csv_files(postgres.dsn(), table, [path], text_columns=("channel", "sku"))
    return {"clean": clean, "repeated": repeated}


def _check(cli: Cli, plan_file: Path, source: str) -> CliResult:
    return cli("check", str(plan_file), "-a", source, "--as-of", "2025-01-05", "-f", "json")


def test_daily_rows_fold_an_unread_dimension_inside_the_query(
    postgres: pgserver.Server, daily: dict[str, Path], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    spec = _spec(tmp_path, daily_skus.PLAN)
    url = parse_url(postgres.url("public.daily_clean"))
    types = (("date", "date"), ("channel", "text"), ("sku", "text"), ("gmv", "numeric"),
             ("units", "numeric"))  # fmt: skip
    planned = plan_query(url, spec, types)
    assert planned.query is not None
    assert (planned.query.dimensions, planned.query.folded) == (("channel",), ("sku",))
    # 600 (date, channel, sku) groups would be past a cap of 100; the cube's 10 rows are not.
    monkeypatch.setattr("promoplan.actuals.warehouse.columns.MAX_CUBE_ROWS", 100)
    actuals = read_warehouse(url, spec)
    assert not actuals.diagnostics
    cube = actuals.cube
    assert len(cube.rows) == 10
    gmv = {(row.day.day, row.dims[0]): row.cells[0] for row in cube.rows}
    per_pair = sum(range(daily_skus.SKUS))  # the sku numbers of one (date, channel)
    for (day, _), cell in gmv.items():
        assert cell is not None
        assert cell.total == 100 * day * daily_skus.SKUS + per_pair
    units = cube.rows[0].cells[cube.columns.index("units")]
    assert units is not None
    assert (units.total, units.count) == (
        Decimal(sum(s % 4 for s in range(daily_skus.SKUS))),
        daily_skus.SKUS,
    )  # 90, 60


def test_daily_json_with_an_unread_dimension_is_the_csv_one(
    cli: Cli, postgres: pgserver.Server, daily: dict[str, Path], tmp_path: Path
) -> None:
    plan_file = tmp_path / "plan.yaml"
    plan_file.write_text(daily_skus.PLAN, encoding="utf-8")
    from_csv = _check(cli, plan_file, str(daily["clean"]))
    from_pg = _check(cli, plan_file, postgres.url("public.daily_clean"))
    assert from_pg[0] == from_csv[0], from_pg[2]
    assert comparable(from_pg[1]) == comparable(from_csv[1])
    goals = {g["id"]: g["actual"] for g in comparable(from_pg[1])["plans"][0]["goals"]}
    total = sum(
        100 * day + sku for day in range(1, 6) for _ in "ab" for sku in range(daily_skus.SKUS)
    )
    assert goals["gmv"] == total
    assert goals["gmv_a"] == total // 2


def test_repeated_rows_under_a_folded_dimension_are_pa010(
    cli: Cli, postgres: pgserver.Server, daily: dict[str, Path], tmp_path: Path
) -> None:
    plan_file = tmp_path / "plan.yaml"
    plan_file.write_text(daily_skus.PLAN, encoding="utf-8")
    from_csv = comparable(_check(cli, plan_file, str(daily["repeated"]))[1])
    from_pg = comparable(_check(cli, plan_file, postgres.url("public.daily_repeated"))[1])
    found = [d for d in from_pg["plans"][0]["diagnostics"] if d["code"] == "PA010"]
    # s7 on Jan 2 three times (2 rows extra), s9 on Jan 4 twice once trimmed (1 extra).
    assert [d["message"] for d in found] == [
        'repeated: 2025-01-02, channel "a", sku "s7"; '
        "2 date and dimension values repeat, 3 extra rows in all"
    ]
    assert from_pg == from_csv  # the CSV's PA010 also says where it first is, left out here


TWO_UNREAD = """promoplan: 1
name: Two unread
period: 2025
actuals: {date: date, dimensions: {channel: channel, sku: sku, store: store}}
metrics:
  gmv: {column: gmv, unit: currency}
goals:
  gmv: {metric: gmv, at_least: 10}
  gmv_a: {metric: gmv, at_least: 10, where: {channel: a}}
"""


def test_repeats_under_two_folded_dimensions_name_neither_value(
    cli: Cli, postgres: pgserver.Server, tmp_path: Path
) -> None:
    """Each folded dimension's least repeated value need not be of the same rows."""
    data = tmp_path / "stores.csv"
    rows = [("2025-01-01", "a", f"s{i}", f"t{j}", 10 * i + j) for i in range(3) for j in range(2)]
    rows += [("2025-01-01", "a", "s2", "t0", 1), ("2025-01-01", "a", "s0", "t1", 1)]
    with data.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["date", "channel", "sku", "store", "gmv"])
        writer.writerows(rows)
    pgserver.load_csv_files(
        postgres.dsn(), "public.two_unread", [data], text_columns=("channel", "sku", "store")
    )
    plan_file = tmp_path / "plan.yaml"
    plan_file.write_text(TWO_UNREAD, encoding="utf-8")
    from_pg = comparable(_check(cli, plan_file, postgres.url("public.two_unread"))[1])
    found = [d["message"] for d in from_pg["plans"][0]["diagnostics"] if d["code"] == "PA010"]
    # (s2, t0) and (s0, t1) repeat: the least sku (s0) and store (t0) are of neither pair.
    assert found == [
        'repeated: 2025-01-01, channel "a", the same sku, the same store; '
        "2 date and dimension values repeat, 2 extra rows in all"
    ]
    goals = {g["id"]: g["actual"] for g in from_pg["plans"][0]["goals"]}
    assert goals["gmv"] == sum(r[4] for r in rows)  # 63 + 2


def test_a_dimension_read_by_name_keeps_those_values_and_sums_the_others(
    cli: Cli, postgres: pgserver.Server, daily: dict[str, Path], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """A goal on two SKUs: the cube keeps s1 and s3 (written " s1", " s3": trimmed) and
    sums the other 58 under OTHER_VALUE per date and channel, as the file engine does."""
    plan = daily_skus.PLAN + "  hero: {metric: gmv, at_least: 1, where: {sku: [s1, s3]}}\n"
    spec = _spec(tmp_path, plan)
    url = parse_url(postgres.url("public.daily_clean"))
    monkeypatch.setattr("promoplan.actuals.warehouse.columns.MAX_CUBE_ROWS", 100)
    actuals = read_warehouse(url, spec)
    assert not actuals.diagnostics
    skus = {row.dims[1] for row in actuals.cube.rows}
    assert skus == {"s1", "s3", OTHER_VALUE}
    assert len(actuals.cube.rows) == 5 * 2 * 3  # days, channels, the two SKUs and the rest
    monkeypatch.undo()
    plan_file = tmp_path / "plan.yaml"
    from_csv = comparable(_check(cli, plan_file, str(daily["clean"]))[1])
    from_pg = comparable(_check(cli, plan_file, postgres.url("public.daily_clean"))[1])
    assert from_pg == from_csv
    goals = {g["id"]: g["actual"] for g in from_pg["plans"][0]["goals"]}
    assert goals["hero"] == sum(
        100 * day + sku for day in range(1, 6) for _ in "ab" for sku in (1, 3)
    )


UNPIVOT = """promoplan: 1
name: Unpivot, a store read by nothing
period: 2025
actuals:
  date: week
  grain: weekly
  dimensions: {region: region, store: store}
  unpivot: {dimension: channel, measures: {spend: "{channel}_S"}}
metrics:
  spend: {column: spend}
  revenue: {column: revenue}
goals:
  spend: {metric: spend, at_least: 1}
  tv: {metric: spend, at_least: 1, where: {channel: tv}}
  north: {metric: revenue, at_least: 1, where: {region: north}}
"""


def test_unpivoted_columns_with_a_folded_store_and_a_region_read_by_name(
    cli: Cli, postgres: pgserver.Server, tmp_path: Path
) -> None:
    """The unpivot's branches read the rows grouped in levels (PostgreSQL types each
    branch's columns); one week's row for store x in the north is written twice."""
    data = tmp_path / "weekly.csv"
    rows = [
        (dt.date(2025, 1, 6) + dt.timedelta(weeks=w), region, store, 10 * w + 1, 5, 100 + w)
        for w in range(4)
        for region in ("north", "south", "east")
        for store in ("x", "y", " z")
    ]
    rows.append(rows[0])  # the repeat: week 1, north, x
    with data.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["week", "region", "store", "tv_S", "ooh_S", "revenue"])
        writer.writerows(rows)
    pgserver.load_csv_files(
        postgres.dsn(), "public.unpivot_stores", [data], text_columns=("region", "store"),
        date_columns=("week",),
    )  # fmt: skip
    plan_file = tmp_path / "plan.yaml"
    plan_file.write_text(UNPIVOT, encoding="utf-8")
    args = ("--as-of", "2025-02-02", "-f", "json")
    from_csv = cli("check", str(plan_file), "-a", str(data), *args)
    from_pg = cli("check", str(plan_file), "-a", postgres.url("public.unpivot_stores"), *args)
    assert from_pg[0] == from_csv[0], from_pg[2]
    assert comparable(from_pg[1]) == comparable(from_csv[1])
    document = comparable(from_pg[1])["plans"][0]
    found = [d["message"] for d in document["diagnostics"] if d["code"] == "PA010"]
    assert found == ['repeated: 2025-01-06, region "north", store "x"']
    goals = {g["id"]: g["actual"] for g in document["goals"]}
    assert goals["spend"] == sum(r[3] + r[4] for r in rows)
    assert goals["tv"] == sum(r[3] for r in rows)
    assert goals["north"] == sum(r[5] for r in rows if r[1] == "north")
