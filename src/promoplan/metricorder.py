"""Derived metrics in order: each formula's dependencies, cycles, chains too deep (PP122)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Literal

from promoplan.formula import MAX_CHAIN, Formula, FormulaError, name_nodes, parse_formula


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
