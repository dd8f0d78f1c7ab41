"""The source registry: which module reads a file, picked by what the file is.

A file's first bytes decide (a Parquet file starts ``PAR1``, a gzip stream
``1f 8b``, an .xlsx workbook is a zip); only when they say nothing, its suffix
(``.ods``, ``.xlsb``). Anything else is read as CSV text, whose own sniffing
names what it is when it is not text (a PDF, an HTML page ...).

Adding a source: write one module under ``promoplan/actuals/sources/`` with a
``SOURCE`` object that has the :class:`~promoplan.actuals.sources.base.Source`
shape, and add one :class:`Entry` line to ``REGISTRY``. Modules are imported
only when a file needs them, so a source may import its library at the top.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from promoplan.actuals.sources.base import Source

MAGIC_BYTES = 8


@dataclass(frozen=True)
class Entry:
    """One source: the first bytes and suffixes it claims, and where it lives."""

    module: str  # under promoplan.actuals.sources
    magic: tuple[bytes, ...] = ()
    suffixes: tuple[str, ...] = ()  # lower case, with the dot
    attribute: str = "SOURCE"


REGISTRY: tuple[Entry, ...] = (
    Entry("parquet", (b"PAR1",), (".parquet", ".pq")),
    Entry("csv", (b"\x1f\x8b",), (".gz",), attribute="GZIP"),
    Entry("csv", (b"\x28\xb5\x2f\xfd",), (".zst", ".zstd"), attribute="ZSTD"),
    Entry(
        "excel",
        (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),
        (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"),
    ),
)
FALLBACK = Entry("csv")


def pick(path: Path) -> Source:
    """The source for ``path``: by its first bytes, else its suffix, else CSV."""
    with path.open("rb") as handle:
        head = handle.read(MAGIC_BYTES)
    entry = next((e for e in REGISTRY if any(head.startswith(m) for m in e.magic)), None)
    if entry is None and head:  # an empty file is CSV's to call empty
        suffix = path.suffix.lower()
        entry = next((e for e in REGISTRY if suffix in e.suffixes), None)
    return load(entry or FALLBACK)


def load(entry: Entry) -> Source:
    """The source object of one registry entry (its module imported now)."""
    module = importlib.import_module(f"{__name__}.{entry.module}")
    return cast(Source, getattr(module, entry.attribute))
