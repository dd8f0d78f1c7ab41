"""The hardening corpus folder, and the files a failing run must not touch."""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from pathlib import Path

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
