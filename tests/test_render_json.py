"""The JSON document of SPEC section 8: key names, shape, nulls, escaping."""

from __future__ import annotations

import datetime as dt
import json
import math
import re

from hypothesis import given
from hypothesis import strategies as st

from builders import (
    NAME,
    PLAN_FILE,
    alert,
    budget_row,
    drop_alert,
    evaluated_plan,
    goal,
    report_data,
    shares_diagnostic,
)
from promoplan import __version__
from promoplan.render import RenderOptions
from promoplan.render.json import plain_number, render_json
from promoplan.result import Forecast, GoalProgress, PlanResult, Run

HOSTILE = "[red]x[/red] [/] \x1b[2J \x1b]8;;http://x\x07 \x9b31m \u202eevil a|b\n::error::x"
OPTIONS = RenderOptions()


def build_plan(name: str | None = NAME, channel: str = "kuaishou", **extra: object) -> PlanResult:
    """One goal, one budget line, one alert, one diagnostic: every field filled."""
    fields: dict[str, object] = {
        "name": name,
        "diagnostics": (shares_diagnostic(),),
        "goals": (goal(),),
        "budget": (budget_row(),),
        "alerts": (alert(channel),),
    }
    fields.update(extra)
    return evaluated_plan(**fields)


def document(run: Run) -> dict[str, object]:
    return json.loads(render_json(run, OPTIONS))  # type: ignore[no-any-return]


def test_the_spec_example_shape_and_key_order() -> None:
    doc = document(Run("check", (build_plan(),)))
    assert list(doc) == ["schema_version", "tool", "plans"]
    assert doc["schema_version"] == 1
    assert doc["tool"] == {"name": "promoplan", "version": __version__}
    plan = doc["plans"][0]  # type: ignore[index]
    assert list(plan) == [
        "file", "name", "period", "as_of", "window", "status", "counts",
        "diagnostics", "goals", "budget", "alerts", "currency",
    ]  # fmt: skip
    assert plan["currency"] == "CNY"
    assert plan["file"] == PLAN_FILE
    assert plan["name"] == NAME
    assert plan["period"] == {"start": "2025-01-01", "end": "2025-12-31"}
    assert plan["as_of"] == "2025-06-29"
    assert plan["window"] == {"label": "ytd", "start": "2025-01-01", "end": "2025-06-29"}
    assert plan["status"] == "fail"
    assert plan["counts"] == {"error": 2, "warning": 0, "info": 0}  # a diagnostic and an alert
    assert plan["diagnostics"] == [
        {"code": "PP101", "severity": "error", "message": "budget shares sum to 90%, not 100%",
         "file": PLAN_FILE, "line": 41, "column": 3, "path": "budget.lines", "hint": None},
    ]  # fmt: skip
    assert plan["goals"] == [
        {"id": "gmv_growth", "metric": "gmv", "scope": "period", "direction": "at_least",
         "target": 0.3, "actual": 0.28, "baseline": 61000000, "expected": 0.3,
         "progress": 0.9333, "projection": None, "status": "at_risk", "label": "GMV 同比增长",
         "kind": "growth", "unit": "currency", "window": None, "target_text": None,
         "notes": None, "pacing": None, "forecast": None, "severity": None, "line": None,
         "column": None},
    ]  # fmt: skip
    assert list(plan["goals"][0])[:11] == [
        "id", "metric", "scope", "direction", "target", "actual", "baseline", "expected",
        "progress", "projection", "status",
    ]  # fmt: skip
    assert plan["budget"] == [
        {"line": "traffic.public", "share": 0.3, "planned": 15000000, "spent": 8100000,
         "expected": 7400000, "remaining": 6900000, "status": "on_track", "label": "公域",
         "depth": 1, "used": 0.54, "spent_share": None},
    ]  # fmt: skip
    assert plan["alerts"] == [
        {"rule": "low_roi", "severity": "error", "metric": "roi", "value": 2.4, "threshold": 3,
         "condition": "below", "group": {"channel": "kuaishou"}, "window": "2025-Q2",
         "action": "缩减投放 (cut this channel's spend)", "label": "ROI 低于 1:3",
         "unit": "ratio"},
    ]  # fmt: skip
    assert "report" not in plan


def test_validate_has_empty_lists_and_null_dates() -> None:
    plan = PlanResult(file="plans/x.yaml", name=None, period=None)
    doc = document(Run("validate", (plan, build_plan(goals=(), budget=(), alerts=()))))
    first = doc["plans"][0]  # type: ignore[index]
    assert first["name"] is None
    assert first["period"] is None
    assert first["as_of"] is None
    assert first["window"] is None
    assert first["status"] == "pass"
    assert first["counts"] == {"error": 0, "warning": 0, "info": 0}
    assert (first["diagnostics"], first["goals"], first["budget"], first["alerts"]) == (
        [], [], [], [],
    )  # fmt: skip
    assert doc["plans"][1]["status"] == "fail"  # type: ignore[index]


