"""Semantic plan checks (PP004, PP101-PP123) through the real loader, with exact locations."""

from __future__ import annotations

import datetime as dt
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from profiles import scaled
from promoplan.checks import CHECKS, check_plan
from promoplan.diagnostics import CODES, Diagnostic
from promoplan.loader import LoadedPlan, load_plan
from promoplan.model import Plan

HEADER = "promoplan: 1\nname: test plan\n"


def load(tmp_path: Path, body: str) -> LoadedPlan:
    """Load a plan made of HEADER, ``period: 2025`` unless the body gives one, and ``body``."""
    text = plan_text(body)
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    loaded = load_plan(path)
    assert loaded.plan is not None, [d.message for d in loaded.diagnostics]
    return loaded


def plan_text(body: str) -> str:
    body = textwrap.dedent(body).lstrip("\n")
    period = "" if re.search(r"^period:", body, re.MULTILINE) else "period: 2025\n"
    return HEADER + period + body


def pos(body: str, needle: str, occurrence: int = 1) -> tuple[int, int]:
    """1-based line and column of the ``occurrence``-th ``needle`` in the loaded text."""
    text = plan_text(body)
    index = -1
    for _ in range(occurrence):
        index = text.index(needle, index + 1)
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


def at(loaded: LoadedPlan, code: str) -> list[tuple[int | None, int | None]]:
    return [(d.line, d.column) for d in loaded.diagnostics if d.code == code]


def only(loaded: LoadedPlan, code: str) -> Diagnostic:
    found = [d for d in loaded.diagnostics if d.code == code]
    assert len(found) == 1, loaded.diagnostics
    return found[0]


def codes(loaded: LoadedPlan) -> list[str]:
    return [d.code for d in loaded.diagnostics]


# --- PP101 ----------------------------------------------------------------------------

SHARES_90 = """
budget:
  lines:
    traffic: {share: 40%, lines: {public: 30%, private: 10%}}
    content: {share: 20%, lines: {short_video: 15%, graphics: 5%}}
    influencers: 15%
    tech: 10%
    reserve: 5%
"""


def test_pp101_shares_short_of_100(tmp_path: Path) -> None:
    loaded = load(tmp_path, SHARES_90)
    found = only(loaded, "PP101")
    assert (found.line, found.column) == pos(SHARES_90, "lines:")  # a mapping: at its key
    assert found.message == "budget shares sum to 90%, not 100%"
    assert found.path == "budget.lines"
    assert found.hint == "add the missing 10% to a line"
    assert found.severity == "error"
    assert codes(loaded) == ["PP101"]


def test_pp101_over_100(tmp_path: Path) -> None:
    body = "budget:\n  lines: {a: 60%, b: 50.5%}\n"
    found = only(load(tmp_path, body), "PP101")
    assert found.message == "budget shares sum to 110.5%, not 100%"
    assert found.hint == "take 10.5% off the lines"


@pytest.mark.parametrize(
    "lines",
    [
        "{traffic: 40%, content: 20%, influencers: 15%, tech: 10%, reserve: 15%}",
        "{a: 0.1, b: 0.2, c: 0.7}",  # 1.0000000000000002 in floats
        "{a: 33.333333333%, b: 33.333333333%, c: 33.333333334%}",
        "{a: {lines: {x: 60%, y: 20%}}, b: 20%}",  # a's share is its sub-lines' sum
    ],
)
def test_pp101_passes(tmp_path: Path, lines: str) -> None:
    assert codes(load(tmp_path, f"budget:\n  lines: {lines}\n")) == []


def test_pp101_mixes_shares_and_amounts(tmp_path: Path) -> None:
    body = "budget:\n  total: 1000万\n  lines: {a: 50%, b: {amount: 400万}}\n"
    found = only(load(tmp_path, body), "PP101")
    assert found.message == "budget shares sum to 90%, not 100%"
    body = "budget:\n  total: 1000万\n  lines: {a: 60%, b: {amount: 400万}}\n"
    assert codes(load(tmp_path, body)) == []


def test_pp101_skips_what_cannot_be_added(tmp_path: Path) -> None:
    # a placeholder share (PP120 only), and an amount with no total to divide by
    assert codes(load(tmp_path, "budget:\n  lines: {a: 50%, b: X%}\n")) == ["PP120"]
    assert codes(load(tmp_path, "budget:\n  lines: {a: 50%, b: {amount: 100万}}\n")) == []


def test_pp101_negative_share(tmp_path: Path) -> None:
    body = "budget:\n  lines: {a: 150%, b: -50%}\n"
    found = only(load(tmp_path, body), "PP101")
    assert (found.line, found.column) == pos(body, "-50%")
    assert found.message == "budget line 'b' has a negative share (-50%)"
    body = "budget:\n  lines: {a: {share: 100%, lines: {x: 110%, y: -10%}}}\n"
    assert codes(load(tmp_path, body)) == ["PP102"]


def test_pp101_line_without_share_or_amount(tmp_path: Path) -> None:
    body = "budget:\n  lines:\n    a: 100%\n    b: {label: later}\n"
    found = only(load(tmp_path, body), "PP101")
    assert (found.line, found.column) == pos(body, "b: {label")
    assert found.message == "budget line 'b' has neither a share nor an amount"


# --- PP102 ----------------------------------------------------------------------------


def test_pp102_sub_lines_short(tmp_path: Path) -> None:
    body = """
    budget:
      lines:
        traffic:
          share: 40%
          lines:
            public: 30%
            private: 5%
        content: 60%
    """
    found = only(load(tmp_path, body), "PP102")
    assert (found.line, found.column) == pos(body, "lines:", 2)
    assert found.message == "sub-lines of 'traffic' sum to 35%, not the line's 40%"
    assert found.path == "budget.lines.traffic.lines"
    assert codes(load(tmp_path, body.replace("5%", "10%"))) == []


