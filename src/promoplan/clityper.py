"""typer, as promoplan runs it: only the command being run is built, help without Markdown.

Three things typer would otherwise do on every run, and what is done instead:

* it builds every command of the application, with all their options, before it
  looks at the command line; :class:`PromoplanTyper` builds the group with its
  own options and each command the first time it is asked for
  (:class:`LazyCommands`), so a run builds one;
* it converts every value of the command being run with a pydantic adapter built
  for the option; :func:`plain_values` converts the text values of ``str`` and
  ``Path`` options (nearly all of promoplan's) as the adapter would, without one;
* its rich help imports ``rich.markdown`` (markdown-it, pygments) and
  ``rich.traceback`` before it draws a line; :mod:`promoplan.clihelp` draws the same
  help with the rich parts it uses.

And one thing typer shows that promoplan shows otherwise: the value column of the
help. typer writes each parameter's Python type there, ``<bool>`` for a flag (which
takes no value) and ``<list[str]>`` for a repeatable option (which takes one value
each time); :func:`value_display` makes a flag show nothing and a list show one
value, ``<str>`` or ``<path>``, the way a single value of that type shows.

The application typer builds itself (``typer.main.get_command``, what the test
runner calls) has the same commands, options, conversions and help.
"""

from __future__ import annotations

import copy
import inspect
import os
from collections.abc import Callable, Iterator, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

import typer
import typer.core
import typer.main

# typer's per-value conversion, which plain_values() takes over for text values.
from typer._coercion import RuntimeParam, TypeDescriptor, build_runtime_param
from typer._param_types import coerce_cli_path
from typer.core import TyperCommand, TyperGroup
from typer.models import CommandInfo, TyperInfo


@dataclass(frozen=True)
class CommandSummary:
    """What the group's help shows of a command, read without building it."""

    name: str
    help: str | None
    short_help: str | None
    deprecated: bool
    hidden: bool
    rich_help_panel: str | None


def _command_name(info: CommandInfo) -> str:
    """The command's name as typer gives it (``plan_test`` is registered as ``test``)."""
    assert info.callback is not None  # every command of the application has its function
    return info.name or typer.main.get_command_name(info.callback.__name__)


class LazyCommands(MutableMapping[str, Any]):
    """The group's commands by name, each built by typer the first time it is asked for."""

    def __init__(self, infos: list[CommandInfo], build: Callable[[CommandInfo], Any]) -> None:
        self._infos = {_command_name(info): info for info in infos}
        self._build = build
        self._built: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self._built:
            self._built[name] = self._build(self._infos[name])  # KeyError: no such command
        return self._built[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self._built[name] = command
        self._infos.setdefault(name, CommandInfo(name=name))

    def __delitem__(self, name: str) -> None:
        del self._infos[name]
        self._built.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._infos)

    def __len__(self) -> int:
        return len(self._infos)

    def summary(self, name: str) -> CommandSummary:
        """The command's name, help and flags, as typer's ``get_command_from_info`` sets them."""
        if name in self._built:
            return summary_of(self._built[name])
        info = self._infos[name]
        text = inspect.getdoc(info.callback) if info.help is None else inspect.cleandoc(info.help)
        return CommandSummary(
            name=name,
            help=text,
            short_help=info.short_help,
            deprecated=bool(info.deprecated),
            hidden=bool(info.hidden),
            rich_help_panel=info.rich_help_panel,
        )


def summary_of(command: Any) -> CommandSummary:
    """What the group's help shows of a built command."""
    return CommandSummary(
        name=command.name or "",
        help=command.help,
        short_help=command.short_help,
        deprecated=bool(command.deprecated),
        hidden=bool(command.hidden),
        rich_help_panel=getattr(command, "rich_help_panel", None),
    )


def _own_help(command: TyperCommand | TyperGroup) -> bool:
    """Whether typer would draw this help with rich in its "rich" markup (what clihelp draws)."""
    return bool(typer.core.HAS_RICH) and command.rich_markup_mode == "rich"


# The mixin's base for the type checker: the click command both classes derive from.
_HelpBase: Any = object


class _OwnHelp(_HelpBase):  # type: ignore[misc]  # a base of Any: a mixin of click commands
    """What the group and its commands share: clihelp's help and a plain ``--help`` flag."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        """typer's rich help, drawn without ``rich.markdown`` (see clihelp)."""
        if not _own_help(self):
            super().format_help(ctx, formatter)
            return
        from promoplan.clihelp import print_help  # noqa: PLC0415  # only for --help

        print_help(self, ctx)

    def get_help_option(self, ctx: Any) -> Any:
        """``--help``, made when first asked for, with its flag's value taken as it is."""
        option = super().get_help_option(ctx)
        if option is not None:
            plain_values(option)
            value_display(option)
        return option


class PromoplanGroup(_OwnHelp, TyperGroup):
    """The top-level group: commands listed without building them, help by clihelp."""

    def __init__(self, **attributes: Any) -> None:
        super().__init__(**attributes)
        for param in self.params:
            plain_values(param)
            value_display(param)

    def list_commands(self, ctx: Any) -> list[str]:
        """The commands' names in the order they were registered (none is built)."""
        return list(self.commands)

    def command_summary(self, ctx: Any, name: str) -> CommandSummary:
        """A command's name and help for the group's help, built or not."""
        if isinstance(self.commands, LazyCommands):
            return self.commands.summary(name)
        return summary_of(self.commands[name])


class PromoplanCommand(_OwnHelp, TyperCommand):
    """A command whose text values need no pydantic adapter and whose help is clihelp's."""

    def __init__(self, **attributes: Any) -> None:
        super().__init__(**attributes)
        for param in self.params:
            plain_values(param)
            value_display(param)


