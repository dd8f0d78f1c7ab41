"""The daily-cube query as a sqlglot expression, rendered per dialect with bound parameters.

One ``GROUP BY`` over typed columns: the date (cast to a date when it is a
timestamp, truncated to its month for ``grain: monthly``), the dimensions the
plan uses, and per measure the sum, the count of non-NULL values where a mean
or a count reads it (elsewhere a row holds a value where the sum is not NULL;
a column whose cells are only counted has no sum) and, where a ``min``/``max``
metric needs them, the minimum and maximum; ``COUNT(*)`` per group finds
repeated rows. A measure is a column, or a row-level ``expr``
computed per row as the file engine computes it (operands as DOUBLE, a division
by zero is NULL, the row's value rounded to 4 places). With ``unpivot`` the
grouped rows are a CTE read once per dimension value (``UNION ALL``): each
branch carries the value (a bound parameter) and the measures read from that
value's columns. A long table (one row per metric) is grouped by its metric
column too, its value column the one measure, and only the rows of the metrics
read are kept (their names bound in ``WHERE``); the result is pivoted in Python.
Rows outside the dates kept are filtered in ``WHERE``.
Identifiers are quoted by sqlglot; dates, the numbers of an ``expr``, the
unpivoted values and a long table's metric names are bound parameters, in each
driver's placeholder style. No
SQL text comes from the plan.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import unicodedata
from collections.abc import Callable

from sqlglot import exp

from promoplan.actuals.warehouse.cubequery import OTHER_SQL, SPACES, CubeQuery, Parts
from promoplan.actuals.warehouse.sqltext import Dialect, Rendered, Value
from promoplan.actuals.warehouse.tablenames import TableName
from promoplan.formula import Name, Negate, Node, Number, Product, Sum

DIALECTS: tuple[Dialect, ...] = ("postgres", "duckdb", "spark", "bigquery", "snowflake", "trino")
# Drivers of these dialects take positional ``?`` parameters (trino's and
# snowflake's qmark style); the others bind by name.
_POSITIONAL: frozenset[str] = frozenset({"snowflake", "trino"})
_ROUNDED = "DECIMAL(38, 4)"  # an expr's value per row, as the file engine keeps it
_GROUPED = "g"  # the CTE of the grouped rows, under unpivot


def _ident(name: str, table: str | None = None) -> exp.Column:
    return exp.column(
        exp.to_identifier(name, quoted=True),
        table=exp.to_identifier(table, quoted=True) if table else None,
    )


def _alias(expression: exp.Expression, name: str) -> exp.Alias:
    return exp.Alias(this=expression, alias=exp.to_identifier(name, quoted=True))


class _Values:
    """The bound values of one query, each under a placeholder name of its own."""

    def __init__(self) -> None:
        self.items: list[tuple[str, Value]] = []

    def bind(self, prefix: str, value: Value) -> exp.Placeholder:
        name = f"{prefix}{len(self.items)}" if prefix in ("e", "m", "u", "v") else prefix
        self.items.append((name, value))
        return exp.Placeholder(this=name)


def _double(expression: exp.Expression) -> exp.Cast:
    return exp.cast(expression, exp.DataType.build("DOUBLE"))


def formula_expression(
    node: Node, values: _Values, column: Callable[[str], str] = str
) -> exp.Expression:
    """A parsed ``expr`` over columns as a sqlglot expression, per row.

    Operands are the columns (quoted) cast to DOUBLE and numbers are bound
    parameters cast to DOUBLE, so a row's product keeps its digits until the
    value is rounded; a missing operand gives NULL, so does a division by zero.
    """
    if isinstance(node, Name):
        return _double(_ident(column(node.name)))
    if isinstance(node, Number):
        return _double(values.bind("e", node.value))
    if isinstance(node, Negate):
        return exp.Paren(this=exp.Neg(this=formula_expression(node.operand, values, column)))
    result = formula_expression(node.first, values, column)
    for op, item in node.rest:
        right = formula_expression(item, values, column)
        if isinstance(node, Sum):
            result = (exp.Add if op == "+" else exp.Sub)(this=result, expression=right)
        elif op == "*":
            result = exp.Mul(this=result, expression=right)
        else:
            zero = exp.Nullif(this=right, expression=exp.Literal.number(0))
            result = exp.Div(this=result, expression=zero)
    assert isinstance(node, Sum | Product)
    return exp.Paren(this=result)


_AGGREGATES: dict[str, type[exp.Expression]] = {
    "s": exp.Sum,
    "c": exp.Count,
    "lo": exp.Min,
    "hi": exp.Max,
}


def _aggregates(value: exp.Expression, j: int, parts: Parts) -> list[exp.Expression]:
    return [_alias(_AGGREGATES[part](this=value.copy()), f"{part}{j}") for part in parts]


def _day(query: CubeQuery) -> exp.Expression:
    day: exp.Expression = _ident(query.table_column(query.date_column))
    if query.date_is_timestamp:
        day = exp.cast(day, exp.DataType.build("DATE"))
    if query.period == "month":
        # DateTrunc's own __init__ (it normalises the unit) has no annotations.
        month = exp.DateTrunc(this=day, unit=exp.var("MONTH"))  # type: ignore[no-untyped-call]
        day = exp.cast(month, exp.DataType.build("DATE"))
    return day


def _trimmed(value: exp.Expression) -> exp.Expression:
    """A dimension value trimmed as the CSV engine trims it, NULL when nothing is left."""
    trim = exp.Trim(this=value, expression=exp.Literal.string(SPACES), position="BOTH")
    return exp.Nullif(this=trim, expression=exp.Literal.string(""))


def _grouped(query: CubeQuery, values: _Values) -> exp.Select:
    """The one scan: rows grouped by date and dimension values."""
    column = query.table_column
    date = _ident(column(query.date_column))
    day = _day(query)
    dims = [_ident(column(c)) for c in (*query.dimensions, *query.folded)]
    selects: list[exp.Expression] = [_alias(day, "day")]
    selects += [_alias(d, f"k{j}") for j, d in enumerate(dims)]
    selects.append(_alias(exp.Count(this=exp.Star()), "n"))
    parts = query.grouped_parts()
    for j, measure in enumerate(query.measures):
        selects += _aggregates(_ident(column(measure)), j, parts[j])
    for j, row in enumerate(query.exprs, start=len(query.measures)):
        rounded = exp.DataType.build(_ROUNDED)
        value = exp.cast(formula_expression(row.formula, values, column), rounded)
        selects += _aggregates(value, j, parts[j])
    conditions: list[exp.Expression] = [
        exp.Not(this=exp.Is(this=date.copy(), expression=exp.Null()))
    ]
    if query.keep_from is not None:
        conditions.append(
            exp.GTE(this=date.copy(), expression=values.bind("keep_from", query.keep_from))
        )
    if query.keep_to is not None:
        # Before the next day, so that a timestamp column keeps the whole last day
        # and the comparison stays on the bare column (an index can serve it).
        until = query.keep_to + dt.timedelta(days=1)
        conditions.append(exp.LT(this=date.copy(), expression=values.bind("keep_until", until)))
    if query.long is not None:
        # Only the metrics read: the name as the file engine reads a key (trimmed; the
        # cube reads it in NFC), each name bound composed and decomposed.
        text = exp.DataType.build("VARCHAR")
        metric = _trimmed(exp.cast(dims[len(query.dimensions) - 1].copy(), text))
        forms = dict.fromkeys(
            form for name in query.long.names for form in (name, unicodedata.normalize("NFD", name))
        )
        conditions.append(exp.In(this=metric, expressions=[values.bind("m", f) for f in forms]))
    return (
        exp.select(*selects)
        .from_(_table(query.table))
        .where(exp.and_(*conditions))
        .group_by(day.copy(), *[d.copy() for d in dims])
    )


def _kept(key: exp.Expression, names: tuple[str, ...], values: _Values) -> exp.Expression:
    """``key`` where it is missing or one of ``names`` (bound), else OTHER_SQL."""
    named = exp.In(this=key.copy(), expressions=[values.bind("v", n) for n in names])
    keep = exp.or_(exp.Is(this=key.copy(), expression=exp.Null()), named)
    return exp.Case(ifs=[exp.If(this=keep, true=key)], default=values.bind("other", OTHER_SQL))


_ADD: dict[str, type[exp.Expression]] = {"s": exp.Sum, "c": exp.Sum, "lo": exp.Min, "hi": exp.Max}


def _regrouped(
    query: CubeQuery,
    rows: exp.Select,
    source: str,
    keys: list[exp.Expression],
    tail: list[exp.Expression],
) -> exp.Select:
    """Grouped ``rows`` (read as ``source``) grouped again by the date and ``keys``: row
    counts, sums and counts add, extremes widen; then the ``tail`` of aggregates."""
    selects: list[exp.Expression] = [_alias(_ident("day", source), "day")]
    selects += [_alias(key, f"k{j}") for j, key in enumerate(keys)]
    selects.append(_alias(exp.Sum(this=_ident("n", source)), "n"))
    for j, parts in enumerate(query.grouped_parts()):
        selects += [
            _alias(_ADD[part](this=_ident(f"{part}{j}", source)), f"{part}{j}") for part in parts
        ]
    return (
        exp.select(*selects, *tail)
        .from_(exp.alias_(exp.Subquery(this=rows), source, quoted=True))
        .group_by(_ident("day", source), *[key.copy() for key in keys])
    )


def _trimmed_keys(query: CubeQuery, grouped: exp.Select) -> exp.Select:
    """The groups grouped again by every key as text, trimmed as the file engine trims
    it: values equal once trimmed are one group (once per group, not per row)."""
    text = exp.DataType.build("VARCHAR")
    width = len(query.dimensions) + len(query.folded)
    keys = [_trimmed(exp.cast(_ident(f"k{j}", "r"), text)) for j in range(width)]
    return _regrouped(query, grouped, "r", keys, [])


def _summed_over(query: CubeQuery, trimmed: exp.Select, values: _Values) -> exp.Select:
    """The trimmed groups summed over the folded dimensions and the values not kept; with
    the groups summed (``g``), the repeated ones among them (``r``) and, for one folded
    dimension, its least repeated value (``f``)."""
    source = "t"
    kept = dict(query.kept)
    keys = [
        _kept(_ident(f"k{j}", source), kept[j], values) if j in kept else _ident(f"k{j}", source)
        for j in range(len(query.dimensions))
    ]
    repeated = exp.GT(this=_ident("n", source), expression=exp.Literal.number(1))
    once = exp.If(this=repeated, true=exp.Literal.number(1))
    tail: list[exp.Expression] = [
        _alias(exp.Count(this=exp.Star()), "g"),
        _alias(exp.Sum(this=exp.Case(ifs=[once], default=exp.Literal.number(0))), "r"),
    ]
    if "f" in query.folded_tail():  # the folded key follows the dimensions read
        value = _ident(f"k{len(query.dimensions)}", source)
        tail.append(_alias(exp.Min(this=exp.Case(ifs=[exp.If(this=repeated, true=value)])), "f"))
    return _regrouped(query, trimmed, source, keys, tail)


def _branch(query: CubeQuery, value: exp.Expression, slots: tuple[int | None, ...]) -> exp.Select:
    """One branch of the unpivot: the grouped rows with ``value`` as the extra key."""
    assert query.unpivot is not None
    grouped = query.grouped_parts()
    selects: list[exp.Expression] = [_alias(_ident("day", _GROUPED), "day")]
    selects += [_alias(_ident(f"k{j}", _GROUPED), f"k{j}") for j in range(len(query.dimensions))]
    selects.append(_alias(exp.cast(value, exp.DataType.build("VARCHAR")), "u"))
    # The rows not split carry the row count; the values' rows add none (PA010, rows).
    count = _ident("n", _GROUPED) if value.key == "null" else exp.Literal.number(0)
    selects.append(_alias(count, "n"))
    unpivot = query.unpivot
    for j, (slot, parts) in enumerate(zip(slots, unpivot.parts(), strict=True)):
        # Another branch's measure of this column, whose type an empty cell takes.
        like = [m for m in (unpivot.base[j], *(s[j] for s in unpivot.split)) if m is not None]
        for part in parts:
            if slot is not None and part in grouped[slot]:
                selects.append(_alias(_ident(f"{part}{slot}", _GROUPED), f"{part}{j}"))
            elif part == "c":
                selects.append(_alias(exp.Literal.number(0), f"c{j}"))
            else:
                selects.append(
                    _alias(_empty(part, [m for m in like if part in grouped[m]]), f"{part}{j}")
                )
    # Grouped in levels, the rows not split carry the groups' repeats; the values' add none.
    for name in query.folded_tail():
        if value.key == "null":
            selects.append(_alias(_ident(name, _GROUPED), name))
        elif name == "f":  # no value, typed as the rows not split type it
            never = exp.EQ(this=exp.Literal.number(1), expression=exp.Literal.number(0))
            selects.append(
                _alias(exp.Case(ifs=[exp.If(this=never, true=_ident("f", _GROUPED))]), "f")
            )
        else:
            selects.append(_alias(exp.Literal.number(0), name))
    return exp.select(*selects).from_(exp.to_identifier(_GROUPED, quoted=True))


def _empty(part: str, like: list[int]) -> exp.Expression:
    """No value, typed like a grouped measure's ``part`` when there is one.

    A bare NULL in every branch but one would make PostgreSQL type the column
    text before it meets the numbers (UNION types are resolved branch by
    branch); a CASE that never holds is a NULL of the measure's own type.
    """
    if not like:
        return exp.Null()
    never = exp.EQ(this=exp.Literal.number(1), expression=exp.Literal.number(0))
    return exp.Case(ifs=[exp.If(this=never, true=_ident(f"{part}{like[0]}", _GROUPED))])


def cube_expression(query: CubeQuery) -> tuple[exp.Query, tuple[tuple[str, Value], ...]]:
    """The cube query with named placeholders, and the values they stand for in order."""
    values = _Values()
    grouped = _grouped(query, values)
    if query.two_level():  # grouped by every key, then trimmed, then summed over
        grouped = _summed_over(query, _trimmed_keys(query, grouped), values)
    result: exp.Query = grouped
    unpivot = query.unpivot
    if unpivot is not None:
        branches = [_branch(query, exp.Null(), unpivot.base)]
        for text, slots in zip(unpivot.values, unpivot.split, strict=True):
            branches.append(_branch(query, values.bind("u", text), slots))
        union: exp.Query = branches[0]
        for branch in branches[1:]:
            union = exp.union(union, branch, distinct=False)
        result = union.with_(exp.to_identifier(_GROUPED, quoted=True), as_=grouped)
    if query.limit is not None:
        result = result.limit(query.limit)
    return result, tuple(values.items)


def render(query: CubeQuery, dialect: Dialect) -> Rendered:
    """The cube query as ``dialect`` SQL with its parameters (a dict, or a tuple for ``?``).

    The placeholders are first given names no identifier can hold (a random
    marker), so that finding them in the text (for ``?``, in the order they
    appear; for psycopg, whose ``%`` must be doubled elsewhere) cannot touch the
    text of an identifier.
    """
    select, values = cube_expression(query)
    marker = "p" + secrets.token_hex(8)
    for node in select.find_all(exp.Placeholder):
        node.set("this", f"{marker}_{node.name}")
    text = select.sql(dialect=dialect)
    found = re.compile(rf"[:$@]{marker}_(\w+)")
    if dialect in _POSITIONAL:
        bound = dict(values)
        order = [bound[m.group(1)] for m in found.finditer(text)]
        return Rendered(dialect, found.sub("?", text), tuple(order))
    if dialect == "postgres":
        # psycopg substitutes %(name)s in the text: a % inside a quoted identifier doubles.
        text = text.replace("%", "%%")
        text = re.sub(rf"%%\({marker}_(\w+)\)s", r"%(\1)s", text)
        return Rendered(dialect, text, dict(values))
    prefix = {"spark": ":", "duckdb": "$", "bigquery": "@"}[dialect]
    return Rendered(dialect, found.sub(lambda m: prefix + m.group(1), text), dict(values))


def _table(table: TableName) -> exp.Table:
    return exp.table_(
        exp.to_identifier(table.name, quoted=True),
        db=exp.to_identifier(table.schema, quoted=True) if table.schema else None,
        catalog=exp.to_identifier(table.catalog, quoted=True) if table.catalog else None,
    )


def table_sql(table: TableName, dialect: Dialect) -> str:
    """The table's name, quoted for ``dialect`` (PostgreSQL's ``to_regclass`` takes this text)."""
    return _table(table).sql(dialect=dialect)
