"""Actuals from a table in a DuckDB database file, opened read-only."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb

from clirunner import Cli
from warehouse.conftest import EXAMPLE_ACTUALS
from warehouse.examples import FILTERS, PLAN, comparable, csv_args


def _database(tmp_path: Path) -> Path:
    path = tmp_path / "shop.duckdb"
    con = duckdb.connect(str(path))
    files = ", ".join(f"'{p}'" for p in EXAMPLE_ACTUALS)
    con.execute(
        f"CREATE TABLE actuals AS SELECT * FROM read_csv([{files}], union_by_name = true, "
        "types = {'date': 'DATE', 'channel': 'VARCHAR'})"
    )
    con.execute("CREATE TABLE words AS SELECT DATE '2025-01-01' AS date, 'x' AS gmv")
    con.close()
    return path


def test_check_json_from_a_duckdb_file_is_the_csv_one(cli: Cli, tmp_path: Path) -> None:
    path = _database(tmp_path)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    for plan in (PLAN, FILTERS):
        from_csv = cli("check", str(plan), *csv_args(plan), "-f", "json")
        from_file = cli("check", str(plan), "-a", f"duckdb://{path}?table=actuals", "-f", "json")
        assert from_file[0] == from_csv[0]
        assert comparable(from_file[1]) == comparable(from_csv[1])
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before  # read-only: not touched


def test_columns_spelled_otherwise_are_matched_as_a_files_headers_are(
    cli: Cli, tmp_path: Path
) -> None:
    """A table of ``"DATE"``, ``" CHANNEL "``, ``"GMV"`` ... serves the plan's ``date``,
    ``channel``, ``gmv`` as a CSV file with that header does (case and surrounding spaces
    aside): the same JSON, every goal with a value."""

    def spelled(name: str) -> str:
        return f" {name.upper()} " if name == "channel" else name.upper()

    files = []
    for source in EXAMPLE_ACTUALS:
        lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
        copy = tmp_path / source.name
        header = ",".join(map(spelled, lines[0].rstrip("\n").split(",")))
        copy.write_text(header + "\n" + "".join(lines[1:]), encoding="utf-8")
        files.append(copy)
    path = _database(tmp_path)
    con = duckdb.connect(str(path))
    for name in con.table("actuals").columns:
        con.execute(f'ALTER TABLE actuals RENAME COLUMN "{name}" TO "{spelled(name)}"')
    assert {"DATE", " CHANNEL ", "GMV"} <= set(con.table("actuals").columns)
    con.close()
    from_csv = cli("check", str(PLAN), *[a for f in files for a in ("-a", str(f))], "-f", "json")
    from_file = cli("check", str(PLAN), "-a", f"duckdb://{path}?table=actuals", "-f", "json")
    assert from_file[0] == from_csv[0] == 1
    assert comparable(from_file[1]) == comparable(from_csv[1])
    goals = comparable(from_file[1])["plans"][0]["goals"]
    assert all(g["actual"] is not None for g in goals if g["status"] != "pending")


def test_duckdb_file_problems(cli: Cli, tmp_path: Path) -> None:
    path = _database(tmp_path)
    status, stdout, _ = cli("check", str(FILTERS), "-a", f"duckdb://{path}?table=nope")
    assert status == 1
    assert "error PA032 no table nope in duckdb://" in stdout
    assert "hint: the tables in the file are: actuals, words" in stdout
    status, stdout, _ = cli("check", str(FILTERS), "-a", f"duckdb://{path}?table=actual")
    assert "hint: did you mean actuals? the tables in the file are: actuals, words" in stdout
    status, stdout, _ = cli("check", str(FILTERS), "-a", f"duckdb://{path}?table=words")
    assert status == 1
    assert 'error PA034 column "gmv" is varchar, not a number' in stdout
    status, _, stderr = cli("check", str(FILTERS), "-a", f"duckdb://{tmp_path}/none.duckdb?table=t")
    assert status == 2
    assert "no such database file" in stderr
    # A CSV file, an empty file, a directory named as a database: said as such, exit 2.
    (tmp_path / "actuals.csv").write_text("date,channel,gmv\n2025-01-01,web,1\n", encoding="utf-8")
    (tmp_path / "empty.duckdb").write_bytes(b"")
    for name, words in [
        ("actuals.csv", "not a DuckDB database file; a CSV, Excel or Parquet file is read as"),
        ("empty.duckdb", "not a DuckDB database file"),
        ("", "a directory, not a database file"),
    ]:
        status, stdout, stderr = cli(
            "check", str(FILTERS), "-a", f"duckdb://{tmp_path}/{name}?table=t"
        )
        assert status == 2, stderr
        assert words in stderr
        assert stdout == ""
        assert "Traceback" not in stderr


def test_pa032_counts_the_tables_left_out_and_names_another_schemas_with_it(
    cli: Cli, tmp_path: Path
) -> None:
    """Not "and 1 more" for any number left out; a table of another schema than the
    current one (where a name without a schema is looked for) is named with its schema."""
    path = tmp_path / "many.duckdb"
    con = duckdb.connect(str(path))
    for i in range(30):
        con.execute(f"CREATE TABLE t{i:02} (date DATE)")
    con.execute('CREATE SCHEMA s2; CREATE TABLE s2."Daily" (date DATE)')
    con.close()
    first = ", ".join(f"t{i:02}" for i in range(12))
    status, stdout, _ = cli("check", str(FILTERS), "-a", f"duckdb://{path}?table=nope")
    assert status == 1
    assert f"hint: the tables in the file are: {first} and 19 more\n" in stdout
    # Found in another schema only: PA032 saying where, not a query that fails (exit 3).
    status, stdout, stderr = cli("check", str(FILTERS), "-a", f"duckdb://{path}?table=Daily")
    assert status == 1, stderr
    assert "error PA032 no table Daily in duckdb://" in stdout
    assert "hint: did you mean s2.Daily? a table named without a schema is looked for" in stdout
    status, stdout, _ = cli("check", str(FILTERS), "-a", f"duckdb://{path}?table=s2.nope")
    assert "hint: the tables in s2 are: Daily\n" in stdout


def test_a_fragment_and_a_device_are_refused_as_such(cli: Cli, tmp_path: Path) -> None:
    path = _database(tmp_path)
    status, stdout, stderr = cli("check", str(FILTERS), "-a", f"duckdb://{path}?table=actuals#x")
    assert (status, stdout) == (2, "")
    assert "ends in a #fragment, which no source URL has" in stderr
    status, stdout, stderr = cli("check", str(FILTERS), "-a", "duckdb:///dev/null?table=t")
    assert (status, stdout) == (2, "")
    assert "duckdb:///dev/null?table=t: not a regular file" in stderr


def test_an_expr_is_computed_by_the_query(cli: Cli, tmp_path: Path) -> None:
    """A row-level expr, once refused from a database, gives the value the CSV files give."""
    path = _database(tmp_path)
    text = PLAN.read_text(encoding="utf-8").replace(
        "metrics:\n", "metrics:\n  gmv_row: {expr: gmv * 2}\n", 1
    )
    assert "gmv_row" in text
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        text.replace("goals:\n", "goals:\n  rows2: {metric: gmv_row, at_least: 1}\n", 1)
    )
    from_csv = cli("check", str(plan), *csv_args(plan), "-f", "json")
    from_file = cli("check", str(plan), "-a", f"duckdb://{path}?table=actuals", "-f", "json")
    assert from_file[0] == from_csv[0], from_file[2]
    assert comparable(from_file[1]) == comparable(from_csv[1])
    goals = {g["id"]: g for g in comparable(from_file[1])["plans"][0]["goals"]}
    assert goals["rows2"]["actual"] is not None
    assert goals["rows2"]["actual"] > 1


def test_an_empty_table_is_pa001_and_one_dated_outside_pa012(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "loads.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE emptied (date DATE, channel VARCHAR, gmv DOUBLE, spend DOUBLE)")
    con.execute("CREATE TABLE old_rows AS SELECT DATE '2019-05-01' AS date, 'douyin' AS channel, "
                "1.5 AS gmv, 2.5 AS spend")  # fmt: skip
    con.close()
    status, stdout, _ = cli("check", str(PLAN), "-a", f"duckdb://{path}?table=emptied")
    assert status == 1
    assert f"duckdb://{path}?table=emptied: error PA001 emptied has no rows" in stdout
    assert "Goals" not in stdout  # the run stops, as for a CSV export with no rows
    status, stdout, _ = cli("check", str(PLAN), "-a", f"duckdb://{path}?table=old_rows")
    assert "info PA012 no row of old_rows is dated 2024-01-01 to 2025-12-31" in stdout
    assert "Goals" in stdout


def test_ids_rounded_as_numbers_are_pa018_as_in_a_file(tmp_path: Path) -> None:
    """The same rows as a CSV file and as a table say the same PA018 (the table's
    without a line), and sum the rounded ids' rows into one value, as the file does."""
    from promoplan.actuals import read_actuals  # noqa: PLC0415
    from promoplan.actuals.warehouse import read_warehouse  # noqa: PLC0415
    from promoplan.actuals.warehouse.urls import parse_url  # noqa: PLC0415
    from warehouse.examples import example_spec  # noqa: PLC0415

    csv = tmp_path / "ids.csv"
    csv.write_text(
        "date,channel,gmv\n"
        "2025-01-02,8.61381E+12,1\n"
        "2025-01-02,00123,2\n"
        "2025-01-03,8.61381E+12,4\n"
        "2025-01-03,8.61382E+12,8\n"
        "2025-01-03,tmall+,16\n"
        "2024-12-31,9.9E+12,32\n"  # before the span read: not counted
    )
    path = tmp_path / "ids.duckdb"
    con = duckdb.connect(str(path))
    con.execute(
        "CREATE TABLE ids AS SELECT * FROM read_csv($p, types = {'channel': 'VARCHAR'})",
        {"p": str(csv)},
    )
    con.close()
    spec = example_spec()
    table = read_warehouse(parse_url(f"duckdb://{path}?table=ids"), spec, timeout=60)
    files = read_actuals([csv], spec)
    said = [(d.code, d.message, d.line) for d in table.diagnostics]
    message = (
        'column "channel": "8.61381E+12" (and 1 more such value) is a long id rounded as a '
        "number; ids that differed in the lost digits are counted as one"
    )
    assert said == [("PA018", message, None)]
    assert [
        (d.code, d.message, d.line, d.column) for d in files.diagnostics if d.code == "PA018"
    ] == [("PA018", message, 2, 2)]
    gmv: dict[str | None, Decimal] = {}
    for row in table.cube.rows:
        cell = row.cells[0]
        assert cell is not None
        gmv[row.dims[0]] = gmv.get(row.dims[0], Decimal(0)) + cell.total
    assert gmv == {"8.61381E+12": 1 + 4, "8.61382E+12": 8, "00123": 2, "tmall+": 16}


