"""The daily cube from the usable files' group tables: combined in DuckDB, fetched column-wise.

Each file's group table has one row per (date, dimension values) of its own;
the cube sums the rows of every file by key once more (files that hold
different measures of the same keys meet there), folds the dimension values
nothing reads by name, and fetches the result as exact integers in one query
(``cubesql.py``). When no two files can share a key (dates apart, or one file
lacks a dimension column the other fills in every row it keeps), and nothing
is folded, the summing is skipped: it would give the same rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from promoplan.actuals import cellsql, cubesql, sql
from promoplan.actuals.longtable import pivot_views
from promoplan.actuals.model import ActualsSpec, Cube, Measure
from promoplan.actuals.needs import Needed
from promoplan.actuals.session import run

if TYPE_CHECKING:
    import duckdb

    from promoplan.actuals.engine import FileRead


def build_cube(
    con: duckdb.DuckDBPyConnection, reads: list[FileRead], spec: ActualsSpec, needed: Needed
) -> Cube:
    """Combine the usable files' groups into the cube, summed in DuckDB, fetched column-wise."""
    dimensions = tuple(n for n, _ in spec.dimensions)
    if not reads:
        return Cube(dimensions=dimensions, columns=needed.measures, rows=())
    k, m = len(dimensions), len(needed.measures)
    params: dict[str, Any] = {"keep_from": spec.keep_from, "keep_to": spec.keep_to}
    # A long table's groups are pivoted into one column per metric.
    views, long_params = pivot_views(reads, spec, needed.measures)
    params.update(long_params)
    sources: list[str] = []
    names = [n for n, _ in spec.dimensions]
    # The files of one multi-file scan are read from its group table in one go.
    batches: dict[str, list[int]] = {}
    for read in reads:
        assert read.table is not None  # only reads with a group table are combined
        unpivoted = read.unpivoted
        if read.cube_table is not None:  # an unpivoted file as cube rows (overlap-checked)
            sources.append(cellsql.quote_ident(read.cube_table))
            continue
        if unpivoted is None or spec.unpivot is None:
            if read.batch is not None and read.table not in views:
                table, position = read.batch
                if table not in batches:
                    batches[table] = []
                    sources.append(table)  # the table's FROM item, once its files are known
                batches[table].append(position)
            else:
                sources.append(views.get(read.table, cellsql.quote_ident(read.table)))
            continue
        expanded = [(j, v, m + e) for e, (j, v, _) in enumerate(unpivoted.columns)]
        param = f"u{read.table}"  # the file's dimension values, bound: headers never reach SQL
        params[param] = list(unpivoted.values)
        sources.append(
            sql.unpivot_view(
                read.table, k, m, names.index(spec.unpivot.dimension), expanded, f"${param}"
            )
        )
    sources = [cubesql.files_source(s, batches[s]) if s in batches else s for s in sources]
    folded: dict[int, str] = {}
    for name, values in spec.read_values:
        if name in names:
            folded[names.index(name)] = f"read{len(folded)}"
            params[folded[names.index(name)]] = sorted(values)
    extrema = needed.extrema
    fetched = _fetch(con, sources, folded, params, k, extrema, lambda: apart(reads, spec))
    width = 1 + k + sum(4 if wanted else 2 for wanted in extrema)
    columns = list(zip(*fetched, strict=True)) if fetched else [() for _ in range(width)]
    days, keys = tuple(columns[0]), tuple(tuple(c) for c in columns[1 : 1 + k])
    measures, position = [], 1 + k
    for wanted in extrema:
        totals, counts = columns[position], columns[position + 1]
        low = high = None
        if wanted:
            low, high = tuple(columns[position + 2]), tuple(columns[position + 3])
        measures.append(Measure(cubesql.SCALE, tuple(totals), tuple(counts), low, high))
        position += 4 if wanted else 2
    return Cube.of_columns(dimensions, needed.measures, days, keys, tuple(measures))


def _fetch(  # noqa: PLR0917  # the cube query's parts, as build_cube has them
    con: duckdb.DuckDBPyConnection,
    sources: list[str],
    folded: dict[int, str],
    params: dict[str, Any],
    k: int,
    extrema: Sequence[bool],
    files_apart: Callable[[], bool],
) -> list[tuple[Any, ...]]:
    """The cube's rows, as exact integer units: in one query when that can work, else
    through a table (a sum past a BIGINT, or too many files for one query's memory).

    ``files_apart()`` is True when no two files can share a key (their rows need no
    summing); it is asked only for the one query.
    """
    from promoplan.actuals.duckengine import duckdb  # noqa: PLC0415  # DuckDB only when actuals are read

    if len(sources) <= cubesql.ONE_QUERY_SOURCES:
        try:
            # Summed and fetched in one query, as BIGINT units: what nearly every cube fits.
            query = cubesql.cube_query(
                sources, k, extrema, folded, merge=bool(folded) or not files_apart()
            )
            return run(con, cubesql.fetch_query(k, extrema, cube=query), params)
        except duckdb.ConversionException:  # a sum past 10^14: by the magnitudes of a table
            pass
        except duckdb.OutOfRangeException:  # its units past 10^18 (a sum of 10^10 or more)
            pass
        except duckdb.OutOfMemoryException:  # past the memory cap in one query: by a table
            pass
    run(con, cubesql.create_query(sources, k, extrema, folded), params)
    magnitudes = run(con, cubesql.magnitudes_query(extrema), {})[0]
    small = [cubesql.fits_bigint(v) for v in magnitudes]
    fetched = run(con, cubesql.fetch_query(k, extrema, small), {})
    run(con, cubesql.drop_query(), {})
    return fetched


def apart(reads: Sequence[FileRead], spec: ActualsSpec) -> bool:
    """True when no two of ``reads`` can have a key (date, dimension values) in common.

    Decided from what the grouping returned: each file's first and last date
    kept and its rows with no value of a dimension. A long table (its metrics
    are rows) or an unpivoted file (its values come from the header) is never
    taken to be apart.
    """
    if spec.long is not None or any(r.unpivoted is not None for r in reads):
        return False
    dated = []
    for read in reads:
        summary = read.summary
        if summary is None or read.layout is None:
            return False
        if summary.first_date is not None and summary.last_date is not None:
            dated.append((summary.first_date, summary.last_date, read))
    dated.sort(key=lambda item: item[0])
    active: list[tuple[Any, FileRead]] = []  # (last date, read) of spans still open
    for first, last, read in dated:
        active = [(end, other) for end, other in active if end >= first]
        if any(not _dimensions_apart(other, read) for _, other in active):
            return False
        active.append((last, read))
    return True


def _dimensions_apart(one: FileRead, other: FileRead) -> bool:
    """True when a dimension column is in one file only and the file that has it gives a
    value in every row it keeps: the other file's rows (no value there) cannot meet it."""
    assert one.layout is not None
    assert other.layout is not None
    for j, (a, b) in enumerate(zip(one.layout.dimensions, other.layout.dimensions, strict=True)):
        if (a is None) == (b is None):
            continue
        has = one if a is not None else other
        if j < len(has.null_keys) and has.null_keys[j] == 0:
            return True
    return False
