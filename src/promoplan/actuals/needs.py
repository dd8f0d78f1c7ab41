"""What a plan's actuals spec asks of a table's header, whatever reads the table.

The columns it needs (:func:`needed_of`) and where an unpivoted measure's columns
are (:func:`unpivot_header`): the CSV engine (:mod:`promoplan.actuals.layout`)
and the database sources (:mod:`promoplan.actuals.warehouse.columns`) both ask,
so that a check against a database imports nothing of the file engine.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from promoplan.actuals import problems
from promoplan.actuals.model import ActualsSpec, Computed, UnpivotSpec
from promoplan.actuals.names import HeaderIndex, nfc
from promoplan.diagnostics import Diagnostic, diagnostic


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


# How unpivot_header's PA002 end: what a file lacks (a file may carry some channels only).
NO_MATCH, NOT_IN_FILE = " matches no column", " is not in the file"


@dataclass(frozen=True)
class Unpivoted:
    """One file's columns that carry one value of the unpivot dimension each."""

    values: tuple[str, ...]  # the dimension values, in header order
    # (cube measure, 1-based value index, header column) per column found
    columns: tuple[tuple[int, int, int], ...]


def unpivot_header(
    header: tuple[str, ...],
    needed: Needed,
    unpivot: UnpivotSpec,
    name: str,
    *,
    counts: bool = False,
) -> tuple[Unpivoted, list[Diagnostic]]:
    """Match the spec's patterns and names against a header: PA002 for what matches nothing.

    ``counts``: a count of an unpivoted measure's cells (``agg: count`` of its
    column) gets the measure's columns too, under its own cube measure (the file
    engine counts each column's cells as one more measure).
    """
    values: dict[str, int] = {}
    found: list[tuple[int, int, int]] = []
    problems_found: list[Diagnostic] = []
    for measure, pattern, named in unpivot.measures:
        readers = [needed.measures.index(measure)] if measure in needed.measures else []
        if counts:
            readers += [j for j, c in enumerate(needed.computed) if _counts(c, measure)]
        if not readers:
            continue  # no metric reads it
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
                        f'the pattern "{shown}" of {measure!r}{NO_MATCH}',
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
                        f'column "{column_name}" ({measure} for {unpivot.dimension} "{value}")'
                        f"{NOT_IN_FILE}",
                        file=name,
                        line=1,
                        hint=f"the columns are: {problems.listing(header)}",
                    )
                )
        for value, column in pairs:
            index = values.setdefault(value, len(values) + 1)
            found += [(j, index, column) for j in readers]
    return Unpivoted(tuple(values), tuple(found)), problems_found


def unpivot_missing(per_file: Sequence[Sequence[Diagnostic]]) -> list[Diagnostic]:
    """PA002 for an unpivot pattern or named column that matches nothing: at its file
    when one file is read; over several, once, when none of them has it (one export
    may carry the offline channels and another the online ones, as one file may lack
    a column another has). ``per_file``: each file's PA002 from ``unpivot_header``."""
    if len(per_file) <= 1:
        return [d for found in per_file for d in found]
    n = len(per_file)
    everywhere = set.intersection(*({d.message for d in found} for found in per_file))
    return [
        replace(
            d,
            message=d.message.replace(NO_MATCH, f"{NO_MATCH} in any of the {n} files").replace(
                NOT_IN_FILE, f" is in none of the {n} files"
            ),
            file=None,
            line=None,
            hint=None,
        )
        for d in per_file[0]
        if d.message in everywhere
    ]


def _counts(computed: Computed | None, measure: str) -> bool:
    """Whether ``computed`` counts the cells of column ``measure``."""
    return computed is not None and computed.kind == "present" and computed.column == measure


def unpivoted_measures(spec: ActualsSpec) -> set[str]:
    """The measures ``actuals.unpivot`` splits: none has a column of its own."""
    return {m for m, _, _ in spec.unpivot.measures} if spec.unpivot is not None else set()
