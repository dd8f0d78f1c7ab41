"""Workbook cells that python-calamine reads as empty: error cells and formulas without a value.

An error cell (``#DIV/0!``, ``#N/A`` ...) is read as a CSV export has it: its text,
so a measure's is PA003 at its row and column. A formula cell that holds no value
(the workbook was written by a program that does not calculate) is PA001: the
numbers are not in the file. The workbooks are written here as the XML they are.
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from clirunner import run_cli
from promoplan.actuals import read_actuals
from promoplan.actuals.model import Actuals, ActualsSpec
from promoplan.actuals.sources.sheetxml import cell_name

ROOT = Path(__file__).resolve().parents[1]
FORMATS = ROOT / "plans" / "examples" / "formats"
SPEC = ActualsSpec(
    date_column="date",
    dimensions=(("channel", "channel"),),
    columns=("gmv", "spend"),
    sheet="Daily",
    grain="rows",
)
ERRORS = ("#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!")
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

Cell = str | int | float | tuple[str, str]  # text, a number, or raw XML: (attributes, inner)


def text(value: str) -> tuple[str, str]:
    return ('t="inlineStr"', f"<is><t>{escape(value)}</t></is>")


def error(value: str) -> tuple[str, str]:
    """An error cell as Excel saves it: the formula and its cached error."""
    return ('t="e"', f"<f>1/0</f><v>{escape(value)}</v>")


def uncalculated(formula: str) -> tuple[str, str]:
    """A formula cell as openpyxl writes it: no cached value."""
    return ("", f"<f>{escape(formula)}</f><v />")


def workbook(path: Path, rows: Sequence[Sequence[Cell]], sheet: str = "Daily") -> Path:
    """An .xlsx whose one sheet holds ``rows`` from A1 (a str is an inline string)."""
    xml_rows = []
    for i, row in enumerate(rows):
        cells = []
        for j, cell in enumerate(row):
            ref = cell_name(i, j)
            if isinstance(cell, tuple):
                attributes, inner = cell
            elif isinstance(cell, str):
                attributes, inner = text(cell)
            else:
                attributes, inner = 't="n"', f"<v>{cell}</v>"
            cells.append(f'<c r="{ref}" {attributes}>{inner}</c>')
        xml_rows.append(f'<row r="{i + 1}">{"".join(cells)}</row>')
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{_RELS}"><Relationship Id="rId1" '
            f'Type="{_DOC}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_DOC}"><sheets>'
            f'<sheet name="{sheet}" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{_RELS}"><Relationship Id="rId1" '
            f'Type="{_DOC}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": (
            f'<worksheet xmlns="{_MAIN}"><sheetData>{"".join(xml_rows)}</sheetData></worksheet>'
        ),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        for name, body in parts.items():
            book.writestr(name, body)
    return path


def as_csv(path: Path, rows: list[list[str]]) -> Path:
    path.write_text("".join(",".join(row) + "\n" for row in rows), encoding="utf-8")
    return path


COLUMNS = ["date", "channel", "gmv", "spend"]
HEADER: list[Cell] = [*COLUMNS]


def located(actuals: Actuals) -> list[tuple[str, str | None, int | None, int | None]]:
    return [(d.code, d.file, d.line, d.column) for d in actuals.diagnostics]


def said(actuals: Actuals) -> list[tuple[str, int | None, int | None, str, str | None]]:
    """The diagnostics without their file: what a CSV and a workbook should share."""
    return [(d.code, d.line, d.column, d.message, d.hint) for d in actuals.diagnostics]


@pytest.mark.parametrize("value", ERRORS)
def test_an_error_cell_in_a_measure_column_is_pa003_at_its_row_and_column(
    tmp_path: Path, value: str
) -> None:
    path = workbook(
        tmp_path / "book.xlsx",
        [HEADER, ["2025-01-01", "a", 10, 1], ["2025-01-02", "a", 20, error(value)]],
    )
    actuals = read_actuals([path], SPEC)
    assert located(actuals) == [("PA003", f"{path}:Daily", 3, 4)]
    assert actuals.diagnostics[0].message == f'column "spend": "{value}" is not a number'
    assert not actuals.ok


@pytest.mark.parametrize(
    ("column", "value"), [(0, "#VALUE!"), (1, "#N/A"), (2, "#DIV/0!"), (3, "#REF!")]
)
def test_an_error_cell_reads_as_the_same_text_in_a_csv(
    tmp_path: Path, column: int, value: str
) -> None:
    """In the date column PA004, a dimension's value its text, a measure PA003: as a CSV."""
    rows = [["2025-01-01", "a", "10", "1"], ["2025-01-02", "b", "20", "2"]]
    cells: list[list[Cell]] = [HEADER]
    cells.extend([r[0], r[1], int(r[2]), int(r[3])] for r in rows)
    cells[2][column] = error(value)
    rows[1][column] = value
    book = read_actuals([workbook(tmp_path / "book.xlsx", cells)], SPEC)
    csv = read_actuals([as_csv(tmp_path / "export.csv", [COLUMNS, *rows])], SPEC)
    assert said(book) == said(csv)
    assert book.diagnostics or any(row.dims == (value,) for row in book.cube.rows)
    assert book.cube == csv.cube


