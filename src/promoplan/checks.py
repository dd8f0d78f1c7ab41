"""Semantic plan checks (SPEC section 6, PP1xx): consistency the schema cannot express.

Each check is a small function in :data:`CHECKS` with its code and a docstring
holding a failing example. A check takes a schema-valid :class:`Plan` and
yields :class:`Finding` values (code, message, key path, hint);
:func:`check_plan` runs them all, never stopping at the first problem, and
turns each finding into a located :class:`Diagnostic`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from pydantic import BaseModel

from promoplan.diagnostics import Diagnostic, Locate, diagnostic, dotted
from promoplan.festivals import find_festival
from promoplan.formula import metric_order
from promoplan.model import QUARTER_NAMES, AlertRule, BudgetLine, Goal, Plan, Quarter
from promoplan.quantity import Placeholder, Quantity

Path = tuple[str | int, ...]

# Shares are written as percentages with a few decimals; this only absorbs float error.
SHARE_TOLERANCE = 1e-6
# Amounts agree when they differ by less than a millionth of the total (or a cent).
AMOUNT_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Finding:
    """A problem a check found, before it is given a line and column."""

    code: str
    message: str
    path: Path
    hint: str | None = None


CheckFunction = Callable[[Plan], Iterator[Finding]]


@dataclass(frozen=True)
class Check:
    """A semantic check: its diagnostic code and the function that runs it."""

    code: str
    run: CheckFunction


def check_plan(plan: Plan, locate: Locate) -> list[Diagnostic]:
    """Run every check on ``plan`` and return all its diagnostics, located with ``locate``."""
    found: list[Diagnostic] = []
    for check in CHECKS:
        for finding in check.run(plan):
            line, column = locate(finding.path)
            found.append(
                diagnostic(
                    finding.code,
                    finding.message,
                    line=line,
                    column=column,
                    path=dotted(finding.path),
                    hint=finding.hint,
                )
            )
    return sorted(found, key=Diagnostic.sort_key)


# --- small shared pieces --------------------------------------------------------------


def _number(value: Quantity | Placeholder | None) -> float | None:
    """The value of a quantity; None for a placeholder or nothing."""
    return value.value if isinstance(value, Quantity) else None


def _pct(fraction: float) -> str:
    """``0.9`` -> ``90%``, ``0.3333`` -> ``33.33%``."""
    text = f"{fraction * 100:.2f}".rstrip("0").rstrip(".")
    return ("0" if text == "-0" else text) + "%"


def _plain(value: float) -> str:
    """An exact-looking amount: ``15,000,000``, ``1,234.5``."""
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _bare_fraction(value: Quantity | Placeholder | None) -> bool:
    """A bare number above 1 where a fraction is meant (``share: 15``)."""
    return isinstance(value, Quantity) and value.kind == "number" and abs(value.value) > 1


def _did_you_mean(name: str, known: list[str]) -> str | None:
    close = difflib.get_close_matches(name, known, n=1)
    return f"did you mean {close[0]!r}?" if close else None


def _span(start: dt.date, end: dt.date) -> str:
    return f"{start.isoformat()} to {end.isoformat()}"


def _all_goals(plan: Plan) -> Iterator[tuple[str, Path, Goal]]:
    """Period goals, then quarter goals: (id as shown, key path, goal)."""
    for goal_id, goal in plan.goals.items():
        yield goal_id, ("goals", goal_id), goal
    for quarter_name, quarter in plan.quarters.items():
        for goal_id, goal in quarter.goals.items():
            yield f"{quarter_name}.{goal_id}", ("quarters", quarter_name, "goals", goal_id), goal


def _budget_lines(
    lines: Mapping[str, BudgetLine], path: Path, prefix: str = ""
) -> Iterator[tuple[str, Path, BudgetLine]]:
    """Every budget line, depth first: (dotted id, key path, line)."""
    for name, line in lines.items():
        line_id = f"{prefix}{name}"
        line_path = (*path, name)
        yield line_id, line_path, line
        yield from _budget_lines(line.lines, (*line_path, "lines"), f"{line_id}.")


def _total(plan: Plan) -> float | None:
    total = _number(plan.budget.total) if plan.budget else None
    return total if total is not None and total > 0 else None


def _is_empty_line(line: BudgetLine) -> bool:
    return line.share is None and line.amount is None and not line.lines


def _share_of(line: BudgetLine, total: float | None) -> float | None:
    """A line's share of the total: its share, else amount / total, else its sub-lines' sum."""
    if line.share is not None:
        return None if _bare_fraction(line.share) else _number(line.share)
    if line.amount is not None:
        amount = _number(line.amount)
        return amount / total if amount is not None and total else None
    if line.lines:
        parts = [_share_of(sub, total) for sub in line.lines.values()]
        return None if any(part is None for part in parts) else math.fsum(parts)  # type: ignore[arg-type]  # None ruled out
    return None


def _metric_unit(plan: Plan, metric: str) -> str | None:
    found = plan.metrics.get(metric)
    return found.unit if found else None


# --- budget ---------------------------------------------------------------------------


def check_budget_shares(plan: Plan) -> Iterator[Finding]:
    """PP101: the top-level budget shares sum to 100%.

    Fails (90%)::

        budget:
          lines: {traffic: 40%, content: 20%, influencers: 15%, tech: 10%, reserve: 5%}
    """
    if plan.budget is None or not plan.budget.lines:
        return
    lines = plan.budget.lines
    for name, line in lines.items():
        yield from _line_problems("PP101", name, ("budget", "lines", name), line)
    if not any(line.share is not None for line in lines.values()):
        return  # amounts only: PP103 compares them with the total
    total = _total(plan)
    shares = [_share_of(line, total) for line in lines.values()]
    if any(share is None for share in shares):
        return  # a placeholder, a bare number (PP004) or an amount without a total
    summed = math.fsum(shares)  # type: ignore[arg-type]  # None ruled out
    if abs(summed - 1) <= SHARE_TOLERANCE:
        return
    hint = (
        f"add the missing {_pct(1 - summed)} to a line"
        if summed < 1
        else f"take {_pct(summed - 1)} off the lines"
    )
    yield Finding(
        "PP101", f"budget shares sum to {_pct(summed)}, not 100%", ("budget", "lines"), hint
    )


def _line_problems(code: str, line_id: str, path: Path, line: BudgetLine) -> Iterator[Finding]:
    """A line with nothing to add up, or a negative share."""
    if _is_empty_line(line):
        yield Finding(
            code,
            f"budget line {line_id!r} has neither a share nor an amount",
            path,
            "give it a share (15%) or an amount (750万)",
        )
    share = _number(line.share)
    if share is not None and share < 0:
        yield Finding(
            code,
            f"budget line {line_id!r} has a negative share ({_pct(share)})",
            (*path, "share"),
            "a share is a part of the total, from 0% to 100%",
        )


def check_sub_line_shares(plan: Plan) -> Iterator[Finding]:
    """PP102: the shares of a line's sub-lines sum to the line's share.

    Fails (30% + 5% is not 40%)::

        budget:
          lines:
            traffic: {share: 40%, lines: {public: 30%, private: 5%}}
    """
    if plan.budget is None:
        return
    total = _total(plan)
    for line_id, path, line in _budget_lines(plan.budget.lines, ("budget", "lines")):
        if not line.lines:
            continue
        for name, sub in line.lines.items():
            yield from _line_problems("PP102", f"{line_id}.{name}", (*path, "lines", name), sub)
        if line.share is None and line.amount is None:
            continue  # the line's share is its sub-lines' sum
        if line.share is None and all(sub.share is None for sub in line.lines.values()):
            continue  # amounts only: PP103
        own = _share_of(line, total)
        parts = [_share_of(sub, total) for sub in line.lines.values()]
        if own is None or any(part is None for part in parts):
            continue
        summed = math.fsum(parts)  # type: ignore[arg-type]  # None ruled out
        if abs(summed - own) > SHARE_TOLERANCE:
            yield Finding(
                "PP102",
                f"sub-lines of {line_id!r} sum to {_pct(summed)}, not the line's {_pct(own)}",
                (*path, "lines"),
                f"make the sub-lines add up to {_pct(own)}, or change the share of {line_id!r}",
            )


def check_budget_amounts(plan: Plan) -> Iterator[Finding]:
    """PP103: amounts agree with total x share, and add up to the total (or their line's amount).

    Fails (30% of 5000万 is 1500万)::

        budget:
          total: 5000万
          lines:
            traffic: {share: 30%, amount: 1200万}
            content: {share: 70%, amount: 3500万}
    """
    if plan.budget is None:
        return
    total = _number(plan.budget.total)
    for line_id, path, line in _budget_lines(plan.budget.lines, ("budget", "lines")):
        share, amount = _number(line.share), _number(line.amount)
        if total is None or share is None or amount is None or _bare_fraction(line.share):
            continue
        expected = total * share
        if abs(amount - expected) > AMOUNT_TOLERANCE * max(abs(total), 1):
            yield Finding(
                "PP103",
                f"budget line {line_id!r}: amount {_plain(amount)} is not total x share "
                f"({_pct(share)} of {_plain(total)} = {_plain(expected)})",
                (*path, "amount"),
                f"write amount: {_plain(expected)}, or give only one of share and amount",
            )
    if total is not None and plan.budget.lines:
        yield from _amounts_add_up(
            plan.budget.lines, total, ("budget", "total"), "the budget total"
        )
    for line_id, path, line in _budget_lines(plan.budget.lines, ("budget", "lines")):
        amount = _number(line.amount)
        if line.lines and amount is not None:
            yield from _amounts_add_up(
                line.lines, amount, (*path, "amount"), f"the amount of {line_id!r}"
            )


def _amounts_add_up(
    lines: Mapping[str, BudgetLine], expected: float, path: Path, what: str
) -> Iterator[Finding]:
    amounts = [_number(line.amount) for line in lines.values()]
    if any(amount is None for amount in amounts):
        return  # some lines give shares (PP101/PP102) or placeholders (PP120)
    summed = math.fsum(amounts)  # type: ignore[arg-type]  # None ruled out
    if abs(summed - expected) > AMOUNT_TOLERANCE * max(abs(expected), 1):
        yield Finding(
            "PP103",
            f"line amounts sum to {_plain(summed)}, not {what} ({_plain(expected)})",
            path,
            f"the lines are {_plain(abs(summed - expected))} "
            + ("short" if summed < expected else "over"),
        )


def check_channel_lines(plan: Plan) -> Iterator[Finding]:
    """PP104: every channel maps to a budget line that exists (``traffic.public``).

    Fails (no line ``traffic.paid``)::

        budget: {lines: {traffic: {share: 100%, lines: {public: 100%}}}}
        channels: {douyin: traffic.paid}
    """
    known = (
        [line_id for line_id, _, _ in _budget_lines(plan.budget.lines, ())] if plan.budget else []
    )
    for channel, line_id in plan.channels.items():
        if line_id in known:
            continue
        hint = _did_you_mean(line_id, known) or (
            "budget lines: " + ", ".join(known) if known else "add the line under budget.lines"
        )
        yield Finding(
            "PP104",
            f"channel {channel!r} maps to budget line {line_id!r}, which does not exist",
            ("channels", channel),
            hint,
        )


# --- quarters and events --------------------------------------------------------------


def _quarter_path(plan: Plan, name: str, key: str) -> Path | None:
    """The most precise path for a quarter's date: the key if written, else the quarter."""
    quarter: Quarter | None = plan.quarters.get(name)  # type: ignore[call-overload]  # str key of a Literal dict
    if quarter is None:
        return None
    if getattr(quarter, key) is not None:
        return ("quarters", name, key)
    return ("quarters", name)


def _first_path(plan: Plan, *candidates: Path | None) -> Path:
    for candidate in candidates:
        if candidate is not None:
            return candidate
    return ("quarters",) if plan.quarters else ("period",)


def check_quarter_tiling(plan: Plan) -> Iterator[Finding]:
    """PP110: Q1..Q4 tile the period: no gap, no overlap, nothing outside.

    Fails (2025-04-01 to 2025-04-14 belong to no quarter)::

        period: 2025
        quarters:
          Q2: {start: 2025-04-15}
    """
    start, end = plan.span
    if end < start:
        yield Finding("PP110", f"the period ends ({end}) before it starts ({start})", ("period",))
        return
    hint = "give the quarters start/end dates that follow each other with no gap or overlap"
    spans = plan.quarter_spans()
    backwards = False
    for name, (first, last) in spans.items():
        if last < first:
            backwards = True
            yield Finding(
                "PP110",
                f"{name} ends ({last}) before it starts ({first})",
                _first_path(plan, _quarter_path(plan, name, "end")),
                hint,
            )
    if backwards:
        return
    previous: str | None = None
    covered_to = start - dt.timedelta(days=1)
    for name in QUARTER_NAMES:
        first, last = spans[name]
        due = covered_to + dt.timedelta(days=1)
        here = _quarter_path(plan, name, "start")
        there = _quarter_path(plan, previous, "end") if previous else None
        if first > due:
            message = (
                f"{name} starts on {first}, after the period starts ({start}): "
                if previous is None
                else f"gap between {previous} and {name}: "
            ) + f"{_span(due, first - dt.timedelta(days=1))} belong to no quarter"
            yield Finding(
                "PP110",
                message,
                _first_path(plan, here, there, ("period",) if previous is None else None),
                hint,
            )
        elif first < due:
            message = (
                f"{name} starts on {first}, before the period starts ({start})"
                if previous is None
                else f"{name} overlaps {previous}: both hold {_span(first, min(covered_to, last))}"
            )
            yield Finding("PP110", message, _first_path(plan, here, there), hint)
        previous, covered_to = name, last
    if covered_to != end:
        relation = "before" if covered_to < end else "after"
        message = f"Q4 ends on {covered_to}, {relation} the period ends ({end})"
        if covered_to < end:
            message += f": {_span(covered_to + dt.timedelta(days=1), end)} belong to no quarter"
        yield Finding("PP110", message, _first_path(plan, _quarter_path(plan, "Q4", "end")), hint)


def _quarter_of(day: dt.date, spans: Mapping[str, tuple[dt.date, dt.date]]) -> str | None:
    for name, (first, last) in spans.items():
        if first <= day <= last:
            return name
    return None


def check_event_quarters(plan: Plan) -> Iterator[Finding]:
    """PP111: an event lies inside its quarter; an undated festival's calendar date too.

    Fails (618 is June 18, in Q2)::

        period: 2025
        quarters:
          Q3: {events: [{name: 618大促}]}
    """
    spans = plan.quarter_spans()
    period_start, period_end = plan.span
    for quarter_name, quarter in plan.quarters.items():
        first, last = spans[quarter_name]
        if last < first:
            continue  # PP110
        where = f"{quarter_name} ({_span(first, last)})"
        for index, event in enumerate(quarter.events):
            path: Path = ("quarters", quarter_name, "events", index)
            if event.start is not None or event.end is not None:
                for key, day in (("start", event.start), ("end", event.end)):
                    if day is not None and not first <= day <= last:
                        home = _quarter_of(day, spans)
                        yield Finding(
                            "PP111",
                            f"event {event.name!r} {key}s on {day}, outside {where}",
                            (*path, key),
                            f"move it to {home}"
                            if home
                            else "its date lies outside the plan period",
                        )
                        break
                continue
            festival = find_festival(event.name)
            if festival is None:
                continue
            days = [
                festival.date_in(year) for year in range(period_start.year, period_end.year + 1)
            ]
            if any(day is None for day in days):
                continue  # the calendar does not cover the period: cannot tell
            in_period = [
                day for day in days if day is not None and period_start <= day <= period_end
            ]
            if any(first <= day <= last for day in in_period):
                continue
            if in_period:
                day = in_period[0]
                home = _quarter_of(day, spans)
                message = (
                    f"event {event.name!r} is {festival.name}, on {day}, "
                    f"which falls in {home}, not {where}"
                )
                hint = f"move it to {home}, or give it dates if it is not on the festival itself"
            else:
                message = (
                    f"event {event.name!r} is {festival.name}, which does not fall in the plan "
                    f"period ({_span(period_start, period_end)})"
                )
                hint = "give it start/end dates, or remove it"
            yield Finding("PP111", message, (*path, "name"), hint)


def check_quarter_weights(plan: Plan) -> Iterator[Finding]:
    """PP112: weights are given for all four quarters or for none, and sum to 100%.

    Fails (Q3 and Q4 have none)::

        quarters:
          Q1: {weight: 20%}
          Q2: {weight: 25%}
    """
    weights = {
        name: quarter.weight
        for name, quarter in plan.quarters.items()
        if quarter.weight is not None
    }
    if not weights:
        return
    missing = [name for name in QUARTER_NAMES if name not in weights]
    if missing:
        listed = [name for name in missing if name in plan.quarters]
        path: Path = ("quarters", listed[0]) if listed else ("quarters",)
        yield Finding(
            "PP112",
            f"weights are given for {', '.join(weights)} but not for {', '.join(missing)}",
            path,
            "give all four quarters a weight, or none (then pacing is by days)",
        )
        return
    values = [_number(weight) for weight in weights.values()]
    if any(value is None for value in values) or any(_bare_fraction(w) for w in weights.values()):
        return  # placeholders (PP120) or bare numbers (PP004)
    summed = math.fsum(values)  # type: ignore[arg-type]  # None ruled out
    if abs(summed - 1) > SHARE_TOLERANCE:
        yield Finding(
            "PP112",
            f"quarter weights sum to {_pct(summed)}, not 100%",
            ("quarters",),
            f"add the missing {_pct(1 - summed)} to a quarter"
            if summed < 1
            else f"take {_pct(summed - 1)} off the quarters",
        )


# --- targets --------------------------------------------------------------------------


def _placeholders(value: object, path: Path) -> Iterator[tuple[Path, Placeholder]]:
    """Every placeholder in the plan, in file order, with its key path."""
    if isinstance(value, Placeholder):
        yield path, value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _placeholders(getattr(value, name), (*path, name))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _placeholders(item, (*path, str(key)))
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _placeholders(item, (*path, index))


def _what_is_unset(path: Path) -> str:  # noqa: PLR0911  # one wording per kind of place
    head = path[0]
    key = path[-1]
    if head == "goals" and len(path) == 3:
        noun = "baseline" if key == "baseline" else "target"
        return f"goal {path[1]!r}: {noun}"
    if head == "quarters" and len(path) == 5 and path[2] == "goals":
        noun = "baseline" if key == "baseline" else "target"
        return f"goal '{path[1]}.{path[3]}': {noun}"
    if head == "quarters" and key == "weight":
        return f"{path[1]} weight"
    if path == ("budget", "total"):
        return "budget total"
    if head == "budget" and len(path) >= 4:
        line_id = ".".join(str(part) for part in path[2:-1:2])
        return f"budget line {line_id!r}: {key}"
    if head == "alerts" and len(path) == 4 and path[2] == "min":
        return f"alert {path[1]!r}: minimum {path[3]}"
    if head == "alerts" and len(path) == 3:
        return f"alert {path[1]!r}: threshold"
    return dotted(path)


def check_placeholders(plan: Plan) -> Iterator[Finding]:
    """PP120 (warning): a target written as a placeholder (``X``, ``X万``, ``TBD``, ``待定``, ``?``)

    Fails::

        goals:
          new_users: {metric: new_users, at_least: X万}
    """
    for path, placeholder in _placeholders(plan, ()):
        yield Finding(
            "PP120",
            f"{_what_is_unset(path)} not set yet ({placeholder.text})",
            path,
            "fill it in once decided; until then it is shown as unset "
            "(or list PP120 under ignore: to silence this)",
        )


def _metric_references(plan: Plan) -> Iterator[tuple[Path, str, str]]:
    """(key path, metric id, who names it) for every place that names a metric."""
    for goal_id, path, goal in _all_goals(plan):
        yield (*path, "metric"), goal.metric, f"goal {goal_id!r}"
    for alert_id, alert in plan.alerts.items():
        yield ("alerts", alert_id, "metric"), alert.metric, f"alert {alert_id!r}"
        for name in alert.min:
            yield ("alerts", alert_id, "min", name), name, f"alert {alert_id!r} (min)"
    budget = plan.budget
    if budget is not None and ("spend_metric" in budget.model_fields_set or plan.channels):
        yield ("budget", "spend_metric"), budget.spend_metric, "budget.spend_metric"
    if plan.report is not None:
        for index, kpi in enumerate(plan.report.kpis):
            yield ("report", "kpis", index), kpi, "report.kpis"


def check_metric_names(plan: Plan) -> Iterator[Finding]:
    """PP121: goals, alerts, ``min``, ``budget.spend_metric`` and report KPIs name defined metrics.

    Fails (no metric ``revenue``)::

        metrics: {gmv: {column: gmv}}
        goals: {growth: {metric: revenue, growth: 30%}}
    """
    known = list(plan.metrics)
    for path, name, who in _metric_references(plan):
        if name in plan.metrics:
            continue
        hint = _did_you_mean(name, known) or f"define {name!r} under metrics"
        yield Finding("PP121", f"{who} names unknown metric {name!r}", path, hint)


def check_formulas(plan: Plan) -> Iterator[Finding]:
    """PP122: every formula parses, names defined metrics only, and no formula depends on itself.

    Fails (``revenue`` is not a metric; ``a`` and ``b`` form a cycle)::

        metrics:
          roi: {formula: revenue / spend}
          a: {formula: b + 1}
          b: {formula: a * 2}
    """
    order = metric_order({metric_id: metric.formula for metric_id, metric in plan.metrics.items()})
    known = list(plan.metrics)
    for problem in order.problems:
        path: Path = ("metrics", problem.metric, "formula")
        if problem.kind == "syntax":
            at = f" at character {problem.offset + 1}" if problem.offset is not None else ""
            yield Finding(
                "PP122",
                f"metric {problem.metric!r}: formula error{at}: {problem.message}",
                path,
                "a formula has metric names, numbers, + - * / and parentheses",
            )
        elif problem.kind == "unknown":
            name = problem.name or ""
            yield Finding(
                "PP122",
                f"metric {problem.metric!r}: formula names unknown metric {name!r}",
                path,
                _did_you_mean(name, known) or f"define {name!r} under metrics",
            )
        else:
            yield Finding(
                "PP122",
                f"metric {problem.metric!r}: {problem.message}",
                path,
                "a formula cannot depend on itself, directly or through other formulas",
            )


def check_goal_targets(plan: Plan) -> Iterator[Finding]:
    """PP123: a target does not contradict its goal; an event does not end before it starts.

    Fails (the baseline already meets the target)::

        goals:
          conversion: {metric: conversion, baseline: 5%, at_least: 4%}
    """
    for goal_id, path, goal in _all_goals(plan):
        baseline = _number(goal.baseline)
        if baseline is None or _bare_fraction_for(plan, goal.metric, goal.baseline):
            continue
        if goal.growth is not None:
            if baseline <= 0:
                yield Finding(
                    "PP123",
                    f"goal {goal_id!r}: growth over a baseline of {_plain(baseline)} means nothing",
                    (*path, "baseline"),
                    "give the baseline value the growth is measured from, or drop it to "
                    "compare with last year's actuals",
                )
            continue
        target = _number(goal.target)
        if target is None or _bare_fraction_for(plan, goal.metric, goal.target):
            continue
        key = goal.direction
        shown_b, shown_t = _shown(plan, goal.metric, baseline), _shown(plan, goal.metric, target)
        if key == "at_least" and baseline >= target:
            yield Finding(
                "PP123",
                f"goal {goal_id!r}: baseline {shown_b} already meets the at_least target {shown_t}",
                (*path, key),
                "raise the target above the baseline, or use at_most if lower is better",
            )
        elif key == "at_most" and baseline <= target:
            yield Finding(
                "PP123",
                f"goal {goal_id!r}: baseline {shown_b} already meets the at_most target {shown_t}",
                (*path, key),
                "lower the target below the baseline, or use at_least if higher is better",
            )
    for quarter_name, quarter in plan.quarters.items():
        for index, event in enumerate(quarter.events):
            if event.start is not None and event.end is not None and event.end < event.start:
                yield Finding(
                    "PP123",
                    f"event {event.name!r} ends ({event.end}) before it starts ({event.start})",
                    ("quarters", quarter_name, "events", index, "end"),
                    "swap start and end",
                )


def _bare_fraction_for(plan: Plan, metric: str, value: Quantity | Placeholder | None) -> bool:
    return _metric_unit(plan, metric) == "percent" and _bare_fraction(value)


def _shown(plan: Plan, metric: str, value: float) -> str:
    return _pct(value) if _metric_unit(plan, metric) == "percent" else _plain(value)


def check_fraction_units(plan: Plan) -> Iterator[Finding]:
    """PP004: a percentage written as a bare number above 1 (``at_least: 35`` for a percent metric).

    Also shares, weights, ``tolerance`` and ``drop_over``, which are fractions too.
    Fails (35 would be 3500%)::

        metrics: {new_order_share: {formula: new_orders / orders, unit: percent}}
        goals: {share: {metric: new_order_share, at_least: 35}}
    """
    for goal_id, path, goal in _all_goals(plan):
        if _metric_unit(plan, goal.metric) != "percent":
            continue
        for key in ("at_least", "at_most", "baseline"):
            value = getattr(goal, key)
            if _bare_fraction(value):
                yield _fraction_finding(
                    f"goal {goal_id!r}: {goal.metric!r} is a percentage, so", value, (*path, key)
                )
    for alert_id, alert in plan.alerts.items():
        yield from _alert_fractions(plan, alert_id, alert)
    if plan.budget is not None:
        for line_id, path, line in _budget_lines(plan.budget.lines, ("budget", "lines")):
            if _bare_fraction(line.share):
                yield _fraction_finding(
                    f"budget line {line_id!r}: a share is a fraction, so",
                    line.share,
                    (*path, "share"),
                )
    for name, quarter in plan.quarters.items():
        if _bare_fraction(quarter.weight):
            yield _fraction_finding(
                f"{name}: a weight is a fraction, so", quarter.weight, ("quarters", name, "weight")
            )
    if _bare_fraction(plan.tolerance):
        yield _fraction_finding("tolerance is a fraction, so", plan.tolerance, ("tolerance",))


def _alert_fractions(plan: Plan, alert_id: str, alert: AlertRule) -> Iterator[Finding]:
    if _metric_unit(plan, alert.metric) == "percent":
        for key in ("below", "above"):
            value = getattr(alert, key)
            if _bare_fraction(value):
                yield _fraction_finding(
                    f"alert {alert_id!r}: {alert.metric!r} is a percentage, so",
                    value,
                    ("alerts", alert_id, key),
                )
    if _bare_fraction(alert.drop_over):
        yield _fraction_finding(
            f"alert {alert_id!r}: drop_over is a fraction, so",
            alert.drop_over,
            ("alerts", alert_id, "drop_over"),
        )


def _fraction_finding(lead: str, value: Quantity | Placeholder | None, path: Path) -> Finding:
    number = _number(value) or 0.0
    written = f"{number:g}"
    return Finding(
        "PP004",
        f"{lead} {written} would mean {number * 100:g}%",
        path,
        f"write {written}% or {number / 100:g}",
    )


CHECKS: tuple[Check, ...] = (
    Check("PP004", check_fraction_units),
    Check("PP101", check_budget_shares),
    Check("PP102", check_sub_line_shares),
    Check("PP103", check_budget_amounts),
    Check("PP104", check_channel_lines),
    Check("PP110", check_quarter_tiling),
    Check("PP111", check_event_quarters),
    Check("PP112", check_quarter_weights),
    Check("PP120", check_placeholders),
    Check("PP121", check_metric_names),
    Check("PP122", check_formulas),
    Check("PP123", check_goal_targets),
)
