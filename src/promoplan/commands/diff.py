"""``promoplan diff OLD NEW``: read both plan versions and compare them.

Each side is a file, or ``REV:path`` read with ``git show``. Both are loaded like
``validate`` loads them; :func:`promoplan.diff.diff_plans` compares them.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Sequence
from pathlib import Path

from promoplan.diff import PlanDiff, diff_plans
from promoplan.errors import UsageProblem
from promoplan.loader import LoadedPlan, load_plan
from promoplan.render.text import one_line

# REV:path, but not a Windows drive path such as C:\plans\x.yaml or C:/plans/x.yaml.
_REV_PATH = re.compile(r"^(?P<rev>[^:]*):(?P<path>.+)$", re.DOTALL)
_DRIVE_PATH = re.compile(r"^[A-Za-z]:[\\/]")
GIT_TIMEOUT_SECONDS = 60


def run_diff(old: str, new: str, *, ignore: Sequence[str] = ()) -> PlanDiff:
    """Compare OLD and NEW (files or ``REV:path``)."""
    return diff_plans(load_side(old), load_side(new), ignore=ignore)


def diff_exit_status(result: PlanDiff) -> int:
    """1 only when NEW has an error that OLD did not."""
    return 1 if result.new_errors else 0


def load_side(spec: str) -> LoadedPlan:
    """Load a plan named as a file, or as ``REV:path`` from git when no such file exists."""
    if not spec.strip():  # Path("") would be the current directory
        raise UsageProblem(f"{spec!r} is empty (an unset variable?); name a plan file or REV:path")
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
