"""The tidy CSV renderer: one row per KPI, goal, budget line and alert; injection-safe."""

from __future__ import annotations

import csv
import io

from builders import (
    NAME,
    alert,
    drop_alert,
    evaluated_plan,
    goal,
    over_budget_row,
    report_data,
    unmapped_row,
    unset_goal,
)
from promoplan.render import RenderOptions
from promoplan.render.csv import COLUMNS, render_csv
from promoplan.result import Run


def build_run(name: str | None = NAME, channel: str = "kuaishou", report: bool = False) -> Run:
    """Two goals, two budget lines, two alerts (one grouped by channel)."""
    plan = evaluated_plan(
        name=name,
        goals=(goal(), unset_goal()),
        budget=(over_budget_row(label="达人", used=1.0667), unmapped_row()),
        alerts=(alert(channel), drop_alert(action="-switch on backup channels")),
        report=report_data() if report else None,
    )
    return Run("report" if report else "check", (plan,))


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_header_and_one_row_per_goal_budget_line_and_alert() -> None:
    text = render_csv(build_run(), RenderOptions())
    assert text.splitlines()[0] == ",".join(COLUMNS)
    got = rows(text)
    assert [(row["section"], row["id"]) for row in got] == [
        ("goal", "gmv_growth"),
        ("goal", "new_users"),
        ("budget", "influencers"),
        ("budget", "<unmapped>"),
        ("alert", "low_roi"),
        ("alert", "traffic_drop"),
    ]
    assert all(row["plan"] == NAME for row in got)


def test_numbers_are_plain_and_untouched() -> None:
    got = {row["id"]: row for row in rows(render_csv(build_run(), RenderOptions()))}
    growth = got["gmv_growth"]
    assert (growth["target"], growth["actual"], growth["baseline"], growth["progress"]) == (
        "0.3", "0.28", "61000000", "0.9333",
    )  # fmt: skip
    assert growth["projection"] == ""
    assert growth["status"] == "at_risk"
    assert got["new_users"]["target"] == ""
    assert got["new_users"]["target_text"] == "X万"
    influencers = got["influencers"]
    assert influencers["remaining"] == "-500000"  # a negative number is not a formula
    assert (influencers["planned"], influencers["used"]) == ("7500000", "1.0667")
    roi = got["low_roi"]
    assert (roi["dimension"], roi["group"], roi["value"], roi["threshold"]) == (
        "channel", "kuaishou", "2.4", "3",
    )  # fmt: skip
    assert (roi["severity"], roi["condition"], roi["window"]) == ("error", "below", "2025-Q2")


def test_formula_injection_is_neutralised_in_string_cells() -> None:
    got = rows(render_csv(build_run(name='=HYPERLINK("x")', channel="@SUM(1)"), RenderOptions()))
    assert {row["plan"] for row in got} == {'\'=HYPERLINK("x")'}
    roi = next(row for row in got if row["id"] == "low_roi")
    assert roi["group"] == "'@SUM(1)"
    drop = next(row for row in got if row["id"] == "traffic_drop")
    assert drop["action"] == "'-switch on backup channels"
    for row in got:
        for cell in row.values():
            assert not cell or cell[0] not in "=+@\t\r" or cell.startswith("'")


def test_lines_end_with_crlf_and_a_newline_in_a_name_stays_in_one_record() -> None:
    text = render_csv(build_run(name="a\n=1+1", channel="x\r\ny"), RenderOptions())
    assert text.endswith("\r\n")
    assert text.count("\r\n") == 7  # the header and six rows
    assert "\n" not in text.replace("\r\n", "")
    got = rows(text)
    assert got[0]["plan"] == "a\\u000a=1+1"
    assert next(row for row in got if row["id"] == "low_roi")["group"] == "x\\u000d\\u000ay"


def test_report_adds_kpi_rows_first() -> None:
    got = rows(render_csv(build_run(report=True), RenderOptions()))
    kpi = got[0]
    assert (kpi["section"], kpi["id"], kpi["window"]) == ("kpi", "gmv", "2025-W26")
    assert (kpi["value"], kpi["previous"], kpi["change"]) == ("123000000", "110000000", "0.118")


def test_no_plans_gives_the_header_alone() -> None:
    assert render_csv(Run("check", ()), RenderOptions()) == ",".join(COLUMNS) + "\r\n"
