"""The quantity parser: what people write in plans, and nothing else."""

from __future__ import annotations

import math

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from promoplan.quantity import (
    Placeholder,
    Quantity,
    QuantityError,
    format_quantity,
    is_placeholder,
    parse_quantity,
)

finite = st.floats(allow_nan=False, allow_infinity=False)


@pytest.mark.parametrize(
    ("written", "value", "kind"),
    [
        (0.35, 0.35, "number"),
        (45, 45.0, "number"),
        ("5_000_000", 5_000_000.0, "number"),
        ("35%", 0.35, "percent"),
        ("1.1%", 0.011, "percent"),
        ("1:3", 3.0, "ratio"),
        (" 1 : 3 ", 3.0, "ratio"),
        ("5,000,000", 5_000_000.0, "number"),
        ("¥2,000", 2000.0, "number"),
        ("￥2,000", 2000.0, "number"),
        ("$1.5M", 1_500_000.0, "number"),
        ("€10k", 10_000.0, "number"),
        ("5万", 50_000.0, "number"),
        ("1.2亿", 120_000_000.0, "number"),
        ("5000万", 50_000_000.0, "number"),
        ("5000万元", 50_000_000.0, "number"),
        ("1.5B", 1_500_000_000.0, "number"),
        ("-20%", -0.2, "percent"),
        ("1e3", 1000.0, "number"),
        ("３５％", 0.35, "percent"),
    ],
)
def test_written_quantities(written: object, value: float, kind: str) -> None:
    assert parse_quantity(written) == Quantity(value, kind)  # type: ignore[arg-type]  # kind is a Kind


@pytest.mark.parametrize("written", ["X", "X万", "x亿", "XX%", "TBD", "待定", "?", "？"])
def test_placeholders(written: str) -> None:
    assert parse_quantity(written) == Placeholder(written)
    assert is_placeholder(written)


@pytest.mark.parametrize(
    "written",
    ["35 percent", "abc", "", "  ", "1:0:3", "0:3", "5万万", ".nan", ".inf", "1e400", "--5", "%"],
)
def test_not_quantities(written: str) -> None:
    with pytest.raises(QuantityError):
        parse_quantity(written)


@pytest.mark.parametrize("written", [None, True, False, float("nan"), float("inf"), [1], {"a": 1}])
def test_not_quantities_of_other_types(written: object) -> None:
    with pytest.raises(QuantityError):
        parse_quantity(written)


@given(finite)
@example(0.07)
@example(1e-7)
@example(-0.0)
@example(1.7976931348623157e308)
def test_number_round_trips(value: float) -> None:
    assert parse_quantity(format_quantity(value)) == Quantity(value, "number")


@given(finite.filter(lambda v: math.isfinite(v * 100)))
@example(0.07)
@example(0.071)
@example(0.35)
@example(1e-300)
def test_percent_round_trips(value: float) -> None:
    assert parse_quantity(format_quantity(value, "percent")) == Quantity(value, "percent")


@given(st.floats(min_value=0, allow_infinity=False))
@example(1e-7)
@example(3.0)
@example(1e300)
def test_ratio_round_trips(value: float) -> None:
    assert parse_quantity(format_quantity(value, "ratio")) == Quantity(value, "ratio")


@given(st.text())
@example("1e999999999")
@example("1" * 5000 + "%")
@example("1:1e5")
@example("١٢٣")
def test_junk_text_gives_a_quantity_or_a_quantity_error(text: str) -> None:
    try:
        parsed = parse_quantity(text)
    except QuantityError as exc:
        message = str(exc)
        assert message
        assert "Traceback" not in message
        return
    assert isinstance(parsed, (Quantity, Placeholder))
    if isinstance(parsed, Quantity):
        assert math.isfinite(parsed.value)


@given(
    st.text(alphabet="0123456789.,_%:万亿kKMB¥$ +-eEX元", max_size=12),
)
def test_near_miss_text_gives_a_quantity_or_a_quantity_error(text: str) -> None:
    try:
        parsed = parse_quantity(text)
    except QuantityError:
        return
    if isinstance(parsed, Quantity):
        assert math.isfinite(parsed.value)
