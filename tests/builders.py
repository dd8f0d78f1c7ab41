"""Result objects for the renderer tests, shaped like the example plan at the end of June 2025.

Plain functions: each returns one plausible value and takes keywords that
override any field of it, so a test states only what it is about.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from promoplan.diagnostics import Diagnostic, diagnostic
from promoplan.result import (
    AlertResult,
    BudgetRow,
    GoalProgress,
    Kpi,
    PlanResult,
    ReportData,
    Run,
    Window,
)

D = dt.date
PLAN_FILE = "plans/ecommerce-2025.yaml"
NAME = "电商平台运营年度推广计划"
PERIOD = (D(2025, 1, 1), D(2025, 12, 31))
AS_OF = D(2025, 6, 29)
YTD = Window("ytd", D(2025, 1, 1), AS_OF)
WEEK = Window("2025-W26", D(2025, 6, 23), AS_OF)
PREVIOUS_WEEK = Window("2025-W25", D(2025, 6, 16), D(2025, 6, 22))


# --- goals ----------------------------------------------------------------------------


def goal(**overrides: object) -> GoalProgress:
    """GMV growth, at risk: +28% against +30%. ``expected`` is the target unless given."""
    fields: dict[str, object] = {
        "id": "gmv_growth",
        "label": "GMV 同比增长",
        "metric": "gmv",
        "scope": "period",
        "direction": "at_least",
        "kind": "growth",
        "unit": "currency",
        "target": 0.30,
        "actual": 0.28,
        "baseline": 61_000_000.0,
        "progress": 0.9333,
        "projection": None,
        "status": "at_risk",
    }
    fields.update(overrides)
    fields.setdefault("expected", fields["target"])
    return GoalProgress(**fields)  # type: ignore[arg-type]


def unset_goal(**overrides: object) -> GoalProgress:
    """New users, whose target is still the placeholder ``X万``."""
    fields: dict[str, object] = {
        "id": "new_users",
        "label": "新注册用户",
        "metric": "new_users",
        "kind": "cumulative",
        "unit": "count",
        "target": None,
        "actual": 1_234_567.0,
        "baseline": None,
        "progress": None,
        "status": "unset",
        "target_text": "X万",
    }
    fields.update(overrides)
    return goal(**fields)


def quarter_goal(**overrides: object) -> GoalProgress:
    """A Q1 goal, met: 52,311 WeCom adds against 50,000."""
    fields: dict[str, object] = {
        "id": "Q1.wecom_adds",
        "label": "wecom_adds",
        "metric": "wecom_adds",
        "scope": "Q1",
        "kind": "cumulative",
        "unit": "count",
        "target": 50_000,
        "actual": 52_311,
        "baseline": None,
        "progress": 1.046,
        "status": "met",
    }
    fields.update(overrides)
    return goal(**fields)


# --- budget ---------------------------------------------------------------------------


def budget_row(**overrides: object) -> BudgetRow:
    """``traffic.public``, a sub-line on track: 810万 spent of 1,500万."""
    fields: dict[str, object] = {
        "line": "traffic.public",
        "label": "公域",
        "depth": 1,
        "share": 0.30,
        "planned": 15_000_000.0,
        "spent": 8_100_000.0,
        "expected": 7_400_000.0,
        "remaining": 6_900_000.0,
        "status": "on_track",
        "used": 0.54,
    }
    fields.update(overrides)
    return BudgetRow(**fields)  # type: ignore[arg-type]


def parent_row(**overrides: object) -> BudgetRow:
    """``traffic``, a top-level line with sub-lines, on track: 910万 spent of 2,000万."""
    fields: dict[str, object] = {
        "line": "traffic",
        "label": "流量投放 traffic",
        "depth": 0,
        "share": 0.40,
        "planned": 2e7,
        "spent": 9.1e6,
        "expected": 9.9e6,
        "remaining": 1.09e7,
        "used": 0.455,
    }
    fields.update(overrides)
    return budget_row(**fields)


def over_budget_row(**overrides: object) -> BudgetRow:
    """``influencers``, over budget: 800万 spent of 750万."""
    fields: dict[str, object] = {
        "line": "influencers",
        "label": "达人 influencers",
        "depth": 0,
        "share": 0.15,
        "planned": 7.5e6,
        "spent": 8.0e6,
        "expected": 3.7e6,
        "remaining": -5e5,
        "status": "over_budget",
        "used": 1.067,
    }
    fields.update(overrides)
    return budget_row(**fields)


def unmapped_row(**overrides: object) -> BudgetRow:
    """``<unmapped>``: spend that no budget line claims."""
    fields: dict[str, object] = {
        "line": "<unmapped>",
        "label": "<unmapped>",
        "depth": 0,
        "share": None,
        "planned": None,
        "spent": 3.2e5,
        "expected": None,
        "remaining": None,
        "status": "no_data",
        "used": None,
    }
    fields.update(overrides)
    return budget_row(**fields)


# --- alerts ---------------------------------------------------------------------------


def alert(channel: str = "kuaishou", **overrides: object) -> AlertResult:
    """``low_roi`` firing for one channel in Q2: ROI 1:2.4 below 1:3."""
    fields: dict[str, object] = {
        "rule": "low_roi",
        "label": "ROI 低于 1:3",
        "severity": "error",
        "metric": "roi",
        "unit": "ratio",
        "value": 2.4,
        "threshold": 3.0,
        "condition": "below",
        "group": (("channel", channel),),
        "window": "2025-Q2",
        "action": "缩减投放 (cut this channel's spend)",
    }
    fields.update(overrides)
    return AlertResult(**fields)  # type: ignore[arg-type]


def drop_alert(**overrides: object) -> AlertResult:
    """``traffic_drop``, a warning without a group: UV down 25% in a week (more than 20%)."""
    fields: dict[str, object] = {
        "rule": "traffic_drop",
        "label": "traffic_drop",
        "severity": "warning",
        "metric": "uv",
        "unit": "count",
        "value": 0.25,
        "threshold": 0.2,
        "condition": "drop_over",
        "group": (),
        "window": "2025-W26",
        "action": "启动备用渠道 (switch on backup channels)",
    }
    fields.update(overrides)
    return alert(**fields)  # type: ignore[arg-type]  # AlertResult fields, checked there


def budget_alert(**overrides: object) -> AlertResult:
    """The budget alert for ``influencers``: 800万 spent, over 750万."""
    fields: dict[str, object] = {
        "rule": "budget",
        "label": "budget",
        "metric": "spend",
        "unit": "currency",
        "value": 8.0e6,
        "threshold": 7.5e6,
        "condition": "over_budget",
        "group": (("line", "influencers"),),
        "window": "ytd",
        "action": None,
    }
    fields.update(overrides)
    return alert(**fields)  # type: ignore[arg-type]  # AlertResult fields, checked there


# --- diagnostics ----------------------------------------------------------------------


def shares_diagnostic(**overrides: object) -> Diagnostic:
    """PP101 at the budget lines: shares that sum to 90%."""
    fields: dict[str, object] = {
        "file": PLAN_FILE,
        "line": 41,
        "column": 3,
        "path": "budget.lines",
        "hint": None,
    }
    fields.update(overrides)
    return diagnostic("PP101", "budget shares sum to 90%, not 100%", **fields)  # type: ignore[arg-type]


def seed_diagnostics(channel: str = "kuaishou") -> tuple[Diagnostic, ...]:
    """A placeholder target (PP120) and a channel no budget line claims (PA011)."""
    return (
        diagnostic("PP120", "target not set (X万)", file=PLAN_FILE, line=31, column=20,
                   path="goals.new_users.at_least", hint="write the number once it is agreed"),
        diagnostic("PA011", f"channel {channel} is not mapped to a budget line",
                   file="data/2025.csv", line=2, column=2),
    )  # fmt: skip


# --- report, plan, run ----------------------------------------------------------------


def kpi(**overrides: object) -> Kpi:
    """GMV this week against last week: ¥1.23亿, up 11.8%."""
    fields: dict[str, object] = {
        "metric": "gmv",
        "label": "GMV",
        "unit": "currency",
        "value": 1.23e8,
        "previous": 1.1e8,
        "change": 0.118,
    }
    fields.update(overrides)
    return Kpi(**fields)  # type: ignore[arg-type]


def report_data(**overrides: object) -> ReportData:
    """A weekly report for 2025-W26 with one headline KPI (:func:`kpi`)."""
    fields: dict[str, object] = {
        "kind": "week",
        "window": WEEK,
        "previous": PREVIOUS_WEEK,
        "kpis": (kpi(),),
    }
    fields.update(overrides)
    return ReportData(**fields)  # type: ignore[arg-type]


def plan_result(**overrides: object) -> PlanResult:
    """The example plan's file, name and period; nothing evaluated unless given."""
    fields: dict[str, object] = {"file": PLAN_FILE, "name": NAME, "period": PERIOD}
    fields.update(overrides)
    return PlanResult(**fields)  # type: ignore[arg-type]


