"""One column per channel, read as rows of the channel dimension (``actuals.unpivot``).

The public marketing-mix files are read as they are from ../shared/reference/data
(skipped when absent); expected numbers are summed here with the csv module and
Decimal, independently of the engine.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from clirunner import run_cli
from promoplan.actuals import read_actuals
from promoplan.inputs import actuals_spec
from promoplan.loader import load_plan
from promoplan.rollup import Rollup

DATA = Path(__file__).resolve().parents[2] / "shared" / "reference" / "data"
ROBYN = DATA / "robyn_dt_simulated_weekly.csv"
MERIDIAN = DATA / "meridian_national_all_channels.csv"
EXAMPLES = Path(__file__).resolve().parents[1] / "plans" / "examples"
UNPIVOT_CSV = EXAMPLES / "unpivot.csv"
DAY = dt.timedelta(days=1)

ROBYN_PLAN = """\
promoplan: 1
name: Robyn 2019
period: 2019
currency: USD
actuals:
  date: DATE
  grain: weekly
  unpivot:
    dimension: channel
    measures:
      spend: "{channel}_S"
metrics:
  spend:   {column: spend, unit: currency}
  revenue: {column: revenue, unit: currency}
  roi:     {formula: revenue / spend, unit: ratio}
goals:
  growth: {metric: revenue, growth: 5%}
budget:
  lines: {offline: 60%, online: 40%}
channels: {tv: offline, ooh: offline, print: offline, search: online, facebook: online}
alerts:
  quarter_roi: {metric: roi, window: quarter, below: "1:100", action: review the mix}
"""

MERIDIAN_PLAN = """\
promoplan: 1
name: Meridian 2023
period: 2023
currency: USD
actuals:
  date: time
  grain: weekly
  unpivot:
    dimension: channel
    measures:
      spend: "Channel{channel}_spend"
      impressions: "Channel{channel}_impression"
metrics:
  spend:       {column: spend, unit: currency}
  impressions: {column: impressions}
  revenue:     {expr: conversions * revenue_per_conversion, unit: currency}
goals:
  revenue: {metric: revenue, at_least: 1}
budget:
  lines: {a: 20%, b: 20%, c: 20%, d: 20%, e: 20%}
