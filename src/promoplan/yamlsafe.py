"""Load a plan's YAML as plain data, safely, with the position of every key and value.

A plan comes from a pull request and is untrusted. ``load_yaml`` therefore:

* caps the size before parsing and decodes strictly as UTF-8 (a BOM is allowed);
* scans the event stream once, flat and without recursion, to cap nesting depth,
  alias count and alias expansion, and to reject recursive aliases, before any
  node tree is built;
* resolves plain scalars by the YAML 1.2 core rules (``1:3``, ``NO``, ``off``,
  ``2025-01-05`` and ``010`` stay strings; ``1e3`` is a float);
* builds only plain data itself from the composed nodes (mappings with string
  keys, lists, strings, ints, floats, booleans, null), so no tag can build an
  object, and collects duplicate keys, non-string keys and forbidden tags as
  diagnostics rather than stopping at the first.

Every problem becomes a :class:`~promoplan.diagnostics.Diagnostic` with a line
and column; nothing PyYAML raises on bad input escapes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

import yaml
from yaml.nodes import Node

from promoplan.diagnostics import Diagnostic, diagnostic
from promoplan.yamlnodes import (
    BOOL_RE,
    FLOAT_RE,
    INT_RE,
    MAX_ALIASES,
    NULL_RE,
    TAG,
    KeyPath,
    PlainBuilder,
    PlainData,
    PositionIndex,
    describe_top,
    looks_like_hint,
    mark_of,
)
from promoplan.yamltext import (
    MAX_BYTES,
    LoadStop,
    check_characters,
    decode_plan,
    input_method_slip,
)

__all__ = [
    "MAX_ALIASES",
    "MAX_BYTES",
    "KeyPath",
    "PlainData",
    "PositionIndex",
    "YamlResult",
    "load_yaml",
]

MAX_DEPTH = 64
MAX_EVENTS = 200_000
# Nodes after alias expansion: what pydantic, json and repr would walk. Without
# aliases this stays below the event count, so only aliases can reach it.
MAX_EXPANDED = MAX_EVENTS

_EMPTY_HINT = "start from `promoplan init`, which writes a commented starter plan"

_BaseLoader: type = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader


class StrictLoader(_BaseLoader):  # type: ignore[misc]  # PyYAML's loaders are untyped
    """PyYAML's safe loader with YAML 1.2 core scalar resolution and nothing else.

    Used only to parse and compose; :func:`load_yaml` builds the data itself.
    """

    yaml_implicit_resolvers: ClassVar[dict[str | None, list[tuple[str, re.Pattern[str]]]]] = {}


StrictLoader.add_implicit_resolver(TAG + "bool", BOOL_RE, list("tTfF"))
StrictLoader.add_implicit_resolver(TAG + "int", INT_RE, list("-+0123456789"))
StrictLoader.add_implicit_resolver(TAG + "float", FLOAT_RE, list("-+.0123456789"))
StrictLoader.add_implicit_resolver(TAG + "null", NULL_RE, ["~", "n", "N", ""])
StrictLoader.add_implicit_resolver(TAG + "merge", re.compile(r"^(?:<<)$"), ["<"])


@dataclass(frozen=True)
class YamlResult:
    """Either plain data with its positions, or the diagnostics that stopped loading."""

    data: PlainData
    positions: PositionIndex
    diagnostics: tuple[Diagnostic, ...] = ()
    notes: tuple[Diagnostic, ...] = ()  # warnings about data that loaded (PP005)

    @property
    def ok(self) -> bool:
        """True when the data was loaded without a problem."""
        return not self.diagnostics


def load_yaml(data: bytes, file: str, *, size: int | None = None) -> YamlResult:
    """Load one plan file's bytes as plain data, or say precisely why not.

    ``size`` is the whole file's size when ``data`` holds only its first bytes.
    """
    try:
        text = decode_plan(data, file, size if size is not None else len(data))
        # Names are compared in NFC (a channel typed as e + U+0301 is "é"), as the
        # actuals' dimension values are; YAML's own syntax is ASCII, which NFC keeps.
        if not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)
        check_characters(text, file)
        _prescan(text, file)
        root = _compose(text, file)
        builder = PlainBuilder(file, text)
        value = builder.build(root, ())
    except LoadStop as stop:
        return YamlResult(None, PositionIndex(), (stop.found,))
    except RecursionError:
        # The depth cap makes this unreachable; kept as a last line of defence.
        return YamlResult(
            None,
            PositionIndex(),
            (
                diagnostic(
                    "PP010", "the plan is nested too deeply to read", file=file, line=1, column=1
                ),
            ),
        )
    if builder.problems:
        # Duplicate keys alone leave the data whole, each key at its first value: kept,
        # so that the loader can still report the plan's other problems.
        whole = isinstance(value, dict) and all(p.code == "PP002" for p in builder.problems)
        return YamlResult(value if whole else None, builder.index, tuple(builder.problems))
    if value is None:
        return YamlResult(
            None,
            builder.index,
            (
                diagnostic(
                    "PP003", "the plan is empty", file=file, line=1, column=1, hint=_EMPTY_HINT
                ),
            ),
        )
    if not isinstance(value, dict):
        line, column = mark_of(root)
        found = describe_top(value)
        return YamlResult(
            None,
            builder.index,
            (
                diagnostic(
                    "PP003",
                    "the top level of a plan must be a mapping (promoplan: 1, name: ...), "
                    f"got {found}",
                    file=file,
                    line=line,
                    column=column,
                    hint=looks_like_hint(text),
                ),
            ),
        )
    return YamlResult(value, builder.index, notes=tuple(builder.notes))


# --- flat pre-scan of the event stream --------------------------------------------


def _prescan(text: str, file: str) -> None:  # noqa: PLR0912  # one flat loop over event kinds
    """Cap depth, aliases and expansion before anything recursive touches the input."""
    depth = 0
    aliases = 0
    documents = 0
    expanded = 0
    # anchor -> expanded size of its node; None while the node is still open
    sizes: dict[str, int | None] = {}
    # for each open collection: (anchor, expanded count when it opened)
    open_nodes: list[tuple[str | None, int]] = []

    def stop(code: str, message: str, event: yaml.Event, hint: str | None = None) -> LoadStop:
        line, column = mark_of(event)
        return LoadStop(diagnostic(code, message, file=file, line=line, column=column, hint=hint))

    for count, event in enumerate(_events(text, file), start=1):
        if count > MAX_EVENTS:
            raise stop("PP010", f"the plan has more than {MAX_EVENTS:,} YAML nodes", event)
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise stop(
                    "PP001",
                    "a second YAML document starts here; a plan file holds exactly one",
                    event,
                    hint="remove the '---' line, or split the file into two plans",
                )
        elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise stop("PP010", f"nested more than {MAX_DEPTH} levels deep", event)
            expanded += 1
            if event.anchor is not None:
                sizes[event.anchor] = None
            open_nodes.append((event.anchor, expanded - 1))
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
            anchor, before = open_nodes.pop()
            if anchor is not None:
                sizes[anchor] = expanded - before
        elif isinstance(event, yaml.ScalarEvent):
            expanded += 1
            if event.anchor is not None:
                sizes[event.anchor] = 1
        elif isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > MAX_ALIASES:
                raise stop("PP010", f"more than {MAX_ALIASES} aliases (*name)", event)
            if event.anchor not in sizes:
                raise stop(
                    "PP001",
                    f"unknown alias *{event.anchor}",
                    event,
                    hint="a value starting with '*' is an alias; quote the value",
                )
            size = sizes[event.anchor]
            if size is None:
                raise stop(
                    "PP010",
                    f"recursive alias: *{event.anchor} refers to a node that contains it",
                    event,
                )
            expanded += size
            if expanded > MAX_EXPANDED:
                raise stop(
                    "PP010",
                    f"aliases expand the plan to more than {MAX_EXPANDED:,} values",
                    event,
                    hint="a plan should not need nested aliases; write the values out",
                )
    if documents == 0:
        raise LoadStop(
            diagnostic(
                "PP003",
                "the plan is empty",
                file=file,
                line=1,
                column=1,
                hint=_EMPTY_HINT,
            )
        )


def _events(text: str, file: str) -> Iterator[yaml.Event]:
    events = yaml.parse(text, Loader=StrictLoader)
    while True:
        try:
            event = next(events)
        except StopIteration:
            return
        except yaml.MarkedYAMLError as exc:
            raise LoadStop(_syntax_problem(exc, text, file)) from None
        except yaml.YAMLError as exc:
            raise LoadStop(
                diagnostic(
                    "PP001", f"YAML error: {_first_line(str(exc))}", file=file, line=1, column=1
                )
            ) from None
        yield event


def _compose(text: str, file: str) -> Node:
    try:
        node = yaml.compose(text, Loader=StrictLoader)
    except yaml.MarkedYAMLError as exc:
        raise LoadStop(_syntax_problem(exc, text, file)) from None
    except yaml.YAMLError as exc:
        raise LoadStop(
            diagnostic("PP001", f"YAML error: {_first_line(str(exc))}", file=file, line=1, column=1)
        ) from None
    if node is None:  # unreachable: the pre-scan found a document
        raise LoadStop(diagnostic("PP003", "the plan is empty", file=file, line=1, column=1))
    return node


_BRACKETS = {"[": ("list", "]"), "{": ("mapping", "}")}


def open_brackets(text: str, line: int, column: int) -> list[tuple[str, int]]:
    """The flow brackets (``[`` or ``{`` with their 1-based line) still open before
    ``line:column``, innermost last; quoted text and comments are skipped.

    A bracket opens a flow collection where a value starts (after ``:``, ``-``,
    ``,``, another bracket or at a line's start) or anywhere inside one.
    """
    stack: list[tuple[str, int]] = []
    quote: str | None = None
    previous = "\n"
    for number, row in enumerate(text.split("\n"), start=1):
        if number > line:
            break
        end = column - 1 if number == line else len(row)
        previous = "\n"
        index = 0
        while index < min(end, len(row)):
            char = row[index]
            if quote is not None:
                if char == quote and quote == "'" and row[index + 1 : index + 2] == "'":
                    index += 1  # '' inside a single-quoted scalar
                elif char == "\\" and quote == '"':
                    index += 1
                elif char == quote:
                    quote = None
            elif char == "#" and previous in " \t\n":
                break  # a comment runs to the line's end
            elif char in "'\"" and (stack or previous in " \t\n:-,[{"):
                quote = char
            elif char in _BRACKETS and (stack or previous in " \t\n:-,[{"):
                stack.append((char, number))
            elif char in "]}" and stack:
                stack.pop()
            if char not in " \t":
                previous = char
            index += 1
    return stack


def _close_hint(text: str, line: int, column: int) -> str | None:
    """``close the list opened on line 4 with ']'`` for the brackets actually open."""
    stack = open_brackets(text, line, column)
    if not stack:
        return None
    steps = [
        f"the {_BRACKETS[char][0]} opened on line {number} with '{_BRACKETS[char][1]}'"
        for char, number in reversed(stack)
    ]
    return "close " + ", then ".join(steps)


def _syntax_problem(exc: yaml.MarkedYAMLError, text: str, file: str) -> Diagnostic:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else 1
    column = mark.column + 1 if mark is not None else 1
    problem = (exc.problem or exc.context or "not valid YAML").strip()
    char = _char_at(text, line, column)
    hint: str | None = None
    if "nesting depth" in problem:
        return diagnostic(
            "PP010",
            f"nested more than {MAX_DEPTH} levels deep",
            file=file,
            line=line,
            column=column,
        )
    quoted = exc.context is not None and "quoted scalar" in exc.context
    slip = None if quoted else input_method_slip(text, file, line)
    if slip is not None:
        return slip
    if char == "\t":
        problem = "a tab character here; YAML indents with spaces only"
        hint = "replace the tab with spaces"
    elif "cannot start any token" in problem:
        problem = f"a plain value cannot start with {char!r}" if char else problem
        hint = "quote the value"
    elif "mapping values are not allowed" in problem:
        problem = "a ': ' inside a plain value starts a mapping here"
        hint = "quote the value"
    elif "undefined alias" in problem:
        hint = "a value starting with '*' is an alias; quote the value"
    elif exc.context and exc.context_mark is not None and "flow" in exc.context:
        hint = _close_hint(text, line, column)
        if hint is None:
            opened = "list" if "sequence" in exc.context else "mapping"
            closer = "]" if opened == "list" else "}"
            hint = f"close the {opened} opened on line {exc.context_mark.line + 1} with '{closer}'"
    elif quoted and any(word in problem for word in ("escape", "hexdecimal", "hexadecimal")):
        # The quote is closed: a backslash in double quotes starts an escape (C:\data).
        hint = "in double quotes '\\' starts an escape: use single quotes, or write '\\\\'"
    elif exc.context and exc.context_mark is not None and "quoted scalar" in exc.context:
        hint = f"close the quote opened on line {exc.context_mark.line + 1}"
    elif "expected alphabetic or numeric character" in problem and exc.context:
        hint = "a value starting with '&' or '*' is an anchor or alias; quote the value"
    context = ""
    other = exc.context_mark
    if exc.context and other is not None and (other.line, other.column) != (line - 1, column - 1):
        context = f" ({exc.context} at line {other.line + 1})"
    return diagnostic(
        "PP001",
        f"YAML syntax: {problem}{context}",
        file=file,
        line=line,
        column=column,
        hint=hint or looks_like_hint(text),
    )


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.split("\n")
    if 1 <= line <= len(lines) and 1 <= column <= len(lines[line - 1]):
        return lines[line - 1][column - 1]
    return ""


def _first_line(message: str) -> str:
    return message.strip().splitlines()[0] if message.strip() else "not valid YAML"
