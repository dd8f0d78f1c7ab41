"""A plan's composed YAML nodes to plain data, with the position of every key and value.

The second half of :func:`promoplan.yamlsafe.load_yaml`: after the text has been
decoded, checked and pre-scanned there, :class:`PlainBuilder` builds only plain
data (mappings with string keys, lists, strings, ints, floats, booleans, null)
from the nodes, records where each one is written, and collects duplicate keys,
non-string keys and forbidden tags as diagnostics rather than stopping at the first.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import TypeAlias, Union

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from promoplan.diagnostics import Diagnostic, diagnostic, dotted

MAX_ALIASES = 100  # aliases (*name) in one plan; the pre-scan caps them, so nesting cannot pass it

PlainData: TypeAlias = Union[  # noqa: UP007  # a recursive alias: the forward references need Union
    dict[str, "PlainData"], list["PlainData"], str, int, float, bool, None
]
KeyPath: TypeAlias = tuple[str | int, ...]
Position = tuple[int, int]

TAG = "tag:yaml.org,2002:"

# YAML 1.2 core schema scalars.
BOOL_RE = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
# Decimal integers only: no octal, hex, binary, underscores or base 60; a leading
# zero makes a string, so that codes and ids such as 007 keep their digits.
INT_RE = re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$")
# A float needs a point or an exponent (1.5, .5, 5., 1e3); .inf and .nan stay text
# and are then rejected as quantities.
FLOAT_RE = re.compile(
    r"^[-+]?(?:\.[0-9]+(?:[eE][-+]?[0-9]+)?|[0-9]+\.[0-9]*(?:[eE][-+]?[0-9]+)?|[0-9]+[eE][-+]?[0-9]+)$"
)
NULL_RE = re.compile(r"^(?:~|null|Null|NULL|)$")
# A comment one blank after a plain value that starts with a word: ``name: Promo #1`` is
# the value "Promo" and the comment "#1", most likely meant as the name's end. A comment
# set apart (two blanks or more, as yamllint asks) or written ``# so`` is left alone.
CUT_BY_COMMENT = re.compile(r"[ \t](#\w.*?)\s*$")
LINE_BREAK = re.compile(r"\r\n|\r|\n")  # YAML's (U+0085, U+2028 and U+2029 are PP001)


@dataclass(frozen=True)
class PositionIndex:
    """1-based (line, column) of every value and every key in a plan, by key path."""

    values: dict[KeyPath, Position] = field(default_factory=dict)
    keys: dict[KeyPath, Position] = field(default_factory=dict)
    collections: set[KeyPath] = field(default_factory=set)

    def locate(self, path: KeyPath) -> tuple[int | None, int | None]:
        """Where ``path`` is written, or its nearest existing ancestor (the ``Locate`` function).

        A scalar is located at its value; a mapping or list at its key, because a
        block collection's first node sits on the line below the key that names it.
        """
        for end in range(len(path), -1, -1):
            prefix = path[:end]
            if prefix in self.collections and prefix in self.keys:
                return self.keys[prefix]
            found = self.values.get(prefix)
            if found is not None:
                return found
        return (None, None)

    def value_at(self, path: KeyPath) -> tuple[int | None, int | None]:
        """Where the value at ``path`` itself starts, or its nearest existing ancestor's."""
        for end in range(len(path), -1, -1):
            found = self.values.get(path[:end])
            if found is not None:
                return found
        return (None, None)

    def locate_key(self, path: KeyPath) -> tuple[int | None, int | None]:
        """Where the key of ``path`` is written; the value's place when it has no key."""
        found = self.keys.get(path)
        if found is not None:
            return found
        return self.locate(path)