channels: {"0": a, "1": b, "2": c, "3": d, "4": e}
report: {kpis: [revenue, spend, impressions]}
"""


def shared(path: Path) -> Path:
    if not path.is_file():
        pytest.skip(f"{path.name} is not at {path} (../shared beside the checkout)")
    return path


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def check(tmp_path: Path, plan: str, data: Path, *args: str) -> dict[str, Any]:
    path = tmp_path / "plan.yaml"
    path.write_text(plan, encoding="utf-8")
    # In process: what is tested is the output, not the process.
    outcome = run_cli("check", path, "--actuals", data, "-f", "json", *args)
    assert outcome.exit_code in (0, 1), outcome.stderr
    entry: dict[str, object] = json.loads(outcome.stdout)["plans"][0]
    return entry


def weeks_inside(
    data: list[dict[str, str]], key: str, start: dt.date, end: dt.date
) -> list[dict[str, str]]:
    return [
        r
        for r in data
        if start <= dt.date.fromisoformat(r[key]) and dt.date.fromisoformat(r[key]) + 6 * DAY <= end
    ]


def cell(text: str) -> Decimal:
    """A cell as promoplan reads it: exact to 4 decimal places (the README's rule)."""
    return Decimal(text).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def total(data: list[dict[str, str]], *columns: str) -> Decimal:
    return sum((cell(r[c]) for r in data for c in columns), Decimal(0))


def test_robyn_weekly_unpivoted_budget_growth_and_quarterly_roi(tmp_path: Path) -> None:
    data = rows(shared(ROBYN))
    entry = check(tmp_path, ROBYN_PLAN, ROBYN)
    # As of the last day the latest week covers; the window is the whole weeks of 2019.
    last = max(dt.date.fromisoformat(r["DATE"]) for r in data)
    assert entry["as_of"] == (last + 6 * DAY).isoformat() == "2019-11-17"
    assert entry["window"] == {
        "label": "ytd",
        "start": "2019-01-07",
        "end": "2019-11-17",
        "summed": "45 weeks",
    }
    assert [d["code"] for d in entry["diagnostics"]] == ["PA012"]
    this = weeks_inside(data, "DATE", dt.date(2019, 1, 1), dt.date(2019, 11, 17))
    before = weeks_inside(
        data, "DATE", dt.date(2019, 1, 7) - 364 * DAY, dt.date(2019, 11, 17) - 364 * DAY
    )
    assert len(this) == len(before) == 45
    [goal] = entry["goals"]
    assert goal["baseline"] == pytest.approx(float(total(before, "revenue")), rel=1e-12)
    growth = total(this, "revenue") / total(before, "revenue") - 1
    assert goal["actual"] == pytest.approx(float(growth), rel=1e-9)
    spent = {line["line"]: line["spent"] for line in entry["budget"]}
    assert spent["offline"] == pytest.approx(
        float(total(this, "tv_S", "ooh_S", "print_S")), rel=1e-12
    )
    assert spent["online"] == pytest.approx(float(total(this, "search_S", "facebook_S")), rel=1e-12)
    assert "<unmapped>" not in spent
    # The quarterly total ROI: revenue (not split by channel) over all spend, whole weeks of Q3.
    plan = load_plan(tmp_path / "plan.yaml").plan
    assert plan is not None
    values = Rollup(plan, read_actuals([ROBYN], actuals_spec(plan)).cube)
    q3 = weeks_inside(data, "DATE", dt.date(2019, 7, 1), dt.date(2019, 9, 30))
    assert len(q3) == 13
    roi = total(q3, "revenue") / total(q3, "tv_S", "ooh_S", "print_S", "search_S", "facebook_S")
    assert values.value("roi", dt.date(2019, 7, 1), dt.date(2019, 9, 30)) == pytest.approx(
        float(roi), rel=1e-12
    )
    by_channel = values.by_group("spend", "channel", dt.date(2019, 7, 1), dt.date(2019, 9, 30))
    assert by_channel == pytest.approx(
        {c: float(total(q3, f"{c}_S")) for c in ("facebook", "ooh", "print", "search", "tv")},
        rel=1e-12,
    )
    # Revenue is not split by channel: no channel value holds it.
    assert values.by_group("revenue", "channel", dt.date(2019, 7, 1), dt.date(2019, 9, 30)) == {}
    # The alert itself, as of the last day of Q3: the ROI of Q3's 13 whole weeks, and the
    # window printed is the one summed.
    at_q3 = check(tmp_path, ROBYN_PLAN, ROBYN, "--as-of", "2019-09-30")
    [alert] = [a for a in at_q3["alerts"] if a["rule"] == "quarter_roi"]
    assert alert["value"] == pytest.approx(float(roi), rel=1e-12)
    assert alert["window"] == "2019-Q3 (2019-07-01..2019-09-29, 13 weeks)"


def test_meridian_expr_revenue_and_five_unpivoted_channels(tmp_path: Path) -> None:
    data = rows(shared(MERIDIAN))
    entry = check(tmp_path, MERIDIAN_PLAN, MERIDIAN, "--as-of", "2023-12-31")
    assert [d["code"] for d in entry["diagnostics"]] == ["PA012"]
    this = weeks_inside(data, "time", dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    assert len(this) == 52
    revenue = sum(
        (Decimal(r["conversions"]) * Decimal(r["revenue_per_conversion"]) for r in this), Decimal(0)
    )
    [goal] = entry["goals"]
    assert goal["actual"] == pytest.approx(float(revenue), rel=1e-9)
    spent = {line["line"]: line["spent"] for line in entry["budget"]}
    assert spent == pytest.approx(
        {line: float(total(this, f"Channel{n}_spend")) for n, line in enumerate("abcde")}, rel=1e-12
    )
    plan = load_plan(tmp_path / "plan.yaml").plan
    assert plan is not None
    values = Rollup(plan, read_actuals([MERIDIAN], actuals_spec(plan)).cube)
    impressions = values.by_group(
        "impressions", "channel", dt.date(2023, 1, 1), dt.date(2023, 12, 31)
    )
    assert impressions == {str(n): float(total(this, f"Channel{n}_impression")) for n in range(5)}


def test_unpivot_by_names_and_a_pattern_that_matches_nothing(tmp_path: Path) -> None:
    data = tmp_path / "w.csv"
    data.write_text(
        "week,tv_S,radio_S,tv_reach,revenue\n2024-01-01,10,5,100,50\n2024-01-08,20,,200,70\n",
        encoding="utf-8",
    )
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "promoplan: 1\nname: t\nperiod: 2024\nactuals:\n  date: week\n  grain: weekly\n"
        "  unpivot:\n    dimension: channel\n    measures:\n"
        '      spend: "{channel}_S"\n      reach: {tv: tv_reach}\n'
        '      clicks: "{channel}_clicks"\n'
        "metrics:\n  spend: {column: spend}\n  reach: {column: reach}\n  clicks: {column: clicks}\n"
        "report: {kpis: [spend, reach, clicks]}\n",
        encoding="utf-8",
    )
    loaded = load_plan(plan).plan
    assert loaded is not None
    actuals = read_actuals([data], actuals_spec(loaded))
    [problem] = actuals.diagnostics
    assert problem.code == "PA002"
    assert "the pattern \"{channel}_clicks\" of 'clicks' matches no column" in problem.message
    values = Rollup(loaded, actuals.cube)
    start, end = dt.date(2024, 1, 1), dt.date(2024, 12, 31)
    assert values.by_group("spend", "channel", start, end) == {"radio": 5, "tv": 30}
    assert values.by_group("reach", "channel", start, end) == {"tv": 300}
    assert values.value("spend", start, end) == 35


def test_an_unpivoted_channel_the_plan_does_not_map_is_pa011_at_its_header(tmp_path: Path) -> None:
    data = tmp_path / "w.csv"
    data.write_text("date,tv_S,radio_S\n2024-01-01,10,5\n", encoding="utf-8")
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "promoplan: 1\nname: t\nperiod: 2024\nactuals:\n  grain: weekly\n"
        '  unpivot: {dimension: channel, measures: {spend: "{channel}_S"}}\n'
        "metrics: {spend: {column: spend}}\nbudget: {lines: {a: 100%}}\nchannels: {tv: a}\n",
        encoding="utf-8",
    )
    loaded = load_plan(plan).plan
    assert loaded is not None
    actuals = read_actuals([data], actuals_spec(loaded))
    assert [(d.code, d.line, d.column) for d in actuals.diagnostics] == [("PA011", 1, 3)]
    assert 'channel "radio"' in actuals.diagnostics[0].message


