"""The plan file's schema as pydantic models (SPEC section 3).

These models are the input boundary: they check shape and types. Semantic
consistency (shares summing to 100%, quarters tiling the period ...) is checked
afterwards by :mod:`promoplan.checks`, which collects every problem.

Annotations are evaluated, not strings (see :mod:`promoplan.modeltypes`).
"""

import datetime as dt
from typing import Annotated, Literal

from pydantic import (
    BeforeValidator,
    Field,
    StrictStr,
    model_validator,
)
from pydantic_core import PydanticCustomError

from promoplan.modelactuals import ActualsSection
from promoplan.modelnotify import NotifyTarget
from promoplan.modelpacing import PacingValue
from promoplan.modeltypes import (
    BaselineValue,
    Label,
    Model,
    Notes,
    PeriodRange,
    PlanDate,
    QuantityValue,
    Where,
    Year,
    add_months,
    empty_list,
)
from promoplan.quantity import Placeholder, Quantity
from promoplan.vocabulary import (
    Agg,
    Condition,
    Direction,
    Per,
    QuarterName,
    RuleWindow,
    Severity,
    Unit,
    Units,
)

QUARTER_NAMES = ("Q1", "Q2", "Q3", "Q4")
# Keys of which a section needs exactly one (also stated in the JSON Schema).
GOAL_TARGET_KEYS = ("at_least", "at_most", "growth")
ALERT_CONDITION_KEYS: tuple[Condition, ...] = ("below", "above", "drop_over", "rise_over")
METRIC_SOURCE_KEYS = ("column", "formula", "expr")  # or none, with agg: count (rows)


class Metric(Model):
    """A base metric (``column`` or ``expr``, or rows counted), or a derived one (``formula``)."""

    column: StrictStr | None = Field(
        None, description="The actuals column this metric reads.", examples=["gmv"]
    )
    formula: StrictStr | None = Field(
        None,
        description="Derived metric: names, numbers, + - * / and parentheses.",
        examples=["gmv / spend"],
    )
    expr: StrictStr | None = Field(
        None,
        description="A value computed per row from columns before it is aggregated: "
        "column names, numbers, + - * / and parentheses.",
        examples=["conversions * revenue_per_conversion"],
    )
    agg: Agg = Field(
        "sum",
        description="How a base metric aggregates its column (last: the latest day's); "
        "count without a column counts rows.",
    )
    unit: Unit = Field("count", description="How values print and what a bare number means.")
    where: Where | None = None
    label: Label | None = None
    notes: Notes | None = None

    @model_validator(mode="after")
    def _column_or_formula(self) -> "Metric":
        given = [k for k in ("column", "formula", "expr") if getattr(self, k) is not None]
        if len(given) > 1 or (not given and self.agg != "count"):
            raise PydanticCustomError(
                "column_or_formula",
                "a metric needs exactly one of 'column', 'expr' or 'formula' "
                "(or agg: count alone, to count rows)",
            )
        if self.formula is not None and (self.where is not None or self.agg != "sum"):
            raise PydanticCustomError(
                "formula_options",
                "a formula metric takes no 'agg' or 'where'; put them on the metrics it uses",
            )
        return self


class Goal(Model):
    """A target for one metric: ``at_least``, ``at_most`` or ``growth``."""

    metric: StrictStr = Field(description="The metric id this goal measures.", examples=["gmv"])
    at_least: QuantityValue | None = Field(None, description="Target; higher is better.")
    at_most: QuantityValue | None = Field(None, description="Ceiling; lower is better.")
    growth: QuantityValue | None = Field(
        None, description="Growth over the baseline (or the same dates last year): 30%."
    )
    baseline: BaselineValue | None = Field(
        None,
        description="Where the metric starts: progress runs from baseline to target; "
        "'partial' compares a growth goal over the days whose last-year dates the actuals cover.",
    )
    per: Per | None = Field(None, description="The target applies to each such window.")
    where: Where | None = None
    pacing: PacingValue | None = None
    label: Label | None = None
    notes: Notes | None = None

    @model_validator(mode="after")
    def _one_target(self) -> "Goal":
        given = [k for k in GOAL_TARGET_KEYS if getattr(self, k) is not None]
        if len(given) != 1:
            raise PydanticCustomError(
                "one_target",
                "a goal needs exactly one of 'at_least', 'at_most' or 'growth'"
                + (f" (got {', '.join(given)})" if given else ""),
            )
        return self

    @property
    def direction(self) -> Direction:
        """``at_most`` for lower-is-better goals, ``at_least`` otherwise (growth included)."""
        return "at_most" if self.at_most is not None else "at_least"

    @property
    def target(self) -> Quantity | Placeholder:
        """The target quantity, whichever key holds it."""
        value = self.at_least or self.at_most or self.growth
        assert value is not None  # guaranteed by _one_target
        return value


