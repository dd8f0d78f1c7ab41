"""Metric values from a hand-built daily cube: aggregations, filters, groups, formulas."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from profiles import scaled
from promoplan.actuals.model import Cell, Cube, CubeRow
from promoplan.model import Plan
from promoplan.rollup import Rollup, and_filters, normalise_where

D = dt.date


def cell(*values: float | str) -> Cell:
    """A cell holding these values (their sum, count, min and max)."""
    numbers = [Decimal(str(v)) for v in values]
    return Cell(sum(numbers, Decimal(0)), len(numbers), min(numbers), max(numbers))


def make_cube(
    dimensions: tuple[str, ...], columns: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> Cube:
    """Rows as (date, dims..., cells...); a cell is a number, a tuple of numbers or None."""
    built = []
    for row in rows:
        day = D.fromisoformat(row[0])
        dims = tuple(row[1 : 1 + len(dimensions)])
        cells = tuple(
            None if v is None else cell(*v) if isinstance(v, tuple) else cell(v)
            for v in row[1 + len(dimensions) :]
        )
        built.append(CubeRow(day, dims, cells))
    return Cube(dimensions, columns, tuple(built))


PLAN = Plan.model_validate(
    {
        "promoplan": 1,
        "name": "t",
        "period": 2025,
        "metrics": {
            "gmv": {"column": "gmv", "unit": "currency"},
            "spend": {"column": "spend", "unit": "currency"},
            "orders": {"column": "orders"},
            "nps": {"column": "nps", "agg": "mean", "unit": "number"},
            "nps_low": {"column": "nps", "agg": "min", "unit": "number"},
            "nps_high": {"column": "nps", "agg": "max", "unit": "number"},
            "nps_answers": {"column": "nps", "agg": "count"},
            "members": {"column": "members", "agg": "last"},
            "video_spend": {"column": "spend", "where": {"channel": ["douyin", "kuaishou"]}},
            "roi": {"formula": "gmv / spend", "unit": "ratio"},
            "net": {"formula": "gmv - spend", "unit": "currency"},
            "video_share": {"formula": "video_spend / spend", "unit": "percent"},
            "aov": {"formula": "gmv / orders"},
            "missing": {"column": "no_such_column"},
            "uses_missing": {"formula": "gmv / missing"},
        },
    }
)

CUBE = make_cube(
    ("channel", "region"),
    ("gmv", "spend", "orders", "nps", "members"),
    [
        ("2025-01-01", "douyin", "north", 100, 50, 4, (40, 50), 10),
        ("2025-01-01", "wecom", "north", 300, 30, 6, None, 20),
        ("2025-01-02", "douyin", "south", 200, 150, 5, 60, None),
        ("2025-01-02", "kuaishou", "north", 90, 10, 1, None, 7),
        ("2025-01-03", "wecom", " south ", 0, 0, 0, None, None),
        ("2025-01-05", None, "north", 10, None, 1, None, None),
        ("2024-01-02", "douyin", "south", 80, 40, 2, None, None),
    ],
)


# The same rows in date order, as the engines give them: the roll-up then takes its
# paths that need no sort (groups straight from a dimension's index).
ORDERED_CUBE = Cube(
    CUBE.dimensions, CUBE.columns, tuple(sorted(CUBE.rows, key=lambda row: row.day))
)


@pytest.fixture(
    params=[(CUBE, False), (ORDERED_CUBE, False), (CUBE, True), (ORDERED_CUBE, True)],
    ids=["unordered", "ordered", "unordered-direct", "ordered-direct"],
)
def rollup(request: pytest.FixtureRequest) -> Rollup:
    """The roll-up over each cube; "direct": every grouping summed over the window's rows
    (as for a dimension of thousands of values) instead of read from Series."""
    cube, direct = request.param
    built = Rollup(PLAN, cube)
    if direct:
        built.totals.many_groups = 0
    return built


JAN1, JAN2, JAN5 = D(2025, 1, 1), D(2025, 1, 2), D(2025, 1, 5)


def test_sum_over_a_range(rollup: Rollup) -> None:
    assert rollup.value("gmv", JAN1, JAN5) == 700
    assert rollup.value("gmv", JAN2, JAN2) == 290
    assert rollup.value("spend", JAN1, JAN5) == 240
    assert rollup.value("gmv", D(2024, 1, 1), D(2024, 12, 31)) == 80


def test_no_value_in_range_is_none_not_zero(rollup: Rollup) -> None:
    assert rollup.value("gmv", D(2025, 2, 1), D(2025, 2, 28)) is None
    assert rollup.value("gmv", JAN5, JAN1) is None  # an empty range
    assert rollup.value("missing", JAN1, JAN5) is None
    assert rollup.value("uses_missing", JAN1, JAN5) is None
    assert rollup.value("unknown_metric", JAN1, JAN5) is None


def test_count_mean_min_max(rollup: Rollup) -> None:
    # nps values: 40 and 50 on Jan 1 (douyin), 60 on Jan 2.
    assert rollup.value("nps_answers", JAN1, JAN5) == 3
    assert rollup.value("nps", JAN1, JAN5) == 50  # (40 + 50 + 60) / 3, not a mean of daily means
    assert rollup.value("nps", JAN1, JAN1) == 45
    assert rollup.value("nps_low", JAN1, JAN5) == 40
    assert rollup.value("nps_high", JAN1, JAN5) == 60


def test_last_is_the_latest_date_summed_over_dimensions(rollup: Rollup) -> None:
    assert rollup.value("members", JAN1, JAN5) == 7  # Jan 2 is the latest day with members
    assert rollup.value("members", JAN1, JAN1) == 30  # douyin 10 + wecom 20
    assert rollup.by_group("members", "channel", JAN1, JAN5) == {
        "douyin": 10,
        "kuaishou": 7,
        "wecom": 20,
    }


def test_formulas_are_evaluated_on_aggregates(rollup: Rollup) -> None:
    # 700 / 240, not the mean of daily ROIs (400/80 and 290/160).
    assert rollup.value("roi", JAN1, JAN5) == pytest.approx(700 / 240)
    assert rollup.value("net", JAN1, JAN5) == 460
    assert rollup.value("aov", JAN1, JAN5) == pytest.approx(700 / 17)
    assert rollup.value("video_share", JAN1, JAN5) == pytest.approx(210 / 240)


def test_division_by_zero_is_none(rollup: Rollup) -> None:
    d3 = D(2025, 1, 3)
    assert rollup.value("spend", d3, d3) == 0
    assert rollup.value("roi", d3, d3) is None


def test_metric_where_and_extra_where(rollup: Rollup) -> None:
    assert rollup.value("video_spend", JAN1, JAN5) == 210
    assert rollup.value("spend", JAN1, JAN5, {"region": "north"}) == 90
    # The metric's own where ANDed with the extra one.
    assert rollup.value("video_spend", JAN1, JAN5, {"region": "north"}) == 60
    assert rollup.value("video_spend", JAN1, JAN5, {"channel": "wecom"}) is None
    assert rollup.value("spend", JAN1, JAN5, {"region": ["south"]}) == 150  # " south " is trimmed
    assert rollup.value("gmv", JAN1, JAN5, {"no_such_dimension": "x"}) is None


def test_by_group(rollup: Rollup) -> None:
    assert rollup.by_group("gmv", "channel", JAN1, JAN5) == {
        "douyin": 300,
        "kuaishou": 90,
        "wecom": 300,
    }
    with_missing = rollup.by_group("gmv", "channel", JAN1, JAN5, keep_missing=True)
    assert with_missing[None] == 10
    roi = rollup.by_group("roi", "channel", JAN1, JAN5)
    assert roi == {"douyin": pytest.approx(1.5), "kuaishou": pytest.approx(9.0), "wecom": 10.0}
    assert rollup.by_group("gmv", "region", JAN1, JAN5) == {"north": 500, "south": 200}


def test_by_group_with_a_where(rollup: Rollup) -> None:
    # On the grouping dimension itself: only the groups it allows.
    two = {"channel": ["douyin", "wecom"]}
    assert rollup.by_group("gmv", "channel", JAN1, JAN5, two) == {"douyin": 300, "wecom": 300}
    # On another dimension: douyin's Jan 1 row is north, its Jan 2 row south.
    north = rollup.by_group("gmv", "channel", JAN1, JAN5, {"region": "north"})
    assert north == {"douyin": 100, "kuaishou": 90, "wecom": 300}
    south = rollup.by_group("gmv", "channel", JAN1, JAN5, {"region": "south"})
    assert south == {"douyin": 200, "wecom": 0}  # wecom's " south " row holds a 0


def test_filters_combine_by_intersection() -> None:
    first = normalise_where({"channel": ["douyin", "kuaishou"], "region": "north"})
    second = normalise_where({"channel": "douyin"})
    assert and_filters(first, second) == (
        ("channel", frozenset({"douyin"})),
        ("region", frozenset({"north"})),
    )
    assert normalise_where({"store": 12}) == (("store", frozenset({"12"})),)


def test_cumulative_kinds(rollup: Rollup) -> None:
    assert rollup.is_cumulative("gmv")
    assert rollup.is_cumulative("nps_answers")
    assert rollup.is_cumulative("net")
    assert not rollup.is_cumulative("nps")
    assert not rollup.is_cumulative("members")
    assert not rollup.is_cumulative("roi")


@pytest.mark.slow
def test_many_queries_over_a_few_thousand_rows_are_fast() -> None:
    channels = ["douyin", "kuaishou", "wecom", "xhs", "search", "organic", "mini", "live"]
    rows = []
    start = D(2024, 1, 1)
    for day in range(730):
        for index, channel in enumerate(channels):
            date = (start + dt.timedelta(days=day)).isoformat()
            rows.append((date, channel, "north", 100 + index, 10 + day % 7, 3, 50, 1000))
    cube = make_cube(("channel", "region"), ("gmv", "spend", "orders", "nps", "members"), rows)
    rollup = Rollup(PLAN, cube)
    began = time.perf_counter()
    for week in range(52):
        first = D(2025, 1, 6) + dt.timedelta(days=7 * week)
        for metric in ("gmv", "roi", "aov", "video_share", "nps"):
            rollup.value(metric, first, first + dt.timedelta(days=6))
            rollup.by_group(metric, "channel", first, first + dt.timedelta(days=6))
    assert rollup.value("gmv", D(2025, 1, 1), D(2025, 1, 1)) == sum(100 + i for i in range(8))
    # 520 range queries over 5,840 cube rows: indexed once, then binary searches.
    # About 0.1 s here; a scan of every row per query takes seconds. A generous bound:
    assert time.perf_counter() - began < 2.0


VALUES = st.sampled_from(["douyin", "wecom", " wecom ", "kuaishou", "", None])
NUMBERS = st.one_of(
    st.none(),
    st.integers(-50, 500),
    st.tuples(st.integers(0, 99), st.integers(0, 99)),
    st.decimals(min_value=-10, max_value=10, places=2, allow_nan=False, allow_infinity=False),
)


@st.composite
def cubes(draw: st.DrawFn) -> Cube:
    """Rows on a few dates in any order, channels and regions with spaces and gaps,
    cells missing, zero, negative, several values or decimals."""
    rows = []
    for _ in range(draw(st.integers(0, 25))):
        day = dt.date(2025, 1, 1) + dt.timedelta(days=draw(st.integers(0, 9)))
        rows.append(
            (day.isoformat(), draw(VALUES), draw(VALUES), *(draw(NUMBERS) for _ in range(5)))
        )
    return make_cube(("channel", "region"), ("gmv", "spend", "orders", "nps", "members"), rows)


QUERIES = st.tuples(
    st.integers(0, 9),  # the window's first day, from Jan 1
    st.integers(0, 9),  # and its length in days
    st.sampled_from(["channel", "region", "store"]),
    st.sampled_from(["gmv", "nps", "nps_answers", "roi", "video_spend", "video_share"]),
    st.sampled_from([None, {"region": "north"}, {"channel": ["wecom", "douyin"]}]),
)


@settings(max_examples=scaled(300))
@given(cube=cubes(), query=QUERIES)
def test_summing_the_window_directly_gives_what_series_give(
    cube: Cube, query: tuple[int, int, str, str, dict[str, Any] | None]
) -> None:
    first, length, by, metric, where = query
    start = dt.date(2025, 1, 1) + dt.timedelta(days=first)
    end = start + dt.timedelta(days=length)
    series = Rollup(PLAN, cube)
    direct = Rollup(PLAN, cube)
    direct.totals.many_groups = 0
    for keep in (False, True):
        expected = series.by_group(metric, by, start, end, where, keep_missing=keep)
        assert direct.by_group(metric, by, start, end, where, keep_missing=keep) == expected
