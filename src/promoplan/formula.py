"""promoplan's own grammar for derived metrics (SPEC section 3).

A formula is names, numbers, ``+ - * /``, unary minus and parentheses, nothing
else::

    expr    := term (("+" | "-") term)*
    term    := factor (("*" | "/") factor)*
    factor  := "-" factor | primary
    primary := NAME | NUMBER | "(" expr ")"

Plan files are untrusted, so the text is read by a hand-written tokenizer and
recursive-descent parser with caps on length and nesting; nothing is ever
evaluated by Python. Chains such as ``a + b + c`` are kept flat (one node with
a list of operands), so the tree's depth is bounded by the nesting cap alone.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Context, Decimal, DivisionByZero, InvalidOperation, Overflow
from typing import Literal

MAX_LENGTH = 1000
MAX_DEPTH = 32
# Formulas over formulas: evaluation follows the chain recursively, so its length is bounded.
MAX_CHAIN = 32

_TOKEN_RE = re.compile(
    r"(?P<space>\s+)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<number>(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)"
    r"|(?P<op>[-+*/()])"
)
# Decimal arithmetic wide enough that sums of money never round, and errors are
# signalled (then turned into "no value") instead of producing NaN or infinity.
_CONTEXT = Context(
    prec=34, Emax=999_999, Emin=-999_999, traps=[InvalidOperation, DivisionByZero, Overflow]
)

Sign = Literal["+", "-"]
Op = Literal["*", "/"]


class FormulaError(ValueError):
    """A formula that does not parse; ``offset`` is the 0-based character position."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset

    def __str__(self) -> str:
        return f"{self.message} (at character {self.offset + 1})"


@dataclass(frozen=True)
class Name:
    """A reference to another metric."""

    name: str
    offset: int


@dataclass(frozen=True)
class Number:
    """A literal number."""

    value: Decimal


@dataclass(frozen=True)
class Negate:
    """Unary minus."""

    operand: Node


@dataclass(frozen=True)
class Sum:
    """``first`` followed by ``+ x`` / ``- x`` terms."""

    first: Node
    rest: tuple[tuple[Sign, Node], ...]


@dataclass(frozen=True)
class Product:
    """``first`` followed by ``* x`` / ``/ x`` factors."""

    first: Node
    rest: tuple[tuple[Op, Node], ...]


Node = Name | Number | Negate | Sum | Product


@dataclass(frozen=True)
class Formula:
    """A parsed formula: its text, its tree and the metric names it reads."""

    text: str
    root: Node = field(repr=False)
    names: frozenset[str]


@dataclass(frozen=True)
class _Token:
    kind: Literal["name", "number", "op", "end"]
    text: str
    offset: int


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN_RE.match(text, position)
        if match is None:
            char = text[position]
            shown = char if char.isprintable() else f"U+{ord(char):04X}"
            raise FormulaError(
                f"unexpected character {shown!r}: a formula has only names, numbers, "
                "+ - * / and parentheses",
                position,
            )
        kind = match.lastgroup
        if kind != "space":
            tokens.append(_Token(kind, match.group(), position))  # type: ignore[arg-type]  # the regex groups are the token kinds
        position = match.end()
    tokens.append(_Token("end", "", len(text)))
    return tokens


