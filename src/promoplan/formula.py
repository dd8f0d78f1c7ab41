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


@dataclass(frozen=True)
class FormulaProblem:
    """Why a derived metric cannot be evaluated: a syntax error, an unknown name or a cycle."""

    metric: str
    kind: Literal["syntax", "unknown", "cycle", "chain"]
    message: str
    offset: int | None = None
    name: str | None = None  # the unknown name
    cycle: tuple[str, ...] = ()  # the metrics in the cycle (or the chain), from ``metric``


@dataclass(frozen=True)
class MetricOrder:
    """Metrics in an order where each formula comes after the metrics it names."""

    order: tuple[str, ...]  # evaluable metrics only: base ones, then formulas as they resolve
    formulas: Mapping[str, Formula]  # every formula that parsed
    problems: tuple[FormulaProblem, ...]


def metric_order(metrics: Mapping[str, str | None]) -> MetricOrder:
    """Resolve formulas: metric id -> formula text (None for a base metric).

    Metrics whose formula fails to parse, names an unknown metric, lies on a
    cycle or depends on such a metric are left out of ``order``; the first three
    are reported in ``problems`` (one problem per cycle, at its first member).
    So are formulas that depend on more than :data:`MAX_CHAIN` formulas in a row,
    reported at each chain's start (a too-deep metric no other too-deep one uses).
    """
    formulas: dict[str, Formula] = {}
    problems: list[FormulaProblem] = []
    for metric, text in metrics.items():
        if text is None:
            continue
        try:
            formulas[metric] = parse_formula(text)
        except FormulaError as exc:
            problems.append(FormulaProblem(metric, "syntax", exc.message, offset=exc.offset))
    for metric, formula in formulas.items():
        seen: set[str] = set()
        for node in name_nodes(formula.root):
            if node.name not in metrics and node.name not in seen:
                seen.add(node.name)
                problems.append(
                    FormulaProblem(
                        metric,
                        "unknown",
                        f"unknown metric {node.name!r}",
                        offset=node.offset,
                        name=node.name,
                    )
                )
    problems.extend(_cycles(formulas))
    order = _topological(metrics, formulas)
    chains, too_deep = _chains(order, formulas)
    problems.extend(chains)
    order = tuple(metric for metric in order if metric not in too_deep)
    return MetricOrder(order=order, formulas=formulas, problems=tuple(problems))


def _chains(
    order: tuple[str, ...], formulas: Mapping[str, Formula]
) -> tuple[list[FormulaProblem], set[str]]:
    """Formulas more than :data:`MAX_CHAIN` formulas deep, found without recursion.

    ``order`` is topological, so each metric's depth follows from those it names.
    """
    depth: dict[str, int] = {}
    below: dict[str, str | None] = {}  # the deepest formula each one names
    for metric in order:
        formula = formulas.get(metric)
        if formula is None:
            depth[metric] = 0
            continue
        deepest = max(sorted(formula.names), key=lambda name: depth.get(name, 0), default=None)
        depth[metric] = 1 + (depth.get(deepest, 0) if deepest is not None else 0)
        below[metric] = deepest if deepest in formulas else None
    too_deep = {metric for metric, d in depth.items() if d > MAX_CHAIN}
    used = {below[m] for m in too_deep if below.get(m) is not None}
    problems = []
    for start in (m for m in order if m in too_deep and m not in used):
        chain = [start]
        while (nxt := below.get(chain[-1])) is not None:
            chain.append(nxt)
        shown = (
            " -> ".join(chain) if len(chain) <= 6 else " -> ".join([*chain[:3], "...", *chain[-2:]])
        )
        problems.append(
            FormulaProblem(
                start,
                "chain",
                f"formulas chain {depth[start]} deep ({shown}); at most {MAX_CHAIN} formulas "
                "may build on each other",
                cycle=tuple(chain),
            )
        )
    return problems, too_deep


def _dependencies(formula: Formula) -> list[str]:
    """Names in the order written, without repeats (so cycle reports are stable)."""
    return list(dict.fromkeys(node.name for node in name_nodes(formula.root)))


def _cycles(formulas: Mapping[str, Formula]) -> Iterator[FormulaProblem]:
    """Cycles found by an iterative depth-first search: at least one per tangle of formulas."""
    state: dict[str, Literal["open", "done"]] = {}
    reported: set[frozenset[str]] = set()
    for root in formulas:
        if root in state:
            continue
        stack: list[tuple[str, Iterator[str]]] = [(root, iter(_dependencies(formulas[root])))]
        path = [root]
        state[root] = "open"
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                path.pop()
                state[node] = "done"
                continue
            if child not in formulas:
                continue
            if state.get(child) == "open":
                cycle = tuple(path[path.index(child) :])
                key = frozenset(cycle)
                if key not in reported:
                    reported.add(key)
                    shown = " -> ".join([*cycle, cycle[0]])
                    message = (
                        f"formula refers to itself ({shown})"
                        if len(cycle) == 1
                        else f"formulas form a cycle: {shown}"
                    )
                    yield FormulaProblem(cycle[0], "cycle", message, cycle=cycle)
            elif child not in state:
                state[child] = "open"
                path.append(child)
                stack.append((child, iter(_dependencies(formulas[child]))))


def _topological(
    metrics: Mapping[str, str | None], formulas: Mapping[str, Formula]
) -> tuple[str, ...]:
    ready = [metric for metric, text in metrics.items() if text is None]
    resolved = set(ready)
    pending = [metric for metric in metrics if metric in formulas]
    progress = True
    while progress:
        progress = False
        still: list[str] = []
        for metric in pending:
            if formulas[metric].names <= resolved:
                ready.append(metric)
                resolved.add(metric)
                progress = True
            else:
                still.append(metric)
        pending = still
    return tuple(ready)
