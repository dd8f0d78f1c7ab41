"""Long tables (``actuals.layout: long``): one row per date, dimension values and metric.

Expected numbers come from the committed example file, summed here with the
csv module and Decimal.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import json
import subprocess
import sys
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from promoplan.actuals import read_actuals
from promoplan.actuals.model import Actuals, ActualsSpec, LongSpec
from promoplan.checks import check_plan
from promoplan.loader import load_plan

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "plans" / "examples"
CASES = Path(__file__).resolve().parent / "cases" / "actuals"
DAY = dt.timedelta(days=1)
SPEC = ActualsSpec(
    date_column="date",
    dimensions=(("channel", "channel"),),
    columns=("spend", "gmv"),
    long=LongSpec(),
)


def located(actuals: Actuals) -> list[tuple[str, str | None, int | None, int | None]]:
    return [(d.code, d.file, d.line, d.column) for d in actuals.diagnostics]


def check_json(*args: str) -> dict[str, Any]:
    outcome = subprocess.run(
        [sys.executable, "-m", "promoplan", "check", str(EXAMPLES / "long.yaml"),
         "--actuals", str(EXAMPLES / "long.csv"), "-f", "json", *args],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert outcome.returncode in (0, 1), outcome.stderr
    entry: dict[str, Any] = json.loads(outcome.stdout)["plans"][0]
    return entry


def long_rows() -> list[tuple[dt.date, str, str, Decimal]]:
    with (EXAMPLES / "long.csv").open(encoding="utf-8", newline="") as handle:
        return [
            (dt.date.fromisoformat(r["week"]), r["channel"], r["metric"], Decimal(r["value"]))
            for r in csv.DictReader(handle)
        ]


def whole_weeks(start: dt.date, end: dt.date) -> list[dt.date]:
    """Mondays whose week lies inside start..end."""
    return [d for d in sorted({row[0] for row in long_rows()}) if start <= d and d + 6 * DAY <= end]


def test_the_long_example_gives_the_hand_computed_budget_and_growth() -> None:
    rows = long_rows()
    weeks = set(whole_weeks(dt.date(2025, 1, 1), dt.date(2025, 6, 29)))
    assert len(weeks) == 25  # 2025-01-06 .. 2025-06-23
    spent = {
        channel: sum(v for d, c, m, v in rows if d in weeks and c == channel and m == "spend")
        for channel in ("search", "social")
    }
    before = {d - 364 * DAY for d in weeks}
    revenue = sum(v for d, _, m, v in rows if d in weeks and m == "revenue")
    last_year = sum(v for d, _, m, v in rows if d in before and m == "revenue")
    entry = check_json()
    assert entry["window"]["start"] == "2025-01-06"
    budget = {row["line"]: row["spent"] for row in entry["budget"]}
    assert budget == {"search": float(spent["search"]), "social": float(spent["social"])}
    [growth] = entry["goals"]
    assert growth["baseline"] == pytest.approx(float(last_year))
    assert growth["actual"] == pytest.approx(float(revenue / last_year - 1))
    # The metric the plan does not read is an info naming it, nothing more.
    [info] = entry["diagnostics"]
    assert (info["code"], info["severity"]) == ("PA015", "info")
    assert '"clicks"' in info["message"]


def test_the_long_example_quarter_alert_is_the_ratio_of_the_channels_sums() -> None:
    rows = long_rows()
    weeks = set(whole_weeks(dt.date(2025, 4, 1), dt.date(2025, 6, 29)))
    revenue = sum(v for d, c, m, v in rows if d in weeks and c == "social" and m == "revenue")
    spend = sum(v for d, c, m, v in rows if d in weeks and c == "social" and m == "spend")
    entry = check_json()
    [alert] = [a for a in entry["alerts"] if a["rule"] == "low_roi"]
    assert alert["group"] == {"channel": "social"}
    assert alert["value"] == pytest.approx(float(revenue / spend))


def test_a_metric_the_plan_needs_and_no_file_holds_is_pa002(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text("date,channel,metric,value\n2025-01-01,a,spend,3\n", encoding="utf-8")
    actuals = read_actuals([path], SPEC)
    [problem] = actuals.diagnostics
    assert (problem.code, problem.severity) == ("PA002", "warning")
    assert 'metric "gmv" in column "metric"' in problem.message
    assert '"spend"' in (problem.hint or "")


def test_the_metric_and_value_columns_are_named_by_the_plan(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text(
        "date,channel,kpi,amount\n"
        "2025-01-01,a,spend,3\n2025-01-01,a,gmv,10.5\n2025-01-01,b,spend,4\n"
        "2025-01-02,a, spend ,5\n2025-01-02,a,clicks,99\n",
        encoding="utf-8",
    )
    spec = ActualsSpec(
        date_column="date",
        dimensions=(("channel", "channel"),),
        columns=("spend", "gmv"),
        long=LongSpec(metric_column="kpi", value_column="amount"),
    )
    actuals = read_actuals([path], spec)
    assert [d.code for d in actuals.diagnostics] == ["PA015"]
    cells = {
        (row.day.isoformat(), row.dims[0]): tuple(
            None if cell is None else cell.total for cell in row.cells
        )
        for row in actuals.cube.rows
    }
    # A metric name is trimmed like a dimension value (" spend " is spend).
    assert cells == {
        ("2025-01-01", "a"): (Decimal(3), Decimal("10.5")),
        ("2025-01-01", "b"): (Decimal(4), None),
        ("2025-01-02", "a"): (Decimal(5), None),
    }


def test_the_same_date_dimensions_and_metric_twice_is_pa010(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text(
        "date,channel,metric,value\n"
        "2025-01-01,a,spend,3\n2025-01-01,a,gmv,1\n2025-01-01,a,spend,4\n",
        encoding="utf-8",
    )
    [problem] = read_actuals([path], SPEC).diagnostics
    assert (problem.code, problem.line) == ("PA010", 4)
    assert 'metric "spend"' in problem.message


BAD = "date,channel,metric,value\n2025-01-01,a,spend,3\n2025-01-01,a,gmv,1\n2025-01-02,a,gmv,12;5\n"


def test_a_bad_value_is_located_in_csv_and_gzip_csv(tmp_path: Path) -> None:
    plain = tmp_path / "long.csv"
    plain.write_text(BAD, encoding="utf-8")
    packed = tmp_path / "long.csv.gz"
    packed.write_bytes(gzip.compress(BAD.encode()))
    for path in (plain, packed):
        actuals = read_actuals([path], SPEC)
        assert located(actuals) == [("PA003", str(path), 4, 4)]
        assert 'column "value": "12;5"' in actuals.diagnostics[0].message


def test_a_bad_value_is_located_in_parquet(tmp_path: Path) -> None:
    path = tmp_path / "long.parquet"
    duckdb.sql(
        "COPY (SELECT DATE '2025-01-01' + CAST(i // 2 AS INT) AS date, 'a' AS channel, "
        "CASE WHEN i % 2 = 0 THEN 'spend' ELSE 'gmv' END AS metric, "
        "CASE WHEN i = 5 THEN 'n.a.x' ELSE CAST(i AS VARCHAR) END AS value "
        f"FROM range(8) t(i)) TO '{path}' (FORMAT parquet)"
    )
    assert located(read_actuals([path], SPEC)) == [("PA003", str(path), 6, 4)]


def test_a_bad_value_is_located_in_a_workbook_by_sheet_row_and_column() -> None:
    path = CASES / "long_bad_cell.xlsx"  # the data on the second sheet, "Long"
    actuals = read_actuals([path], ActualsSpec(**{**SPEC.__dict__, "sheet": "Long"}))
    assert located(actuals) == [("PA003", f"{path}:Long", 5, 4)]


def test_typed_parquet_and_csv_give_the_same_cube(tmp_path: Path) -> None:
    text = tmp_path / "long.csv"
    text.write_text(
        "date,channel,metric,value\n"
        + "".join(
            f"2025-01-{1 + i // 4:02d},{'ab'[i % 2]},{('spend', 'gmv')[i // 2 % 2]},{i * 1.25}\n"
            for i in range(40)
        ),
        encoding="utf-8",
    )
    typed = tmp_path / "long.parquet"
    duckdb.sql(
        f"COPY (SELECT CAST(date AS DATE) AS date, channel, metric, CAST(value AS DOUBLE) AS value "
        f"FROM read_csv('{text}', all_varchar = true)) TO '{typed}' (FORMAT parquet)"
    )
    one, other = read_actuals([text], SPEC), read_actuals([typed], SPEC)
    assert located(one) == located(other) == []
    assert one.cube == other.cube
    spend = sum(
        (row.cells[0].total for row in one.cube.rows if row.cells[0] is not None), Decimal(0)
    )
    assert spend == sum(Decimal(i) * Decimal("1.25") for i in range(40) if i // 2 % 2 == 0)


def test_expr_and_counts_in_a_long_table_are_pp127(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "promoplan: 1\nname: x\nperiod: 2025\n"
        "actuals: {layout: long}\n"
        "metrics:\n"
        "  revenue: {expr: conversions * value_per_conversion}\n"
        "  orders: {agg: count}\n"
        "  spend: {column: spend}\n"
        "goals:\n  g: {metric: revenue, at_least: 1}\n  o: {metric: orders, at_least: 1}\n",
        encoding="utf-8",
    )
    loaded = load_plan(plan)
    assert loaded.plan is not None
    found = [(d.code, d.path) for d in check_plan(loaded.plan, loaded.locate) if d.code == "PP127"]
    assert found == [("PP127", "metrics.revenue.expr"), ("PP127", "metrics.orders.agg")]


def test_a_long_file_carries_the_metrics_it_holds_rows_of(tmp_path: Path) -> None:
    """PA013 judges each metric by the files that hold its rows: revenue, only in
    b.csv, which stops in March, lags on 2025-06-29; spend, in a.csv up to June, does
    not. Before, a long file was taken to carry only the plan's first metric."""
    from promoplan.lag import lag_diagnostics  # noqa: PLC0415

    (tmp_path / "a.csv").write_text(
        "date,channel,metric,value\n2025-01-06,search,spend,10\n2025-06-29,search,spend,5\n"
    )
    (tmp_path / "b.csv").write_text(
        "date,channel,metric,value\n2025-01-06,search,revenue,90\n2025-03-31,search,revenue,7\n"
    )
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "promoplan: 1\nname: two long files\nperiod: 2025\ncurrency: USD\n"
        "actuals: {layout: long, dimensions: {channel: channel}}\n"
        "metrics:\n  spend: {column: spend}\n  revenue: {column: revenue}\n"
        "goals:\n  revenue: {metric: revenue, at_least: 100}\n",
        encoding="utf-8",
    )
    loaded = load_plan(plan)
    assert loaded.plan is not None
    spec = replace(SPEC, columns=("spend", "revenue"))
    actuals = read_actuals([tmp_path / "a.csv", tmp_path / "b.csv"], spec)
    assert [f.measures for f in actuals.files] == [("spend",), ("revenue",)]
    (lag,) = lag_diagnostics(loaded.plan, actuals, dt.date(2025, 6, 29))
    assert lag.message.startswith("metric revenue ends on 2025-03-31")