def test_an_alert_without_a_group_has_an_empty_object() -> None:
    alerts = (drop_alert(action=None),)
    plan = document(Run("check", (build_plan(alerts=alerts, diagnostics=()),)))["plans"][0]  # type: ignore[index]
    assert plan["alerts"][0]["group"] == {}
    assert plan["alerts"][0]["action"] is None
    assert plan["status"] == "warn"


def test_report_adds_its_window_and_kpis() -> None:
    plan = document(Run("report", (build_plan(report=report_data()),)))["plans"][0]  # type: ignore[index]
    assert plan["report"]["window"] == {
        "label": "2025-W26", "start": "2025-06-23", "end": "2025-06-29",
    }  # fmt: skip
    assert plan["report"]["kpis"] == [
        {"metric": "gmv", "value": 123000000, "previous": 110000000, "change": 0.118,
         "change_kind": "relative", "label": "GMV", "unit": "currency"},
    ]  # fmt: skip
    assert list(plan["report"]["kpis"][0])[:4] == ["metric", "value", "previous", "change"]
    failed = document(Run("report", (build_plan(),)))["plans"][0]  # type: ignore[index]
    assert failed["report"] is None


def test_nan_and_infinity_become_null() -> None:
    goal = GoalProgress("g", "g", "g", "period", "at_least", "level", "number", math.inf,
                        math.nan, -math.inf, None, math.nan, None, "no_data")  # fmt: skip
    text = render_json(Run("check", (build_plan(goals=(goal,)),)), OPTIONS)
    assert "NaN" not in text
    assert "Infinity" not in text
    got = json.loads(text)["plans"][0]["goals"][0]
    assert [got[k] for k in ("target", "actual", "baseline", "progress")] == [None] * 4


def test_numbers_are_plain() -> None:
    assert plain_number(0.1 + 0.2) == 0.3
    assert plain_number(61_000_000.0) == 61000000
    assert isinstance(plain_number(61_000_000.0), int)
    assert plain_number(0.9333) == 0.9333
    assert plain_number(-0.5) == -0.5
    assert plain_number(1e300) == 1e300
    assert plain_number(math.nan) is None
    assert plain_number(None) is None


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_plain_number_keeps_the_value(value: float) -> None:
    number = plain_number(value)
    if not math.isfinite(value):
        assert number is None
    else:
        assert number is not None
        assert math.isclose(number, value, rel_tol=1e-14, abs_tol=0.0)
        json.dumps(number, allow_nan=False)


def test_hostile_strings_round_trip_exactly_and_print_safely() -> None:
    run = Run("check", (build_plan(name=HOSTILE, channel=HOSTILE),))
    text = render_json(run, OPTIONS)
    plan = json.loads(text)["plans"][0]
    assert plan["name"] == HOSTILE
    assert plan["alerts"][0]["group"] == {"channel": HOSTILE}
    # Nothing a terminal would act on is left raw: C0, DEL, C1, bidi controls.
    assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", text)
    assert "\\u001b[2J" in text
    assert "\\u202eevil" in text
    assert "\\u009b31m" in text
    assert not any(line.lstrip().startswith("::") for line in text.splitlines())


def test_lone_surrogate_is_escaped_not_a_crash() -> None:
    text = render_json(Run("check", (build_plan(name="a\ud800b"),)), OPTIONS)
    text.encode("utf-8")
    assert json.loads(text)["plans"][0]["name"] == "a\ud800b"


def test_chinese_stays_readable_and_output_is_deterministic() -> None:
    run = Run("check", (build_plan(),))
    text = render_json(run, OPTIONS)
    assert NAME in text
    assert text == render_json(Run("check", (build_plan(),)), OPTIONS)
    assert text.endswith("}\n")
    assert text.startswith('{\n  "schema_version": 1,\n')


def test_a_cumulative_goal_carries_its_pacing_and_forecast() -> None:
    forecast = Forecast("seasonal_naive", dt.date(2025, 12, 31), 2.99e8, 2.8e8, 3.18e8)
    row = goal(id="gmv", kind="cumulative", pacing="last_year", forecast=forecast)
    doc = document(Run("check", (build_plan(goals=(row,)),)))
    (shown,) = doc["plans"][0]["goals"]  # type: ignore[index]
    assert shown["pacing"] == "last_year"
    assert shown["forecast"] == {
        "method": "seasonal_naive", "to": "2025-12-31", "value": 299000000, "low": 280000000,
        "high": 318000000,
    }  # fmt: skip
