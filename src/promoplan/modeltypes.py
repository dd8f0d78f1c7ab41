"""The building blocks of the plan's models: quantities, dates, labels, the strict base model.

:mod:`promoplan.model` assembles the plan's sections from these.

The model modules (this one, ``model``, ``modelnotify``, ``modelpacing``) leave
their annotations evaluated, without ``from __future__ import annotations``: as
strings, pydantic compiles and evaluates every field's annotation again when the
class is created, at every start-up (about a hundred fields). A name defined
further down (a model's own class in its validators' return annotations) is
written in quotes.
"""

import datetime as dt
import re
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    StrictInt,
    StrictStr,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

from promoplan.quantity import Placeholder, Quantity, QuantityError, parse_quantity


def _validate_quantity(raw: object) -> Quantity | Placeholder:
    if isinstance(raw, (Quantity, Placeholder)):
        return raw
    try:
        return parse_quantity(raw)
    except QuantityError as exc:
        # The error type "quantity" is how schema errors become PP004.
        raise PydanticCustomError("quantity", str(exc)) from None


def _serialize_quantity(value: Quantity | Placeholder) -> float | str:
    return value.text if isinstance(value, Placeholder) else value.value


QUANTITY_JSON_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"type": "number"},
        {
            "type": "string",
            "pattern": r"^\s*[^\s].*$",
            "description": '35%, "1:3", 5000万, 1.2亿, 1.5M, ￥2,000, or a placeholder '
            "(X, X万, TBD, 待定, ?)",
        },
    ],
    "examples": ["35%", "1:3", "5000万", 45, "X万"],
}


