"""Pacing (SPEC section 5): the expected fraction of a cumulative target at any day.

The sum over quarters of weight x the fraction of that quarter's days elapsed;
:class:`PaceCurve` is the interface seasonal curves implement too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from promoplan.model import Plan
from promoplan.planindex import plan_index
from promoplan.windows import days_in


def quarter_weights(plan: Plan) -> dict[str, float]:
    """Each quarter's pacing weight: the plan's ``weight`` if all four are given, else its days."""
    return dict(plan_index(plan).weights)


def _pace_weight(
    spans: Mapping[str, tuple[dt.date, dt.date]],
    weights: Mapping[str, float],
    outside_density: float,
    start: dt.date,
    end: dt.date,
) -> float:
    """The pacing weight of the days from ``start`` to ``end``: each quarter's weight spread
    evenly over its days, days outside every quarter at ``outside_density``."""
    total = 0.0
    covered = 0
    for name, (q_start, q_end) in spans.items():
        overlap = days_in(max(start, q_start), min(end, q_end))
        if overlap:
            total += weights[name] * overlap / days_in(q_start, q_end)
            covered += overlap
    return total + outside_density * (days_in(start, end) - covered)


class PaceCurve:
    """A pacing curve: the weight of any range of days gives fractions and shares.

    :class:`Pacing` (the quarter weights) is one; :mod:`promoplan.seasonal` adds
    last year's curve and curve files.
    """

    def weight(self, start: dt.date, end: dt.date) -> float:
        """Pacing weight of the days from ``start`` to ``end`` inclusive."""
        raise NotImplementedError

    def fraction(self, start: dt.date, end: dt.date, as_of: dt.date) -> float:
        """Share of the window's pacing weight elapsed at ``as_of``: 0 before it, 1 at its end."""
        if as_of < start:
            return 0.0
        if as_of >= end:
            return 1.0
        whole = self.weight(start, end)
        if whole <= 0:
            # Every day of the window weighs nothing (a zero-weight quarter): pace by days.
            return days_in(start, as_of) / days_in(start, end)
        return min(1.0, self.weight(start, as_of) / whole)

    def share(
        self, part_start: dt.date, part_end: dt.date, whole_start: dt.date, whole_end: dt.date
    ) -> float:
        """The part's share of the whole's pacing weight (the part clipped to the whole)."""
        start, end = max(part_start, whole_start), min(part_end, whole_end)
        whole = self.weight(whole_start, whole_end)
        if whole <= 0:
            return days_in(start, end) / max(1, days_in(whole_start, whole_end))
        return self.weight(start, end) / whole


class Pacing(PaceCurve):
    """The plan's quarter pacing, precomputed once: weight of any range of days."""

    def __init__(self, plan: Plan) -> None:
        index = plan_index(plan)
        self.spans = index.spans
        self.weights = index.weights
        period_days = sum(days_in(s, e) for s, e in self.spans.values()) or 1
        # Days outside the period (a week straddling its start) pace at the average rate.
        self.outside_density = sum(self.weights.values()) / period_days

    def weight(self, start: dt.date, end: dt.date) -> float:
        """Pacing weight of the days from ``start`` to ``end`` inclusive."""
        if end < start:
            return 0.0
        return _pace_weight(self.spans, self.weights, self.outside_density, start, end)


def paced_fraction(plan: Plan, start: dt.date, end: dt.date, as_of: dt.date) -> float:
    """Expected fraction of a cumulative target at ``as_of`` for the window ``start``..``end``.

    The sum over quarters of weight x the fraction of that quarter's days elapsed,
    restricted to the window: 0 before it starts, 1 at its end, never falling.
    """
    return Pacing(plan).fraction(start, end, as_of)
