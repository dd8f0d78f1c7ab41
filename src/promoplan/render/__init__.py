"""One registry of renderers behind ``--format``; each format is one module.

Renderers take a :class:`~promoplan.result.Run` and return text; they never
compute. Modules are imported only when their format is asked for, which keeps
start-up fast.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from typing_extensions import assert_never

from promoplan.result import Run

Format = Literal["table", "json", "markdown", "csv", "html", "github", "junit", "sarif"]

FORMATS_BY_COMMAND: dict[str, tuple[str, ...]] = {
    "validate": ("table", "json", "github", "junit", "sarif", "auto"),
    "check": ("table", "json", "markdown", "csv", "github", "junit", "sarif", "auto"),
    "report": ("markdown", "html", "json", "csv"),
}


@dataclass(frozen=True)
class RenderOptions:
    """How to render: colour and width for the terminal, money units, quiet mode."""

    color: bool = False
    width: int = 100
    units: Literal["cn", "intl"] = "cn"
    quiet: bool = False


def render(fmt: Format, run: Run, options: RenderOptions) -> str:
    """Render ``run`` in ``fmt``; no line but the github format's own is a workflow command."""
    text = _render(fmt, run, options)
    if fmt == "github":
        return text
    from promoplan.render.text import neutralise_workflow_commands

    return neutralise_workflow_commands(text, fmt)


def _render(fmt: Format, run: Run, options: RenderOptions) -> str:
    match fmt:
        case "table":
            from promoplan.render.table import render_table

            return render_table(run, options)
        case "json":
            from promoplan.render.json import render_json

            return render_json(run, options)
        case "markdown":
            from promoplan.render.markdown import render_markdown

            return render_markdown(run, options)
        case "csv":
            from promoplan.render.csv import render_csv

            return render_csv(run, options)
        case "html":
            from promoplan.render.html import render_html

            return render_html(run, options)
        case "github":
            from promoplan.render.github import render_github

            return render_github(run, options)
        case "junit":
            from promoplan.render.junit import render_junit

            return render_junit(run, options)
        case "sarif":
            from promoplan.render.sarif import render_sarif

            return render_sarif(run, options)
        case _:
            assert_never(fmt)