def test_pp102_nested_levels(tmp_path: Path) -> None:
    body = """
    budget:
      lines:
        a:
          share: 100%
          lines:
            b:
              share: 100%
              lines: {c: 50%, d: 40%}
    """
    found = only(load(tmp_path, body), "PP102")
    assert found.path == "budget.lines.a.lines.b.lines"
    assert found.message == "sub-lines of 'a.b' sum to 90%, not the line's 100%"
    assert (found.line, found.column) == pos(body, "lines: {c: 50%")


def test_pp102_sub_line_without_share(tmp_path: Path) -> None:
    body = "budget:\n  lines:\n    a: {share: 100%, lines: {x: 100%, y: {}}}\n"
    found = only(load(tmp_path, body), "PP102")
    assert found.message == "budget line 'a.y' has neither a share nor an amount"


# --- PP103 ----------------------------------------------------------------------------


def test_pp103_amount_disagrees_with_share(tmp_path: Path) -> None:
    body = """
    budget:
      total: 5000万
      lines:
        traffic: {share: 30%, amount: 1200万}
        content: {share: 70%, amount: 3500万}
    """
    loaded = load(tmp_path, body)
    found = [d for d in loaded.diagnostics if d.code == "PP103"]
    assert [(d.line, d.column) for d in found] == [pos(body, "5000万"), pos(body, "1200万")]
    assert found[0].message == "line amounts sum to 47,000,000, not the budget total (50,000,000)"
    assert found[1].message == (
        "budget line 'traffic': amount 12,000,000 is not total x share "
        "(30% of 50,000,000 = 15,000,000)"
    )
    assert codes(load(tmp_path, body.replace("1200万", "1500万"))) == []


def test_pp103_amounts_only(tmp_path: Path) -> None:
    body = """
    budget:
      total: 100万
      lines:
        a: {amount: 60万, lines: {x: {amount: 30万}, y: {amount: 20万}}}
        b: {amount: 30万}
    """
    loaded = load(tmp_path, body)
    assert at(loaded, "PP103") == [pos(body, "100万"), pos(body, "60万")]
    assert codes(loaded) == ["PP103", "PP103"]  # not PP101/PP102 for the same gaps
    fixed = body.replace("b: {amount: 30万}", "b: {amount: 40万}").replace("20万", "30万")
    assert codes(load(tmp_path, fixed)) == []


def test_pp103_float_rounding_is_not_a_disagreement(tmp_path: Path) -> None:
    body = (
        "budget:\n  total: 3\n"
        "  lines: {a: {share: 10%, amount: 0.3}, b: {share: 90%, amount: 2.7}}\n"
    )
    assert codes(load(tmp_path, body)) == []


# --- PP104 ----------------------------------------------------------------------------


def test_pp104_unknown_line(tmp_path: Path) -> None:
    body = """
    metrics: {spend: {column: spend}}
    budget:
      lines:
        traffic: {share: 100%, lines: {public: 80%, private: 20%}}
    channels:
      douyin: traffic.public
      wecom: traffic.privat
      koc: influencers
    """
    loaded = load(tmp_path, body)
    assert at(loaded, "PP104") == [pos(body, "traffic.privat"), pos(body, "influencers")]
    first = loaded.diagnostics[0]
    assert (
        first.message
        == "channel 'wecom' maps to budget line 'traffic.privat', which does not exist"
    )
    assert first.hint == "did you mean 'traffic.private'?"
    assert first.path == "channels.wecom"


def test_pp104_without_budget(tmp_path: Path) -> None:
    found = only(load(tmp_path, "channels: {douyin: traffic}\n"), "PP104")
    assert found.hint == "add the line under budget.lines"


# --- PP110 ----------------------------------------------------------------------------


def test_pp110_gap(tmp_path: Path) -> None:
    body = "quarters:\n  Q2: {start: 2025-04-15}\n"
    found = only(load(tmp_path, body), "PP110")
    assert (found.line, found.column) == pos(body, "2025-04-15")
    assert found.message == "gap between Q1 and Q2: 2025-04-01 to 2025-04-14 belong to no quarter"
    assert found.path == "quarters.Q2.start"


def test_pp110_overlap(tmp_path: Path) -> None:
    body = "quarters:\n  Q1: {end: 2025-04-10}\n"
    found = only(load(tmp_path, body), "PP110")
    assert (found.line, found.column) == pos(body, "2025-04-10")
    assert found.message == "Q2 overlaps Q1: both hold 2025-04-01 to 2025-04-10"


def test_pp110_outside_the_period(tmp_path: Path) -> None:
    body = "quarters:\n  Q1: {start: 2024-12-01}\n  Q4: {end: 2026-01-31}\n"
    loaded = load(tmp_path, body)
    assert at(loaded, "PP110") == [pos(body, "2024-12-01"), pos(body, "2026-01-31")]
    assert [d.message for d in loaded.diagnostics] == [
        "Q1 starts on 2024-12-01, before the period starts (2025-01-01)",
        "Q4 ends on 2026-01-31, after the period ends (2025-12-31)",
    ]


def test_pp110_quarter_backwards(tmp_path: Path) -> None:
    body = "quarters:\n  Q3: {start: 2025-09-30, end: 2025-07-01}\n"
    found = only(load(tmp_path, body), "PP110")
    assert (found.line, found.column) == pos(body, "2025-07-01")
    assert found.message == "Q3 ends (2025-07-01) before it starts (2025-09-30)"


def test_pp110_short_period_without_quarters_has_nothing_to_tile(tmp_path: Path) -> None:
    # Only quarters the plan writes are checked: no "Q4" the user never wrote.
    for period in ("{start: 2025-01-01, end: 2025-06-30}", "{start: 2025-06-18, end: 2025-06-18}"):
        assert codes(load(tmp_path, f"period: {period}\n")) == []


def test_pp110_short_period_checks_the_quarters_written(tmp_path: Path) -> None:
    # A half year writing Q1 and Q2: not asked about Q3 and Q4 after its end.
    body = (
        "period: {start: 2025-01-01, end: 2025-06-30}\nquarters: {Q1: {theme: a}, Q2: {theme: b}}\n"
    )
    assert codes(load(tmp_path, body)) == []
    # A 20-day campaign writing Q1: Q1's default three months end after the period.
    body = "period: {start: 2025-06-01, end: 2025-06-20}\nquarters: {Q1: {theme: a}}\n"
    found = only(load(tmp_path, body), "PP110")
    assert found.message == "Q1 ends on 2025-08-31, after the period ends (2025-06-20)"