def test_a_repeat_is_told_by_the_columns_as_a_files_is(cli: Cli, tmp_path: Path) -> None:
    """PA010 names each value after its column (``source``, not the dimension's name
    ``channel``), and leaves out a dimension the table lacks, as for a CSV file."""
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "promoplan: 1\nname: named apart\nperiod: 2025\ncurrency: CNY\n"
        "actuals:\n  dimensions: {channel: source, region: region}\n"
        "metrics:\n  gmv: {column: gmv}\ngoals:\n  gmv: {metric: gmv, at_least: 100}\n",
        encoding="utf-8",
    )
    csv = tmp_path / "a.csv"
    csv.write_text("date,source,gmv\n2025-01-05,douyin,1\n2025-01-05,douyin,2\n")
    path = tmp_path / "a.duckdb"
    con = duckdb.connect(str(path))
    con.execute(
        "CREATE TABLE t AS SELECT * FROM read_csv($p, types = {'date': 'DATE'})", {"p": str(csv)}
    )
    con.close()

    def repeat(source: str) -> str:
        _, stdout, _ = cli("check", str(plan), "-a", source, "-f", "json")
        (found,) = [
            d for d in json.loads(stdout)["plans"][0]["diagnostics"] if d["code"] == "PA010"
        ]
        return str(found["message"])

    assert repeat(str(csv)) == 'repeated: 2025-01-05, source "douyin" (first at line 2)'
    assert repeat(f"duckdb://{path}?table=t") == 'repeated: 2025-01-05, source "douyin"'


