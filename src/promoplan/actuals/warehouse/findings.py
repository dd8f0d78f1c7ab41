"""The diagnostics a cube query's rows give: repeated rows (PA010), weekly rows on
another weekday (PA004), channels the plan does not map (PA011), ids rounded as
numbers (PA018) and a cube past the cap (PA036, naming the dimension with the most
distinct values), and sums that are NaN, infinite or out of range (PA003).

:mod:`promoplan.actuals.warehouse.cube` calls these on the groups it built.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

from promoplan.actuals import problems
from promoplan.actuals.cellsql import FIRST_ERRORS
from promoplan.actuals.model import OTHER_VALUE, ActualsSpec
from promoplan.actuals.names import ROUNDED_ID, unmapped_message
from promoplan.actuals.problems import date_problem, rounded_id, span
from promoplan.actuals.warehouse import columns as limits  # MAX_CUBE_ROWS read on use
from promoplan.actuals.warehouse.columns import Planned
from promoplan.actuals.warehouse.cubequery import CubeQuery
from promoplan.actuals.warehouse.urls import WarehouseUrl
from promoplan.diagnostics import Diagnostic, diagnostic

Key = tuple[dt.date, tuple[str | None, ...]]


def order(key: Key) -> tuple[dt.date, tuple[tuple[bool, str], ...]]:
    day, dims = key
    return day, tuple((v is not None, v or "") for v in dims)


def misdated(
    url: WarehouseUrl, spec: ActualsSpec, misdated: dict[dt.date, int]
) -> list[Diagnostic]:
    """PA004 per date not on the week's first day (weekly rows), the first ones, then a count."""
    out = []
    days = sorted(misdated)
    for day in days[:FIRST_ERRORS]:
        found = date_problem(
            url.display,
            None,
            0,
            day.isoformat(),
            date_column=spec.date_column,
            date_format=None,
            week_start=spec.week_start,
        )
        out.append(replace(found, column=None))
    if len(days) > FIRST_ERRORS:
        rows = sum(misdated[d] for d in days[FIRST_ERRORS:])
        out.append(
            diagnostic(
                "PA004",
                f"{len(days) - FIRST_ERRORS:,} more dates not on the first day of a week "
                f"({rows:,} rows) not listed",
                file=url.display,
                hint=f"the first {FIRST_ERRORS} are listed above",
            )
        )
    return out


def repeats(
    url: WarehouseUrl, grain: str, labels: tuple[str | None, ...], counts: dict[Key, int]
) -> list[Diagnostic]:
    """PA010 once, at the earliest repeated (date, dimension values), as for a CSV file:
    each value after its column (``labels``, aligned with the key's values; None for a
    dimension not named: one the table lacks, or the unpivoted one, of which a row of
    the file has no value)."""
    repeated = sorted((key for key, n in counts.items() if n > 1), key=order)
    if not repeated:
        return []
    day, dims = repeated[0]
    parts = [
        f'{label} "{v}"' if v is not None else f"no {label}"
        for label, v in zip(labels, dims, strict=True)
        if label is not None
    ]
    extra = sum(counts[key] - 1 for key in repeated)
    return [_repeated(url, grain, [day.isoformat(), *parts], len(repeated), extra)]


def repeated_rows(
    url: WarehouseUrl,
    spec: ActualsSpec,
    query: CubeQuery,
    groups: dict[Key, Sequence[Any]],
    counts: dict[Key, int],
) -> list[Diagnostic]:
    """PA010 for every grain but ``rows`` (where rows repeat by nature): from the repeats
    the query counted where it grouped in levels, else from the cube's row counts."""
    if spec.grain == "rows":
        return []
    if query.two_level():
        return folded_repeats(url, spec, query, groups)
    unpivoted = spec.unpivot.dimension if spec.unpivot is not None else None
    labels = tuple(
        column if name != unpivoted and column in query.dimensions else None
        for name, column in spec.dimensions
    )
    return repeats(url, spec.grain, labels, counts)


def long_repeats(
    url: WarehouseUrl,
    spec: ActualsSpec,
    columns: tuple[str, ...],
    repeated: dict[tuple[Key, str], int],
) -> list[Diagnostic]:
    """PA010 for a long table (not of order-level rows), as for its CSV file: at the
    earliest (date, dimension values, metric) that more than one row holds. ``columns``:
    the dimension columns the table has, which the keys' values are of."""
    long = spec.long
    if spec.grain == "rows" or long is None:
        return []
    counts = {(day, (*dims, metric)): n for ((day, dims), metric), n in repeated.items()}
    return repeats(url, spec.grain, (*columns, long.metric_column), counts)


