"""What the files do not hold that the plan needs (PA002), and the channel values the plan
does not map (PA011, at each value's first record: one more scan, only when there is one).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from promoplan.actuals import checksql, problems
from promoplan.actuals.layout import (
    Needed,
    Unpivoted,
    unpivoted_measures,
)
from promoplan.actuals.model import (
    ActualsSpec,
)
from promoplan.actuals.names import unmapped_message
from promoplan.actuals.session import connect, run
from promoplan.actuals.sources.base import Opened
from promoplan.diagnostics import Diagnostic, diagnostic

if TYPE_CHECKING:
    pass

# The session's connect, by the name tests spy on (a module attribute, looked up per read).
_connect = connect

if TYPE_CHECKING:
    from promoplan.actuals.engine import FileRead, Reader


def missing_columns(reads: list[FileRead], needed: Needed, spec: ActualsSpec) -> list[Diagnostic]:
    """PA002 once per needed column that no readable file has.

    Unpivoted measures and their dimension come from headers, not columns of
    their own: their patterns say PA002 for themselves.
    """
    readable = [r for r in reads if r.header is not None]
    skip = unpivoted_measures(spec)
    if spec.unpivot is not None:
        skip |= {c for n, c in spec.dimensions if n == spec.unpivot.dimension}
    return problems.missing_columns(
        [r.header for r in readable if r.header is not None],
        [reads[0].name] if len(reads) == 1 else [r.name for r in readable],
        [h for h in needed.headers if h not in skip],
    )


def unknown_channels(reader: Reader, reads: list[FileRead]) -> list[Diagnostic]:
    """PA011 once per channel value the plan does not map, at its first record in the first file.

    Files with errors are skipped: their errors already fail the run. Only when
    a file has unknown values is it scanned again, for their first records.
    """
    spec = reader.spec
    if spec.known_channels is None or spec.channel_dimension is None:
        return []
    names = [n for n, _ in spec.dimensions]
    if spec.channel_dimension not in names:
        return []
    position = names.index(spec.channel_dimension)
    seen: set[str] = set()
    out = []
    for read in reads:
        opened, layout = read.opened, read.layout
        if read.table is None or opened is None or layout is None or read.failed:
            continue
        unpivoted = read.unpivoted
        if unpivoted is not None and spec.unpivot is not None:
            if spec.unpivot.dimension == spec.channel_dimension:
                out += unknown_headers(spec, opened, unpivoted, seen)
            continue
        values = run(reader.con, checksql.values_query(read.table, position), reader.params())
        unknown = [
            value for (value,) in values if value not in spec.known_channels and value not in seen
        ]
        column = layout.dimensions[position]
        if not unknown or column is None:
            continue
        seen.update(unknown)
        query = checksql.first_records_query(layout, opened.scan, position)
        params = {**reader.params(opened), "values": unknown}
        first = {value: int(ordinal) for value, ordinal in run(reader.con, query, params)}
        lines = opened.lines(first.values(), read.records)
        for value in unknown:
            ordinal = first.get(value)
            out.append(
                diagnostic(
                    "PA011",
                    unmapped_message(spec.channel_dimension, value, spec.known_channels),
                    file=opened.where if ordinal is not None else read.name,
                    line=None if ordinal is None else lines(ordinal),
                    column=column + opened.column_offset if ordinal is not None else None,
                    hint="map it to a budget line under channels:",
                )
            )
    return out


def unknown_headers(
    spec: ActualsSpec, opened: Opened, unpivoted: Unpivoted, seen: set[str]
) -> list[Diagnostic]:
    """PA011 for channel values read from headers, at the header cell of the first."""
    known = spec.known_channels or frozenset()
    out = []
    for index, value in enumerate(unpivoted.values, start=1):
        if value in known or value in seen:
            continue
        seen.add(value)
        column = min(c for _, v, c in unpivoted.columns if v == index)
        out.append(
            diagnostic(
                "PA011",
                unmapped_message(spec.channel_dimension or "", value, known),
                file=opened.where,
                line=1,
                column=column + opened.column_offset,
                hint="map it to a budget line under channels:",
            )
        )
    return out
