"""``promoplan test FILE_OR_DIR...``: run the tests of test files against their plans."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from promoplan.plantest.result import PlanTestRun


def run_test(paths: Sequence[Path], *, select: str | None) -> PlanTestRun:
    """Every test (those whose name matches ``select``) of every test file under ``paths``."""
    from promoplan.plantest.runner import run_tests  # noqa: PLC0415  # DuckDB on use

    return run_tests(paths, select=select)