def evaluated_plan(**overrides: object) -> PlanResult:
    """:func:`plan_result` as of 2025-06-29 over the year to date."""
    fields: dict[str, object] = {"as_of": AS_OF, "window": YTD}
    fields.update(overrides)
    return plan_result(**fields)


def run(*plans: PlanResult, command: str = "check") -> Run:
    """A run of ``command`` over ``plans``."""
    return Run(command, plans)  # type: ignore[arg-type]


# --- the seed plan whole, as the terminal renderer's tests render it -----------------


def level_goal(id: str, label: str, **extra: object) -> GoalProgress:
    """A level goal on a percent metric, off track (31.2% of 35%); keywords override any field."""
    fields: dict[str, object] = {
        "id": id,
        "label": label,
        "metric": id,
        "kind": "level",
        "unit": "percent",
        "target": 0.35,
        "actual": 0.312,
        "baseline": None,
        "progress": 0.8914,
        "status": "off_track",
    }
    fields.update(extra)
    return goal(**fields)


def build_plan(name: str | None = NAME, channel: str = "kuaishou", **extra: object) -> PlanResult:
    """The seed plan at the end of June: goals, a two-level budget, three alerts, two findings."""
    goals = (
        goal(metric="gmv_growth"),
        level_goal("new_order_share", "新客订单占比 new-customer order share (of all orders, ytd)"),
        level_goal("expense_ratio", "营销费用率", target=0.18, actual=0.162, progress=1.111,
             status="met", direction="at_most"),
        unset_goal(),
        level_goal("nps", "用户净推荐值 NPS", unit="number", target=45, actual=41.5,
             progress=0.922, status="at_risk"),
        level_goal("ugc_posts", "ugc_posts", kind="cumulative", unit="count", target=100,
             actual=112, progress=1.12, status="met",
             window=Window("2025-05", D(2025, 5, 1), D(2025, 5, 31))),
        quarter_goal(metric="Q1.wecom_adds"),
        level_goal("Q3.gmv", "gmv", kind="cumulative", unit="currency", target=1.2e9, actual=None,
             progress=None, status="pending", scope="Q3"),
    )  # fmt: skip
    budget = (
        parent_row(),
        budget_row(label="公域 public"),
        unmapped_row(),
        BudgetRow("traffic.private", "私域 private", 1, 0.10, 5e6, 1e6, 2.5e6, 4e6, "on_track",
                  used=0.2),
        over_budget_row(),
    )  # fmt: skip
    fields: dict[str, object] = {
        "name": name,
        "diagnostics": seed_diagnostics(channel),
        "goals": goals,
        "budget": budget,
        "alerts": (alert(channel), drop_alert(), budget_alert()),
    }
    fields.update(extra)
    return evaluated_plan(**fields)


def check_run(**extra: Any) -> Run:
    """A ``check`` run of one plan built by :func:`build_plan`."""
    return Run("check", (build_plan(**extra),))
