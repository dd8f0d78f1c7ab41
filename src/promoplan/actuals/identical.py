"""A file given twice is read once (PA016): the same path, a hard link, or the same bytes.

``--actuals 'data/*.csv' --actuals 'data/2025-*.csv'`` names some files twice,
a hard link or a copy of an export under another name holds the same rows: each
would be summed twice. A file is the same as an earlier one when it is the same
file on disk (device and inode: a hard link, a second spelling of the path) or
has the same content (SHA-256). Only files whose size equals another's are
hashed, so distinct files cost one ``stat`` each.
"""

from __future__ import annotations

import hashlib
import os
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from promoplan.diagnostics import Diagnostic, diagnostic

_CHUNK = 1 << 20


def distinct_files(
    paths: Sequence[tuple[Path, str]],
) -> tuple[list[tuple[Path, str]], list[Diagnostic]]:
    """The files to read, each once, in the order given, and a PA016 per file left out.

    ``paths`` are (path to read, name as given) pairs of regular files.
    """
    kept: list[tuple[Path, str]] = []
    out: list[Diagnostic] = []
    by_inode: dict[tuple[int, int], str] = {}
    stats: list[os.stat_result] = []
    for path, name in paths:
        stat = path.stat()
        inode = (stat.st_dev, stat.st_ino)
        first = by_inode.get(inode)
        if first is not None:
            out.append(_read_once(name, first, "the same file on disk"))
            continue
        by_inode[inode] = name
        kept.append((path, name))
        stats.append(stat)
    sizes: dict[int, list[int]] = defaultdict(list)
    for index, stat in enumerate(stats):
        sizes[stat.st_size].append(index)
    dropped: set[int] = set()
    for indexes in sizes.values():
        if len(indexes) < 2:
            continue
        by_digest: dict[str, str] = {}
        for index in indexes:
            path, name = kept[index]
            digest = _digest(path)
            first = by_digest.get(digest)
            if first is not None:
                out.append(_read_once(name, first, "the same content"))
                dropped.add(index)
            else:
                by_digest[digest] = name
    return [p for i, p in enumerate(kept) if i not in dropped], out


def _digest(path: Path) -> str:
    """SHA-256 of the file's bytes, streamed."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _read_once(name: str, first: str, why: str) -> Diagnostic:
    said = f"{name} is given twice" if name == first else f"{name} is {why} as {first}"
    return diagnostic(
        "PA016",
        f"{said}: read once",
        file=name,
        hint="each file is counted once, however many times it is given",
    )
