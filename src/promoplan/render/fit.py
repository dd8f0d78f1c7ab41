"""Fitting a terminal table to the width without breaking a word or a number.

rich folds a cell that does not fit at any character: ``social.paid_soci`` / ``al``,
``¥1,389.2万 [93%`` / ``of ¥1,500万]``, a Chinese label leaving one character on a
line. A table that is too wide is instead rebuilt in narrower *layouts* (the caller's
order: a column dropped, a cell split at its one safe place), and when the narrowest
layout is still too wide its labels are shortened with ``…``. A table that fits is
built as it always was, so a wide terminal sees no change.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from rich.cells import cell_len
from rich.table import Table
from rich.text import Text

from promoplan.render.plainlayout import NeedsRich, table_width

ELLIPSIS = "…"


def natural_width(table: Table) -> int:
    """The columns ``table`` takes when nothing in it wraps: the widest line of each
    column, as rich measures it (rich itself measures what the plain layout does not)."""
    try:
        return table_width(table)
    except NeedsRich:
        from rich.console import Console  # noqa: PLC0415  # rich's console, only when needed
        from rich.measure import Measurement  # noqa: PLC0415

        console = Console(width=10_000, color_system=None, legacy_windows=False, markup=False)
        return Measurement.get(console, console.options, table).maximum


def shorten(text: str, cells: int) -> str:
    """``text`` cut to ``cells`` terminal columns, ending in ``…`` when cut (CJK counts two)."""
    if cell_len(text) <= cells:
        return text
    kept, used = [], 0
    for char in text.rstrip():
        width = cell_len(char)
        if used + width > cells - 1:
            break
        kept.append(char)
        used += width
    return "".join(kept).rstrip() + ELLIPSIS


def shorten_label(label: Text, cells: int, suffix: Text | None = None) -> Text:
    """A label cell cut to ``cells``; a ``suffix`` (``(2025-05)``) is kept whole when it fits."""
    if suffix is not None and cell_len(label.plain) + cell_len(suffix.plain) <= cells:
        return Text.assemble(label, suffix)
    if suffix is not None and cells - cell_len(suffix.plain) >= 4:
        room = cells - cell_len(suffix.plain)
        return Text.assemble(Text(shorten(label.plain, room), style=label.style), suffix)
    return Text(shorten(label.plain, cells), style=label.style)


def label_column(table: Table, header: str, min_width: int, cap: int | None) -> None:
    """The label column: wrapped at blanks as rich does, or one line of at most ``cap``."""
    if cap is None:
        table.add_column(header, overflow="fold", min_width=min_width)
    else:
        table.add_column(header, no_wrap=True, overflow="ellipsis", max_width=cap)


def longest_word(texts: Sequence[str]) -> int:
    """The widest run without a blank in ``texts``: what rich cannot wrap without folding."""
    return max([0, *(cell_len(word) for text in texts for word in text.split())])


def path_pieces(path: str) -> list[str]:
    """A key path cut after each ``.`` and blank, the places it may wrap:
    ``budget.lines.influencers.share`` is ``budget.``, ``lines.``, ``influencers.``, ``share``."""
    return [piece for piece in re.split(r"(?<=[. ])", path) if piece]


def wrap_path(path: str, cells: int) -> str:
    """``path`` in lines of at most ``cells`` columns, broken after a ``.`` or at a blank;
    a piece wider than ``cells`` is a line of its own (the caller makes room for it)."""
    lines: list[str] = []
    line = ""
    for piece in path_pieces(path):
        if line and cell_len((line + piece).rstrip(" ")) > cells:
            lines.append(line.rstrip(" "))
            line = ""
        line += piece
    lines.append(line)
    return "\n".join(lines)


def fitted_table(
    width: int,
    layouts: Sequence[str],
    build: Callable[[str, int | None], Table],
    *,
    labels: Sequence[str],
    min_label: int,
    fallback: str | None = None,
) -> Table:
    """The first of ``layouts`` that fits ``width`` without folding a word; else the last
    with its labels shortened to fit (``build(layout, label_cap)``), not below ``min_label``.

    Only the label column may wrap (every other cell is one line), so the label gets what
    the other columns leave: a layout fits when that room holds the longest word of any
    label, and its labels wrap at blanks. ``layouts[0]`` is the table as it is on a wide
    terminal; when nothing can be made to fit, ``fallback`` (default: the first layout) is
    returned and rich folds it, as it always did.
    """
    room = 0
    for layout in layouts:
        table = build(layout, None)
        natural = natural_width(table)
        if natural <= width:
            return table
        room = width - (natural - max([min_label, *(cell_len(text) for text in labels)]))
        if room >= max(min_label, longest_word(labels)):
            return table
    if room >= min_label:
        table = build(layouts[-1], room)
        if natural_width(table) <= width:
            return table
    return build(fallback or layouts[0], None)
