"""``promoplan report`` end to end on the example plan and actuals, as cron runs it."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from clirunner import Cli, CliResult, run_cli
from promoplan import output as output_module

ROOT = Path(__file__).resolve().parents[1]
PLAN = ROOT / "plans" / "ecommerce-2025.yaml"
ACTUALS = ROOT / "plans" / "actuals"
AS_OF = "2025-06-29"
EVIL = "<img src=x onerror=alert(1)>"


def actuals_args(folder: Path = ACTUALS) -> list[str]:
    return [
        "--actuals",
        str(folder / "channels-daily.csv"),
        "--actuals",
        str(folder / "brand-daily.csv"),
    ]


def report(out: Path, *extra: str, plan: Path = PLAN, folder: Path = ACTUALS) -> CliResult:
    """``promoplan report`` of the example plan as of AS_OF into ``out``."""
    return run_cli("report", plan, *actuals_args(folder), "--as-of", AS_OF, "-o", out, *extra)


class Elements(HTMLParser):
    """Start tags with their attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))

    def classed(self, tag: str, css: str) -> list[dict[str, str | None]]:
        wanted = set(css.split())
        return [
            a for t, a in self.found if t == tag and wanted <= set((a.get("class") or "").split())
        ]


def elements(text: str) -> Elements:
    parser = Elements()
    parser.feed(text)
    parser.close()
    return parser