@pytest.mark.parametrize(
    "body",
    [
        "quarters: {Q1: {theme: x}}\n",
        "period: {start: 2025-04-01, end: 2026-03-31}\n",
        "period: 2024\n",  # a leap year
        "period: {start: 2025-01-01, end: 2025-06-30}\nquarters:\n"
        "  Q1: {end: 2025-02-15}\n  Q2: {start: 2025-02-16, end: 2025-03-31}\n"
        "  Q3: {start: 2025-04-01, end: 2025-05-15}\n  Q4: {start: 2025-05-16, end: 2025-06-30}\n",
    ],
)
def test_pp110_passes(tmp_path: Path, body: str) -> None:
    assert codes(load(tmp_path, body)) == []


def test_pp110_period_backwards(tmp_path: Path) -> None:
    body = "period: {start: 2025-12-31, end: 2025-01-01}\n"
    assert codes(load(tmp_path, body)) == ["PP110"]


# --- PP111 ----------------------------------------------------------------------------

FESTIVALS_WRONG = """
quarters:
  Q1:
    events:
      - {name: 年货节, start: 2025-01-10, end: 2025-01-26}
      - {name: 春节不打烊}
  Q2:
    events:
      - name: 非遗文创节
  Q3:
    theme: 年中大促+品牌升级
    events:
      - {name: 618大促}
      - {name: 2038周年庆}
  Q4:
    events:
      - {name: 双11预售}
      - {name: 双12, start: 2025-12-10, end: 2026-01-02}
"""


def test_pp111_festival_and_dated_events(tmp_path: Path) -> None:
    loaded = load(tmp_path, FESTIVALS_WRONG)
    assert at(loaded, "PP111") == [
        pos(FESTIVALS_WRONG, "618大促"),
        pos(FESTIVALS_WRONG, "2026-01-02"),
    ]
    festival, dated = (d for d in loaded.diagnostics if d.code == "PP111")
    assert festival.message == (
        "event '618大促' is 618, on 2025-06-18, which falls in Q2, "
        "not Q3 (2025-07-01 to 2025-09-30)"
    )
    assert festival.path == "quarters.Q3.events[0].name"
    assert festival.hint is not None
    assert festival.hint.startswith("move it to Q2")
    assert dated.message == "event '双12' ends on 2026-01-02, outside Q4 (2025-10-01 to 2025-12-31)"
    assert dated.path == "quarters.Q4.events[1].end"


def test_pp111_passes_when_festivals_sit_in_their_quarters(tmp_path: Path) -> None:
    body = (
        FESTIVALS_WRONG.replace("2026-01-02", "2025-12-13")
        .replace("      - {name: 618大促}\n", "")
        .replace(
            "events:\n      - name: 非遗文创节",
            "events:\n      - name: 非遗文创节\n      - name: 618大促",
        )
    )
    assert codes(load(tmp_path, body)) == []


def test_pp111_fiscal_year(tmp_path: Path) -> None:
    # April to March: the 2026 Spring Festival (February 17) is in Q4, not Q1.
    body = """
    period: {start: 2025-04-01, end: 2026-03-31}
    quarters:
      Q1: {events: [{name: "618"}, {name: 春节}]}
      Q4: {events: [{name: Spring Festival}, {name: 38女王节}]}
    """
    found = only(load(tmp_path, body), "PP111")
    assert (found.line, found.column) == pos(body, "春节")
    assert "on 2026-02-17, which falls in Q4" in found.message


def test_pp111_festival_outside_the_period(tmp_path: Path) -> None:
    body = """
    period: {start: 2025-01-01, end: 2025-04-30}
    quarters:
      Q1: {end: 2025-01-31}
      Q2: {start: 2025-02-01, end: 2025-02-28}
      Q3: {start: 2025-03-01, end: 2025-03-31}
      Q4: {start: 2025-04-01, events: [{name: 双11}]}
    """
    found = only(load(tmp_path, body), "PP111")
    assert found.message == (
        "event '双11' is Double 11, which does not fall in the plan period "
        "(2025-01-01 to 2025-04-30)"
    )


def test_pp111_year_beyond_the_lunar_table_is_not_guessed(tmp_path: Path) -> None:
    body = "period: 2099\nquarters: {Q3: {events: [{name: 春节}]}}\n"
    assert codes(load(tmp_path, body)) == []
    body = 'period: 2099\nquarters: {Q3: {events: [{name: "618"}]}}\n'
    assert codes(load(tmp_path, body)) == ["PP111"]


def test_pp111_event_start_outside(tmp_path: Path) -> None:
    body = (
        "quarters:\n  Q2:\n    events:\n      - {name: 换季, start: 2025-03-25, end: 2025-04-20}\n"
    )
    found = only(load(tmp_path, body), "PP111")
    assert (found.line, found.column) == pos(body, "2025-03-25")
    assert found.hint == "move it to Q1"


# --- PP112 ----------------------------------------------------------------------------


def test_pp112_weights_for_some_quarters(tmp_path: Path) -> None:
    body = "quarters:\n  Q1: {weight: 20%}\n  Q2: {weight: 25%}\n  Q3: {theme: x}\n"
    found = only(load(tmp_path, body), "PP112")
    assert found.message == "weights are given for Q1, Q2 but not for Q3, Q4"
    assert (found.line, found.column) == pos(body, "Q3:")


def test_pp112_weights_sum(tmp_path: Path) -> None:
    body = "".join(
        f"  Q{n}: {{weight: {w}}}\n" for n, w in ((1, "20%"), (2, "25%"), (3, "20%"), (4, "30%"))
    )
    body = "quarters:\n" + body
    found = only(load(tmp_path, body), "PP112")
    assert found.message == "quarter weights sum to 95%, not 100%"
    assert (found.line, found.column) == pos(body, "quarters:")
    assert codes(load(tmp_path, body.replace("30%", "35%"))) == []


