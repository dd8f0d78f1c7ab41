"""A file given twice is read once (PA016): the same path, a hard link, or the same bytes.

``--actuals 'data/*.csv' --actuals 'data/2025-*.csv'`` names some files twice,
a hard link or a copy of an export under another name holds the same rows: each
would be summed twice. A file is the same as an earlier one when it is the same
file on disk (device and inode: a hard link, a second spelling of the path) or
has the same content (SHA-256), a compressed file's content being what it
decompresses to (``orders.csv.gz`` beside ``orders.csv``). Only files whose
content size equals another's are hashed (a gzip file states its size in its
last 4 bytes, a zstd frame usually in its header), so distinct files cost one
``stat`` each, and a compressed one a read of a few bytes.
"""

from __future__ import annotations

import hashlib
import os
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from promoplan.actuals import zstdframe
from promoplan.actuals.sources.csv import Compression, damaged_errors, open_decompressed
from promoplan.diagnostics import Diagnostic, diagnostic

_CHUNK = 1 << 20
_GZIP = b"\x1f\x8b"


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
    compressed: dict[int, Compression] = {}
    for index, stat in enumerate(stats):
        size, compression = _content_size(kept[index][0], stat.st_size)
        sizes[size].append(index)
        if compression is not None:
            compressed[index] = compression
    dropped: set[int] = set()
    for indexes in sizes.values():
        if len(indexes) < 2:
            continue
        by_digest: dict[str, str] = {}
        for index in indexes:
            path, name = kept[index]
            digest = _digest(path, compressed.get(index))
            if digest is None:
                continue  # damaged: its reading says so
            first = by_digest.get(digest)
            if first is not None:
                why = "the same content" + (", compressed," if index in compressed else "")
                out.append(_read_once(name, first, why))
                dropped.add(index)
            else:
                by_digest[digest] = name
    return [p for i, p in enumerate(kept) if i not in dropped], out


def _content_size(path: Path, size: int) -> tuple[int, Compression | None]:
    """The size of what the file holds (decompressed, as far as its header or trailer
    says) and its compression; a plain file's own size. A size that is wrong (a gzip of
    several members, past 4 GiB) only costs a hash that matches nothing."""
    try:
        with path.open("rb") as handle:
            head = handle.read(18)
            if head[:2] == _GZIP and size >= 18:
                handle.seek(-4, os.SEEK_END)
                return int.from_bytes(handle.read(4), "little"), "gzip"
    except OSError:
        return size, None
    if head[:4] == zstdframe.MAGIC and len(head) >= 6:
        declared = zstdframe.content_size(head[4:])
        if declared is not None:
            return declared, "zstd"
    return size, None


def _digest(path: Path, compression: Compression | None = None) -> str | None:
    """SHA-256 of the file's bytes (decompressed for a compressed file), streamed; None
    when the file cannot be read through."""
    digest = hashlib.sha256()
    try:
        opened = open_decompressed(path, compression) if compression else path.open("rb")
        with opened as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
    except damaged_errors(compression):
        return None
    return digest.hexdigest()


def _read_once(name: str, first: str, why: str) -> Diagnostic:
    said = f"{name} is given twice" if name == first else f"{name} is {why} as {first}"
    return diagnostic(
        "PA016",
        f"{said}: read once",
        file=name,
        hint="each file is counted once, however many times it is given",
    )
