"""What the evaluation of one goal works with: where the goal applies, and its numbers
before they become a :class:`~promoplan.result.GoalProgress`.
"""

from __future__ import annotations

from dataclasses import dataclass

from promoplan.model import Goal
from promoplan.result import Forecast, GoalStatus, Window
from promoplan.seasonal import Paced
from promoplan.vocabulary import GoalKind


@dataclass(frozen=True)
class GoalScope:
    """Where a goal applies: its id, its own span (period or quarter) and the part evaluated."""

    id: str
    scope: str  # "period" or "Q1".."Q4"
    goal: Goal
    natural: Window  # the whole period, or the goal's quarter
    span: Window  # the part of ``natural`` inside the evaluation window's pacing span
    path: tuple[str | int, ...] = ()  # the goal's key path in the plan


@dataclass(frozen=True)
class GoalNumbers:
    """A goal's numbers before they are put into a :class:`GoalProgress`."""

    status: GoalStatus
    target: float | None = None
    actual: float | None = None
    baseline: float | None = None
    expected: float | None = None
    progress: float | None = None
    projection: float | None = None
    kind: GoalKind | None = None  # set when the pacing changes the goal's kind
    pacing: Paced | None = None
    forecast: Forecast | None = None
    window: Window | None = None  # the dates compared, when not all those measured