def q2_spend_by_channel() -> dict[str, float]:
    """Spend per channel the ROI rule judges in 2025-Q2 up to as-of, read straight from the CSV.

    The rule's ``where`` keeps the media channels: the cost centres have no ROI to chart.
    """
    rule = yaml.safe_load(PLAN.read_text(encoding="utf-8"))["alerts"]["low_roi"]
    judged = set(rule["where"]["channel"])
    spend: dict[str, float] = defaultdict(float)
    with (ACTUALS / "channels-daily.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if "2025-04-01" <= row["date"] <= AS_OF and row["spend"] and row["channel"] in judged:
                spend[row["channel"]] += float(row["spend"])
    return spend


def test_weekly_html_in_a_directory(tmp_path: Path) -> None:
    status, stdout, _ = report(tmp_path, "-f", "html")
    assert status == 0  # an error alert fires (kuaishou's ROI), but cron reports exit 0
    assert stdout == ""
    page = tmp_path / "ecommerce-2025-2025-W26.html"
    text = page.read_text(encoding="utf-8")
    parsed = elements(text)
    assert not [t for t, _ in parsed.found if t in ("script", "img", "link", "iframe")]
    assert not [a for _, a in parsed.found if "src" in a or "href" in a]
    # one bar per channel with at least 1万 of spend in the quarter (the rule's min), and the floor
    bars = {a["data-group"] for a in parsed.classed("rect", "bar")}
    assert bars == {c for c, s in q2_spend_by_channel().items() if s >= 10_000}
    assert not bars & {"video_studio", "graphic_studio", "mini_program_dev"}
    assert "bilibili" in bars  # a backup channel is judged once switched on, mapped or not
    assert {a["data-group"] for a in parsed.classed("rect", "bar below")} == {"kuaishou"}
    # the floor once in each drawing of the group chart: across the page, and for phones
    assert len(parsed.classed("svg", "bar-chart wide")) == 1
    assert len(parsed.classed("svg", "bar-chart narrow")) == 1
    assert len(parsed.classed("line", "floor")) == 2
    # cumulative GMV against its paced target and last year
    assert parsed.classed("polyline", "series actual")
    assert parsed.classed("polyline", "series target")
    assert parsed.classed("polyline", "series last-year")
    assert "2025-W26" in text
    assert "PA011" in text  # bilibili is not mapped


@pytest.mark.slow
@pytest.mark.parametrize(
    ("fmt", "name"),
    [
        ("markdown", "ecommerce-2025-2025-W26.md"),
        ("html", "ecommerce-2025-2025-W26.html"),
        ("json", "ecommerce-2025-2025-W26.json"),
        ("csv", "ecommerce-2025-2025-W26.csv"),
    ],
)
def test_same_inputs_give_the_same_bytes(tmp_path: Path, fmt: str, name: str) -> None:
    first, second = tmp_path / "1", tmp_path / "2"
    first.mkdir()
    second.mkdir()
    assert report(first, "-f", fmt)[0] == 0
    assert report(second, "-f", fmt)[0] == 0
    assert (first / name).read_bytes() == (second / name).read_bytes()
    again = report(first, "-f", fmt)
    assert again[0] == 0
    assert (first / name).read_bytes() == (second / name).read_bytes()


@pytest.mark.parametrize(
    ("option", "value", "name"),
    [
        ("--month", "2025-06", "ecommerce-2025-2025-06.md"),
        ("--month", "last", "ecommerce-2025-2025-05.md"),
        ("--quarter", "2025-Q2", "ecommerce-2025-2025-Q2.md"),
        ("--week", "2025-W23", "ecommerce-2025-2025-W23.md"),
    ],
)
def test_monthly_and_quarterly_file_names(
    tmp_path: Path, option: str, value: str, name: str
) -> None:
    status, _, stderr = report(tmp_path, option, value)
    assert status == 0, stderr
    assert [p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock")] == [name]


def test_json_report_section(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    assert report(out, "-f", "json", "--month", "2025-06")[0] == 0
    document = json.loads(out.read_text(encoding="utf-8"))
    (plan,) = document["plans"]
    section = plan["report"]
    assert section["window"] == {"label": "2025-06", "start": "2025-06-01", "end": "2025-06-29"}
    metrics = [k["metric"] for k in section["kpis"]]
    assert metrics == [
        "gmv",
        "uv",
        "conversion",
        "aov",
        "spend",
        "roi",
        "expense_ratio",
        "new_users",
        "nps",
    ]
    gmv = section["kpis"][0]
    assert gmv["change"] == pytest.approx(gmv["value"] / gmv["previous"] - 1, abs=1e-4)
    assert plan["window"]["label"] == "ytd"
    assert plan["as_of"] == AS_OF


def test_fail_on_error_fails_but_still_writes(tmp_path: Path) -> None:
    out = tmp_path / "weekly.md"
    status, _, _ = report(out, "--fail-on", "error")
    assert status == 1
    assert out.exists()
    assert report(out, "--strict")[0] == 1
    assert report(out, "--fail-on", "never")[0] == 0


def test_two_windows_at_once_is_a_usage_problem(tmp_path: Path) -> None:
    status, _, stderr = report(tmp_path, "--week", "last", "--month", "last")
    assert status == 2
    assert "choose one of --week, --month or --quarter" in stderr
    assert report(tmp_path, "--fail-on", "sometimes")[0] == 2


@pytest.mark.parametrize("option", ["--week", "--month", "--quarter"])
def test_a_blank_window_is_a_usage_problem_not_last_week(tmp_path: Path, option: str) -> None:
    """``--month "$MONTH"`` with MONTH unset wrote a weekly report without a word."""
    status, _, stderr = report(tmp_path, option, "")
    assert status == 2
    assert stderr.startswith(f"promoplan: {option} '' is empty (an unset variable?); use last")
    assert list(tmp_path.iterdir()) == []


def test_plan_errors_write_nothing_and_exit_1(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    text = PLAN.read_text(encoding="utf-8")
    broken.write_text(
        text.replace("reserve:     {share: 15%", "reserve:     {share: 5%"), encoding="utf-8"
    )
    out = tmp_path / "out"
    out.mkdir()
    status, stdout, stderr = report(out, "-f", "html", plan=broken)
    assert status == 1
    assert stdout == ""
    assert list(out.iterdir()) == []
    assert "error PP101" in stderr
    assert f"{broken}:" in stderr
    assert "no report written" in stderr
    assert "Traceback" not in stderr


def test_actuals_errors_write_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "actuals"
    folder.mkdir()
    rows = (ACTUALS / "channels-daily.csv").read_text(encoding="utf-8").splitlines()
    rows[5] = rows[5].replace(rows[5].split(",")[3], "12,3a", 1)
    (folder / "channels-daily.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (folder / "brand-daily.csv").write_bytes((ACTUALS / "brand-daily.csv").read_bytes())
    out = tmp_path / "weekly.html"
    status, _, stderr = report(out, "-f", "html", folder=folder)
    assert status == 1
    assert not out.exists()
    assert "error PA00" in stderr


def test_plan_strings_are_escaped_in_html(tmp_path: Path) -> None:
    evil = tmp_path / "evil.yaml"
    text = PLAN.read_text(encoding="utf-8")
    evil.write_text(
        text.replace("name: 电商平台运营年度推广计划", f'name: "{EVIL}"', 1), encoding="utf-8"
    )
    out = tmp_path / "evil.html"
    assert report(out, "-f", "html", plan=evil)[0] == 0
    page = out.read_text(encoding="utf-8")
    assert EVIL not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert not [t for t, _ in elements(page).found if t == "img"]


def truncated_actuals(tmp_path: Path, last_day: str) -> Path:
    """A copy of the example actuals that ends on ``last_day`` (a feed that stopped)."""
    folder = tmp_path / f"actuals-{last_day}"
    folder.mkdir()
    for source in ACTUALS.glob("*.csv"):
        lines = source.read_text(encoding="utf-8").splitlines()
        kept = [lines[0]] + [line for line in lines[1:] if line[:10] <= last_day]
        (folder / source.name).write_text("\n".join(kept) + "\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize("fmt", ["markdown", "html", "json"])
def test_stale_data_warning_in_every_format(tmp_path: Path, fmt: str) -> None:
    folder = truncated_actuals(tmp_path, "2025-06-19")  # 10 days before W26 ends
    out = tmp_path / f"weekly.{fmt}"
    status, _, stderr = report(out, "-f", fmt, folder=folder)
    assert status == 0, stderr
    text = out.read_text(encoding="utf-8")
    assert "PA020" in text
    assert "10 days before" in text
    if fmt == "json":
        codes = [d["code"] for d in json.loads(text)["plans"][0]["diagnostics"]]
        assert "PA020" in codes


def test_seven_days_is_not_stale(tmp_path: Path) -> None:
    folder = truncated_actuals(tmp_path, "2025-06-22")
    out = tmp_path / "weekly.json"
    assert report(out, "-f", "json", folder=folder)[0] == 0
    codes = [
        d["code"] for d in json.loads(out.read_text(encoding="utf-8"))["plans"][0]["diagnostics"]
    ]
    assert "PA020" not in codes


def test_default_as_of_is_today_so_an_old_feed_is_stale(cli: Cli) -> None:
    before = dt.datetime.now(dt.timezone.utc).date().isoformat()
    status, stdout, _ = cli("report", PLAN, *actuals_args(), "-f", "json")
    after = dt.datetime.now(dt.timezone.utc).date().isoformat()
    assert status == 0
    (plan,) = json.loads(stdout)["plans"]
    assert plan["as_of"] in {before, after}  # UTC today (a run may straddle midnight)
    assert "PA020" in [d["code"] for d in plan["diagnostics"]]


def test_ignore_drops_the_stale_warning(tmp_path: Path) -> None:
    folder = truncated_actuals(tmp_path, "2025-06-19")
    out = tmp_path / "weekly.json"
    assert report(out, "-f", "json", "--ignore", "PA020", folder=folder)[0] == 0
    assert "PA020" not in out.read_text(encoding="utf-8")


@pytest.mark.slow
def test_a_second_run_exits_75_while_the_lock_is_held(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fcntl = pytest.importorskip("fcntl")
    monkeypatch.setattr(output_module, "LOCK_WAIT_SECONDS", 0.5)
    out = tmp_path / "weekly.md"
    out.write_text("previous report\n", encoding="utf-8")
    with (tmp_path / "weekly.md.lock").open("w") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        status, _, stderr = report(out)
    assert status == 75
    assert "another promoplan report is writing" in stderr
    assert out.read_text(encoding="utf-8") == "previous report\n"
    assert report(out)[0] == 0  # released: the next run writes


PAUSE_BEFORE_REPLACE = """
import os, sys, time
from pathlib import Path

marker = Path(sys.argv[1])

def paused_replace(source, target):
    marker.write_text(str(source))
    time.sleep(600)

os.replace = paused_replace
sys.argv = ["promoplan", *sys.argv[2:]]
from promoplan.cli import main
main()
"""


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and file modes are POSIX")
def test_killed_run_leaves_the_previous_file_and_its_mode(tmp_path: Path) -> None:
    out = tmp_path / "weekly.html"
    out.write_text("<p>last week's report</p>\n", encoding="utf-8")
    out.chmod(0o640)
    marker = tmp_path / "ready"
    args = ["report", str(PLAN), *actuals_args(), "--as-of", AS_OF, "-f", "html", "-o", str(out)]
    child = subprocess.Popen(
        [sys.executable, "-c", PAUSE_BEFORE_REPLACE, str(marker), *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 300  # generous: only that it gets there is asserted
        while not marker.exists():
            assert child.poll() is None, child.stderr.read() if child.stderr else ""
            assert time.monotonic() < deadline, "the report never reached its write"
            time.sleep(0.05)
        temporary = Path(marker.read_text())
        assert temporary.parent == tmp_path
        assert temporary.read_bytes().endswith(
            b"</html>\n"
        )  # the new report, complete, not yet in place
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
        if child.stderr:
            child.stderr.close()
    assert out.read_text(encoding="utf-8") == "<p>last week's report</p>\n"
    assert oct(out.stat().st_mode & 0o777) == oct(0o640)
    # the next run replaces it, keeps the mode and clears the killed run's temporary file
    assert report(out, "-f", "html")[0] == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert oct(out.stat().st_mode & 0o777) == oct(0o640)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "ready",
        "weekly.html",
        "weekly.html.lock",
    ]


def test_report_to_stdout_takes_no_lock(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    status, stdout, _ = cli("report", PLAN, *actuals_args(), "--as-of", AS_OF)
    assert status == 0
    assert "2025-W26" in stdout
    assert os.listdir(tmp_path) == []


def test_a_window_the_actuals_end_before_is_pa022_not_silently_blank(tmp_path: Path) -> None:
    # The feed stopped on Sunday 2025-06-22: W26's report (06-23..06-29) holds nothing,
    # though 7 days is not stale by PA020.
    folder = truncated_actuals(tmp_path, "2025-06-22")
    out = tmp_path / "weekly.json"
    status, _, stderr = report(out, "-f", "json", folder=folder)
    assert status == 0, stderr
    found = json.loads(out.read_text(encoding="utf-8"))["plans"][0]["diagnostics"]
    (empty,) = [d for d in found if d["code"] == "PA022"]
    assert empty["message"] == (
        "the report window 2025-W26 (2025-06-23..06-29) holds no actuals: "
        "they end on 2025-06-22, before it starts"
    )
    assert "PA022" in stderr  # where cron looks
    # The day after: data on the window's first day is not an empty window.
    folder = truncated_actuals(tmp_path, "2025-06-23")
    assert report(out, "-f", "json", folder=folder)[0] == 0
    codes = [
        d["code"] for d in json.loads(out.read_text(encoding="utf-8"))["plans"][0]["diagnostics"]
    ]
    assert "PA022" not in codes
    assert "PA020" not in codes


def test_a_past_week_reported_later_says_its_goals_lag(tmp_path: Path) -> None:
    """2025-W01 as of 2026-12-04: the week is covered (no PA020), but the goals are as of
    2026-12-04 on data ending 2025-06-29, 523 days before: PA013 says so."""
    out = tmp_path / "w01.json"
    args = ["report", PLAN, *actuals_args(), "--week", "2025-W01", "-f", "json", "-o", out]
    run_cli(*args, "--as-of", "2026-12-04")
    (plan,) = json.loads(out.read_text(encoding="utf-8"))["plans"]
    codes = [d["code"] for d in plan["diagnostics"]]
    assert "PA020" not in codes
    lagging = [d for d in plan["diagnostics"] if d["code"] == "PA013"]
    assert lagging
    assert all("523 days before as-of 2026-12-04" in d["message"] for d in lagging)
    # The day after the data ends, nothing lags.
    assert report(out, "-f", "json", "--as-of", "2025-06-30")[0] in (0, 1)
    (fresh,) = json.loads(out.read_text(encoding="utf-8"))["plans"]
    assert "PA013" not in [d["code"] for d in fresh["diagnostics"]]
