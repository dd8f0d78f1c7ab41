"""A dimension the plan declares but nothing reads, on order-level rows in a database:
left out of the GROUP BY, so the cube has a row per date and the dimensions read.
The numbers are worked out by hand from the rows written here."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from promoplan.actuals.warehouse import read_warehouse
from promoplan.actuals.warehouse.columns import plan_query
from promoplan.actuals.warehouse.query import render
from promoplan.actuals.warehouse.urls import parse_url
from promoplan.inputs import actuals_spec
from promoplan.loader import load_plan
from warehouse import pgserver
from warehouse.test_postgres import cli, comparable

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
    plan_file = tmp_path / "plan.yaml"
    plan_file.write_text(PLAN, encoding="utf-8")
    plan = load_plan(plan_file).plan
    assert plan is not None
    spec = actuals_spec(plan)
    url = parse_url(postgres.url("public.unread"))
    planned = plan_query(url, spec, (("date", "date"), ("channel", "text"), ("sku", "text"),
                                     ("gmv", "numeric")))  # fmt: skip
    assert planned.query is not None
    assert planned.query.dimensions == ("channel",)
    assert '"sku"' not in render(planned.query, "postgres").sql
    cube = read_warehouse(url, spec).cube
    # i % 5 and i % 2 together are i % 10: ten (date, channel) pairs, twenty orders each.
    assert len(cube.rows) == 10
    assert {row.dims for row in cube.rows} == {("a", None), ("b", None)}
    gmv = {(row.day.day, row.dims[0]): row.cells[0].total for row in cube.rows if row.cells[0]}
    assert gmv[(1, "a")] == sum(i for i in range(ROWS) if i % 10 == 0)  # 0 + 10 + ... + 190
    assert sum(gmv.values()) == sum(range(ROWS))  # 19,900


def test_check_json_with_an_unread_dimension_is_the_csv_one(
    postgres: pgserver.Server, orders: Path, tmp_path: Path
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
