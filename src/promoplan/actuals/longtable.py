"""Long tables (``actuals.layout: long``): one row per date, dimension values and metric.

A long file is grouped like any other (:mod:`promoplan.actuals.sql`), with its
metric column as one more key after the dimensions and its value column as the
one measure, so bad values, repeats and line numbers work as in a wide file.
When the cube is built, :func:`pivot_view` turns those groups into the plan's
metrics, in SQL: the metric named ``spend`` becomes the cube's ``spend`` column.
Metric names are bound as a list parameter, never pasted into the query.

Then :func:`metric_diagnostics` says which names the files hold that the plan
does not read (one info for all the files) and which metrics the plan needs that
no file holds (PA002); both are read from the small group tables (each file's
names listed once, when its groups are checked), not from the files again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from promoplan.actuals import problems
from promoplan.actuals.cellsql import SUM_TYPE, quote_ident
from promoplan.actuals.model import ActualsSpec
from promoplan.actuals.names import header_key
from promoplan.diagnostics import Diagnostic, diagnostic

if TYPE_CHECKING:
    from promoplan.actuals.engine import FileRead


def metric_names(spec: ActualsSpec, measures: Sequence[str]) -> list[str | None]:
    """Per cube measure, the metric name a long table holds it under (None: computed)."""
    columns = set(spec.columns)
    return [m if m in columns else None for m in measures]


def pivot_view(table: str, dimensions: int, names: Sequence[str | None], param: str) -> str:
    """A long file's group table as cube rows: one column group per metric.

    The table is keyed by ``d, k0 .. k<dimensions>`` (the last key is the metric
    name) with one measure (``s0, n0, mn0, mx0``). Per cube measure ``j`` named
    ``names[j]`` the view keeps the measure where the key equals
    ``list_extract(param, i)`` (``param``: the bound list of the names, ``i``:
    its 1-based place), so the cube query (``cubesql``) sums each metric into its own
    column when it groups by date and dimension values. Rows of other metrics are left out.
    """
    metric = f"k{dimensions}"
    null = f"CAST(NULL AS {SUM_TYPE})"
    wanted = [name for name in names if name is not None]
    columns = ["d"] + [f"k{j}" for j in range(dimensions)]
    for j, name in enumerate(names):
        if name is None:
            columns.append(f"{null} AS s{j}, 0 AS n{j}, {null} AS mn{j}, {null} AS mx{j}")
            continue
        hit = f"{metric} = list_extract({param}, {wanted.index(name) + 1})"
        columns.append(
            f"CASE WHEN {hit} THEN s0 END AS s{j}, CASE WHEN {hit} THEN n0 ELSE 0 END AS n{j}, "
            f"CASE WHEN {hit} THEN mn0 END AS mn{j}, CASE WHEN {hit} THEN mx0 END AS mx{j}"
        )
    return (
        f"(SELECT {', '.join(columns)} FROM {quote_ident(table)} "
        f"WHERE list_contains({param}, {metric}))"
    )


def pivot_views(
    reads: Sequence[FileRead], spec: ActualsSpec, measures: Sequence[str]
) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The pivot view of each long file's table, and the bound parameter each one names."""
    if spec.long is None:
        return {}, {}
    names = metric_names(spec, measures)
    param = "long_metrics"
    views = {
        read.table: pivot_view(read.table, len(spec.dimensions), names, f"${param}")
        for read in reads
        if read.table is not None
    }
    return views, {param: [n for n in names if n is not None]}


def metric_diagnostics(reads: Sequence[FileRead], spec: ActualsSpec) -> list[Diagnostic]:
    """PA015 (info), once for all the files, for the metric names the plan does not read;
    PA002 per metric the plan reads that no file holds (said only when some file could be
    grouped). The names are each file's, listed when its groups were checked."""
    long = spec.long
    if long is None:
        return []
    wanted = list(dict.fromkeys(spec.columns))
    keys = {header_key(name): name for name in wanted}
    found: set[str] = set()
    grouped: list[str] = []
    other: dict[str, None] = {}  # the names not read, in the order first seen
    holding: list[str] = []  # the files that hold any of them
    out: list[Diagnostic] = []
    slips: dict[str, str] = {}  # a name not read that is a read one but for case -> its file
    for read in reads:
        if read.table is None or read.layout is None or read.layout.dimensions[-1] is None:
            continue  # no metric column: PA002 names it
        grouped.append(read.name)
        names = read.metric_names or []  # listed when the file's groups were checked
        found.update(names)
        unread = [name for name in names if name not in wanted]
        for name in unread:
            if header_key(name) in keys:
                slips.setdefault(name, read.name)
        unread = [name for name in unread if name not in slips]
        if unread:
            other.update(dict.fromkeys(unread))
            holding.append(read.name)
    for name, file in slips.items():
        # Its rows are ignored, the file may count for nothing: not a mere info.
        read_as = keys[header_key(name)]
        out.append(
            diagnostic(
                "PA002",
                f'metric "{name}" in column "{long.metric_column}" is not "{read_as}", which '
                "the plan reads: its rows are ignored (metric names match as written, "
                "case included)",
                file=file,
                hint=f'write it "{read_as}" in the data, or read it with column: "{name}"',
            )
        )
    if other:  # once for all the files, as PA011 is once per value
        more = f" (in {len(holding)} files)" if len(holding) > 1 else ""
        out.append(
            diagnostic(
                "PA015",
                f"{problems.count(len(other), 'metric')} in column "
                f'"{long.metric_column}" the plan does not read, ignored: '
                f"{problems.listing(list(other))}{more}",
                file=holding[0],
                hint="to read one, add a metric with column: NAME",
            )
        )
    if not grouped:
        return out
    holds = problems.listing(sorted(found)) if found else "none"
    for name in wanted:
        if name in found:
            continue
        out.append(
            diagnostic(
                "PA002",
                f'no actuals file has the metric "{name}" in column "{long.metric_column}"',
                file=grouped[0] if len(grouped) == 1 else None,
                hint=f"the metrics in the files are: {holds}",
            )
        )
    return out
