"""Actuals: CSV exports read by DuckDB into the daily cube (``read_actuals``).

DuckDB is imported only when ``read_actuals`` runs, so importing this package
(or its ``model``) stays cheap for commands that never read actuals.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from promoplan.actuals.model import Actuals, ActualsSpec

__all__ = ["read_actuals"]


def read_actuals(
    files: Sequence[Path | str],
    spec: ActualsSpec,
    *,
    progress: Callable[[int, int], None] | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> Actuals:
    """Read CSV ``files`` into the daily cube for ``spec``; ``progress(done, total)`` in bytes.

    A database source URL (``postgresql://``, ``sc://``, ``duckdb://``) in place
    of the files is read by pushing the cube query down to it; ``meanwhile``
    (work that does not need the actuals) is called once while the database
    computes the cube. Files are read here, with nothing beside the read:
    ``meanwhile`` is not called for them.
    """
    from promoplan.actuals.warehouse import is_warehouse_url  # noqa: PLC0415  # stdlib only

    if any(is_warehouse_url(str(f)) for f in files):
        from promoplan.actuals.warehouse import start_source  # noqa: PLC0415  # drivers on use

        with start_source([str(f) for f in files], spec) as pending:
            if meanwhile is not None:
                meanwhile()
            return pending.wait()
    from promoplan.actuals.engine import read_actuals as read  # noqa: PLC0415  # DuckDB on use

    return read(files, spec, progress=progress)
