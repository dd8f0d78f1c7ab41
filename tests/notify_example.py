"""The example plan's weekly report as a result, for the notification tests (fixed as-of)."""

from __future__ import annotations

import datetime as dt
import os
from functools import lru_cache
from pathlib import Path

from promoplan.commands import report as command
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
        job = command.prepare(
            PLAN,
            [ACTUALS],
            fmt="markdown",
            as_of=AS_OF,
            week=None,
            month=None,
            quarter=None,
            output=None,
            fail_on="never",
        )
        outcome = command.evaluate_report(job)
        assert outcome.run is not None, outcome.failures
        return outcome.run.plans[0]
    finally:
        os.chdir(here)
