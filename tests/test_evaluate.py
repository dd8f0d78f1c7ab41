"""Goals, budget and alerts against hand-built cubes; every number worked out by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from promoplan.actuals.model import Actuals, Cell, Cube, CubeRow
from promoplan.evaluate import evaluate
from promoplan.model import Plan
from promoplan.result import AlertResult, BudgetRow, GoalProgress, PlanResult, Window
from promoplan.windows import parse_period

D = dt.date
COLUMNS = ("gmv", "spend", "orders", "uv", "nps", "wecom_adds", "ugc_posts")

METRICS: dict[str, Any] = {
    "gmv": {"column": "gmv", "unit": "currency"},
    "spend": {"column": "spend", "unit": "currency"},
    "orders": {"column": "orders"},
    "uv": {"column": "uv"},
    "nps": {"column": "nps", "agg": "mean", "unit": "number"},
    "wecom_adds": {"column": "wecom_adds"},
    "ugc_posts": {"column": "ugc_posts"},
    "returns": {"column": "returns"},  # in no actuals file
    "conversion": {"formula": "orders / uv", "unit": "percent"},
    "roi": {"formula": "gmv / spend", "unit": "ratio"},
    "expense_ratio": {"formula": "spend / gmv", "unit": "percent"},
}
WEIGHTS = {
    "Q1": {"weight": "20%"},
    "Q2": {"weight": "25%"},
    "Q3": {"weight": "20%"},
    "Q4": {"weight": "35%"},
}


def make_plan(**sections: Any) -> Plan:
    """A 2025 plan with the metrics above and the given sections."""
    data: dict[str, Any] = {"promoplan": 1, "name": "test", "period": 2025, "metrics": METRICS}
    data.update(sections)
    return Plan.model_validate(data)


def make_actuals(rows: list[tuple[str, str | None, dict[str, float]]]) -> Actuals:
    """Cube rows as (date, channel, {column: value})."""
    built = []
    for day, channel, values in rows:
        cells = tuple(None if column not in values else _cell(values[column]) for column in COLUMNS)
        built.append(CubeRow(D.fromisoformat(day), (channel,), cells))
    return Actuals(Cube(("channel",), COLUMNS, tuple(built)), (), ())


def _cell(value: float) -> Cell:
    number = Decimal(str(value))
    return Cell(number, 1, number, number)


def run(plan: Plan, actuals: Actuals, as_of: dt.date, period: str | None = None) -> PlanResult:
    window = parse_period(period, plan, as_of)
    return evaluate(plan, actuals, file="plan.yaml", as_of=as_of, window=window)


def goal(result: PlanResult, goal_id: str) -> GoalProgress:
    (found,) = [g for g in result.goals if g.id == goal_id]
    return found


def budget_row(result: PlanResult, line: str) -> BudgetRow:
    (found,) = [b for b in result.budget if b.line == line]
    return found


# The main scenario: as of 2025-04-10, the tenth day of Q2 (91 days, weight 25%).
ROWS: list[tuple[str, str | None, dict[str, float]]] = [
    ("2024-01-01", "douyin", {"gmv": 250_000}),  # from the first baseline day (PA021)
    ("2024-04-10", "wecom", {"gmv": 50_000}),
    ("2024-04-11", "wecom", {"gmv": 999}),  # after the same dates last year
    (
        "2025-01-15",
        "douyin",
        {
            "gmv": 200_000,
            "spend": 40_000,
            "orders": 400,
            "uv": 10_000,
            "nps": 40,
            "wecom_adds": 20_000,
            "ugc_posts": 30,
        },
    ),
    (
        "2025-02-20",
        "wecom",
        {
            "gmv": 100_000,
            "spend": 10_000,
            "orders": 300,
            "uv": 5_000,
            "nps": 50,
            "wecom_adds": 35_000,
            "ugc_posts": 80,
        },
    ),
    (
        "2025-03-10",
        "kuaishou",
        {"gmv": 50_000, "spend": 25_000, "orders": 100, "uv": 5_000, "ugc_posts": 110},
    ),
    ("2025-04-10", "douyin", {"gmv": 30_000, "spend": 5_000, "orders": 50, "uv": 2_500}),
    ("2025-04-10", "taobao_live", {"gmv": 4_000, "spend": 2_000}),
]
AS_OF = D(2025, 4, 10)
F = 0.2 + 0.25 * 10 / 91  # paced fraction of the year on 2025-04-10
GMV = 384_000.0  # 200k + 100k + 50k + 30k + 4k
SPEND = 82_000.0  # 40k + 10k + 25k + 5k + 2k

GOALS = {
    "gmv_total": {"metric": "gmv", "at_least": "100万"},
    "spend_cap": {"metric": "spend", "at_most": "20万"},
    "gmv_growth": {"metric": "gmv", "growth": "30%"},
    "conversion": {"metric": "conversion", "baseline": "4%", "at_least": "5%"},
    "expense_ratio": {"metric": "expense_ratio", "at_most": "18%"},
    "nps": {"metric": "nps", "at_least": 45},
    "new_users": {"metric": "gmv", "at_least": "X万"},
    "returns": {"metric": "returns", "at_most": 100},
    "ugc": {"metric": "ugc_posts", "at_least": 100, "per": "month"},
}
QUARTERS = {
    "Q1": {"weight": "20%", "goals": {"wecom_adds": {"metric": "wecom_adds", "at_least": "5万"}}},
    "Q2": {
        "weight": "25%",
        "goals": {
            "gmv": {"metric": "gmv", "at_least": "9.1万"},
            "roi": {"metric": "roi", "at_least": "1:3"},
        },
    },
    "Q3": {"weight": "20%", "goals": {"gmv": {"metric": "gmv", "at_least": "50万"}}},
    "Q4": {"weight": "35%"},
}


@pytest.fixture(scope="module")
def main() -> PlanResult:
    return run(make_plan(goals=GOALS, quarters=QUARTERS), make_actuals(ROWS), AS_OF)


def test_result_header(main: PlanResult) -> None:
    assert main.as_of == AS_OF
    assert main.window == Window("ytd", D(2025, 1, 1), AS_OF)
    assert main.period == (D(2025, 1, 1), D(2025, 12, 31))
    assert [g.id for g in main.goals] == [
        *GOALS,
        "Q1.wecom_adds",
        "Q2.gmv",
        "Q2.roi",
        "Q3.gmv",
    ]


def test_cumulative_at_least_is_paced_by_quarter_weights(main: PlanResult) -> None:
    g = goal(main, "gmv_total")
    assert (g.kind, g.scope, g.direction) == ("cumulative", "period", "at_least")
    assert g.target == 1_000_000
    assert g.actual == GMV
    assert g.expected == pytest.approx(1_000_000 * F)
    assert g.progress == pytest.approx(GMV / (1_000_000 * F))
    assert g.projection == pytest.approx(GMV / F)
    assert g.status == "on_track"
    assert g.window == Window("ytd", D(2025, 1, 1), AS_OF)


def test_cumulative_at_most(main: PlanResult) -> None:
    g = goal(main, "spend_cap")
    assert g.actual == SPEND
    assert g.expected == pytest.approx(200_000 * F)
    assert g.progress == pytest.approx(200_000 * F / SPEND)  # 0.5548: spending far ahead of pace
    assert g.projection == pytest.approx(SPEND / F)
    assert g.status == "off_track"


def test_growth_against_the_same_dates_last_year(main: PlanResult) -> None:
    g = goal(main, "gmv_growth")
    assert g.kind == "growth"
    assert g.baseline == 300_000  # 2024-01-01..2024-04-10, not the 999 of April 11
    assert g.actual == pytest.approx(0.28)
    assert g.target == pytest.approx(0.30)
    assert g.expected == pytest.approx(0.30)
    assert g.progress == pytest.approx(0.28 / 0.30)
    assert g.projection is None
    assert g.status == "at_risk"  # 0.933 is within the 10% tolerance


def test_level_with_baseline(main: PlanResult) -> None:
    g = goal(main, "conversion")
    conversion = 850 / 22_500
    assert g.kind == "level"
    assert g.target == pytest.approx(0.05)
    assert g.baseline == pytest.approx(0.04)
    assert g.expected == pytest.approx(0.05)
    assert g.actual == pytest.approx(conversion)
    assert g.progress == pytest.approx((conversion - 0.04) / (0.05 - 0.04))
    assert g.projection is None
    assert g.status == "off_track"


def test_level_at_most_and_met(main: PlanResult) -> None:
    ratio = goal(main, "expense_ratio")
    assert ratio.actual == pytest.approx(SPEND / GMV)
    assert ratio.progress == pytest.approx(0.18 / (SPEND / GMV))  # 0.843
    assert ratio.status == "off_track"
    nps = goal(main, "nps")
    assert nps.actual == 45
    assert nps.progress == 1
    assert nps.status == "met"


def test_unset_and_no_data(main: PlanResult) -> None:
    unset = goal(main, "new_users")
    assert unset.status == "unset"
    assert unset.target is None
    assert unset.target_text == "X万"
    assert unset.actual == GMV
    missing = goal(main, "returns")
    assert missing.status == "no_data"
    assert missing.actual is None
    assert missing.progress is None


def test_per_month_goal_uses_the_last_complete_month(main: PlanResult) -> None:
    g = goal(main, "ugc")
    assert g.window == Window("2025-03", D(2025, 3, 1), D(2025, 3, 31))
    assert (g.target, g.actual, g.expected) == (100, 110, 100)
    assert g.progress == pytest.approx(1.1)
    assert g.projection == 110
    assert g.status == "met"


def test_quarter_goals(main: PlanResult) -> None:
    q1 = goal(main, "Q1.wecom_adds")
    assert (q1.scope, q1.metric) == ("Q1", "wecom_adds")
    assert q1.window == Window("2025-Q1", D(2025, 1, 1), D(2025, 3, 31))
    assert (q1.target, q1.actual, q1.expected) == (50_000, 55_000, 50_000)
    assert q1.progress == pytest.approx(1.1)
    assert q1.projection == 55_000
    assert q1.status == "met"
    q2 = goal(main, "Q2.gmv")
    # Ten of Q2's 91 days: within a quarter the pace is by days.
    assert q2.target == 91_000
    assert q2.actual == 34_000
    assert q2.expected == pytest.approx(10_000)
    assert q2.progress == pytest.approx(3.4)
    assert q2.projection == pytest.approx(34_000 * 91 / 10)
    assert q2.status == "on_track"
    roi = goal(main, "Q2.roi")
    assert roi.actual == pytest.approx(34_000 / 7_000)
    assert roi.status == "met"
    q3 = goal(main, "Q3.gmv")
    assert q3.status == "pending"
    assert q3.target == 500_000
    assert (q3.actual, q3.expected, q3.progress) == (None, None, None)


def test_as_of_on_the_last_and_first_day_of_a_quarter() -> None:
    plan = make_plan(goals={"gmv": {"metric": "gmv", "at_least": "100万"}}, quarters=QUARTERS)
    actuals = make_actuals(ROWS)
    last = run(plan, actuals, D(2025, 3, 31))
    assert goal(last, "gmv").expected == pytest.approx(200_000)  # exactly Q1's 20%
    assert goal(last, "gmv").actual == 350_000
    assert goal(last, "Q1.wecom_adds").expected == 50_000
    assert goal(last, "Q2.gmv").status == "pending"
    first = run(plan, actuals, D(2025, 4, 1))
    assert goal(first, "gmv").expected == pytest.approx(1_000_000 * (0.2 + 0.25 / 91))
    assert goal(first, "Q2.gmv").expected == pytest.approx(1_000)
    assert goal(first, "Q2.gmv").actual is None  # no row on April 1
    assert goal(first, "Q2.gmv").status == "no_data"


def test_leap_year_paced_by_days() -> None:
    plan = Plan.model_validate(
        {
            "promoplan": 1,
            "name": "leap",
            "period": 2024,
            "metrics": METRICS,
            "goals": {
                "gmv": {"metric": "gmv", "at_least": 366_000},
                "growth": {"metric": "gmv", "growth": "10%"},
            },
        }
    )
    actuals = make_actuals(
        [
            ("2023-01-01", "douyin", {"gmv": 0}),  # the baseline is covered from its start
            ("2023-02-28", "douyin", {"gmv": 40_000}),
            ("2023-03-01", "douyin", {"gmv": 7}),
            ("2024-02-29", "douyin", {"gmv": 50_000}),
        ]
    )
    result = run(plan, actuals, D(2024, 2, 29))
    g = goal(result, "gmv")
    assert g.expected == pytest.approx(60_000)  # 366,000 x 60/366
    assert g.progress == pytest.approx(50_000 / 60_000)
    assert g.projection == pytest.approx(50_000 * 366 / 60)
    assert g.status == "off_track"
    growth = goal(result, "growth")
    assert growth.baseline == 40_000  # 2023-01-01..2023-02-28: Feb 29 maps to Feb 28
    assert growth.actual == pytest.approx(0.25)
    assert growth.status == "met"


def test_growth_with_the_plan_baseline_for_the_whole_period() -> None:
    plan = make_plan(
        goals={
            "g": {"metric": "gmv", "growth": "20%", "baseline": "100万"},
            "flat": {"metric": "gmv", "growth": 0, "baseline": "200万"},
            "none": {"metric": "nps", "growth": "5%"},
        },
        quarters=WEIGHTS,
    )
    result = run(plan, make_actuals(ROWS), AS_OF)
    g = goal(result, "g")
    baseline = 1_000_000 * F  # the baseline for the whole period, times f for a cumulative metric
    assert g.baseline == pytest.approx(baseline)
    assert g.actual == pytest.approx(GMV / baseline - 1)
    assert g.progress == pytest.approx((GMV / baseline - 1) / 0.2)
    assert g.status == "met"  # +69% against +20%
    flat = goal(result, "flat")
    assert flat.progress is None  # a target of 0 is judged by the comparison alone
    assert flat.status == "off_track"  # 384k against 455k is a fall
    assert goal(result, "none").status == "no_data"  # no NPS last year


def test_narrower_period_scales_period_goals_and_keeps_q1_goals() -> None:
    plan = make_plan(goals=GOALS, quarters=QUARTERS)
    result = run(plan, make_actuals(ROWS), D(2025, 3, 31), period="2025-Q1")
    assert result.window == Window("2025-Q1", D(2025, 1, 1), D(2025, 3, 31))
    ids = [g.id for g in result.goals]
    assert "Q1.wecom_adds" in ids
    assert not any(i.startswith(("Q2.", "Q3.")) for i in ids)
    g = goal(result, "gmv_total")
    assert g.target == pytest.approx(200_000)  # 100万 x Q1's 20% of the pacing
    assert g.expected == pytest.approx(200_000)  # the window is complete
    assert g.actual == 350_000
    assert g.progress == pytest.approx(1.75)
    assert g.status == "met"
    cap = goal(result, "spend_cap")
    assert cap.target == pytest.approx(40_000)
    assert cap.actual == 75_000
    assert cap.status == "missed"  # Q1 is over: 75k spent against a 40k cap
    assert cap.severity == "warning"  # a part of the period, not the whole
    growth = goal(result, "gmv_growth")
    assert growth.baseline == 250_000
    assert growth.actual == pytest.approx(0.4)


def test_narrower_period_mid_window_measures_f_within_it() -> None:
    plan = make_plan(goals={"gmv": {"metric": "gmv", "at_least": "100万"}}, quarters=QUARTERS)
    result = run(plan, make_actuals(ROWS), AS_OF, period="Q2")
    g = goal(result, "gmv")
    assert g.target == pytest.approx(250_000)
    assert g.expected == pytest.approx(250_000 * 10 / 91)
    assert g.actual == 34_000
    assert [x.id for x in result.goals] == ["gmv", "Q2.gmv", "Q2.roi"]


def test_at_most_is_met_only_once_the_window_is_complete() -> None:
    plan = make_plan(goals={"cap": {"metric": "spend", "at_most": "100万"}})
    actuals = make_actuals(ROWS)
    during = goal(run(plan, actuals, AS_OF), "cap")
    assert during.status == "on_track"
    after = goal(run(plan, actuals, D(2025, 12, 31)), "cap")
    assert after.expected == 1_000_000
    assert after.status == "met"


def test_zero_denominator_is_no_data() -> None:
    plan = make_plan(goals={"cap": {"metric": "spend", "at_most": "10万"}})
    actuals = make_actuals([("2025-01-02", "douyin", {"spend": 0})])
    g = goal(run(plan, actuals, D(2025, 1, 2)), "cap")
    assert g.actual == 0
    assert g.progress is None
    assert g.status == "no_data"


def test_goal_where_is_anded_into_the_metric() -> None:
    plan = make_plan(
        goals={"douyin": {"metric": "gmv", "at_least": "100万", "where": {"channel": "douyin"}}}
    )
    g = goal(run(plan, make_actuals(ROWS), AS_OF), "douyin")
    assert g.actual == 230_000


# -- budget -------------------------------------------------------------------

BUDGET = {
    "total": "100万",
    "lines": {
        "traffic": {"share": "40%", "lines": {"public": "30%", "private": "10%"}},
        "influencers": "15%",
        "content": "30%",
        "reserve": "15%",
    },
}
CHANNELS = {
    "douyin": "traffic.public",
    "kuaishou": "traffic.public",
    "wecom": "traffic.private",
    "koc": "influencers",
    "studio": "content",
}
BUDGET_ROWS: list[tuple[str, str | None, dict[str, float]]] = [
    *ROWS,
    ("2025-03-01", "koc", {"spend": 160_000}),
    ("2025-03-02", "studio", {"spend": 90_000}),
]


def test_budget_rows() -> None:
    plan = make_plan(budget=BUDGET, channels=CHANNELS, quarters=WEIGHTS)
    result = run(plan, make_actuals(BUDGET_ROWS), AS_OF)
    assert [(b.line, b.depth) for b in result.budget] == [
        ("traffic", 0),
        ("traffic.public", 1),
        ("traffic.private", 1),
        ("influencers", 0),
        ("content", 0),
        ("reserve", 0),
        ("<unmapped>", 0),
    ]
    traffic = budget_row(result, "traffic")
    assert traffic.share == pytest.approx(0.4)
    assert traffic.planned == pytest.approx(400_000)
    assert traffic.spent == 80_000  # 40k + 25k + 5k public, 10k private
    assert traffic.expected == pytest.approx(400_000 * F)
    assert traffic.remaining == pytest.approx(320_000)
    assert traffic.used == pytest.approx(0.2)
    assert traffic.spent_share == pytest.approx(80_000 / 332_000)  # all spend, unmapped included
    assert traffic.status == "behind"  # 80k below 91k expected x (1 - 10%) = 81.9k
    public = budget_row(result, "traffic.public")
    assert public.planned == pytest.approx(300_000)
    assert public.spent == 70_000
    assert public.remaining == pytest.approx(230_000)
    assert public.status == "on_track"  # 70k against 68.2k expected, within 10%
    influencers = budget_row(result, "influencers")
    assert influencers.spent == 160_000
    assert influencers.remaining == pytest.approx(-10_000)
    assert influencers.status == "over_budget"
    content = budget_row(result, "content")
    assert content.expected == pytest.approx(300_000 * F)  # 68.2k; 90k is 32% ahead
    assert content.status == "ahead"
    reserve = budget_row(result, "reserve")  # no channel maps to it: nothing booked
    assert (reserve.spent, reserve.status) == (0, "on_track")
    assert reserve.remaining == pytest.approx(reserve.planned) == pytest.approx(150_000)
    unmapped = budget_row(result, "<unmapped>")
    assert unmapped.spent == 2_000
    assert unmapped.spent_share == pytest.approx(2_000 / 332_000)
    assert (unmapped.planned, unmapped.share) == (None, None)
    assert unmapped.status == "unmapped"  # 0.6% of spend: below the 1% that is a warning
    private = budget_row(result, "traffic.private")
    assert private.status == "behind"  # 10k against 22.7k expected


def test_budget_alerts() -> None:
    plan = make_plan(budget=BUDGET, channels=CHANNELS, quarters=WEIGHTS)
    result = run(plan, make_actuals(BUDGET_ROWS), AS_OF)
    assert tuple(a for a in result.alerts if a.condition != "behind") == (
        AlertResult(
            rule="budget",
            label="budget",
            severity="error",
            metric="spend",
            unit="currency",
            value=160_000,
            threshold=pytest.approx(150_000),  # type: ignore[arg-type]  # equals the float
            condition="over_budget",
            group=(("line", "influencers"),),
            window="ytd",
            action=None,
        ),
        AlertResult(
            rule="budget",
            label="budget",
            severity="warning",
            metric="spend",
            unit="currency",
            value=90_000,
            threshold=pytest.approx(300_000 * F * 1.1),  # type: ignore[arg-type]  # equals the float
            condition="ahead",
            group=(("line", "content"),),
            window="ytd",
            action=None,
        ),
    )
    behind = [a for a in result.alerts if a.condition == "behind"]
    # The worst first: private at 10k of its 22.7k is further behind than traffic.
    assert [(dict(a.group)["line"], a.severity, a.value) for a in behind] == [
        ("traffic.private", "warning", 10_000),
        ("traffic", "warning", 80_000),
    ]
    assert behind[1].threshold == pytest.approx(400_000 * F * 0.9)
    assert result.counts == {"error": 1, "warning": 3, "info": 0}
    assert result.status == "fail"


def test_budget_alerts_are_located_at_their_line() -> None:
    plan = make_plan(budget=BUDGET, channels=CHANNELS, quarters=WEIGHTS)
    # traffic.public 400k over its 300k: the nested line's own path is asked for.
    rows: list[tuple[str, str | None, dict[str, float]]] = [
        *BUDGET_ROWS,
        ("2025-03-03", "douyin", {"spend": 400_000}),
    ]
    places: dict[tuple[str | int, ...], tuple[int | None, int | None]] = {
        ("budget", "lines", "influencers"): (30, 5),
        ("budget", "lines", "traffic", "lines", "public"): (27, 7),
    }
    result = evaluate(
        plan,
        make_actuals(rows),
        file="plan.yaml",
        as_of=AS_OF,
        window=parse_period(None, plan, AS_OF),
        locate=lambda path: places.get(path, (None, None)),
    )
    located = {dict(a.group)["line"]: (a.line, a.column) for a in result.alerts}
    assert located["influencers"] == (30, 5)
    assert located["traffic.public"] == (27, 7)
    assert located["content"] == (None, None)


def test_a_line_no_channel_maps_to_has_spent_nothing() -> None:
    """Like a ledger: a line (and a subtree) without channels has 0 booked, not an unknown."""
    plan = make_plan(
        budget={
            "total": "100万",
            "lines": {
                "traffic": "50%",
                "content": {"share": "30%", "lines": {"video": "20%", "graphics": "10%"}},
                "reserve": "20%",
            },
        },
        channels={"douyin": "traffic", "kuaishou": "traffic", "wecom": "traffic"},
        quarters=WEIGHTS,
    )
    result = run(plan, make_actuals(ROWS), AS_OF)
    for line, planned in (
        ("content", 300_000),
        ("content.video", 200_000),
        ("content.graphics", 100_000),
        ("reserve", 200_000),
    ):
        row = budget_row(result, line)
        assert row.spent == 0, line
        assert row.planned == pytest.approx(planned), line
        assert row.remaining == pytest.approx(planned), line
        assert row.expected == pytest.approx(planned * F), line
        assert row.status == "on_track", line
        assert (row.used, row.spent_share) == (0, 0), line
    assert budget_row(result, "traffic").spent == 80_000
    # 0 is neither over budget nor ahead, nor behind: no channel books to these lines.
    lines = [dict(a.group)["line"] for a in result.alerts]
    assert "content" not in lines
    assert "reserve" not in lines


def test_a_line_without_channels_in_a_window_without_spend() -> None:
    """A window with no spend rows yet (January 1-10 here): every line has spent 0."""
    plan = make_plan(
        budget={"total": "100万", "lines": {"traffic": "60%", "reserve": "40%"}},
        channels={"douyin": "traffic"},
        quarters=WEIGHTS,
    )
    result = run(plan, make_actuals(ROWS), D(2025, 1, 10), period="2025-01")
    for line, status in (("traffic", "behind"), ("reserve", "on_track")):
        row = budget_row(result, line)
        # traffic's channel has spent nothing yet: behind; reserve has no channel to spend.
        assert (row.spent, row.status) == (0, status), line
        assert row.remaining == pytest.approx(row.planned), line


def test_a_line_without_channels_and_without_a_total() -> None:
    """Without a total, 0 spent is a 0% share of spend: on track, never ahead."""
    plan = make_plan(
        budget={"lines": {"traffic": "70%", "reserve": "30%"}},
        channels={"douyin": "traffic", "kuaishou": "traffic", "wecom": "traffic"},
    )
    result = run(plan, make_actuals(ROWS), AS_OF)
    reserve = budget_row(result, "reserve")
    assert (reserve.spent, reserve.spent_share, reserve.status) == (0, 0, "on_track")
    assert (reserve.planned, reserve.remaining) == (None, None)


def test_budget_is_no_data_when_the_spend_column_is_in_no_file() -> None:
    """Without the spend metric's column nothing can be said, mapped lines or not."""
    plan = make_plan(budget=BUDGET, channels=CHANNELS, quarters=WEIGHTS)
    columns = tuple(column for column in COLUMNS if column != "spend")
    rows = tuple(
        CubeRow(
            D.fromisoformat(day),
            (channel,),
            tuple(_cell(values[c]) if c in values else None for c in columns),
        )
        for day, channel, values in ROWS
    )
    actuals = Actuals(Cube(("channel",), columns, rows), (), ())
    result = run(plan, actuals, AS_OF)
    assert [b.line for b in result.budget] == [
        "traffic",
        "traffic.public",
        "traffic.private",
        "influencers",
        "content",
        "reserve",
    ]  # and no <unmapped> row: there is no spend to leave unclaimed
    for row in result.budget:
        assert (row.spent, row.remaining, row.status) == (None, None, "no_data"), row.line
        assert row.planned is not None, row.line
    assert result.alerts == ()


