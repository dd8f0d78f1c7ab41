"""What the files do not hold that the plan needs (PA002), the channel values the plan
does not map (PA011) and dimension values that are ids a spreadsheet rounded (PA018):
each value told at its first record, read in file order, only when there is one, and
only until every such value has been seen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from promoplan.actuals import checksql, problems
from promoplan.actuals.model import (
    ActualsSpec,
)
from promoplan.actuals.names import unmapped_message
from promoplan.actuals.needs import Needed, Unpivoted, unpivoted_measures
from promoplan.actuals.session import run, stream
from promoplan.actuals.sources.base import Opened
from promoplan.actuals.sql import Layout
from promoplan.diagnostics import Diagnostic, diagnostic

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


def channel_position(spec: ActualsSpec) -> int | None:
    """The channel dimension's position among the dimensions, when unknown values are told."""
    if spec.known_channels is None or spec.channel_dimension is None:
        return None
    names = [n for n, _ in spec.dimensions]
    return names.index(spec.channel_dimension) if spec.channel_dimension in names else None


def unknown_channels(reader: Reader, reads: list[FileRead]) -> list[Diagnostic]:
    """PA011 once per channel value the plan does not map, at its first record in the first file.

    Files with errors are skipped: their errors already fail the run. Only when
    a file has unknown values is it scanned again, for their first records.
    """
    spec = reader.spec
    position = channel_position(spec)
    if position is None or spec.known_channels is None:
        return []
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
        if read.channel_values is not None:  # listed by a scan of several files
            values = [(value,) for value in read.channel_values]
        else:
            values = run(reader.con, checksql.values_query(read.table, position), reader.params())
        unknown = [
            value for (value,) in values if value not in spec.known_channels and value not in seen
        ]
        column = layout.dimensions[position]
        if not unknown or column is None:
            continue
        seen.update(unknown)
        first = first_records(reader, opened, layout, position, unknown)
        lines = opened.lines(first.values(), read.records)
        for value in unknown:
            ordinal = first.get(value)
            out.append(
                diagnostic(
                    "PA011",
                    unmapped_message(spec.channel_dimension or "", value, spec.known_channels),
                    file=opened.where if ordinal is not None else read.name,
                    line=None if ordinal is None else lines(ordinal),
                    column=column + opened.column_offset if ordinal is not None else None,
                    hint="map it to a budget line under channels:",
                )
            )
    return out


def rounded_ids(reader: Reader, reads: list[FileRead]) -> list[Diagnostic]:
    """PA018 once per dimension whose values look like ``1.23457E+18``, at the first
    record of the least of them in the first file that has them.

    Asked only of the files whose statistics found a ``+`` in a value, once per
    group table (a scan of several files answers for all of them); files with
    errors are skipped, as for PA011.
    """
    # group table -> its dimensions and the positions in reads of its files
    tables: dict[str, tuple[int, list[int]]] = {}
    for i, read in enumerate(reads):
        if read.plus and read.table and read.layout and not read.failed:
            table = read.batch[0] if read.batch else read.table
            tables.setdefault(table, (len(read.layout.dimensions), []))[1].append(i)
    answers: dict[int, tuple[list[int], list[str]]] = {}  # position in reads -> its row
    for table, (k, members) in tables.items():
        batch = reads[members[0]].batch is not None
        query = checksql.rounded_query(table, k, files=batch)
        rows = {
            row[0] if batch else None: row[-2:] for row in run(reader.con, query, reader.params())
        }
        for i in members:
            batched = reads[i].batch
            answers[i] = rows.get(batched[1] if batched else None, ([0] * k, [""] * k))
    found: dict[int, tuple[FileRead, int, str]] = {}  # dimension -> first file, count, least
    files: dict[int, int] = {}  # dimension -> how many files have such values
    for i, (counts, values) in sorted(answers.items()):
        for position, (n, value) in enumerate(zip(counts, values, strict=True)):
            if n:
                found.setdefault(position, (reads[i], int(n), value))
                files[position] = files.get(position, 0) + 1
    out = []
    for position, (read, count, least) in sorted(found.items()):
        opened, layout = read.opened, read.layout
        column = None if layout is None else layout.dimensions[position]
        if opened is None or layout is None or column is None:
            continue
        ordinal = first_records(reader, opened, layout, position, [least]).get(least)
        out.append(
            problems.rounded_id(
                opened.where if ordinal is not None else read.name,
                None if ordinal is None else opened.lines([ordinal], read.records)(ordinal),
                None if ordinal is None else column + opened.column_offset,
                opened.header[column - 1],
                least,
                count,
                files[position] - 1,
            )
        )
    return out


def first_records(
    reader: Reader, opened: Opened, layout: Layout, position: int, unknown: list[str]
) -> dict[str, int]:
    """The ordinal of the first kept record of each value in ``unknown``.

    The file is read in order and the read stops once every value has been
    seen: an unknown channel is usually there in the first rows, so this costs
    a chunk, not a scan. Should the rows ever arrive out of order, the grouped
    query (a full scan) answers instead.
    """
    params = {**reader.params(opened), "values": unknown}
    remaining = set(unknown)
    first: dict[str, int] = {}
    previous = 0
    for value, ordinal in stream(
        reader.con, checksql.first_seen_query(layout, opened.scan, position), params
    ):
        if ordinal <= previous:  # not in file order: ask for the minimum instead
            query = checksql.first_records_query(layout, opened.scan, position)
            return {v: int(o) for v, o in run(reader.con, query, params)}
        previous = ordinal
        if value in remaining:
            remaining.discard(value)
            first[value] = int(ordinal)
            if not remaining:
                break
    return first


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
