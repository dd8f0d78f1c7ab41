"""The cell SQL's shortcuts give what its full cleaning gives, cell for cell.

The number of a cell is its cheap cast, else (the common dirty shape:
``￥1,234.50``) one regex and a cast, else the full cleaning. The middle step
must agree with the full cleaning on every cell it accepts, and the whole
expression with the cast-then-full-cleaning it replaces, on every cell:
near-misses such as ``1,2,3``, ``12,34``, ``￥``, ``-`` and ``(1,234)`` included.
"""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from profiles import scaled
from promoplan.actuals import cellsql

CURRENCIES = ["", "¥", "￥", "$", "€"]

# Cells built from the pieces the shortcut looks at, so that most are close to it:
# a currency sign or not, digit runs joined by commas (groups of any length), a
# fraction or not, and now and then a character the shortcut must refuse.
digits = st.text("0123456789", min_size=1, max_size=5)
groups = st.text("0123456789", min_size=3, max_size=3)  # what a comma group needs
digit_runs = st.lists(st.one_of(groups, digits), min_size=1, max_size=4)
# Mostly nothing around the digits (the shape itself), now and then one character more.
edges = ["", "", "", "", "", "-", "+", "(", ")", " ", "　", "%", "$", "０", "e3", ","]
near_misses = st.builds(
    lambda sign, runs, fraction, before, after: before + sign + ",".join(runs) + fraction + after,
    st.sampled_from(CURRENCIES),
    digit_runs,
    st.sampled_from(["", "", "", ".", ".5", ".25", ".12345", "..5", ".5.5"]),
    st.sampled_from(edges),
    st.sampled_from(edges),
)
# Anything written with the characters numbers, signs and separators are made of.
scrambled = st.text("0123456789,.¥￥$€-+()% 　０１，．\u00a0eE", max_size=14)
cells = st.lists(st.one_of(near_misses, scrambled), min_size=1, max_size=100)


def _values(
    con: duckdb.DuckDBPyConnection, values: list[str], kind: str = cellsql.NUMBER_TYPE
) -> list[tuple[object, ...]]:
    """Per cell: (cell, number_expr, the full path, the shortcut's guard, shortcut, full)."""
    guard, money = cellsql.money_expr("c", kind)
    dirty = cellsql.dirty_number_expr("c", kind)
    full_path = f"COALESCE(TRY_CAST(c AS {kind}), {dirty})"
    query = (
        f"SELECT c, {cellsql.number_expr('c', kind)}, {full_path}, {guard}, {money}, "
        f"{dirty} FROM unnest($cells) AS t(c)"
    )
    return con.execute(query, {"cells": values}).fetchall()


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    return duckdb.connect()


@settings(max_examples=scaled(300), deadline=None)
@given(cells)
@example(["1,2,3", "12,34", "￥", "-", "(1,234)", "￥1,234.50", "1,234,567.", "$.5", "￥,123"])
@example(["1234,567", "¥1,23", "€0", "$1,000,000.0001", "￥12,345.678901", "1,000 "])
@example(["-1,234", "+1,234", "1,234-", "(1,234", "1,234%", " ￥1,234", "１,234", "1,234.5.6"])
def test_the_money_shortcut_is_the_full_cleaning(
    con: duckdb.DuckDBPyConnection, values: list[str]
) -> None:
    # DECIMAL(18, 4) for sums; DOUBLE for a formula's operands (every digit kept).
    for kind in (cellsql.NUMBER_TYPE, "DOUBLE"):
        for cell, value, full_path, guarded, shortcut, full in _values(con, values, kind):
            assert value == full_path, (kind, cell)
            if guarded:
                assert shortcut == full, (kind, cell)


@pytest.mark.parametrize(
    ("cell", "expected", "guarded"),
    [
        ("￥1,234.50", Decimal("1234.50"), True),
        ("¥88", Decimal("88"), True),
        ("$1,000,000.25", Decimal("1000000.25"), True),
        ("€0.5", Decimal("0.5"), True),
        ("1,234", Decimal("1234"), True),
        ("1,2,3", None, False),  # not groups of three
        ("12,34", None, False),
        ("1234,567", None, False),
        ("￥", None, False),  # a sign and no digits
        ("-", None, False),  # a missing value, not a number
        ("(1,234)", Decimal("-1234"), False),  # accounting negative: the full cleaning
        ("-￥5", Decimal("-5"), False),
        ("￥ 5", Decimal("5"), False),
        ("１,２３４", Decimal("1234"), False),  # full-width digits: the full cleaning
        ("5%", Decimal("0.05"), False),
    ],
)
def test_cells_by_hand(
    con: duckdb.DuckDBPyConnection, cell: str, expected: Decimal | None, guarded: bool
) -> None:
    ((_, value, _, guard, _, _),) = _values(con, [cell])
    assert value == expected
    assert bool(guard) is guarded