SUMMED = """\
promoplan: 1
name: sums
period: 2025
currency: USD
actuals:
  dimensions: {channel: channel}
metrics:
  gmv: {column: gmv, unit: currency}
goals:
  gmv: {metric: gmv, at_least: 100}
alerts:
  quiet: {metric: gmv, below: 1, by: channel}
"""


def test_a_nan_or_infinity_in_a_float_column_is_pa003_and_the_table_not_counted(
    cli: Cli, tmp_path: Path
) -> None:
    """A CSV export with ``NaN`` is PA003; the table's NaN made its group's sum NaN,
    which dropped the valid rows beside it (web on 01-01: 10 + NaN + 5) without a word."""
    plan = tmp_path / "plan.yaml"
    plan.write_text(SUMMED, encoding="utf-8")
    path = tmp_path / "floats.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE t (date DATE, channel VARCHAR, gmv DOUBLE)")
    rows = [("2025-01-01", "web", 10.0), ("2025-01-02", "app", 20.0), ("2025-01-02", "web", 5.0)]
    con.executemany("INSERT INTO t VALUES (?, ?, ?)", rows)
    con.execute(
        "CREATE TABLE nan AS SELECT * FROM t "
        "UNION ALL SELECT DATE '2025-01-02', 'web', 'NaN'::DOUBLE"
    )
    con.execute(
        "CREATE TABLE inf AS SELECT * FROM t "
        "UNION ALL SELECT DATE '2025-01-01', 'app', 'inf'::DOUBLE"
    )
    con.close()
    status, stdout, _ = cli("check", str(plan), "-a", f"duckdb://{path}?table=t", "-f", "json")
    assert status == 0
    assert json.loads(stdout)["plans"][0]["goals"][0]["actual"] == 35  # 10 + 20 + 5
    url = f"duckdb://{path}?table=nan"
    status, stdout, _ = cli("check", str(plan), "-a", url, "-f", "json")
    assert status == 1
    found = json.loads(stdout)["plans"][0]
    assert [(d["code"], d["file"], d["message"]) for d in found["diagnostics"]] == [
        (
            "PA003",
            url,
            "column \"gmv\" of nan sums to NaN on 2025-01-02 (channel 'web'): "
            "it holds a value that is not a finite number",
        )
    ]
    assert all(g["actual"] is None for g in found["goals"])  # not counted, as a bad file
    status, stdout, _ = cli("check", str(plan), "-a", f"duckdb://{path}?table=inf", "-f", "json")
    assert status == 1
    (problem,) = json.loads(stdout)["plans"][0]["diagnostics"]
    assert "sums to Infinity on 2025-01-01 (channel 'app')" in problem["message"]


