"""The example plan's weekly report as a result, for the notification tests (fixed as-of)."""

from __future__ import annotations

import datetime as dt
import os
from functools import lru_cache
from pathlib import Path

from promoplan.check import load_inputs
from promoplan.report import build_result, previous_report_window, report_window
from promoplan.result import PlanResult

ROOT = Path(__file__).resolve().parents[1]
PLAN = Path("plans/ecommerce-2025.yaml")  # relative to ROOT, as a cron job in the repo names it
ACTUALS = "plans/actuals/*.csv"
AS_OF = "2025-06-30"  # a Monday: the weekly report of 2025-W26
# 2025-06-30 06:15:00 UTC, when the Monday cron job runs: the signing timestamp of the goldens.
SENT_AT = dt.datetime(2025, 6, 30, 6, 15, tzinfo=dt.timezone.utc).timestamp()


@lru_cache(maxsize=1)
def example_result() -> PlanResult:
    """``report plans/ecommerce-2025.yaml --actuals 'plans/actuals/*.csv' --as-of 2025-06-30``."""
    here = Path.cwd()
    os.chdir(ROOT)
    try:
        day = dt.date.fromisoformat(AS_OF)
        chosen = {}

        def before_read(plan):  # type: ignore[no-untyped-def]
            window = report_window("week", "last", plan, day)
            previous = previous_report_window("week", window, plan)
            chosen.update(window=window, previous=previous)
            return previous.start, max(window.end, day)

        inputs = load_inputs(PLAN, [ACTUALS], before_read=before_read)
        assert inputs.ok, inputs.diagnostics
        return build_result(
            inputs, as_of=day, kind="week", window=chosen["window"], previous=chosen["previous"]
        )
    finally:
        os.chdir(here)
