"""``promoplan check``: load a plan and its actuals, evaluate them, collect every finding."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from promoplan.diagnostics import without_codes
from promoplan.inputs import (
    Inputs,
    Progress,
    expand_actuals,
    ignored_codes,
    lag_diagnostics,
    parse_as_of,
    read_inputs,
    resolve_as_of,
    usable,
)
from promoplan.loader import load_plan, unevaluated
from promoplan.result import PlanResult, Run
from promoplan.windows import narrowed, parse_period


def run_check(
    plan_path: Path,
    actuals: Sequence[str],
    *,
    as_of: str | None,
    period: str | None,
    encoding: str | None,
    ignore: Sequence[str],
    progress: Progress | None = None,
    timeout: float | None = None,
) -> Run:
    """``promoplan check``: diagnostics, goals, budget and alerts of one plan."""
    given = parse_as_of(as_of)
    files = expand_actuals(actuals)
    loaded = load_plan(plan_path)
    plan = usable(loaded)
    if plan is None:
        return Run("check", (unevaluated(loaded, ignore=ignore),))
    # A bad --period fails before a long read; a window outside the period widens what is kept.
    window = parse_period(period, plan, given or plan.span[0])
    inputs = read_inputs(
        loaded,
        files,
        encoding=encoding,
        span=(window.start, window.end),
        progress=progress,
        timeout=timeout,
    )
    if not inputs.ok:
        result = unevaluated(loaded, inputs.diagnostics, ignore, plan_ignores=True)
        return Run("check", (result,))
    return Run("check", (check_inputs(inputs, as_of=given, period=period, ignore=ignore),))


def check_inputs(
    inputs: Inputs, *, as_of: dt.date | None, period: str | None, ignore: Sequence[str] = ()
) -> PlanResult:
    """Evaluate loaded inputs (no errors among them) over ``--period`` as of ``--as-of``."""
    from promoplan.evaluate import evaluate  # noqa: PLC0415  # the evaluation core, only when evaluating

    plan, actuals = inputs.plan, inputs.actuals
    assert plan is not None  # callers check Inputs.ok
    assert actuals is not None
    day = resolve_as_of(plan, actuals, as_of)
    result = evaluate(
        plan,
        actuals,
        file=inputs.loaded.file,
        locate=inputs.loaded.locate,
        as_of=day,
        # Over weekly or monthly rows the window is the whole rows inside it: printed as summed.
        window=narrowed(
            parse_period(period, plan, day), plan.actuals.grain, plan.actuals.week_start
        ),
        diagnostics=inputs.diagnostics + lag_diagnostics(plan, actuals, day),
        curves=inputs.curves,
    )
    codes = ignored_codes(ignore, plan)
    return replace(result, diagnostics=without_codes(result.diagnostics, codes))
