"""Which text names a database source: its URL scheme (``postgresql://``, ``sc://``, ``duckdb://``).

Standard library only, and nothing built at import but one small regular
expression: every ``check`` asks this of its ``--actuals``, and a check of CSV
files goes no further into :mod:`promoplan.actuals.warehouse` (``urls.py``
parses a URL once one is given).
"""

from __future__ import annotations

import re
from typing import Literal

Kind = Literal["postgresql", "spark", "duckdb"]

SCHEMES: dict[str, Kind] = {
    "postgresql": "postgresql",
    "postgres": "postgresql",
    "sc": "spark",
    "duckdb": "duckdb",
}
SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


def is_warehouse_url(text: str) -> bool:
    """True when ``text`` names a warehouse source (``postgresql://``, ``sc://``, ``duckdb://``)."""
    match = SCHEME.match(text.strip())
    return match is not None and match.group(1).lower() in SCHEMES


def is_url(text: str) -> bool:
    """True when ``text`` starts as a URL does (``scheme://``), of a source or not."""
    return SCHEME.match(text.strip()) is not None