def test_budget_without_total_compares_shares() -> None:
    plan = make_plan(
        budget={"lines": {"traffic": "60%", "influencers": "40%"}},
        channels={
            "douyin": "traffic",
            "kuaishou": "traffic",
            "wecom": "traffic",
            "koc": "influencers",
        },
    )
    actuals = make_actuals([*ROWS, ("2025-03-01", "koc", {"spend": 20_000})])
    result = run(plan, actuals, AS_OF)
    traffic = budget_row(result, "traffic")
    assert (traffic.planned, traffic.expected, traffic.remaining) == (None, None, None)
    assert traffic.spent == 80_000
    assert traffic.status == "ahead"  # 80k of 102k spent is 78%, more than 60% x 1.1
    influencers = budget_row(result, "influencers")
    # 20k of 102k is 19.6%, less than 40% x 0.9 = 36%: behind, as traffic is ahead.
    assert influencers.status == "behind"
    ahead, behind = sorted(
        (a for a in result.alerts if a.condition != "unmapped"), key=lambda a: a.condition
    )
    assert (ahead.condition, ahead.group, ahead.value) == ("ahead", (("line", "traffic"),), 80_000)
    assert ahead.threshold == pytest.approx(0.66 * 102_000)
    assert (behind.condition, behind.group, behind.value) == (
        "behind",
        (("line", "influencers"),),
        20_000,
    )
    assert behind.threshold == pytest.approx(0.36 * 102_000)  # 36,720


