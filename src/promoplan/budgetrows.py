"""Budget burn (SPEC section 5, "Budget"): each line's spend against its plan, and alerts.

One part of an evaluation: it reads the evaluator's rolled-up actuals, pacing and
window, and returns the budget rows, the ``<unmapped>`` row and the built-in
``budget`` rule's alerts.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from promoplan.model import BudgetLine
from promoplan.quantity import Quantity, ratio
from promoplan.result import AlertResult, BudgetRow, BudgetStatus, Unit, Window
from promoplan.rowspans import counted_fraction, window_words
from promoplan.vocabulary import UNMAPPED, Severity
from promoplan.windows import clip

if TYPE_CHECKING:
    from promoplan.evaluate import Evaluator

BUDGET_RULE = "budget"
DEFAULT_UNMAPPED_SHARE = 0.01  # unmapped spend above 1% of all spend is a warning
CHANNEL_DIMENSION = "channel"


def budget_rows(ev: Evaluator) -> tuple[tuple[BudgetRow, ...], tuple[AlertResult, ...]]:
    """Budget rows per line and child line, the ``<unmapped>`` row, and the built-in alerts."""
    budget = ev.plan.budget
    if budget is None:
        return (), ()
    period_start, period_end = ev.plan.span
    span = clip(ev.paced, Window("period", period_start, period_end))
    if span is None:
        return (), ()
    # The budget's own pacing (budget.pacing, else the plan's) on the spend metric.
    curve = ev.pacings.for_budget(Window("period", period_start, period_end)).curve
    share_of_period = curve.share(span.start, span.end, period_start, period_end)
    actuals = ev.plan.actuals
    fraction = counted_fraction(
        curve, span.start, span.end, ev.counted_through, actuals.grain, actuals.week_start
    )
    total = budget.total.value if isinstance(budget.total, Quantity) else None
    spend_metric = budget.spend_metric
    metric = ev.plan.metrics.get(spend_metric)
    unit: Unit = metric.unit if metric is not None else "currency"
    by_channel: dict[str | None, float | None] = {}
    has_spend = ev.rollup.has_data(spend_metric)
    if has_spend and ev.as_of >= span.start:
        by_channel = ev.rollup.by_group(
            spend_metric,
            CHANNEL_DIMENSION,
            span.start,
            min(span.end, ev.as_of),
            keep_missing=True,
        )
    all_spend = math.fsum(v for v in by_channel.values() if v is not None)

    rows: list[BudgetRow] = []
    alerts: list[AlertResult] = []
    for ref in ev.index.lines:
        line_id, line = ref.id, ref.line
        share = _line_share(line, total)
        planned: float | None = None
        if total is not None:
            if share is not None:
                planned = total * share * share_of_period
            elif isinstance(line.amount, Quantity):
                planned = line.amount.value * share_of_period
        # As in a ledger: with the spend column present, a line no channel maps to has
        # nothing booked to it (0), not an unknown amount; null only without the column.
        spent: float | None = None
        if has_spend:
            spent = math.fsum(by_channel.get(channel) or 0.0 for channel in ref.channels)
        expected = planned * fraction if planned is not None else None
        remaining = planned - spent if planned is not None and spent is not None else None
        status, threshold = _budget_status(
            ev, spent, planned, expected, share=share, all_spend=all_spend
        )
        if status == "on_track" and ref.channels:
            # Only a line some channel books to can be behind: a reserve spends nothing.
            status, threshold = _behind(ev, spent, expected, share=share, all_spend=all_spend)
        rows.append(
            BudgetRow(
                line=line_id,
                label=line.label or line_id,
                depth=ref.depth,
                share=share,
                planned=planned,
                spent=spent,
                expected=expected,
                remaining=remaining,
                status=status,
                used=ratio(spent, planned),
                spent_share=ratio(spent, all_spend),
            )
        )
        if status == "over_budget" or status == "ahead" or status == "behind":  # noqa: PLR1714  # narrows for mypy
            line_no, column = ev.where(ref.path)
            severity: Severity = (
                "error"
                if status == "over_budget"
                else budget.underspend
                if status == "behind"
                else "warning"
            )
            alerts.append(
                AlertResult(
                    rule=BUDGET_RULE,
                    label=BUDGET_RULE,
                    severity=severity,
                    metric=spend_metric,
                    unit=unit,
                    value=spent,
                    threshold=threshold,
                    condition=status,
                    group=(("line", line_id),),
                    window=window_words(ev.window),
                    action=None,
                    line=line_no,
                    column=column,
                )
            )
    unmapped = _unmapped(ev, by_channel, all_spend)
    for row in unmapped:
        if (row.spent_share or 0.0) > _unmapped_limit(ev):
            alerts.append(
                AlertResult(
                    rule=BUDGET_RULE,
                    label=BUDGET_RULE,
                    severity="warning",
                    metric=spend_metric,
                    unit="percent",
                    value=row.spent_share,
                    threshold=_unmapped_limit(ev),
                    condition="unmapped",
                    group=(("line", UNMAPPED),),
                    window=window_words(ev.window),
                    action="map these channels to a budget line under channels:",
                )
            )
    return tuple(rows) + unmapped, tuple(alerts)


def _behind(
    ev: Evaluator, spent: float | None, expected: float | None, *, share: float | None,
    all_spend: float,
) -> tuple[BudgetStatus, float | None]:  # fmt: skip
    """``behind`` with its floor when spent is below expected x (1 - tolerance), or,
    without a total, below the planned share x (1 - tolerance) of all spend, mirroring
    ``ahead`` (a line at 20% of spend against a planned 30% is behind, as one at 40%
    is ahead); else ``on_track``. Under-spending is a finding too."""
    floor: float | None = None
    if expected is not None:
        floor = expected * (1 - ev.tolerance)
    elif ev.plan.budget is not None and ev.plan.budget.total is None and share is not None:
        floor = share * (1 - ev.tolerance) * all_spend if all_spend > 0 else None
    if spent is not None and floor is not None and spent < floor:
        return "behind", floor
    return "on_track", None


def _unmapped_limit(ev: Evaluator) -> float:
    """The share of all spend above which unmapped spend is a warning (``unmapped_share``)."""
    budget = ev.plan.budget
    given = budget.unmapped_share if budget is not None else None
    return given.value if isinstance(given, Quantity) else DEFAULT_UNMAPPED_SHARE


def _budget_status(  # noqa: PLR0911  # one return per row of SPEC's budget table
    ev: Evaluator,
    spent: float | None,
    planned: float | None,
    expected: float | None,
    *,
    share: float | None,
    all_spend: float,
) -> tuple[BudgetStatus, float | None]:
    """A line's status and, when it is off, the amount it went past."""
    if spent is None:
        return "no_data", None
    if planned is not None and expected is not None:
        if spent > planned:
            return "over_budget", planned
        if spent > expected * (1 + ev.tolerance):
            return "ahead", expected * (1 + ev.tolerance)
        return "on_track", None
    if share is None or all_spend <= 0:
        return "no_data", None
    # Without a total, compare the line's share of spend with its planned share.
    limit = share * (1 + ev.tolerance)
    if spent / all_spend > limit:
        return "ahead", limit * all_spend
    return "on_track", None


def _unmapped(
    ev: Evaluator, by_channel: dict[str | None, float | None], all_spend: float
) -> tuple[BudgetRow, ...]:
    """The ``<unmapped>`` row: spend of channels that ``channels`` does not map (or of none)."""
    unmapped = [
        value
        for channel, value in by_channel.items()
        if value is not None and (channel is None or channel not in ev.plan.channels)
    ]
    spent = math.fsum(unmapped)
    if not unmapped or spent == 0:
        return ()
    row = BudgetRow(
        line=UNMAPPED,
        label=UNMAPPED,
        depth=0,
        share=None,
        planned=None,
        spent=spent,
        expected=None,
        remaining=None,
        status="unmapped",  # spend is known; where it belongs is not
        spent_share=ratio(spent, all_spend),
    )
    return (row,)


def _line_share(line: BudgetLine, total: float | None) -> float | None:
    if isinstance(line.share, Quantity):
        return line.share.value
    if isinstance(line.amount, Quantity) and total:
        return line.amount.value / total
    return None
