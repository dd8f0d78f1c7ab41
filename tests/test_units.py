"""Units that fit the plan: the plan's ``units:``, currency signs, small values, whole counts.

Every expected string is written by hand from the rows: 31 January days of 3 spend,
1,000 conversions and 100 orders on ``google``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from clirunner import Cli
from promoplan.render.text import format_amount, format_apart, format_change, format_value

PLAN = """\
promoplan: 1
name: us plan
period: 2025
currency: {currency}
{units}actuals:
  dimensions: {{channel: channel}}
metrics:
  spend: {{column: spend, unit: currency}}
  conversions: {{column: conversions}}
  orders: {{column: orders}}
  cpc: {{formula: spend / conversions, unit: currency}}
goals:
  orders: {{metric: orders, at_least: 8000}}
  cpc: {{metric: cpc, at_most: 0.005}}
budget:
  total: 90000000
  lines: {{search: 60%, social: 40%}}
channels: {{google: search, meta: social}}
"""


def write_plan(tmp_path: Path, currency: str = "USD", units: str | None = None) -> Path:
    """The plan and its actuals (January 2025) in ``tmp_path``; returns the plan's path."""
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        PLAN.format(currency=currency, units=f"units: {units}\n" if units else ""),
        encoding="utf-8",
    )
    day, rows = dt.date(2025, 1, 1), []
    while day <= dt.date(2025, 1, 31):
        rows.append(f"{day.isoformat()},google,3,1000,100\n")
        day += dt.timedelta(days=1)
    (tmp_path / "actuals.csv").write_text(
        "date,channel,spend,conversions,orders\n" + "".join(rows), encoding="utf-8"
    )
    return plan


def check(cli: Cli, plan: Path, *extra: str) -> str:
    """``check`` of ``plan`` on its actuals; the output (exit 0: only warnings fire)."""
    status, out, err = cli("check", plan, "--actuals", plan.parent / "actuals.csv", *extra)
    assert status == 0, out + err
    return out


def row(text: str, start: str) -> str:
    """The table line that starts with ``start``, blanks collapsed."""
    line = next(line for line in text.splitlines() if line.startswith(start))
    return re.sub(r"\s+", " ", line).strip()


# orders: 8,000 a year, paced by day: 8,000 x 31 / 365 = 679.45 by Jan 31 -> 679 orders.
# cpc: 93 spend / 31,000 conversions = $0.003. Budget: 60% of 90M = 54M for search.
def test_a_usd_plan_prints_intl_units_dollars_small_values_and_whole_counts(
    cli: Cli, tmp_path: Path
) -> None:
    out = check(cli, write_plan(tmp_path))
    assert row(out, "orders").startswith("orders 8,000 3,100 679 ")
    assert row(out, "cpc").startswith("cpc $0.005 $0.003 $0.005 ")
    assert row(out, "search").startswith("search 60% $93 [<1% of $54M] ")
    assert "万" not in out


def test_plan_units_cn_and_the_option_override(cli: Cli, tmp_path: Path) -> None:
    plan = write_plan(tmp_path, units="cn")
    assert row(check(cli, plan), "search").startswith("search 60% $93 [<1% of $5,400万] ")
    intl = check(cli, plan, "--units", "intl")
    assert row(intl, "search").startswith("search 60% $93 [<1% of $54M] ")


def test_a_cny_plan_keeps_wan_by_default(cli: Cli, tmp_path: Path) -> None:
    out = check(cli, write_plan(tmp_path, currency="CNY"))
    assert row(out, "search").startswith("search 60% ¥93 [<1% of ¥5,400万] ")


@pytest.mark.parametrize(
    ("currency", "shown"),
    [
        ("BRL", "R$54M"),
        ("HKD", "HK$54M"),
        ("TWD", "NT$54M"),
        ("KRW", "₩54M"),
        ("INR", "₹54M"),
        ("SGD", "S$54M"),
        ("EUR", "€54M"),
        ("GBP", "£54M"),
        ("JPY", "¥54M"),
        ("CHF", "CHF 54M"),
    ],
)
def test_currency_signs(cli: Cli, tmp_path: Path, currency: str, shown: str) -> None:
    out = check(cli, write_plan(tmp_path, currency=currency))
    assert f"[<1% of {shown}]" in row(out, "search")


