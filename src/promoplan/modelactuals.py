"""The plan's ``actuals:`` section as pydantic models: how actuals are read.

Annotations are evaluated, not strings (see :mod:`promoplan.modeltypes`).
"""

from pydantic import Field, StrictStr, model_validator
from pydantic_core import PydanticCustomError

from promoplan.modeltypes import DateFormat, Model
from promoplan.vocabulary import Grain, LayoutName, WeekStart


class Unpivot(Model):
    """Columns that each carry one value of a dimension, read as rows of that dimension."""

    dimension: StrictStr = Field(
        description="The dimension the column names carry.", examples=["channel"]
    )
    measures: dict[StrictStr, StrictStr | dict[StrictStr, StrictStr]] = Field(
        description='Measure -> a pattern ("{channel}_S": every header that matches gives one '
        "value) or value -> column header, one by one.",
        examples=[{"spend": "{channel}_S", "impressions": {"facebook": "facebook_I"}}],
    )

    @model_validator(mode="after")
    def _patterns_name_the_dimension(self) -> "Unpivot":
        slot = "{" + self.dimension + "}"
        for measure, how in self.measures.items():
            if isinstance(how, str) and how.count(slot) != 1:
                raise PydanticCustomError(
                    "unpivot_pattern",
                    f"the pattern of {measure!r} must hold {slot} once, where the value goes",
                )
        return self


class ActualsSection(Model):
    """How actuals files (CSV, compressed CSV, Excel, Parquet) are read."""

    date: StrictStr = Field("date", description="The date column's header.")
    grain: Grain = Field(
        "daily",
        description="daily: one row per date and dimension values; weekly: one per week, dated "
        "by its first day; monthly: one per calendar month, dated by any day in it; "
        "rows: order-level rows.",
    )
    week_start: WeekStart = Field("monday", description="The first day of a week of weekly rows.")
    date_format: DateFormat | None = Field(
        None, description="strftime format for day- or month-first dates, e.g. %d/%m/%Y."
    )
    dimensions: dict[StrictStr, StrictStr] = Field(
        default_factory=dict, description="Dimension name -> column header."
    )
    source: StrictStr | None = Field(
        None,
        description="Read actuals from a database instead of --actuals files: "
        "postgresql://user@host:5432/db or sc://host:15002 "
        "(no password; ${ENV_VAR} may stand for one).",
        examples=["postgresql://reader@db.internal:5432/shop"],
    )
    table: StrictStr | None = Field(
        None,
        description="The table (or view) source reads: table, schema.table.",
        examples=["sales.daily"],
    )
    sheet: StrictStr | None = Field(
        None, description="The workbook sheet to read (Excel, OpenDocument); default: the first."
    )
    unpivot: Unpivot | None = Field(
        None,
        description="Columns that carry one dimension value each (one spend column per channel).",
    )
    layout: LayoutName = Field(
        "wide",
        description="wide: one column per number; long: one row per date, dimension values "
        "and metric, the metric's name in metric_column and its number in value_column.",
    )
    metric_column: StrictStr = Field(
        "metric", description="long layout: the column naming each row's metric."
    )
    value_column: StrictStr = Field(
        "value", description="long layout: the column holding each row's number."
    )

    @model_validator(mode="after")
    def _long_has_no_unpivot(self) -> "ActualsSection":
        if self.layout == "long" and self.unpivot is not None:
            raise PydanticCustomError(
                "long_unpivot",
                "a long table has one row per metric already; drop unpivot or use layout: wide",
            )
        return self