def test_the_trial_workbook_with_error_cells_fails_as_its_csv_does(tmp_path: Path) -> None:
    """formats/daily.csv with two spend cells made #DIV/0! and #N/A: exit 1, not a smaller sum."""
    rows = [line.split(",") for line in (FORMATS / "daily.csv").read_text().splitlines()]
    rows[6][3], rows[7][3] = "#DIV/0!", "#N/A"
    cells: list[list[Cell]] = [HEADER]
    for r in rows[1:]:
        cells.append(
            [r[0], r[1], float(r[2]), error(r[3]) if r[3].startswith("#") else float(r[3])]
        )
    book = workbook(tmp_path / "errors.xlsx", cells)
    csv = as_csv(tmp_path / "errors.csv", rows)
    plan = FORMATS.parent / "formats.yaml"
    outcomes = [
        run_cli("check", plan, "--actuals", data, "--as-of", "2025-03-31", "-f", "json")
        for data in (book, csv)
    ]
    assert [o.exit_code for o in outcomes] == [1, 1]
    book_out = outcomes[0].stdout.replace(f"{book}:Daily", "DATA")
    assert book_out == outcomes[1].stdout.replace(str(csv), "DATA")
    assert '\\"#DIV/0!\\" is not a number' in book_out


def test_formula_cells_without_a_value_are_pa001_at_the_first(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "book.xlsx",
        [
            HEADER,
            ["2025-01-01", "a", 10, uncalculated("200*1")],
            ["2025-01-02", "a", 20, uncalculated("271.25*1")],
        ],
    )
    actuals = read_actuals([path], SPEC)
    assert located(actuals) == [("PA001", f"{path}:Daily", 2, 4)]
    [problem] = actuals.diagnostics
    assert problem.message.startswith("2 formula cells hold no value (the first: D2 =200*1)")
    assert problem.hint is not None
    assert "open the workbook in Excel or LibreOffice and save it" in problem.hint
    assert not actuals.ok


def test_a_shared_formulas_other_cells_without_a_value_count_too(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "book.xlsx",
        [
            HEADER,
            ["2025-01-01", "a", 10, 1],
            ["2025-01-02", "a", 20, ("", '<f t="shared" si="0"/>')],
        ],
    )
    actuals = read_actuals([path], SPEC)
    assert located(actuals) == [("PA001", f"{path}:Daily", 3, 4)]
    assert "1 formula cell holds no value (the first: D3)" in actuals.diagnostics[0].message


def test_formula_cells_with_stored_values_are_read_as_their_values(tmp_path: Path) -> None:
    """As Excel saves them: a number, a string and an empty string, each cached."""
    path = workbook(
        tmp_path / "book.xlsx",
        [
            [*HEADER, "note"],
            ["2025-01-01", ('t="str"', "<f>B3</f><v>a</v>"), 10, ("", "<f>1+1</f><v>2</v>"), "x"],
            ["2025-01-01", "a", 20, 3, ('t="str"', '<f>""</f><v></v>')],
        ],
    )
    actuals = read_actuals([path], replace(SPEC, columns=("spend",)))
    assert located(actuals) == []
    assert [(row.dims, row.cells[0].total) for row in actuals.cube.rows if row.cells[0]] == [
        (("a",), Decimal(5))
    ]


def test_the_example_workbook_has_neither(tmp_path: Path) -> None:
    from promoplan.actuals.sources.sheetxml import SheetCells, sheet_cells  # noqa: PLC0415

    assert sheet_cells(FORMATS / "daily.xlsx", "Daily") == SheetCells()
