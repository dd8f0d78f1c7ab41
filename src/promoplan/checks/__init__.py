"""Semantic plan checks (SPEC section 6, PP1xx): consistency the schema cannot express.

Each check is a small function in :data:`CHECKS` with its code and a docstring
holding a failing example. A check takes a schema-valid :class:`Plan` and
yields :class:`Finding` values (code, message, key path, hint);
:func:`check_plan` runs them all, never stopping at the first problem, and
turns each finding into a located :class:`Diagnostic`.

The checks live by what they read: :mod:`.budget` (PP101-PP104),
:mod:`.quarters` (PP110-PP112), :mod:`.targets` (PP004, PP120, PP123),
:mod:`.signs` (PP004, values that cannot be negative), :mod:`.metrics` (PP121, PP122,
PP124, PP125, PP127, PP128), :mod:`.ignores` (PP126, PP129), :mod:`.notify` (PP140) and
:mod:`.source` (PP141).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from promoplan.checks.budget import (
    AMOUNT_TOLERANCE,
    check_budget_amounts,
    check_budget_shares,
    check_channel_lines,
    check_sub_line_shares,
)
from promoplan.checks.dimensions import check_dimension_names
from promoplan.checks.finding import Finding, Path
from promoplan.checks.ignores import check_plan_ignores, check_unknown_ignores
from promoplan.checks.metrics import (
    check_expressions,
    check_formulas,
    check_long_metrics,
    check_metric_names,
    check_products_of_sums,
    check_unpivoted_exprs,
    check_unpivoted_groups,
)
from promoplan.checks.notify import check_notify_references
from promoplan.checks.quarters import (
    check_event_quarters,
    check_quarter_tiling,
    check_quarter_weights,
)
from promoplan.checks.reading import SHARE_TOLERANCE
from promoplan.checks.signs import check_negative_values
from promoplan.checks.source import check_actuals_source
from promoplan.checks.targets import check_fraction_units, check_goal_targets, check_placeholders
from promoplan.checks.units import check_target_units
from promoplan.diagnostics import Diagnostic, Locate, diagnostic, dotted
from promoplan.model import Plan

__all__ = [
    "AMOUNT_TOLERANCE",
    "CHECKS",
    "SHARE_TOLERANCE",
    "Check",
    "CheckFunction",
    "Finding",
    "Path",
    "check_actuals_source",
    "check_budget_amounts",
    "check_budget_shares",
    "check_channel_lines",
    "check_dimension_names",
    "check_event_quarters",
    "check_expressions",
    "check_formulas",
    "check_fraction_units",
    "check_goal_targets",
    "check_metric_names",
    "check_negative_values",
    "check_notify_references",
    "check_placeholders",
    "check_plan",
    "check_plan_ignores",
    "check_products_of_sums",
    "check_quarter_tiling",
    "check_quarter_weights",
    "check_sub_line_shares",
    "check_target_units",
    "check_unknown_ignores",
    "check_unpivoted_exprs",
    "check_unpivoted_groups",
]

CheckFunction = Callable[[Plan], Iterator[Finding]]


@dataclass(frozen=True)
class Check:
    """A semantic check: its diagnostic code and the function that runs it."""

    code: str
    run: CheckFunction


def check_plan(plan: Plan, locate: Locate, locate_key: Locate | None = None) -> list[Diagnostic]:
    """Run every check on ``plan`` and return all its diagnostics, located with ``locate``
    (or ``locate_key``, when given, for a finding about a key's name)."""
    found: list[Diagnostic] = []
    for check in CHECKS:
        for finding in check.run(plan):
            where = locate_key if finding.key and locate_key is not None else locate
            line, column = where(finding.path)
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


CHECKS: tuple[Check, ...] = (
    Check("PP004", check_fraction_units),
    Check("PP004", check_negative_values),
    Check("PP004", check_target_units),
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
    Check("PP122", check_expressions),
    Check("PP123", check_goal_targets),
    Check("PP124", check_products_of_sums),
    Check("PP125", check_unpivoted_groups),
    Check("PP126", check_plan_ignores),
    Check("PP127", check_long_metrics),
    Check("PP128", check_unpivoted_exprs),
    Check("PP129", check_unknown_ignores),
    Check("PP131", check_dimension_names),
    Check("PP140", check_notify_references),
    Check("PP141", check_actuals_source),
)
