"""The column-wise cube: exact integers at any magnitude, folded dimension values, and
the report's chart cap. Expected numbers are worked out by hand here."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

from clirunner import Cli
from promoplan.actuals import read_actuals
from promoplan.actuals.model import OTHER_VALUE
from promoplan.evaluate import Evaluator
from promoplan.inputs import actuals_spec, read_values
from promoplan.loader import load_plan
from promoplan.model import Plan
from promoplan.reportdata import MAX_GOAL_CHARTS, report_data
from promoplan.rollup import Rollup
from promoplan.windows import parse_period

PLAN = """promoplan: 1
name: Columns
period: 2025
actuals: {{date: date, grain: rows, dimensions: {{channel: channel, region: region}}}}
metrics:
  gmv: {{column: gmv, unit: currency}}
  spend: {{column: spend, unit: currency}}
goals:
{goals}
budget:
  total: 1000
  lines: {{ads: {{share: 100%}}}}
channels: {{a: ads}}
alerts:
  low: {{metric: gmv, by: region, below: 1}}
"""

CSV = (
    """date,channel,region,gmv,spend
2025-01-01,a,north,1.5,1
2025-01-01,b,north,2.25,2
"""
    + "2025-01-01,c,south,99999999999999.5,1\n" * 10
    + """2025-01-02,d,south,4,5
2025-01-02,b,north,8,6
"""
)


def plan_of(tmp_path: Path, goals: str) -> Plan:
    path = tmp_path / "plan.yaml"
    path.write_text(PLAN.format(goals=goals), encoding="utf-8")
    plan = load_plan(path).plan
    assert plan is not None
    return plan


def test_values_read_by_name_only_are_kept_apart_the_rest_folded(tmp_path: Path) -> None:
    plan = plan_of(tmp_path, "  b_gmv: {metric: gmv, at_least: 10, where: {channel: b}}")
    # channel: read by name by the budget (a) and the goal (b); region: an alert's by.
    assert read_values(plan) == (("channel", frozenset({"a", "b"})),)
    csv = tmp_path / "a.csv"
    csv.write_text(CSV, encoding="utf-8")
    actuals = read_actuals([csv], actuals_spec(plan))
    assert {row.dims for row in actuals.cube.rows} == {
        ("a", "north"),
        ("b", "north"),
        (OTHER_VALUE, "south"),
    }
    values = Rollup(plan, actuals.cube)
    day1, day2 = dt.date(2025, 1, 1), dt.date(2025, 1, 2)
    spend = values.by_group("spend", "channel", day1, day2)
    assert spend == {"a": 1.0, "b": 8.0, OTHER_VALUE: 15.0}  # c: 10 x 1, d: 5
    assert values.value("gmv", day1, day2, {"channel": "b"}) == 10.25
    assert values.by_group("gmv", "region", day1, day1) == {
        "north": 3.75,
        "south": 999999999999995.0,  # 10 x 99999999999999.5: beyond a BIGINT's units
    }


def test_sums_beyond_a_bigint_stay_exact(tmp_path: Path) -> None:
    plan = plan_of(tmp_path, "  gmv: {metric: gmv, at_least: 10}")
    csv = tmp_path / "a.csv"
    csv.write_text(CSV, encoding="utf-8")
    cube = read_actuals([csv], actuals_spec(plan)).cube
    south = [row for row in cube.rows if row.dims[1] == "south" and row.day.day == 1]
    assert [row.cells[0].total for row in south if row.cells[0]] == [Decimal("999999999999995")]


def test_a_report_charts_at_most_twelve_goals_those_furthest_behind(tmp_path: Path) -> None:
    # 15 cumulative GMV goals; gmv over the year to 2025-01-02 is 999999999999995 + 15.75
    # in all and 10.25 for channel b. Goals on b with targets 1e6 * (i + 1) are furthest behind,
    # the lowest progress for the highest target.
    goals = [f"  g{i}: {{metric: gmv, at_least: {1_000_000 * (i + 1)}, where: {{channel: b}}}}"
             for i in range(13)]  # fmt: skip
    goals += ["  all1: {metric: gmv, at_least: 10}", "  all2: {metric: gmv, at_least: 20}"]
    plan = plan_of(tmp_path, "\n".join(goals))
    csv = tmp_path / "a.csv"
    csv.write_text(CSV, encoding="utf-8")
    actuals = read_actuals([csv], actuals_spec(plan))
    as_of = dt.date(2025, 1, 2)
    ytd = parse_period("ytd", plan, as_of)
    evaluator = Evaluator(plan, actuals.cube, as_of=as_of, window=ytd)
    result = evaluator.result(file="plan.yaml")
    week = parse_period("mtd", plan, as_of)
    data = report_data(evaluator, kind="week", window=week, previous=week, goals=result.goals)
    assert MAX_GOAL_CHARTS == 12
    # all1 and all2 are met; of g0..g12 (at_risk or off_track), g0 has the highest progress.
    assert [s.goal for s in data.series] == [f"g{i}" for i in range(1, 13)]


DAILY = """promoplan: 1
name: Declared
period: 2025
actuals: {{date: date, dimensions: {{{dimensions}}}}}
metrics:
  gmv: {{column: gmv, unit: currency}}
  spend: {{column: spend, unit: currency}}
