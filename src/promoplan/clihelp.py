"""``--help`` as typer's rich help draws it, without importing what it does not draw.

typer's ``rich_utils`` imports ``rich.markdown`` (markdown-it, pygments) and
``rich.traceback`` (``rich.pretty``, attrs) at its top, about 70 ms, for help in
the "markdown" markup mode and for pretty tracebacks, neither of which promoplan
uses. This module draws the "rich" markup mode's help, the one typer draws for
promoplan, with the same styles, panels and tables, from typer's own parameter
objects: tests/test_clihelp.py compares its output with ``rich_utils``' for every
command, with and without colour. (The help of typer's other markup modes is still
typer's own: see :func:`promoplan.clityper.PromoplanCommand.format_help`.)
"""

from __future__ import annotations

import inspect
import os
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from rich.align import Align
from rich.columns import Columns
from rich.console import Console, RenderableType, group
from rich.highlighter import RegexHighlighter
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from rich.theme import Theme
from typer.core import TyperArgument, TyperGroup, TyperOption

# typer.rich_utils' styles and strings (typer 0.29), the ones its "rich" mode uses.
STYLE_OPTION = "bold cyan"
STYLE_SWITCH = "bold green"
STYLE_NEGATIVE_OPTION = "bold magenta"
STYLE_NEGATIVE_SWITCH = "bold red"
STYLE_TYPES = "bold yellow"
STYLE_TYPES_SEPARATOR = "dim"
STYLE_USAGE = "yellow"
STYLE_USAGE_COMMAND = "bold"
STYLE_DEPRECATED = "red"
STYLE_DEPRECATED_COMMAND = "dim"
STYLE_HELPTEXT_FIRST_LINE = ""
STYLE_HELPTEXT = "dim"
STYLE_OPTION_HELP = ""
STYLE_OPTION_DEFAULT = "dim"
STYLE_OPTION_ENVVAR = "dim yellow"
STYLE_REQUIRED_SHORT = "red"
STYLE_REQUIRED_LONG = "dim red"
STYLE_PANEL_BORDER = "dim"
STYLE_COMMANDS_TABLE_FIRST_COLUMN = "bold cyan"
DEPRECATED_STRING = "(deprecated) "
DEFAULT_STRING = "[default: {}]"
ENVVAR_STRING = "[env var: {}]"
REQUIRED_SHORT_STRING = "*"
REQUIRED_LONG_STRING = "[required]"
RANGE_STRING = " [{}]"
ARGUMENTS_PANEL_TITLE = "Arguments"
OPTIONS_PANEL_TITLE = "Options"
COMMANDS_PANEL_TITLE = "Commands"
ANSI_PREFIX = "\033["


class OptionHighlighter(RegexHighlighter):
    """Highlights options, switches, types and ``Usage:`` (typer's highlighter)."""

    highlights = [  # noqa: RUF012  # rich's API: a class attribute list
        r"(^|\W)(?P<switch>\-\w+)(?![a-zA-Z0-9])",
        r"(^|\W)(?P<option>\-\-[\w\-]+)(?![a-zA-Z0-9])",
        r"(?P<types>\<[^\>]+\>)",
        r"(?P<usage>Usage: )",
    ]


class NegativeOptionHighlighter(RegexHighlighter):
    """Highlights the ``--no-...`` side of a flag."""

    highlights = [  # noqa: RUF012  # rich's API
        r"(^|\W)(?P<negative_switch>\-\w+)(?![a-zA-Z0-9])",
        r"(^|\W)(?P<negative_option>\-\-[\w\-]+)(?![a-zA-Z0-9])",
    ]


class TypesHighlighter(RegexHighlighter):
    """Dims the ``<``, ``|`` and ``>`` around a type."""

    highlights = [  # noqa: RUF012  # rich's API
        r"^(?P<types_sep>(\[|<))",
        r"(?P<types_sep>\|)",
        r"(?P<types_sep>(\]|>))(\.\.\.)?$",
    ]


highlighter = OptionHighlighter()
negative_highlighter = NegativeOptionHighlighter()
types_highlighter = TypesHighlighter()


def _console() -> Console:
    """The console typer prints help on: stdout, its theme, its environment variables."""
    width = os.getenv("TERMINAL_WIDTH")
    force_terminal = (
        True
        if os.getenv("GITHUB_ACTIONS") or os.getenv("FORCE_COLOR") or os.getenv("PY_COLORS")
        else None
    )
    if os.getenv("_TYPER_FORCE_DISABLE_TERMINAL"):
        force_terminal = False
    return Console(
        theme=Theme(
            {
                "option": STYLE_OPTION,
                "switch": STYLE_SWITCH,
                "negative_option": STYLE_NEGATIVE_OPTION,
                "negative_switch": STYLE_NEGATIVE_SWITCH,
                "types": STYLE_TYPES,
                "types_sep": STYLE_TYPES_SEPARATOR,
                "usage": STYLE_USAGE,
            },
        ),
        highlighter=highlighter,
        color_system="auto",
        force_terminal=force_terminal,
        width=int(width) if width else None,
    )


