"""Expectations against an evaluation: the pure core of ``promoplan test``.

An expected alert matches an actual one on the fields it names (numbers within
the tolerance, relative); expectations and alerts are paired by a maximum
matching, so ``[{rule: low_roi}, {rule: low_roi, group: {channel: douyin}}]``
finds two alerts whatever their order. Goals and budget lines are looked up
by id and compared field by field.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from promoplan.budgetrows import BUDGET_RULE
from promoplan.diagnostics import Locate
from promoplan.model import Plan
from promoplan.plantest.model import Case, ExpectedAlert, ExpectedBudget, ExpectedGoal
from promoplan.plantest.result import AlertCheck, FieldValue, Quiet, ValueCheck
from promoplan.result import AlertResult, BudgetRow, GoalProgress, PlanResult
from promoplan.vocabulary import Unit

DEFAULT_TOLERANCE = 1e-9

# Why a rule stayed quiet for a group: (rule, group) -> the numbers it looked at.
Explain = Callable[[str, tuple[tuple[str, str], ...] | None], Quiet | None]

_NUMERIC_ALERT_FIELDS = frozenset({"value", "threshold"})
Subject = Literal["goal", "budget"]


@dataclass(frozen=True)
class Comparison:
    """What :func:`compare_case` found: alert rows, value checks and other failures."""

    rules: tuple[str, ...]
    alerts: tuple[AlertCheck, ...]
    values: tuple[ValueCheck, ...]
    problems: tuple[str, ...]

    @property
    def passed(self) -> bool:
        """True when nothing is missing, unexpected, different or unknown."""
        return (
            not self.problems
            and all(v.ok for v in self.values)
            and all(a.kind in ("matched", "also_firing") for a in self.alerts)
        )


def close(expected: float, actual: float | None, tolerance: float) -> bool:
    """``actual`` equals ``expected`` within ``tolerance``, relative to the larger of the two."""
    if actual is None:
        return False
    if expected == actual:
        return True
    return abs(actual - expected) <= tolerance * max(abs(expected), abs(actual))


def compare_case(
    case: Case,
    index: int,
    result: PlanResult,
    plan: Plan,
    *,
    tolerance: float,
    locate: Locate,
    explain: Explain,
) -> Comparison:
    """Compare test ``index`` (``case``) with the evaluation ``result`` of ``plan``."""
    problems: list[str] = []
    rules = _rules_under_test(case, plan, problems)
    alerts: list[AlertCheck] = []
    if case.expect_alerts is not None:
        alerts = _compare_alerts(
            case, index, result, rules=rules, tolerance=tolerance, locate=locate, explain=explain
        )
    values = [
        *_compare_goals(
            case, index, result.goals, tolerance=tolerance, locate=locate, problems=problems
        ),
        *_compare_budget(
            case, index, result.budget, tolerance=tolerance, locate=locate, problems=problems
        ),
    ]
    return Comparison(tuple(rules), tuple(alerts), tuple(values), tuple(problems))


def _known_rules(plan: Plan) -> list[str]:
    return [*plan.alerts, *([BUDGET_RULE] if plan.budget is not None else [])]


def _rules_under_test(case: Case, plan: Plan, problems: list[str]) -> list[str]:
    """``rules:``, else the rules the expectations name, else every rule of the plan."""
    known = _known_rules(plan)
    named = [e.rule for e in case.expect_alerts or () if e.rule is not None]
    if case.rules is not None:
        rules = list(dict.fromkeys(case.rules))
        outside = [rule for rule in dict.fromkeys(named) if rule not in rules]
        problems.extend(
            f"an expected alert names rule {rule!r}, which is not under test "
            f"(rules: [{', '.join(rules)}])"
            for rule in outside
        )
    elif case.expect_alerts and len(named) == len(case.expect_alerts):
        rules = list(dict.fromkeys(named))
    else:
        return known
    for rule in rules:
        if rule not in known:
            problems.append(f"the plan has no alert rule {rule!r}{_did_you_mean(rule, known)}")
    return rules


def _did_you_mean(word: str, choices: Sequence[str]) -> str:
    close_words = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if close_words:
        return f"; did you mean {close_words[0]!r}?"
    if choices:
        return f" (it has: {', '.join(choices[:12])}{', ...' if len(choices) > 12 else ''})"
    return " (it has none)"


# --- alerts ----------------------------------------------------------------------------


def expected_fields(expected: ExpectedAlert) -> tuple[tuple[str, FieldValue], ...]:
    """The fields an expectation names, in the model's order; a group as sorted pairs."""
    named: list[tuple[str, FieldValue]] = []
    for name in type(expected).model_fields:
        if name not in expected.model_fields_set:
            continue
        value = getattr(expected, name)
        if name == "group" and value is not None:
            value = tuple(sorted((str(k), str(v)) for k, v in value.items()))
        named.append((name, value))
    return tuple(named)