def test_a_view_that_fails_is_one_line_and_exit_2(cli: Cli, tmp_path: Path) -> None:
    """As from PostgreSQL: a view whose query fails (a bad cast, a dropped table, a file
    read while external access is off) stops the run with one line, not exit 3."""
    path = tmp_path / "views.duckdb"
    csv = tmp_path / "rows.csv"
    csv.write_text("date,gmv\n2025-01-01,1\n", encoding="utf-8")
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE base AS SELECT DATE '2025-01-01' AS date, 'x' AS gmv")
    con.execute("CREATE VIEW v_cast AS SELECT date, gmv::DOUBLE AS gmv FROM base")
    con.execute("CREATE TABLE gone AS SELECT * FROM base")
    con.execute("CREATE VIEW v_gone AS SELECT date, 1.5 AS gmv FROM gone")
    con.execute("DROP TABLE gone")
    con.execute(f"CREATE VIEW v_file AS SELECT * FROM read_csv('{csv}')")
    con.close()
    expected = {
        "v_cast": "failed: Could not convert string 'x' to DOUBLE when casting from source "
        "column gmv\n",
        "v_gone": "failed: Table with name gone does not exist!\n",
        "v_file": "failed: v_file reads files or the network, which promoplan does not allow "
        "from a database file; read those files as --actuals PATH, or make the view a table\n",
    }
    for view, tail in expected.items():
        url = f"duckdb://{path}?table={view}"
        status, stdout, stderr = cli("check", str(PLAN), "-a", url)
        assert (status, stdout) == (2, ""), view
        assert stderr == f"promoplan: the query on {url} {tail}"