def _rich_text(text: str, style: str = "") -> Text:
    """Dedented text read as rich markup (or as ANSI when it holds escapes), highlighted."""
    text = inspect.cleandoc(text)
    if ANSI_PREFIX in text:
        return highlighter(Text.from_ansi(text, style=style))
    return highlighter(Text.from_markup(text, style=style))


@group()
def _help_text(command: Any) -> Iterable[Text]:
    """The command's help: its first paragraph, then the rest dimmed."""
    if command.deprecated:
        yield Text(DEPRECATED_STRING, style=STYLE_DEPRECATED)
    help_text = inspect.cleandoc(command.help or "").partition("\f")[0]
    first_line, *remaining = help_text.split("\n\n")
    if not first_line.startswith("\b"):
        first_line = first_line.replace("\n", " ")
    yield _rich_text(first_line.strip(), STYLE_HELPTEXT_FIRST_LINE)
    if remaining:
        yield Text("")
        yield _rich_text("\n\n".join(remaining), STYLE_HELPTEXT)


def _parameter_help(param: Any, ctx: Any) -> Columns:
    """An option's help, then its environment variable, default and ``[required]``."""
    items: list[Text] = []
    envvar = getattr(param, "envvar", None)
    var_str = ""
    if envvar is None and (
        getattr(param, "allow_from_autoenv", None)
        and getattr(ctx, "auto_envvar_prefix", None) is not None
        and param.name
    ):
        envvar = f"{ctx.auto_envvar_prefix}_{param.name.upper()}"
    if envvar is not None:
        var_str = envvar if isinstance(envvar, str) else ", ".join(str(d) for d in envvar)
    help_value: str | None = getattr(param, "help", None)
    if help_value:
        paragraphs = [
            x.replace("\n", " ").strip()
            if not x.startswith("\b")
            else "{}\n".format(x.strip("\b\n"))
            for x in help_value.split("\n\n")
        ]
        items.append(_rich_text("\n".join(paragraphs).strip(), STYLE_OPTION_HELP))
    if envvar and getattr(param, "show_envvar", None):
        items.append(Text(ENVVAR_STRING.format(var_str), style=STYLE_OPTION_ENVVAR))
    if isinstance(param, (TyperOption, TyperArgument)):
        default_value = param._extract_default_help_str(ctx=ctx)
        show_default_is_str = isinstance(param.show_default, str)
        if show_default_is_str or (
            default_value is not None and (param.show_default or ctx.show_default)
        ):
            default_str = param._get_default_string(
                ctx=ctx, show_default_is_str=show_default_is_str, default_value=default_value
            )
            if default_str:
                items.append(Text(DEFAULT_STRING.format(default_str), style=STYLE_OPTION_DEFAULT))
    if param.required:
        items.append(Text(REQUIRED_LONG_STRING, style=STYLE_REQUIRED_LONG))
    return Columns(items)


def _names(param: Any) -> tuple[list[str], list[str], list[str], list[str]]:
    """Long and short names, then the ``--no-...`` side's; an argument shows its name."""
    long_names, short_names, secondary_long, secondary_short = [], [], [], []
    display_name: str | None = None
    if isinstance(param, TyperArgument):
        display_name = param.display_name_raw
        if param.metavar is None and param.nargs != 1:
            display_name += "..."
    for opt in param.opts:
        if "--" in opt:
            long_names.append(opt)
        else:
            short_names.append(display_name or opt)
    for opt in param.secondary_opts:
        if "--" in opt:
            secondary_long.append(opt)
        else:
            secondary_short.append(display_name or opt)
    return long_names, short_names, secondary_long, secondary_short


def _options_panel(name: str, params: list[Any], ctx: Any, console: Console) -> None:
    """One panel of arguments or options: names, type, help; ``*`` when required."""
    rows: list[list[RenderableType]] = []
    required_marks: list[str | Text] = []
    for param in params:
        long_names, short_names, secondary_long, secondary_short = _names(param)
        types = Text(style=STYLE_TYPES, overflow="fold")
        display_type = param.display_type_rich(ctx=ctx)
        if display_type is not None:
            types.append(display_type)
        range_str = param._get_number_range_help_str()
        if range_str:
            types.append(RANGE_STRING.format(range_str))
        required_marks.append(
            Text(REQUIRED_SHORT_STRING, style=STYLE_REQUIRED_SHORT) if param.required else ""
        )
        rows.append(
            [
                highlighter(",".join(long_names)),
                highlighter(",".join(short_names)),
                negative_highlighter(",".join(secondary_long)),
                negative_highlighter(",".join(secondary_short)),
                types_highlighter(types),
                _parameter_help(param, ctx),
            ]
        )
    if not rows:
        return
    if any(required_marks):
        rows = [[mark, *row] for mark, row in zip(required_marks, rows, strict=True)]
    table = _panel_table(highlight=True)
    for row in rows:
        table.add_row(*row)
    console.print(Panel(table, border_style=STYLE_PANEL_BORDER, title=name, title_align="left"))