# --- PP120 ----------------------------------------------------------------------------

PLACEHOLDERS = """
metrics:
  new_users: {column: new_users}
  spend: {column: spend}
goals:
  new_users: {metric: new_users, at_least: X万}
budget:
  total: TBD
  lines: {a: 待定, b: {share: 50%, amount: X}}
quarters:
  Q1:
    goals:
      adds: {metric: new_users, at_least: "?"}
alerts:
  floor: {metric: spend, below: X亿, min: {spend: X}}
"""


def test_pp120_every_placeholder(tmp_path: Path) -> None:
    loaded = load(tmp_path, PLACEHOLDERS)
    found = [d for d in loaded.diagnostics if d.code == "PP120"]
    assert [(d.line, d.column) for d in found] == [
        pos(PLACEHOLDERS, "X万"),
        pos(PLACEHOLDERS, "TBD"),
        pos(PLACEHOLDERS, "待定"),
        pos(PLACEHOLDERS, "X}"),
        pos(PLACEHOLDERS, '"?"'),
        pos(PLACEHOLDERS, "X亿"),
        pos(PLACEHOLDERS, "X}", 2),
    ]
    assert [d.message for d in found] == [
        "goal 'new_users': target not set yet (X万)",
        "budget total not set yet (TBD)",
        "budget line 'a': share not set yet (待定)",
        "budget line 'b': amount not set yet (X)",
        "goal 'Q1.adds': target not set yet (?)",
        "alert 'floor': threshold not set yet (X亿)",
        "alert 'floor': minimum spend not set yet (X)",
    ]
    assert {d.severity for d in found} == {"warning"}
    assert codes(loaded) == ["PP120"] * 7  # placeholders make no other check fire


def test_pp120_can_be_ignored_by_the_plan(tmp_path: Path) -> None:
    assert codes(load(tmp_path, PLACEHOLDERS + "ignore: [PP120]\n")) == []


# --- PP121 ----------------------------------------------------------------------------


def test_pp121_unknown_metrics_everywhere(tmp_path: Path) -> None:
    body = """
    metrics:
      gmv: {column: gmv}
      spend: {column: spend}
    goals:
      growth: {metric: revenue, growth: 30%}
    budget:
      spend_metric: cost
      lines: {a: 100%}
    quarters:
      Q1: {goals: {adds: {metric: wecom_adds, at_least: 5万}}}
    alerts:
      low: {metric: rio, below: "1:3", min: {spends: 1万}, by: channel}
    report: {kpis: [gmv, uv]}
    """
    loaded = load(tmp_path, body)
    found = [d for d in loaded.diagnostics if d.code == "PP121"]
    assert [(d.line, d.column) for d in found] == [
        pos(body, "revenue"),
        pos(body, "cost"),
        pos(body, "wecom_adds"),
        pos(body, "rio,"),
        pos(body, "spends"),  # the floor's metric is its key: there, not at 1万
        pos(body, "uv"),
    ]
    assert found[0].message == "goal 'growth' names unknown metric 'revenue'"
    assert found[1].message == "budget.spend_metric names unknown metric 'cost'"
    assert found[3].hint == "did you mean 'roi'?" or found[3].hint == "define 'rio' under metrics"
    assert found[4].message == "alert 'low' (min) names unknown metric 'spends'"
    assert found[4].hint == "did you mean 'spend'?"
    assert codes(loaded) == ["PP121"] * 6


def test_pp121_default_spend_metric(tmp_path: Path) -> None:
    # Without channels the budget only checks shares; with them, spend must be measurable.
    assert codes(load(tmp_path, "budget: {lines: {a: 100%}}\n")) == []
    body = "budget: {lines: {a: 100%}}\nchannels: {douyin: a}\n"
    assert codes(load(tmp_path, body)) == ["PP121"]


def test_pp121_dimensions_need_no_declaration(tmp_path: Path) -> None:
    body = """
    metrics:
      spend: {column: spend, where: {platform: [douyin]}}
      gmv: {column: gmv}
      roi: {formula: gmv / spend, unit: ratio}
    goals:
      tmall: {metric: gmv, at_least: 1亿, where: {store: tmall}}
    budget: {lines: {a: 100%}}
    channels: {douyin: a}
    alerts:
      low: {metric: roi, by: region, below: "1:3"}
    """
    assert codes(load(tmp_path, body)) == []


# --- PP122 ----------------------------------------------------------------------------


def test_pp122_formula_problems(tmp_path: Path) -> None:
    body = """
    metrics:
      gmv: {column: gmv}
      roi: {formula: revenue / spend}
      bad: {formula: "gmv +"}
      a: {formula: b + 1}
      b: {formula: a * 2}
      evil: {formula: "__import__('os').system('x')"}
    """
    loaded = load(tmp_path, body)
    found = [d for d in loaded.diagnostics if d.code == "PP122"]
    assert [(d.line, d.column) for d in found] == [
        pos(body, "revenue"),
        pos(body, "revenue"),
        pos(body, '"gmv +"'),
        pos(body, "b + 1"),
        pos(body, '"__import__'),
    ]
    messages = [d.message for d in found]
    assert "metric 'roi': formula names unknown metric 'revenue'" in messages
    assert "metric 'roi': formula names unknown metric 'spend'" in messages
    assert (
        "metric 'bad': formula error at character 6: "
        "expected a name, a number or '(', got the end of the formula" in messages
    )
    assert "metric 'a': formulas form a cycle: a -> b -> a" in messages
    assert all(d.path is not None and d.path.endswith(".formula") for d in found)


def test_pp122_passes(tmp_path: Path) -> None:
    body = """
    metrics:
      gmv: {column: gmv}
      refunds: {column: refunds}
      spend: {column: spend}
      net: {formula: gmv - refunds}
      net_roi: {formula: (net) / spend}
    """
    assert codes(load(tmp_path, body)) == []


# --- PP123 ----------------------------------------------------------------------------