def test_budget_without_total_a_share_within_tolerance_is_on_track() -> None:
    plan = make_plan(
        budget={"lines": {"traffic": "60%", "influencers": "40%"}},
        channels={"douyin": "traffic", "koc": "influencers"},
    )
    # influencers 37k of 100k: 37% is above 40% x 0.9 = 36%, so on track.
    actuals = make_actuals(
        [("2025-03-01", "douyin", {"spend": 63_000}), ("2025-03-01", "koc", {"spend": 37_000})]
    )
    result = run(plan, actuals, AS_OF)
    assert [budget_row(result, line).status for line in ("traffic", "influencers")] == [
        "on_track",
        "on_track",
    ]


# -- alerts -------------------------------------------------------------------


def _alert_plan(**alerts: Any) -> Plan:
    return make_plan(alerts=alerts, quarters=WEIGHTS)


ALERT_ROWS: list[tuple[str, str | None, dict[str, float]]] = [
    # Q2 to 2025-06-29: douyin ROI 2.4 on 50k spend, kuaishou 5.0,
    # wecom 1.0 on 5k spend (under the floor).
    ("2025-04-15", "douyin", {"gmv": 120_000, "spend": 50_000}),
    ("2025-05-15", "kuaishou", {"gmv": 100_000, "spend": 20_000}),
    ("2025-06-01", "wecom", {"gmv": 5_000, "spend": 5_000}),
    # UV: W25 (June 16-22) 10,000 and W26 (June 23-29) 7,500: a 25% drop.
    ("2025-06-16", "douyin", {"uv": 6_000}),
    ("2025-06-20", "kuaishou", {"uv": 4_000}),
    ("2025-06-23", "douyin", {"uv": 5_000}),
    ("2025-06-29", "kuaishou", {"uv": 2_500}),
    ("2025-06-30", "douyin", {"uv": 100}),  # after as-of
]