def test_a_long_file_and_no_metric_read_is_no_crash(tmp_path: Path) -> None:
    """A plan that reads no metric of a long file (only a budget to come, say) reads its
    dates and says which names it holds (PA015); it used to fail inside the engine."""
    (tmp_path / "a.csv").write_text("date,channel,metric,value\n2025-01-06,search,spend,10\n")
    actuals = read_actuals([tmp_path / "a.csv"], replace(SPEC, columns=()))
    assert actuals.ok
    assert [f.measures for f in actuals.files] == [()]
    assert [d.code for d in actuals.diagnostics] == ["PA015"]
    assert actuals.files[0].last_date == dt.date(2025, 1, 6)


def test_the_same_metric_in_two_long_files_is_counted_once_from_the_later(
    tmp_path: Path,
) -> None:
    """Overlapping long exports: a (date, channel, metric) in both files is PA010 and
    counted from the later file (spend on 2025-01-13 is 7, not 5 + 7); the same date and
    channel with another metric is no overlap. Two long files used to fail inside the
    engine when they shared a date and channel."""
    (tmp_path / "a.csv").write_text(
        "date,channel,metric,value\n2025-01-06,search,spend,10\n2025-01-13,search,spend,5\n"
    )
    (tmp_path / "b.csv").write_text(
        "date,channel,metric,value\n2025-01-13,search,spend,7\n2025-01-13,search,gmv,70\n"
    )
    actuals = read_actuals([tmp_path / "a.csv", tmp_path / "b.csv"], SPEC)
    (overlap,) = actuals.diagnostics
    assert (overlap.code, overlap.line) == ("PA010", 2)
    assert overlap.message.startswith('overlap: 2025-01-13, channel "search", metric "spend"')
    totals = {
        (row.day, column): cell.total
        for row in actuals.cube.rows
        for column, cell in zip(actuals.cube.columns, row.cells, strict=True)
        if cell is not None
    }
    assert totals == {
        (dt.date(2025, 1, 6), "spend"): Decimal(10),
        (dt.date(2025, 1, 13), "spend"): Decimal(7),
        (dt.date(2025, 1, 13), "gmv"): Decimal(70),
    }