def test_pp123_baseline_past_the_target(tmp_path: Path) -> None:
    body = """
    metrics:
      conversion: {column: conversion, agg: mean, unit: percent}
      cost: {column: cost, unit: currency}
      gmv: {column: gmv}
    goals:
      conversion: {metric: conversion, baseline: 5%, at_least: 4%}
      cost: {metric: cost, baseline: 100万, at_most: 120万}
      same: {metric: conversion, baseline: 5%, at_least: 5%}
      zero: {metric: gmv, baseline: 0, growth: 30%}
    """
    loaded = load(tmp_path, body)
    found = [d for d in loaded.diagnostics if d.code == "PP123"]
    assert [(d.line, d.column) for d in found] == [
        pos(body, "4%"),
        pos(body, "120万"),
        pos(body, "5%}"),
        pos(body, "0, growth"),
    ]
    assert found[0].message == "goal 'conversion': baseline 5% already meets the at_least target 4%"
    assert found[1].message == (
        "goal 'cost': baseline 1,000,000 already meets the at_most target 1,200,000"
    )


@pytest.mark.parametrize(
    "goal",
    [
        "{metric: m, baseline: 4%, at_least: 5%}",
        "{metric: m, baseline: 20%, at_most: 18%}",
        "{metric: m, growth: -10%}",  # shrinking by at most 10% is a fine target
        "{metric: m, baseline: 40%, growth: -10%}",
        "{metric: m, baseline: X, at_least: 5%}",
    ],
)
def test_pp123_passes(tmp_path: Path, goal: str) -> None:
    body = f"metrics: {{m: {{column: m, unit: percent}}}}\ngoals: {{g: {goal}}}\n"
    assert [c for c in codes(load(tmp_path, body)) if c != "PP120"] == []


def test_pp123_event_ends_before_it_starts(tmp_path: Path) -> None:
    body = (
        "quarters:\n  Q2:\n    events:\n      - {name: 换季, start: 2025-05-10, end: 2025-05-01}\n"
    )
    found = only(load(tmp_path, body), "PP123")
    assert (found.line, found.column) == pos(body, "2025-05-01")
    assert found.message == "event '换季' ends (2025-05-01) before it starts (2025-05-10)"


# --- PP128 ----------------------------------------------------------------------------

UNPIVOTED_EXPR = """
actuals:
  grain: weekly
  unpivot:
    dimension: channel
    measures: {spend: "{channel}_S", reach: {tv: tv_I}}
metrics:
  spend: {column: spend}
  revenue: {column: revenue}
  spend2: {expr: spend * 2}
  per_reach: {expr: "revenue / (reach + spend)"}
  doubled: {expr: revenue * 2}
  roi: {formula: revenue / spend}
  broken: {expr: "spend *"}
"""


def test_pp128_an_expr_reading_an_unpivoted_measure_is_located_at_the_expr(
    tmp_path: Path,
) -> None:
    loaded = load(tmp_path, UNPIVOTED_EXPR)
    found = [d for d in loaded.diagnostics if d.code == "PP128"]
    assert [(d.code, d.severity, d.line, d.column, d.path) for d in found] == [
        ("PP128", "error", *pos(UNPIVOTED_EXPR, "spend * 2"), "metrics.spend2.expr"),
        ("PP128", "error", *pos(UNPIVOTED_EXPR, '"revenue / (reach'), "metrics.per_reach.expr"),
    ]
    # Line 12 under the 3 header lines; "  spend2: {expr: " is 17 characters.
    assert (found[0].line, found[0].column) == (12, 18)
    assert "'spend', which actuals.unpivot splits into one column per channel" in found[0].message
    assert "'reach', 'spend'" in found[1].message
    assert found[0].hint is not None
    assert "formula:" in found[0].hint
    # The expr that does not parse is PP122 alone; a formula over the measures is fine.
    assert [d.path for d in loaded.diagnostics if d.code == "PP122"] == ["metrics.broken.expr"]


def test_pp128_without_unpivot_an_expr_over_a_column_of_that_name_is_fine(tmp_path: Path) -> None:
    body = "metrics:\n  spend: {column: spend}\n  spend2: {expr: spend * 2}\n"
    assert "PP128" not in codes(load(tmp_path, body))


# --- PP004 ----------------------------------------------------------------------------


def test_pp004_bare_number_for_a_percentage(tmp_path: Path) -> None:
    body = """
    metrics:
      orders: {column: orders}
      new_orders: {column: new_orders}
      new_order_share: {formula: new_orders / orders, unit: percent}
    goals:
      share: {metric: new_order_share, at_least: 35}
      fine: {metric: new_order_share, at_least: 0.35}
      count: {metric: orders, at_least: 35}
    """
    found = only(load(tmp_path, body), "PP004")
    assert (found.line, found.column) == pos(body, "35}")
    assert (
        found.message == "goal 'share': 'new_order_share' is a percentage, so 35 would mean 3500%"
    )
    assert found.hint == "write 35% or 0.35"


def test_pp004_bare_number_for_a_growth_or_a_rise(tmp_path: Path) -> None:
    body = """
    metrics:
      gmv: {column: gmv}
    goals:
      g: {metric: gmv, growth: 30}
      fine: {metric: gmv, growth: 0.3}
      doubled: {metric: gmv, growth: 100%}
    alerts:
      jump: {metric: gmv, window: week, rise_over: 1.5}
      ok: {metric: gmv, window: week, rise_over: 1}
    """
    found = sorted(
        (d for d in load(tmp_path, body).diagnostics if d.code == "PP004"),
        key=lambda d: d.line or 0,
    )
    assert [(d.line, d.column) for d in found] == [pos(body, "30}"), pos(body, "1.5}")]
    assert [d.message for d in found] == [
        "goal 'g': growth is a fraction, so 30 would mean 3000%",
        "alert 'jump': rise_over is a fraction, so 1.5 would mean 150%",
    ]
    assert found[0].hint == "write 30% or 0.3"


UNITS_METRICS = """
    metrics:
      gmv: {column: gmv, unit: currency}
      orders: {column: orders, unit: count}
      uv: {column: uv}
      conversion: {formula: orders / uv, unit: percent}
      roi: {formula: gmv / orders, unit: ratio}
      nps: {column: nps, agg: mean, unit: number}
"""