def test_below_by_channel_with_a_floor_over_the_quarter() -> None:
    plan = _alert_plan(
        low_roi={
            "metric": "roi",
            "by": "channel",
            "window": "quarter",
            "below": "1:3",
            "min": {"spend": "1万"},
            "severity": "error",
            "action": "缩减投放",
        }
    )
    result = run(plan, make_actuals(ALERT_ROWS), D(2025, 6, 29))
    assert result.alerts == (
        AlertResult(
            rule="low_roi",
            label="low_roi",
            severity="error",
            metric="roi",
            unit="ratio",
            value=pytest.approx(2.4),  # type: ignore[arg-type]  # equals the float
            threshold=3.0,
            condition="below",
            group=(("channel", "douyin"),),
            window="2025-Q2",
            action="缩减投放",
        ),
    )


def test_drop_over_a_week_against_the_previous_week() -> None:
    plan = _alert_plan(
        traffic_drop={
            "metric": "uv",
            "window": "week",
            "drop_over": "20%",
            "action": "启动备用渠道",
        }
    )
    result = run(
        plan, make_actuals(ALERT_ROWS), D(2025, 6, 30)
    )  # a Monday: W26 is the last complete week
    (alert,) = result.alerts
    assert alert.window == "2025-W26"
    assert alert.value == pytest.approx(0.25)  # 1 - 7,500 / 10,000
    assert alert.threshold == pytest.approx(0.2)
    assert (alert.condition, alert.group, alert.severity) == ("drop_over", (), "warning")
    quiet = _alert_plan(traffic_drop={"metric": "uv", "window": "week", "drop_over": "30%"})
    assert run(quiet, make_actuals(ALERT_ROWS), D(2025, 6, 30)).alerts == ()