def test_a_bad_cell_in_an_unpivoted_column_is_located_and_named(tmp_path: Path) -> None:
    data = tmp_path / "w.csv"
    data.write_text("date,tv_S,radio_S\n2024-01-01,10,5\n2024-01-08,1x,5\n", encoding="utf-8")
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "promoplan: 1\nname: t\nperiod: 2024\nactuals:\n  grain: weekly\n"
        '  unpivot: {dimension: channel, measures: {spend: "{channel}_S"}}\n'
        "metrics: {spend: {column: spend}}\nreport: {kpis: [spend]}\n",
        encoding="utf-8",
    )
    loaded = load_plan(plan).plan
    assert loaded is not None
    actuals = read_actuals([data], actuals_spec(loaded))
    assert [(d.code, d.line, d.column) for d in actuals.diagnostics] == [("PA003", 3, 2)]
    assert 'column "tv_S": "1x"' in actuals.diagnostics[0].message


def test_a_pattern_without_the_dimension_is_refused(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "promoplan: 1\nname: t\nperiod: 2024\n"
        "actuals: {unpivot: {dimension: channel, measures: {spend: spend_S}}}\n",
        encoding="utf-8",
    )
    assert [d.code for d in load_plan(plan).diagnostics] == ["PP003"]


def test_the_unpivot_example_plans_check_cleanly() -> None:
    # In process: what is tested is the output, not the process.
    outcome = run_cli(
        "check", EXAMPLES / "unpivot.yaml", "--actuals", EXAMPLES / "unpivot.csv", "-f", "json"
    )
    assert outcome.exit_code in (0, 1), outcome.stderr
    entry = json.loads(outcome.stdout)["plans"][0]
    assert [d["code"] for d in entry["diagnostics"]] == []
    assert {b["line"] for b in entry["budget"]} == {"offline", "online"}


