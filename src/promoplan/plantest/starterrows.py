"""The rows of one starter test: as the daily cube the engine builds, and as the CSV
the plan's ``actuals:`` section reads.

Both follow the plan's layout. Over weekly or monthly rows a row is dated on the
first day it covers. A wide table has one column per plan column; an unpivoted
measure has one column per value of its dimension (``tv_S``), read as a row of
that value while the plain columns stay in a row of no value; a long table has
one row per metric (date, dimensions, metric name, value).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from promoplan.actuals.model import ActualsSpec, Cell, Cube, CubeRow
from promoplan.actuals.needs import unpivoted_measures
from promoplan.model import Plan

Values = Mapping[tuple[int, str], float]  # (row index, column) -> a number; else the base


class NoFixture(Exception):
    """This rule gets a comment instead of tests; the message says why."""


@dataclass(frozen=True)
class FixtureShape:
    """Where a fixture's numbers go: its row dates, its one group, the columns it fills."""

    plan: Plan
    spec: ActualsSpec
    days: tuple[dt.date, ...]
    dims: Mapping[str, str]  # a value per constrained dimension (the group, the filters)
    columns: tuple[str, ...]
    base: float
    # The unpivot dimension's value that a split measure's column carries (its header).
    unpivot_value: str | None = None

    def split(self, column: str) -> bool:
        """Whether ``column`` is a measure ``actuals.unpivot`` reads from one column per value."""
        return column in unpivoted_measures(self.spec)

    def number(self, values: Values, index: int, column: str) -> str:
        """The cell of ``column`` in row ``index``, as written."""
        return number_text(values.get((index, column), self.base))


def number_text(value: float) -> str:
    """A CSV cell: a whole number without ``.0``, else at most two decimals."""
    rounded = round(value, 2)
    return str(int(rounded)) if rounded == int(rounded) else f"{rounded:.2f}".rstrip("0")


def fixture_cube(shape: FixtureShape, values: Values) -> Cube:
    """The daily cube the engine would build from the fixture's rows."""
    spec = shape.spec
    names = tuple(name for name, _ in spec.dimensions)
    unpivot = spec.unpivot.dimension if spec.unpivot is not None else None
    # An unpivoted table's plain columns land in a row of no unpivot value, its split
    # measures in the row of the value their columns carry.
    plain = [c for c in shape.columns if not shape.split(c)]
    split = [c for c in shape.columns if shape.split(c)]
    rows = []
    for index, day in enumerate(shape.days):
        for part, value in ((plain, None), (split, shape.unpivot_value)):
            if not part:
                continue
            cells: list[Cell | None] = []
            for column in spec.columns:
                if column not in part:
                    cells.append(None)
                    continue
                amount = Decimal(shape.number(values, index, column))
                cells.append(Cell(amount, 1, amount, amount))
            dims = tuple(value if name == unpivot else shape.dims.get(name) for name in names)
            rows.append(CubeRow(day=day, dims=dims, cells=tuple(cells)))
    return Cube(dimensions=names, columns=spec.columns, rows=tuple(rows))


def fixture_csv(shape: FixtureShape, values: Values) -> str:
    """The fixture's rows as CSV, with the plan's own headers, layout and date format."""
    section, spec = shape.plan.actuals, shape.spec
    headers = dict(spec.dimensions)
    unpivot = spec.unpivot.dimension if spec.unpivot is not None else None
    dims = {name: value for name, value in shape.dims.items() if name != unpivot}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    dates = [
        day.strftime(section.date_format) if section.date_format else day.isoformat()
        for day in shape.days
    ]
    if spec.long is not None:
        long = spec.long
        writer.writerow(
            [section.date, *(headers[d] for d in dims), long.metric_column, long.value_column]
        )
        for index, date in enumerate(dates):
            for column in shape.columns:
                writer.writerow([date, *dims.values(), column, shape.number(values, index, column)])
        return out.getvalue()
    titles = [
        unpivoted_header(spec, c, shape.unpivot_value) if shape.split(c) else c
        for c in shape.columns
    ]
    writer.writerow([section.date, *(headers[d] for d in dims), *titles])
    for index, date in enumerate(dates):
        numbers = [shape.number(values, index, column) for column in shape.columns]
        writer.writerow([date, *dims.values(), *numbers])
    return out.getvalue()


def unpivoted_header(spec: ActualsSpec, measure: str, value: str | None) -> str:
    """The header of the column holding ``measure`` for unpivot value ``value`` (``tv_S``)."""
    assert spec.unpivot is not None  # only a split measure has such a column
    assert value is not None  # set whenever a split measure is read
    for name, pattern, named in spec.unpivot.measures:
        if name != measure:
            continue
        if pattern is not None:
            return pattern.replace("{}", value)
        return dict(named)[value]
    raise AssertionError(measure)  # split() found it among these measures


def unpivot_value(
    plan: Plan, spec: ActualsSpec, dims: dict[str, str], columns: tuple[str, ...]
) -> str | None:
    """The unpivot value a fixture's split columns carry; None when it reads none of them.

    A plain column of an unpivoted table has no such value, so no group or filter of
    that dimension holds it.
    """
    if spec.unpivot is None:
        return None
    dimension = spec.unpivot.dimension
    split = unpivoted_measures(spec)
    plain = [c for c in columns if c not in split]
    if dimension in dims and plain:
        raise NoFixture(
            f"column {plain[0]!r} is not unpivoted, so its rows have no {dimension} "
            f"to group or filter by"
        )
    if not any(c in split for c in columns):
        return None
    if dimension in dims:  # the group's or the filters' own value
        candidates = [dims[dimension]]
    else:  # a plan channel, else a value a named column is for
        named = [v for m, _, pairs in spec.unpivot.measures if m in columns for v, _ in pairs]
        candidates = [*plan.channels, *named, "example"]
    value = _first_with_columns(spec, columns, candidates)
    if value is None:
        read = ", ".join(repr(c) for c in columns)
        raise NoFixture(f"no {dimension} value has a column for each of {read}")
    return value


def _first_with_columns(
    spec: ActualsSpec, columns: tuple[str, ...], candidates: list[str]
) -> str | None:
    """The first of ``candidates`` that each split measure among ``columns`` has a column for
    (a pattern has one for any value, a list of named columns for its own values only)."""
    assert spec.unpivot is not None  # only an unpivoted table has split measures
    named = [dict(n) for m, p, n in spec.unpivot.measures if m in columns and p is None]
    return next((v for v in candidates if all(v in n for n in named)), None)