def actual_field(alert: AlertResult, name: str) -> FieldValue:
    """An alert's field by the name an expectation uses."""
    if name == "group":
        return tuple(sorted(alert.group))
    value: FieldValue = getattr(alert, name)
    return value


def _field_matches(name: str, expected: FieldValue, actual: FieldValue, tolerance: float) -> bool:
    if name in _NUMERIC_ALERT_FIELDS and isinstance(expected, float):
        return isinstance(actual, float) and close(expected, actual, tolerance)
    if name == "window" and isinstance(expected, str) and isinstance(actual, str):
        # Over weekly or monthly rows the window carries the dates summed after its label
        # ("2025-Q2 (2025-03-31..2025-06-29, 13 weeks)"): the label alone matches too.
        return actual == expected or actual.startswith(f"{expected} (")
    return expected == actual


def _differing(
    fields: tuple[tuple[str, FieldValue], ...], alert: AlertResult, tolerance: float
) -> tuple[str, ...]:
    return tuple(
        name
        for name, value in fields
        if not _field_matches(name, value, actual_field(alert, name), tolerance)
    )


def _max_matching(edges: list[list[int]], right: int) -> list[int | None]:
    """Kuhn's augmenting paths: for each left node, its right node or None (few nodes)."""
    owner: list[int | None] = [None] * right

    def augment(left: int, seen: set[int]) -> bool:
        for node in edges[left]:
            if node in seen:
                continue
            seen.add(node)
            held = owner[node]
            if held is None or augment(held, seen):
                owner[node] = left
                return True
        return False

    for start in range(len(edges)):
        augment(start, set())
    pairs: list[int | None] = [None] * len(edges)
    for node, holder in enumerate(owner):
        if holder is not None:
            pairs[holder] = node
    return pairs


def _compare_alerts(
    case: Case,
    index: int,
    result: PlanResult,
    *,
    rules: list[str],
    tolerance: float,
    locate: Locate,
    explain: Explain,
) -> list[AlertCheck]:
    expectations = [expected_fields(e) for e in case.expect_alerts or ()]
    candidates = [a for a in result.alerts if a.rule in rules]
    edges = [
        [n for n, alert in enumerate(candidates) if not _differing(fields, alert, tolerance)]
        for fields in expectations
    ]
    pairs = _max_matching(edges, len(candidates))
    used = {n for n in pairs if n is not None}
    rows: list[AlertCheck] = []
    for number, (fields, paired) in enumerate(zip(expectations, pairs, strict=True)):
        line, column = locate(("tests", index, "expect_alerts", number))
        if paired is not None:
            rows.append(AlertCheck("matched", fields, candidates[paired], line=line, column=column))
            continue
        near = _nearest(fields, candidates, used, tolerance)
        if near is not None:
            used.add(near)
            alert = candidates[near]
            differing = _differing(fields, alert, tolerance)
            rows.append(AlertCheck("missing", fields, alert, differing, line=line, column=column))
            continue
        named = dict(fields)
        rule = named.get("rule")
        if rule is None and len(rules) == 1:
            rule = rules[0]
        group = named.get("group")
        quiet = (
            explain(rule, group if isinstance(group, tuple) else None)
            if isinstance(rule, str)
            else None
        )
        rows.append(AlertCheck("missing", fields, None, quiet=quiet, line=line, column=column))
    forbid = case.strict or not expectations
    for number, alert in enumerate(candidates):
        if number not in used:
            rows.append(AlertCheck("unexpected" if forbid else "also_firing", None, alert))
    return rows


