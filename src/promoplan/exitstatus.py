"""The exit status of validate and check (SPEC section 2)."""

from __future__ import annotations

from promoplan.result import Run


def exit_status(run: Run, *, strict: bool = False) -> int:
    """1 when any error (or, with ``strict``, any warning) was found, else 0."""
    counts = run.counts
    if counts["error"] or (strict and counts["warning"]):
        return 1
    return 0