def counting_plan(text: str) -> str:
    """The unpivot example plan with counts of its unpivoted measures' cells, and goals on them."""
    counted = text.replace(
        "metrics:\n",
        "metrics:\n  spend_weeks: {column: spend, agg: count}\n"
        "  reach_weeks: {column: reach, agg: count}\n",
        1,
    ).replace(
        "goals:\n",
        "goals:\n  spend_weeks: {metric: spend_weeks, at_least: 10}\n"
        "  reach_fb: {metric: reach_weeks, at_least: 10, where: {channel: facebook}}\n",
        1,
    )
    assert "reach_fb" in counted
    assert "spend_weeks: {column" in counted
    return counted


def test_a_count_of_an_unpivoted_measure_counts_its_cells(tmp_path: Path) -> None:
    plan = counting_plan((EXAMPLES / "unpivot.yaml").read_text(encoding="utf-8"))
    entry = check(tmp_path, plan, EXAMPLES / "unpivot.csv")
    assert [d["code"] for d in entry["diagnostics"]] == []
    start = dt.date.fromisoformat(entry["window"]["start"])
    end = dt.date.fromisoformat(entry["window"]["end"])
    inside = weeks_inside(rows(EXAMPLES / "unpivot.csv"), "week", start, end)
    spend = [c for c in inside[0] if c.endswith("_S")]
    assert len(spend) == 4
    goals = {g["id"]: g for g in entry["goals"]}
    # One cell per week and channel: the non-empty cells of each *_S column.
    assert goals["spend_weeks"]["actual"] == sum(1 for r in inside for c in spend if r[c].strip())
    assert goals["reach_fb"]["actual"] == sum(1 for r in inside if r["facebook_I"].strip())
    assert goals["spend_weeks"]["actual"] == 204  # 4 channels x 51 weeks
    assert goals["reach_fb"]["actual"] == 51
    assert goals["spend_weeks"]["status"] == goals["reach_fb"]["status"] == "met"


def test_counts_of_unpivoted_cells_from_a_duckdb_file_are_the_csv_ones(tmp_path: Path) -> None:
    """The same JSON from the CSV and from a DuckDB database file holding it as a table
    (a table has no lines: where each diagnostic points is left out)."""
    path = tmp_path / "unpivot.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE u AS SELECT * FROM read_csv($path)", {"path": str(UNPIVOT_CSV)})
    con.close()
    plan = tmp_path / "plan.yaml"
    plan.write_text(counting_plan((EXAMPLES / "unpivot.yaml").read_text(encoding="utf-8")))
    from_csv = run_cli("check", plan, "-a", UNPIVOT_CSV, "-f", "json")
    from_table = run_cli("check", plan, "-a", f"duckdb://{path}?table=u", "-f", "json")
    assert from_table.exit_code == from_csv.exit_code, from_csv.stderr + from_table.stderr
    documents = [json.loads(r.stdout) for r in (from_csv, from_table)]
    for document in documents:
        for found in document["plans"][0]["diagnostics"]:
            found["file"] = found["line"] = found["column"] = None
    assert documents[0] == documents[1]
    goals = {g["id"]: g for g in documents[0]["plans"][0]["goals"]}
    assert (goals["spend_weeks"]["actual"], goals["reach_fb"]["actual"]) == (204, 51)


def test_counts_of_unpivoted_cells_per_channel_skip_empty_cells(tmp_path: Path) -> None:
    """Only counts read the unpivoted measures (no metric sums them): empty cells do not count,
    a zero does, and the measure not unpivoted is not split by channel."""
    text = (
        "week,tv_S,radio_S,tv_I,revenue\n"
        "2024-01-01,10,5,100,50\n"
        "2024-01-08,,7,,70\n"
        "2024-01-15,0,,300,20\n"
        "2024-01-22,4,,,\n"
    )
    data = tmp_path / "w.csv"
    data.write_text(text, encoding="utf-8")
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "promoplan: 1\nname: t\nperiod: 2024\nactuals:\n  date: week\n  grain: weekly\n"
        "  unpivot:\n    dimension: channel\n    measures:\n"
        '      spend: "{channel}_S"\n      reach: {tv: tv_I}\n'
        "metrics:\n  spend_weeks: {column: spend, agg: count}\n"
        "  reach_weeks: {column: reach, agg: count}\n"
        "  revenue_weeks: {column: revenue, agg: count}\n"
        "report: {kpis: [spend_weeks, reach_weeks, revenue_weeks]}\n",
        encoding="utf-8",
    )
    loaded = load_plan(plan).plan
    assert loaded is not None
    actuals = read_actuals([data], actuals_spec(loaded))
    assert actuals.diagnostics == ()
    cells = rows(data)

    def filled(column: str) -> int:
        return sum(1 for r in cells if r[column].strip())

    values = Rollup(loaded, actuals.cube)
    start, end = dt.date(2024, 1, 1), dt.date(2024, 12, 31)
    assert values.by_group("spend_weeks", "channel", start, end) == {
        "tv": filled("tv_S"),
        "radio": filled("radio_S"),
    }
    assert values.by_group("reach_weeks", "channel", start, end) == {"tv": filled("tv_I")}
    assert values.value("spend_weeks", start, end) == filled("tv_S") + filled("radio_S") == 5
    assert values.value("revenue_weeks", start, end) == filled("revenue") == 3