def _nearest(
    fields: tuple[tuple[str, FieldValue], ...],
    candidates: list[AlertResult],
    used: set[int],
    tolerance: float,
) -> int | None:
    """The unused alert of the expectation's rule (and group, when named) closest to it."""
    named = dict(fields)
    best: tuple[int, int] | None = None
    for number, alert in enumerate(candidates):
        if number in used:
            continue
        if "rule" in named and named["rule"] != alert.rule:
            continue
        if "group" in named and named["group"] != actual_field(alert, "group"):
            continue
        agreeing = len(fields) - len(_differing(fields, alert, tolerance))
        if best is None or agreeing > best[0]:
            best = (agreeing, number)
    return None if best is None else best[1]


# --- goals and budget ------------------------------------------------------------------


def _compare_goals(
    case: Case,
    index: int,
    goals: Sequence[GoalProgress],
    *,
    tolerance: float,
    locate: Locate,
    problems: list[str],
) -> list[ValueCheck]:
    by_id = {goal.id: goal for goal in goals}
    checks: list[ValueCheck] = []
    for goal_id, wanted in (case.expect_goals or {}).items():
        goal = by_id.get(goal_id)
        if goal is None:
            problems.append(
                f"the plan has no goal {goal_id!r}{_did_you_mean(goal_id, list(by_id))}"
            )
            continue
        line, column = locate(("tests", index, "expect_goals", goal_id))
        expected = ExpectedGoal(status=wanted) if isinstance(wanted, str) else wanted
        for name in type(expected).model_fields:
            if name not in expected.model_fields_set:
                continue
            actual = getattr(goal, name)
            checks.append(
                _value_check(
                    ("goal", goal_id, name),
                    getattr(expected, name),
                    actual,
                    tolerance=tolerance,
                    unit=goal.unit,
                    where=(line, column),
                    growth=goal.kind == "growth" and name in ("target", "actual", "expected"),
                )
            )
    return checks


def _compare_budget(
    case: Case,
    index: int,
    rows: Sequence[BudgetRow],
    *,
    tolerance: float,
    locate: Locate,
    problems: list[str],
) -> list[ValueCheck]:
    by_line = {row.line: row for row in rows}
    checks: list[ValueCheck] = []
    for line_id, wanted in (case.expect_budget or {}).items():
        row = by_line.get(line_id)
        if row is None:
            problems.append(
                f"the budget has no line {line_id!r}{_did_you_mean(line_id, list(by_line))}"
            )
            continue
        line, column = locate(("tests", index, "expect_budget", line_id))
        expected = ExpectedBudget(status=wanted) if isinstance(wanted, str) else wanted
        for name in type(expected).model_fields:
            if name not in expected.model_fields_set:
                continue
            unit: Unit = "percent" if name in ("share", "used", "spent_share") else "currency"
            checks.append(
                _value_check(
                    ("budget", line_id, name),
                    getattr(expected, name),
                    getattr(row, name),
                    tolerance=tolerance,
                    unit=unit,
                    where=(line, column),
                )
            )
    return checks


def _value_check(
    what: tuple[Subject, str, str],
    expected: float | str | None,
    actual: float | str | None,
    *,
    tolerance: float,
    unit: Unit,
    where: tuple[int | None, int | None],
    growth: bool = False,
) -> ValueCheck:
    """One field of a goal or budget line: ``what`` is (subject, id, field)."""
    subject, item, name = what
    if isinstance(expected, float):
        ok = isinstance(actual, float) and close(expected, actual, tolerance)
    else:
        ok = expected == actual
    return ValueCheck(
        subject, item, name, expected, actual, ok, unit, growth, line=where[0], column=where[1]
    )