class ParsedBy:
    """A field read by one function and written back by another, as pydantic metadata.

    What ``PlainValidator`` and ``PlainSerializer`` do together, without what they
    add: both first build pydantic's schema of the annotated type (here the
    ``Quantity`` and ``Placeholder`` dataclasses, which pydantic never validates
    against) and of the serializer's return annotation, once per field, in each
    run's model build. The JSON Schema is given beside it (``WithJsonSchema``).
    """

    def __init__(self, parse: Callable[[Any], Any], write: Callable[[Any], Any]) -> None:
        self.parse, self.write = parse, write

    def __get_pydantic_core_schema__(
        self, source: object, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        """``parse`` validates, ``write`` serializes; nothing derived from ``source``."""
        return core_schema.no_info_plain_validator_function(
            self.parse,
            serialization=core_schema.plain_serializer_function_ser_schema(self.write),
        )


QuantityValue = Annotated[
    Quantity | Placeholder,
    ParsedBy(_validate_quantity, _serialize_quantity),
    WithJsonSchema(QUANTITY_JSON_SCHEMA),
]

PARTIAL_BASELINE = "partial"  # ``baseline: partial``: the covered part, like for like


def _validate_baseline(raw: object) -> Quantity | Placeholder | str:
    if raw == PARTIAL_BASELINE:
        return PARTIAL_BASELINE
    return _validate_quantity(raw)


def _serialize_baseline(value: Quantity | Placeholder | str) -> float | str:
    return value if isinstance(value, str) else _serialize_quantity(value)


BaselineValue = Annotated[
    Quantity | Placeholder | str,
    ParsedBy(_validate_baseline, _serialize_baseline),
    WithJsonSchema(
        {
            "anyOf": [QUANTITY_JSON_SCHEMA, {"const": PARTIAL_BASELINE}],
            "description": "A value (4%), or 'partial': compare a growth goal with the "
            "part of last year's dates the actuals hold",
        }
    ),
]

Label = Annotated[StrictStr, Field(description="Shown instead of the id.")]
Notes = Annotated[StrictStr, Field(description="Free text, e.g. the source plan's wording.")]
WhereValue = StrictStr | StrictInt | list[StrictStr | StrictInt]
Where = Annotated[
    dict[StrictStr, WhereValue],
    Field(
        description="Keep rows whose dimension is one of the values: {channel: [douyin, kuaishou]}."
    ),
]


class Model(BaseModel):
    """Base for every plan section: unknown keys are errors, no NaN or infinity.

    The validators are built on first use (``defer_build``), not at import: validating a
    ``Plan`` builds one validator for the whole plan, where building every section's at
    import took a model build each (about 45 ms of ``validate``'s start-up).
    """

    model_config = ConfigDict(
        extra="forbid", frozen=True, allow_inf_nan=False, strict=False, defer_build=True
    )


def empty_list() -> list[Any]:
    """A list field's ``default_factory``, in place of ``list``.

    pydantic reads a factory's signature when it builds the model, and ``list``'s is
    a text signature that ``inspect`` parses with the tokenizer: its first use
    compiles the tokenizer's regular expressions (a few ms of every run).
    """
    return []


def _date_not_number(raw: object) -> object:
    """Dates are written 2025-01-31; a bare number is not read as a Unix timestamp."""
    if isinstance(raw, (int, float)):
        raise PydanticCustomError("date_type", "expected a date like 2025-01-31")
    return raw


PlanDate = Annotated[dt.date, BeforeValidator(_date_not_number)]

# Years a plan period may fall in: quarters and last year's baseline stay valid dates.
FIRST_YEAR, LAST_YEAR = 1900, 2999
Year = Annotated[StrictInt, Field(ge=FIRST_YEAR, le=LAST_YEAR)]


class PeriodRange(Model):
    """A plan period that is not a calendar year."""

    start: PlanDate = Field(description="First day of the period.", examples=["2025-04-01"])
    end: PlanDate = Field(description="Last day of the period.", examples=["2026-03-31"])

    @model_validator(mode="after")
    def _plausible_years(self) -> "PeriodRange":
        if not all(FIRST_YEAR <= day.year <= LAST_YEAR for day in (self.start, self.end)):
            raise PydanticCustomError(
                "period_years", f"the period must lie within the years {FIRST_YEAR} to {LAST_YEAR}"
            )
        return self


# The strptime directives the actuals engine (DuckDB) reads; a format with any other
# fails on the first CSV, so validate checks it against these.
DATE_DIRECTIVES = frozenset("aAbBcdfgGhHIjmMnpSTuUVwWxXyYzZ%")
DATE_DIRECTIVES_DASHED = frozenset("djmyHIMS")  # %-d: without a leading zero
_DIRECTIVE_RE = re.compile(r"%(-?)(.?)", re.DOTALL)


_YEAR_DIRECTIVES = frozenset("YyGgcx")  # a date needs its year (%c and %x hold one)


def _known_directives(value: str) -> str:
    """``actuals.date_format``: every ``%`` starts a directive the engine knows, and the
    format has a year (``%H:%M`` or ``%d/%m`` can never read as a date of the plan)."""
    if not value.strip():
        raise PydanticCustomError(
            "strptime_format",
            "date_format is empty; leave it out for ISO dates (2025-01-31), or write the "
            "export's format, such as %d/%m/%Y",
        )
    directives = set()
    for match in _DIRECTIVE_RE.finditer(value):
        dash, char = match.groups()
        if not char:
            raise PydanticCustomError(
                "strptime_format", "date_format ends with a lone '%'; write %% for a percent sign"
            )
        if char not in (DATE_DIRECTIVES_DASHED if dash else DATE_DIRECTIVES):
            raise PydanticCustomError(
                "strptime_format",
                "unknown directive {directive} in date_format; use strptime directives "
                "such as %d, %m, %Y, %H, %M, %S (%% for a percent sign)",
                {"directive": match.group()},
            )
        directives.add(char)
    if not directives & _YEAR_DIRECTIVES:
        raise PydanticCustomError(
            "strptime_format",
            "date_format {format} has no year, so no cell can read as a date; add %Y "
            "(2025) or %y (25)",
            {"format": repr(value)},
        )
    return value


DateFormat = Annotated[StrictStr, AfterValidator(_known_directives)]


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day-of-month ``months`` later, clamped to the month's end."""
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")
