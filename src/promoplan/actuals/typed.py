"""The typed fast path of a CSV file: its measure columns read as numbers by DuckDB's reader.

Reading a column as DECIMAL in the CSV reader costs far less than reading it as
text and cleaning every cell. The reader accepts exactly the cells that
``TRY_CAST(cell AS DECIMAL(18, 4))`` accepts, with the same value, and fails on
the first other cell (``1,234.50``, ``￥88``, ``-``); the engine then reads that
column as text and cleans it, as before. So the cube and every diagnostic are
the same on either path: only the time differs.

Dates stay text: DuckDB's DATE reader takes ``infinity`` and ``epoch`` as
dates, which the date rules of promoplan do not.
"""

from __future__ import annotations

import dataclasses
import os
import re
from typing import TYPE_CHECKING, Any

from promoplan.actuals import checksql, sql
from promoplan.actuals.cellsql import NUMBER_TYPE
from promoplan.actuals.session import run
from promoplan.actuals.sources.base import Opened

if TYPE_CHECKING:
    import duckdb

# A typed attempt that fails after this many seconds has read much of the file:
# the text path is then taken at once rather than trying the next column.
GIVE_UP_SECONDS = 0.5
MAX_ATTEMPTS = 4  # typed reads before the text path, each ending at a dirty column's first cell
# A plain CSV file up to this size is read typed without sampling it first: a typed read
# that fails on it costs about what the sample costs, and a clean file (the usual) saves it.
SAMPLE_FROM_BYTES = 1 << 20

_FAILED_COLUMN = re.compile(r'converting column "c(\d+)"')


def number_columns(opened: Opened, layout: sql.Layout) -> set[int]:
    """The columns worth reading typed: the measure columns of a text CSV scan.

    A column that a formula also reads stays text: the formula takes every digit
    of its operands (as DOUBLE), a typed column only four decimal places.
    """
    scan = opened.scan
    if not isinstance(scan, sql.CsvScan) or scan.types or layout.kinds:
        return set()
    operands = set()
    for _, value in layout.computed_measures():
        operands |= {c for _, c in value.operands}
        if value.column is not None:
            operands.add(value.column)
    return {c for _, c in layout.present_measures()} - operands


def typed_variant(
    opened: Opened, layout: sql.Layout, numbers: set[int]
) -> tuple[Opened, sql.Layout]:
    """``opened`` and ``layout`` with the columns ``numbers`` read as DECIMAL(18, 4)."""
    scan = opened.scan
    assert isinstance(scan, sql.CsvScan)
    width = scan.width
    kinds: tuple[sql.Kind, ...] = tuple(
        "number" if i in numbers else "text" for i in range(1, width + 1)
    )
    types = tuple(NUMBER_TYPE if i in numbers else "VARCHAR" for i in range(1, width + 1))
    fast = dataclasses.replace(opened, scan=dataclasses.replace(scan, types=types))
    return fast, dataclasses.replace(layout, kinds=kinds)


def failed_column(failure: Exception) -> int | None:
    """The column a typed read failed on (1-based), when the failure is a cell's conversion."""
    found = _FAILED_COLUMN.search(str(failure))
    return int(found.group(1)) if found else None


def worth_sampling(opened: Opened) -> bool:
    """Whether to sample ``opened`` before a typed read (:func:`clean_in_sample`): not for a
    small uncompressed file, whose failed typed read is as cheap as the sample."""
    scan, path = opened.scan, opened.params.get("path")
    if not isinstance(scan, sql.CsvScan) or scan.compression is not None or path is None:
        return True
    try:
        return os.stat(path).st_size > SAMPLE_FROM_BYTES
    except OSError:
        return True


def clean_in_sample(
    con: duckdb.DuckDBPyConnection, opened: Opened, numbers: set[int], params: dict[str, Any]
) -> set[int]:
    """The columns of ``numbers`` whose first records are plain numbers: one small query
    instead of one failed typed read per dirty column."""
    from promoplan.actuals.duckengine import duckdb  # noqa: PLC0415  # DuckDB only when actuals are read

    columns = sorted(numbers)
    try:
        (row,) = run(con, checksql.clean_sample_query(opened.scan, columns), params)
    except duckdb.Error:
        return numbers  # the scan itself will say what is wrong
    return {c for c, clean in zip(columns, row, strict=True) if clean is not False}
