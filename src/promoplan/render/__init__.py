"""One registry of renderers behind ``--format``; each format is one module.

Renderers take a :class:`~promoplan.result.Run` and return text; they never
compute. Modules are imported only when their format is asked for, which keeps
start-up fast.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Literal

from promoplan.errors import UsageProblem
from promoplan.render.options import RenderOptions

__all__ = [
    "ASCII_JSON_FORMATS",
    "FORMATS_BY_COMMAND",
    "Format",
    "RenderOptions",
    "render",
    "render_diff",
    "render_test",
]

if TYPE_CHECKING:  # the registry names them; the renderers import them (kept out of --help)
    from promoplan.diff import PlanDiff
    from promoplan.plantest.result import PlanTestRun
    from promoplan.result import Run

Format = Literal["table", "json", "markdown", "csv", "html", "github", "junit", "sarif"]
RenderedCommand = Literal["validate", "check", "report", "diff", "test"]

FORMATS_BY_COMMAND: Mapping[RenderedCommand, tuple[Format, ...]] = {
    "validate": ("table", "json", "github", "junit", "sarif"),
    "check": ("table", "json", "markdown", "csv", "github", "junit", "sarif"),
    "report": ("markdown", "html", "json", "csv"),
    "diff": ("table", "markdown", "json"),
    "test": ("table", "json", "junit", "github"),
}
# Escaped to ASCII on a stdout that cannot carry UTF-8 (validate's and check's JSON).
ASCII_JSON_FORMATS: tuple[Format, ...] = ("json", "sarif")
AUTO = "auto"  # github when GITHUB_ACTIONS=true and the command has it, else the default


def format_help(command: RenderedCommand, default: Format) -> str:
    """The ``--format`` help text of ``command``, from the registry."""
    names = [
        f"{name} (default)" if name == default else name for name in FORMATS_BY_COMMAND[command]
    ]
    return "Output format: " + ", ".join([*names, AUTO]) + "."


def choose_format(
    command: RenderedCommand, text: str | None, default: Format, *, github_actions: bool
) -> Format:
    """The format ``--format`` names for ``command``; ``auto`` resolved; exit 2 for others."""
    choices = FORMATS_BY_COMMAND[command]
    if text is not None and not text.strip():  # -f "$FORMAT" with FORMAT unset
        raise UsageProblem(
            f"--format {text!r} is empty (an unset variable?); choose one of: "
            f"{', '.join([*choices, AUTO])}"
        )
    wanted = (text or default).strip().lower()
    if wanted == AUTO:
        return "github" if github_actions and "github" in choices else default
    for name in choices:
        if name == wanted:
            return name
    raise UsageProblem(
        f"unknown format {text!r} for {command}; choose one of: {', '.join([*choices, AUTO])}"
    )


# Each format's renderer: its module (imported when the format runs) and function.
_RENDERERS: Mapping[Format, tuple[str, str]] = {
    "table": ("promoplan.render.table", "render_table"),
    "json": ("promoplan.render.json", "render_json"),
    "markdown": ("promoplan.render.markdown", "render_markdown"),
    "csv": ("promoplan.render.csv", "render_csv"),
    "html": ("promoplan.render.html", "render_html"),
    "github": ("promoplan.render.github", "render_github"),
    "junit": ("promoplan.render.junit", "render_junit"),
    "sarif": ("promoplan.render.sarif", "render_sarif"),
}


def prepare(fmt: Format, options: RenderOptions) -> None:
    """Import what rendering ``fmt`` needs, ahead of :func:`render` (while a database
    computes the actuals, say); rendering is the same without it, only later.

    Nothing the render would not import: rich's console only for a table in colour.
    """
    from importlib import import_module

    names = [_RENDERERS[fmt][0], "promoplan.render.text"]
    if fmt == "table" and options.color:
        names.append("rich.console")
    for name in names:
        import_module(name)


def render(fmt: Format, run: Run, options: RenderOptions) -> str:
    """Render ``run`` in ``fmt``; no line but the github format's own is a workflow command."""
    text = _render(fmt, run, options)
    if fmt == "github":
        return text
    from promoplan.render.text import neutralise_workflow_commands

    return neutralise_workflow_commands(text, fmt)


def _render(fmt: Format, run: Run, options: RenderOptions) -> str:
    if fmt == "table" and run.command == "validate" and not options.color:
        from promoplan.render.plain import render_validate_plain

        return render_validate_plain(run, options)
    from importlib import import_module

    module, function = _RENDERERS[fmt]
    renderer: Callable[[Run, RenderOptions], str] = getattr(import_module(module), function)
    return renderer(run, options)


def render_diff(fmt: Format, diff: PlanDiff, options: RenderOptions) -> str:
    """Render a plan diff in one of ``FORMATS_BY_COMMAND["diff"]``."""
    from promoplan.render.text import neutralise_workflow_commands

    match fmt:
        case "json":
            from promoplan.render.diff_json import render_diff_json

            text = render_diff_json(diff)
        case "markdown":
            from promoplan.render.diff_markdown import render_diff_markdown

            text = render_diff_markdown(diff)
        case "table":
            from promoplan.render.diff_table import render_diff_table

            text = render_diff_table(diff, color=options.color, width=options.width)
        case _:
            raise AssertionError(f"diff has no {fmt} format")  # choose_format rules it out
    return neutralise_workflow_commands(text, fmt)


def render_test(fmt: Format, run: PlanTestRun, options: RenderOptions) -> str:
    """Render ``promoplan test`` results in one of ``FORMATS_BY_COMMAND["test"]``."""
    from promoplan.render.text import neutralise_workflow_commands

    match fmt:
        case "table":
            from promoplan.render.plantest_table import render_test_table

            text = render_test_table(run, options)
        case "json":
            from promoplan.render.plantest_json import render_test_json

            text = render_test_json(run)
        case "junit":
            from promoplan.render.plantest_junit import render_test_junit

            text = render_test_junit(run)
        case "github":
            from promoplan.render.plantest_github import render_test_github

            return render_test_github(run)  # its lines are workflow commands
        case _:
            raise AssertionError(f"test has no {fmt} format")  # choose_format rules it out
    return neutralise_workflow_commands(text, fmt)
