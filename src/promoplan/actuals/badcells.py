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
    total = bad_dates + sum(bad_numbers)
    if total > len(shown):
        names = [needed.date] + [measure_name(needed, layout, opened, j) for j, _ in present]
        parts = ", ".join(
            f'{n:,} in "{c}"' for c, n in zip(names, [bad_dates, *bad_numbers], strict=True) if n
        )
        out.append(
            diagnostic(
                "PA003" if sum(bad_numbers) >= bad_dates else "PA004",
                f"{total - len(shown):,} more bad cells not listed ({total:,} in all: {parts})",
                file=opened.name,
                hint=f"the first {len(shown)} are listed above",
            )
        )
    return out
