"""The table format's layout without colour, the bytes rich gives, without rich's console.

Without colour (stdout not a terminal: CI, a pipe, a file) the table format is plain
lines, and laying them out needs none of rich's console machinery, which costs more
to import and run than the check's evaluation. :class:`PlainConsole` takes the same
``print`` calls as ``rich.console.Console`` in :mod:`promoplan.render.table` and lays
out its texts and tables as rich does for them: column widths from the cells' widths
in terminal cells, two-space gaps (the tables' padding, collapsed), a rule under the
header, cells justified, words wrapped with rich's own line breaker where only one
column may wrap. Anything else rich would do differently (several columns that could
wrap, a cell to crop with ``…``, a tab) raises :class:`NeedsRich`, and the caller
renders with rich; tests compare both on every layout.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from rich import box
from rich._wrap import divide_line
from rich.cells import cell_len
from rich.table import Table
from rich.text import Text

# Characters rich measures or splits differently from a plain "\n" split (str.splitlines
# separators, tabs): a text holding one is left to rich.
_UNPLAIN = frozenset("\t\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")


class NeedsRich(Exception):
    """This output needs rich's own layout (the caller renders it with rich)."""


@dataclass(frozen=True)
class _Column:
    justify: str
    wraps: bool  # neither no_wrap nor a fixed width: rich may narrow it
    min_width: int | None
    max_width: int | None
    pad: int  # blanks after the cell (before the next column)
    cells: tuple[str, ...]  # the header first when shown


def _plain(renderable: object) -> str:
    if isinstance(renderable, Text):
        text = renderable.plain
    elif isinstance(renderable, str):
        text = renderable
    else:
        raise NeedsRich
    if not _UNPLAIN.isdisjoint(text):
        raise NeedsRich
    return text


def _columns(table: Table) -> list[_Column]:
    """The table's columns as laid out: rich's padding rules for collapsed padding without
    padding at the edges (what promoplan's tables use), else :class:`NeedsRich`."""
    top, right, bottom, left = _padding(table.padding)
    if (
        not table.collapse_padding
        or table.pad_edge
        or top
        or bottom
        or left > right
        or table.show_footer
        or table.show_lines
        or table.leading
        or table.expand
        or table.min_width is not None
        or table.title
        or table.caption
        or table.box not in (None, box.SIMPLE_HEAD)  # SIMPLE_HEAD: blank dividers, a rule
        or (table.box is not None and table.show_edge)
    ):
        raise NeedsRich
    last = len(table.columns) - 1
    columns = []
    for index, column in enumerate(table.columns):
        if column.width is not None or column.ratio or column.vertical != "top":
            raise NeedsRich
        if column.justify not in ("default", "left", "right"):
            raise NeedsRich
        if not column.no_wrap and column.overflow != "fold":
            raise NeedsRich  # words that do not fit are folded; cropping them is rich's
        header = [_plain(column.header)] if table.show_header else []
        if not header and not table.rows:
            raise NeedsRich  # rich gives a column without cells all the width there is
        columns.append(
            _Column(
                justify=column.justify,
                wraps=not column.no_wrap,
                min_width=column.min_width,
                max_width=column.max_width,
                pad=0 if index == last else right,
                cells=(*header, *(_plain(cell) for cell in column.cells)),
            )
        )
    return columns


def _padding(padding: object) -> tuple[int, int, int, int]:
    """rich's padding shorthand: 1, 2 or 4 numbers as (top, right, bottom, left)."""
    if isinstance(padding, int):
        return (padding, padding, padding, padding)
    if isinstance(padding, tuple) and len(padding) == 2:
        return (padding[0], padding[1], padding[0], padding[1])
    if isinstance(padding, tuple) and len(padding) == 4:
        return (padding[0], padding[1], padding[2], padding[3])
    raise NeedsRich


def _natural(column: _Column) -> int:
    """The column's width, padding included, when nothing in it wraps (rich's maximum;
    a column measured 0 is drawn 1 wide)."""
    return _measured(column) or 1


def _measured(column: _Column) -> int:
    widest = max((cell_len(line) for cell in column.cells for line in cell.split("\n")), default=0)
    width = widest + column.pad
    if column.min_width is not None:
        width = max(width, column.min_width + column.pad)
    if column.max_width is not None:
        width = min(width, column.max_width + column.pad)
    return width


