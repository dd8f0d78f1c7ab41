"""The plan index: what the evaluation, the checks and the report look up, built once per plan.

A validated :class:`~promoplan.model.Plan` is a tree of sections. Every consumer
needs the same few flat views of it: each goal with its id, scope and key path;
each budget line with its dotted id, depth, key path and the channels mapped to
it; the four quarters as dated windows with their labels; the pacing weights.
:func:`plan_index` builds them once and keeps them for the plan's lifetime, so
nothing walks the plan again or parses an id back out of a string.
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from promoplan.model import QUARTER_NAMES, BudgetLine, Goal, Plan, Quarter
from promoplan.modeltypes import add_months
from promoplan.quantity import Quantity
from promoplan.result import Window

KeyPath = tuple[str | int, ...]
PERIOD_SCOPE = "period"


@dataclass(frozen=True)
class GoalRef:
    """One goal: its id as shown (``gmv_growth``, ``Q1.wecom_adds``), scope and key path."""

    id: str
    scope: str  # "period" or "Q1".."Q4"
    key: str  # the goal's key within its section
    goal: Goal
    path: KeyPath


@dataclass(frozen=True)
class LineRef:
    """One budget line: dotted id, depth, key path and the channels mapped to it or below."""

    id: str
    line: BudgetLine
    depth: int
    path: KeyPath
    channels: tuple[str, ...]


@dataclass(frozen=True)
class QuarterRef:
    """One of Q1..Q4 as a dated window (labelled ``2025-Q2`` when it is that calendar quarter)."""

    name: str
    window: Window
    quarter: Quarter | None  # None when the plan does not write this quarter


@dataclass(frozen=True)
class PlanIndex:
    """Flat views of one plan, built once by :func:`plan_index`."""

    period: Window  # labelled "period"
    goals: tuple[GoalRef, ...]  # period goals, then each quarter's
    lines: tuple[LineRef, ...]  # depth first
    quarters: tuple[QuarterRef, ...]  # Q1..Q4, in order
    weights: Mapping[str, float]  # each quarter's pacing weight

    @property
    def spans(self) -> dict[str, tuple[dt.date, dt.date]]:
        """Quarter name -> (first day, last day)."""
        return {q.name: (q.window.start, q.window.end) for q in self.quarters}

    def quarter(self, name: str) -> QuarterRef:
        """The quarter called ``name`` (``Q1``..``Q4``)."""
        for ref in self.quarters:
            if ref.name == name:
                return ref
        raise KeyError(name)

    def goal_spans(self) -> Iterator[tuple[GoalRef, Window]]:
        """Each goal with its natural window: the period, or its quarter."""
        for ref in self.goals:
            yield ref, self.period if ref.scope == PERIOD_SCOPE else self.quarter(ref.scope).window


_INDEXES: dict[int, PlanIndex] = {}


def plan_index(plan: Plan) -> PlanIndex:
    """The index of ``plan``, built on first use and kept while the plan lives."""
    key = id(plan)
    found = _INDEXES.get(key)
    if found is None:
        found = _build(plan)
        _INDEXES[key] = found
        weakref.finalize(plan, _INDEXES.pop, key, None)
    return found


def _build(plan: Plan) -> PlanIndex:
    start, end = plan.span
    quarters = tuple(_quarters(plan))
    return PlanIndex(
        period=Window(PERIOD_SCOPE, start, end),
        goals=tuple(_goals(plan)),
        lines=tuple(_lines(plan)),
        quarters=quarters,
        weights=_weights(quarters),
    )


def _quarters(plan: Plan) -> Iterator[QuarterRef]:
    """Q1..Q4 with their dates: explicit ``start``/``end``, else 3-month blocks of the period."""
    for name, (first, last) in plan.quarter_spans().items():
        quarter: Quarter | None = plan.quarters.get(name)  # type: ignore[call-overload]  # str key of a Literal dict
        yield QuarterRef(name, Window(_quarter_label(name, first, last), first, last), quarter)


def _quarter_label(name: str, start: dt.date, end: dt.date) -> str:
    """``2025-Q2`` when the dates are the calendar quarter of that name, else the plan's
    name (``Q2``): a fiscal year's Q3 (2025-10-01..12-31) is ``Q3``, never ``2025-Q4``."""
    number = (start.month + 2) // 3
    calendar = start.day == 1 and start.month in (1, 4, 7, 10) and name == f"Q{number}"
    if calendar and add_months(start, 3) - dt.timedelta(days=1) == end:
        return f"{start.year}-Q{number}"
    return name


def _goals(plan: Plan) -> Iterator[GoalRef]:
    for key, goal in plan.goals.items():
        yield GoalRef(key, PERIOD_SCOPE, key, goal, ("goals", key))
    for name in QUARTER_NAMES:
        quarter = plan.quarters.get(name)  # type: ignore[call-overload]  # str key of a Literal dict
        if quarter is None:
            continue
        for key, goal in quarter.goals.items():
            yield GoalRef(f"{name}.{key}", name, key, goal, ("quarters", name, "goals", key))


def _lines(plan: Plan) -> Iterator[LineRef]:
    if plan.budget is None:
        return
    # Depth-first with an explicit stack: plan depth is bounded by the loader, but no
    # walk over user data recurses.
    stack: list[tuple[str, BudgetLine, int, KeyPath]] = [
        (name, line, 0, ("budget", "lines", name))
        for name, line in reversed(plan.budget.lines.items())
    ]
    while stack:
        line_id, line, depth, path = stack.pop()
        channels = tuple(
            channel
            for channel, target in plan.channels.items()
            if target == line_id or target.startswith(line_id + ".")
        )
        yield LineRef(line_id, line, depth, path, channels)
        stack.extend(
            (f"{line_id}.{name}", child, depth + 1, (*path, "lines", name))
            for name, child in reversed(line.lines.items())
        )


def _weights(quarters: tuple[QuarterRef, ...]) -> dict[str, float]:
    """Each quarter's pacing weight: the plan's ``weight`` if all four are given, else its days."""
    given: dict[str, float] = {}
    for ref in quarters:
        weight = ref.quarter.weight if ref.quarter is not None else None
        if isinstance(weight, Quantity):
            given[ref.name] = weight.value
    if len(given) == len(quarters) and sum(given.values()) > 0:
        return given
    return {
        ref.name: float(max(0, (ref.window.end - ref.window.start).days + 1)) for ref in quarters
    }