@pytest.mark.parametrize(
    ("goal", "message"),
    [
        (
            "{metric: gmv, at_least: 50%}",
            "goal 'g': 'gmv' is an amount of money (unit: currency), so 50% is not a value of it",
        ),
        (
            "{metric: orders, at_most: 50%}",
            "goal 'g': 'orders' is a count (unit: count), so 50% is not a value of it",
        ),
        (
            '{metric: conversion, at_least: "1:3"}',
            "goal 'g': 'conversion' is a percentage (unit: percent), so \"1:3\" would mean 300%",
        ),
        (
            '{metric: orders, at_least: "1:3"}',
            "goal 'g': 'orders' is a count (unit: count), "
            'so "1:3" (a ratio) is not a value of it',
        ),
        (
            "{metric: orders, at_least: ¥500}",
            "goal 'g': 'orders' is a count (unit: count), so ¥500 (money) is not a value of it",
        ),
        (
            '{metric: gmv, at_least: "$5万"}',
            "goal 'g': $50,000 is not in the plan's currency (CNY, ¥)",
        ),
        (
            '{metric: gmv, baseline: "€5", at_least: ¥6}',
            "goal 'g': €5 is not in the plan's currency (CNY, ¥)",
        ),
    ],
)
def test_pp004_a_target_in_another_unit_than_its_metrics(
    tmp_path: Path, goal: str, message: str
) -> None:
    """at_least: 50% for GMV is a target of ¥0.50, met on the first day: refused."""
    body = UNITS_METRICS + f"    goals:\n      g: {goal}\n"
    found = only(load(tmp_path, body), "PP004")
    assert found.message == message
    assert found.line == pos(body, "g: {")[0]


def test_pp004_units_that_fit_their_metrics_pass(tmp_path: Path) -> None:
    body = (
        UNITS_METRICS
        + """
    goals:
      a: {metric: gmv, at_least: ¥5万}
      b: {metric: gmv, at_least: 5000万}
      c: {metric: conversion, at_least: 5%, baseline: 4%}
      d: {metric: conversion, at_least: "1:0.05"}
      e: {metric: roi, at_least: "1:3"}
      f: {metric: gmv, growth: 30%}
      g: {metric: orders, at_least: 1.2M}
      h: {metric: nps, at_least: 45}
    alerts:
      low_roi: {metric: roi, below: "1:3", action: cut}
      drop: {metric: gmv, window: week, drop_over: 20%, action: look}
    budget: {total: ¥2000万, lines: {a: 100%}}
    """
    )
    assert codes(load(tmp_path, body)) == []


def test_pp004_a_metric_without_a_unit_takes_any_but_another_currency(tmp_path: Path) -> None:
    """No unit written: "count" by default says nothing of what a formula is."""
    body = """
    metrics:
      gmv: {column: gmv}
      spend: {column: spend}
      roi: {formula: gmv / spend}
    goals:
      a: {metric: gmv, at_least: 50%}
      b: {metric: roi, at_least: "1:3"}
      c: {metric: gmv, at_least: "$5"}
    """
    (found,) = [d for d in load(tmp_path, body).diagnostics if d.code == "PP004"]
    assert found.path == "goals.c.at_least"


def test_pp004_an_alert_threshold_and_budget_amounts_in_another_unit(tmp_path: Path) -> None:
    body = (
        UNITS_METRICS
        + """
    alerts:
      low: {metric: gmv, below: 10%, action: look}
    budget: {total: $30M, lines: {a: {amount: $30M}}}
    """
    )
    found = [d for d in load(tmp_path, body).diagnostics if d.code == "PP004"]
    assert [(d.path, d.line) for d in found] == [
        ("alerts.low.below", pos(body, "10%")[0]),
        ("budget.total", pos(body, "$30M")[0]),
        ("budget.lines.a.amount", pos(body, "$30M")[0]),
    ]


def test_pp004_bare_numbers_for_shares_and_weights(tmp_path: Path) -> None:
    body = """
    budget: {lines: {a: 60, b: 40}}
    quarters:
      Q1: {weight: 25}
      Q2: {weight: 25}
      Q3: {weight: 25}
      Q4: {weight: 25}
    alerts:
      drop: {metric: m, drop_over: 20}
    metrics: {m: {column: m}}
    tolerance: 10
    """
    loaded = load(tmp_path, body)
    assert codes(loaded) == ["PP004"] * 8  # and no PP101/PP112 on top
    assert at(loaded, "PP004")[0] == pos(body, "60")


# --- PP141 ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("postgresql://reader:s3cret@db.internal/shop", "holds a password"),
        ("postgresql://reader:s3cret?x@db.internal/shop", "holds a password"),  # raw ?, not a port
        ("postgresql://reader:s3cret/x@db.internal/shop", "holds a password"),
        ("mysql://reader@db.internal/shop", "is not a source URL"),
        ("duckdb:///srv/shop.duckdb", "may not name a DuckDB file"),
        ("postgresql://db.internal/shop?sslkey=/home/ana/key.pem", "may not set sslkey"),
        ("postgresql://db.internal/shop?options=-c%20statement_timeout%3D0", "'options'"),
        ("postgresql://db.internal:99999/shop", "not a valid URL"),
        ("sc://spark.internal:15002/shop", "has no path"),
    ],
)
def test_pp141_a_source_no_run_can_read_is_an_error_at_its_url(
    tmp_path: Path, source: str, words: str
) -> None:
    body = f"actuals:\n  source: {source}\n  table: sales.daily\n"
    loaded = load(tmp_path, body)
    found = only(loaded, "PP141")
    assert found.severity == "error"
    assert (found.line, found.column) == pos(body, source)
    assert words in found.message
    assert "s3cret" not in found.message + (found.hint or "")


