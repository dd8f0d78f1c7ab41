"""The example plans and actuals: reproducible, holding their stories, validating as designed."""

from __future__ import annotations

import csv
import datetime as dt
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest
import yaml

from promoplan.loader import load_plan
from promoplan.model import Plan

ROOT = Path(__file__).resolve().parents[1]
PLANS = ROOT / "plans"
ACTUALS = PLANS / "actuals"
GENERATOR = PLANS / "generate_actuals.py"
SEED = PLANS / "seed-2025.yaml"
ECOMMERCE = PLANS / "ecommerce-2025.yaml"
CHANNEL_FILE = ACTUALS / "channels-daily.csv"
BRAND_FILE = ACTUALS / "brand-daily.csv"
LAST_DAY = dt.date(2025, 6, 29)
# Cost centres booked in the channel export: spend only, every sales and traffic cell empty.
COST_CENTRES = {
    "video_studio": "content.short_video",
    "graphic_studio": "content.graphics",
    "mini_program_dev": "tech",
}


def read_rows(path: Path) -> list[dict[str, str]]:
    """All rows of a committed CSV as dicts."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def plan_data(path: Path) -> dict[str, Any]:
    """A plan file as plain data (ratios are quoted in our plans, so safe_load reads them right)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def channel_rows() -> list[dict[str, str]]:
    return read_rows(CHANNEL_FILE)


@pytest.fixture(scope="module")
def brand_rows() -> list[dict[str, str]]:
    return read_rows(BRAND_FILE)


def day(row: dict[str, str]) -> dt.date:
    return dt.date.fromisoformat(row["date"])


def total(rows: list[dict[str, str]], column: str) -> float:
    return sum(float(row[column]) for row in rows if row[column])  # empty is missing


# --- the generator ---------------------------------------------------------------


def run_generator(out: Path, *args: str) -> None:
    subprocess.run(
        [sys.executable, str(GENERATOR), "--out", str(out), *args],
        check=True,
        capture_output=True,
    )


def test_generator_reproduces_the_committed_files(tmp_path: Path) -> None:
    run_generator(tmp_path)
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == sorted(p.name for p in ACTUALS.glob("*.csv"))
    for name in written:
        assert (tmp_path / name).read_bytes() == (ACTUALS / name).read_bytes(), name


def test_rows_scale_splits_rows_and_keeps_the_sums(tmp_path: Path) -> None:
    run_generator(tmp_path, "--start", "2025-06-01", "--end", "2025-06-07", "--rows-scale", "3")
    rows = read_rows(tmp_path / "channels-daily.csv")
    assert rows[0].keys() >= {"store", "gmv", "spend"}
    first, last = dt.date(2025, 6, 1), dt.date(2025, 6, 7)
    original = [r for r in read_rows(CHANNEL_FILE) if first <= day(r) <= last]
    assert len(rows) == 3 * len(original)
    for column in ("gmv", "spend", "uv", "orders"):
        assert total(rows, column) == pytest.approx(total(original, column), abs=0.001)
    costs = [r for r in rows if r["channel"] in COST_CENTRES]
    assert costs
    assert all(r["spend"] and not r["gmv"] and not r["uv"] for r in costs)  # missing stays missing


def test_committed_files_are_small_and_well_formed(channel_rows: list[dict[str, str]]) -> None:
    assert sum(p.stat().st_size for p in ACTUALS.glob("*.csv")) < 5_000_000
    assert LAST_DAY.weekday() == 6  # a Sunday, so 2025-W26 is complete
    for path in (CHANNEL_FILE, BRAND_FILE):
        rows = read_rows(path)
        assert day(rows[0]) == dt.date(2024, 1, 1)
        assert max(day(r) for r in rows) == LAST_DAY
    for row in channel_rows:
        money = ("spend",) if row["channel"] in COST_CENTRES else ("gmv", "spend", "member_gmv")
        for column in money:
            whole, _, cents = row[column].partition(".")
            assert whole.isdigit(), (column, row)
            assert len(cents) == 2, (column, row)


def test_cost_centres_book_spend_and_nothing_else(channel_rows: list[dict[str, str]]) -> None:
    rows = [r for r in channel_rows if r["channel"] in COST_CENTRES]
    assert {r["channel"] for r in rows} == set(COST_CENTRES)
    days = {r["date"] for r in channel_rows}
    assert len(rows) == len(COST_CENTRES) * len(days)  # every centre, every day
    for row in rows:
        assert float(row["spend"]) >= 0, row
        assert [c for c, v in row.items() if v and c not in ("date", "channel", "spend")] == []
    assert plan_data(ECOMMERCE)["channels"].items() >= COST_CENTRES.items()