goals:
  gmv: {{metric: gmv, at_least: 100}}
budget:
  total: 1000
  lines: {{ads: {{share: 100%}}}}
channels: {{a: ads}}
alerts:
  low: {{metric: gmv, by: region, below: 1}}
"""

# Daily rows, one per date, channel, region and sku: none repeats once sku is counted.
SKUS = """date,channel,region,sku,gmv,spend
2025-01-01,a,north,s1,1,1
2025-01-01,a,north,s2,2,1
2025-01-01,a,north,s3,4,1
2025-01-01,b,south,s1,8,2
2025-01-02,a,north,s1,16,1
2025-01-02,a,north,s4,32,1
"""


def test_a_declared_dimension_nothing_reads_is_one_value_per_day(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text(
        DAILY.format(dimensions="channel: channel, region: region, sku: sku"), encoding="utf-8"
    )
    plan = load_plan(path).plan
    assert plan is not None
    # sku: declared, but no filter, budget or by reads it.
    assert read_values(plan) == (("channel", frozenset({"a"})), ("sku", frozenset()))
    csv = tmp_path / "a.csv"
    csv.write_text(SKUS, encoding="utf-8")
    actuals = read_actuals([csv], actuals_spec(plan))
    # Rows that differ only in sku are distinct daily rows, not repeats (checked before
    # the values are folded).
    assert [d.code for d in actuals.diagnostics if d.code == "PA010"] == []
    by_row = {
        (row.day.day, row.dims): row.cells[0].total for row in actuals.cube.rows if row.cells[0]
    }
    assert by_row == {
        (1, ("a", "north", OTHER_VALUE)): Decimal(7),  # 1 + 2 + 4
        (1, (OTHER_VALUE, "south", OTHER_VALUE)): Decimal(8),  # b: not in the budget
        (2, ("a", "north", OTHER_VALUE)): Decimal(48),  # 16 + 32
    }
    values = Rollup(plan, actuals.cube)
    day1, day2 = dt.date(2025, 1, 1), dt.date(2025, 1, 2)
    assert values.value("gmv", day1, day2) == 63.0
    assert values.by_group("gmv", "region", day1, day2) == {"north": 55.0, "south": 8.0}


def test_declaring_a_dimension_nothing_reads_changes_no_number(tmp_path: Path, cli: Cli) -> None:
    # Order-level rows (no repeats to tell apart): the same JSON whether sku is declared.
    csv = tmp_path / "a.csv"
    csv.write_text(SKUS, encoding="utf-8")
    documents = []
    for name, dimensions in (("without", "channel: channel, region: region"),
                             ("with", "channel: channel, region: region, sku: sku")):  # fmt: skip
        plan = tmp_path / f"{name}.yaml"
        text = DAILY.format(dimensions=dimensions).replace(
            "{date: date,", "{date: date, grain: rows,"
        )
        plan.write_text(text, encoding="utf-8")
        status, out, _ = cli("check", plan, "-a", csv, "--as-of", "2025-01-02", "-f", "json")
        assert status == 0  # on pace for the year; warnings only (PA011 for b)
        document = json.loads(out)
        assert document["plans"][0]["goals"][0]["actual"] == 63  # 1 + 2 + 4 + 8 + 16 + 32
        document["plans"][0].pop("file")
        documents.append(document)
    assert documents[0] == documents[1]
