"""``promoplan validate``: load each plan and collect its diagnostics."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from promoplan.diagnostics import without_codes
from promoplan.errors import UsageProblem
from promoplan.loader import LoadedPlan, load_plan
from promoplan.result import PlanResult, Run

PLAN_SUFFIXES = (".yaml", ".yml")


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files as given; directories become every ``*.yaml``/``*.yml`` below them, sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            below = sorted(
                p for p in path.rglob("*") if p.suffix.lower() in PLAN_SUFFIXES and p.is_file()
            )
            if not below:
                raise UsageProblem(f"{path}: no *.yaml or *.yml files in this directory")
            found.extend(_inside(path, p) for p in below)
        elif path.exists():
            found.append(path)
        else:
            raise UsageProblem(f"{path}: no such file or directory")
    return found


def _inside(directory: Path, path: Path) -> Path:
    """``path``, found below ``directory``; a symlink out of it is a usage problem.

    A pull request can add ``plans/x.yaml -> ~/.ssh/config``: validating ``plans/``
    must not read, and quote in its diagnostics, a file outside ``plans/``.
    """
    if not path.resolve().is_relative_to(directory.resolve()):
        raise UsageProblem(
            f"{path}: is a link to a file outside {directory}; "
            "name it on the command line to validate it"
        )
    return path


def plan_result(loaded: LoadedPlan, ignore: Sequence[str] = ()) -> PlanResult:
    """The validate-only result of one loaded plan."""
    plan = loaded.plan
    return PlanResult(
        file=loaded.file,
        name=plan.name if plan else None,
        period=plan.span if plan else None,
        currency=plan.currency if plan else "CNY",
        diagnostics=without_codes(loaded.diagnostics, ignore),
    )


def validate_paths(paths: Iterable[Path], *, ignore: Sequence[str] = ()) -> Run:
    """Validate every plan named by ``paths``."""
    return Run(
        command="validate",
        plans=tuple(plan_result(load_plan(path), ignore) for path in expand_paths(paths)),
    )
