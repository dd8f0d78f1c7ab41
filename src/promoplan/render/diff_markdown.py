"""``diff --format markdown``: a plan diff for a pull-request comment.

Every string from a plan goes through ``escape_markdown``: it cannot add markup,
links, HTML or table cells.
"""

from __future__ import annotations

from promoplan.diff import Change, PlanDiff
from promoplan.render.diffvalues import show_value
from promoplan.render.findings import diagnostic_text
from promoplan.render.text import escape_markdown, format_location

SIGN = {"added": "added", "removed": "removed", "changed": "changed"}


def _cell(text: str) -> str:
    return escape_markdown(text) if text else " "


def _change_row(change: Change, currency: str) -> str:
    old = show_value(change.old, change.unit, currency)
    new = show_value(change.new, change.unit, currency)
    cells = [SIGN[change.kind], _cell(change.path), _cell(old), _cell(new)]
    return "| " + " | ".join(cells) + " |"


def render_diff_markdown(result: PlanDiff) -> str:
    """A heading, a table of changes, the new diagnostics, and a verdict line."""
    lines = [
        "### promoplan diff",
        "",
        f"{escape_markdown(result.old)} → {escape_markdown(result.new)}",
        "",
    ]
    for side, loaded, name in (
        ("old", result.old_loaded, result.old),
        ("new", result.new_loaded, result.new),
    ):
        if not loaded:
            lines += [
                f"The {side} plan ({escape_markdown(name)}) does not load, so its changes "
                "cannot be listed; see the diagnostics.",
                "",
            ]
    if result.changes:
        lines += ["| change | what | old | new |", "| --- | --- | --- | --- |"]
        lines += [_change_row(change, result.currency) for change in result.changes]
        lines.append("")
    elif result.old_loaded and result.new_loaded:
        lines += ["No changes to the plan.", ""]
    if result.diagnostics:
        lines += [
            "#### New diagnostics",
            "",
            "| where | severity | code | message |",
            "| --- | --- | --- | --- |",
        ]
        for diag in result.diagnostics:
            message = diagnostic_text(diag, " — ")
            where = format_location(diag.file, diag.line, diag.column)
            lines.append(f"| {_cell(where)} | {diag.severity} | {diag.code} | {_cell(message)} |")
        lines.append("")
    if result.changed_diagnostics:
        lines += [
            "#### Changed diagnostics",
            "",
            "In the old plan too, at the same place; not new.",
            "",
            "| where | severity | code | message | was |",
            "| --- | --- | --- | --- | --- |",
        ]
        for changed in result.changed_diagnostics:
            diag = changed.new
            message = diagnostic_text(diag, " — ")
            where = format_location(diag.file, diag.line, diag.column)
            lines.append(
                f"| {_cell(where)} | {diag.severity} | {diag.code} | {_cell(message)} "
                f"| {_cell(changed.old.message)} |"
            )
        lines.append("")
    errors = result.new_errors
    if errors:
        lines.append(
            f"**{errors} new error{'s' if errors != 1 else ''}**: the new plan fails validation."
        )
    elif result.diagnostics:
        lines.append("No new errors.")
    else:
        lines.append("No new diagnostics.")
    return "\n".join(lines) + "\n"
