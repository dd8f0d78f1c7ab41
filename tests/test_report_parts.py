"""The report's pieces without actuals: windows, file names, the lock, staleness, exit status."""

from __future__ import annotations

import datetime as dt
import os
import threading
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from promoplan.actuals.model import Actuals, Cube, FileSummary
from promoplan.commands.report import report_exit_status
from promoplan.errors import Locked, UsageProblem
from promoplan.model import Plan
from promoplan.output import output_lock, output_target
from promoplan.reportdata import stale_diagnostics
from promoplan.result import AlertResult, PlanResult, Window
from promoplan.windows import choose_kind, previous_report_window, report_window

PLAN = Plan.model_validate({"promoplan": 1, "name": "p", "period": 2025})
FISCAL = Plan.model_validate(
    {"promoplan": 1, "name": "p", "period": {"start": "2025-04-01", "end": "2026-03-31"}}
)
SUNDAY = dt.date(2025, 6, 29)
WEDNESDAY = dt.date(2025, 7, 2)


def test_default_is_last_week() -> None:
    assert choose_kind(None, None, None) == ("week", "last")
    assert choose_kind(None, "2025-06", None) == ("month", "2025-06")


def test_only_one_of_week_month_quarter() -> None:
    with pytest.raises(UsageProblem, match="--week and --month"):
        choose_kind("last", "last", None)


@pytest.mark.parametrize(
    ("kind", "spec", "as_of", "label", "start", "end"),
    [
        ("week", "last", SUNDAY, "2025-W26", "2025-06-23", "2025-06-29"),
        ("week", "last", WEDNESDAY, "2025-W26", "2025-06-23", "2025-06-29"),
        ("week", "this", WEDNESDAY, "2025-W27", "2025-06-30", "2025-07-02"),
        ("week", "2025-W23", SUNDAY, "2025-W23", "2025-06-02", "2025-06-08"),
        ("week", "2025-w01", SUNDAY, "2025-W01", "2024-12-30", "2025-01-05"),
        ("month", "last", SUNDAY, "2025-05", "2025-05-01", "2025-05-31"),
        ("month", "last", dt.date(2025, 6, 30), "2025-06", "2025-06-01", "2025-06-30"),
        ("month", "this", SUNDAY, "2025-06", "2025-06-01", "2025-06-29"),
        ("month", "2025-02", SUNDAY, "2025-02", "2025-02-01", "2025-02-28"),
        ("quarter", "last", SUNDAY, "2025-Q1", "2025-01-01", "2025-03-31"),
        ("quarter", "this", SUNDAY, "2025-Q2", "2025-04-01", "2025-06-29"),
        ("quarter", "2025-Q1", SUNDAY, "2025-Q1", "2025-01-01", "2025-03-31"),
        ("quarter", "Q2", SUNDAY, "2025-Q2", "2025-04-01", "2025-06-29"),
    ],
)
def test_report_windows(  # noqa: PLR0917  # one parameter per column of the table above
    kind: str, spec: str, as_of: dt.date, label: str, start: str, end: str
) -> None:
    window = report_window(kind, spec, PLAN, as_of)  # type: ignore[arg-type]
    assert window == Window(label, dt.date.fromisoformat(start), dt.date.fromisoformat(end))


def test_fiscal_plan_quarters() -> None:
    window = report_window("quarter", "Q1", FISCAL, dt.date(2025, 8, 1))
    assert (window.start, window.end) == (dt.date(2025, 4, 1), dt.date(2025, 6, 30))
    last = report_window("quarter", "last", FISCAL, dt.date(2025, 8, 1))
    assert last.start == dt.date(2025, 4, 1)


@pytest.mark.parametrize(
    ("kind", "spec"),
    [
        ("week", "2025-06"),
        ("week", "2025-W54"),
        ("month", "2025-13"),
        ("month", "june"),
        ("quarter", "2025-Q5"),
        ("week", "2025-W40"),
    ],
)
def test_bad_or_future_windows_are_usage_problems(kind: str, spec: str) -> None:
    with pytest.raises(UsageProblem, match=f"--{kind}"):
        report_window(kind, spec, PLAN, SUNDAY)  # type: ignore[arg-type]


def test_previous_windows() -> None:
    week = report_window("week", "last", PLAN, SUNDAY)
    assert previous_report_window("week", week, PLAN) == Window(
        "2025-W25 (2025-06-16..06-22)", dt.date(2025, 6, 16), dt.date(2025, 6, 22)
    )
    june = report_window("month", "2025-06", PLAN, SUNDAY)  # in progress: 29 days so far
    assert previous_report_window("month", june, PLAN) == Window(
        "2025-05 (2025-05-01..05-29)", dt.date(2025, 5, 1), dt.date(2025, 5, 29)
    )
    march = report_window("month", "2025-03", PLAN, SUNDAY)
    assert previous_report_window("month", march, PLAN).end == dt.date(2025, 2, 28)
    q2 = report_window("quarter", "2025-Q2", PLAN, dt.date(2025, 7, 1))
    assert previous_report_window("quarter", q2, PLAN).label == "2025-Q1 (2025-01-01..03-31)"


