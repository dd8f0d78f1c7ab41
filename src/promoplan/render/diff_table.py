"""``diff --format table``: a plan diff in the terminal (rich, no markup from plan text)."""

from __future__ import annotations

from io import StringIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from promoplan.diagnostics import Diagnostic
from promoplan.diff import PlanDiff
from promoplan.render.diffvalues import show_value
from promoplan.render.findings import diagnostic_message
from promoplan.render.text import format_location, one_line

STYLE = {"added": "green", "removed": "red", "changed": "yellow"}
SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def _text(text: str, style: str = "") -> Text:
    """Plan text as a rich ``Text``: never parsed as markup, control characters made visible."""
    return Text(one_line(text), style=style)


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
        table = Table(show_edge=False, pad_edge=False, box=None, header_style="bold")
        table.add_column("change", no_wrap=True)
        table.add_column("what", overflow="fold", ratio=3)
        table.add_column("old", overflow="fold", ratio=2)
        table.add_column("new", overflow="fold", ratio=2)
        table.add_column("line", no_wrap=True, justify="right")
        for change in result.changes:
            style = STYLE[change.kind] if color else ""
            table.add_row(
                _text(change.kind, style),
                _text(change.path),
                _text(show_value(change.old, change.unit, result.currency)),
                _text(show_value(change.new, change.unit, result.currency)),
                _text(str(change.line) if change.line is not None else ""),
            )
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
