"""The semantic checks of a plan that did not validate, on what of it does.

SPEC: diagnostics are collected, not raised one by one. A plan whose goals hold
``at_most: 18 percent`` (PP004) and whose budget shares sum to 105% (PP101)
has two problems, and CI should hear of both in one round. So when the plan
fails the schema (or YAML found a duplicate key), the entries that failed are
set aside, one step up at a time, until the rest validates; the semantic checks
run on that rest, and only the findings that cannot depend on what was set
aside are kept:

- a finding inside a section that lost an entry is dropped (a budget missing
  a line would sum short of 100%: a PP101 that is not in the file);
- with an entry of ``metrics`` set aside, every finding that reads metrics is
  dropped too (an unknown metric, a unit, a formula), and with one of
  ``budget``, ``actuals`` or ``channels``, those that read them;
- an unknown key at the top level (``goal:`` for ``goals:``) sets nothing aside
  but itself; any other top-level value that fails (``period``, ``currency``)
  stops the semantic checks, since every section reads it.

The plan itself stays invalid: ``check`` and ``report`` still stop on its errors.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from promoplan.diagnostics import Diagnostic, plan_ignorable, without_codes
from promoplan.model import Plan
from promoplan.yamlsafe import PositionIndex

# Top-level sections made of entries, which can lose one and keep the rest.
_SECTIONS = frozenset(
    {"metrics", "goals", "budget", "channels", "quarters", "alerts", "report", "notify", "ignore"}
)
# What a finding reads beyond its own section, by code.
_READS_METRICS = frozenset(
    {"PP004", "PP121", "PP122", "PP123", "PP124", "PP125", "PP127", "PP128", "PP131"}
)
_READS: dict[str, frozenset[str]] = {
    "metrics": _READS_METRICS,
    "budget": frozenset({"PP104", "PP121"}),  # channels' lines, budget.spend_metric
    "channels": frozenset({"PP101", "PP102", "PP103", "PP104", "PP131"}),
    "actuals": frozenset({"PP125", "PP127", "PP128", "PP131", "PP141"}),
    "ignore": frozenset({"PP126", "PP129"}),
}
_ROUNDS = 12  # set-aside steps before giving up (each climbs one level or more)

Path = tuple[str | int, ...]


def after_schema_errors(
    data: object, error: ValidationError, positions: PositionIndex
) -> list[Diagnostic]:
    """The semantic findings of a plan that failed the schema, on what of it validates."""
    failed = [_walk(data, tuple(e["loc"])) for e in error.errors(include_url=False)]
    return _checks(data, failed, set(), positions)


def after_duplicates(
    data: object, problems: Sequence[Diagnostic], positions: PositionIndex, *, file: str
) -> list[Diagnostic]:
    """Schema and semantic findings of a plan whose YAML held duplicate keys (PP002).

    The data holds each key's first value; the sections with a duplicate are
    taken as unreliable (which value was meant?). Nothing when another YAML
    problem stopped the load, or a duplicate is a value every section reads.
    """
    if not isinstance(data, dict) or any(p.code != "PP002" or not p.path for p in problems):
        return []
    tainted = {_section(p.path) for p in problems}
    if not tainted <= _SECTIONS:
        return []
    try:
        Plan.model_validate(data)
    except ValidationError as error:
        from promoplan.schema_errors import schema_diagnostics  # noqa: PLC0415  # errors only

        found = schema_diagnostics(error, data, positions, file=file)
        failed = [_walk(data, tuple(e["loc"])) for e in error.errors(include_url=False)]
        return [*found, *_checks(data, failed, tainted, positions)]
    return _checks(data, [], tainted, positions)


def _checks(
    data: object, failed: Sequence[Path], tainted: set[str], positions: PositionIndex
) -> list[Diagnostic]:
    """The semantic findings of ``data`` with the entries at ``failed`` set aside, less
    those that may come of what was set aside (or of the ``tainted`` sections)."""
    from promoplan.checks import check_plan  # noqa: PLC0415  # as the loader does

    if not isinstance(data, dict):
        return []
    kept: Any = copy.deepcopy(data)
    pending = list(failed)
    for _ in range(_ROUNDS):
        for path in pending:
            if not _set_aside(kept, path, tainted):
                return []
        try:
            plan = Plan.model_validate(kept)
        except ValidationError as error:
            pending = [_walk(kept, tuple(e["loc"])) for e in error.errors(include_url=False)]
            continue
        found = check_plan(plan, positions.locate, positions.locate_key)
        found = list(without_codes(found, plan_ignorable(plan.ignore)))
        return [d for d in found if not _depends(d, tainted)]
    return []


def _section(path: str | None) -> str:
    """The top-level key of a dotted key path (``budget.lines.x`` -> ``budget``)."""
    return (path or "").split(".", 1)[0].split("[", 1)[0]


def _walk(data: object, loc: Sequence[Any]) -> Path:
    """The deepest part of ``loc`` that is in ``data`` (a union member's name, a key a
    validator added or a missing key is not)."""
    path: list[str | int] = []
    current: Any = data
    for part in loc:
        if not _has(current, part):
            break
        current = current[part]
        path.append(part)
    return tuple(path)


def _has(container: Any, part: Any) -> bool:
    if isinstance(container, dict):
        return isinstance(part, str) and part in container
    if isinstance(container, list):
        return isinstance(part, int) and 0 <= part < len(container)
    return False


def _set_aside(data: dict[str, Any], path: Path, tainted: set[str]) -> bool:
    """Remove the entry at ``path`` (a list's whole key, so that no index moves);
    False when that would take a value every section reads."""
    path = _walk(data, path)
    while path and isinstance(path[-1], int):
        path = path[:-1]
    if not path:
        return False
    if len(path) == 1:
        if path[0] not in _SECTIONS and path[0] in Plan.model_fields:
            return False  # period, currency, tolerance ...: everything reads them
        if path[0] in Plan.model_fields:
            tainted.add(str(path[0]))
        data.pop(str(path[0]), None)
        return True
    tainted.add(str(path[0]))
    parent: Any = data
    for part in path[:-1]:
        parent = parent[part]
    if isinstance(parent, dict):
        parent.pop(path[-1], None)
    return True


def _depends(found: Diagnostic, tainted: set[str]) -> bool:
    """Whether ``found`` may come of what was set aside."""
    if _section(found.path) in tainted or (not found.path and tainted):
        return True
    return any(found.code in _READS.get(name, frozenset()) for name in tainted)
