"""Turn the cube query's result rows into the same ``Actuals`` the CSV engine returns.

Dimension values are trimmed and empty ones made missing in Python, on the few
thousand groups rather than per row in the warehouse (groups that become equal
are merged); repeated (date, dimension values) under ``grain: daily`` are
PA010, a channel the plan does not map is PA011, and a cube larger than the
cap is PA036 naming the dimension with the most distinct values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from promoplan.actuals.model import (
    Actuals,
    ActualsSpec,
    Cell,
    Computed,
    Cube,
    CubeRow,
    FileSummary,
)
from promoplan.actuals.warehouse import columns as limits  # MAX_CUBE_ROWS read on use
from promoplan.actuals.warehouse.columns import Planned
from promoplan.actuals.warehouse.urls import WarehouseUrl
from promoplan.diagnostics import Diagnostic, diagnostic

# The characters the CSV engine trims from dimension values (RE2's \s and three wide spaces).
_SPACES = " \t\n\f\r\u00a0\u202f\u3000"

Key = tuple[dt.date, tuple[str | None, ...]]


@dataclass
class _Group:
    """One (date, dimension values) being merged: row count and per measure [sum, count, lo, hi]."""

    rows: int
    cells: list[list[Any]]


def empty_actuals(
    url: WarehouseUrl, spec: ActualsSpec, diagnostics: Iterable[Diagnostic]
) -> Actuals:
    """An ``Actuals`` with no rows, carrying ``diagnostics`` (the table could not be read)."""
    cube = Cube(
        dimensions=tuple(n for n, _ in spec.dimensions),
        columns=tuple(dict.fromkeys(spec.columns)),
        rows=(),
    )
    return Actuals(cube=cube, files=(), diagnostics=tuple(diagnostics))


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else str(value)
    return text.strip(_SPACES) or None


def _number(value: object) -> Decimal | None:
    if value is None or isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(
            repr(value)
        )  # the shortest text that is this float, not its binary expansion
    return Decimal(value)  # type: ignore[arg-type]  # int (or a driver's integer type)


def _day(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def assemble(
    url: WarehouseUrl,
    spec: ActualsSpec,
    planned: Planned,
    rows: Sequence[Sequence[Any]],
) -> Actuals:
    """The cube, a summary of the table and every diagnostic, from the query's rows."""
    query = planned.query
    assert query is not None  # only a planned query runs
    names = tuple(n for n, _ in spec.dimensions)
    columns = tuple(dict.fromkeys(spec.columns))
    computed = {c.key: c for c in spec.computed if c.key not in columns}
    measures = (*columns, *computed)  # as the file engine orders them
    counted = tuple(c.column for c in spec.computed if c.kind == "present" and c.column)
    queried = tuple(dict.fromkeys((*columns, *counted)))  # the query's measures, in its order
    found = list(planned.diagnostics)
    k = len(query.dimensions)
    if len(rows) > limits.MAX_CUBE_ROWS:
        found.append(_too_large(url, spec, planned, rows))
        return empty_actuals(url, spec, found)
    groups: dict[Key, _Group] = {}
    for row in rows:
        day = _day(row[0])
        values = [_text(v) for v in row[1 : 1 + k]]
        dims = tuple(None if slot is None else values[slot] for slot in planned.dimension_slots)
        cells: list[list[Any]] = []
        position = 2 + k
        for extrema in query.extrema:
            total, count = _number(row[position]), int(row[position + 1])
            low = high = None
            if extrema:
                low, high = _number(row[position + 2]), _number(row[position + 3])
            cells.append([total, count, low, high])
            position += 4 if extrema else 2
        key = (day, dims)
        group = groups.get(key)
        if group is None:
            groups[key] = _Group(int(row[1 + k]), cells)
        else:
            group.rows += int(row[1 + k])
            for merged, cell in zip(group.cells, cells, strict=True):
                _merge(merged, cell)
    cube_rows = []
    for (day, dims), group in sorted(groups.items(), key=_order):
        cube_cells = _cells(group, planned, len(columns), computed, queried)
        cube_rows.append(CubeRow(day=day, dims=dims, cells=tuple(cube_cells)))
    if spec.grain == "daily":
        found.extend(_repeats(url, names, groups))
    found.extend(_unknown_channels(url, spec, names, groups))
    days = [day for day, _ in groups]
    summary = FileSummary(
        path=url.display,
        rows=sum(g.rows for g in groups.values()),
        columns=planned.columns,
        first_date=min(days) if days else None,
        last_date=max(days) if days else None,
        encoding="utf-8",
    )
    cube = Cube(dimensions=names, columns=measures, rows=tuple(cube_rows))
    return Actuals(cube=cube, files=(summary,), diagnostics=tuple(found))


