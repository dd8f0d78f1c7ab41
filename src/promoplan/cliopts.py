"""The options several commands share, as typer annotations (one help text each).

Imported by :func:`promoplan.cli.build_app` only, on the typer path: the quick path
of ``validate`` imports no typer.
"""

from __future__ import annotations

from typing import Annotated

import typer

__all__ = [
    "ActualsOption",
    "AsOfOption",
    "EncodingOption",
    "IgnoreOption",
    "OutputOption",
    "QuietOption",
    "StrictOption",
    "TimeoutOption",
    "UnitsOption",
]

OutputOption = Annotated[
    str | None,
    typer.Option(
        "--output", "-o", help="Write to this file (atomically; a FIFO or device directly)."
    ),
]
StrictOption = Annotated[bool, typer.Option("--strict", help="Warnings fail too (exit 1).")]
QuietOption = Annotated[
    bool, typer.Option("--quiet", "-q", help="table: print nothing but errors.")
]
IgnoreOption = Annotated[
    list[str] | None,
    typer.Option("--ignore", help="Leave out diagnostics of this code (repeatable)."),
]
UnitsOption = Annotated[
    str | None,
    typer.Option(
        "--units",
        help="Money and counts with 万/亿 (cn) or k/M/B (intl); default: the plan's units:, "
        "else cn for CNY and intl for other currencies.",
    ),
]
ActualsOption = Annotated[
    list[str] | None,
    typer.Option(
        "--actuals",
        "-a",
        help="Actuals CSV file or glob (repeatable), or one database source: "
        "postgresql://user@host/db?table=t, sc://host:15002?table=t, duckdb:///f.duckdb?table=t. "
        "A file named twice is read once; days two files share count once, from the later file.",
    ),
]
TimeoutOption = Annotated[
    str | None,
    typer.Option(
        "--timeout", help="Statement timeout for database sources: 90s, 10m (default), 1h."
    ),
]
EncodingOption = Annotated[
    str | None,
    typer.Option(
        "--encoding", help="Read actuals in this encoding (default: UTF-8, else GB18030)."
    ),
]
AsOfOption = Annotated[
    str | None, typer.Option("--as-of", help="Evaluate as of this date (YYYY-MM-DD).")
]
