"""What calamine does not tell about an .xlsx or .xlsm sheet, read from the sheet's XML.

python-calamine (0.9) reads an error cell (``#DIV/0!``, ``#N/A`` ...) as an empty
cell, and so too a formula cell that holds no stored value (a workbook written by a
program that does not calculate, such as openpyxl, and never saved by a spreadsheet);
it has no option to tell either from an empty cell. The sheet's XML says both: an
error cell is ``<c t="e"><v>#DIV/0!</v></c>``, a formula without a value
``<c><f>200*1</f><v/></c>``.

The XML is first searched, as bytes, for either; only a sheet that has one is parsed,
so a workbook without them costs one pass of decompression. Other workbook formats
(.xls, .xlsb, .ods) are not read here.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from xml.etree import ElementTree as ET

_CHUNK = 1 << 20
_OVERLAP = 256  # bytes kept between chunks, so that a sign split by a chunk end is found
_NO_VALUE = rb"\s*(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v\s*>\s*</|</(?:\w+:)?c\s*>)"
# The signs, each led by a literal (a pattern led by "<" would try every tag: 5x slower):
# an error cell (t="e"), a formula's end (</f>) or a shared formula's other cell
# (<f t="shared" si="0"/>) followed by no value: an empty <v>, or the cell's end. A
# cached empty string (t="str") matches too; the parse tells it apart.
_SIGNS = (
    re.compile(rb"""t\s*=\s*["']e["']"""),
    re.compile(rb"f\s*>" + _NO_VALUE),
    re.compile(rb"""si\s*=\s*["'][0-9]+["'][^>]*/>""" + _NO_VALUE),
)
_REF = re.compile(r"([A-Za-z]{1,3})([0-9]+)")
_OFFICE_DOCUMENT = "/officeDocument"


@dataclass(frozen=True)
class Uncalculated:
    """A formula cell with no stored value: where it is (0-based) and its formula."""

    row: int
    column: int
    formula: str  # as Excel shows it, "=SUM(D2:D9)"; "" for a shared formula's other cells


@dataclass(frozen=True)
class SheetCells:
    """A sheet's error cells, by (row, column) from 0, and its formulas without a value."""

    errors: Mapping[tuple[int, int], str] = field(default_factory=dict)
    uncalculated: int = 0  # how many formula cells hold no value
    first_uncalculated: Uncalculated | None = None


def cell_name(row: int, column: int) -> str:
    """The cell's name as Excel shows it: (1, 3) is D2."""
    letters = ""
    n = column + 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return f"{letters}{row + 1}"


def sheet_cells(path: Path, sheet: str) -> SheetCells:
    """The error cells and formulas without a value of ``sheet``; none for other formats."""
    if not zipfile.is_zipfile(path):
        return SheetCells()
    with zipfile.ZipFile(path) as book:
        part = _sheet_part(book, sheet)
        if part is None:
            return SheetCells()
        with book.open(part) as xml:
            if not _has_signs(xml):
                return SheetCells()
        with book.open(part) as xml:
            return _parse(xml)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _relationships(book: zipfile.ZipFile, source: str) -> dict[str, tuple[str, str]]:
    """The relationships of part ``source``: id -> (type, the target part's name)."""
    folder, name = posixpath.split(source)
    rels = posixpath.join(folder, "_rels", f"{name}.rels")
    if rels not in book.namelist():
        return {}
    found: dict[str, tuple[str, str]] = {}
    for element in ET.fromstring(book.read(rels)).iter():
        if _local(element.tag) == "Relationship":
            target = element.get("Target", "")
            target = (
                target.lstrip("/")
                if target.startswith("/")
                else posixpath.normpath(posixpath.join(folder, target))
            )
            found[element.get("Id", "")] = (element.get("Type", ""), target)
    return found


def _sheet_part(book: zipfile.ZipFile, sheet: str) -> str | None:
    """The zip member holding ``sheet``'s XML, or None when the book is not .xlsx-like."""
    workbook = next(
        (t for kind, t in _relationships(book, "").values() if kind.endswith(_OFFICE_DOCUMENT)),
        None,
    )
    if workbook is None or not workbook.endswith(".xml"):  # .xlsb holds .bin parts
        return None
    rels = _relationships(book, workbook)
    for element in ET.fromstring(book.read(workbook)).iter():
        if _local(element.tag) == "sheet" and element.get("name") == sheet:
            rid = next((v for k, v in element.attrib.items() if _local(k) == "id"), "")
            target = rels.get(rid, ("", ""))[1]
            return target if target.endswith(".xml") and target in book.namelist() else None
    return None


def _has_signs(xml: IO[bytes]) -> bool:
    tail = b""
    while chunk := xml.read(_CHUNK):
        if any(sign.search(tail + chunk) for sign in _SIGNS):
            return True
        tail = chunk[-_OVERLAP:]
    return False


def _parse(xml: IO[bytes]) -> SheetCells:
    errors: dict[tuple[int, int], str] = {}
    uncalculated = 0
    first: Uncalculated | None = None
    row, column = -1, -1
    data: ET.Element | None = None
    for event, element in ET.iterparse(xml, events=("start", "end")):
        tag = _local(element.tag)
        if tag == "sheetData" and event == "start":
            data = element
        elif tag == "row" and event == "start":
            number = element.get("r")
            row, column = (int(number) - 1 if number else row + 1), -1
        elif tag == "c" and event == "end":
            ref = _REF.fullmatch(element.get("r", ""))
            if ref is not None:
                row, column = int(ref[2]) - 1, _column(ref[1])
            else:
                column += 1
            kind = element.get("t", "n")
            parts = {_local(child.tag): child for child in element}
            value = parts["v"].text if "v" in parts else None
            if kind == "e" and value:
                errors[row, column] = value.strip()
            elif "f" in parts and not value and kind != "str":
                uncalculated += 1
                if first is None:
                    text = parts["f"].text or ""
                    first = Uncalculated(row, column, f"={text}" if text else "")
        elif tag == "row" and event == "end" and data is not None:
            data.clear()  # the rows read are dropped: a sheet of a million rows is not kept
    return SheetCells(errors, uncalculated, first)


def _column(letters: str) -> int:
    n = 0
    for letter in letters.upper():
        n = n * 26 + ord(letter) - ord("A") + 1
    return n - 1