@given(st.dates(min_value=dt.date(2001, 1, 1), max_value=dt.date(2098, 12, 31)))
def test_last_week_is_complete_and_recent(as_of: dt.date) -> None:
    window = report_window("week", "last", PLAN, as_of)
    assert window.start.isoweekday() == 1
    assert (window.end - window.start).days == 6
    assert 0 <= (as_of - window.end).days <= 6
    previous = previous_report_window("week", window, PLAN)
    assert previous.end == window.start - dt.timedelta(days=1)


def test_output_names(tmp_path: Path) -> None:
    plan = Path("plans/ecommerce-2025.yaml")
    assert output_target(None, plan, "2025-W26", "html") is None
    assert output_target(tmp_path, plan, "2025-W26", "html") == tmp_path / (
        "ecommerce-2025-2025-W26.html"
    )
    assert output_target(tmp_path, plan, "2025-06", "markdown") == tmp_path / (
        "ecommerce-2025-2025-06.md"
    )
    quarterly = output_target(tmp_path, plan, "2025-Q2", "json")
    assert quarterly is not None
    assert quarterly.name == "ecommerce-2025-2025-Q2.json"
    assert output_target(tmp_path / "r.csv", plan, "2025-Q2", "csv") == tmp_path / "r.csv"


def test_lock_excludes_a_second_writer(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    with output_lock(target), pytest.raises(Locked, match="another promoplan report"):  # noqa: SIM117
        with output_lock(target, wait=0.2):
            pass
    with output_lock(target, wait=0.2):  # released
        pass


def test_lock_waits_for_a_short_holder(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    held = threading.Event()
    release = threading.Event()

    def holder() -> None:
        with output_lock(target):
            held.set()
            release.wait(5)

    thread = threading.Thread(target=holder)
    thread.start()
    held.wait(5)
    threading.Timer(0.3, release.set).start()
    with output_lock(target, wait=30):  # generous: only waiting is asserted, not speed
        pass
    thread.join()


def test_lock_cleans_temporaries_of_killed_runs(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    stray = tmp_path / ".report.html.abc123.tmp"
    other = tmp_path / ".other.html.abc123.tmp"
    stray.write_text("half")
    other.write_text("not ours")
    with output_lock(target):
        pass
    assert not stray.exists()
    assert other.exists()


def _actuals(*ends: dt.date | None) -> Actuals:
    files = tuple(
        FileSummary(
            f"a{i}.csv", 10, ("gmv",), None if end is None else dt.date(2025, 1, 1), end, "utf-8"
        )
        for i, end in enumerate(ends)
    )
    return Actuals(Cube((), (), ()), files, ())


def test_stale_data_after_seven_days() -> None:
    week = Window("2025-W26", dt.date(2025, 6, 23), dt.date(2025, 6, 29))
    assert stale_diagnostics(_actuals(dt.date(2025, 6, 23)), week) == ()
    # 7 days is not stale, but the window holds nothing: PA022, not PA020.
    assert [d.code for d in stale_diagnostics(_actuals(dt.date(2025, 6, 22)), week)] == ["PA022"]
    (stale,) = stale_diagnostics(_actuals(dt.date(2025, 6, 19), dt.date(2025, 6, 1)), week)
    assert stale.code == "PA020"
    assert stale.severity == "warning"
    assert "2025-06-19, 10 days before" in stale.message
    assert stale.file == "a0.csv"
    (empty,) = stale_diagnostics(_actuals(None), week)
    assert empty.code == "PA020"


def _result(*severities: str) -> PlanResult:
    alerts = tuple(
        AlertResult("r", "r", s, "m", "count", 1.0, 2.0, "below", (), "ytd", None)  # type: ignore[arg-type]
        for s in severities
    )
    return PlanResult(file="p.yaml", name="p", period=None, alerts=alerts)


@pytest.mark.parametrize(
    ("severities", "fail_on", "status"),
    [
        (("error",), "never", 0),
        (("error",), "error", 1),
        (("warning",), "error", 0),
        (("warning",), "warning", 1),
        (("info",), "warning", 0),
        ((), "warning", 0),
    ],
)
def test_exit_status_follows_fail_on(
    severities: tuple[str, ...], fail_on: str, status: int
) -> None:
    assert report_exit_status(_result(*severities), fail_on) == status


def test_lock_file_is_beside_the_output(tmp_path: Path) -> None:
    target = tmp_path / "weekly.md"
    with output_lock(target):
        assert (tmp_path / "weekly.md.lock").exists()
    assert os.listdir(tmp_path) == ["weekly.md.lock"]
