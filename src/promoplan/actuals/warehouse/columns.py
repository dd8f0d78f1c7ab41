"""Match what the plan reads against a table's typed columns, and plan the cube query.

Every engine lists the table's columns with their SQL types (from its
catalog); this module decides, the same way for all of them, what is missing
(the date column: PA033, an error; a measure or dimension: PA002, as for a CSV
file without that column) and what has the wrong type (PA034, naming the type).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from promoplan.actuals.model import ActualsSpec
from promoplan.actuals.warehouse.query import CubeQuery
from promoplan.actuals.warehouse.urls import WarehouseUrl
from promoplan.diagnostics import Diagnostic, diagnostic
from promoplan.errors import UsageProblem

# Type names as the catalogs print them (PostgreSQL's format_type, Spark's
# simpleString, DuckDB's information_schema), lower-cased.
_NUMBER = re.compile(
    r"^(u?(tiny|small|big|huge)?int(eger)?\d*|u?(tiny|small|big|huge)int|int[248]|"
    r"numeric|decimal|number|real|float\d*|double( precision)?|long|short|byte)\b"
)
_DATE = re.compile(r"^date$")
_TIMESTAMP = re.compile(r"^(timestamp|datetime)")

MAX_CUBE_ROWS = 500_000  # a daily cube over years and hundreds of channels stays far below


@dataclass(frozen=True)
class Planned:
    """The query to run (None when the table cannot serve the plan) and what was found."""

    query: CubeQuery | None
    diagnostics: tuple[Diagnostic, ...]
    dimension_slots: tuple[int | None, ...]  # per spec dimension: its position in the query
    measure_slots: tuple[int | None, ...]  # per unique spec measure: its position in the query
    columns: tuple[str, ...]  # the table's column names


def listing(names: tuple[str, ...], limit: int = 12) -> str:
    """``"a", "b" and 3 more``."""
    shown = [f'"{n}"' for n in names[:limit]]
    return ", ".join(shown) + (f" and {len(names) - limit} more" if len(names) > limit else "")


def pushdown_gaps(spec: ActualsSpec) -> list[str]:
    """What the plan asks of the actuals that the database query does not compute yet."""
    gaps = []
    if any(computed.kind == "expr" for computed in spec.computed):
        gaps.append("expr")
    if spec.unpivot is not None:
        gaps.append("unpivot")
    if spec.grain not in ("daily", "rows"):
        gaps.append(f"grain: {spec.grain}")
    return gaps


def plan_query(
    url: WarehouseUrl,
    spec: ActualsSpec,
    table_columns: tuple[tuple[str, str], ...],
    *,
    limit: int | None = None,
) -> Planned:
    """Check the table's ``(name, SQL type)`` columns against ``spec`` and build the query."""
    gaps = pushdown_gaps(spec)
    if gaps:
        raise UsageProblem(
            f"{url.display}: {' and '.join(gaps)} cannot be read from a database yet "
            "(files only); read an export of the table, or a view that does the work"
        )
    types = {name: sql_type.lower() for name, sql_type in table_columns}
    names = tuple(name for name, _ in table_columns)
    source = url.display
    found: list[Diagnostic] = []
    # A count of a column's cells reads the column (any type) through COUNT(column).
    counted = tuple(c.column for c in spec.computed if c.kind == "present" and c.column)
    measures = tuple(dict.fromkeys((*spec.columns, *counted)))
    dims = tuple(column for _, column in spec.dimensions)
    date_type = types.get(spec.date_column)
    if date_type is None:
        found.append(
            diagnostic(
                "PA033",
                f'no date column "{spec.date_column}" in {url.table} '
                f"(the columns are: {listing(names)})",
                file=source,
                hint="set actuals.date in the plan to the date column's name",
            )
        )
    elif not (_DATE.match(date_type) or _TIMESTAMP.match(date_type)):
        found.append(
            diagnostic(
                "PA034",
                f'column "{spec.date_column}" is {date_type}, not a date or timestamp',
                file=source,
                hint="cast it in a view (CAST(... AS DATE)) and read the view",
            )
        )
    for column in dict.fromkeys(spec.columns):
        sql_type = types.get(column)
        if sql_type is not None and not _NUMBER.match(sql_type):
            found.append(
                diagnostic(
                    "PA034",
                    f'column "{column}" is {sql_type}, not a number',
                    file=source,
                    hint="cast it in a view (CAST(... AS NUMERIC)) and read the view",
                )
            )
    for column in dict.fromkeys((*dims, *measures)):
        if column not in types:
            found.append(
                diagnostic(
                    "PA002",
                    f'column "{column}" is not in {url.table}; what reads it has no data',
                    file=source,
                    hint=f"the columns are: {listing(names)}",
                )
            )
    present_dims = tuple(dict.fromkeys(c for c in dims if c in types))
    present_measures = tuple(m for m in measures if m in types)
    dimension_slots = tuple(present_dims.index(c) if c in types else None for c in dims)
    measure_slots = tuple(present_measures.index(m) if m in types else None for m in measures)
    if any(d.severity == "error" for d in found) or date_type is None:
        return Planned(None, tuple(found), dimension_slots, measure_slots, names)
    wanted = spec.extrema
    query = CubeQuery(
        table=url.table,
        date_column=spec.date_column,
        date_is_timestamp=not _DATE.match(date_type),
        dimensions=present_dims,
        measures=present_measures,
        extrema=tuple(wanted is None or m in wanted for m in present_measures),
        keep_from=spec.keep_from,
        keep_to=spec.keep_to,
        limit=limit if limit is not None else MAX_CUBE_ROWS + 1,  # one more shows the cap is hit
    )
    return Planned(query, tuple(found), dimension_slots, measure_slots, names)
