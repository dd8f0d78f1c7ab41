"""Turn the cube query's result rows into the same ``Actuals`` the CSV engine returns.

Dimension values are trimmed and empty ones made missing in Python, on the few
thousand groups rather than per row in the warehouse (groups that become equal
are merged); the groups' diagnostics (repeated rows, weekly rows on another
weekday, channels not mapped, a cube past the cap) are
:mod:`promoplan.actuals.warehouse.findings`'.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import MAX_PREC, Context, Decimal
from functools import reduce
from itertools import repeat
from typing import Any

from promoplan.actuals.model import (
    OTHER_VALUE,
    Actuals,
    ActualsSpec,
    Computed,
    Cube,
    FileSummary,
    Measure,
)
from promoplan.actuals.names import nfc
from promoplan.actuals.warehouse import columns as limits  # MAX_CUBE_ROWS read on use
from promoplan.actuals.warehouse import findings
from promoplan.actuals.warehouse.columns import Planned
from promoplan.actuals.warehouse.cubequery import OTHER_SQL, SPACES, CubeQuery
from promoplan.actuals.warehouse.findings import Key
from promoplan.actuals.warehouse.urls import WarehouseUrl
from promoplan.diagnostics import Diagnostic

_WEEKDAY = {"monday": 1, "sunday": 7}  # the ISO weekday a weekly row is dated on


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
    return nfc(text.strip(SPACES)) or None


def _number(value: object) -> Decimal | int | None:
    if value is None or isinstance(value, (Decimal, int)):
        return value
    if isinstance(value, float):
        # The shortest text that is this float, not its binary expansion.
        return Decimal(repr(value))
    return int(value)  # type: ignore[call-overload,no-any-return]  # a driver's integer type


def _day(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


# Where one measure's sum, count of values, minimum and maximum are in a result row
# (None: not selected; a measure has a sum or a count at least).
Slot = tuple[int | None, int | None, int | None, int | None]


@dataclass(frozen=True)
class _Slots:
    """Where each measure's aggregates are in a result row."""

    k: int  # key columns after the date
    measures: tuple[Slot, ...]  # per result measure
    width: int  # columns in a result row
    folded: tuple[int, ...] = ()  # with dimensions folded: the inner groups (g), repeats (r)

    @classmethod
    def of(cls, planned: Planned) -> _Slots:
        query = planned.query
        assert query is not None  # only a planned query runs
        k = query.keys()
        position = 2 + k
        measures = []
        for parts in query.out_parts():
            at = {part: position + i for i, part in enumerate(parts)}
            measures.append((at.get("s"), at.get("c"), at.get("lo"), at.get("hi")))
            position += len(parts)
        # The tail's counts (g, r) add up when two rows merge; a folded value (f) is kept.
        tail = len(query.folded_tail())
        return cls(k, tuple(measures), position + tail, (position, position + 1)[:tail])


def _merge(into: list[Any], row: Sequence[Any], slots: _Slots) -> None:
    """Add one result row into another of the same key: counts and sums add, extremes widen."""
    into[1 + slots.k] += row[1 + slots.k]
    for extra in slots.folded:
        into[extra] += row[extra]
    for total, count, low, high in slots.measures:
        if total is not None and row[total] is not None:
            into[total] = row[total] if into[total] is None else into[total] + row[total]
        if count is not None:
            into[count] += row[count]
        for index, pick in ((low, min), (high, max)):
            if index is not None and row[index] is not None:
                into[index] = row[index] if into[index] is None else pick(into[index], row[index])


