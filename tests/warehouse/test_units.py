"""The warehouse cube's exact units: a driver's Decimal, int or float in units of 10^-scale."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from promoplan.actuals.model import decimals, scaled
from promoplan.actuals.warehouse.cube import _decimals, _measure, _number, _units

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


# A result column as drivers return it: NUMERIC Decimals, integers, floats, or nothing.
# Not NaN nor infinities: those stop the read before (PA003, tested against the servers).
cells = st.one_of(
    numbers,
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.none(),
)


def _reference(value: object) -> Decimal | None:
    """A cell as a Decimal, None when missing (a float by its shortest text)."""
    if value is None:
        return None
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)  # type: ignore[arg-type]


@given(
    st.lists(st.tuples(st.integers(0, 3), cells, cells, cells), min_size=1, max_size=30),
    st.sampled_from(["one type", "mixed"]),
)
def test_a_measure_column_at_once_is_the_cells_one_by_one(
    rows: list[tuple[int, object, object, object]], mix: str
) -> None:
    """A column's sums, counts and extremes, read at once, are the cells read one by one."""
    if mix == "one type":  # the usual result: every value of a column of one type
        kind = type(rows[0][1])
        rows = [r for r in rows if all(type(v) in (kind, type(None)) for v in r[1:])] or rows[:1]
    result = [(None, None, n, total, low, high) for n, total, low, high in rows]
    measure = _measure(list(zip(*result, strict=True)), ("cell", 3, 2, 4, 5))  # by column
    totals = [_reference(total) if n else None for n, total, _, _ in rows]
    lows = [_reference(low) if n else None for n, _, low, _ in rows]
    highs = [_reference(high) if n else None for n, _, _, high in rows]
    finite = [v for v in (*totals, *lows, *highs) if v is not None]
    scale = max((decimals(v) for v in finite), default=0)
    assert measure.scale == scale
    for i, (n, _, _, _) in enumerate(rows):
        assert measure.counts[i] == n
        expected = totals[i]
        assert measure.totals[i] == (scaled(expected, scale) if expected is not None else 0)
        for got, want in ((measure.minima, lows[i]), (measure.maxima, highs[i])):
            assert got is not None
            assert got[i] == (None if want is None else scaled(want, scale))