def test_metric_names_not_read_are_one_pa015_for_all_the_files(tmp_path: Path) -> None:
    header = "date,channel,metric,value\n"
    (tmp_path / "a.csv").write_text(header + "2025-01-06,search,spend,1\n")
    (tmp_path / "b.csv").write_text(header + "2025-01-13,search,clicks,4\n")
    (tmp_path / "c.csv").write_text(header + "2025-01-20,search,views,9\n2025-01-20,x,clicks,1\n")
    files = [tmp_path / n for n in ("a.csv", "b.csv", "c.csv")]
    actuals = read_actuals(files, SPEC)
    (info,) = [d for d in actuals.diagnostics if d.code == "PA015"]
    assert info.file == str(tmp_path / "b.csv")
    assert info.message == (
        '2 metrics in column "metric" the plan does not read, ignored: "clicks", "views" '
        "(in 2 files)"
    )


def test_a_metric_name_in_another_case_is_a_pa002_warning_at_its_file(tmp_path: Path) -> None:
    # A second export names its metrics "Spend": its rows are ignored, said as a warning
    # (the file counts for nothing), not folded into PA015's info.
    header = "date,channel,metric,value\n"
    (tmp_path / "a.csv").write_text(header + "2025-01-06,search,spend,1\n2025-01-06,search,gmv,5\n")
    (tmp_path / "b.csv").write_text(
        header + "2025-01-13,search,Spend,2\n2025-01-13,search, GMV ,7\n2025-01-13,x,clicks,1\n"
    )
    actuals = read_actuals([tmp_path / "a.csv", tmp_path / "b.csv"], SPEC)
    found = sorted((d.code, d.severity, d.file, d.message) for d in actuals.diagnostics)
    b = str(tmp_path / "b.csv")
    assert found == [
        ("PA002", "warning", b, 'metric "GMV" in column "metric" is not "gmv", which the plan '
         "reads: its rows are ignored (metric names match as written, case included)"),
        ("PA002", "warning", b, 'metric "Spend" in column "metric" is not "spend", which the plan '
         "reads: its rows are ignored (metric names match as written, case included)"),
        ("PA015", "info", b, '1 metric in column "metric" the plan does not read, ignored: '
         '"clicks"'),
    ]  # fmt: skip
