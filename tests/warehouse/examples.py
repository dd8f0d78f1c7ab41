"""The example plans every actuals source is compared on, and what the comparisons share.

A database table gives the JSON of ``check`` that the CSV files of the same data give,
once each diagnostic's place (file, line, column) is left out: :func:`comparable`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

from promoplan.actuals.model import ActualsSpec
from warehouse.conftest import EXAMPLE_ACTUALS, ROOT

PLAN = ROOT / "plans" / "ecommerce-2025.yaml"
FILTERS = Path(__file__).parent / "cases" / "filters.yaml"
CSV = [str(p) for p in EXAMPLE_ACTUALS]


def csv_args(plan: Path) -> list[str]:
    """``-a FILE`` for the example actuals the plan reads: a file holding none of its columns
    (brand-daily.csv for the filters plan) is PA002 of its own, which a table has no file for."""
    files = [f for f in CSV if plan != FILTERS or "brand" not in Path(f).name]
    return [a for f in files for a in ("-a", f)]


def comparable(text: str) -> Any:
    """The JSON of a check without where each diagnostic points (file, line, column).

    A table has no lines: PA010 from a file also says "(first at line N)". A database
    read of a long table keeps only the metrics the plan reads, so PA015 (an info naming
    the others) is a file's alone: it is left out, and its count.
    """
    document = json.loads(text)
    for plan in document["plans"]:
        kept = [d for d in plan["diagnostics"] if d["code"] != "PA015"]
        plan["counts"]["info"] -= len(plan["diagnostics"]) - len(kept)
        plan["diagnostics"] = kept
        for found in kept:
            found["file"] = found["line"] = found["column"] = None
            found["message"] = re.sub(r" \(first at line \d+\)", "", found["message"])
    return document


def example_spec(**changes: Any) -> ActualsSpec:
    """What a plan asks of the example table: daily ``gmv`` by channel over 2025; keywords
    replace any field."""
    base: dict[str, Any] = {
        "date_column": "date",
        "dimensions": (("channel", "channel"),),
        "columns": ("gmv",),
        "keep_from": dt.date(2025, 1, 1),
        "keep_to": dt.date(2025, 12, 31),
    }
    base.update(changes)
    return ActualsSpec(**base)