def test_rise_over_in_an_iso_week_spanning_two_years() -> None:
    plan = _alert_plan(
        spend_jump={"metric": "spend", "window": "week", "rise_over": "50%", "by": "channel"}
    )
    actuals = make_actuals(
        [
            ("2024-12-23", "douyin", {"spend": 1_000}),  # 2024-W52
            ("2024-12-31", "douyin", {"spend": 1_000}),  # 2025-W01 runs 2024-12-30 .. 2025-01-05
            ("2025-01-04", "douyin", {"spend": 1_000}),
            ("2024-12-24", "wecom", {"spend": 1_000}),
            ("2025-01-02", "wecom", {"spend": 1_200}),
        ]
    )
    result = run(plan, actuals, D(2025, 1, 5))
    (alert,) = result.alerts
    assert alert.window == "2025-W01"
    assert alert.group == (("channel", "douyin"),)
    assert alert.value == pytest.approx(1.0)  # 2,000 / 1,000 - 1


def test_rise_over_from_nothing_does_not_fire() -> None:
    # A channel launched this week has no previous spend: there is no change to compare.
    plan = _alert_plan(
        spend_jump={"metric": "spend", "window": "week", "rise_over": "50%", "by": "channel"}
    )
    actuals = make_actuals(
        [
            ("2025-06-16", "douyin", {"spend": 0}),  # W25: nothing spent
            ("2025-06-23", "douyin", {"spend": 5_000}),  # W26
            ("2025-06-16", "wecom", {"spend": 1_000}),
            ("2025-06-23", "wecom", {"spend": 1_600}),  # 1,600 / 1,000 - 1 = 60%
        ]
    )
    (alert,) = run(plan, actuals, D(2025, 6, 30)).alerts
    assert alert.group == (("channel", "wecom"),)
    assert alert.value == pytest.approx(0.6)


def test_above_over_the_period_and_month_windows() -> None:
    plan = _alert_plan(
        heavy_spend={"metric": "spend", "above": "7万", "severity": "info"},
        month_uv={"metric": "uv", "window": "month", "above": 10_000},
        low_everywhere={"metric": "roi", "below": "1:1"},
    )
    result = run(plan, make_actuals(ALERT_ROWS), D(2025, 6, 29))
    # Severity first: the warning before the info.
    assert [(a.rule, a.window, a.value, a.group) for a in result.alerts] == [
        ("month_uv", "2025-06", 17_500, ()),
        ("heavy_spend", "ytd", 75_000, ()),
    ]
    assert result.counts == {"error": 0, "warning": 1, "info": 1}


def test_evaluate_without_actuals_gives_no_data() -> None:
    plan = make_plan(goals=GOALS, quarters=QUARTERS, budget=BUDGET, channels=CHANNELS)
    result = evaluate(
        plan, None, file="p.yaml", as_of=AS_OF, window=parse_period(None, plan, AS_OF)
    )
    assert goal(result, "gmv_total").status == "no_data"
    assert goal(result, "new_users").status == "unset"
    assert all(row.status == "no_data" for row in result.budget)
    assert result.alerts == ()
