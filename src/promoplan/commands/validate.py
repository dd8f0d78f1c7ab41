"""``promoplan validate``: load each plan and collect its diagnostics."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from promoplan.errors import UsageProblem
from promoplan.loader import load_plan, unevaluated
from promoplan.result import Run
from promoplan.vocabulary import TEST_FILE_SUFFIXES

PLAN_SUFFIXES = (".yaml", ".yml")


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files as given; directories become every ``*.yaml``/``*.yml`` below them, sorted.

    Below a directory, ``*.test.yaml`` files are test files, not plans, and are skipped.
    Each file is listed once, where it is first named (``a.yaml . ./a.yaml`` is one
    plan): otherwise SARIF holds its results twice and JUnit two suites of one name.
    """
    found: dict[Path, Path] = {}  # resolved path -> the path as first named
    for path in paths:
        if path.is_dir():
            below = _plans_below(path)
            if not below and not os.access(path, os.R_OK | os.X_OK):
                raise UsageProblem(f"{path}: permission denied; make the directory readable")
            if not below:
                raise UsageProblem(
                    f"{path}: no *.yaml or *.yml files in this directory "
                    "(test files, *.test.yaml, are not plans)"
                )
            named = [_inside(path, p) for p in below]
        elif path.exists():
            named = [path]
        else:
            raise UsageProblem(f"{path}: no such file or directory")
        for plan in named:
            found.setdefault(plan.resolve(), plan)
    return list(found.values())


def _plans_below(directory: Path) -> list[Path]:
    """The plan files below ``directory``, sorted, leaving out hidden names.

    A directory or file whose name starts with ``.`` (``.git/``, ``.github/``,
    ``.pre-commit-config.yaml``) holds a repository's machinery, not its plans:
    ``validate .`` at a repository's root must not read git's internals as plans.
    Hidden directories are not even walked. A hidden file named on the command line
    is read.
    """
    found: list[Path] = []
    for root, directories, files in os.walk(directory):
        directories[:] = [name for name in directories if not name.startswith(".")]
        found.extend(
            Path(root, name)
            for name in files
            if not name.startswith(".")
            and Path(name).suffix.lower() in PLAN_SUFFIXES
            and not name.lower().endswith(TEST_FILE_SUFFIXES)
            and Path(root, name).is_file()
        )
    return sorted(found)


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


def validate_paths(paths: Iterable[Path], *, ignore: Sequence[str] = ()) -> Run:
    """Validate every plan named by ``paths``."""
    return Run(
        command="validate",
        plans=tuple(unevaluated(load_plan(path), ignore=ignore) for path in expand_paths(paths)),
    )