def _panel_table(*, highlight: bool) -> Table:
    """The borderless, full-width table typer draws inside each help panel."""
    return Table(
        highlight=highlight,
        show_header=False,
        expand=True,
        box=None,
        show_lines=False,
        leading=0,
        border_style=None,
        row_styles=None,
        pad_edge=False,
        padding=(0, 1),
    )


def _commands_panel(name: str, commands: list[Any], console: Console, cmd_len: int) -> None:
    """The group's commands with the first paragraph of each one's help."""
    table = _panel_table(highlight=False)
    table.add_column(style=STYLE_COMMANDS_TABLE_FIRST_COLUMN, no_wrap=True, width=cmd_len)
    table.add_column("Description", justify="left", no_wrap=False, ratio=10)
    rows: list[list[RenderableType | None]] = []
    deprecated_marks: list[Text | None] = []
    for command in commands:
        if command.deprecated:
            label = Text(command.name or "", style=STYLE_DEPRECATED_COMMAND)
            deprecated_marks.append(Text(DEPRECATED_STRING, style=STYLE_DEPRECATED))
        else:
            label = Text(command.name or "")
            deprecated_marks.append(None)
        paragraphs = inspect.cleandoc(command.short_help or command.help or "").split("\n\n")
        if paragraphs[0].startswith("\b"):
            paragraphs[0] = paragraphs[0].replace("\b\n", "")
        rows.append([label, _rich_text(paragraphs[0].strip(), STYLE_OPTION_HELP)])
    if any(deprecated_marks):
        rows = [[*row, mark] for row, mark in zip(rows, deprecated_marks, strict=True)]
    for row in rows:
        table.add_row(*row)
    if table.row_count:
        console.print(Panel(table, border_style=STYLE_PANEL_BORDER, title=name, title_align="left"))


def _listed(command: TyperGroup, ctx: Any) -> list[Any]:
    """The group's visible commands: promoplan's group describes them without building
    them (``command_summary``, with the same attributes); another group's are built."""
    describe = getattr(command, "command_summary", None)
    found = []
    for name in command.list_commands(ctx):
        listed = describe(ctx, name) if describe is not None else command.get_command(ctx, name)
        if listed is not None and not listed.hidden:
            found.append(listed)
    return found


def _parameter_panels(command: Any, ctx: Any) -> list[tuple[str, dict[str, list[Any]]]]:
    """Visible arguments, then options, by panel name (the default panels first)."""
    arguments: defaultdict[str, list[Any]] = defaultdict(list)
    options: defaultdict[str, list[Any]] = defaultdict(list)
    for param in command.get_params(ctx):
        if getattr(param, "hidden", False):
            continue
        panel = getattr(param, "rich_help_panel", None)
        if isinstance(param, TyperArgument):
            arguments[panel or ARGUMENTS_PANEL_TITLE].append(param)
        elif isinstance(param, TyperOption):
            options[panel or OPTIONS_PANEL_TITLE].append(param)
    return [(ARGUMENTS_PANEL_TITLE, arguments), (OPTIONS_PANEL_TITLE, options)]


def print_help(command: Any, ctx: Any) -> None:
    """Print ``command``'s help on stdout as typer's ``rich_format_help`` does ("rich" mode)."""
    console = _console()
    console.print(Padding(highlighter(command.get_usage(ctx)), 1), style=STYLE_USAGE_COMMAND)
    if command.help:
        console.print(Padding(Align(_help_text(command), pad=False), (0, 1, 1, 1)))
    for default, panels in _parameter_panels(command, ctx):
        _options_panel(default, panels.get(default, []), ctx, console)
        for name, params in panels.items():
            if name != default:
                _options_panel(name, params, ctx, console)
    if isinstance(command, TyperGroup):
        panels_of_commands: defaultdict[str, list[Any]] = defaultdict(list)
        for listed in _listed(command, ctx):
            panel = getattr(listed, "rich_help_panel", None) or COMMANDS_PANEL_TITLE
            panels_of_commands[panel].append(listed)
        cmd_len = max(
            (len(c.name or "") for shown in panels_of_commands.values() for c in shown), default=0
        )
        _commands_panel(
            COMMANDS_PANEL_TITLE,
            panels_of_commands.get(COMMANDS_PANEL_TITLE, []),
            console,
            cmd_len,
        )
        for name, listed in panels_of_commands.items():
            if name != COMMANDS_PANEL_TITLE:
                _commands_panel(name, listed, console, cmd_len)
    if command.epilog:
        epilogue = _rich_text("\n\n".join(command.epilog.split("\n\n")))
        console.print(Padding(Align(epilogue, pad=False), 1))