def test_cost_centres_leave_the_channels_numbers_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """The cost centres draw their own random numbers: the channels' rows are as without them."""
    monkeypatch.syspath_prepend(str(PLANS))
    import generate_actuals  # noqa: PLC0415  # the script, imported for its row function

    first, last = dt.date(2025, 5, 10), dt.date(2025, 6, 24)
    full = list(generate_actuals.channel_rows(first, last))
    monkeypatch.setattr(generate_actuals, "COST_CENTRES", ())
    without = list(generate_actuals.channel_rows(first, last))
    assert [row for row in full if row[1] not in COST_CENTRES] == without
    assert len(full) - len(without) == len(COST_CENTRES) * ((last - first).days + 1)


# --- the planted stories -----------------------------------------------------------


def roi_by_channel(rows: list[dict[str, str]], first: dt.date, last: dt.date) -> dict[str, float]:
    gmv: defaultdict[str, float] = defaultdict(float)
    spend: defaultdict[str, float] = defaultdict(float)
    for row in rows:
        if first <= day(row) <= last and row["gmv"]:  # the cost centres have no GMV
            gmv[row["channel"]] += float(row["gmv"])
            spend[row["channel"]] += float(row["spend"])
    # The plan's floor: channels with less than 1万 of spend are not judged.
    return {c: gmv[c] / spend[c] for c in gmv if spend[c] >= 10_000}


def test_story_a_kuaishou_roi_falls_below_1_to_3_in_q2(channel_rows: list[dict[str, str]]) -> None:
    q2 = roi_by_channel(channel_rows, dt.date(2025, 4, 1), LAST_DAY)
    q1 = roi_by_channel(channel_rows, dt.date(2025, 1, 1), dt.date(2025, 3, 31))
    assert [c for c, roi in q2.items() if roi < 3] == ["kuaishou"]
    assert q2["kuaishou"] < 2.5
    assert min(q1.values()) > 3  # a fall this quarter, not a channel that always lagged
    assert "search" not in q2  # no spend: skipped by the floor, not a division by zero


def weekly_uv(rows: list[dict[str, str]]) -> dict[tuple[int, int], int]:
    weeks: Counter[tuple[int, int]] = Counter()
    for row in rows:
        year, week, _ = day(row).isocalendar()
        weeks[(year, week)] += int(row["uv"] or 0)  # the cost centres have no traffic
    return weeks


def test_story_b_uv_drops_over_20_percent_in_the_last_complete_week(
    channel_rows: list[dict[str, str]],
) -> None:
    uv = weekly_uv(channel_rows)
    assert LAST_DAY.isocalendar()[:2] == (2025, 26)
    assert 1 - uv[(2025, 26)] / uv[(2025, 25)] > 0.25
    assert uv[(2025, 25)] > uv[(2025, 24)]  # the week before did not drop
    # Planted, not only the fade after 618: the same weeks of 2024 drop less than 20%.
    assert 1 - uv[(2024, 26)] / uv[(2024, 25)] < 0.20


def test_story_c_a_channel_the_plan_does_not_map(channel_rows: list[dict[str, str]]) -> None:
    mapped = set(plan_data(ECOMMERCE)["channels"])
    present = {row["channel"] for row in channel_rows}
    assert present - mapped == {"bilibili"}
    assert mapped <= present
    assert min(day(r) for r in channel_rows if r["channel"] == "bilibili") == dt.date(2025, 6, 23)


def test_story_d_one_duplicated_day(
    channel_rows: list[dict[str, str]], brand_rows: list[dict[str, str]]
) -> None:
    keys = Counter((row["date"], row["channel"]) for row in channel_rows)
    assert [k for k, n in keys.items() if n > 1] == [("2025-05-12", "wechat_mini")]
    assert len({row["date"] for row in brand_rows}) == len(brand_rows)


def test_gmv_grows_about_as_planned(channel_rows: list[dict[str, str]]) -> None:
    def ytd(year: int) -> float:
        return sum(
            float(r["gmv"]) for r in channel_rows
            if day(r).year == year and (day(r).month, day(r).day) <= (6, 29) and r["gmv"]
        )  # fmt: skip

    assert 1.25 <= ytd(2025) / ytd(2024) <= 1.30


