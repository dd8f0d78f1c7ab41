"""Per-window goals (``per: week``): the window a goal measures, and the target's share of it.

Each complete day, week, month or quarter carries the whole target; one that
straddles the start of the plan (or of the goal's quarter) is measured only
inside it, and carries the share of the target its days are of the whole unit.
"""

from __future__ import annotations

import datetime as dt

from promoplan.model import Goal, Plan
from promoplan.result import Window
from promoplan.windows import (
    clip,
    days_in,
    last_complete_month,
    last_complete_quarter,
    last_complete_week,
    month_of,
    quarter_of,
)


def per_window(
    plan: Plan, as_of: dt.date, goal: Goal, span: Window, scope_natural: Window
) -> Window | None:
    """The last complete day, week, month or quarter of the goal's span up to as-of,
    clipped to the goal's own window (the plan period or its quarter)."""
    last = min(as_of, span.end)
    if last < span.start:
        return None
    candidate: Window | None
    if goal.per == "day":
        candidate = Window(last.isoformat(), last, last)
    elif goal.per == "week":
        candidate = last_complete_week(last)
    elif goal.per == "month":
        candidate = last_complete_month(last)
    else:
        candidate = last_complete_quarter(plan, last)
    if candidate is None or candidate.end < span.start:
        return None
    # A week or month straddling the start of the plan (or of the goal's quarter) is
    # measured only inside it, so rows from before the period never count.
    inside = clip(candidate, scope_natural)
    if inside is None:
        return None
    if (inside.start, inside.end) != (candidate.start, candidate.end):
        label = f"{candidate.label} from {inside.start.isoformat()}"
        return Window(label, inside.start, inside.end)
    return candidate


def clipped_share(plan: Plan, goal: Goal, measured: Window) -> float:
    """The share of a per-window target that a window clipped to the plan carries: its
    days over the days of the whole week, month or quarter (1 when not clipped)."""
    if goal.per == "week":
        whole = days_in(measured.end - dt.timedelta(days=6), measured.end)
    elif goal.per == "month":
        unit = month_of(measured.end)
        whole = days_in(unit.start, unit.end)
    elif goal.per == "quarter":
        unit = quarter_of(plan, measured.end)
        whole = days_in(unit.start, unit.end)
    else:
        whole = 1
    return min(1.0, days_in(measured.start, measured.end) / whole)
