"""What one actuals file provides for the plan: the columns it needs, where each is, and
how a computed or unpivoted measure is found in a file's header.

The engine (:mod:`promoplan.actuals.engine`) asks this module for a file's
:class:`~promoplan.actuals.sql.Layout` before it runs the one grouping scan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from promoplan.actuals import problems, sql
from promoplan.actuals.model import (
    ActualsSpec,
    Computed,
    UnpivotSpec,
)
from promoplan.actuals.names import HeaderIndex, nfc
from promoplan.actuals.sources.base import Opened
from promoplan.diagnostics import Diagnostic, diagnostic
from promoplan.formula import parse_formula


@dataclass(frozen=True)
class Needed:
    """The columns the spec asks for, by header name."""

    date: str
    dimensions: tuple[str, ...]  # column headers, aligned with spec.dimensions
    measures: tuple[str, ...]  # unique, in the spec's order: columns, then computed keys
    extrema: tuple[bool, ...]
    computed: tuple[Computed | None, ...] = ()  # aligned with measures; None: a column
    # A long table: its value column; its metric column is the last of ``dimensions``
    # (a key of the file's groups, pivoted into ``measures`` when the cube is built).
    value_column: str | None = None

    @property
    def headers(self) -> tuple[str, ...]:
        """Every column header the spec needs, for PA002."""
        names = [self.date, *self.dimensions]
        if self.value_column is not None:  # the measures are metric names, not headers
            return tuple(dict.fromkeys([*names, self.value_column]))
        for measure, computed in zip(self.measures, self.computed, strict=True):
            if computed is None:
                names.append(measure)
            elif computed.column is not None:
                names.append(computed.column)
        return tuple(dict.fromkeys(names))


def needed_of(spec: ActualsSpec) -> Needed:
    columns = dict.fromkeys(spec.columns)
    computed = {c.key: c for c in spec.computed if c.key not in columns}
    measures = (*columns, *computed)
    wanted = spec.extrema
    extrema = tuple(wanted is None or m in wanted for m in measures)
    dimensions = tuple(c for _, c in spec.dimensions)
    long = spec.long
    return Needed(
        spec.date_column,
        dimensions if long is None else (*dimensions, long.metric_column),
        measures,
        extrema,
        tuple(computed.get(m) for m in measures),
        None if long is None else long.value_column,
    )


@dataclass(frozen=True)
class Unpivoted:
    """One file's columns that carry one value of the unpivot dimension each."""

    values: tuple[str, ...]  # the dimension values, in header order
    # (cube measure, 1-based value index, header column) per column found
    columns: tuple[tuple[int, int, int], ...]


def unpivot_header(
    header: tuple[str, ...], needed: Needed, unpivot: UnpivotSpec, name: str
) -> tuple[Unpivoted, list[Diagnostic]]:
    """Match the spec's patterns and names against a header: PA002 for what matches nothing."""
    values: dict[str, int] = {}
    found: list[tuple[int, int, int]] = []
    problems_found: list[Diagnostic] = []
    for measure, pattern, named in unpivot.measures:
        if measure not in needed.measures:
            continue  # no metric reads it
        j = needed.measures.index(measure)
        pairs: list[tuple[str, int]] = []
        if pattern is not None:
            prefix, suffix = pattern.split("{}", 1)
            # Headers match case aside, as plain columns do (the value keeps its case).
            regex = re.compile(
                f"^{re.escape(prefix)}(.+){re.escape(suffix)}$", re.DOTALL | re.IGNORECASE
            )
            for column, text in enumerate(header, start=1):
                match = regex.match(text)
                if match and match.group(1).strip():
                    pairs.append((nfc(match.group(1).strip()), column))
            if not pairs:
                shown = pattern.replace("{}", "{" + unpivot.dimension + "}")
                problems_found.append(
                    diagnostic(
                        "PA002",
                        f'the pattern "{shown}" of {measure!r} matches no column',
                        file=name,
                        line=1,
                        hint=f"the columns are: {problems.listing(header)}",
                    )
                )
        by_name = HeaderIndex(header)
        for value, column_name in named:
            position = by_name.get(column_name)
            if position is not None:
                pairs.append((nfc(value), position))
            else:
                problems_found.append(
                    diagnostic(
                        "PA002",
                        f'column "{column_name}" ({measure} for {unpivot.dimension} "{value}") '
                        "is not in the file",
                        file=name,
                        line=1,
                        hint=f"the columns are: {problems.listing(header)}",
                    )
                )
        for value, column in pairs:
            index = values.setdefault(value, len(values) + 1)
            found.append((j, index, column))
    return Unpivoted(tuple(values), tuple(found)), problems_found


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
    extra measure after the cube's, in the order of ``unpivoted.columns``.
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
        value = row_value(computed, index)
        # A computed measure has no column of its own; 0 marks "this file has it".
        measures.append(None if value is None else 0)
        row_values.append(value)
    extrema = list(needed.extrema)
    for j, _, column in unpivoted.columns if unpivoted is not None else ():
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


def unpivoted_measures(spec: ActualsSpec) -> set[str]:
    return {m for m, _, _ in spec.unpivot.measures} if spec.unpivot is not None else set()


def measure_name(needed: Needed, layout: sql.Layout, opened: Opened, j: int) -> str:
    """The name a bad cell of measure ``j`` is reported under: an unpivoted column's header,
    a long table's value column."""
    if needed.value_column is not None:
        return needed.value_column
    if j < len(needed.measures):
        return needed.measures[j]
    column = layout.measures[j]
    return opened.header[column - 1] if column else ""
