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

from promoplan.errors import HeldSignals

# DuckDB on Linux allocates through its own jemalloc (two arenas; freed pages are kept
# for a decay of 1 s), configured from this variable when the engine loads. Its CSV
# reader reads a file in buffers of 32 MB, which its buffer manager counts and frees
# once read; but a buffer freed in one arena while the next is allocated in the other
# stays resident until the decay, so RSS rose by 30.5 MiB (two buffers: 61 MiB) above
# the scan's steady level for a second or two at a time, and the longer the file, the
# more such moments: a 20M-row read peaked 1.17x a 10M-row one. From 16 MiB up
# (the reader's buffers; not the buffer manager's 256 KiB blocks) jemalloc then
# allocates from its dedicated arena, which gives pages back as soon as they are
# freed: the peak is the steady level whatever the length. The cost: each buffer
# gets fresh pages (about 0.3 s of system CPU per 10M rows, 2-3% of that scan).
# A value the user has set is left as it is; other allocators ignore the variable.
ALLOCATOR_VARIABLE = "DUCKDB_JE_MALLOC_CONF"
ALLOCATOR_SETTING = "oversize_threshold:16777216"
os.environ.setdefault(ALLOCATOR_VARIABLE, ALLOCATOR_SETTING)

if TYPE_CHECKING:
    import duckdb
else:
    # A SIGINT or SIGTERM during the import is raised once it is done: the extension
    # runs Python code while it initialises (its enums), and an exception raised there
    # aborts the process or is swallowed (see HeldSignals).
    with HeldSignals():
        try:
            import _duckdb as duckdb
        except ImportError:  # the engine inside its package only
            import duckdb

__all__ = ["duckdb"]