class _Parser:
    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.index = 0
        self.depth = 0

    @property
    def current(self) -> _Token:
        return self.tokens[self.index]

    def advance(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def descend(self, offset: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FormulaError(f"formula nests deeper than {MAX_DEPTH} levels", offset)

    def expression(self) -> Node:
        first = self.term()
        rest: list[tuple[Sign, Node]] = []
        while self.current.kind == "op" and self.current.text in "+-":
            sign: Sign = "+" if self.advance().text == "+" else "-"
            rest.append((sign, self.term()))
        return Sum(first, tuple(rest)) if rest else first

    def term(self) -> Node:
        first = self.factor()
        rest: list[tuple[Op, Node]] = []
        while self.current.kind == "op" and self.current.text in "*/":
            op: Op = "*" if self.advance().text == "*" else "/"
            rest.append((op, self.factor()))
        return Product(first, tuple(rest)) if rest else first

    def factor(self) -> Node:
        token = self.current
        if token.kind == "op" and token.text == "-":
            self.advance()
            self.descend(token.offset)
            operand = self.factor()
            self.depth -= 1
            return Negate(operand)
        return self.primary()

    def primary(self) -> Node:
        token = self.advance()
        if token.kind == "name":
            return Name(token.text, token.offset)
        if token.kind == "number":
            return Number(Decimal(token.text))
        if token.kind == "op" and token.text == "(":
            self.descend(token.offset)
            inner = self.expression()
            closing = self.advance()
            if closing.kind != "op" or closing.text != ")":
                raise FormulaError(
                    f"expected ')' to close the '(' at character {token.offset + 1}, "
                    f"got {_describe(closing)}",
                    closing.offset,
                )
            self.depth -= 1
            return inner
        raise FormulaError(
            f"expected a name, a number or '(', got {_describe(token)}", token.offset
        )


def _describe(token: _Token) -> str:
    return "the end of the formula" if token.kind == "end" else repr(token.text)


def parse_formula(text: str) -> Formula:
    """Parse a derived metric's formula; raise :class:`FormulaError` with the offending offset."""
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"formula is longer than {MAX_LENGTH} characters", MAX_LENGTH)
    if not text.strip():
        raise FormulaError("formula is empty", 0)
    parser = _Parser(_tokenize(text))
    root = parser.expression()
    if parser.current.kind != "end":
        token = parser.current
        raise FormulaError(
            f"expected an operator or the end of the formula, got {_describe(token)}", token.offset
        )
    return Formula(text=text, root=root, names=frozenset(n.name for n in name_nodes(root)))


def name_nodes(node: Node) -> Iterator[Name]:
    """Every name in the tree, in the order written (with its offset, for messages)."""
    if isinstance(node, Name):
        yield node
    elif isinstance(node, Negate):
        yield from name_nodes(node.operand)
    elif isinstance(node, (Sum, Product)):
        yield from name_nodes(node.first)
        for _, operand in node.rest:
            yield from name_nodes(operand)


def evaluate_formula(
    formula: Formula, values: Mapping[str, Decimal | float | None]
) -> float | None:
    """The formula's value; None when a name has no value or a division is by zero."""
    try:
        result = _evaluate(formula.root, values)
    except (InvalidOperation, DivisionByZero, Overflow):
        return None
    if result is None:
        return None
    number = float(result)
    return number if math.isfinite(number) else None


def _evaluate(  # noqa: PLR0911  # one return per node kind and per missing value
    node: Node, values: Mapping[str, Decimal | float | None]
) -> Decimal | None:
    if isinstance(node, Name):
        raw = values.get(node.name)
        if raw is None:
            return None
        value = raw if isinstance(raw, Decimal) else Decimal(raw)
        return value if value.is_finite() else None
    if isinstance(node, Number):
        return node.value
    if isinstance(node, Negate):
        operand = _evaluate(node.operand, values)
        return None if operand is None else _CONTEXT.minus(operand)
    total = _evaluate(node.first, values)
    if total is None:
        return None
    for op, operand_node in node.rest:
        operand = _evaluate(operand_node, values)
        if operand is None:
            return None
        if op == "+":
            total = _CONTEXT.add(total, operand)
        elif op == "-":
            total = _CONTEXT.subtract(total, operand)
        elif op == "*":
            total = _CONTEXT.multiply(total, operand)
        else:
            if operand.is_zero():
                return None
            total = _CONTEXT.divide(total, operand)
    return total


def is_additive(formula: Formula) -> bool:
    """True when the formula only adds and subtracts names (``gmv - refunds``).

    Such a derived metric is cumulative when the metrics it names are (SPEC section 5).
    """
    return _additive(formula.root)


def _additive(node: Node) -> bool:
    if isinstance(node, Name):
        return True
    if isinstance(node, Negate):
        return _additive(node.operand)
    if isinstance(node, Sum):
        return _additive(node.first) and all(_additive(operand) for _, operand in node.rest)
    return False