def test_budget_lines_are_not_ahead_of_pace(channel_rows: list[dict[str, str]]) -> None:
    """The example should show the planted alerts, not budget warnings nobody designed."""
    plan = Plan.model_validate(plan_data(ECOMMERCE))
    assert plan.budget is not None
    assert plan.budget.total is not None
    budget_total = plan.budget.total.value  # type: ignore[union-attr]
    fraction = 0.0
    for name, (first, last) in plan.quarter_spans().items():
        weight = plan.quarters[name].weight.value  # type: ignore[index,union-attr]
        elapsed = max(0, (min(last, LAST_DAY) - first).days + 1)
        fraction += weight * elapsed / ((last - first).days + 1)
    spent: defaultdict[str, float] = defaultdict(float)
    for row in channel_rows:
        line = plan.channels.get(row["channel"])
        if line is not None and day(row).year == 2025:
            parts = line.split(".")
            for depth in range(1, len(parts) + 1):  # the line and every line above it
                spent[".".join(parts[:depth])] += float(row["spend"])
    lines = plan.budget.lines
    for name, share in (
        ("traffic", lines["traffic"].share),
        ("traffic.public", lines["traffic"].lines["public"].share),
        ("traffic.private", lines["traffic"].lines["private"].share),
        ("content", lines["content"].share),
        ("content.short_video", lines["content"].lines["short_video"].share),
        ("content.graphics", lines["content"].lines["graphics"].share),
        ("influencers", lines["influencers"].share),
        ("tech", lines["tech"].share),
    ):
        expected = budget_total * share.value * fraction  # type: ignore[union-attr]
        assert 0.8 * expected < spent[name] <= expected * 1.1, name
    # Content runs a little behind its pace, tech on it, and the reserve is untouched.
    content = budget_total * lines["content"].share.value * fraction  # type: ignore[union-attr]
    assert spent["content"] < 0.97 * content
    assert "reserve" not in spent


# --- the plans ---------------------------------------------------------------------


def test_seed_reports_the_source_plans_problems() -> None:
    loaded = load_plan(SEED)
    assert loaded.plan is not None
    errors = sorted((d.code, d.path) for d in loaded.diagnostics if d.severity == "error")
    assert [code for code, _ in errors] == ["PP101", "PP111"]
    assert dict(errors)["PP111"] == "quarters.Q3.events[0].name"
    unset = {d.path for d in loaded.diagnostics if d.code == "PP120"}
    assert {p.rsplit(".", 1)[0] for p in unset if p} == {
        "goals.new_users", "goals.mau", "goals.exposure", "alerts.traffic_drop",
    }  # fmt: skip


def test_ecommerce_plan_validates_cleanly() -> None:
    loaded = load_plan(ECOMMERCE)
    assert loaded.plan is not None
    assert loaded.diagnostics == ()


def test_ecommerce_is_the_seed_corrected() -> None:
    seed, fixed = plan_data(SEED), plan_data(ECOMMERCE)
    for section in ("goals", "alerts"):
        assert seed[section].keys() == fixed[section].keys(), section
    # Added (each marked "added:" in the plan): the cost centres and the media spend.
    assert fixed["channels"].keys() - seed["channels"].keys() == set(COST_CENTRES)
    assert seed["channels"].items() <= fixed["channels"].items()
    assert fixed["metrics"].keys() - seed["metrics"].keys() == {"media_spend"}
    assert seed["metrics"].keys() <= fixed["metrics"].keys()
    assert seed["budget"]["lines"]["reserve"]["share"] == "5%"
    assert fixed["budget"]["lines"]["reserve"]["share"] == "15%"
    assert "total" not in seed["budget"]
    events = {q: [e["name"] for e in v.get("events", [])] for q, v in fixed["quarters"].items()}
    assert "618大促" in events["Q2"]
    assert "618大促" not in events["Q3"]
    assert seed["alerts"]["low_roi"]["below"] == fixed["alerts"]["low_roi"]["below"] == "1:3"


@pytest.mark.parametrize("path", [SEED, ECOMMERCE], ids=lambda p: p.stem)
def test_plans_start_with_the_schema_comment(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../schema/promoplan.schema.json"
