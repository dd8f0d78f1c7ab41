"""Hypothesis strategies for actuals cells, and how a spreadsheet export writes a number.

Shared by the actuals property tests and the hardening properties.
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st

FULL_WIDTH = str.maketrans("0123456789.,-", "０１２３４５６７８９．，－")

amounts = st.decimals(
    min_value=Decimal("-1000000000"),
    max_value=Decimal("1000000000"),
    places=4,
    allow_nan=False,
    allow_infinity=False,
)
styles = st.sampled_from(
    ["plain", "thousands", "currency", "accounting", "full_width", "spaces", "percent"]
)


def written(value: Decimal, style: str) -> str:
    """``value`` as a spreadsheet export might write it (independent of the reader's SQL)."""
    sign = "-" if value < 0 else ""
    magnitude = abs(value)
    forms = {
        "plain": str(value),
        "thousands": f"{sign}{magnitude:,}",
        "currency": f"{sign}￥{magnitude:,}",
        "accounting": f"({magnitude:,})" if value < 0 else f"{magnitude:,}",
        "full_width": str(value).translate(FULL_WIDTH),
        "spaces": f"  {value} ",
        "percent": f"{value * 100}%" if abs(value) < 10**6 else str(value),
    }
    return forms[style]