def test_a_zoned_timestamp_is_dated_in_promoplan_tz_else_utc_never_the_machines(
    tmp_path: Path,
) -> None:
    """As from a Parquet file: 23:30 UTC on 01-01 is 01-01 in UTC and 01-02 in
    Shanghai, whatever the machine's TZ (a subprocess each: DuckDB reads TZ on start)."""
    plan = tmp_path / "plan.yaml"
    plan.write_text(SUMMED, encoding="utf-8")
    path = tmp_path / "zoned.duckdb"
    con = duckdb.connect(str(path))
    con.execute("SET TimeZone = 'UTC'")
    con.execute("CREATE TABLE t (date TIMESTAMPTZ, channel VARCHAR, gmv INTEGER)")
    con.execute(
        "INSERT INTO t VALUES ('2025-01-01 23:30:00+00', 'web', 1), "
        "('2025-01-02 00:30:00+00', 'web', 2)"
    )
    con.close()
    env = {k: v for k, v in os.environ.items() if k != "PROMOPLAN_TZ"}

    def seen(**extra: str) -> tuple[int, str | None, list[str]]:
        done = subprocess.run(
            [sys.executable, "-m", "promoplan", "check", str(plan), "-a",
             f"duckdb://{path}?table=t", "--period", "2025-01", "-f", "json"],
            env={**env, **extra}, capture_output=True, text=True, check=False,
        )  # fmt: skip
        found = json.loads(done.stdout)["plans"][0]
        return done.returncode, found["as_of"], [d["code"] for d in found["diagnostics"]]

    for zone in ("UTC", "America/Los_Angeles", "Asia/Shanghai"):
        assert seen(TZ=zone) == (0, "2025-01-02", []), zone
    # Both at 15:30 and 16:30 on 01-01 in Los Angeles: one day twice, a repeat.
    assert seen(TZ="UTC", PROMOPLAN_TZ="America/Los_Angeles") == (0, "2025-01-01", ["PA010"])
    assert seen(TZ="UTC", PROMOPLAN_TZ="Mars/Base'")[0::2] == (1, ["PA001"])


def test_of_two_near_spellings_the_table_picks_the_column_its_csv_export_would(
    cli: Cli, tmp_path: Path
) -> None:
    """``"GMV"`` (10) and ``" gmv "`` (20): a file's header is read trimmed, so its
    `` gmv `` is the plan's ``gmv`` exactly, and GMV only by case; the table agrees,
    whichever column comes first."""
    plan = tmp_path / "plan.yaml"
    plan.write_text(SUMMED.replace("alerts:\n  quiet: {metric: gmv, below: 1, by: channel}\n", ""))
    path = tmp_path / "near.duckdb"
    con = duckdb.connect(str(path))
    con.execute(
        """CREATE TABLE a AS SELECT DATE '2025-01-01' AS date, 10 AS "GMV", 20 AS " gmv " """
    )
    con.execute(
        """CREATE TABLE b AS SELECT DATE '2025-01-01' AS date, 20 AS " gmv ", 10 AS "GMV" """
    )
    con.close()
    csv = tmp_path / "a.csv"
    csv.write_text("date,GMV, gmv \n2025-01-01,10,20\n", encoding="utf-8")

    def actual(*source: str) -> object:
        _, stdout, _ = cli("check", str(plan), *source, "-f", "json")
        return json.loads(stdout)["plans"][0]["goals"][0]["actual"]

    assert actual("-a", str(csv)) == 20
    assert actual("-a", f"duckdb://{path}?table=a") == 20
    assert actual("-a", f"duckdb://{path}?table=b") == 20