@pytest.mark.parametrize(
    ("source", "hint"),
    [
        ("postgresql://reader:s3cret@db.internal/shop", "change a password that was committed"),
        ("duckdb:///srv/shop.duckdb", "a path in it would have this machine read its files"),
        ("postgresql://db.internal/shop?passfile=/etc/passwd", "a path in it would have"),
    ],
)
def test_pp141_hints_at_what_was_found(tmp_path: Path, source: str, hint: str) -> None:
    """No "change a password" where no password was written."""
    body = f"actuals:\n  source: {source}\n  table: sales.daily\n"
    found = only(load(tmp_path, body), "PP141")
    assert hint in (found.hint or "")
    assert ("password" in (found.hint or "")) == ("s3cret" in source)


def test_pp141_no_table_anywhere(tmp_path: Path) -> None:
    body = "actuals:\n  source: postgresql://reader@db.internal/shop\n"
    assert "names no table" in only(load(tmp_path, body), "PP141").message
    assert "PP141" not in codes(load(tmp_path, body + "  table: sales.daily\n"))


def test_pp141_two_tables_in_the_plan(tmp_path: Path) -> None:
    """A plan naming the table in ?table= and in actuals.table read the URL's, silently."""
    source = "postgresql://reader@db.internal/shop?table=sales.t_num"
    body = f"actuals:\n  source: {source}\n  table: sales.t_dbl\n"
    found = only(load(tmp_path, body), "PP141")
    assert found.message == (
        f"actuals.source: {source!r} names the table sales.t_num, and actuals.table "
        "sales.t_dbl; name the table once"
    )
    assert found.path == "actuals.source"
    same = f"actuals:\n  source: {source}\n  table: sales.t_num\n"
    assert "PP141" not in codes(load(tmp_path, same))


@pytest.mark.parametrize(
    "source",
    [
        "postgresql://reader@db.internal:5432/shop",  # a remote host: the environment's to allow
        "postgresql://reader:${SHOP_PW}@db.internal/shop",  # unset here: read where check runs
        "postgres://127.0.0.1/shop?sslmode=require",
        "sc://spark.internal:15002",
    ],
)
def test_pp141_what_the_environment_decides_is_left_to_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str
) -> None:
    monkeypatch.delenv("SHOP_PW", raising=False)
    monkeypatch.delenv("PROMOPLAN_SOURCE_HOSTS", raising=False)
    body = f"actuals:\n  source: {source!r}\n  table: sales.daily\n"
    assert "PP141" not in codes(load(tmp_path, body))


# --- all checks -----------------------------------------------------------------------


def test_every_check_has_a_known_code_and_a_failing_example(tmp_path: Path) -> None:
    assert {check.code for check in CHECKS} >= {
        "PP101",
        "PP102",
        "PP103",
        "PP104",
        "PP110",
        "PP111",
        "PP112",
        "PP120",
        "PP121",
        "PP122",
        "PP123",
        "PP124",
        "PP125",
        "PP126",
        "PP127",
        "PP128",
        "PP140",
        "PP141",
    }
    for check in CHECKS:
        assert check.code in CODES
        doc = check.run.__doc__ or ""
        assert doc.startswith(
            check.code + (" (warning)" if CODES[check.code][0] == "warning" else ":")
        )
        example = textwrap.dedent(doc.split("::", 1)[1])
        loaded = load(tmp_path, example)
        assert check.code in codes(loaded), (check.code, loaded.diagnostics)


def test_problems_are_collected_not_stopped_at(tmp_path: Path) -> None:
    body = """
    metrics: {gmv: {column: gmv}, roi: {formula: gmv / spend}}
    goals: {a: {metric: nope, at_least: X}}
    budget: {lines: {a: 50%, b: {share: 50%, lines: {c: 10%}}}}
    channels: {x: zzz}
    quarters:
      Q1: {weight: 30%, end: 2025-03-20, events: [{name: "618"}]}
    """
    assert sorted(set(codes(load(tmp_path, body)))) == [
        "PP102",
        "PP104",
        "PP110",
        "PP111",
        "PP112",
        "PP120",
        "PP121",
        "PP122",
    ]


# --- hypothesis: checks never raise on a valid plan -----------------------------------

_ids = st.sampled_from(["gmv", "spend", "uv", "orders", "roi", "conv", "x", "traffic", "a.b"])
_quantity = st.one_of(
    st.integers(-5, 200),
    st.floats(-10, 1e9, allow_nan=False),
    st.sampled_from(
        ["35%", "0%", "-10%", "100%", "1:3", "0:3", "5000万", "X万", "TBD", "?", "1.2亿"]
    ),
)
_share = st.one_of(st.integers(0, 100).map(lambda n: f"{n}%"), st.floats(0, 1), _quantity)
_day = st.dates(dt.date(2018, 1, 1), dt.date(2042, 12, 31))
_formula = st.one_of(
    st.sampled_from(
        ["gmv / spend", "gmv - spend", "roi * 2", "conv + x", "gmv / 0", "(", "a +", "x"]
    ),
    st.text(max_size=12),
)
_event_name = st.sampled_from(
    ["618大促", "双11预售", "春节", "2038周年庆", "99", "38", "520", "Double 12", "年货节", ""]
)


def _line(depth: int) -> st.SearchStrategy[Any]:
    leaf = st.one_of(
        _share, st.fixed_dictionaries({}, optional={"share": _share, "amount": _quantity})
    )
    if depth >= 2:
        return leaf
    return st.one_of(
        leaf,
        st.fixed_dictionaries(
            {},
            optional={
                "share": _share,
                "amount": _quantity,
                "lines": st.dictionaries(_ids, _line(depth + 1), max_size=3),
            },
        ),
    )