class PlainBuilder:
    """Builds plain data from composed nodes, records positions, collects problems."""

    def __init__(self, file: str, text: str = "") -> None:
        self.file = file
        self.lines = LINE_BREAK.split(text) if text else []
        self.problems: list[Diagnostic] = []
        self.notes: list[Diagnostic] = []  # warnings that do not stop the plan (PP005)
        self.seen: set[tuple[str, int, int]] = set()
        self.index = PositionIndex()

    def problem(
        self, code: str, message: str, node: Node, path: KeyPath, hint: str | None = None
    ) -> None:
        line, column = mark_of(node)
        if (code, line, column) in self.seen:
            return  # the same node reached again through an alias
        self.seen.add((code, line, column))
        self.problems.append(
            diagnostic(
                code,
                message,
                file=self.file,
                line=line,
                column=column,
                path=dotted(path) or None,
                hint=hint,
            )
        )

    def build(self, node: Node, path: KeyPath) -> PlainData:
        self.index.values.setdefault(path, mark_of(node))
        if isinstance(node, (MappingNode, SequenceNode)):
            self.index.collections.add(path)
        if isinstance(node, ScalarNode):
            return self.scalar(node, path)
        if isinstance(node, SequenceNode):
            if node.tag != TAG + "seq":
                self.forbidden_tag(node, path)
                return None
            return [self.build(item, (*path, number)) for number, item in enumerate(node.value)]
        if isinstance(node, MappingNode):
            if node.tag != TAG + "map":
                self.forbidden_tag(node, path)
                return None
            return self.mapping(node, path)
        raise AssertionError(f"unknown node {node!r}")

    def scalar(self, node: ScalarNode, path: KeyPath) -> PlainData:  # noqa: PLR0911  # one return per tag
        if not node.style:  # plain (None, or "" from the C parser): a comment may cut it short
            self.cut_by_comment(node, path)
        tag, text = node.tag, node.value
        if tag == TAG + "str":
            return str(text)
        text = str(text)
        if tag == TAG + "null" and NULL_RE.match(text):
            return None
        if tag == TAG + "bool" and BOOL_RE.match(text):
            return text.lower() == "true"
        if tag == TAG + "int" and re.match(r"^[-+]?[0-9]+$", text):
            return int(text)
        if tag == TAG + "float" and (FLOAT_RE.match(text) or re.match(r"^[-+]?[0-9]+$", text)):
            value = float(text)
            if not math.isfinite(value):
                self.problem("PP004", f"{text} is too large for a number", node, path)
                return None
            return value
        if tag in (TAG + "null", TAG + "bool", TAG + "int", TAG + "float"):
            kind = tag[len(TAG) :]
            self.problem(
                "PP001",
                f"{text!r} is not a valid !!{kind}",
                node,
                path,
                hint="remove the tag, or write the value plainly",
            )
            return None
        self.forbidden_tag(node, path)
        return None

    def cut_by_comment(self, node: ScalarNode, path: KeyPath) -> None:
        """PP005: a plain value followed on its line by `` #word``, which YAML drops."""
        end = node.end_mark
        if end is None or end.line >= len(self.lines) or not node.value:
            return
        found = CUT_BY_COMMENT.match(self.lines[end.line], end.column)
        if found is None:
            return
        comment = found.group(1)
        self.notes.append(
            diagnostic(
                "PP005",
                f"YAML reads {comment!r} as a comment, so the value is {node.value!r}",
                file=self.file,
                line=end.line + 1,
                column=found.start(1) + 1,
                path=dotted(path) or None,
                hint=f"if {comment!r} belongs to the value, quote it all: "
                f"{json.dumps(f'{node.value} {comment}', ensure_ascii=False)}; "
                "if it is a comment, put a space after its #",
            )
        )

    def forbidden_tag(self, node: Node, path: KeyPath) -> None:
        tag = str(node.tag)
        shown = "!!" + tag[len(TAG) :] if tag.startswith(TAG) else tag
        self.problem(
            "PP001",
            f"tag {shown} is not allowed: a plan holds only plain values "
            "(mappings, lists, text, numbers, true/false)",
            node,
            path,
            hint="remove the tag; quote the value if it should be text",
        )

    def mapping(self, node: MappingNode, path: KeyPath) -> dict[str, PlainData]:
        result: dict[str, PlainData] = {}
        first_seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if _is_merge(key_node):
                continue
            if not _is_text(key_node):
                self.problem(
                    "PP003",
                    f"keys must be text; {_describe_key(key_node)} is not",
                    key_node,
                    path,
                    hint="quote the key",
                )
                continue
            key = str(key_node.value)
            if key in first_seen:
                self.problem(
                    "PP002",
                    f"duplicate key '{key}' (first at line {first_seen[key]})",
                    key_node,
                    (*path, key),
                    hint="remove one of them, or rename it",
                )
                continue
            first_seen[key] = mark_of(key_node)[0]
            self.index.keys[(*path, key)] = mark_of(key_node)
            result[key] = self.build(value_node, (*path, key))
        for key_node, value_node in self.merged_pairs(node, path, depth=0):
            key = str(key_node.value)
            if key not in result:
                self.index.keys[(*path, key)] = mark_of(key_node)
                result[key] = self.build(value_node, (*path, key))
        return result

    def merged_pairs(self, node: MappingNode, path: KeyPath, depth: int) -> list[tuple[Node, Node]]:
        """The text-keyed entries that merge keys (<<) bring into ``node``, in precedence order.

        A mapping's own keys win over merged ones, and an earlier source wins over
        a later one (the YAML 1.1 merge rule); merged mappings may merge in turn.
        """
        pairs: list[tuple[Node, Node]] = []
        if depth > MAX_ALIASES:  # unreachable after the pre-scan's alias cap
            return pairs
        for key_node, value_node in node.value:
            if not _is_merge(key_node):
                continue
            if isinstance(value_node, MappingNode):
                sources = [value_node]
            elif isinstance(value_node, SequenceNode) and all(
                isinstance(item, MappingNode) for item in value_node.value
            ):
                sources = list(value_node.value)
            else:
                self.problem(
                    "PP003",
                    "a merge key (<<) needs a mapping or a list of mappings",
                    value_node,
                    path,
                )
                continue
            for source in sources:
                pairs.extend((k, v) for k, v in source.value if _is_text(k))
                pairs.extend(self.merged_pairs(source, path, depth + 1))
        return pairs


def _is_merge(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == TAG + "merge"


def _is_text(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == TAG + "str"


def mark_of(item: Node | yaml.Event) -> Position:
    mark = item.start_mark
    if mark is None:  # PyYAML always sets it; the stubs allow None
        return 1, 1
    return mark.line + 1, mark.column + 1


def _describe_key(node: Node) -> str:
    if isinstance(node, ScalarNode):
        kind = {
            "int": "the number",
            "float": "the number",
            "bool": "the boolean",
            "null": "null",
        }.get(str(node.tag)[len(TAG) :], "the value")
        return f"{kind} {node.value}".strip() if kind != "null" else "an empty or null key"
    if isinstance(node, SequenceNode):
        return "a list"
    return "a mapping"


def describe_top(value: PlainData) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "text"
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "a boolean"
    return "a number"


def looks_like_hint(text: str) -> str | None:
    """Name the kind of file when a plan is clearly something else."""
    head = text.lstrip()[:512].lower()
    if head.startswith(("<!doctype", "<html", "<?xml", "<")):
        return "this looks like an HTML or XML page, not a plan"
    first = head.split("\n", 1)[0]
    if first.count(",") >= 2 and ": " not in first:
        return "this looks like a CSV file (is this the actuals file?); pass it with --actuals"
    if first.count("\t") >= 2 and ": " not in first:
        return "this looks like tab-separated data (is this the actuals file?)"
    return None
