"""``promoplan diff OLD NEW``: what a plan change does, in terms of the plan.

Each side is a file, or ``REV:path`` read with ``git show``. Both are loaded
like ``validate`` loads them; the two plans are compared as values (``15%`` and
``0.15`` are the same share, a default written out is no change), including what
the plan implies: each budget line's planned amount and each quarter's dates.
Then the diagnostics that NEW has and OLD had not (by code, key path and
message, so that moved lines do not count). Exit 1 only when NEW brings an error.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeAlias, Union

from pydantic import BaseModel
from typing_extensions import assert_never

from promoplan.diagnostics import Diagnostic, without_codes
from promoplan.errors import UsageProblem
from promoplan.loader import LoadedPlan, load_plan
from promoplan.model import BudgetLine, Plan
from promoplan.quantity import Placeholder, Quantity
from promoplan.render.text import (
    format_amount,
    format_value,
    neutralise_workflow_commands,
    one_line,
)

DiffFormat = Literal["table", "markdown", "json"]
DIFF_FORMATS: tuple[DiffFormat, ...] = ("table", "markdown", "json")

Value: TypeAlias = Union[  # noqa: UP007  # a recursive alias: the forward references need Union
    dict[str, "Value"], list["Value"], str, int, float, bool, Quantity, Placeholder
]
Tree = dict[str, Value]
KeyPath = tuple[str, ...]
ChangeKind = Literal["added", "removed", "changed"]

# REV:path, but not a Windows drive path such as C:\plans\x.yaml or C:/plans/x.yaml.
_REV_PATH = re.compile(r"^(?P<rev>[^:]*):(?P<path>.+)$", re.DOTALL)
_DRIVE_PATH = re.compile(r"^[A-Za-z]:[\\/]")
GIT_TIMEOUT_SECONDS = 60

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
class PlanDiff:
    """The comparison of two plan versions."""

    old: str
    new: str
    old_loaded: bool
    new_loaded: bool
    currency: str
    changes: tuple[Change, ...]
    diagnostics: tuple[Diagnostic, ...]  # NEW's that OLD did not have

    @property
    def new_errors(self) -> int:
        """How many of the new diagnostics are errors."""
        return sum(1 for d in self.diagnostics if d.severity == "error")


# --- reading the two sides -------------------------------------------------------------


def load_side(spec: str) -> LoadedPlan:
    """Load a plan named as a file, or as ``REV:path`` from git when no such file exists."""
    path = Path(spec)
    match = _REV_PATH.match(spec)
    if path.exists() or match is None or _DRIVE_PATH.match(spec):
        return load_plan(path)
    data = git_show(match["rev"], match["path"], spec)
    return load_plan(Path(match["path"]), display=spec, data=data)


def git_show(rev: str, path: str, spec: str) -> bytes:
    """The bytes of ``rev:path`` from ``git show``; ``UsageProblem`` when git cannot give them."""
    if rev.startswith("-"):
        raise UsageProblem(f"{spec}: a revision cannot start with '-'")
    try:
        done = subprocess.run(
            ["git", "show", "--no-textconv", f"{rev}:{path}"],
            capture_output=True,
            check=False,
            timeout=GIT_TIMEOUT_SECONDS,
        )
    except FileNotFoundError:
        raise UsageProblem(
            f"{spec}: no such file, and git is not installed to read it as REV:path; "
            "give both plans as files"
        ) from None
    except (OSError, subprocess.SubprocessError) as exc:
        raise UsageProblem(f"{spec}: could not run git show ({exc})") from None
    if done.returncode != 0:
        lines = done.stderr.decode("utf-8", errors="replace").strip().splitlines()
        reason = one_line(lines[0]) if lines else f"exit status {done.returncode}"
        raise UsageProblem(
            f"{spec}: no such file, and git show cannot read it ({reason}); "
            "check the revision and the path (relative to the repository root)"
        )
    if done.stdout.startswith(f"tree {rev}:{path}\n\n".encode()):
        raise UsageProblem(f"{spec}: is a directory in git; name a plan file")
    return done.stdout


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
    for name, (start, end) in plan.quarter_spans().items():
        node = quarters.setdefault(name, {})
        assert isinstance(node, dict)
        node["start"] = start.isoformat()
        node["end"] = end.isoformat()
        events = node.get("events")
        if isinstance(events, list):
            node["events"] = _events_by_name(events)
    return tree


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


def _diagnostic_key(diag: Diagnostic) -> tuple[str, str, str]:
    return (diag.code, diag.path or "", diag.message)


def new_diagnostics(old: Sequence[Diagnostic], new: Sequence[Diagnostic]) -> tuple[Diagnostic, ...]:
    """NEW's diagnostics that OLD did not have, as many times as NEW has more of them."""
    before = Counter(_diagnostic_key(d) for d in old)
    found: list[Diagnostic] = []
    for diag in new:
        key = _diagnostic_key(diag)
        if before[key]:
            before[key] -= 1
        else:
            found.append(diag)
    return tuple(found)


