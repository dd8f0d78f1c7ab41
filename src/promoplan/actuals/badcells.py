"""The bad cells of a file whose statistics counted some (PA003, PA004): the first
:data:`~promoplan.actuals.cellsql.FIRST_ERRORS` in file order, each at its line and
column with its raw text, then one line counting the rest per column. The error path
only: a file without bad cells is never scanned for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from promoplan.actuals import cellsql, checksql, problems
from promoplan.actuals.layout import measure_name
from promoplan.actuals.session import run
from promoplan.actuals.sources.base import Opened
from promoplan.actuals.sql import Layout
from promoplan.diagnostics import Diagnostic, diagnostic

if TYPE_CHECKING:
    from promoplan.actuals.engine import Reader


def bad_cells(reader: Reader, opened: Opened, layout: Layout, records: int) -> list[Diagnostic]:
    """PA004/PA003 for the first bad cells in file order, then one line for the rest."""
    needed = reader.needed
    present = layout.present_measures()
    # (ordinal, file column, measure name or "" for the date, raw cell)
    found: list[tuple[int, int, str, str | None]] = []
    for row in run(reader.con, checksql.bad_rows_query(layout, opened.scan), reader.params(opened)):
        ordinal, raw_date = row[0], row[1]
        raws, flags = row[2 : 2 + len(present)], row[2 + len(present) :]
        if flags[0]:
            found.append((ordinal, layout.date, "", raw_date))
        for (j, col), raw, flag in zip(present, raws, flags[1:], strict=True):
            if flag:
                found.append((ordinal, col, measure_name(needed, layout, opened, j), raw))
    found.sort(key=lambda f: (f[0], f[1]))
    shown = found[: cellsql.FIRST_ERRORS]
    lines = opened.lines([f[0] for f in shown], records)
    where, offset = opened.where, opened.column_offset
    out: list[Diagnostic] = []
    for ordinal, col, measure, raw in shown:
        if measure:
            out.append(
                problems.number_problem(where, lines(ordinal), col + offset, measure, raw or "")
            )
        else:
            out.append(
                problems.date_problem(
                    where,
                    lines(ordinal),
                    col + offset,
                    raw,
                    date_column=needed.date,
                    date_format=reader.spec.date_format,
                    week_start=reader.spec.week_start if reader.spec.grain == "weekly" else None,
                )
            )
    if len(found) < cellsql.FIRST_ERRORS:
        return out
    # More than fit: count them per column (a second scan, on the error path only).
    counts = run(reader.con, checksql.bad_counts_query(layout, opened.scan), reader.params(opened))[
        0
    ]
    bad_dates, bad_numbers = int(counts[0]), [int(c) for c in counts[1:]]
    shown_dates = sum(1 for f in shown if not f[2])
    names = [measure_name(needed, layout, opened, j) for j, _ in present]
    # One line per code, so that --ignore PA004 or a grep for PA003 counts what it names.
    rest = (
        ("PA004", "dates", bad_dates, shown_dates, [(needed.date, bad_dates)]),
        (
            "PA003",
            "numbers",
            sum(bad_numbers),
            len(shown) - shown_dates,
            list(zip(names, bad_numbers, strict=True)),
        ),
    )
    for code, kind, total, listed, per_column in rest:
        if total <= listed:
            continue
        parts = ", ".join(f'{n:,} in "{c}"' for c, n in per_column if n)
        out.append(
            diagnostic(
                code,
                f"{total - listed:,} more bad {kind} not listed ({total:,} in all: {parts})",
                file=opened.name,
                hint=f"the first {len(shown)} bad cells are listed above",
            )
        )
    return out