def _share_shorthand(raw: object) -> object:
    """``influencers: 15%`` is short for ``influencers: {share: 15%}``."""
    if isinstance(raw, dict):
        return raw
    return {"share": raw}


class BudgetLine(Model):
    """One budget line: a share of the total, an amount, or both; maybe sub-lines."""

    share: QuantityValue | None = Field(None, description="Share of the total budget: 40%.")
    amount: QuantityValue | None = Field(None, description="Planned amount: 2000万.")
    lines: dict[StrictStr, "BudgetLineValue"] = Field(
        default_factory=dict, description="Sub-lines; their shares sum to this line's share."
    )
    label: Label | None = None
    notes: Notes | None = None


BudgetLineValue = Annotated[
    BudgetLine,
    # The schema shows the shorthand too: "influencers: 15%" is a valid line.
    BeforeValidator(_share_shorthand, json_schema_input_type=QuantityValue | BudgetLine),
]
# No BudgetLine.model_rebuild() here: that would build the model's validator at import.
# The models build on first use (defer_build), when BudgetLineValue above is defined.


class Budget(Model):
    """The budget split; every share is a share of the total."""

    total: QuantityValue | None = Field(
        None, description="The whole budget; without it only shares are checked."
    )
    spend_metric: StrictStr = Field("spend", description="The metric that measures spend.")
    lines: dict[StrictStr, BudgetLineValue] = Field(
        default_factory=dict, description="Budget lines; top-level shares sum to 100%."
    )
    pacing: PacingValue | None = None
    underspend: Severity = Field(
        "warning",
        description="Severity of a line 'behind': spent below expected x (1 - tolerance).",
    )
    unmapped_share: QuantityValue | None = Field(
        None,
        description="Spend of unmapped channels above this share of all spend is a "
        "warning (default 1%).",
        examples=["1%", "5%"],
    )
    notes: Notes | None = None


class Event(Model):
    """A campaign inside a quarter; undated festivals take their date from the calendar."""

    name: StrictStr = Field(description="The campaign's name.", examples=["618大促"])
    start: PlanDate | None = Field(None, description="First day; undated events are listed only.")
    end: PlanDate | None = Field(None, description="Last day.")
    label: Label | None = None
    notes: Notes | None = None


class Quarter(Model):
    """One quarter: theme, pacing weight, events and its own goals."""

    theme: StrictStr | None = Field(None, description="The quarter's theme.")
    weight: QuantityValue | None = Field(
        None, description="Share of the year's cumulative targets expected in this quarter."
    )
    start: PlanDate | None = Field(
        None, description="Explicit first day (default: 3-month blocks)."
    )
    end: PlanDate | None = Field(None, description="Explicit last day.")
    events: list[Event] = Field(
        default_factory=empty_list, description="Campaigns in this quarter."
    )
    goals: dict[StrictStr, Goal] = Field(
        default_factory=dict, description="Goals for this quarter only (id -> goal)."
    )
    label: Label | None = None
    notes: Notes | None = None


class AlertRule(Model):
    """A threshold rule evaluated over one window, maybe per dimension value."""

    metric: StrictStr = Field(description="The metric id this rule watches.", examples=["roi"])
    by: StrictStr | None = Field(None, description="Evaluate each value of this dimension.")
    window: RuleWindow = Field(
        "period", description="The window looked at: the last complete week, this month ..."
    )
    below: QuantityValue | None = Field(None, description="Fire when the metric is below this.")
    above: QuantityValue | None = Field(None, description="Fire when the metric is above this.")
    drop_over: QuantityValue | None = Field(
        None, description="Fire when the metric drops more than this against the previous window."
    )
    rise_over: QuantityValue | None = Field(
        None, description="Fire when the metric rises more than this against the previous window."
    )
    min: dict[StrictStr, QuantityValue] = Field(
        default_factory=dict, description="Skip groups whose named metrics fall short of these."
    )
    where: Where | None = None
    severity: Severity = Field(
        "warning", description="error fails the run; warning and info do not."
    )
    action: StrictStr | None = Field(
        None, description="What to do when it fires; carried into every output."
    )
    label: Label | None = None
    notes: Notes | None = None

    @model_validator(mode="after")
    def _one_condition(self) -> "AlertRule":
        given = [
            k for k in ("below", "above", "drop_over", "rise_over") if getattr(self, k) is not None
        ]
        if len(given) != 1:
            raise PydanticCustomError(
                "one_condition",
                "an alert needs exactly one of 'below', 'above', 'drop_over' or 'rise_over'"
                + (f" (got {', '.join(given)})" if given else ""),
            )
        return self

    @property
    def condition(self) -> Condition:
        """Which comparison the rule makes."""
        for key in ALERT_CONDITION_KEYS:
            if getattr(self, key) is not None:
                return key
        raise AssertionError("guaranteed by _one_condition")

    @property
    def threshold(self) -> Quantity | Placeholder:
        """The threshold quantity of the condition."""
        value = getattr(self, self.condition)
        assert value is not None
        return value  # type: ignore[no-any-return]  # getattr over known field names


