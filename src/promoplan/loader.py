"""``load_plan``: a plan file to a validated :class:`~promoplan.model.Plan` and its diagnostics.

The one place that reads a plan file. YAML problems, schema problems and the
semantic checks all come back as diagnostics; only "could not read the file
at all" is an exception (:class:`~promoplan.errors.UsageProblem`, exit 2).
"""

from __future__ import annotations

import errno
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from promoplan.checks import check_plan
from promoplan.diagnostics import Diagnostic, Locate, plan_ignorable, stopped_by, without_codes
from promoplan.errors import UsageProblem
from promoplan.model import Plan
from promoplan.output import note_input
from promoplan.result import PlanResult
from promoplan.vocabulary import default_units
from promoplan.yamlsafe import MAX_BYTES, PositionIndex, load_yaml


@dataclass(frozen=True)
class LoadedPlan:
    """A plan file as loaded: the plan when it is valid enough to use, and every finding."""

    file: str
    plan: Plan | None
    diagnostics: tuple[Diagnostic, ...]
    locate: Locate


def load_plan(path: Path, *, display: str | None = None, data: bytes | None = None) -> LoadedPlan:
    """Read, parse, validate and check one plan; ``display`` is the name shown in diagnostics."""
    file = display if display is not None else str(path)
    size: int | None = None
    if data is None:
        data = read_plan_bytes(path, file)
        if len(data) > MAX_BYTES:
            size = _size_of(path)
    loaded = load_yaml(data, file, size=size)
    positions = loaded.positions
    if not loaded.ok:
        # Only a plan with problems needs the code that finds the rest of them.
        from promoplan.partial import after_duplicates  # noqa: PLC0415

        found = [
            *loaded.diagnostics,
            *after_duplicates(loaded.data, loaded.diagnostics, positions, file=file),
        ]
        return _done(file, None, found, positions)
    try:
        plan = Plan.model_validate(loaded.data)
    except ValidationError as error:
        # Only a plan with schema errors needs the code that explains them.
        from promoplan.partial import after_schema_errors  # noqa: PLC0415
        from promoplan.schema_errors import schema_diagnostics  # noqa: PLC0415

        found = [
            *loaded.notes,
            *schema_diagnostics(error, loaded.data, positions, file=file),
            *after_schema_errors(loaded.data, error, positions),
        ]
        return _done(file, None, found, positions)
    found = [*loaded.notes, *check_plan(plan, positions.locate, positions.locate_key)]
    found = list(without_codes(found, plan_ignorable(plan.ignore)))
    return _done(file, plan, found, positions)


def read_plan_bytes(path: Path, file: str) -> bytes:
    """The file's bytes, at most one byte past the size cap; ``UsageProblem`` when unreadable."""
    try:
        with path.open("rb") as handle:
            note_input(path)  # --output may not name it
            return handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise UsageProblem(f"{file}: no such file; check the path to the plan") from None
    except IsADirectoryError:
        raise UsageProblem(
            f"{file}: is a directory; name a plan file (validate also takes a directory)"
        ) from None
    except PermissionError:
        raise UsageProblem(f"{file}: permission denied; make the file readable") from None
    except OSError as exc:
        if exc.errno == errno.EISDIR:
            raise UsageProblem(f"{file}: is a directory; name a plan file") from None
        reason = exc.strerror or type(exc).__name__
        raise UsageProblem(f"{file}: cannot read the plan ({reason}); check the path") from None


def _size_of(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except OSError:
        return None


def _done(
    file: str, plan: Plan | None, found: Iterable[Diagnostic], positions: PositionIndex
) -> LoadedPlan:
    located = sorted((d.located(file) for d in found), key=Diagnostic.sort_key)
    return LoadedPlan(file=file, plan=plan, diagnostics=tuple(located), locate=positions.locate)


def unevaluated(
    loaded: LoadedPlan,
    diagnostics: Sequence[Diagnostic] | None = None,
    ignore: Sequence[str] = (),
    *,
    plan_ignores: bool = False,
    stopped: bool = False,
) -> PlanResult:
    """The result of a plan that is not evaluated: its name, period and diagnostics.

    ``diagnostics`` defaults to the plan's own; ``plan_ignores`` also applies the
    plan's ``ignore:`` (as check does once it has read actuals). ``stopped``: errors
    stopped a run that meant to evaluate (``check``), and are kept, ignored or not.
    """
    plan = loaded.plan
    codes = [*ignore, *(plan_ignorable(plan.ignore) if plan is not None and plan_ignores else ())]
    found = loaded.diagnostics if diagnostics is None else tuple(diagnostics)
    return PlanResult(
        file=loaded.file,
        name=plan.name if plan else None,
        period=plan.span if plan else None,
        currency=plan.currency if plan else "CNY",
        units=(plan.units or default_units(plan.currency)) if plan else "cn",
        diagnostics=stopped_by(found, codes) if stopped else without_codes(found, codes),
    )
