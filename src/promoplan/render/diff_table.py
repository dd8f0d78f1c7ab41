"""``diff --format table``: a plan diff in the terminal (rich, no markup from plan text)."""

from __future__ import annotations

from collections.abc import Sequence
from io import StringIO

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from promoplan.diagnostics import Diagnostic
from promoplan.diff import PlanDiff
from promoplan.render.diffvalues import show_value
from promoplan.render.findings import diagnostic_message
from promoplan.render.fit import longest_word, path_pieces, wrap_path
from promoplan.render.text import format_location, one_line

STYLE = {"added": "green", "removed": "red", "changed": "yellow"}
SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
HEADERS = ("change", "what", "old", "new", "line")
Row = tuple[str, str, str, str, str]  # the cells of one change, as plain text


def _text(text: str, style: str = "") -> Text:
    """Plan text as a rich ``Text``: never parsed as markup, control characters made visible."""
    return Text(one_line(text), style=style)


def _shared(room: int, least: Sequence[int], wanted: Sequence[int]) -> list[int]:
    """Widths that give each column at least ``least`` and share what is left of ``room``
    one column at a time to the one furthest from what it ``wanted``."""
    widths = list(least)
    for _ in range(room - sum(least)):
        short = [want - have for have, want in zip(widths, wanted, strict=True)]
        if max(short) <= 0:
            break
        widths[short.index(max(short))] += 1
    return widths


def _widths(rows: Sequence[Row], width: int) -> tuple[int | None, int | None, int | None]:
    """Widths for ``what``, ``old`` and ``new``; ``None`` leaves one to rich.

    rich folds the widest column first, at any character (``influencers.s`` / ``hare``);
    so when the natural table is too wide, the values keep up to their share of the room
    (wrapping only at blanks), ``what`` gets the rest, and its paths wrap after a ``.``.
    """
    natural = [max(map(cell_len, column)) for column in zip(HEADERS, *rows, strict=True)]
    # Five columns padded one each side, but for the table's edges: 2 * 5 - 2.
    room = width - natural[0] - natural[4] - 8
    if sum(natural[1:4]) <= room:
        return None, None, None
    pieces = [piece.rstrip(" ") for row in rows for piece in path_pieces(row[1])]
    what_least = longest_word(["what", *pieces])
    least = [longest_word([HEADERS[i], *(row[i] for row in rows)]) for i in (2, 3)]
    share = room * 2 // 7  # a value's part of the ratios 3:2:2 a wide table has
    kept = [max(low, min(want, share)) for low, want in zip(least, natural[2:4], strict=True)]
    if what_least + sum(kept) > room:
        kept = least
    what = max(what_least, min(natural[1], room - sum(kept)))
    if what + sum(least) > room:
        return what, None, None  # too narrow for every word: rich folds the values
    old, new = _shared(room - what, least, natural[2:4])
    return what, old, new


def _change_table(result: PlanDiff, color: bool, width: int) -> Table:
    """The changes, with key paths whole when they fit and wrapped after a ``.`` when not."""
    rows = [
        (
            change.kind,
            one_line(change.path),
            one_line(show_value(change.old, change.unit, result.currency)),
            one_line(show_value(change.new, change.unit, result.currency)),
            str(change.line) if change.line is not None else "",
        )
        for change in result.changes
    ]
    what, old_width, new_width = _widths(rows, width)
    table = Table(show_edge=False, pad_edge=False, box=None, header_style="bold")
    table.add_column("change", no_wrap=True)
    if what is None:
        table.add_column("what", overflow="fold", ratio=3)
    else:
        table.add_column("what", no_wrap=True, width=what)
    table.add_column("old", overflow="fold", ratio=2, width=old_width)
    table.add_column("new", overflow="fold", ratio=2, width=new_width)
    table.add_column("line", no_wrap=True, justify="right")
    for kind, path, old, new, line in rows:
        table.add_row(
            Text(kind, style=STYLE[kind] if color else ""),
            Text(path if what is None else wrap_path(path, what)),
            Text(old),
            Text(new),
            Text(line),
        )
    return table


def _diagnostic_line(diag: Diagnostic, color: bool) -> Text:
    """``file:line:col: error PP101 message (path)``, the severity coloured."""
    line = _text(format_location(diag.file, diag.line, diag.column))
    line.append(": ")
    line.append(diag.severity, style=SEVERITY_STYLE[diag.severity] if color else "")
    line.append(f" {diag.code} ")
    line.append(_text(diagnostic_message(diag)))
    return line


def render_diff_table(result: PlanDiff, *, color: bool = False, width: int = 100) -> str:
    """Changes as a table, then NEW's new diagnostics, then a one-line verdict."""
    buffer = StringIO()
    console = Console(
        file=buffer,
        width=width,
        color_system="standard" if color else None,
        force_terminal=color,
        markup=False,
        highlight=False,
        emoji=False,
    )
    title = Text("promoplan diff: ", style="bold")
    title.append(_text(result.old))
    title.append(" -> ")
    title.append(_text(result.new))
    console.print(title)
    for side, loaded, name in (
        ("OLD", result.old_loaded, result.old),
        ("NEW", result.new_loaded, result.new),
    ):
        if not loaded:
            note = Text(f"{side} ")
            note.append(_text(name))
            note.append(" does not load, so its changes cannot be listed; see the diagnostics")
            console.print(note)
    if result.changes:
        table = _change_table(result, color, width)
        console.print(table)
    elif result.old_loaded and result.new_loaded:
        console.print("no changes to the plan")
    if result.diagnostics:
        console.print(Text("new diagnostics in NEW:", style="bold"))
        for diag in result.diagnostics:
            # Whole lines, as check and validate print them: editors and grep read them.
            console.print(_diagnostic_line(diag, color), soft_wrap=True)
            if diag.hint:
                console.print(_text("    hint: " + diag.hint), soft_wrap=True)
    if result.changed_diagnostics:
        # In OLD too (same code at the same key path): not new, so they fail nothing.
        console.print(Text("changed diagnostics, in OLD too:", style="bold"))
        for changed in result.changed_diagnostics:
            console.print(_diagnostic_line(changed.new, color), soft_wrap=True)
            console.print(_text("    was: " + changed.old.message), soft_wrap=True)
    errors = result.new_errors
    others = len(result.diagnostics) - errors
    changes = len(result.changes)
    summary = (
        f"{changes} change{'s' if changes != 1 else ''}; "
        f"{errors} new error{'s' if errors != 1 else ''}, "
        f"{others} other new diagnostic{'s' if others != 1 else ''}"
    )
    if result.changed_diagnostics:
        count = len(result.changed_diagnostics)
        summary += f", {count} changed diagnostic{'s' if count != 1 else ''}"
    console.print(summary)
    return buffer.getvalue()
