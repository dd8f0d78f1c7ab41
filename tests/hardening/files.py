"""The hardening corpus folder, the files a failing run must not touch, and real processes
running promoplan (``python -m promoplan``, or code of a test's own before its entry point)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

CASES = Path(__file__).parent / "cases"
KNOWN_BYTES = b"previous report: these bytes must survive a failing run\n"
KNOWN_MODE = 0o640


def existing_output(directory: Path, name: str = "previous.out") -> Path:
    """A file with known bytes and mode, standing for last week's report."""
    path = directory / name
    path.write_bytes(KNOWN_BYTES)
    path.chmod(KNOWN_MODE)
    return path


def assert_untouched(path: Path, others: Sequence[str] = ()) -> None:
    """``path`` still holds the known bytes and mode; no temporary file was left beside it."""
    assert path.read_bytes() == KNOWN_BYTES
    assert stat.S_IMODE(path.stat().st_mode) == KNOWN_MODE
    left = sorted(
        name
        for name in os.listdir(path.parent)
        if name != path.name and name not in others and not name.endswith(".lock")
    )
    assert not [n for n in left if n.startswith(".") or n.endswith(".tmp")], left


def run_process(
    args: Sequence[object],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 120,
    **popen: Any,
) -> subprocess.CompletedProcess[bytes]:
    """Run ``python -m promoplan ARGS`` in a real process (its own signals, streams, limits).

    ``env`` is added to this process's environment; ``popen`` goes to ``subprocess.run``.
    """
    full = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **(env or {})}
    options: dict[str, Any] = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **popen}
    return subprocess.run(
        [sys.executable, "-m", "promoplan", *[str(a) for a in args]],
        cwd=cwd,
        env=full,
        timeout=timeout,
        check=False,
        **options,
    )


def no_temporaries(directory: Path) -> list[str]:
    """Temporary files promoplan's writer would leave in ``directory`` (none, after any run)."""
    return sorted(n for n in os.listdir(directory) if n.startswith(".") and n.endswith(".tmp"))


def run_process_code(
    code: str, args: list[object], cwd: Path
) -> subprocess.CompletedProcess[bytes]:
    """``python -c CODE ARGS`` in ``cwd``, as run_process runs ``python -m promoplan``."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [sys.executable, "-c", code, *[str(a) for a in args]],
        cwd=cwd,
        env=env,
        capture_output=True,
        timeout=120,
        check=False,
    )