def assemble(
    url: WarehouseUrl,
    spec: ActualsSpec,
    planned: Planned,
    rows: Sequence[Sequence[Any]],
    *,
    table_has_rows: bool | None = None,
) -> Actuals:
    """The cube, a summary of the table and every diagnostic, from the query's rows.

    With no rows, ``table_has_rows`` (the source's look at the table) tells an
    empty table (PA001, an error) from one whose rows are all dated outside
    the span read (PA012).
    """
    names = tuple(n for n, _ in spec.dimensions)
    columns = tuple(dict.fromkeys(spec.columns))
    computed = {c.key: c for c in spec.computed if c.key not in columns}
    found = list(planned.diagnostics)
    if not rows and table_has_rows is not None:
        found.append(findings.nothing_read(url, spec, table_has_rows=table_has_rows))
    if len(rows) > limits.MAX_CUBE_ROWS:
        found.append(findings.too_large(url, spec, planned, rows))
        return empty_actuals(url, spec, found)
    repeated: dict[tuple[Key, str], int] | None = None  # a long table's, per metric
    long = planned.query if planned.query is not None and planned.query.long else None
    if long is not None:
        rows, seen, repeated = _pivot_long(long, rows)
        found.extend(findings.missing_metrics(url, spec, long, seen))
        planned = replace(planned, query=long.wide())
    slots = _Slots.of(planned)
    k = slots.k
    groups, misdated = _groups(spec, planned, slots, rows)
    readers = _readers(planned, slots, columns, computed)
    if any(None in dims for _, dims in groups):
        order = sorted(groups, key=findings.order)
    else:  # no missing values: the keys' own order is the cube's
        order = sorted(groups)
    # The result a column at a time (the rows in cube order, transposed).
    table = list(zip(*map(groups.__getitem__, order), strict=True)) if order else [()] * slots.width
    cells = [
        (name, (total, low, high))
        for name, (kind, total, _, low, high) in zip((*columns, *computed), readers, strict=True)
        if kind is _CELL
    ]
    bad = findings.not_finite(url, spec, cells, table, order)
    if bad:  # as a file with a bad cell: reported, and the table not counted
        return empty_actuals(url, spec, [*found, *bad])
    measures = tuple(_measure(table, reader) for reader in readers)
    keys = tuple(zip(*(dims for _, dims in order), strict=True)) if order else ((),) * len(names)
    counts = {key: int(row[1 + k]) for key, row in groups.items()}
    assert planned.query is not None  # only a planned query runs
    if repeated is None:
        found.extend(findings.repeated_rows(url, spec, planned.query, groups, counts))
    else:
        assert long is not None
        found.extend(findings.long_repeats(url, spec, long.dimensions[:-1], repeated))
    found.extend(findings.misdated(url, spec, misdated))
    found.extend(findings.unknown_channels(url, spec, planned.query, names, counts))
    found.extend(findings.rounded_ids(url, spec, keys))
    days = [day for day, _ in order]
    summary = FileSummary(
        path=url.display,
        rows=sum(counts.values()) + sum(misdated.values()),
        columns=planned.columns,
        first_date=min(days) if days else None,
        last_date=max(days) if days else None,
        encoding="utf-8",
    )
    days_in_order = tuple(day for day, _ in order)
    cube = Cube.of_columns(names, (*columns, *computed), days_in_order, keys, measures)
    return Actuals(cube=cube, files=(summary,), diagnostics=tuple(found))


def _pivot_long(
    query: CubeQuery, rows: Sequence[Sequence[Any]]
) -> tuple[list[list[Any]], set[str], dict[tuple[Key, str], int]]:
    """A long table's result rows (the date, the dimension values, the metric's name, the
    row count, the value's aggregates) as the rows :meth:`CubeQuery.wide` reads: one per
    date and dimension values, each metric's aggregates under its own measure, the row
    count summed. With the names of the metrics seen (trimmed and in NFC, as a key is
    read), and the rows of a (date, values, metric) that repeat (PA010, as a file's)."""
    assert query.long is not None
    k = len(query.dimensions) - 1  # the keys after the date, the metric's not among them
    parts = query.grouped_parts()[0]
    width = len(parts)
    names = {name: j for j, name in enumerate(query.long.names)}
    empty = [0 if part == "c" else None for part in parts] * len(names)
    wide: dict[tuple[Any, ...], list[Any]] = {}
    seen: set[str] = set()
    counts: dict[tuple[Key, str], int] = {}
    for row in rows:
        name = _text(row[1 + k])
        if name is None or name not in names:  # not a name read once trimmed
            continue
        j = names[name]
        seen.add(name)
        key = tuple(row[: 1 + k])
        out = wide.get(key)
        if out is None:
            out = wide[key] = [*key, 0, *empty]
        n = int(row[2 + k])
        out[1 + k] += n
        read = (_day(row[0]), tuple(map(_text, row[1 : 1 + k])))
        counts[(read, name)] = counts.get((read, name), 0) + n
        start = 2 + k + j * width
        for i, (part, value) in enumerate(zip(parts, row[3 + k : 3 + k + width], strict=True)):
            here = out[start + i]  # the same metric written two ways: one
            if value is None or here is None:
                out[start + i] = here if value is None else value
            else:
                out[start + i] = _ADD[part](here, value)
    repeated = {key: n for key, n in counts.items() if n > 1}
    return list(wide.values()), seen, repeated


