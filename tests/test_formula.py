"""The formula grammar of derived metrics: parsing, evaluation, additivity, resolution order."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from promoplan.formula import (
    MAX_DEPTH,
    MAX_LENGTH,
    FormulaError,
    Sum,
    evaluate_formula,
    is_additive,
    parse_formula,
)
from promoplan.metricorder import metric_order


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("gmv / spend", {"gmv", "spend"}),
        ("(gmv - refunds) / orders", {"gmv", "refunds", "orders"}),
        ("-a * 2.5 + .5", {"a"}),
        ("x_1+_y", {"x_1", "_y"}),
        ("42", set()),
        ("1e3 * a", {"a"}),
    ],
)
def test_parse_collects_names(text: str, names: set[str]) -> None:
    assert parse_formula(text).names == frozenset(names)


@pytest.mark.parametrize(
    ("text", "offset", "fragment"),
    [
        ("", 0, "empty"),
        ("   ", 0, "empty"),
        ("a +", 3, "end of the formula"),
        ("a b", 2, "'b'"),
        ("(a + b", 6, "')'"),
        ("a + b)", 5, "')'"),
        ("a ** b", 3, "'*'"),
        ("a % b", 2, "'%'"),
        ("gmv / spend; import os", 11, "';'"),
        ("__import__('os')", 11, "'"),
        ("a.b", 1, "'.'"),
        ("成交额 / a", 0, "'成'"),
        ("a +\x00b", 3, "U+0000"),
        ("+a", 0, "'+'"),
        ("()", 1, "')'"),
    ],
)
def test_syntax_errors_name_the_offset(text: str, offset: int, fragment: str) -> None:
    with pytest.raises(FormulaError) as caught:
        parse_formula(text)
    assert caught.value.offset == offset
    assert fragment in caught.value.message


def test_length_and_depth_are_capped() -> None:
    with pytest.raises(FormulaError, match="longer than"):
        parse_formula("a+" * MAX_LENGTH + "a")
    with pytest.raises(FormulaError, match="deeper than"):
        parse_formula("(" * (MAX_DEPTH + 1) + "a" + ")" * (MAX_DEPTH + 1))
    with pytest.raises(FormulaError, match="deeper than"):
        parse_formula("-" * (MAX_DEPTH + 1) + "a")
    assert parse_formula("(" * MAX_DEPTH + "a" + ")" * MAX_DEPTH).names == {"a"}


def test_long_flat_chains_do_not_recurse() -> None:
    formula = parse_formula("+".join(["a"] * 400))
    assert isinstance(formula.root, Sum)
    assert len(formula.root.rest) == 399  # one flat node, not 399 nested ones
    assert evaluate_formula(formula, {"a": 1}) == 400.0


@pytest.mark.parametrize(
    ("text", "values", "expected"),
    [
        ("gmv / spend", {"gmv": 300.0, "spend": 100.0}, 3.0),
        ("a - b - c", {"a": 10, "b": 3, "c": 2}, 5.0),  # left to right
        ("a / b / c", {"a": 12, "b": 3, "c": 2}, 2.0),
        ("a + b * c", {"a": 1, "b": 2, "c": 3}, 7.0),  # precedence
        ("(a + b) * c", {"a": 1, "b": 2, "c": 3}, 9.0),
        ("-a + 2", {"a": 5}, -3.0),
        ("--a", {"a": 5}, 5.0),
        ("a * -b", {"a": 2, "b": 3}, -6.0),
        ("0.1 + 0.2", {}, 0.3),  # exact decimal arithmetic
        ("a / b", {"a": Decimal("1"), "b": Decimal("3")}, 1 / 3),
        (
            "a + b",
            {"a": Decimal("0.1"), "b": 0.2},
            0.30000000000000004,
        ),  # float in, exactly as given
    ],
)
def test_evaluate(text: str, values: dict[str, Decimal | float | None], expected: float) -> None:
    assert evaluate_formula(parse_formula(text), values) == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("a / b", {"a": 1.0, "b": 0.0}),
        ("a / (b - b)", {"a": 1.0, "b": 2.0}),
        ("0 / 0", {}),
        ("a + b", {"a": 1.0}),  # b missing
        ("a + b", {"a": 1.0, "b": None}),
        ("a * 2", {"a": float("nan")}),
        ("a * 2", {"a": float("inf")}),
        ("1e400 * 1e400", {}),  # no float infinity leaks out
    ],
)
def test_evaluate_gives_none(text: str, values: dict[str, Decimal | float | None]) -> None:
    assert evaluate_formula(parse_formula(text), values) is None


@pytest.mark.parametrize(
    ("text", "additive"),
    [
        ("gmv", True),
        ("gmv - refunds", True),
        ("a + (b - -c)", True),
        ("gmv / spend", False),
        ("a + 1", False),
        ("2 * a", False),
        ("(a + b) * c", False),
    ],
)
def test_is_additive(text: str, additive: bool) -> None:
    assert is_additive(parse_formula(text)) is additive


def test_metric_order_puts_dependencies_first() -> None:
    order = metric_order(
        {
            "roi": "gmv / spend",
            "net": "gmv - refunds",
            "gmv": None,
            "spend": None,
            "refunds": None,
            "net_roi": "net / spend",
        }
    )
    assert order.problems == ()
    position = {metric: index for index, metric in enumerate(order.order)}
    assert set(position) == {"roi", "net", "gmv", "spend", "refunds", "net_roi"}
    assert position["net"] < position["net_roi"]
    assert position["gmv"] < position["roi"]
    assert set(order.formulas) == {"roi", "net", "net_roi"}


def test_metric_order_reports_every_problem() -> None:
    order = metric_order(
        {
            "base": None,
            "bad": "base +",
            "unknown": "base / revenue + revenue",
            "a": "b + 1",
            "b": "a * base",
            "self": "self + 1",
            "after_cycle": "a + base",
            "fine": "base * 2",
        }
    )
    kinds = {(p.metric, p.kind) for p in order.problems}
    assert kinds == {("bad", "syntax"), ("unknown", "unknown"), ("a", "cycle"), ("self", "cycle")}
    unknown = next(p for p in order.problems if p.kind == "unknown")
    assert (unknown.name, unknown.offset) == ("revenue", 7)  # reported once, at its first use
    cycle = next(p for p in order.problems if p.metric == "a")
    assert cycle.cycle == ("a", "b")
    assert "a -> b -> a" in cycle.message
    assert order.order == ("base", "fine")


@given(st.text(max_size=60))
def test_any_text_parses_or_raises_formula_error(text: str) -> None:
    try:
        formula = parse_formula(text)
    except FormulaError as exc:
        offset = exc.offset
        assert 0 <= offset <= len(text)
        return
    values = {name: 1.0 for name in formula.names}
    result = evaluate_formula(formula, values)
    assert result is None or isinstance(result, float)


_names = st.sampled_from(["a", "b", "c"])


@st.composite
def _formulas(draw: st.DrawFn, depth: int = 0) -> str:
    if depth > 3 or draw(st.booleans()):
        return draw(st.one_of(_names, st.integers(0, 99).map(str)))
    op = draw(st.sampled_from(["+", "-", "*", "/"]))
    return f"({draw(_formulas(depth + 1))} {op} {draw(_formulas(depth + 1))})"


@given(
    _formulas(),
    st.dictionaries(_names, st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True))),
)
def test_evaluation_never_raises(text: str, values: dict[str, float | None]) -> None:
    result = evaluate_formula(parse_formula(text), values)
    assert result is None or math.isfinite(result)


@given(
    st.dictionaries(st.sampled_from(list("abcdef")), st.one_of(st.none(), _formulas()), max_size=6)
)
def test_metric_order_never_raises_and_orders_soundly(metrics: dict[str, str | None]) -> None:
    order = metric_order(metrics)
    seen: set[str] = set()
    for metric in order.order:
        formula = order.formulas.get(metric)
        if formula is not None:
            assert formula.names <= seen
        seen.add(metric)
