"""The warehouse cube's exact units: a driver's Decimal, int or float in units of 10^-scale."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from promoplan.actuals.model import decimals, scaled
from promoplan.actuals.warehouse.cube import _decimals, _number, _units

# NUMERIC sums of up to 38 digits, with up to 10 decimal places.
numbers = st.builds(
    lambda digits, places, negative: Decimal((int(negative), tuple(digits), -places)),
    st.lists(st.integers(0, 9), min_size=1, max_size=38),
    st.integers(0, 10),
    st.booleans(),
)


@given(st.lists(numbers, min_size=1, max_size=5), st.integers(0, 3))
def test_units_are_exact_at_the_column_scale(values: list[Decimal], extra: int) -> None:
    """Every value at the column's scale (its most decimal places, or more) is exact."""
    scale = _decimals(values) + extra
    assert _decimals(values) == max(decimals(v) for v in values)
    for value in values:
        assert _units(value, scale) == scaled(value, scale)


@given(st.integers(-(10**20), 10**20), st.integers(0, 6))
def test_integers_and_floats(value: int, scale: int) -> None:
    """An int is exact at any scale; a float is read as its shortest text."""
    assert _units(_number(value), scale) == value * 10**scale
    assert _number(0.1) == Decimal("0.1")
    assert _units(_number(float("nan")), scale) is None
    assert _units(None, scale) is None
