"""``promoplan check``: load a plan and its actuals, evaluate them, collect every finding."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from promoplan.inputs import (
    Progress,
    check_inputs,
    engine_ahead,
    expand_actuals,
    parse_as_of,
    prepare_evaluation,
    read_inputs,
    usable,
)
from promoplan.loader import load_plan, unevaluated
from promoplan.result import Run
from promoplan.windows import window_to_read


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
    prepare: Callable[[], object] | None = None,
) -> Run:
    """``promoplan check``: diagnostics, goals, budget and alerts of one plan.

    ``prepare`` (the caller's work that needs no result, such as importing its
    renderer) runs while a database computes the actuals, with the evaluation's
    own imports.
    """

    def meanwhile() -> None:
        prepare_evaluation()
        if prepare is not None:
            prepare()

    given = parse_as_of(as_of)
    files = expand_actuals(actuals)
    with engine_ahead(files):  # DuckDB opens while the plan is read
        loaded = load_plan(plan_path)
        plan = usable(loaded)
        if plan is None:
            return Run("check", (unevaluated(loaded, ignore=ignore, stopped=True),))
        # A bad --period fails before a long read; a window outside the period widens what
        # is kept.
        window = window_to_read(period, plan, given)
        inputs = read_inputs(
            loaded,
            files,
            encoding=encoding,
            span=(window.start, window.end),
            progress=progress,
            timeout=timeout,
            meanwhile=meanwhile,
        )
    if not inputs.ok:
        result = unevaluated(loaded, inputs.diagnostics, ignore, plan_ignores=True, stopped=True)
        return Run("check", (result,))
    return Run("check", (check_inputs(inputs, as_of=given, period=period, ignore=ignore),))