def _cells(
    group: _Group,
    planned: Planned,
    n_columns: int,
    computed: dict[str, Computed],
    queried: tuple[str, ...],
) -> list[Cell | None]:
    """One cube row's cells: each column's sum, then each computed count."""
    cells: list[Cell | None] = []
    for slot in planned.measure_slots[:n_columns]:
        if slot is None or not group.cells[slot][1]:
            cells.append(None)
            continue
        total, count, low, high = group.cells[slot]
        cells.append(Cell(total or Decimal(0), count, low, high))
    for how in computed.values():
        # A count is a sum of ones: of every row, or of the rows where the column has a value.
        if how.kind == "rows":
            n = group.rows
        else:
            slot = planned.measure_slots[queried.index(how.column or "")]
            n = group.cells[slot][1] if slot is not None else 0
        cells.append(Cell(Decimal(n), n, None, None) if n else None)
    return cells


def _order(item: tuple[Key, _Group]) -> tuple[dt.date, tuple[tuple[bool, str], ...]]:
    (day, dims), _ = item
    return day, tuple((v is not None, v or "") for v in dims)


def _merge(into: list[Any], cell: list[Any]) -> None:
    """Add one group's measure into another's: sums and counts add, extremes widen."""
    if cell[1]:
        into[0] = cell[0] if not into[1] else into[0] + cell[0]
        into[1] += cell[1]
    for index, pick in ((2, min), (3, max)):
        if cell[index] is not None:
            into[index] = cell[index] if into[index] is None else pick(into[index], cell[index])


def _repeats(
    url: WarehouseUrl, names: tuple[str, ...], groups: dict[Key, _Group]
) -> list[Diagnostic]:
    """PA010 once, at the earliest repeated (date, dimension values), as for a CSV file."""
    repeated = sorted(
        (key for key, g in groups.items() if g.rows > 1), key=lambda k: _order((k, _Group(0, [])))
    )
    if not repeated:
        return []
    day, dims = repeated[0]
    parts = [day.isoformat()] + [
        f'{name} "{value}"' if value is not None else f"no {name}"
        for name, value in zip(names, dims, strict=True)
    ]
    keys = len(repeated)
    extra = sum(groups[key].rows - 1 for key in repeated)
    more = ""
    if keys > 1 or extra > 1:
        what = "1 date and dimension values" if keys == 1 else f"{keys:,} date and dimension values"
        rows = "1 extra row" if extra == 1 else f"{extra:,} extra rows"
        more = f"; {what} repeat, {rows} in all"
    return [
        diagnostic(
            "PA010",
            f"repeated: {', '.join(parts)}{more}",
            file=url.display,
            hint="grain is daily, so repeated rows are probably counted twice; "
            "set actuals.grain: rows for order-level data",
        )
    ]


def _unknown_channels(
    url: WarehouseUrl, spec: ActualsSpec, names: tuple[str, ...], groups: dict[Key, _Group]
) -> list[Diagnostic]:
    """PA011 once per channel value the plan does not map, in sorted order."""
    channel = spec.channel_dimension
    if spec.known_channels is None or channel is None or channel not in names:
        return []
    position = names.index(channel)
    values = sorted({v for _, dims in groups if (v := dims[position]) is not None})
    return [
        diagnostic(
            "PA011",
            f'{spec.channel_dimension} "{value}" is not in the plan\'s channels; '
            "its spend counts as unmapped",
            file=url.display,
            hint="map it to a budget line under channels:",
        )
        for value in values
        if value is not None and value not in spec.known_channels
    ]


def _too_large(
    url: WarehouseUrl, spec: ActualsSpec, planned: Planned, rows: Sequence[Sequence[Any]]
) -> Diagnostic:
    """PA036: the cube would exceed the cap; name the dimension with the most distinct values."""
    query = planned.query
    assert query is not None
    k = len(query.dimensions)
    counts = [len({row[1 + j] for row in rows}) for j in range(k)]
    by_column = dict(zip(query.dimensions, counts, strict=True))
    if counts:
        worst = max(range(k), key=lambda j: counts[j])
        column = query.dimensions[worst]
        name = next((n for n, c in spec.dimensions if c == column), column)
        culprit = (
            f'dimension "{name}" (column "{column}") has {by_column[column]:,}+ distinct values'
        )
        hint = f'a dimension should have a few hundred values at most; is "{column}" an id?'
    else:
        culprit = "there are too many days"
        hint = "narrow the plan's period"
    return diagnostic(
        "PA036",
        f"the daily cube would have more than {limits.MAX_CUBE_ROWS:,} rows: {culprit}",
        file=url.display,
        hint=hint,
    )
