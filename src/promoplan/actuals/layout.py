"""What one actuals file provides for the plan: the columns it needs, where each is, and
how a computed or unpivoted measure is found in a file's header.

The engine (:mod:`promoplan.actuals.engine`) asks this module for a file's
:class:`~promoplan.actuals.sql.Layout` before it runs the one grouping scan.
"""

from __future__ import annotations

from promoplan.actuals import sql
from promoplan.actuals.model import (
    ActualsSpec,
    Computed,
)
from promoplan.actuals.names import HeaderIndex
from promoplan.actuals.needs import Needed, Unpivoted, unpivoted_measures
from promoplan.actuals.sources.base import Opened
from promoplan.diagnostics import Diagnostic, diagnostic
from promoplan.formula import parse_formula

_PERIODS: dict[str, sql.Period] = {"weekly": "week", "monthly": "month"}


def row_value(computed: Computed, index: HeaderIndex) -> sql.RowValue | None:
    """How a computed measure is computed in a file with these columns; None: it cannot be."""
    if computed.kind == "rows":
        return sql.RowValue("rows")
    if computed.kind == "present":
        column = index.get(computed.column or "")
        return None if column is None else sql.RowValue("present", column)
    formula = parse_formula(computed.expr or "")
    positions = {name: index.get(name) for name in sorted(formula.names)}
    operands = tuple((name, c) for name, c in positions.items() if c is not None)
    if len(operands) < len(positions):
        return None  # a column it reads is missing: PA002 says which
    return sql.RowValue("expr", formula=formula.root, operands=operands)


def file_layout(
    opened: Opened, needed: Needed, spec: ActualsSpec, unpivoted: Unpivoted | None = None
) -> sql.Layout | None:
    """Positions of the needed columns in this file, or None when it has no date column.

    Unpivoted measures have no column of their own: each of their columns is an
    extra measure after the cube's, in the order of ``unpivoted.columns``; so is
    each column of a count of an unpivoted measure's cells, counted there.
    """
    index = HeaderIndex(opened.header)
    date = index.get(needed.date)
    if date is None:
        return None
    if needed.value_column is not None:
        return long_layout(opened, needed, spec, index)
    split = unpivoted_measures(spec)
    measures: list[int | None] = []
    row_values: list[sql.RowValue | None] = []
    for measure, computed in zip(needed.measures, needed.computed, strict=True):
        if computed is None:
            measures.append(None if measure in split else index.get(measure))
            row_values.append(None)
            continue
        # A count of an unpivoted measure's cells is counted in each of its columns,
        # one extra measure each (below), as the measure itself is read.
        value = None if computed.column in split else row_value(computed, index)
        # A computed measure has no column of its own; 0 marks "this file has it".
        measures.append(None if value is None else 0)
        row_values.append(value)
    extrema = list(needed.extrema)
    for j, _, column in unpivoted.columns if unpivoted is not None else ():
        if needed.computed and needed.computed[j] is not None:  # a count of its cells
            measures.append(0)
            row_values.append(sql.RowValue("present", column))
        else:
            measures.append(column)
            row_values.append(None)
        extrema.append(needed.extrema[j])
    dimensions = [index.get(c) for c in needed.dimensions]
    if spec.unpivot is not None:
        names = [n for n, _ in spec.dimensions]
        if spec.unpivot.dimension in names:
            dimensions[names.index(spec.unpivot.dimension)] = None  # from the headers instead
    return sql.Layout(
        width=len(opened.header),
        date=date,
        dimensions=tuple(dimensions),
        measures=tuple(measures),
        extrema=tuple(extrema),
        date_format=spec.date_format is not None,
        kinds=opened.kinds,
        row_values=tuple(row_values),
        period=_PERIODS.get(spec.grain, "day"),
    )


def long_layout(
    opened: Opened, needed: Needed, spec: ActualsSpec, index: HeaderIndex
) -> sql.Layout:
    """A long table's layout: its metric column is one more dimension (the last), its value
    column the one measure; the file's groups are pivoted into the plan's metrics later
    (:mod:`promoplan.actuals.longtable`)."""
    assert needed.value_column is not None
    return sql.Layout(
        width=len(opened.header),
        date=index[needed.date],
        dimensions=tuple(index.get(c) for c in needed.dimensions),
        measures=(index.get(needed.value_column),),
        extrema=(any(needed.extrema),),
        date_format=spec.date_format is not None,
        kinds=opened.kinds,
        period=_PERIODS.get(spec.grain, "day"),
    )


def wrong_types(opened: Opened, layout: sql.Layout, needed: Needed) -> list[Diagnostic]:
    """PA003/PA004 for a typed column (Parquet) that cannot hold the numbers or dates read."""
    out = []
    columns = [(measure_name(needed, layout, opened, j), c) for j, c in layout.present_measures()]
    for _, value in layout.computed_measures():
        columns += [(name, c) for name, c in value.operands]
    for measure, c in dict.fromkeys(columns):
        if layout.kind(c) == "other":
            out.append(
                diagnostic(
                    "PA003",
                    f'column "{measure}" holds {opened.types[c - 1]} values, not numbers',
                    file=opened.where,
                    column=c + opened.column_offset,
                    hint="write the column as a number type (integer, decimal or double)",
                )
            )
    if layout.kind(layout.date) == "other":
        out.append(
            diagnostic(
                "PA004",
                f'column "{needed.date}" holds {opened.types[layout.date - 1]} values, not dates',
                file=opened.where,
                column=layout.date + opened.column_offset,
                hint="write the column as DATE, TIMESTAMP or year-first text",
            )
        )
    return out


def measure_name(needed: Needed, layout: sql.Layout, opened: Opened, j: int) -> str:
    """The name a bad cell of measure ``j`` is reported under: an unpivoted column's header,
    a long table's value column."""
    if needed.value_column is not None:
        return needed.value_column
    if j < len(needed.measures):
        return needed.measures[j]
    column = layout.measures[j]
    return opened.header[column - 1] if column else ""
