"""``promoplan diff OLD NEW``: what a plan change does, in terms of the plan.

The two sides are loaded plans (the command reads them, from files or git);
they are compared as values (``15%`` and
``0.15`` are the same share, a default written out is no change), including what
the plan implies: each budget line's planned amount and each quarter's dates.
Then the diagnostics that NEW has and OLD had not. A diagnostic is identified by its
code, severity and key path, not its line (lines move) nor its message (a share
sum of 90% that becomes 95% is the same PP101, changed); one without a key path by
its code, severity and message. Exit 1 only when NEW brings an error.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal, TypeAlias, Union

from pydantic import BaseModel

from promoplan.diagnostics import Diagnostic, without_codes
from promoplan.loader import LoadedPlan
from promoplan.model import BudgetLine, Plan
from promoplan.modelnotify import ENV_REFERENCE
from promoplan.planindex import plan_index
from promoplan.quantity import Placeholder, Quantity

Value: TypeAlias = Union[  # noqa: UP007  # a recursive alias: the forward references need Union
    dict[str, "Value"], list["Value"], str, int, float, bool, Quantity, Placeholder
]
Tree = dict[str, Value]
KeyPath = tuple[str, ...]
ChangeKind = Literal["added", "removed", "changed"]

# Keys whose quantities are shares or rates wherever they appear.
_PERCENT_KEYS = frozenset({"share", "weight", "tolerance", "growth", "drop_over", "rise_over"})
_TARGET_KEYS = frozenset({"at_least", "at_most", "baseline"})


@dataclass(frozen=True)
class Change:
    """One difference: its key path, whether it was added, removed or changed, and the values.

    ``unit`` says how to show the numbers (``percent``, ``currency``, a metric's unit),
    or is ``None`` to show them as written.
    """

    path: str
    kind: ChangeKind
    old: Value | None
    new: Value | None
    unit: str | None = None
    line: int | None = None  # where it is in NEW (None for a removal)


@dataclass(frozen=True)
class ChangedDiagnostic:
    """A diagnostic both sides have (same code, severity and key path) whose message changed."""

    old: Diagnostic
    new: Diagnostic


@dataclass(frozen=True)
class PlanDiff:
    """The comparison of two plan versions."""

    old: str
    new: str
    old_loaded: bool
    new_loaded: bool
    currency: str
    changes: tuple[Change, ...]
    diagnostics: tuple[Diagnostic, ...]  # NEW's that OLD did not have
    changed_diagnostics: tuple[ChangedDiagnostic, ...] = ()  # in both, the message changed

    @property
    def new_errors(self) -> int:
        """How many of the new diagnostics are errors."""
        return sum(1 for d in self.diagnostics if d.severity == "error")


# --- plans as comparable trees ---------------------------------------------------------


def _value(item: object) -> Value | None:
    """A model value as tree data; ``None`` and empty collections mean "not there"."""
    if isinstance(item, (Quantity, Placeholder, str, bool, int, float)):
        return item
    if isinstance(item, dt.date):
        return item.isoformat()
    if isinstance(item, BaseModel):
        return _model_tree(item) or None
    if isinstance(item, dict):
        tree = {str(key): value for key, value in ((k, _value(v)) for k, v in item.items())}
        kept = {key: value for key, value in tree.items() if value is not None}
        return kept or None
    if isinstance(item, (list, tuple)):
        values = [_value(v) for v in item]
        kept_list = [value for value in values if value is not None]
        return kept_list or None
    return None


def _model_tree(model: BaseModel) -> Tree:
    tree: Tree = {}
    for name in type(model).model_fields:
        value = _value(getattr(model, name))
        if value is not None:
            tree[name] = value
    return tree


def _planned(line: BudgetLine, total: float | None) -> float | None:
    if isinstance(line.amount, Quantity):
        return line.amount.value
    if total is not None and isinstance(line.share, Quantity):
        return total * line.share.value
    return None


def _add_planned(lines: dict[str, BudgetLine], tree: Value | None, total: float | None) -> None:
    if not isinstance(tree, dict):
        return
    for name, line in lines.items():
        node = tree.get(name)
        if not isinstance(node, dict):
            continue
        planned = _planned(line, total)
        if planned is not None:
            node["planned"] = Quantity(planned)
        _add_planned(line.lines, node.get("lines"), total)


def plan_tree(plan: Plan) -> Tree:
    """The plan as nested plain values, with events keyed by name and implied values added."""
    tree = _model_tree(plan)
    if plan.budget is not None and isinstance(tree.get("budget"), dict):
        budget = tree["budget"]
        assert isinstance(budget, dict)
        total = plan.budget.total.value if isinstance(plan.budget.total, Quantity) else None
        _add_planned(plan.budget.lines, budget.get("lines"), total)
    quarters = tree.setdefault("quarters", {})
    assert isinstance(quarters, dict)
    for ref in plan_index(plan).quarters:
        name, start, end = ref.name, ref.window.start, ref.window.end
        node = quarters.setdefault(name, {})
        assert isinstance(node, dict)
        node["start"] = start.isoformat()
        node["end"] = end.isoformat()
        events = node.get("events")
        if isinstance(events, list):
            node["events"] = _events_by_name(events)
    _mask_notify_literals(tree)
    _mask_source_password(tree)
    return tree


def _event_path(plan: Plan, path: KeyPath) -> tuple[str | int, ...]:
    """``path`` as the file has it: an event keyed by name (``双12``, ``双12 (2)``) is the
    list item at its index, so a change is located at the event, not at ``events:``."""
    if len(path) < 4 or path[0] != "quarters" or path[2] != "events":
        return path
    quarter = next((q for name, q in plan.quarters.items() if name == path[1]), None)
    if quarter is None:
        return path
    seen: Counter[str] = Counter()
    for index, event in enumerate(quarter.events):
        seen[event.name] += 1
        key = event.name if seen[event.name] == 1 else f"{event.name} ({seen[event.name]})"
        if key == path[3]:
            return (*path[:3], index, *path[4:])
    return path


def _mask_source_password(tree: Tree) -> None:
    """A password written in ``actuals.source`` (PP141) is shown as ``***``."""
    actuals = tree.get("actuals")
    source = actuals.get("source") if isinstance(actuals, dict) else None
    if isinstance(actuals, dict) and isinstance(source, str):
        from promoplan.actuals.warehouse.urls import masked  # noqa: PLC0415  # only with a source

        actuals["source"] = masked(source)


def _mask_notify_literals(tree: Tree) -> None:
    """A webhook or secret written out (PP140) is shown as ``***``: a diff is posted for all."""
    entries = tree.get("notify")
    for entry in entries if isinstance(entries, list) else ():
        if not isinstance(entry, dict):
            continue
        for key in ("webhook", "secret"):
            value = entry.get(key)
            if isinstance(value, str) and not ENV_REFERENCE.match(value):
                entry[key] = "***"


def _events_by_name(events: list[Value]) -> Tree:
    """Events keyed by their name, so that adding one is not a change to every later one."""
    keyed: Tree = {}
    seen: Counter[str] = Counter()
    for event in events:
        assert isinstance(event, dict)
        name = str(event.get("name", ""))
        seen[name] += 1
        key = name if seen[name] == 1 else f"{name} ({seen[name]})"
        keyed[key] = {k: v for k, v in event.items() if k != "name"} or {"name": name}
    return keyed


# --- comparing ------------------------------------------------------------------------


def same(old: Value, new: Value) -> bool:
    """Equal as plan values: quantities by value (``15%`` is ``0.15``), recursively."""
    if isinstance(old, Quantity) and isinstance(new, Quantity):
        return math.isclose(old.value, new.value, rel_tol=1e-12, abs_tol=1e-15)
    if isinstance(old, dict) and isinstance(new, dict):
        return old.keys() == new.keys() and all(same(old[k], new[k]) for k in old)
    if isinstance(old, list) and isinstance(new, list):
        return len(old) == len(new) and all(same(a, b) for a, b in zip(old, new, strict=True))
    if isinstance(old, bool) or isinstance(new, bool):
        return type(old) is type(new) and old == new
    if type(old) is not type(new) and not (
        isinstance(old, (int, float)) and isinstance(new, (int, float))
    ):
        return False
    return old == new


def compare(
    old: Tree, new: Tree
) -> Iterator[tuple[KeyPath, ChangeKind, Value | None, Value | None]]:
    """Every difference between two trees, in NEW's key order (a removal where it was in OLD)."""
    yield from _compare(old, new, ())


def _compare(
    old: Tree, new: Tree, path: KeyPath
) -> Iterator[tuple[KeyPath, ChangeKind, Value | None, Value | None]]:
    keys = _merged_order(list(old), list(new))
    for key in keys:
        here = (*path, key)
        if key not in new:
            yield here, "removed", old[key], None
        elif key not in old:
            yield here, "added", None, new[key]
        else:
            before, after = old[key], new[key]
            if isinstance(before, dict) and isinstance(after, dict):
                yield from _compare(before, after, here)
            elif not same(before, after):
                yield here, "changed", before, after


def _merged_order(old: list[str], new: list[str]) -> list[str]:
    """NEW's keys in order, with each key only OLD has placed after the key it followed there."""
    merged = list(new)
    for index, key in enumerate(old):
        if key in new:
            continue
        before = old[:index]
        position = 0
        for earlier in reversed(before):
            if earlier in merged:
                position = merged.index(earlier) + 1
                break
        merged.insert(position, key)
    return merged


def _metric_unit(metric: object, plans: Sequence[Plan]) -> str | None:
    for plan in plans:
        if isinstance(metric, str) and metric in plan.metrics:
            return plan.metrics[metric].unit
    return None


def _lookup(tree: Tree, path: KeyPath) -> Value | None:
    node: Value | None = tree
    for key in path:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


def unit_for(path: KeyPath, trees: Sequence[Tree], plans: Sequence[Plan]) -> str | None:
    """How a value at ``path`` is shown: a share, money, or its metric's unit."""
    key = path[-1]
    if key in _PERCENT_KEYS:
        return "percent"
    if path[0] == "budget" and key in ("total", "amount", "planned"):
        return "currency"
    goal_path: KeyPath | None = None
    if path[0] == "goals" and len(path) == 3:
        goal_path = path[:2]
    elif path[0] == "quarters" and len(path) == 5 and path[2] == "goals":
        goal_path = path[:4]
    if goal_path is not None and key in _TARGET_KEYS:
        metric = next(
            (_lookup(t, (*goal_path, "metric")) for t in trees if _lookup(t, goal_path)), None
        )
        return _metric_unit(metric, plans)
    if path[0] == "alerts" and len(path) >= 3:
        if len(path) == 3 and key in ("below", "above"):
            return _metric_unit(
                next((_lookup(t, (*path[:2], "metric")) for t in trees), None), plans
            )
        if len(path) == 4 and path[2] == "min":
            return _metric_unit(key, plans)
    return None


def _diagnostic_key(diag: Diagnostic) -> tuple[str, str, str | None, str]:
    return (diag.code, diag.severity, diag.path, diag.message)


def _place_key(diag: Diagnostic) -> tuple[str, str, str]:
    """The identity without the message, for a diagnostic that has a key path."""
    return (diag.code, diag.severity, diag.path or "")


def match_diagnostics(
    old: Sequence[Diagnostic], new: Sequence[Diagnostic]
) -> tuple[tuple[Diagnostic, ...], tuple[ChangedDiagnostic, ...]]:
    """NEW's diagnostics that OLD did not have, and those OLD had with another message.

    Identical ones pair first, so that two of one code at one key path pair with their
    own; what is left pairs by code, severity and key path. Each OLD one pairs once.
    """
    before = Counter(_diagnostic_key(d) for d in old)
    unmatched: list[Diagnostic] = []
    for diag in new:
        key = _diagnostic_key(diag)
        if before[key]:
            before[key] -= 1
        else:
            unmatched.append(diag)
    left: dict[tuple[str, str, str], list[Diagnostic]] = {}
    for diag in old:
        key = _diagnostic_key(diag)
        if before[key]:  # not paired above
            before[key] -= 1
            if diag.path is not None:
                left.setdefault(_place_key(diag), []).append(diag)
    found: list[Diagnostic] = []
    changed: list[ChangedDiagnostic] = []
    for diag in unmatched:
        candidates = left.get(_place_key(diag)) if diag.path is not None else None
        if candidates:
            changed.append(ChangedDiagnostic(candidates.pop(0), diag))
        else:
            found.append(diag)
    return tuple(found), tuple(changed)


def diff_plans(old: LoadedPlan, new: LoadedPlan, *, ignore: Sequence[str] = ()) -> PlanDiff:
    """Compare two loaded plans."""
    changes: list[Change] = []
    if old.plan is not None and new.plan is not None:
        plans = (new.plan, old.plan)
        trees = (plan_tree(new.plan), plan_tree(old.plan))
        if new.plan.span == old.plan.span:  # period: 2025 is {start: 2025-01-01, end: ...}
            trees[0]["period"] = trees[1]["period"]
        for path, kind, before, after in compare(trees[1], trees[0]):
            line = None if kind == "removed" else new.locate(_event_path(new.plan, path))[0]
            changes.append(
                Change(".".join(path), kind, before, after, unit_for(path, trees, plans), line)
            )
    currency = next((p.currency for p in (new.plan, old.plan) if p is not None), "CNY")
    found, changed = match_diagnostics(
        without_codes(old.diagnostics, ignore), without_codes(new.diagnostics, ignore)
    )
    return PlanDiff(
        old=old.file,
        new=new.file,
        old_loaded=old.plan is not None,
        new_loaded=new.plan is not None,
        currency=currency,
        changes=tuple(changes),
        diagnostics=found,
        changed_diagnostics=changed,
    )