def test_markdown_and_html_show_the_same_numbers(cli: Cli, tmp_path: Path) -> None:
    plan = write_plan(tmp_path)
    markdown = check(cli, plan, "--format", "markdown")
    assert "| orders | 8,000 | 3,100 | 679 | 456% | 36.5k | on\\_track |" in markdown
    assert "| cpc | $0.005 | $0.003 | $0.005 |" in markdown
    status, html, err = cli(
        "report", plan, "--actuals", tmp_path / "actuals.csv", "--as-of", "2025-01-31",
        "--format", "html",
    )  # fmt: skip
    assert status == 0, err
    assert ">$0.003<" in html
    assert ">679<" in html
    assert "$54M" in html


def test_json_keeps_raw_numbers(cli: Cli, tmp_path: Path) -> None:
    document = json.loads(check(cli, write_plan(tmp_path), "--format", "json"))["plans"][0]
    goals = {goal["id"]: goal for goal in document["goals"]}
    assert goals["orders"]["expected"] == pytest.approx(8000 * 31 / 365)
    assert goals["cpc"]["actual"] == pytest.approx(0.003)
    assert document["budget"][0]["planned"] == 54_000_000


def test_an_unknown_units_value_in_the_plan_is_an_error(cli: Cli, tmp_path: Path) -> None:
    plan = write_plan(tmp_path, units="metric")
    status, out, err = cli("validate", plan)
    assert status == 1
    assert "units" in out + err


@pytest.mark.parametrize(
    ("value", "unit", "currency", "shown"),
    [
        (0.003, "currency", "USD", "$0.003"),
        (0.012345, "currency", "USD", "$0.0123"),
        (0.5, "number", "USD", "0.5"),
        (0.456789, "number", "USD", "0.457"),
        (3994.52, "number", "USD", "3,994.52"),
        (0.00034, "percent", "USD", "0.034%"),
        (0.046, "percent", "USD", "4.6%"),
        (0.0123, "ratio", "USD", "1:0.0123"),
        (9e7, "currency", "CNY", "¥9,000万"),
        (9e7, "currency", "USD", "$90M"),
        (-5e5, "currency", "USD", "-$500k"),
        (3995, "count", "USD", "3,995"),
        (12_345, "count", "USD", "12.35k"),
    ],
)
def test_format_value(value: float, unit: str, currency: str, shown: str) -> None:
    assert format_value(value, unit, currency=currency) == shown


def test_format_amount_writes_out_below_ten_thousand_in_both_units() -> None:
    assert format_amount(9_999, "intl") == "9,999"
    assert format_amount(9_999, "cn") == "9,999"
    assert format_amount(10_000, "intl") == "10k"
    assert format_amount(10_000, "cn") == "1万"


@pytest.mark.parametrize(
    ("value", "kind", "unit", "shown"),
    [
        (-0.0001, "points", "ratio", "+0 pts"),
        (-0.0001, "relative", "count", "+0%"),
        (-0.03, "relative", "count", "-3%"),
        (0.085, "points", "percent", "+8.5 pp"),
    ],
)
def test_a_change_that_rounds_to_nothing_is_plus_zero(
    value: float, kind: str, unit: str, shown: str
) -> None:
    assert format_change(value, kind, unit) == shown


@pytest.mark.parametrize(
    ("value", "other", "unit", "kind", "shown"),
    [
        # A growth of -0.004% against a 0% target: not "+0%" beside off_track.
        (-0.00004, 0.0, "percent", "growth", "-0.004%"),
        (0.30004, 0.3, "count", "growth", "+30.004%"),
        (0.10004, 0.1, "percent", "level", "10.004%"),
        (2.9996, 3.0, "ratio", "level", "1:2.9996"),
        # 364,999 against 36.5万: both print 36.5万, so the actual is written out.
        (364_999.0, 365_000.0, "currency", "cumulative", "¥364,999"),
        (999.996, 1_000.0, "currency", "cumulative", "¥999.996"),
        # Printed apart already, or equal: as format_value prints them.
        (0.25, 0.3, "percent", "growth", "+25%"),
        (0.3, 0.3, "percent", "growth", "+30%"),
        (None, 0.3, "percent", "level", "-"),
    ],
)
def test_a_goal_actual_never_prints_as_its_target_unless_equal(
    value: float | None, other: float, unit: str, kind: str, shown: str
) -> None:
    assert format_apart(value, other, unit, kind) == shown