def test_an_expr_over_an_unpivoted_measure_is_pp128_from_validate_and_check(
    tmp_path: Path,
) -> None:
    text = counting_plan((EXAMPLES / "unpivot.yaml").read_text(encoding="utf-8"))
    text = text.replace("metrics:\n", "metrics:\n  spend2: {expr: spend * 2}\n", 1)
    text = text.replace("goals:\n", "goals:\n  spend2: {metric: spend2, at_least: 1}\n", 1)
    lines = text.splitlines()
    line = next(n for n, t in enumerate(lines, start=1) if t.startswith("  spend2: {expr:"))
    column = lines[line - 1].index("spend * 2") + 1
    plan = tmp_path / "plan.yaml"
    plan.write_text(text, encoding="utf-8")
    validated = run_cli("validate", plan)
    assert validated.exit_code == 1
    assert f"plan.yaml:{line}:{column}: error PP128 metric 'spend2': expr reads 'spend'" in (
        validated.stdout
    )
    entry = check(tmp_path, text, EXAMPLES / "unpivot.csv")
    assert [(d["code"], d["line"], d["column"]) for d in entry["diagnostics"]] == [
        ("PP128", line, column)
    ]
    assert entry["status"] == "fail"


def write_rows(path: Path, header: list[str], body: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(body)
    return path


def check_files(plan: Path, *files: Path, as_of: str = "2025-06-30") -> dict[str, Any]:
    actuals = [a for f in files for a in ("--actuals", f)]
    outcome = run_cli("check", plan, *actuals, "--as-of", as_of, "-f", "json")
    assert outcome.exit_code in (0, 1), outcome.stderr
    entry: dict[str, Any] = json.loads(outcome.stdout)["plans"][0]
    return entry


def spent(entry: dict[str, Any]) -> dict[str, Decimal]:
    return {b["line"]: Decimal(str(b["spent"])) for b in entry["budget"]}


def test_overlapping_unpivoted_exports_are_counted_once_with_a_pa010(tmp_path: Path) -> None:
    data = rows(UNPIVOT_CSV)
    header = list(data[0])
    middle = len(data) // 2
    # Two exports sharing three weeks: a second export re-sends the weeks before its start.
    first = write_rows(tmp_path / "a.csv", header, data[: middle + 3])
    second = write_rows(tmp_path / "b.csv", header, data[middle:])
    whole = check_files(EXAMPLES / "unpivot.yaml", UNPIVOT_CSV)
    parts = check_files(EXAMPLES / "unpivot.yaml", first, second)
    ytd = weeks_inside(data, "week", dt.date(2025, 1, 1), dt.date(2025, 6, 29))
    # By hand, from the rows: each week's spend once, per line of the budget.
    assert spent(parts) == {
        "offline": total(ytd, "tv_S", "ooh_S"),
        "online": total(ytd, "search_S", "facebook_S"),
    }
    assert spent(parts) == spent(whole)
    assert parts["goals"] == whole["goals"]
    assert parts["alerts"] == whole["alerts"]
    (overlap,) = parts["diagnostics"]
    shared_weeks = [r["week"] for r in data[middle : middle + 3]]
    assert overlap["code"] == "PA010"
    assert overlap["file"].endswith("b.csv")
    assert overlap["line"] == 2  # b.csv's first row: the first shared week
    assert f"{shared_weeks[0]} is also in " in overlap["message"]
    assert f"a.csv:{middle + 2}" in overlap["message"]  # the header is line 1
    # Each shared week: revenue (no channel) and spend of four channels.
    assert "15 date and dimension values overlap in all" in overlap["message"]


def test_unpivoted_exports_of_different_channels_for_the_same_weeks_add_up(
    tmp_path: Path,
) -> None:
    data = rows(UNPIVOT_CSV)
    # The offline team's export and the online team's: the same weeks, no channel in
    # common, revenue in one of them only: nothing overlaps.
    offline = write_rows(tmp_path / "offline.csv", ["week", "tv_S", "ooh_S", "revenue"], data)
    online = write_rows(
        tmp_path / "online.csv",
        ["week", "search_S", "facebook_S", "facebook_I", "search_clicks_P"],
        data,
    )
    split = check_files(EXAMPLES / "unpivot.yaml", offline, online)
    whole = check_files(EXAMPLES / "unpivot.yaml", UNPIVOT_CSV)
    # Each file lacks the other's channels: no PA002, as for a column one file lacks.
    assert split["diagnostics"] == []
    assert spent(split) == spent(whole)
    assert split["goals"] == whole["goals"]


def test_an_unpivoted_export_and_a_revenue_file_share_the_revenue_once(tmp_path: Path) -> None:
    data = rows(UNPIVOT_CSV)
    spend = write_rows(tmp_path / "a_spend.csv", list(data[0]), data)
    # A later file re-sends the revenue of 2025's first quarter, corrected upwards by 1000.
    q1 = [r for r in data if "2025-01-06" <= r["week"] <= "2025-03-24"]
    corrected = [{"week": r["week"], "revenue": str(int(r["revenue"]) + 1000)} for r in q1]
    revenue = write_rows(tmp_path / "b_revenue.csv", ["week", "revenue"], corrected)
    entry = check_files(EXAMPLES / "unpivot.yaml", spend, revenue)
    whole = check_files(EXAMPLES / "unpivot.yaml", UNPIVOT_CSV)
    assert spent(entry) == spent(whole)  # spend is in one file only
    (overlap,) = entry["diagnostics"]
    assert overlap["code"] == "PA010"
    assert overlap["file"].endswith("b_revenue.csv")
    assert f"{len(q1)} date and dimension values overlap in all" in overlap["message"]
    # The corrected revenue counts, once: this year's revenue is 1000 more per week.
    (growth,) = entry["goals"]
    (before,) = whole["goals"]
    ytd = weeks_inside(data, "week", dt.date(2025, 1, 1), dt.date(2025, 6, 29))
    this_year = total(ytd, "revenue")
    assert Decimal(str(growth["actual"])) - Decimal(str(before["actual"])) == pytest.approx(
        Decimal(1000 * len(q1)) / (this_year / (Decimal(1) + Decimal(str(before["actual"]))))
    )


def test_an_unpivot_column_no_file_has_is_one_pa002_naming_the_count(tmp_path: Path) -> None:
    data = rows(UNPIVOT_CSV)
    # Neither file has facebook's reach column (facebook_I): once, for both files.
    columns = ["week", "tv_S", "ooh_S", "search_S", "facebook_S", "search_clicks_P", "revenue"]
    h1 = write_rows(tmp_path / "h1.csv", columns, data[:50])
    h2 = write_rows(tmp_path / "h2.csv", columns, data[50:])
    entry = check_files(EXAMPLES / "unpivot.yaml", h1, h2)
    assert [(d["code"], d["message"], d.get("file")) for d in entry["diagnostics"]] == [
        (
            "PA002",
            'column "facebook_I" (reach for channel "facebook") is in none of the 2 files',
            None,
        )
    ]
    # One file: at its header, with its columns (and, as it holds last year alone, PA013).
    found = check_files(EXAMPLES / "unpivot.yaml", h1)["diagnostics"]
    assert sorted(d["code"] for d in found) == ["PA002", "PA013"]
    (alone,) = [d for d in found if d["code"] == "PA002"]
    assert (
        alone["message"] == 'column "facebook_I" (reach for channel "facebook") is not in the file'
    )
    assert (alone["file"], alone["line"]) == (str(h1), 1)
