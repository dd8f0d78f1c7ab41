"""Excel and OpenDocument workbooks (.xlsx, .xlsm, .xls, .xlsb, .ods) via python-calamine.

The sheet named by ``actuals.sheet`` (else the first) is read by calamine and
written, streamed, to a UTF-8 CSV in the read's temp directory that the CSV
rules then apply to: DuckDB does every aggregation, and a bad cell is located
as ``book.xlsx:Sheet1:ROW:COLUMN`` with the row and column Excel shows. Date
cells are dates; in the date column a number is an Excel serial date
(45658 is 2025-01-01). Empty rows above the header are skipped; a merged header
cell names its first column only.

An error cell (``#DIV/0!``, ``#N/A`` ...), which calamine reads as empty, is written
as its error text, so the CSV rules see it as a CSV export has it: in a measure column
PA003. A formula cell that holds no value (the workbook was never calculated) makes
the sheet PA001: its numbers are not in the file. Both are found in an .xlsx/.xlsm
sheet's XML (``sheetxml.py``); in .xls, .xlsb and .ods, calamine's empty cells stand.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path

from python_calamine import CalamineWorkbook

from promoplan.actuals import sql
from promoplan.actuals.names import HeaderIndex
from promoplan.actuals.problems import csv_problem, listing
from promoplan.actuals.sources.base import Context, Opened
from promoplan.actuals.sources.sheetxml import SheetCells, cell_name, sheet_cells
from promoplan.diagnostics import Diagnostic, diagnostic

# Excel's day 0 for serial dates (1900 system; the 1900 leap-year bug makes
# serials from 61 on count from here).
EXCEL_EPOCH = dt.date(1899, 12, 30)
LAST_SERIAL = 2_958_465  # 9999-12-31

_KINDS = {
    b"PK\x03\x04": "an Excel workbook (.xlsx) or another zip archive",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": "an Excel 97-2003 workbook (.xls)",
}


def _what(path: Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(8)
    for magic, kind in _KINDS.items():
        if head.startswith(magic):
            return kind
    return f"a {path.suffix.lower() or 'spreadsheet'} file"


def cell_text(value: object, *, as_date: bool) -> str:  # noqa: PLR0911  # one return per cell type
    """A cell as the text the CSV rules read: dates year first, numbers as written."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        if as_date:
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (int, float)):
        if as_date and float(value).is_integer() and 0 < value <= LAST_SERIAL:
            return (EXCEL_EPOCH + dt.timedelta(days=int(value))).isoformat()
        if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
            # Excel keeps 15 significant digits: a 16-digit id is rounded already. As
            # Excel shows it, in E notation (1.23456789012345e+15), so PA018 tells it.
            return f"{value:.15g}"
        return repr(value)
    return "" if value is None else str(value)


def _uncalculated(cells: SheetCells, where: str) -> Diagnostic:
    """PA001 at the first formula cell that holds no value."""
    first = cells.first_uncalculated
    assert first is not None
    shown = cell_name(first.row, first.column) + (f" {first.formula}" if first.formula else "")
    count = cells.uncalculated
    return diagnostic(
        "PA001",
        f"{count:,} formula {'cell holds' if count == 1 else 'cells hold'} no value "
        f"(the first: {shown}); the workbook was saved by a program that does not "
        "calculate formulas, so they would read as empty",
        file=where,
        line=first.row + 1,
        column=first.column + 1,
        hint="open the workbook in Excel or LibreOffice and save it, so that the values "
        "are stored; or save the sheet as CSV (UTF-8)",
    )


class ExcelSource:
    """A workbook's sheet, turned into CSV text for the engine."""

    kind = "excel"

    def open(
        self, ctx: Context, path: Path, name: str, index: int, diagnostics: list[Diagnostic]
    ) -> Opened | None:
        """Read the sheet, write it as CSV, and keep where each row came from."""
        try:
            book = CalamineWorkbook.from_path(str(path))
            names = list(book.sheet_names)
            sheet_name = ctx.sheet if ctx.sheet is not None else (names[0] if names else None)
            if sheet_name is None or sheet_name not in names:
                diagnostics.append(
                    diagnostic(
                        "PA001",
                        f'the workbook has no sheet "{ctx.sheet}" '
                        f"(its sheets are: {listing(names)})"
                        if names
                        else "the workbook has no sheets",
                        file=name,
                        hint="set actuals.sheet in the plan to one of the sheet names",
                    )
                )
                return None
            rows = book.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
            cells = sheet_cells(path, sheet_name)
        except Exception as exc:  # calamine raises its own errors, and zip and XML ones
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            diagnostics.append(
                diagnostic(
                    "PA001",
                    f"this is {_what(path)} that cannot be read as a workbook: {first}",
                    file=name,
                    hint="open it in the spreadsheet and save it again, or save it as CSV (UTF-8)",
                )
            )
            return None
        where = f"{name}:{sheet_name}"
        if cells.first_uncalculated is not None:
            diagnostics.append(_uncalculated(cells, where))
            return None
        for (i, j), error in cells.errors.items():
            if i < len(rows):  # rows from A1: row i is Excel's row i + 1, column j its j + 1
                rows[i].extend([""] * (j + 1 - len(rows[i])))
                rows[i][j] = error
        start = next(
            (i for i, row in enumerate(rows) if any(cell_text(c, as_date=False) for c in row)),
            None,
        )
        if start is None:
            diagnostics.append(diagnostic("PA001", "the sheet is empty", file=where))
            return None
        header = tuple(
            cell_text(c, as_date=False).strip(" \t\r\n\u00a0\u3000\ufeff") for c in rows[start]
        )
        found = HeaderIndex(header).get(ctx.date_column)
        date_at = -1 if found is None else found - 1
        readable = ctx.tmp / f"{index}.csv"
        with readable.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(header)
            for row in rows[start + 1 :]:
                writer.writerow(
                    [cell_text(c, as_date=j == date_at) for j, c in enumerate(row)]
                    + [""] * (len(header) - len(row))
                )
        header_row = start + 1  # Excel numbers rows from 1

        def lines(ordinals: Iterable[int], records: int) -> Callable[[int], int | None]:
            return lambda ordinal: header_row + ordinal

        return Opened(
            path=path,
            name=name,
            index=index,
            header=header,
            encoding="utf-8",
            scan=sql.CsvScan(len(header)),
            params={"path": str(readable), "delim": ","},
            lines=lines,
            located_as=where,
        )

    def recover(
        self, ctx: Context, opened: Opened, failure: Exception, diagnostics: list[Diagnostic]
    ) -> Opened | None:
        """Nothing to retry: the CSV written from the sheet is well formed."""
        return None

    def problem(self, opened: Opened, failure: Exception) -> Diagnostic:
        """The engine's failure on the written CSV."""
        return csv_problem(failure, opened.where, "utf-8")


SOURCE = ExcelSource()