_goal = st.fixed_dictionaries(
    {"metric": _ids},
    optional={"baseline": _quantity},
).flatmap(
    lambda goal: st.sampled_from(["at_least", "at_most", "growth"]).flatmap(
        lambda key: _quantity.map(lambda value: {**goal, key: value})
    )
)
_quarter = st.fixed_dictionaries(
    {},
    optional={
        "weight": _share,
        "start": _day,
        "end": _day,
        "events": st.lists(
            st.fixed_dictionaries({"name": _event_name}, optional={"start": _day, "end": _day}),
            max_size=3,
        ),
        "goals": st.dictionaries(_ids, _goal, max_size=2),
    },
)
_period = st.one_of(
    st.integers(2015, 2045),
    st.builds(lambda start, end: {"start": start, "end": end}, _day, _day),
)
_plans = st.fixed_dictionaries(
    {"promoplan": st.just(1), "name": st.just("p"), "period": _period},
    optional={
        "tolerance": _quantity,
        "metrics": st.dictionaries(
            _ids,
            st.one_of(
                st.fixed_dictionaries(
                    {"column": _ids}, optional={"unit": st.sampled_from(["percent", "currency"])}
                ),
                st.fixed_dictionaries({"formula": _formula}, optional={"unit": st.just("percent")}),
            ),
            max_size=5,
        ),
        "goals": st.dictionaries(_ids, _goal, max_size=3),
        "budget": st.fixed_dictionaries(
            {},
            optional={
                "total": _quantity,
                "spend_metric": _ids,
                "lines": st.dictionaries(_ids, _line(0), max_size=4),
            },
        ),
        "channels": st.dictionaries(_ids, _ids, max_size=3),
        "quarters": st.dictionaries(
            st.sampled_from(["Q1", "Q2", "Q3", "Q4"]), _quarter, max_size=4
        ),
        "alerts": st.dictionaries(
            _ids,
            st.fixed_dictionaries(
                {"metric": _ids, "below": _quantity},
                optional={"min": st.dictionaries(_ids, _quantity, max_size=2)},
            ),
            max_size=2,
        ),
        "report": st.fixed_dictionaries({"kpis": st.lists(_ids, max_size=3)}),
    },
)


@settings(max_examples=scaled(300))
@given(_plans)
def test_checks_never_raise_on_a_valid_plan(data: dict[str, Any]) -> None:
    try:
        plan = Plan.model_validate(data)
    except ValidationError:
        event("invalid plan")
        return
    event("valid plan")
    seen: list[tuple[str | int, ...]] = []

    def locate(path: tuple[str | int, ...]) -> tuple[int | None, int | None]:
        seen.append(path)
        return (len(path), 1)

    found = check_plan(plan, locate)
    assert len(seen) == len(found)
    for item in found:
        event(item.code)
        assert item.code in CODES
        assert item.severity == CODES[item.code][0]
        assert item.message
        assert "\n" not in item.message
        assert item.path
        assert not re.search(r"\b(nan|inf)%", item.message)  # no non-finite arithmetic shown


# --- the seed plan --------------------------------------------------------------------

SEED = Path(__file__).parents[1] / "plans" / "seed-2025.yaml"


@pytest.mark.skipif(not SEED.exists(), reason="plans/seed-2025.yaml is not in this checkout")
def test_seed_plan_reports_its_known_problems() -> None:
    text = SEED.read_text(encoding="utf-8").splitlines()

    def where(pattern: str) -> list[tuple[int, int]]:
        return [
            (number, match.start(1) + 1)
            for number, line in enumerate(text, 1)
            for match in re.finditer(pattern, line.split(" #")[0])
        ]

    loaded = load_plan(SEED)
    budget = text.index("budget:")
    lines_key = next(n for n in range(budget + 1, len(text)) if text[n].strip() == "lines:")
    assert at(loaded, "PP101") == [(lines_key + 1, 3)]
    assert only(loaded, "PP101").message == "budget shares sum to 90%, not 100%"
    assert at(loaded, "PP111") == where(r"name: (618大促)")
    placeholders = where(r": (X[万亿%]?)(?=[,}\s]|$)")
    assert len(placeholders) >= 4
    assert at(loaded, "PP120") == placeholders
    assert sorted(set(codes(loaded))) == ["PP101", "PP111", "PP120"]


# --- PP129 ----------------------------------------------------------------------------


def test_pp129_an_unknown_code_in_ignore_is_a_warning_at_it(tmp_path: Path) -> None:
    body = "ignore: [PA0111, pp120, ZZZ]\n"
    loaded = load(tmp_path, body)
    found = [d for d in loaded.diagnostics if d.code == "PP129"]
    assert [(d.severity, d.line, d.column) for d in found] == [
        ("warning", *pos(body, "PA0111")),
        ("warning", *pos(body, "ZZZ")),
    ]
    assert found[0].message == (
        "ignore lists PA0111, which is no promoplan diagnostic code; it silences nothing"
    )
    assert found[0].hint == "did you mean PA011?"
    assert "PP129" not in codes(load(tmp_path, "ignore: [PA011, pp120]\n"))  # any case


# --- PP131 ----------------------------------------------------------------------------


def test_pp131_a_by_or_where_spelt_like_a_declared_dimension(tmp_path: Path) -> None:
    body = """
    actuals:
      dimensions: {channel: channel, region: 大区}
    metrics:
      gmv: {column: gmv}
      north: {column: gmv, where: {regoin: north}}
    goals:
      g: {metric: gmv, at_least: 100, where: {chanel: douyin}}
    alerts:
      low: {metric: gmv, below: 10, by: Channel}
      store: {metric: gmv, below: 10, by: store_id}
    """
    found = sorted(
        (d for d in load(tmp_path, body).diagnostics if d.code == "PP131"),
        key=lambda d: d.line or 0,
    )
    # store_id is like no declared dimension: a column of its own name, no warning.
    assert [(d.line, d.column, d.severity) for d in found] == [
        (*pos(body, "regoin"), "warning"),
        (*pos(body, "chanel"), "warning"),
        (*pos(body, "Channel"), "warning"),
    ]
    assert found[0].message == (
        "metric 'north' names dimension 'regoin', which actuals.dimensions does not "
        "declare, so it reads a column 'regoin'; did you mean 'region'?"
    )
    assert [d.path for d in found] == [
        "metrics.north.where.regoin",
        "goals.g.where.chanel",
        "alerts.low.by",
    ]


def test_pp131_not_without_declared_dimensions(tmp_path: Path) -> None:
    body = """
    metrics:
      gmv: {column: gmv}
    alerts:
      low: {metric: gmv, below: 10, by: chanel}
    """
    assert "PP131" not in codes(load(tmp_path, body))
