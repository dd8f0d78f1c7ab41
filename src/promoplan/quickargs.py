"""``validate``'s command line read without typer, when it is plain enough to read for sure.

CI runs ``promoplan validate`` on every push, and typer costs about a third of that
run: importing it, building its command tree, and a pydantic adapter per option.
:func:`parse_validate` reads the argument lists typer would read the same way, by
click's own rules (options and paths in any order, ``--opt=value``, ``--`` ends the
options, an option's value is the next argument whatever it looks like). Anything
else (``--help``, an unknown or a combined short option, a missing value, no path,
shell completion) gives ``None``, and the run goes through typer, which gives the
help or the error. tests/test_quickargs.py runs both paths over the same argument
lists, bad ones included, and compares their output and exit status.

Standard library only: this module is imported before anything else of the CLI.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

COMMAND = "validate"
TOP_FLAGS = ("--debug",)  # the top-level options the quick path takes (before the command)
# validate's options as typer declares them in cli.py (a test compares the two):
# option string -> the parameter it sets.
VALUE_OPTIONS = {
    "--format": "fmt",
    "-f": "fmt",
    "--output": "output",
    "-o": "output",
    "--ignore": "ignore",
}
FLAG_OPTIONS = {"--strict": "strict", "--quiet": "quiet", "-q": "quiet"}
REPEATABLE = ("ignore",)  # every other value option keeps its last value, as click does


@dataclass(frozen=True)
class QuickValidate:
    """``validate``'s parameters as typer would hand them to the command."""

    paths: tuple[str, ...]
    fmt: str | None = None
    output: str | None = None
    strict: bool = False
    quiet: bool = False
    ignore: tuple[str, ...] | None = None
    debug: bool = False


@dataclass
class _Reading:
    """What the options read so far have set."""

    paths: list[str] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)
    ignore: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)

    def option(self, arg: str, rest: list[str]) -> bool:
        """Read the option ``arg`` (its value from ``rest``); False when typer must."""
        if arg in FLAG_OPTIONS:
            self.flags.add(FLAG_OPTIONS[arg])
            return True
        name, equals, attached = arg.partition("=")
        # "--format=json" carries its value; "-f=json" would mean "=json" to click, and
        # "--strict=x" is an error: typer reads (and words) those.
        if name not in VALUE_OPTIONS or (equals and not name.startswith("--")):
            return False
        if equals:
            value = attached
        elif rest:
            value = rest.pop(0)  # whatever it looks like, as click takes it
        else:
            return False  # a missing value: typer says so
        target = VALUE_OPTIONS[name]
        if target in REPEATABLE:
            self.ignore.append(value)
        else:
            self.values[target] = value
        return True


def parse_validate(argv: Sequence[str], environ: Mapping[str, str]) -> QuickValidate | None:
    """``argv`` (without the program name) read as ``validate``; ``None`` when typer must."""
    if any(name.startswith("_") and name.endswith("_COMPLETE") for name in environ):
        return None  # a shell asking for completions: typer answers
    index = 0
    while index < len(argv) and argv[index] in TOP_FLAGS:
        index += 1
    if index >= len(argv) or argv[index] != COMMAND:
        return None
    debug = index > 0
    read = _Reading()
    rest = list(argv[index + 1 :])
    while rest:
        arg = rest.pop(0)
        if arg == "--":
            read.paths.extend(rest)
            break
        if len(arg) < 2 or not arg.startswith("-"):
            read.paths.append(arg)  # "-" on its own is a path, as for click
        elif not read.option(arg, rest):
            return None  # --help, an unknown or combined option, a missing value
    paths, values, ignore, flags = read.paths, read.values, read.ignore, read.flags
    if not paths or not all(path.strip() for path in paths):
        return None  # typer says the argument is missing, or empty (clityper.PlainValues)
    return QuickValidate(
        paths=tuple(paths),
        fmt=values.get("fmt"),
        output=values.get("output"),
        strict="strict" in flags,
        quiet="quiet" in flags,
        ignore=tuple(ignore) if ignore else None,
        debug=debug,
    )
