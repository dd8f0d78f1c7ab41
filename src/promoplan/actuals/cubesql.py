"""The queries that turn the per-file group tables into the daily cube, column-wise.

The cube is summed once more in DuckDB (files combined, dimension values nothing
reads by name folded into one), then fetched as exact integers: a sum of
DECIMAL(38, 4) times 10^4 as a BIGINT (a fetch several times cheaper than
Decimal), computed through DECIMAL(18, 4). Summing and fetching are one query;
only when a value does not fit DECIMAL(18, 4) (DuckDB's conversion error, past
10^14) is the cube made a table, each column's largest magnitude asked, and the
columns that need it fetched as HUGEINT.
Extremes are fetched only for the measures that ``min``/``max`` metrics read.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from promoplan.actuals.cellsql import SPACES, quote_ident, sql_string
from promoplan.actuals.model import OTHER_VALUE
from promoplan.actuals.sql import IN_RANGE

SCALE = 4  # the decimal places of the engine's sums (cellsql.SUM_TYPE)
CUBE_TABLE = "cube"
# Past this many group tables the cube is built as a table first. One query fetching
# the sorted union of them holds about 0.5 MB per table until it ends: past ~220 tables
# (a year of daily exports), more than DuckDB's 128 MB cap, whatever their size or the
# thread count; the table is filled within the cap.
ONE_QUERY_SOURCES = 64
_BIGINT_LIMIT = (2**63 - 1) // 10**SCALE  # the largest magnitude whose units fit a BIGINT


def files_source(table: str, positions: Sequence[int]) -> str:
    """The groups of the files at ``positions`` in the group table of a scan of several
    files, as one FROM item: one scan of it instead of a view per file."""
    chosen = ", ".join(str(int(p)) for p in positions)
    return f"(SELECT * EXCLUDE (f) FROM {quote_ident(table)} WHERE f IN ({chosen}))"


def key_expr(j: int, folded: str | None) -> str:
    """Dimension ``j``, with the values not in the bound list ``folded`` made OTHER_VALUE."""
    if folded is None:
        return f"k{j}"
    trimmed = f"trim(k{j}, {sql_string(SPACES)})"
    return (
        f"CASE WHEN k{j} IS NULL OR {trimmed} = '' OR list_contains(${folded}, {trimmed}) "
        f"THEN k{j} ELSE {sql_string(OTHER_VALUE)} END"
    )


def cube_query(
    sources: Sequence[str],
    dimensions: int,
    extrema: Sequence[bool],
    folded: dict[int, str],
    *,
    merge: bool = True,
) -> str:
    """The cube summed from the group tables (or their views) in ``sources``.

    ``folded`` maps a dimension to the parameter holding the values kept apart.
    Without ``merge`` (no two sources share a key, nothing is folded) the rows
    are the sources' own: summing them again would change nothing.
    """
    measures = len(extrema)
    keys = [key_expr(j, folded.get(j)) + f" AS k{j}" for j in range(dimensions)]
    cells = []
    for j, wanted in enumerate(extrema):
        cells += [f"sum(s{j}) AS s{j}", f"sum(n{j}) AS n{j}"]
        if wanted:
            cells += [f"min(mn{j}) AS mn{j}", f"max(mx{j}) AS mx{j}"]
    columns = ["d"] + [f"k{j}" for j in range(dimensions)]
    columns += [f"{kind}{j}" for j in range(measures) for kind in ("s", "n", "mn", "mx")]
    union = " UNION ALL ".join(
        f"SELECT {', '.join(columns)} FROM {source} WHERE {IN_RANGE}" for source in sources
    )
    if not merge:
        return union
    return f"SELECT {', '.join(['d', *keys, *cells])} FROM ({union}) GROUP BY ALL"


def create_query(
    sources: Sequence[str],
    dimensions: int,
    extrema: Sequence[bool],
    folded: dict[int, str],
) -> str:
    """CREATE the cube table of :func:`cube_query` (when a column needs a HUGEINT fetch)."""
    cube = cube_query(sources, dimensions, extrema, folded)
    return f"CREATE TEMP TABLE {quote_ident(CUBE_TABLE)} AS {cube}"


def magnitudes_query(extrema: Sequence[bool]) -> str:
    """Each measure's largest magnitude in the cube, to pick the integer type to fetch."""
    parts = []
    for j, wanted in enumerate(extrema):
        values = [f"max(abs(s{j}))"]
        if wanted:
            values += [f"max(abs(mn{j}))", f"max(abs(mx{j}))"]
        parts.append(f"greatest({', '.join(values)})" if len(values) > 1 else values[0])
    return f"SELECT {', '.join(parts)} FROM {quote_ident(CUBE_TABLE)}"


def fits_bigint(magnitude: Decimal | None) -> bool:
    """True when units of a value up to ``magnitude`` fit a BIGINT."""
    return magnitude is None or magnitude <= _BIGINT_LIMIT


def fetch_query(
    dimensions: int,
    extrema: Sequence[bool],
    small: Sequence[bool] | None = None,
    cube: str | None = None,
) -> str:
    """The cube in a stable order: date, keys, then per measure its units, count, extremes.

    ``small``: per measure, whether its units fit a BIGINT, from the cube table's
    magnitudes; None: every value is taken to fit DECIMAL(18, 4) and its units a
    BIGINT (a sum below 10^10: the units are multiplied as a DECIMAL(18)), which
    DuckDB computes in 64 bits, several times faster than from the sum's
    DECIMAL(38, 4); a value past that fails the query (a conversion or
    out-of-range error), and the caller reads the cube through a table.
    ``cube``: the :func:`cube_query` to read (None: the cube table).
    """
    source = quote_ident(CUBE_TABLE) if cube is None else f"({cube})"
    keys = ["d"] + [f"k{j}" for j in range(dimensions)]
    out = list(keys)
    for j, wanted in enumerate(extrema):
        values = [f"coalesce(s{j}, 0)"] + ([f"mn{j}", f"mx{j}"] if wanted else [])
        units = [_units(value, None if small is None else small[j]) for value in values]
        out += [units[0], f"CAST(n{j} AS BIGINT)", *units[1:]]
    order = ", ".join(f"{k} NULLS FIRST" for k in keys)
    return f"SELECT {', '.join(out)} FROM {source} ORDER BY {order}"


def _units(value: str, fits: bool | None) -> str:
    """``value`` (a DECIMAL(38, 4) sum) in 10^-4 units: through DECIMAL(18, 4) when ``fits``
    is None, else as a BIGINT or (not ``fits``) a HUGEINT from the wide decimal."""
    if fits is None:
        return f"CAST(CAST({value} AS DECIMAL(18, {SCALE})) * {10**SCALE} AS BIGINT)"
    return f"CAST({value} * {10**SCALE} AS {'BIGINT' if fits else 'HUGEINT'})"


def drop_query() -> str:
    """DROP the cube table once fetched: its memory is DuckDB's, not needed any more."""
    return f"DROP TABLE {quote_ident(CUBE_TABLE)}"