def folded_repeats(
    url: WarehouseUrl, spec: ActualsSpec, query: CubeQuery, groups: dict[Key, Sequence[Any]]
) -> list[Diagnostic]:
    """PA010 from the repeated rows the query counted under each cube row (``r``), where
    dimensions were folded into it. Their values are not in the cube: one folded
    dimension is named by its least repeated value there (``f``), several as "the same
    sku, the same store" (each one's least value need not be of the same rows)."""
    start = query.columns_out() - len(query.folded_tail())
    summed, repeated = start, start + 1
    keys = sum(int(row[repeated]) for row in groups.values())
    if not keys:
        return []
    # The rows beyond the first of each repeated group: every row, less one per group.
    n = 1 + query.keys()
    extra = sum(int(row[n]) - int(row[summed]) for row in groups.values())
    first = min((key for key, row in groups.items() if row[repeated]), key=order)
    day, dims = first
    named = {query.folded[0]: groups[first][start + 2]} if "f" in query.folded_tail() else {}
    parts = []
    unpivoted = spec.unpivot.dimension if spec.unpivot is not None else None
    for (name, column), value in zip(spec.dimensions, dims, strict=True):
        if name == unpivoted:  # a row of the file has no value of it: not named
            continue
        if column not in query.dimensions and column not in query.folded:
            continue  # the table has no such column: as a file without it, not named
        if (column in query.folded and column not in named) or value == OTHER_VALUE:
            parts.append(f"the same {column}")  # a value the cube does not hold
            continue
        shown = named.get(column, value)
        parts.append(f'{column} "{shown}"' if shown is not None else f"no {column}")
    return [_repeated(url, spec.grain, [day.isoformat(), *parts], keys, extra)]


def _repeated(url: WarehouseUrl, grain: str, parts: list[str], keys: int, extra: int) -> Diagnostic:
    """PA010 at the (date, values) ``parts`` name, with how many repeat and the rows extra."""
    more = ""
    if keys > 1 or extra > 1:
        what = "1 date and dimension values" if keys == 1 else f"{keys:,} date and dimension values"
        rows = "1 extra row" if extra == 1 else f"{extra:,} extra rows"
        more = f"; {what} repeat, {rows} in all"
    return diagnostic(
        "PA010",
        f"repeated: {', '.join(parts)}{more}",
        file=url.display,
        hint=f"grain is {grain}, so repeated rows are probably counted twice; "
        "set actuals.grain: rows for order-level data",
    )


def unknown_channels(
    url: WarehouseUrl,
    spec: ActualsSpec,
    query: CubeQuery,
    names: tuple[str, ...],
    groups: dict[Key, int],
) -> list[Diagnostic]:
    """PA011 once per channel value the plan does not map, in sorted order; values
    read from column names (unpivot) in the columns' order, as for a file."""
    channel = spec.channel_dimension
    if spec.known_channels is None or channel is None or channel not in names:
        return []
    position = names.index(channel)
    unpivoted = spec.unpivot is not None and spec.unpivot.dimension == channel
    rank = {v: i for i, v in enumerate(query.unpivot.values)} if query.unpivot and unpivoted else {}
    found = {v for _, dims in groups if (v := dims[position]) is not None}
    values = sorted(found, key=lambda v: (rank.get(v, len(rank)), v))
    return [
        diagnostic(
            "PA011",
            unmapped_message(channel, value, spec.known_channels),
            file=url.display,
            hint="map it to a budget line under channels:",
        )
        for value in values
        if value is not None and value not in spec.known_channels
    ]


def missing_metrics(
    url: WarehouseUrl, spec: ActualsSpec, query: CubeQuery, seen: set[str]
) -> list[Diagnostic]:
    """PA002 per metric a long table's plan reads that no row read holds."""
    long = spec.long
    assert long is not None
    assert query.long is not None
    held = problems.listing(sorted(seen)) if seen else "none"
    return [
        diagnostic(
            "PA002",
            f'no row of {url.table} dated {span(spec)} has the metric "{name}" '
            f'in column "{long.metric_column}"',
            file=url.display,
            hint=f"the metrics read there are: {held}",
        )
        for name in query.long.names
        if name not in seen
    ]


_ROUNDED_ID = re.compile(ROUNDED_ID)


