"""A plan that fails the schema, or holds a duplicate key, still gets the semantic
checks of what validates: five problems are five diagnostics (SPEC), in one CI round.

Each case writes the plan by hand; the expected findings are those a reader sees in
the text, and the ones left out would have come of the part set aside.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from promoplan.loader import load_plan

BASE = """\
promoplan: 1
name: partial
period: 2025
metrics:
  gmv: {column: gmv, unit: currency}
  spend: {column: spend, unit: currency}
  expense_ratio: {formula: spend / gmv, unit: percent}
goals:
  gmv_total: {metric: gmv, at_least: 1亿}
  ratio: {metric: expense_ratio, at_most: 18%}
budget:
  total: 1000万
  lines:
    traffic: {share: 60%}
    content: {share: 30%}
    reserve: {share: 15%}
channels: {douyin: traffc}
quarters:
  Q1: {start: 2025-01-01, end: 2025-03-31, weight: 30%}
  Q2: {start: 2025-04-01, end: 2025-06-30, weight: 30%}
  Q3: {start: 2025-07-01, end: 2025-09-30, weight: 30%}
  Q4: {start: 2025-10-01, end: 2025-12-31, weight: 30%}
"""
# In BASE: shares sum to 105% (PP101, budget.lines), douyin maps to traffc (PP104),
# quarter weights sum to 120% (PP112).
BASE_FINDINGS = [("PP101", "budget.lines"), ("PP104", "channels.douyin"), ("PP112", "quarters")]


def found(tmp_path: Path, text: str) -> list[tuple[str, str | None]]:
    path = tmp_path / "plan.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    loaded = load_plan(path)
    assert loaded.plan is None  # still invalid: check and report stop on its errors
    return sorted((d.code, d.path) for d in loaded.diagnostics)


def test_the_valid_base_has_its_three_findings(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text(BASE, encoding="utf-8")
    assert sorted((d.code, d.path) for d in load_plan(path).diagnostics) == BASE_FINDINGS


def test_a_bad_quantity_in_a_goal_hides_nothing_of_the_budget_channels_or_quarters(
    tmp_path: Path,
) -> None:
    text = BASE.replace("at_most: 18%", "at_most: 18 percent")
    assert found(tmp_path, text) == sorted([("PP004", "goals.ratio.at_most"), *BASE_FINDINGS])


def test_an_unknown_key_in_a_quarter_keeps_the_budget_and_channel_findings(
    tmp_path: Path,
) -> None:
    # The quarters lose Q3 (its weight too), so their weights are not judged: PP112 left out.
    text = BASE.replace("weight: 30%}\n  Q4", "weight: 30%, mood: calm}\n  Q4")
    assert found(tmp_path, text) == [
        ("PP003", "quarters.Q3.mood"),
        ("PP101", "budget.lines"),
        ("PP104", "channels.douyin"),
    ]


def test_a_bad_budget_line_drops_the_sums_it_would_spoil(tmp_path: Path) -> None:
    # Without the reserve line the shares would sum to 90%: a PP101 not in the file.
    # The channels' lines are the budget's, so PP104 waits too.
    text = BASE.replace("reserve: {share: 15%}", "reserve: {share: 15 percent}")
    assert found(tmp_path, text) == [
        ("PP004", "budget.lines.reserve.share"),
        ("PP112", "quarters"),
    ]


def test_a_bad_metric_drops_what_reads_metrics(tmp_path: Path) -> None:
    # gmv set aside: the goal on it, the formula over it would be "unknown metric".
    text = BASE.replace("gmv: {column: gmv, unit: currency}", "gmv: {colum: gmv, unit: currency}")
    assert found(tmp_path, text) == sorted([("PP003", "metrics.gmv.colum"), *BASE_FINDINGS])


def test_a_duplicate_key_keeps_the_other_sections_findings_and_schema_errors(
    tmp_path: Path,
) -> None:
    text = BASE.replace(
        "  ratio: {metric: expense_ratio, at_most: 18%}\n",
        "  ratio: {metric: expense_ratio, at_most: 18%}\n  ratio: {metric: gmv, at_least: 1}\n",
    ).replace("Q4: {start", "Q4: {begin")
    assert found(tmp_path, text) == [
        ("PP002", "goals.ratio"),
        ("PP003", "quarters.Q4.begin"),
        ("PP101", "budget.lines"),
        ("PP104", "channels.douyin"),
    ]


def test_a_bad_period_stops_the_semantic_checks(tmp_path: Path) -> None:
    text = BASE.replace("period: 2025", "period: twenty")
    assert [code for code, _ in found(tmp_path, text)] == ["PP003"]


def test_an_unknown_top_level_key_sets_nothing_else_aside(tmp_path: Path) -> None:
    text = BASE + "goal: {x: 1}\n"
    assert found(tmp_path, text) == sorted([("PP003", "goal"), *BASE_FINDINGS])


def test_the_plans_ignore_still_applies(tmp_path: Path) -> None:
    text = BASE.replace("at_least: 1亿", "at_least: X亿").replace(
        "weight: 30%}\n  Q4", "weight: 30%, mood: calm}\n  Q4"
    )
    assert ("PP120", "goals.gmv_total.at_least") in found(tmp_path, text)
    assert ("PP120", "goals.gmv_total.at_least") not in found(tmp_path, text + "ignore: [PP120]\n")
