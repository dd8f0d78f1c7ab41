"""Properties of weekly rows in alerts, reports, growth and pacing (hypothesis).

For any weekly series and as-of: an alert's value is the sum of the rows whose
whole week lies in the rule's window, and the window it prints is exactly the
weeks it summed; a report's window and the one it is compared with hold the
same number of whole weeks; growth compares as many rows; pacing does not move
while no new row can be counted. The expected weeks are found here by walking
the days, not with the code under test.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from promoplan.actuals.model import Cell, Cube, CubeRow
from promoplan.alerting import firing_alerts
from promoplan.evaluate import Evaluator
from promoplan.loader import load_plan
from promoplan.model import AlertRule, Goal, Metric, Plan
from promoplan.modelactuals import ActualsSection
from promoplan.rollup import Rollup
from promoplan.rowspans import report_windows, summed
from promoplan.vocabulary import ReportKind, RuleWindow, WeekStart
from promoplan.windows import calendar_quarter, month_of, parse_period, report_window

EXAMPLES = Path(__file__).resolve().parents[1] / "plans" / "examples"
DAY = dt.timedelta(days=1)
FIRST = {"monday": dt.date(2023, 1, 2), "sunday": dt.date(2023, 1, 1)}  # the first row's date
_BASE = load_plan(EXAMPLES / "weekly.yaml").plan
assert _BASE is not None
BASE: Plan = _BASE


def plan_for(week_start: WeekStart, window: RuleWindow = "quarter") -> Plan:
    """The weekly example with one summed metric x, one alert that fires on any value."""
    return BASE.model_copy(
        update={
            "actuals": ActualsSection.model_validate(
                {"date": "week", "grain": "weekly", "week_start": week_start}
            ),
            "metrics": {"x": Metric.model_validate({"column": "x"})},
            "goals": {"total": Goal.model_validate({"metric": "x", "at_least": 1_000_000})},
            "alerts": {
                "any": AlertRule.model_validate({"metric": "x", "window": window, "above": -1})
            },
        }
    )


def cube_of(values: list[int], week_start: WeekStart) -> Cube:
    first = FIRST[week_start]
    rows = tuple(
        CubeRow(day=first + 7 * i * DAY, dims=(), cells=(Cell(Decimal(v), 1, None, None),))
        for i, v in enumerate(values)
    )
    return Cube(dimensions=(), columns=("x",), rows=rows)


def whole_weeks(start: dt.date, end: dt.date, week_start: WeekStart) -> list[dt.date]:
    """The first days of the weeks lying wholly in start..end, walking day by day."""
    weekday = 0 if week_start == "monday" else 6
    out, day = [], start
    while day + 6 * DAY <= end:
        if day.weekday() == weekday:
            out.append(day)
        day += DAY
    return out


def row_sum(values: list[int], week_start: WeekStart, weeks: list[dt.date]) -> int:
    first = FIRST[week_start]
    return sum(
        values[(d - first).days // 7] for d in weeks if 0 <= (d - first).days // 7 < len(values)
    )


def asked_window(window: RuleWindow, as_of: dt.date, week_start: WeekStart) -> tuple[dt.date, ...]:
    """The days a rule asks for, before any narrowing (SPEC section 5, "Alerts")."""
    if window == "quarter":
        quarter = calendar_quarter(as_of.year, (as_of.month + 2) // 3)
        return quarter.start, as_of
    if window == "month":
        return month_of(as_of).start, as_of
    if window == "period":
        return dt.date(2024, 1, 1), min(as_of, dt.date(2024, 12, 31))
    last = 6 if week_start == "monday" else 5  # the weekday a week ends on
    end = as_of - (as_of.weekday() - last) % 7 * DAY
    return end - 6 * DAY, end


# From 2023 into 2024 at least (56 weeks), at most into 2025: the windows asked lie in 2024.
series = st.lists(st.integers(min_value=0, max_value=10_000), min_size=56, max_size=130)
starts = st.sampled_from(["monday", "sunday"])
as_of_days = st.integers(min_value=0, max_value=365).map(lambda n: dt.date(2024, 1, 1) + n * DAY)


@settings(max_examples=150, deadline=None)
@given(
    values=series,
    week_start=starts,
    window=st.sampled_from(["week", "month", "quarter", "period"]),
    as_of=as_of_days,
)
def test_an_alert_sums_the_weeks_inside_its_window_and_prints_exactly_them(
    values: list[int], week_start: WeekStart, window: RuleWindow, as_of: dt.date
) -> None:
    plan = plan_for(week_start, window)
    ytd = summed(parse_period("ytd", plan, as_of), "weekly", week_start)
    ev = Evaluator(plan, cube_of(values, week_start), as_of=as_of, window=ytd)
    start, end = asked_window(window, as_of, week_start)
    weeks = whole_weeks(start, end, week_start)
    with_data = [d for d in weeks if 0 <= (d - FIRST[week_start]).days // 7 < len(values)]
    alerts = firing_alerts(ev)
    if not with_data:
        assert alerts == ()
        return
    [alert] = alerts
    assert alert.value == float(row_sum(values, week_start, weeks))
    label = alert.window.split(" (")[0]
    shown = f"{weeks[0].isoformat()}..{(weeks[-1] + 6 * DAY).isoformat()}"
    count = f"{len(weeks)} week" + ("s" if len(weeks) > 1 else "")
    # The window printed covers the weeks summed, no day more or less.
    assert alert.window == f"{label} ({shown}, {count})"


@settings(max_examples=150, deadline=None)
@given(
    values=series,
    week_start=starts,
    kind=st.sampled_from(["week", "month", "quarter"]),
    which=st.sampled_from(["last", "this"]),
    as_of=as_of_days,
)
def test_a_report_compares_as_many_whole_weeks_right_before(
    values: list[int], week_start: WeekStart, kind: ReportKind, which: str, as_of: dt.date
) -> None:
    plan = plan_for(week_start)
    window, previous = report_windows(kind, which, plan, as_of)
    asked = report_window(kind, which, plan, as_of)
    weeks = whole_weeks(asked.start, asked.end, week_start)
    rollup = Rollup(plan, cube_of(values, week_start))
    if not weeks:
        assert window.end < window.start
        assert rollup.value("x", window.start, window.end) is None
        return
    assert (window.start, window.end) == (weeks[0], weeks[-1] + 6 * DAY)
    assert window.summed == previous.summed == f"{len(weeks)} week" + "s" * (len(weeks) > 1)
    before = [weeks[0] - 7 * len(weeks) * DAY + 7 * k * DAY for k in range(len(weeks))]
    assert (previous.start, previous.end) == (before[0], window.start - DAY)
    assert f"{previous.start.isoformat()}.." in previous.label
    for shown, summed_weeks in ((window, weeks), (previous, before)):
        expected = row_sum(values, week_start, summed_weeks)
        got = rollup.value("x", shown.start, shown.end)
        has_data = any(0 <= (d - FIRST[week_start]).days // 7 < len(values) for d in summed_weeks)
        assert got == (float(expected) if has_data else None)


@settings(max_examples=100, deadline=None)
@given(week_start=starts, first=st.integers(0, 365), length=st.integers(0, 200))
def test_growth_compares_as_many_rows_a_year_earlier(
    week_start: WeekStart, first: int, length: int
) -> None:
    plan = plan_for(week_start)
    values = [1] * 160  # a row every week from 2023 into 2026: counts rows
    rollup = Rollup(plan, cube_of(values, week_start))
    start = dt.date(2024, 1, 1) + first * DAY
    end = start + length * DAY
    now = rollup.value("x", start, end)
    then = rollup.value("x", *rollup.year_earlier(start, end))
    assert now == then == (float(len(whole_weeks(start, end, week_start))) or None)


@settings(max_examples=100, deadline=None)
@given(values=series, week_start=starts, as_of=as_of_days)
def test_pacing_stands_still_until_the_next_whole_week_is_counted(
    values: list[int], week_start: WeekStart, as_of: dt.date
) -> None:
    """Mid-week, neither the actual nor the expected amount moves: no new row counts yet."""
    plan = plan_for(week_start)
    last = 6 if week_start == "monday" else 5
    week_end = as_of - (as_of.weekday() - last) % 7 * DAY
    if week_end < dt.date(2024, 1, 1):
        return  # the period has not started at the week's end
    goals = []
    for day in (as_of, week_end):
        window = summed(parse_period("ytd", plan, day), "weekly", week_start)
        ev = Evaluator(plan, cube_of(values, week_start), as_of=day, window=window)
        goals.append(ev.goals())
    [now], [then] = goals
    assert (now.actual, now.expected) == (then.actual, then.expected)
    assert now.window == then.window
