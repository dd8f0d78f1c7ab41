"""The daily-cube query as a sqlglot expression, rendered per dialect with bound parameters.

One ``GROUP BY`` over typed columns: the date (cast to a date when it is a
timestamp), the dimensions the plan uses, and per measure column the sum, the
count of non-NULL values and, where a ``min``/``max`` metric needs them, the
minimum and maximum; ``COUNT(*)`` per group finds repeated rows. Rows outside
the dates kept are filtered in ``WHERE``. Identifiers are quoted by sqlglot;
the dates are bound parameters, in each driver's placeholder style. No SQL
text comes from the plan.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Literal

from sqlglot import exp

from promoplan.actuals.warehouse.urls import TableName

Dialect = Literal["postgres", "duckdb", "spark", "bigquery", "snowflake", "trino"]
DIALECTS: tuple[Dialect, ...] = ("postgres", "duckdb", "spark", "bigquery", "snowflake", "trino")
# Drivers of these dialects take positional ``?`` parameters (trino's and
# snowflake's qmark style); the others bind by name.
_POSITIONAL: frozenset[str] = frozenset({"snowflake", "trino"})


@dataclass(frozen=True)
class CubeQuery:
    """What the cube query reads: the table, its typed columns and the dates kept."""

    table: TableName
    date_column: str
    date_is_timestamp: bool  # cast to DATE in SELECT and GROUP BY
    dimensions: tuple[str, ...]  # column names, in the spec's order (present ones only)
    measures: tuple[str, ...]  # column names (present ones only)
    extrema: tuple[bool, ...]  # aligned with measures: select MIN and MAX too
    keep_from: dt.date | None
    keep_to: dt.date | None
    limit: int | None = None  # at most this many rows come back

    def columns_out(self) -> int:
        """How many columns a result row has."""
        return 2 + len(self.dimensions) + sum(4 if e else 2 for e in self.extrema)


@dataclass(frozen=True)
class Rendered:
    """SQL text for one dialect and the values to bind with it."""

    dialect: Dialect
    sql: str
    parameters: dict[str, dt.date] | tuple[dt.date, ...]


def _ident(name: str) -> exp.Column:
    return exp.column(exp.to_identifier(name, quoted=True))


def _alias(expression: exp.Expression, name: str) -> exp.Alias:
    return exp.Alias(this=expression, alias=exp.to_identifier(name, quoted=True))


def cube_expression(query: CubeQuery) -> tuple[exp.Select, tuple[tuple[str, dt.date], ...]]:
    """The cube query with named placeholders, and the values they stand for in order."""
    date = _ident(query.date_column)
    day: exp.Expression = (
        exp.cast(date.copy(), exp.DataType.build("DATE"))
        if query.date_is_timestamp
        else date.copy()
    )
    dims = [_ident(c) for c in query.dimensions]
    selects: list[exp.Expression] = [_alias(day, "day")]
    selects += [_alias(d, f"k{j}") for j, d in enumerate(dims)]
    selects.append(_alias(exp.Count(this=exp.Star()), "n"))
    for j, (column, extrema) in enumerate(zip(query.measures, query.extrema, strict=True)):
        value = _ident(column)
        selects.append(_alias(exp.Sum(this=value.copy()), f"s{j}"))
        selects.append(_alias(exp.Count(this=value.copy()), f"c{j}"))
        if extrema:
            selects.append(_alias(exp.Min(this=value.copy()), f"lo{j}"))
            selects.append(_alias(exp.Max(this=value.copy()), f"hi{j}"))
    conditions: list[exp.Expression] = [
        exp.Not(this=exp.Is(this=date.copy(), expression=exp.Null()))
    ]
    values: list[tuple[str, dt.date]] = []
    if query.keep_from is not None:
        conditions.append(exp.GTE(this=date.copy(), expression=exp.Placeholder(this="keep_from")))
        values.append(("keep_from", query.keep_from))
    if query.keep_to is not None:
        # Before the next day, so that a timestamp column keeps the whole last day
        # and the comparison stays on the bare column (an index can serve it).
        conditions.append(exp.LT(this=date.copy(), expression=exp.Placeholder(this="keep_until")))
        values.append(("keep_until", query.keep_to + dt.timedelta(days=1)))
    table = exp.table_(
        exp.to_identifier(query.table.name, quoted=True),
        db=exp.to_identifier(query.table.schema, quoted=True) if query.table.schema else None,
        catalog=exp.to_identifier(query.table.catalog, quoted=True)
        if query.table.catalog
        else None,
    )
    select = (
        exp.select(*selects)
        .from_(table)
        .where(exp.and_(*conditions))
        .group_by(day.copy(), *[d.copy() for d in dims])
    )
    if query.limit is not None:
        select = select.limit(query.limit)
    return select, tuple(values)


def render(query: CubeQuery, dialect: Dialect) -> Rendered:
    """The cube query as ``dialect`` SQL with its parameters (a dict, or a tuple for ``?``)."""
    select, values = cube_expression(query)
    if dialect in _POSITIONAL:
        # Placeholders appear in WHERE in the order they were added (keep_from, keep_until).
        for node in select.find_all(exp.Placeholder):
            node.replace(exp.Placeholder())
        return Rendered(dialect, select.sql(dialect=dialect), tuple(v for _, v in values))
    if dialect == "postgres":
        return Rendered(dialect, _pyformat(select), dict(values))
    return Rendered(dialect, select.sql(dialect=dialect), dict(values))


def _pyformat(select: exp.Select) -> str:
    """PostgreSQL SQL for psycopg's ``%(name)s`` style: every other ``%`` doubled.

    psycopg substitutes placeholders in the text, so a ``%`` inside a quoted
    identifier (a column named ``a%b``) must be escaped. The placeholders are
    first given names no identifier can hold (a random marker), so escaping and
    restoring them cannot touch the text of an identifier.
    """
    marker = "p" + secrets.token_hex(8)
    names = []
    for node in select.find_all(exp.Placeholder):
        names.append(node.name)
        node.set("this", f"{marker}_{node.name}")
    text = select.sql(dialect="postgres").replace("%", "%%")
    for name in names:
        text = text.replace(f"%%({marker}_{name})s", f"%({name})s")
    return text


def table_sql(table: TableName, dialect: Dialect) -> str:
    """The table's name, quoted for ``dialect`` (PostgreSQL's ``to_regclass`` takes this text)."""
    return exp.table_(
        exp.to_identifier(table.name, quoted=True),
        db=exp.to_identifier(table.schema, quoted=True) if table.schema else None,
        catalog=exp.to_identifier(table.catalog, quoted=True) if table.catalog else None,
    ).sql(dialect=dialect)