_ADD: dict[str, Callable[[Any, Any], Any]] = {
    "s": operator.add,
    "c": operator.add,
    "lo": min,
    "hi": max,
}


def _groups(
    spec: ActualsSpec, planned: Planned, slots: _Slots, rows: Sequence[Sequence[Any]]
) -> tuple[dict[Key, Sequence[Any]], dict[dt.date, int]]:
    """The result rows by (date, values trimmed and in NFC, as the file engine reads
    them), rows equal so merged; and the rows of weekly data dated on another weekday
    than the week's first, per date."""
    k = slots.k
    first_day = _WEEKDAY[spec.week_start] if spec.grain == "weekly" else None
    groups: dict[Key, Sequence[Any]] = {}
    misdated: dict[dt.date, int] = {}
    # Per spec dimension, the position of its value among the row's trimmed keys;
    # a dimension the table lacks reads the None appended after them.
    picks = [k if j is None else j for j in planned.dimension_slots]
    kept = [j for j, _ in planned.query.kept] if planned.query is not None else []
    for row in rows:
        day = row[0] if type(row[0]) is dt.date else _day(row[0])
        if first_day is not None and day.isoweekday() != first_day:
            misdated[day] = misdated.get(day, 0) + int(row[1 + k])  # PA004 below
            continue
        values = list(map(_text, row[1 : 1 + k]))
        for j in kept:  # the values not named came back as OTHER_SQL (stripped above)
            if row[1 + j] == OTHER_SQL:
                values[j] = OTHER_VALUE
        values.append(None)
        key = (day, tuple(map(values.__getitem__, picks)))
        group = groups.get(key)
        if group is None:
            groups[key] = row
        else:  # values equal once trimmed: one group
            if not isinstance(group, list):
                groups[key] = group = list(group)
            _merge(group, row, slots)
    return groups, misdated


# How one cube measure is read from a result row: (kind, total, count, low, high) with
# the positions a kind reads: a cell (sum, count, extremes), a count (of rows, or of a
# column's cells, read as a sum of ones), or none.
_CELL, _COUNT, _NONE = "cell", "count", "none"
Reader = tuple[str, int | None, int | None, int | None, int | None]
_NOTHING: Reader = (_NONE, None, None, None, None)


def _readers(
    planned: Planned, slots: _Slots, columns: tuple[str, ...], computed: dict[str, Computed]
) -> tuple[Reader, ...]:
    """Per cube measure (each column, then each computed one): where its cell comes from."""
    out: list[Reader] = []
    for slot in planned.measure_slots[: len(columns)]:
        out.append(_NOTHING if slot is None else (_CELL, *slots.measures[slot]))
    exprs = dict(planned.expr_slots)
    counted = [c.column for c in computed.values() if c.kind == "present" and c.column]
    queried = list(dict.fromkeys((*columns, *counted)))  # what measure_slots is aligned with
    for how in computed.values():
        # A count is a sum of ones: of every row, or of the rows where the column has a value.
        if how.kind == "rows":
            out.append((_COUNT, None, 1 + slots.k, None, None))
        elif how.kind == "present":
            slot = planned.measure_slots[queried.index(how.column or "")]
            out.append(
                _NOTHING if slot is None else (_COUNT, None, slots.measures[slot][1], None, None)
            )
        else:
            slot = exprs.get(how.key)
            out.append(_NOTHING if slot is None else (_CELL, *slots.measures[slot]))
    return tuple(out)


