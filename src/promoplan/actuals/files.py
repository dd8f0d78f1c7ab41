"""Which files a read covers (each once, each readable) and how its progress is told."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from promoplan.actuals.pipes import is_pipe
from promoplan.actuals.session import Progress, Tick
from promoplan.actuals.sniff import canonical_encoding
from promoplan.errors import UsageProblem


def ticker(progress: Progress, base: int, size: int, total: int) -> Tick:
    """Turn the engine's fraction of one file into ``progress(bytes done, total)``."""

    def tick(fraction: float) -> None:
        progress(base + min(size, int(size * fraction)), total)

    return tick


def unique_existing(files: Sequence[Path | str]) -> list[tuple[Path, str]]:
    """(resolved path, name as given) for each file, once; a missing file is a usage problem."""
    out: list[tuple[Path, str]] = []
    for file in files:
        path = Path(file)
        if is_pipe(path):
            out.append((path, str(file)))  # not resolved: /dev/fd/N resolves to no file
            continue
        if not path.is_file():
            what = "does not exist"
            if path.is_dir():
                what = "is a directory"
            elif path.exists():
                what = "is not a regular file"
            raise UsageProblem(f"actuals file {str(path)!r} {what}; pass CSV files with --actuals")
        if not os.access(path, os.R_OK):
            raise UsageProblem(f"actuals file {str(path)!r} cannot be read (permission denied)")
        # The same file twice is left to distinct_files, which says so (PA016).
        out.append((path.resolve(), str(file)))
    return out


def wanted_encoding(encoding: str | None) -> str | None:
    """``--encoding`` as a Python codec name; an unknown one is a usage problem."""
    if encoding is None:
        return None
    canonical = canonical_encoding(encoding)
    if canonical is None:
        raise UsageProblem(
            f"unknown encoding {encoding!r} for --encoding; try utf-8, gb18030 or utf-16"
        )
    return canonical
