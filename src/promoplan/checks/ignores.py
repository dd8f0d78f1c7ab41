"""The plan's own ``ignore:`` list: warnings and infos only (PP126), codes that exist (PP129).

A plan that could list an error code would let a pull request switch off its own
CI gate; errors are silenced only on the command line (``--ignore``), where the
pipeline's owner decides.
"""

from __future__ import annotations

from collections.abc import Iterator

from promoplan.checks.finding import Finding
from promoplan.diagnostics import CODES, closest_code
from promoplan.model import Plan


def check_plan_ignores(plan: Plan) -> Iterator[Finding]:
    """PP126: an error code in the plan's ``ignore:``.

    Fails::

        ignore: [PP101]
    """
    for index, code in enumerate(plan.ignore):
        known = CODES.get(code.upper())
        if known is not None and known[0] == "error":
            yield Finding(
                "PP126",
                f"ignore lists {code}, an error; a plan may ignore only warnings and infos",
                ("ignore", index),
                f"pass --ignore {code} on the command line instead, where the pipeline "
                "is configured",
            )


def check_unknown_ignores(plan: Plan) -> Iterator[Finding]:
    """PP129 (warning): a code in the plan's ``ignore:`` that promoplan does not have.

    Fails (a typo silences nothing)::

        ignore: [PA0111]
    """
    for index, code in enumerate(plan.ignore):
        if code.strip().upper() not in CODES:
            meant = closest_code(code)
            yield Finding(
                "PP129",
                f"ignore lists {code}, which is no promoplan diagnostic code; it silences nothing",
                ("ignore", index),
                f"did you mean {meant}?" if meant else "the README lists the codes",
            )