def _measure(table: Sequence[Sequence[Any]], reader: Reader) -> Measure:
    """One cube measure, column-wise, from the result's columns (rows in cube order).

    Its scale is the most decimal places any of its numbers has (the driver's
    NUMERIC scale, a float's shortest text), as for a cube built from cells.
    Built a column at a time (thousands of rows, tens of measures): a row
    without values leaves its cell empty, and a column of plain integers (the
    counts, the sums of integer columns) is taken as it comes. A measure whose
    count of values is not selected (nothing reads it) counts 1 on a row with a sum.
    """
    kind, total, count, low, high = reader
    size = len(table[0])
    if kind is _NONE:
        zeros = (0,) * size
        return Measure(0, zeros, zeros, (None,) * size, (None,) * size)
    if count is not None:
        counts = _integers(table[count])
    else:  # no count selected, as none is read: a row holds a value where its sum does
        assert total is not None
        counts = tuple(0 if v is None else 1 for v in table[total])
    if kind is _COUNT:
        return Measure(0, counts, counts, (None,) * size, (None,) * size)
    totals = _column(table, counts, total)
    lows = _column(table, counts, low)
    highs = _column(table, counts, high)
    # NaN, infinities and sums past the range stopped the read before (_not_finite).
    scale = max(_decimals(totals), _decimals(lows), _decimals(highs))
    return Measure(
        scale,
        tuple(0 if v is None else v for v in _scaled(totals, scale)),
        counts,
        tuple(_scaled(lows, scale)),
        tuple(_scaled(highs, scale)),
    )


_NONE_TYPE = type(None)
_PLAIN = frozenset({int, Decimal, _NONE_TYPE})  # what _number returns as it is
_INTEGERS = frozenset({int, _NONE_TYPE})


def _integers(values: Sequence[Any]) -> tuple[int, ...]:
    """Counts as ints (a driver's integer type converted; a missing count is 0)."""
    if set(map(type, values)) == {int}:
        return tuple(values)
    return tuple(0 if v is None else int(v) for v in values)


def _column(
    table: Sequence[Sequence[Any]], counts: tuple[int, ...], position: int | None
) -> list[Decimal | int | None]:
    """The numbers at ``position`` of the rows with values (None elsewhere, and for
    extremes not selected)."""
    if position is None:
        return [None] * len(counts)
    column = table[position]
    values = (
        [v if n else None for v, n in zip(column, counts, strict=True)]
        if 0 in counts
        else list(column)
    )
    if set(map(type, values)) <= _PLAIN:
        return values
    return [_number(v) for v in values]


def _decimals_of(values: Sequence[Decimal | int | None]) -> list[Decimal]:
    return [v for v in values if type(v) is Decimal]


_EXACT = Context(prec=MAX_PREC)  # sums, products and scaleb without rounding 38 digits


def _decimals(values: Sequence[Decimal | int | None]) -> int:
    """The most decimal places of the finite Decimals among ``values`` (0 for none).

    An exact sum has the smallest exponent of its terms: one exponent read per
    column instead of one per value.
    """
    if Decimal not in set(map(type, values)):
        return 0
    found = _decimals_of(values)
    if not all(map(Decimal.is_finite, found)):
        found = [v for v in found if v.is_finite()]
    if not found:
        return 0
    exponent = reduce(_EXACT.add, found).as_tuple().exponent
    assert isinstance(exponent, int)  # a sum of finite numbers is finite
    return max(0, -exponent)


def _scaled(values: list[Decimal | int | None], scale: int) -> list[int | None]:
    """``values`` in units of ``10**-scale``, exactly; None where missing or not finite."""
    types = set(map(type, values))
    if types == {_NONE_TYPE} or (scale == 0 and types <= _INTEGERS):
        return values  # type: ignore[return-value]  # ints and None only: already units
    if types == {Decimal} and all(map(Decimal.is_finite, values)):  # type: ignore[arg-type]
        factor = Decimal(10**scale)
        return list(map(int, map(_EXACT.multiply, values, repeat(factor))))  # type: ignore[arg-type]
    return [_units(v, scale) for v in values]


def _units(value: Decimal | int | None, scale: int) -> int | None:
    """``value`` in units of ``10**-scale``, exactly; None when missing or not finite."""
    if value is None:
        return None
    if isinstance(value, int):
        factor: int = 10**scale
        return value * factor
    if not value.is_finite():
        return None
    units: int = int(value.scaleb(scale, _EXACT))
    return units
