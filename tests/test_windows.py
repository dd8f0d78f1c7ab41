"""Windows, --period parsing and pacing (SPEC section 5), with hand-computed numbers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from promoplan.errors import UsageProblem
from promoplan.model import Plan
from promoplan.pacing import Pacing, paced_fraction, quarter_weights
from promoplan.result import Window
from promoplan.windows import (
    iso_week,
    last_complete_month,
    last_complete_week,
    pacing_span,
    parse_period,
    plan_quarter,
    previous_window,
    week_of,
    year_earlier,
)

D = dt.date


def make_plan(period: Any = 2025, weights: tuple[str, ...] | None = None, **extra: Any) -> Plan:
    """A minimal plan; ``weights`` for Q1..Q4."""
    data: dict[str, Any] = {"promoplan": 1, "name": "test", "period": period, **extra}
    if weights is not None:
        data["quarters"] = {f"Q{i + 1}": {"weight": w} for i, w in enumerate(weights)}
    return Plan.model_validate(data)


WEIGHTED = make_plan(weights=("20%", "25%", "20%", "35%"))
PLAIN = make_plan()
AS_OF = D(2025, 6, 29)


@pytest.mark.parametrize(
    ("text", "label", "start", "end"),
    [
        (None, "ytd", D(2025, 1, 1), D(2025, 6, 29)),
        ("ytd", "ytd", D(2025, 1, 1), D(2025, 6, 29)),
        ("YTD", "ytd", D(2025, 1, 1), D(2025, 6, 29)),
        ("qtd", "qtd", D(2025, 4, 1), D(2025, 6, 29)),
        ("mtd", "mtd", D(2025, 6, 1), D(2025, 6, 29)),
        ("last-week", "2025-W26", D(2025, 6, 23), D(2025, 6, 29)),
        ("Q2", "2025-Q2", D(2025, 4, 1), D(2025, 6, 30)),
        ("q4", "2025-Q4", D(2025, 10, 1), D(2025, 12, 31)),
        ("2025", "2025", D(2025, 1, 1), D(2025, 12, 31)),
        ("2025-Q2", "2025-Q2", D(2025, 4, 1), D(2025, 6, 30)),
        ("2025-06", "2025-06", D(2025, 6, 1), D(2025, 6, 30)),
        ("2025-02", "2025-02", D(2025, 2, 1), D(2025, 2, 28)),
        ("2025-W23", "2025-W23", D(2025, 6, 2), D(2025, 6, 8)),
        ("2025-W01", "2025-W01", D(2024, 12, 30), D(2025, 1, 5)),
    ],
)
def test_parse_period(text: str | None, label: str, start: dt.date, end: dt.date) -> None:
    assert parse_period(text, PLAIN, AS_OF) == Window(label, start, end)


def test_last_week_on_a_sunday_is_that_week() -> None:
    assert parse_period("last-week", PLAIN, D(2025, 6, 22)) == Window(
        "2025-W25", D(2025, 6, 16), D(2025, 6, 22)
    )


def test_plan_quarter_of_a_fiscal_year_keeps_its_name() -> None:
    fiscal = make_plan({"start": "2025-04-01", "end": "2026-03-31"})
    # The fiscal Q1 has the dates of the calendar's 2025-Q2 but keeps the plan's name.
    assert parse_period("Q1", fiscal, D(2025, 5, 1)) == Window("Q1", D(2025, 4, 1), D(2025, 6, 30))
    shifted = make_plan({"start": "2025-02-01", "end": "2026-01-31"})
    assert plan_quarter(shifted, "Q1") == Window("Q1", D(2025, 2, 1), D(2025, 4, 30))


@pytest.mark.parametrize(
    "text", ["tomorrow", "Q5", "2025-13", "2025-W54", "2025-Q0", "25-06", "2024", "2026-Q1"]
)
def test_bad_period_is_a_usage_problem(text: str) -> None:
    with pytest.raises(UsageProblem) as caught:
        parse_period(text, PLAIN, AS_OF)
    message = str(caught.value)
    assert repr(text) in message
    assert "ytd" in message or "outside the plan period" in message


@pytest.mark.parametrize("text", ["ytd", "qtd", "mtd", "last-week"])
def test_an_as_of_before_the_period_is_a_usage_problem(text: str) -> None:
    # 2024-12-31 under a 2025 plan: ytd would be 2025-01-01..2024-12-31, mtd 2024-12.
    with pytest.raises(UsageProblem) as caught:
        parse_period(text, PLAIN, D(2024, 12, 31))
    assert str(caught.value) == (
        "--as-of 2024-12-31 is before the plan period 2025-01-01..2025-12-31: "
        f"--period {text} has no day in it yet; pass an --as-of within it"
    )


@pytest.mark.parametrize(
    ("text", "as_of", "window"),
    [
        ("mtd", D(2026, 1, 15), "2026-01-01..2026-01-15"),
        ("last-week", D(2026, 1, 12), "2026-01-05..2026-01-11"),
    ],
)
def test_a_relative_window_after_the_period_is_a_usage_problem(
    text: str, as_of: dt.date, window: str
) -> None:
    with pytest.raises(UsageProblem) as caught:
        parse_period(text, PLAIN, as_of)
    assert f"({window}) lies outside the plan period 2025-01-01..2025-12-31" in str(caught.value)


def test_relative_windows_at_the_period_edges() -> None:
    first, last = D(2025, 1, 1), D(2025, 12, 31)
    assert parse_period("ytd", PLAIN, first) == Window("ytd", first, first)
    assert parse_period("mtd", PLAIN, first) == Window("mtd", first, first)
    # After the period, ytd is the whole period, and a week that reaches into it counts.
    assert parse_period("ytd", PLAIN, D(2026, 1, 15)) == Window("ytd", first, last)
    assert parse_period("last-week", PLAIN, D(2026, 1, 5)).start == D(2025, 12, 29)


def test_iso_weeks_across_the_year_boundary() -> None:
    assert week_of(D(2024, 12, 30)).label == "2025-W01"
    assert week_of(D(2024, 12, 29)).label == "2024-W52"
    assert week_of(D(2021, 1, 3)).label == "2020-W53"
    assert iso_week(2020, 53) == Window("2020-W53", D(2020, 12, 28), D(2021, 1, 3))
    # A Sunday closes its week; any other day falls back to the week before.
    assert last_complete_week(D(2025, 1, 5)) == Window("2025-W01", D(2024, 12, 30), D(2025, 1, 5))
    assert last_complete_week(D(2025, 1, 4)) == Window("2024-W52", D(2024, 12, 23), D(2024, 12, 29))


def test_last_complete_month() -> None:
    assert last_complete_month(D(2025, 6, 29)).label == "2025-05"
    assert last_complete_month(D(2025, 6, 30)).label == "2025-06"
    assert last_complete_month(D(2025, 1, 15)) == Window("2024-12", D(2024, 12, 1), D(2024, 12, 31))


def test_year_earlier_and_previous_window() -> None:
    assert year_earlier(D(2024, 2, 29)) == D(2023, 2, 28)
    assert year_earlier(D(2025, 3, 1)) == D(2024, 3, 1)
    week = Window("2025-W26", D(2025, 6, 23), D(2025, 6, 29))
    assert previous_window(week) == Window("before 2025-W26", D(2025, 6, 16), D(2025, 6, 22))
    mtd = Window("mtd", D(2025, 6, 1), D(2025, 6, 29))
    assert previous_window(mtd).start == D(2025, 5, 3)
    assert previous_window(mtd).end == D(2025, 5, 31)


def test_quarter_weights_default_to_days() -> None:
    assert quarter_weights(PLAIN) == {"Q1": 90.0, "Q2": 91.0, "Q3": 92.0, "Q4": 92.0}
    assert quarter_weights(WEIGHTED) == {"Q1": 0.2, "Q2": 0.25, "Q3": 0.2, "Q4": 0.35}


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (D(2024, 12, 31), 0.0),
        (D(2025, 1, 1), 0.2 * 1 / 90),
        (D(2025, 3, 31), 0.2),  # Q1's last day
        (D(2025, 4, 1), 0.2 + 0.25 * 1 / 91),  # Q2's first day
        (D(2025, 6, 29), 0.2 + 0.25 * 90 / 91),
        (D(2025, 6, 30), 0.45),
        (D(2025, 11, 15), 0.65 + 0.35 * 46 / 92),
        (D(2025, 12, 31), 1.0),
        (D(2026, 2, 1), 1.0),
    ],
)
def test_paced_fraction_with_weights(as_of: dt.date, expected: float) -> None:
    assert paced_fraction(WEIGHTED, D(2025, 1, 1), D(2025, 12, 31), as_of) == pytest.approx(
        expected, abs=1e-12
    )


def test_paced_fraction_in_a_leap_year_by_days() -> None:
    leap = make_plan(2024)
    assert paced_fraction(leap, D(2024, 1, 1), D(2024, 12, 31), D(2024, 2, 29)) == pytest.approx(
        60 / 366
    )
    assert paced_fraction(leap, D(2024, 1, 1), D(2024, 12, 31), D(2024, 3, 31)) == pytest.approx(
        91 / 366
    )


def test_paced_fraction_within_a_window() -> None:
    # June lies inside Q2: weights are spread evenly over the quarter's days.
    assert paced_fraction(WEIGHTED, D(2025, 6, 1), D(2025, 6, 30), D(2025, 6, 10)) == pytest.approx(
        10 / 30
    )
    # W14 of 2025 runs Mon 31 March (Q1, 0.2/90 a day) to Sun 6 April (Q2, 0.25/91 a day).
    q1_day, q2_day = 0.2 / 90, 0.25 / 91
    whole = q1_day + 6 * q2_day
    assert paced_fraction(WEIGHTED, D(2025, 3, 31), D(2025, 4, 6), D(2025, 4, 1)) == pytest.approx(
        (q1_day + q2_day) / whole
    )
    pacing = Pacing(WEIGHTED)
    assert pacing.share(
        D(2025, 1, 1), D(2025, 3, 31), D(2025, 1, 1), D(2025, 12, 31)
    ) == pytest.approx(0.2)
    assert pacing.share(
        D(2025, 6, 1), D(2025, 6, 30), D(2025, 1, 1), D(2025, 12, 31)
    ) == pytest.approx(0.25 * 30 / 91)


def test_pacing_span_of_to_date_windows() -> None:
    ytd = parse_period("ytd", WEIGHTED, AS_OF)
    assert pacing_span(WEIGHTED, ytd) == Window("ytd", D(2025, 1, 1), D(2025, 12, 31))
    qtd = parse_period("qtd", WEIGHTED, AS_OF)
    assert pacing_span(WEIGHTED, qtd) == Window("qtd", D(2025, 4, 1), D(2025, 6, 30))
    mtd = parse_period("mtd", WEIGHTED, D(2025, 2, 10))
    assert pacing_span(WEIGHTED, mtd) == Window("mtd", D(2025, 2, 1), D(2025, 2, 28))


def _days(start: dt.date, end: dt.date) -> int:
    return (end - start).days + 1


weights = st.lists(st.integers(min_value=0, max_value=100), min_size=4, max_size=4).filter(
    lambda w: sum(w) > 0
)
years = st.integers(min_value=2000, max_value=2040)


@given(years, weights, st.integers(0, 400), st.integers(0, 400))
def test_pacing_rises_monotonically_and_ends_at_one(
    year: int, w: list[int], a: int, b: int
) -> None:
    total = sum(w)
    plan = make_plan(year, tuple(f"{100 * x / total}%" for x in w)) if total else make_plan(year)
    start, end = D(year, 1, 1), D(year, 12, 31)
    first, second = sorted((start + dt.timedelta(days=a - 10), start + dt.timedelta(days=b - 10)))
    low = paced_fraction(plan, start, end, first)
    high = paced_fraction(plan, start, end, second)
    assert 0.0 <= low <= high <= 1.0
    assert paced_fraction(plan, start, end, end) == 1.0
    assert paced_fraction(plan, start, end, start - dt.timedelta(days=1)) == 0.0


@given(years, st.integers(0, 365))
def test_default_pacing_is_the_fraction_of_days(year: int, offset: int) -> None:
    plan = make_plan(year)
    start, end = D(year, 1, 1), D(year, 12, 31)
    as_of = min(end, start + dt.timedelta(days=offset))
    assert paced_fraction(plan, start, end, as_of) == pytest.approx(
        _days(start, as_of) / _days(start, end)
    )


@given(st.integers(0, 363))
def test_equal_weights_over_equal_quarters_are_the_fraction_of_days(offset: int) -> None:
    # Four quarters of 91 days each, 25% each: pacing by weight and by days agree.
    start = D(2025, 1, 6)
    quarters = {
        f"Q{i + 1}": {
            "weight": "25%",
            "start": (start + dt.timedelta(days=91 * i)).isoformat(),
            "end": (start + dt.timedelta(days=91 * (i + 1) - 1)).isoformat(),
        }
        for i in range(4)
    }
    end = start + dt.timedelta(days=363)
    plan = Plan.model_validate(
        {"promoplan": 1, "name": "t", "period": {"start": start, "end": end}, "quarters": quarters}
    )
    as_of = start + dt.timedelta(days=offset)
    assert paced_fraction(plan, start, end, as_of) == pytest.approx((offset + 1) / 364)


@given(years, st.integers(1, 4))
def test_equal_weights_reach_each_quarter_in_steps_of_a_quarter(year: int, quarter: int) -> None:
    plan = make_plan(year, ("25%", "25%", "25%", "25%"))
    quarter_end = plan.quarter_spans()[f"Q{quarter}"][1]
    fraction = paced_fraction(plan, D(year, 1, 1), D(year, 12, 31), quarter_end)
    assert fraction == pytest.approx(quarter / 4)