def table_width(table: Table) -> int:
    """The columns ``table`` takes when nothing in it wraps (rich's measurement of it)."""
    return sum(_measured(c) for c in _columns(table)) + _dividers(table)


def _dividers(table: Table) -> int:
    return len(table.columns) - 1 if table.box is not None else 0


def _widths(columns: Sequence[_Column], room: int) -> list[int]:
    """Each column's width in ``room`` cells: the natural widths, or with the one column
    that may wrap narrowed by the excess (rich's collapse); else :class:`NeedsRich`."""
    widths = [_natural(c) for c in columns]
    excess = sum(widths) - room
    if excess <= 0:
        return widths
    wrapping = [i for i, c in enumerate(columns) if c.wraps]
    if len(wrapping) != 1:
        raise NeedsRich
    index = wrapping[0]
    column = columns[index]
    narrowed = widths[index] - excess
    if narrowed - column.pad < 1 or narrowed < (column.min_width or 0) + column.pad:
        raise NeedsRich
    widths[index] = narrowed
    return widths


def _cell_lines(text: str, width: int, column: _Column) -> list[str]:
    """One cell's lines, each exactly ``width`` cells (justified and padded)."""
    out = []
    for line in text.split("\n"):
        pieces = [line]
        if column.wraps:
            offsets = divide_line(line, width, fold=True)
            bounds = [0, *offsets, len(line)]
            pieces = [line[a:b] for a, b in pairwise(bounds)]
        for piece in pieces:
            shown = piece.rstrip() if column.justify == "right" else piece
            used = cell_len(shown)
            if used > width:
                # Blanks past the edge after a wrap are cut, as rich cuts them.
                shown = shown.rstrip(" ") if column.wraps else shown
                used = cell_len(shown)
                if used > width:
                    raise NeedsRich  # rich would crop or fold it
            gap = " " * (width - used)
            out.append(gap + shown if column.justify == "right" else shown + gap)
    return out


def table_lines(table: Table, width: int) -> list[str]:
    """The lines rich prints for ``table`` on a console ``width`` cells wide."""
    columns = _columns(table)
    divider = " " if table.box is not None else ""
    widths = _widths(columns, width - _dividers(table))
    if sum(widths) + _dividers(table) > width:
        raise NeedsRich
    rows = len(columns[0].cells) if columns else 0
    lines: list[str] = []
    for row in range(rows):
        cells = [
            _cell_lines(column.cells[row], w - column.pad, column)
            for column, w in zip(columns, widths, strict=True)
        ]
        height = max(len(cell) for cell in cells)
        if row == 0 and table.show_header and height > 1:
            raise NeedsRich  # a header on two lines aligns at the bottom
        for number in range(height):
            parts = []
            for cell, column, w in zip(cells, columns, widths, strict=True):
                shown = cell[number] if number < len(cell) else " " * (w - column.pad)
                parts.append(shown + " " * column.pad)
            lines.append(divider.join(parts))
        if row == 0 and table.show_header and table.box is not None:
            lines.append("─" * (sum(widths) + len(widths) - 1))
    return lines


class PlainConsole:
    """The part of ``rich.console.Console`` the table renderer uses, for output without
    colour: ``print`` of texts and tables, collected as lines."""

    def __init__(self, width: int) -> None:
        self.width = width
        self._lines: list[str] = []

    def print(self, *objects: object, soft_wrap: bool = False) -> None:
        """One text or table (nothing: an empty line), as ``Console.print`` lays it out."""
        if not objects:
            self._lines.append("")
            return
        if len(objects) != 1:
            raise NeedsRich
        (item,) = objects
        if isinstance(item, Table):
            self._lines.extend(table_lines(item, self.width))
            return
        text = _plain(item)
        if soft_wrap:
            self._lines.extend(text.split("\n"))
            return
        flowing = _Column("default", True, None, None, 0, ())
        self._lines.extend(_cell_lines(text, self.width, flowing))

    def lines(self) -> Iterable[str]:
        """What was printed, line by line."""
        return self._lines
