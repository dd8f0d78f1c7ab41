"""DuckDB's engine, imported without the rest of its package.

promoplan uses DuckDB's connections, queries and exceptions only, and they all
live in its C++ extension, ``_duckdb``, which the ``duckdb`` package re-exports
(the very same objects: ``duckdb.Error is _duckdb.Error``). The package adds a
Python layer promoplan does not use (the relational and expression APIs, value
types, and a version lookup through ``importlib.metadata``) that takes longer to
import than the engine itself: about 0.2 s of CPU of a ``check`` on a loaded
2-core machine. Where the extension is not a module of its own, the package is
imported instead.

Every module that runs DuckDB imports it from here
(``from promoplan.actuals.duckengine import duckdb``), inside the function that
needs it: an ``import duckdb`` anywhere else on the path would bring the package
back (harmlessly, only slower).

Before the engine is loaded, its allocator is told to give back the CSV
reader's buffers as soon as they are freed (:data:`ALLOCATOR_SETTING`).
"""

import os
from typing import TYPE_CHECKING

# DuckDB on Linux allocates through its own jemalloc (two arenas, freed pages kept
# for a 1 s decay), configured from this variable when the engine loads. Its CSV
# reader reads a file in 32 MB buffers; a buffer freed in one arena while the next
# is allocated in the other stays resident until the decay, so RSS rose by 30.5 MiB
# (two buffers: 61 MiB) above the scan's steady 150 MiB for a second at a time, and
# the longer the file, the more such moments: a 20M-row read peaked 1.16x a 10M one.
# Allocations of 16 MiB and more (the reader's buffers, not the buffer manager's
# 256 KiB blocks) then come from jemalloc's dedicated arena, which returns them to
# the system when freed: the peak is the steady level whatever the file's length,
# for one page fault per 4 KiB of each new buffer (about 1% of a large scan's CPU).
# A value the user has set is left as it is; other allocators ignore the variable.
ALLOCATOR_VARIABLE = "DUCKDB_JE_MALLOC_CONF"
ALLOCATOR_SETTING = "oversize_threshold:16777216"
os.environ.setdefault(ALLOCATOR_VARIABLE, ALLOCATOR_SETTING)

if TYPE_CHECKING:
    import duckdb
else:
    try:
        import _duckdb as duckdb
    except ImportError:  # the engine inside its package only
        import duckdb

__all__ = ["duckdb"]
