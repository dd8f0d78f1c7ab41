"""The test file's schema as pydantic models: the input boundary of ``promoplan test``.

A test file (``*.test.yaml``)::

    promoplan_test: 1
    plan: ../ecommerce-2025.yaml          # relative to the test file
    tests:
      - name: kuaishou ROI 1:2.2 in Q2 trips low_roi
        actuals: [fixtures/kuaishou-roi-2.2.csv]
        as_of: 2025-06-29
        period: Q2
        rules: [low_roi]
        expect_alerts:
          - {rule: low_roi, group: {channel: kuaishou}, window: 2025-Q2, value: 2.2}

Unknown keys are errors, as in plans; numbers are quantities (``2.2``,
``"1:2.2"``, ``28%``, ``600万``) but never placeholders.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    StrictBool,
    StrictInt,
    StrictStr,
    model_validator,
)
from pydantic_core import PydanticCustomError

from promoplan.modeltypes import PlanDate
from promoplan.quantity import Placeholder, QuantityError, parse_quantity
from promoplan.vocabulary import BudgetCondition, BudgetStatus, Condition, GoalStatus, Severity


def _number(raw: object) -> float:
    """A quantity as written in plans, but a placeholder is not a number to compare with."""
    try:
        parsed = parse_quantity(raw)
    except QuantityError as exc:
        raise PydanticCustomError("quantity", str(exc)) from None
    if isinstance(parsed, Placeholder):
        raise PydanticCustomError(
            "quantity", f"{parsed.text!r} is a placeholder; an expectation needs a number"
        )
    return parsed.value


Number = Annotated[float, PlainValidator(_number)]


def _tolerance(raw: object) -> float:
    value = _number(raw)
    if value < 0:
        raise PydanticCustomError("quantity", f"a tolerance cannot be negative, got {raw!r}")
    return value


# Relative: 1e-9 (the default) lets 2.2 match 2200 / 1000 whatever the rounding.
Tolerance = Annotated[float, PlainValidator(_tolerance)]


def _period_text(raw: object) -> str:
    """``period: 2025`` is read by YAML as a number; it names the window ``2025`` all the same."""
    if isinstance(raw, bool) or not isinstance(raw, (str, int)):
        raise PydanticCustomError("string_type", "expected text")
    return str(raw)


PeriodText = Annotated[str, PlainValidator(_period_text)]


class _Model(BaseModel):
    """Unknown keys are errors, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class ExpectedAlert(_Model):
    """An alert that must fire; it matches an actual alert on the fields it names."""

    rule: StrictStr | None = None
    group: dict[StrictStr, StrictStr | StrictInt] | None = None
    window: StrictStr | None = None
    severity: Severity | None = None
    value: Number | None = None
    threshold: Number | None = None
    metric: StrictStr | None = None
    condition: Condition | BudgetCondition | None = None
    action: StrictStr | None = None
    label: StrictStr | None = None


class ExpectedGoal(_Model):
    """A goal's expected standing: its status and any of its numbers."""

    status: GoalStatus | None = None
    actual: Number | None = None
    target: Number | None = None
    expected: Number | None = None
    baseline: Number | None = None
    progress: Number | None = None
    projection: Number | None = None


class ExpectedBudget(_Model):
    """A budget line's expected standing: its status and any of its amounts."""

    status: BudgetStatus | None = None
    spent: Number | None = None
    planned: Number | None = None
    expected: Number | None = None
    remaining: Number | None = None
    share: Number | None = None
    used: Number | None = None
    spent_share: Number | None = None


class Case(_Model):
    """One test: fixture actuals, the pinned date and window, and what must come out."""

    name: Annotated[StrictStr, Field(min_length=1)]
    actuals: list[StrictStr] = Field(default_factory=list)
    rows: StrictStr | None = None
    as_of: PlanDate | None = None
    period: PeriodText | None = None
    rules: list[StrictStr] | None = None
    expect_alerts: list[ExpectedAlert] | None = None
    expect_goals: dict[StrictStr, GoalStatus | ExpectedGoal] | None = None
    expect_budget: dict[StrictStr, BudgetStatus | ExpectedBudget] | None = None
    strict: StrictBool = False
    tolerance: Tolerance | None = None
    notes: StrictStr | None = None

    @model_validator(mode="after")
    def _runnable(self) -> Case:
        if not self.actuals and self.rows is None:
            raise PydanticCustomError(
                "needs_actuals",
                "a test needs fixture data: actuals: [file.csv, ...] or inline rows:",
            )
        if self.expect_alerts is None and not self.expect_goals and not self.expect_budget:
            # A test that expects nothing cannot fail.
            raise PydanticCustomError(
                "needs_expectation",
                "a test needs something to check: expect_alerts, expect_goals or expect_budget",
            )
        checks = self.expect_alerts or self.expect_goals or self.expect_budget
        if self.rules == [] and not checks:  # no rule's alerts compared, and nothing else
            raise PydanticCustomError(
                "needs_expectation",
                "rules: [] compares no rule's alerts, so the test checks nothing: name "
                "the rules to compare, or leave rules out for every rule",
            )
        return self


class Suite(_Model):
    """A whole test file: the plan under test and its tests."""

    promoplan_test: Literal[1]
    plan: Annotated[StrictStr, Field(min_length=1)]
    tolerance: Tolerance | None = None
    tests: Annotated[list[Case], Field(min_length=1)]
