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
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb
else:
    try:
        import _duckdb as duckdb
    except ImportError:  # the engine inside its package only
        import duckdb

__all__ = ["duckdb"]
