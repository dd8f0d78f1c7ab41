"""``validate --format table`` without colour: the same lines as the table renderer, no rich.

``validate`` runs in CI on every push, where stdout is not a terminal and the table
format has no colour: its output is then one line per diagnostic and a summary, which
needs no layout. Writing those lines here keeps rich (about 30 ms to import) out of
the run. With colour, :mod:`promoplan.render.table` renders them (tests compare both).
"""

from __future__ import annotations

from promoplan.render.options import RenderOptions
from promoplan.render.text import count_words, format_location, one_line
from promoplan.result import Run


def _plain(text: str | None) -> str:
    """Untrusted text on one safe line, tabs as spaces (as the table renderer shows it)."""
    return one_line(text or "").replace("\t", " ")


def render_validate_plain(run: Run, options: RenderOptions) -> str:
    """``file:line:col: error PP101 message (path)`` lines, hints, ``file: ok``, the counts."""
    lines: list[str] = []
    for plan in run.plans:
        for diag in plan.diagnostics:
            if not options.shows(diag.severity):
                continue
            where = _plain(format_location(diag.file or plan.file, diag.line, diag.column))
            # findings.diagnostic_message's words; importing it would import the table cells.
            message = f"{diag.message} ({diag.path})" if diag.path else diag.message
            lines.append(f"{where}: {diag.severity} {diag.code} {_plain(message)}")
            if diag.hint:
                lines.append(f"    hint: {_plain(diag.hint)}")
        if not plan.diagnostics and not options.quiet:
            lines.append(f"{_plain(plan.file)}: ok")
    if not options.quiet:
        plans = len(run.plans)
        lines.append("")
        lines.append(f"{count_words(run.counts)} in {plans} plan{'s' if plans != 1 else ''}")
    # As the table renderer: its lines as str.splitlines() cuts them, trailing blanks off.
    text = "".join(line + "\n" for line in lines)
    return "".join(line.rstrip(" ") + "\n" for line in text.splitlines())