class ReportSection(Model):
    """What the weekly report shows."""

    kpis: list[StrictStr] = Field(
        default_factory=empty_list, description="Metric ids for the headline."
    )


# A reference to an environment variable: the only way a plan names a webhook or a secret.


def _version(value: object) -> object:
    """``promoplan: true`` is no version 1, though Python's True == 1."""
    if isinstance(value, bool):
        raise PydanticCustomError("literal_error", "Input should be 1", {"expected": "1"})
    return value


class Plan(Model):
    """A whole promotion plan."""

    promoplan: Annotated[Literal[1], BeforeValidator(_version)] = Field(
        description="Format version; always 1."
    )
    name: StrictStr = Field(
        description="The plan's name, in any language.", examples=["2025 promotion plan"]
    )
    period: Year | PeriodRange = Field(
        description="A calendar year (2025) or {start, end}.",
        examples=[2025, {"start": "2025-04-01", "end": "2026-03-31"}],
    )
    currency: StrictStr = Field("CNY", description="Currency of amounts.", examples=["CNY", "USD"])
    units: Units | None = Field(
        None,
        description="How amounts and counts print: cn (5,000万, 1.2亿) or intl (50M, 120M); "
        "default cn for CNY, intl for other currencies.",
        examples=["cn", "intl"],
    )
    tolerance: QuantityValue = Field(
        default_factory=lambda: Quantity(0.10, "percent"),
        description="How far behind pace is at risk rather than off track (default 10%).",
    )
    pacing: PacingValue = "quarters"
    description: StrictStr | None = Field(None, description="Free text about the plan.")
    actuals: ActualsSection = Field(
        default_factory=ActualsSection,
        description="How actuals CSVs are read.",
    )
    metrics: dict[StrictStr, Metric] = Field(
        default_factory=dict, description="Metric id -> what the numbers mean."
    )
    goals: dict[StrictStr, Goal] = Field(
        default_factory=dict, description="Goal id -> target, for the whole period."
    )
    budget: Budget | None = Field(None, description="The budget split.")
    channels: dict[StrictStr, StrictStr] = Field(
        default_factory=dict, description="Channel value -> budget line (traffic.public)."
    )
    quarters: dict[QuarterName, Quarter] = Field(
        default_factory=dict, description="Q1..Q4: themes, pacing weights, events, quarter goals."
    )
    alerts: dict[StrictStr, AlertRule] = Field(
        default_factory=dict, description="Rule id -> threshold rule with its action."
    )
    report: ReportSection | None = Field(None, description="What the weekly report shows.")
    notify: list[NotifyTarget] = Field(
        default_factory=empty_list,
        description="Robots that report --notify plan posts to; URLs and secrets as ${NAME}.",
    )
    ignore: list[StrictStr] = Field(
        default_factory=empty_list, description="Diagnostic codes to leave out."
    )

    @property
    def span(self) -> tuple[dt.date, dt.date]:
        """The period's first and last day."""
        if isinstance(self.period, int):
            return dt.date(self.period, 1, 1), dt.date(self.period, 12, 31)
        return self.period.start, self.period.end

    def quarter_spans(self) -> dict[str, tuple[dt.date, dt.date]]:
        """Q1..Q4 with their dates: explicit ``start``/``end``, else 3-month blocks."""
        start, _ = self.span
        spans: dict[str, tuple[dt.date, dt.date]] = {}
        for index, name in enumerate(QUARTER_NAMES):
            first = add_months(start, 3 * index)
            last = add_months(start, 3 * (index + 1)) - dt.timedelta(days=1)
            quarter = self.quarters.get(name)  # type: ignore[call-overload]  # str key of a Literal dict
            if quarter is not None:
                first = quarter.start or first
                last = quarter.end or last
            spans[name] = (first, last)
        return spans