class PromoplanTyper(typer.Typer):
    """The application: a run builds the group and the one command it invokes."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Run as typer does (``typer.Typer.__call__``), with :func:`lazy_group` for its tree.

        typer also installs its exception hook there; with pretty exceptions off
        (as here) that hook hands every exception to Python's own, so it is left out.
        """
        return lazy_group(self)(*args, **kwargs)


def lazy_group(app: typer.Typer) -> TyperGroup:
    """The application's group as ``typer.main.get_command`` builds it, commands left to
    build when they are first asked for."""
    shell = copy.copy(app)
    shell.registered_commands = []  # the group alone: its callback, options and settings

    def build(info: CommandInfo) -> Any:
        return typer.main.get_command_from_info(
            info,
            pretty_exceptions_short=app.pretty_exceptions_short,
            rich_markup_mode=app.rich_markup_mode,
        )

    group = typer.main.get_group_from_info(
        TyperInfo(shell),
        pretty_exceptions_short=app.pretty_exceptions_short,
        rich_markup_mode=app.rich_markup_mode,
        suggest_commands=app.suggest_commands,
    )
    group.commands = LazyCommands(list(app.registered_commands), build)
    return group


# --- what the help shows of a value -------------------------------------------------


def value_display(param: Any) -> None:
    """Make ``param``'s help show the value it takes: none for a flag, one value (the
    element's type, as a single value of it shows) for a list, typer's own otherwise.

    Set on the parameter itself, so that typer's help and :mod:`promoplan.clihelp`
    show the same.
    """
    if getattr(param, "_value_display_set", False):
        return
    descriptor = getattr(param, "type_descriptor", None)
    bare = getattr(param, "_bare_type", None)
    if descriptor is None or bare is None:  # another typer: its own display stays
        return
    if getattr(param, "is_flag", False) and not getattr(param, "count", False):
        param.display_type_rich = _no_value
    elif getattr(descriptor, "is_list", False) and param.metavar is None:
        (element,) = get_args(descriptor.annotation)
        label = descriptor.path_type if _is_path(element) else bare(element)
        param.display_type_rich = _one_value(f"<{label}>")
    param._value_display_set = True


def _is_path(annotation: object) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, Path)


def _no_value(ctx: Any = None) -> None:
    """A flag's value column: empty (``--strict``, not ``--strict <bool>``)."""
    return


def _one_value(label: str) -> Callable[..., str]:
    def display(ctx: Any = None) -> str:
        return label

    return display


# --- values without a pydantic adapter --------------------------------------------

_PLAIN = (str, Path, bool)  # bool: a flag is a bool already, or unset (None)


def _plain_element(descriptor: Any) -> tuple[type, bool] | None:
    """``(str, Path or bool, is a list)`` for the options plain_values takes, else None."""
    info = descriptor.parameter_info
    if descriptor.file_annotation is not None or info.parser is not None:
        return None
    annotation = descriptor.annotation
    is_list = descriptor.is_list
    if is_list:
        (annotation,) = get_args(annotation)
    if annotation not in _PLAIN or (annotation is Path and info.path_type is not None):
        return None
    return annotation, is_list


def plain_values(param: Any) -> None:
    """Give a ``str``, ``Path`` or list-of-them option its converter without pydantic.

    typer builds a pydantic ``TypeAdapter`` per option value type the first time the
    option is processed, which is every run for every option of the command run
    (an option not given too: its adapter is built before its ``None`` is looked at).
    Nothing is changed for other options.
    """
    if getattr(param, "_runtime_param", True) is not None:
        return
    descriptor = getattr(param, "type_descriptor", None)
    if descriptor is None:
        return
    plain = _plain_element(descriptor)
    if plain is None:
        return
    element, is_list = plain
    param._runtime_param = PlainValues(
        annotation=descriptor.annotation,
        parameter_info=descriptor.parameter_info,
        descriptor=descriptor,
        element=element,
        is_list=is_list,
    )


@dataclass(frozen=True)
class PlainValues(RuntimeParam):
    """A text value as typer's adapter converts it: a ``str`` as it is, a ``Path``
    made from it and checked as typer checks paths (an empty one refused: ``Path("")``
    would be the current directory). Anything else (not text, or a
    flag's value that is not a bool) goes to the adapter typer builds, then; ``None``
    never gets here (``RuntimeParam.coerce`` answers it)."""

    descriptor: TypeDescriptor
    element: type
    is_list: bool

    def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
        if self.element is bool:
            pass
        elif self.is_list:
            items = value if isinstance(value, (list, tuple)) else [value]
            if all(isinstance(item, str) for item in items):
                return [self._one(item, param, ctx) for item in items]
        elif isinstance(value, str):
            return self._one(value, param, ctx)
        adapter = build_runtime_param(self.descriptor)
        return adapter._coerce_value(value, param=param, ctx=ctx)

    def _one(self, value: str, param: Any, ctx: Any) -> Any:
        if self.element is str:
            return value
        if not value.strip():  # Path("") is "."; an empty path is an unset variable
            raise typer.BadParameter(
                f"{value!r} is empty (an unset variable?); name a file", ctx=ctx, param=param
            )
        if os.path.exists(value) and not os.access(value, os.R_OK):
            # Not readable: the command says so in its one line (click's check would print
            # its usage box), as validate and diff do.
            return Path(value)
        return coerce_cli_path(
            Path(value), self.parameter_info, path_type=Path, param=param, ctx=ctx
        )
