"""Counting rows (``agg: count``), row-level values (``expr``) and the product-of-sums warning.

Expected numbers are worked out here from the committed example files with the
csv module and Decimal, independently of the engine.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from clirunner import run_cli
from promoplan.actuals import read_actuals
from promoplan.inputs import actuals_spec
from promoplan.loader import load_plan
from promoplan.model import Plan, ReportSection
from promoplan.rollup import Rollup

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "plans" / "examples"
START, END = dt.date(2025, 1, 1), dt.date(2025, 12, 31)


def loaded(path: Path) -> Plan:
    plan = load_plan(path).plan
    assert plan is not None
    return plan


def rollup(plan: Plan, *files: Path) -> Rollup:
    """Every metric of the plan over the files (all of them read, as if all were KPIs)."""
    plan = plan.model_copy(update={"report": ReportSection(kpis=list(plan.metrics))})
    actuals = read_actuals(list(files), actuals_spec(plan))
    assert [d.code for d in actuals.diagnostics] == []
    return Rollup(plan, actuals.cube)


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write_plan(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "plan.yaml"
    path.write_text("promoplan: 1\nname: t\nperiod: 2025\n" + body, encoding="utf-8")
    return path


def codes_of(path: Path) -> list[str]:
    return [d.code for d in load_plan(path).diagnostics]


# --- agg: count ------------------------------------------------------------------------


def test_order_counts_and_cancellation_rate_equal_a_hand_count() -> None:
    plan = loaded(EXAMPLES / "orders.yaml")
    orders = rows(EXAMPLES / "orders.csv")
    values = rollup(plan, EXAMPLES / "orders.csv")
    cancelled = sum(1 for r in orders if r["order_status"] == "canceled")
    coupons = sum(1 for r in orders if r["coupon_code"].strip())
    gmv = sum(
        (
            Decimal(r["amount"])
            for r in orders
            if r["order_status"] in ("delivered", "shipped") and r["amount"] != "N/A"
        ),
        Decimal(0),
    )
    assert values.value("orders", START, END) == len(orders) == 40
    assert values.value("order_ids", START, END) == len(orders)
    assert values.value("cancelled", START, END) == cancelled
    assert values.value("with_coupon", START, END) == coupons
    assert values.value("cancel_rate", START, END) == pytest.approx(cancelled / len(orders))
    assert values.value("coupon_rate", START, END) == pytest.approx(coupons / len(orders))
    assert values.value("gmv", START, END) == pytest.approx(float(gmv))
    by_channel = values.by_group("orders", "channel", START, END)
    assert by_channel == {
        channel: sum(1 for r in orders if r["channel"] == channel)
        for channel in sorted({r["channel"] for r in orders})
    }


def test_a_text_column_counted_is_never_pa003_but_summed_it_is(tmp_path: Path) -> None:
    data = tmp_path / "orders.csv"
    data.write_text(
        "date,order_id,amount\n2025-01-02,A-1,5\n2025-01-02,,6\n2025-01-03,B-2,n/a\n",
        encoding="utf-8",
    )
    counted = write_plan(
        tmp_path,
        "actuals: {grain: rows}\nmetrics:\n  ids: {column: order_id, agg: count}\n"
        "  rows: {agg: count}\n  amounts: {column: amount, agg: count}\n"
        "goals: {a: {metric: ids, at_least: 1}, b: {metric: rows, at_least: 1},"
        " c: {metric: amounts, at_least: 1}}\n",
    )
    plan = loaded(counted)
    values = rollup(plan, data)
    assert values.value("ids", START, END) == 2  # the empty id is not counted
    assert values.value("rows", START, END) == 3
    assert values.value("amounts", START, END) == 2  # n/a is no value
    summed = write_plan(
        tmp_path,
        "actuals: {grain: rows}\nmetrics: {ids: {column: order_id}}\n"
        "goals: {a: {metric: ids, at_least: 1}}\n",
    )
    actuals = read_actuals([data], actuals_spec(loaded(summed)))
    assert [(d.code, d.line, d.column) for d in actuals.diagnostics] == [
        ("PA003", 2, 2),
        ("PA003", 4, 2),
    ]


def test_count_without_column_needs_agg_count(tmp_path: Path) -> None:
    path = write_plan(tmp_path, "metrics: {orders: {agg: sum}}\n")
    assert codes_of(path) == ["PP003"]
    path = write_plan(tmp_path, "metrics: {orders: {agg: count, expr: a * b, formula: x}}\n")
    assert codes_of(path) == ["PP003"]


# --- expr ------------------------------------------------------------------------------


def test_expr_sums_per_row_products_and_a_missing_operand_is_no_value() -> None:
    plan = loaded(EXAMPLES / "conversions.yaml")
    values = rollup(plan, EXAMPLES / "conversions.csv")
    expected: dict[str, Decimal] = {}
    for r in rows(EXAMPLES / "conversions.csv"):
        if r["conversions"] and r["revenue_per_conversion"]:
            product = Decimal(r["conversions"]) * Decimal(r["revenue_per_conversion"])
            expected[r["channel"]] = expected.get(r["channel"], Decimal(0)) + product
    assert values.value("revenue", START, END) == float(sum(expected.values()))
    assert values.by_group("revenue", "channel", START, END) == {
        k: float(v) for k, v in expected.items()
    }
    spend = sum(Decimal(r["spend"]) for r in rows(EXAMPLES / "conversions.csv"))
    assert values.value("roas", START, END) == pytest.approx(float(sum(expected.values()) / spend))


def test_expr_with_numbers_parentheses_and_division(tmp_path: Path) -> None:
    data = tmp_path / "a.csv"
    data.write_text(
        "date,a,b,c\n2025-01-02,10,4,2\n2025-01-03,3,1,0\n2025-01-04,-2,5,4\n", encoding="utf-8"
    )
    path = write_plan(
        tmp_path,
        "metrics:\n  x: {expr: (a + 1.5) * b / c - -1}\n  n: {expr: a / c, agg: count}\n"
        "goals: {g: {metric: x, at_least: 1}, h: {metric: n, at_least: 1}}\n",
    )
    values = rollup(loaded(path), data)
    # Row 2 divides by zero: no value. Rows 1 and 3: (11.5*4/2+1) + (-0.5*5/4+1).
    assert values.value("x", START, END) == pytest.approx(24.0 + 0.375)
    assert values.value("n", START, END) == 2


def test_a_bad_cell_in_an_expr_column_is_pa003_at_its_line_and_column(tmp_path: Path) -> None:
    data = tmp_path / "a.csv"
    data.write_text("date,a,b\n2025-01-02,10,4\n2025-01-03,3,x1\n", encoding="utf-8")
    path = write_plan(
        tmp_path, "metrics: {x: {expr: a * b}}\ngoals: {g: {metric: x, at_least: 1}}\n"
    )
    actuals = read_actuals([data], actuals_spec(loaded(path)))
    assert [(d.code, d.line, d.column) for d in actuals.diagnostics] == [("PA003", 3, 3)]


def test_an_expr_column_in_no_file_is_pa002(tmp_path: Path) -> None:
    data = tmp_path / "a.csv"
    data.write_text("date,a\n2025-01-02,10\n", encoding="utf-8")
    path = write_plan(
        tmp_path, "metrics: {x: {expr: a * b}}\ngoals: {g: {metric: x, at_least: 1}}\n"
    )
    actuals = read_actuals([data], actuals_spec(loaded(path)))
    assert [(d.code, d.message) for d in actuals.diagnostics] == [
        ("PA002", 'column "b" is in no actuals file; what reads it has no data')
    ]


def test_expr_syntax_error_is_pp122_at_the_expr(tmp_path: Path) -> None:
    path = write_plan(tmp_path, "metrics:\n  x: {expr: 'a *'}\n")
    [problem] = load_plan(path).diagnostics
    assert problem.code == "PP122"
    assert problem.path == "metrics.x.expr"
    assert "expr error at character 4" in problem.message


def test_expr_text_never_reaches_the_sql(tmp_path: Path) -> None:
    """Names become quoted positional columns; only digits of numbers are rendered."""
    from promoplan.actuals import sql  # noqa: PLC0415
    from promoplan.formula import parse_formula  # noqa: PLC0415

    node = parse_formula("evil_name * 2.50 / other").root
    text = sql.formula_sql(node, lambda name: sql.column(7 if name == "evil_name" else 8))
    assert text == '("c7" * 2.50 / NULLIF(CAST("c8" AS DOUBLE), 0))'


# --- PP124 -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("formula", "fires"),
    [
        ("conversions * revenue_per_conversion", True),
        ("gmv / spend", False),
        ("2 * gmv", False),
        ("gmv - spend", False),
        ("(gmv - spend) * conversions", True),
        ("gmv / rate", True),  # rate is a percent metric
        ("gmv / spend * 100", False),
    ],
)
def test_product_of_sums_warning(tmp_path: Path, formula: str, fires: bool) -> None:
    path = write_plan(
        tmp_path,
        "metrics:\n  gmv: {column: gmv}\n  spend: {column: spend}\n"
        "  conversions: {column: conversions}\n"
        "  revenue_per_conversion: {column: revenue_per_conversion}\n"
        "  rate: {column: rate, unit: percent}\n"
        f"  x: {{formula: {formula}}}\n",
    )
    found = [d for d in load_plan(path).diagnostics if d.code == "PP124"]
    assert bool(found) == fires
    if fires:
        assert found[0].severity == "warning"
        assert found[0].path == "metrics.x.formula"
        assert "expr" in (found[0].hint or "")


def test_pp124_hint_names_the_expr_to_write(tmp_path: Path) -> None:
    path = write_plan(
        tmp_path,
        "metrics:\n  conversions: {column: conv}\n  rpc: {column: revenue_per_conversion}\n"
        "  revenue: {formula: conversions * rpc}\n",
    )
    [problem] = load_plan(path).diagnostics
    assert problem.code == "PP124"
    assert "(expr: conv * revenue_per_conversion)" in (problem.hint or "")


def test_example_plans_check_cleanly() -> None:
    for plan, data, as_of in (
        ("orders.yaml", "orders.csv", "2025-06-17"),
        ("conversions.yaml", "conversions.csv", "2025-01-04"),
    ):
        # In process: what is tested is the output, not the process.
        outcome = run_cli(
            "check", EXAMPLES / plan, "--actuals", EXAMPLES / data, "--as-of", as_of, "-f", "json"
        )
        assert outcome.exit_code in (0, 1), outcome.stderr
        entry = json.loads(outcome.stdout)["plans"][0]
        assert [d["code"] for d in entry["diagnostics"]] == []


def test_growth_of_an_expr_and_of_counted_rows_compares_with_last_year(tmp_path: Path) -> None:
    """An ``expr`` metric (and ``agg: count`` of rows) has a baseline like a column's: its
    growth is this Q1's sum of a * b over last Q1's, by hand, not no_data (PA021)."""
    data = tmp_path / "a.csv"
    lines = ["date,a,b"]
    expected: dict[int, float] = {2024: 0.0, 2025: 0.0}
    rows_in = {2024: 0, 2025: 0}
    for year in (2024, 2025):
        day = dt.date(year, 1, 1)
        while day <= dt.date(year, 3, 31):
            a, b = day.day + (year - 2024) * 3, 2 + day.month
            lines.append(f"{day.isoformat()},{a},{b}")
            expected[year] += a * b
            rows_in[year] += 1
            day += dt.timedelta(days=1)
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path = write_plan(
        tmp_path,
        "metrics:\n  x: {expr: a * b}\n  n: {agg: count}\n"
        "goals:\n  g: {metric: x, growth: 5%}\n  h: {metric: n, growth: 0%}\n",
    )
    outcome = run_cli("check", path, "-a", data, "--as-of", "2025-03-31", "-f", "json")
    document = json.loads(outcome.stdout)["plans"][0]
    goals = {g["id"]: g for g in document["goals"]}
    assert [d["code"] for d in document["diagnostics"]] == []
    assert goals["g"]["baseline"] == expected[2024]
    assert goals["g"]["actual"] == pytest.approx(expected[2025] / expected[2024] - 1)
    # 2024 is a leap year: its Q1 has one day more (SPEC: the same dates a year earlier).
    assert goals["h"]["baseline"] == rows_in[2024] == 91
    assert goals["h"]["actual"] == pytest.approx(90 / 91 - 1)
