"""SQL text for one dialect and the values bound with it: what rendering a cube query gives.

:mod:`promoplan.actuals.warehouse.query` renders it with sqlglot;
:mod:`promoplan.actuals.warehouse.rendered` keeps it between runs. Neither the
type nor its users here import sqlglot.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

Dialect = Literal["postgres", "duckdb", "spark", "bigquery", "snowflake", "trino"]
Value = dt.date | Decimal | str


@dataclass(frozen=True)
class Rendered:
    """SQL text for one dialect and the values to bind with it."""

    dialect: Dialect
    sql: str
    parameters: dict[str, Value] | tuple[Value, ...]