def rounded_ids(
    url: WarehouseUrl, spec: ActualsSpec, keys: tuple[tuple[str | None, ...], ...]
) -> list[Diagnostic]:
    """PA018 once per dimension column whose values look like ``1.23457E+18``, naming
    the least of them and how many there are. ``keys``: each dimension's values, a
    tuple per dimension in the plan's order."""
    out = []
    for (_, column), values in zip(spec.dimensions, keys, strict=False):
        found = sorted(
            v for v in set(values) if v is not None and "+" in v and _ROUNDED_ID.fullmatch(v)
        )
        if found:
            out.append(rounded_id(url.display, None, None, column, found[0], len(found), 0))
    return out


def too_large(
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


# Past DECIMAL(38, 4), the type a file's sums are exact in: no real total.
_SUM_LIMIT = 10**34


def not_finite(
    url: WarehouseUrl,
    spec: ActualsSpec,
    cells: Sequence[tuple[str, tuple[int | None, ...]]],
    table: Sequence[Sequence[Any]],
    order: Sequence[Key],
) -> list[Diagnostic]:
    """PA003 per measure whose sum or extremes hold NaN, an infinity or a number past
    the sums' range in some group (a float column's ``NaN`` makes its group's sum NaN;
    a NUMERIC holds ``1e310``): a CSV export of the table is refused the same way, so
    the table is not counted either. ``cells``: each measure read from cells, with the
    positions of its sum and extremes in ``table`` (the result's columns, in cube order)."""
    out: list[Diagnostic] = []
    for measure, positions in cells:
        bad: dict[int, object] = {}
        for position in positions:
            if position is None or set(map(type, table[position])) <= {int, type(None)}:
                continue
            for index, value in enumerate(table[position]):
                if index not in bad and _out_of_range(value):
                    bad[index] = value
        if bad:
            first = min(bad)
            out.append(_not_finite(url, spec, measure, order[first], len(bad), bad[first]))
    return out


def _out_of_range(value: object) -> bool:
    if isinstance(value, float):
        return not math.isfinite(value) or abs(value) >= _SUM_LIMIT
    if isinstance(value, Decimal):
        return not value.is_finite() or abs(value) >= _SUM_LIMIT
    return False


def _not_finite(  # noqa: PLR0917  # one finding's parts
    url: WarehouseUrl, spec: ActualsSpec, measure: str, first: Key, groups: int, value: object
) -> Diagnostic:
    if measure.startswith("\x00expr:"):
        what = f"expr {measure.removeprefix(chr(0) + 'expr:')!r}"
    else:
        what = f'column "{measure}"'
    day, dims = first
    named = ", ".join(
        f"{name} {'(another value)' if v == OTHER_VALUE else repr(v)}"
        for (name, _), v in zip(spec.dimensions, dims, strict=False)
        if v is not None
    )
    where = day.isoformat() + (f" ({named})" if named else "")
    shown = _number_text(value)
    why = (
        "a value that is not a finite number"
        if shown in ("NaN", "Infinity", "-Infinity")
        else "a number past 10^34 (out of range)"
    )
    more = f" (and {groups - 1:,} more group{'s' if groups > 2 else ''})" if groups > 1 else ""
    return diagnostic(
        "PA003",
        f"{what} of {url.table} sums to {shown} on {where}{more}: it holds {why}",
        file=url.display,
        hint="find the rows (WHERE the column is NaN or infinite) and fix the load, or read "
        "the table through a view that leaves them out; the table is not counted",
    )


def _number_text(value: object) -> str:
    """``NaN``, ``Infinity``, ``-Infinity`` (a float's or a NUMERIC's), else the number."""
    text = str(value)
    lowered = text.lower().lstrip("+-")
    if "nan" in lowered:
        return "NaN"
    if lowered.startswith("inf"):
        return "-Infinity" if text.startswith("-") else "Infinity"
    return f"{Decimal(text).normalize():.4g}"  # 1e+310, not its 311 digits


def nothing_read(url: WarehouseUrl, spec: ActualsSpec, *, table_has_rows: bool) -> Diagnostic:
    """The cube query found no row: PA001 (an error, as for a file with a header and no rows)
    when the table has none at all, else PA012 (every row is dated outside the span read)."""
    if not table_has_rows:
        return diagnostic(
            "PA001",
            f"{url.table} has no rows",
            file=url.display,
            hint="is the load that fills it done? a CSV export with no rows is the same error",
        )
    return diagnostic(
        "PA012",
        f"no row of {url.table} is dated {span(spec)}; the rows outside are not read",
        file=url.display,
    )
