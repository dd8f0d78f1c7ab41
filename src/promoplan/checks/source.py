"""Source check PP141: a plan's ``actuals.source`` that cannot be read wherever the plan runs.

``validate``, the pre-commit hook and ``check`` (before it connects) say so at the
URL's line and column, so that a password typed into a committed plan is caught
before the commit. Only what the
text decides is checked here; the host allowed (``PROMOPLAN_SOURCE_HOSTS``) and
a ``${ENV_VAR}`` being set are the environment's, checked where ``check`` runs.
"""

from __future__ import annotations

from collections.abc import Iterator

from promoplan.checks.finding import Finding
from promoplan.model import Plan


def check_actuals_source(plan: Plan) -> Iterator[Finding]:
    """PP141: ``actuals.source`` is a URL promoplan can read, with no password or path in it.

    Fails (a password in a committed file)::

        actuals:
          source: postgresql://reader:s3cret@db.internal/shop
          table: sales.daily
    """
    source = plan.actuals.source
    if source is None:
        return
    # Parsing URLs only for a plan that names one (urls.py: the standard library).
    from promoplan.actuals.warehouse.plansource import plan_source_problem  # noqa: PLC0415
    from promoplan.actuals.warehouse.urls import PlanSecretProblem  # noqa: PLC0415

    problem = plan_source_problem(source, plan.actuals.table)
    if problem is None:
        return
    if isinstance(problem, PlanSecretProblem):  # its message starts "actuals.source ..."
        yield Finding(
            "PP141",
            str(problem),
            ("actuals", "source"),
            hint=problem.hint,
        )
        return
    yield Finding(
        "PP141",
        f"actuals.source: {problem}",
        ("actuals", "source"),
        hint="a source is postgresql://user@host:5432/db or sc://host:15002, with the table in "
        "actuals.table (or ?table=)",
    )
