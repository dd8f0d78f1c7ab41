"""Row-level expr values, unpivot and weekly or monthly grain computed by the database's query."""

from __future__ import annotations

import csv
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import duckdb
import psycopg
import pytest
from psycopg import sql

from clirunner import Cli
from promoplan.actuals.model import ActualsSpec, Computed, UnpivotSpec, measure_key
from promoplan.actuals.warehouse import read_warehouse
from promoplan.actuals.warehouse.urls import parse_url
from warehouse import pgserver
from warehouse.examples import comparable
from warehouse.pgserver import execute
from warehouse.pushdown_cases import CASES, EXAMPLES, TEXT_COLUMNS, WEEKLY_EXPR, WEEKLY_SQL


@pytest.fixture(scope="module")
def tables(postgres: pgserver.Server, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each case's table on the server, and the CSV file of the same data."""
    files: dict[str, Path] = {}
    for name, (_, table, given, date) in CASES.items():
        csv_file = given
        if csv_file is None:
            execute(
                postgres, f"DROP TABLE IF EXISTS {table}", f"CREATE TABLE {table} AS {WEEKLY_SQL}"
            )
            csv_file = tmp_path_factory.mktemp(name) / f"{name}.csv"
            pgserver.export_csv(postgres.dsn(), WEEKLY_SQL, csv_file)
        else:
            pgserver.load_csv_files(
                postgres.dsn(), table, [csv_file], text_columns=TEXT_COLUMNS, date_columns=(date,)
            )
        files[name] = csv_file
    return files


@pytest.mark.parametrize("case", list(CASES))
def test_check_json_from_postgres_is_the_csv_one(
    cli: Cli, postgres: pgserver.Server, tables: dict[str, Path], case: str
) -> None:
    plan, table, _, _ = CASES[case]
    from_csv = cli("check", str(plan), "-a", str(tables[case]), "-f", "json")
    from_pg = cli("check", str(plan), "-a", postgres.url(table), "-f", "json")
    assert from_pg[0] == from_csv[0], from_pg[2]
    assert comparable(from_pg[1]) == comparable(from_csv[1])
    goals = comparable(from_pg[1])["plans"][0]["goals"]
    assert goals  # not vacuous: every goal has a value
    assert all(g["actual"] is not None for g in goals), goals


def test_the_weekly_plan_with_filters_and_expr_has_every_value(
    cli: Cli, postgres: pgserver.Server, tables: dict[str, Path]
) -> None:
    """The identity above is not one of two empty results: the planted stories show."""
    status, stdout, _ = cli(
        "check", str(WEEKLY_EXPR), "-a", postgres.url("public.weekly_expr"), "-f", "json"
    )
    found = json.loads(stdout)["plans"][0]
    assert {g["id"] for g in found["goals"]} == {"video_gmv", "margin", "video_margin", "aov_peak"}
    assert status in (0, 1)
    assert not [d for d in found["diagnostics"] if d["severity"] == "error"]


def test_check_json_from_a_duckdb_file_is_the_csv_one(
    cli: Cli, tables: dict[str, Path], tmp_path: Path
) -> None:
    path = tmp_path / "cases.duckdb"
    con = duckdb.connect(str(path))
    for name, (_, table, _, date) in CASES.items():
        con.execute(
            f'CREATE TABLE "{table.split(".")[1]}" AS SELECT * FROM read_csv($path, '
            f"types = {{'{date}': 'DATE'}})",
            {"path": str(tables[name])},
        )
    con.close()
    for name, (plan, table, _, _) in CASES.items():
        from_csv = cli("check", str(plan), "-a", str(tables[name]), "-f", "json")
        url = f'duckdb://{path}?table="{table.split(".")[1]}"'
        from_file = cli("check", str(plan), "-a", url, "-f", "json")
        assert from_file[0] == from_csv[0], (name, from_file[2])
        assert comparable(from_file[1]) == comparable(from_csv[1]), name


def _spelled(header: list[str]) -> list[str]:
    """A header as a table loaded from a spreadsheet may spell it: in upper case, the
    second name padded with spaces."""
    return [f" {h.upper()} " if i == 1 else h.upper() for i, h in enumerate(header)]


@pytest.mark.parametrize("case", list(CASES))
def test_columns_spelled_otherwise_are_matched_as_a_files_headers_are(
    cli: Cli, postgres: pgserver.Server, tables: dict[str, Path], tmp_path: Path, case: str
) -> None:
    """A table's columns meet the plan's names as a CSV file's headers do, case and
    surrounding spaces aside (the query names the table's spelling): a view of the case's
    table under its columns spelled otherwise gives the JSON of the CSV file whose header
    spells them so."""
    plan, table, _, _ = CASES[case]
    with tables[case].open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header = _spelled(rows[0])
    csv_file = tmp_path / f"{case}.csv"
    with csv_file.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows([header, *rows[1:]])
    view = sql.Identifier("public", f"{table.split('.')[1]}_spelled")
    columns = sql.SQL(", ").join(
        sql.SQL("{} AS {}").format(sql.Identifier(old), sql.Identifier(new))
        for old, new in zip(rows[0], header, strict=True)
    )
    execute(
        postgres,
        sql.SQL("DROP VIEW IF EXISTS {}").format(view),
        sql.SQL("CREATE VIEW {} AS SELECT {} FROM {}").format(
            view, columns, sql.Identifier(*table.split("."))
        ),
    )
    from_csv = cli("check", str(plan), "-a", str(csv_file), "-f", "json")
    url = postgres.url(f"public.{table.split('.')[1]}_spelled")
    from_pg = cli("check", str(plan), "-a", url, "-f", "json")
    assert from_pg[0] == from_csv[0], from_pg[2]
    assert comparable(from_pg[1]) == comparable(from_csv[1])
    found = comparable(from_pg[1])["plans"][0]
    assert not [d for d in found["diagnostics"] if d["code"] in ("PA002", "PA033")]
    assert any(g["actual"] is not None for g in found["goals"]), found["goals"]


def _spec(**changes: object) -> ActualsSpec:
    base: dict[str, object] = {
        "date_column": "day",
        "dimensions": (("channel", "channel"),),
        "columns": ("gmv", "spend", "orders"),
        "keep_from": dt.date(2025, 1, 1),
        "keep_to": dt.date(2025, 12, 31),
    }
    base.update(changes)
    return ActualsSpec(**base)  # type: ignore[arg-type]  # the fields above, by name


def test_expr_values_per_row_rounded_then_summed(postgres: pgserver.Server) -> None:
    execute(
        postgres,
        "DROP TABLE IF EXISTS public.rowvalues",
        "CREATE TABLE public.rowvalues (day date, channel text, gmv numeric, spend numeric, "
        "orders int)",
        "INSERT INTO public.rowvalues VALUES ('2025-01-06', 'a', 10, 4, 3), "
        "('2025-01-06', 'a', 5, 0, 0), ('2025-01-06', 'a', NULL, 2, 1), "
        "('2025-01-07', 'a', 1, 0.00002, 7)",
    )
    margin = measure_key(None, "sum", "gmv - spend * 1.25")
    per_order = measure_key(None, "max", "gmv / orders")
    assert margin is not None
    assert per_order is not None
    spec = _spec(
        computed=(
            Computed(margin, "expr", expr="gmv - spend * 1.25"),
            Computed(per_order, "expr", expr="gmv / orders"),
        ),
        extrema=frozenset({per_order}),
    )
    actuals = read_warehouse(parse_url(postgres.url("public.rowvalues")), spec, timeout=60)
    assert actuals.ok, actuals.diagnostics
    assert actuals.cube.columns == ("gmv", "spend", "orders", margin, per_order)
    first, second = actuals.cube.rows
    assert (first.day, first.dims) == (dt.date(2025, 1, 6), ("a",))
    got = first.cells[3]
    # 10 - 4 x 1.25 = 5 and 5 - 0 = 5; the row without gmv has no value.
    assert got is not None
    assert (got.total, got.count) == (Decimal(10), 2)
    peak = first.cells[4]
    # 10 / 3 = 3.3333 (rounded per row), 5 / 0 has no value, NULL / 1 neither.
    assert peak is not None
    assert (peak.total, peak.count, peak.minimum, peak.maximum) == (
        Decimal("3.3333"),
        1,
        Decimal("3.3333"),
        Decimal("3.3333"),
    )
    # 1 - 0.00002 x 1.25 = 0.999975, kept to 4 places per row: 0.9999 or 1.0000, never 0.999975.
    tiny = second.cells[3]
    assert tiny is not None
    assert tiny.total in (Decimal("0.9999"), Decimal("1.0000"))


def test_monthly_rows_count_on_their_months_first_day(postgres: pgserver.Server) -> None:
    execute(
        postgres,
        "DROP TABLE IF EXISTS public.months",
        "CREATE TABLE public.months (day timestamp, channel text, gmv numeric, spend numeric, "
        "orders int)",
        "INSERT INTO public.months VALUES ('2025-01-15 10:00', 'a', 1, 0, 0), "
        "('2025-02-03 00:00', 'a', 2, 0, 0), ('2025-02-27 23:59', 'a', 4, 0, 0), "
        "('2025-03-20 12:00', 'a', 8, 0, 0), ('2025-04-01 00:00', 'a', 16, 0, 0)",
    )
    # Kept: months whose first day is within 2025-01-10..2025-03-05, as in a file.
    spec = _spec(grain="monthly", keep_from=dt.date(2025, 1, 10), keep_to=dt.date(2025, 3, 5))
    actuals = read_warehouse(parse_url(postgres.url("public.months")), spec, timeout=60)
    by_day = {row.day: row.cells[0] for row in actuals.cube.rows}
    assert sorted(by_day) == [dt.date(2025, 2, 1), dt.date(2025, 3, 1)]
    february = by_day[dt.date(2025, 2, 1)]
    assert february is not None
    assert (february.total, february.count) == (Decimal(6), 2)
    (repeat,) = [d for d in actuals.diagnostics if d.code == "PA010"]
    assert repeat.message == 'repeated: 2025-02-01, channel "a"'
    assert repeat.hint is not None
    assert repeat.hint.startswith("grain is monthly")


def test_weekly_rows_on_another_weekday_are_pa004(cli: Cli, postgres: pgserver.Server) -> None:
    execute(
        postgres,
        "DROP TABLE IF EXISTS public.weeks",
        "CREATE TABLE public.weeks (week date, channel text, revenue numeric, spend numeric)",
        "INSERT INTO public.weeks VALUES ('2024-01-01', 'a', 1, 1), ('2024-01-09', 'a', 2, 1), "
        "('2024-01-09', 'b', 2, 1)",
    )
    plan = EXAMPLES / "weekly.yaml"
    status, stdout, _ = cli("check", str(plan), "-a", postgres.url("public.weeks"))
    assert status == 1
    assert (
        'error PA004 column "week": 2024-01-09 is a Tuesday, not the first day of a week (Monday)'
        in stdout
    )
    assert stdout.count("PA004") == 1  # one line per date, not per row
    assert "set actuals.week_start: sunday" in stdout


def test_unpivot_values_are_bound_and_missing_patterns_pa002(postgres: pgserver.Server) -> None:
    evil = "'); DROP TABLE x; --"
    with psycopg.connect(postgres.dsn(), autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS public.x (n int)")
        conn.execute("DROP TABLE IF EXISTS public.wide")
        conn.execute(
            psycopg.sql.SQL(
                "CREATE TABLE public.wide (week date, {} numeric, tv_S numeric, revenue numeric)"
            ).format(psycopg.sql.Identifier(f"{evil}_S"))
        )
        conn.execute("INSERT INTO public.wide VALUES ('2025-01-06', 3, 5, 100)")
    spec = ActualsSpec(
        date_column="week",
        dimensions=(("channel", "channel"),),
        columns=("spend", "reach", "revenue"),
        grain="weekly",
        keep_from=dt.date(2025, 1, 1),
        keep_to=dt.date(2025, 12, 31),
        unpivot=UnpivotSpec("channel", (("spend", "{}_S", ()), ("reach", None, (("tv", "tv_I"),)))),
    )
    actuals = read_warehouse(parse_url(postgres.url("public.wide")), spec, timeout=60)
    rows = {row.dims: row.cells for row in actuals.cube.rows}
    # Unquoted in the DDL, tv_S is folded to tv_s by the server; headers match the plan
    # with case aside, so "{}_S" still finds it.
    assert set(rows) == {(None,), (evil,), ("tv",)}
    tv_spend = rows[("tv",)][0]
    assert tv_spend is not None
    assert tv_spend.total == Decimal(5)
    spend, reach, revenue = rows[(evil,)]
    assert spend is not None
    assert spend.total == Decimal(3)
    assert reach is None
    assert revenue is None
    base = rows[(None,)]
    assert base[0] is None
    assert base[2] is not None
    assert base[2].total == Decimal(100)
    (missing,) = [d for d in actuals.diagnostics if d.code == "PA002"]
    assert missing.message.startswith('column "tv_I" (reach for channel "tv") is not in')
    assert missing.line is None
    with psycopg.connect(postgres.dsn()) as conn:
        assert conn.execute("SELECT to_regclass('public.x') IS NOT NULL").fetchone() == (True,)


_LONG_ROWS = [
    ("2025-01-02", "douyin", "spend", "10.50"),
    ("2025-01-02", "douyin", " gmv ", "100"),  # trimmed, as a file's key is
    ("2025-01-02", "douyin", "clicks", "999"),  # a metric not read: not even fetched
    ("2025-01-02", "kuaishou", "gmv", "40"),
    ("2025-01-02", "kuaishou", "gmv", "2"),  # the same date, channel and metric again
    ("2025-01-03", "douyin", "spend", ""),  # no value: counted as a row, not as a value
    ("2025-01-03", "douyin", "gmv", "7"),
    ("2024-12-31", "douyin", "gmv", "5000"),  # before the dates read
    ("2025-01-03", "douyin", "'); DROP TABLE x; --", "1"),  # a metric name is bound
]


def test_a_long_table_is_pivoted_as_the_file_engine_pivots_it(
    postgres: pgserver.Server, tmp_path: Path
) -> None:
    """The rows of each metric the plan reads, under their own measure, summed by date
    and channel (hand-computed below); the same repeat (PA010) as the CSV file of the
    rows, and PA002 for a metric no row holds; the metric names are bound."""
    from promoplan.actuals import read_actuals  # noqa: PLC0415
    from promoplan.actuals.model import LongSpec  # noqa: PLC0415

    evil = "'); DROP TABLE x; --"
    csv_file = tmp_path / "long.csv"
    with csv_file.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows([("day", "channel", "metric", "value"), *_LONG_ROWS])
    execute(postgres, "CREATE TABLE IF NOT EXISTS public.x (n int)")
    pgserver.load_csv_files(
        postgres.dsn(),
        "public.long_hand",
        [csv_file],
        text_columns=TEXT_COLUMNS,
        date_columns=("day",),
    )
    spec = ActualsSpec(
        date_column="day",
        dimensions=(("channel", "channel"),),
        columns=("gmv", "spend", "nps", evil),
        keep_from=dt.date(2025, 1, 1),
        keep_to=dt.date(2025, 12, 31),
        long=LongSpec(),
    )
    actuals = read_warehouse(parse_url(postgres.url("public.long_hand")), spec, timeout=60)
    cube = actuals.cube
    totals = {
        (row.day.isoformat(), row.dims[0], column): cell.total
        for row in cube.rows
        for column, cell in zip(cube.columns, row.cells, strict=True)
        if cell is not None and cell.count
    }
    assert totals == {
        ("2025-01-02", "douyin", "gmv"): Decimal(100),
        ("2025-01-02", "douyin", "spend"): Decimal("10.50"),
        ("2025-01-02", "kuaishou", "gmv"): Decimal(40 + 2),
        ("2025-01-03", "douyin", "gmv"): Decimal(7),
        ("2025-01-03", "douyin", evil): Decimal(1),
    }
    said = {d.code: d.message for d in actuals.diagnostics}
    assert said == {
        "PA010": 'repeated: 2025-01-02, channel "kuaishou", metric "gmv"',
        "PA002": "no row of public.long_hand dated 2025-01-01 to 2025-12-31 has the metric "
        '"nps" in column "metric"',
    }
    # The rows read: those of the metrics read, in the dates read (clicks' is not fetched).
    assert [f.rows for f in actuals.files] == [7]
    from_file = read_actuals([csv_file], spec)
    assert from_file.cube == cube
    (repeat,) = [d for d in from_file.diagnostics if d.code == "PA010"]
    assert repeat.message.replace(" (first at line 5)", "") == said["PA010"]
    with psycopg.connect(postgres.dsn()) as conn:
        assert conn.execute("SELECT to_regclass('public.x') IS NOT NULL").fetchone() == (True,)


def test_a_long_tables_value_of_text_is_pa034_and_no_metric_column_pa002(
    cli: Cli, postgres: pgserver.Server
) -> None:
    execute(
        postgres,
        "DROP TABLE IF EXISTS public.long_text, public.long_kpi",
        "CREATE TABLE public.long_text (week date, channel text, metric text, value text)",
        "INSERT INTO public.long_text VALUES ('2025-01-06', 'search', 'spend', '12')",
        "CREATE TABLE public.long_kpi (week date, channel text, kpi text, value numeric)",
        "INSERT INTO public.long_kpi VALUES ('2025-01-06', 'search', 'spend', 12)",
    )
    plan = str(EXAMPLES / "long.yaml")
    status, stdout, _ = cli("check", plan, "-a", postgres.url("public.long_text"))
    assert status == 1
    assert 'error PA034 column "value" is text, not a number' in stdout
    status, stdout, _ = cli("check", plan, "-a", postgres.url("public.long_kpi"))
    assert status == 0
    assert 'warning PA002 column "metric" is not in public.long_kpi' in stdout
    assert 'hint: the columns are: "week", "channel", "kpi", "value"' in stdout
    # No channel column: PA002 for it, and a repeat is told by the values there are.
    execute(
        postgres,
        "DROP TABLE IF EXISTS public.long_nochannel",
        "CREATE TABLE public.long_nochannel (week date, metric text, value numeric)",
        "INSERT INTO public.long_nochannel VALUES ('2025-01-06', 'spend', 12), "
        "('2025-01-06', 'spend', 3), ('2025-01-06', 'revenue', 40)",
    )
    status, stdout, _ = cli("check", plan, "-a", postgres.url("public.long_nochannel"))
    assert 'warning PA002 column "channel" is not in public.long_nochannel' in stdout
    assert 'warning PA010 repeated: 2025-01-06, metric "spend"\n' in stdout
