"""The words the plan, the evaluation and the renderers share, each defined once.

A ``Literal`` here is the whole set of values a field may take; the plan model,
the results and the renderers import it rather than spelling it again.
"""

from __future__ import annotations

from typing import Literal

Severity = Literal["error", "warning", "info"]
Unit = Literal["count", "number", "currency", "percent", "ratio"]
Direction = Literal["at_least", "at_most"]
GoalKind = Literal["cumulative", "level", "growth"]
GoalStatus = Literal[
    "met", "on_track", "at_risk", "off_track", "missed", "unset", "no_data", "pending"
]
BudgetStatus = Literal["on_track", "ahead", "behind", "over_budget", "unmapped", "no_data"]
# The conditions of the built-in budget rule's alerts (the others are a rule's Condition).
BudgetCondition = Literal["over_budget", "ahead", "behind", "unmapped"]
Condition = Literal["below", "above", "drop_over", "rise_over"]
ReportKind = Literal["week", "month", "quarter"]
# A KPI change: value / previous - 1 (relative), or value - previous for rates (points).
ChangeKind = Literal["relative", "points"]
Units = Literal["cn", "intl"]
Grain = Literal["daily", "weekly", "monthly", "rows"]
LayoutName = Literal["wide", "long"]  # one column per number, or one row per number
WeekStart = Literal["monday", "sunday"]
Agg = Literal["sum", "count", "mean", "min", "max", "last"]
Per = Literal["day", "week", "month", "quarter"]
RuleWindow = Literal["week", "month", "quarter", "period"]
QuarterName = Literal["Q1", "Q2", "Q3", "Q4"]
RunStatus = Literal["pass", "warn", "fail"]
Command = Literal["validate", "check", "report"]
NotifyKind = Literal["wecom", "dingtalk", "feishu", "slack", "webhook"]
NotifyWhen = Literal["always", "alerts", "errors"]
NotifyBody = Literal["summary", "report"]


def default_units(currency: str) -> Units:
    """A plan's units when it names none: 万/亿 for yuan (``cn``), k/M/B for the rest (``intl``)."""
    return "cn" if currency.strip().upper() in ("CNY", "RMB") else "intl"


UNMAPPED = "<unmapped>"  # the budget row for spend that no line claims
# Test files of `promoplan test`; `validate DIR` leaves them out, they are not plans.
TEST_FILE_SUFFIXES = (".test.yaml", ".test.yml")