def diff_plans(old: LoadedPlan, new: LoadedPlan, *, ignore: Sequence[str] = ()) -> PlanDiff:
    """Compare two loaded plans."""
    changes: list[Change] = []
    if old.plan is not None and new.plan is not None:
        plans = (new.plan, old.plan)
        trees = (plan_tree(new.plan), plan_tree(old.plan))
        for path, kind, before, after in compare(trees[1], trees[0]):
            line = None if kind == "removed" else new.locate(path)[0]
            changes.append(
                Change(".".join(path), kind, before, after, unit_for(path, trees, plans), line)
            )
    currency = next((p.currency for p in (new.plan, old.plan) if p is not None), "CNY")
    return PlanDiff(
        old=old.file,
        new=new.file,
        old_loaded=old.plan is not None,
        new_loaded=new.plan is not None,
        currency=currency,
        changes=tuple(changes),
        diagnostics=new_diagnostics(
            without_codes(old.diagnostics, ignore), without_codes(new.diagnostics, ignore)
        ),
    )


# --- showing values -------------------------------------------------------------------


def _number(value: float) -> str:
    text = f"{value:,.6g}" if abs(value) < 1e15 else f"{value:.6g}"
    return text


def show_value(  # noqa: PLR0911  # one return per kind of value
    value: Value | None, unit: str | None = None, currency: str = "CNY"
) -> str:
    """A value for a person: ``15%``, ``1:3``, ``¥2,000万``, ``{metric: nps, at_least: 45}``."""
    if value is None:
        return ""
    if isinstance(value, Placeholder):
        return value.text
    if isinstance(value, Quantity):
        return _show_quantity(value, unit, currency)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        inner = ", ".join(
            f"{key}: {show_value(item, None, currency)}" for key, item in value.items()
        )
        return "{" + inner + "}"
    if isinstance(value, list):
        return "[" + ", ".join(show_value(item, None, currency) for item in value) + "]"
    if isinstance(value, float):
        return _number(value)
    return str(value)


def _show_quantity(quantity: Quantity, unit: str | None, currency: str) -> str:
    value = quantity.value
    if quantity.kind == "ratio" or unit == "ratio":
        return f"1:{_number(value)}"
    if unit == "percent" or (unit is None and quantity.kind == "percent"):
        return f"{_number(value * 100)}%"
    if unit == "currency":
        return format_value(value, "currency", currency=currency)
    if abs(value) >= 1e4:
        return format_amount(value)
    return _number(value)


# --- the command ----------------------------------------------------------------------


def run_diff(
    old: str,
    new: str,
    *,
    fmt: str,
    output: Path | None,
    ignore: Sequence[str] = (),
    color: bool = False,
) -> int:
    """Compare OLD and NEW, print the result in ``fmt``, and return the exit status."""
    from promoplan.output import emit  # noqa: PLC0415  # only the command writes

    if fmt not in DIFF_FORMATS:
        raise UsageProblem(
            f"unknown format {fmt!r} for diff; choose one of: {', '.join(DIFF_FORMATS)}"
        )
    result = diff_plans(load_side(old), load_side(new), ignore=ignore)
    width = 100
    if output is None and sys.stdout.isatty():
        width = max(60, shutil.get_terminal_size((100, 24)).columns)
    text = neutralise_workflow_commands(render_diff(fmt, result, color=color, width=width), fmt)
    emit(text, output)
    return 1 if result.new_errors else 0


def render_diff(fmt: DiffFormat, result: PlanDiff, *, color: bool = False, width: int = 100) -> str:
    """Render a plan diff in one of :data:`DIFF_FORMATS`."""
    match fmt:
        case "json":
            from promoplan.render.diff_json import render_diff_json  # noqa: PLC0415  # lazy

            return render_diff_json(result)
        case "markdown":
            from promoplan.render.diff_markdown import render_diff_markdown  # noqa: PLC0415

            return render_diff_markdown(result)
        case "table":
            from promoplan.render.diff_table import render_diff_table  # noqa: PLC0415  # rich

            return render_diff_table(result, color=color, width=width)
        case _:
            assert_never(fmt)
