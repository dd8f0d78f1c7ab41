"""Actuals from a real PostgreSQL server: the results CSV gives, safely, with clear errors."""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from psycopg import sql

from clirunner import Cli
from promoplan.actuals.warehouse import columns, read_warehouse
from promoplan.actuals.warehouse.urls import parse_url, with_table
from warehouse import pgserver
from warehouse.conftest import EXAMPLE_ACTUALS, EXAMPLE_TABLE
from warehouse.examples import CSV, FILTERS, PLAN, comparable, csv_args, example_spec
from warehouse.pgserver import execute


@pytest.mark.parametrize("plan", [PLAN, FILTERS], ids=["example", "filters"])
def test_check_json_from_postgres_is_the_csv_one(
    cli: Cli, postgres: pgserver.Server, plan: Path
) -> None:
    from_csv = cli("check", str(plan), *csv_args(plan), "-f", "json")
    from_pg = cli("check", str(plan), "-a", postgres.url(EXAMPLE_TABLE), "-f", "json")
    assert from_pg[0] == from_csv[0]
    assert comparable(from_pg[1]) == comparable(from_csv[1])
    # Not vacuous: the example's planted stories are in both.
    found = comparable(from_pg[1])["plans"][0]
    assert found["goals"]
    assert all(g["actual"] is not None for g in found["goals"][:3])
    if plan == PLAN:
        assert {d["code"] for d in found["diagnostics"]} == {"PA010", "PA011"}
        assert from_pg[0] == 1  # kuaishou's ROI alert


def test_the_plan_names_its_source(cli: Cli, postgres: pgserver.Server, tmp_path: Path) -> None:
    text = PLAN.read_text(encoding="utf-8").replace(
        "actuals:\n  date: date\n",
        "actuals:\n"
        f"  source: postgresql://postgres@127.0.0.1:{postgres.port}/promoplan\n"
        f"  table: {EXAMPLE_TABLE}\n"
        "  date: date\n",
        1,
    )
    plan = tmp_path / "plan.yaml"
    plan.write_text(text, encoding="utf-8")
    from_plan = cli("check", str(plan), "-f", "json")
    from_csv = cli("check", str(PLAN), *[a for f in CSV for a in ("-a", f)], "-f", "json")
    assert from_plan[0] == 1
    expected = comparable(from_csv[1])
    expected["plans"][0]["file"] = str(plan)
    for goal in expected["plans"][0]["goals"]:  # written two lines lower, below the source
        goal["line"] += 2
    assert comparable(from_plan[1]) == expected


def test_a_password_in_the_plan_is_refused(cli: Cli, tmp_path: Path) -> None:
    text = PLAN.read_text(encoding="utf-8").replace(
        "actuals:\n",
        "actuals:\n  source: postgresql://ana:hunter2@127.0.0.1:1/shop\n  table: t\n",
        1,
    )
    plan = tmp_path / "plan.yaml"
    plan.write_text(text, encoding="utf-8")
    for command in ("validate", "check"):  # PP141 at the URL, before any connection
        status, stdout, stderr = cli(command, str(plan))
        assert status == 1
        assert re.search(r"plan\.yaml:\d+:11: error PP141 actuals\.source holds a password", stdout)
        assert "hunter2" not in stdout + stderr


def test_read_only_transaction_timeout_and_application_name(postgres: pgserver.Server) -> None:
    """A view reports the session's settings as dimension values, as promoplan's query sees them."""
    execute(
        postgres,
        "CREATE OR REPLACE VIEW public.probe AS SELECT DATE '2025-03-01' AS date, "
        "current_setting('transaction_read_only') AS ro, "
        "current_setting('application_name') AS app, "
        "current_setting('statement_timeout') AS st, "
        "current_setting('work_mem') AS wm, 1::numeric AS gmv",
    )
    spec = example_spec(dimensions=(("ro", "ro"), ("app", "app"), ("st", "st"), ("wm", "wm")))
    actuals = read_warehouse(parse_url(postgres.url("public.probe")), spec, timeout=90)
    # work_mem: the server's default 4MB raised to 64MB for the aggregate, in this transaction.
    assert [row.dims for row in actuals.cube.rows] == [("on", "promoplan", "90s", "64MB")]


def test_a_larger_work_mem_is_kept(
    postgres: pgserver.Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A session that has more work_mem than promoplan asks for keeps it."""
    execute(
        postgres,
        "CREATE OR REPLACE VIEW public.probe_wm AS SELECT DATE '2025-03-01' AS date, "
        "current_setting('work_mem') AS wm, 1::numeric AS gmv",
    )
    monkeypatch.setenv("PGOPTIONS", "-c work_mem=256MB")
    spec = example_spec(dimensions=(("wm", "wm"),))
    actuals = read_warehouse(parse_url(postgres.url("public.probe_wm")), spec, timeout=90)
    assert [row.dims for row in actuals.cube.rows] == [("256MB",)]


def test_writing_is_refused_by_the_server(cli: Cli, postgres: pgserver.Server) -> None:
    """The transaction is read-only: a function that writes fails inside promoplan's query."""
    execute(
        postgres,
        "CREATE TABLE IF NOT EXISTS public.scratch (n int)",
        "CREATE OR REPLACE FUNCTION public.writes() RETURNS numeric LANGUAGE sql AS "
        "'INSERT INTO public.scratch VALUES (1) RETURNING 1::numeric'",
        "CREATE OR REPLACE VIEW public.writer AS SELECT DATE '2025-03-01' AS date, "
        "'x'::text AS channel, public.writes() AS gmv",
    )
    status, _, stderr = cli("check", str(FILTERS), "-a", postgres.url("public.writer"))
    assert status == 2
    assert "read-only transaction" in stderr
    with psycopg.connect(postgres.dsn()) as conn:
        assert conn.execute("SELECT count(*) FROM public.scratch").fetchone() == (0,)


def test_injection_in_values_and_names_harms_nothing(
    cli: Cli, postgres: pgserver.Server, tmp_path: Path
) -> None:
    evil = "'); DROP TABLE x; --"
    execute(
        postgres,
        "CREATE TABLE IF NOT EXISTS public.x (n int)",
        sql.SQL(
            "CREATE TABLE public.evil "
            '(date date, channel text, "a""b" numeric, "c%(keep_from)s" numeric)'
        ),
        sql.SQL(
            "INSERT INTO public.evil VALUES ('2025-01-02', {evil}, 10, 1), "
            "('2025-01-02', 'douyin', 5, 1), ('2025-01-03', {evil}, 2.5, 1)"
        ).format(evil=sql.Literal(evil)),
    )
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "promoplan: 1\nname: Injection\nperiod: 2025\n"
        "actuals: {dimensions: {channel: channel}}\n"
        "metrics:\n"
        "  evil_gmv: {column: 'a\"b', where: {channel: \"'); DROP TABLE x; --\"}}\n"
        "  odd: {column: 'c%(keep_from)s'}\n"
        "goals:\n"
        "  evil: {metric: evil_gmv, at_least: 100}\n"
        "  odd: {metric: odd, at_least: 100}\n",
        encoding="utf-8",
    )
    status, stdout, stderr = cli(
        "check", str(plan), "-a", postgres.url("public.evil"), "-f", "json", "--as-of", "2025-01-03"
    )
    assert status == 0, stderr
    goals = {g["id"]: g for g in json.loads(stdout)["plans"][0]["goals"]}
    assert goals["evil"]["actual"] == 12.5  # 10 + 2.5: the value matched literally, douyin not
    assert goals["odd"]["actual"] == 3
    with psycopg.connect(postgres.dsn()) as conn:
        assert conn.execute("SELECT to_regclass('public.x') IS NOT NULL").fetchone() == (True,)
        assert conn.execute("SELECT count(*) FROM public.evil").fetchone() == (3,)


def test_wrong_password_is_pa031_without_the_password(cli: Cli, postgres: pgserver.Server) -> None:
    wrong = "Wr0ng-" + postgres.password[::-1]
    url = postgres.url(EXAMPLE_TABLE, user=pgserver.PASSWORD_ROLE)
    status, stdout, stderr = cli("check", str(PLAN), "-a", url, env={"PGPASSWORD": wrong})
    assert status == 2
    assert re.fullmatch(
        r"promoplan: error PA031 authentication failed for postgresql://pw_reader@127\.0\.0\.1:\d+/"
        r"promoplan\?table=public\.actuals: "
        r"password authentication failed for user \"pw_reader\"; .*\n",
        stderr,
    ), stderr
    # In the URL itself, and as ${ENV}: never printed either.
    with_password = url.replace("pw_reader@", f"pw_reader:{wrong}@")
    status, stdout2, stderr2 = cli("check", str(PLAN), "-a", with_password)
    assert status == 2
    assert "PA031" in stderr2
    status, stdout3, stderr3 = cli(
        "check",
        str(PLAN),
        "-a",
        url.replace("pw_reader@", "pw_reader:${DB_PW}@"),
        env={"DB_PW": wrong},
    )
    assert status == 2
    assert "PA031" in stderr3
    everything = stdout + stderr + stdout2 + stderr2 + stdout3 + stderr3
    assert wrong not in everything
    assert "Traceback" not in everything


def test_the_right_password_from_each_place(
    cli: Cli, postgres: pgserver.Server, tmp_path: Path
) -> None:
    execute(
        postgres,
        sql.SQL("GRANT SELECT ON {} TO {}").format(
            sql.Identifier("public", "actuals"), sql.Identifier(pgserver.PASSWORD_ROLE)
        ),
    )
    url = postgres.url(EXAMPLE_TABLE, user=pgserver.PASSWORD_ROLE)
    passfile = tmp_path / "pgpass"
    passfile.write_text(
        f"127.0.0.1:{postgres.port}:promoplan:{pgserver.PASSWORD_ROLE}:{postgres.password}\n"
    )
    passfile.chmod(0o600)
    runs = [
        cli("check", str(PLAN), "-a", url, "-f", "json", env={"PGPASSWORD": postgres.password}),
        cli("check", str(PLAN), "-a", url, "-f", "json", env={"PGPASSFILE": str(passfile)}),
        cli(
            "check",
            str(PLAN),
            "-a",
            url.replace("pw_reader@", "pw_reader:${DB_PW}@"),
            "-f",
            "json",
            env={"DB_PW": postgres.password},
        ),
    ]
    for status, stdout, stderr in runs:
        assert status == 1, stderr  # the example's error alert: it ran
        assert postgres.password not in stdout + stderr
        assert json.loads(stdout)["plans"][0]["goals"]


def test_stopped_server_is_pa030(cli: Cli, postgres: pgserver.Server) -> None:
    bindir = pgserver.binaries()
    assert bindir is not None
    other = pgserver.start_server(bindir)
    try:
        other.stop()
        status, stdout, stderr = cli("check", str(PLAN), "-a", other.url(EXAMPLE_TABLE))
    finally:
        pgserver.remove(other)
    assert status == 2
    assert stderr.startswith(
        f"promoplan: error PA030 cannot reach postgresql://postgres@127.0.0.1:{other.port}/"
    )
    assert "Connection refused" in stderr
    assert stdout == ""
    assert "Traceback" not in stderr


def test_no_host_or_port_in_the_url_is_libpqs_to_choose(
    cli: Cli, postgres: pgserver.Server, tmp_path: Path
) -> None:
    """PGHOST and PGPORT, a service file's host and port, a socket directory written
    percent-encoded: as psql reads them. No port 5432 is invented, nor printed."""
    services = tmp_path / "pg_service.conf"
    services.write_text(f"[shop]\nhost=127.0.0.1\nport={postgres.port}\n", encoding="utf-8")
    socket = quote(str(postgres.root), safe="")
    runs = [
        ("postgresql://postgres@/promoplan", {"PGHOST": "127.0.0.1", "PGPORT": str(postgres.port)}),
        ("postgresql://postgres@/promoplan?service=shop", {"PGSERVICEFILE": str(services)}),
        (f"postgresql://postgres@{socket}:{postgres.port}/promoplan", {}),
    ]
    for url, env in runs:
        status, stdout, stderr = cli(
            "check", str(PLAN), "-a", with_table(url, EXAMPLE_TABLE), "-f", "json", env=env
        )
        assert status == 1, (url, stderr)  # the example's error alert: it ran
        assert json.loads(stdout)["plans"][0]["goals"]
    dead = {"PGHOST": "127.0.0.1", "PGPORT": "1"}
    url = f"postgresql://postgres@/promoplan?table={EXAMPLE_TABLE}"
    status, _, stderr = cli("check", str(PLAN), "-a", url, env=dead)
    assert status == 2
    assert stderr.startswith(f"promoplan: error PA030 cannot reach {url}: ")


def test_pa032_counts_the_tables_it_does_not_name(cli: Cli, postgres: pgserver.Server) -> None:
    execute(postgres, "CREATE SCHEMA many")
    execute(postgres, *(f"CREATE TABLE many.t{i:02} (date date)" for i in range(20)))
    status, stdout, _ = cli("check", str(PLAN), "-a", postgres.url("many.nope"))
    assert status == 1
    first = ", ".join(f"t{i:02}" for i in range(12))
    assert f"hint: the tables in many are: {first} and 8 more\n" in stdout
    # One differing in case only is found, though it is not among the first.
    execute(postgres, "CREATE TABLE many.zz (date date)")
    status, stdout, _ = cli("check", str(PLAN), "-a", postgres.url("many.ZZ"))
    assert "hint: did you mean zz? a name is read as written, case included" in stdout


@pytest.mark.parametrize(
    ("parameter", "words"),
    [
        ("sslmode=bogus", 'invalid sslmode value: "bogus"; check the URL\'s parameters'),
        ("connect_timeout=soon", "bad value for connect_timeout: 'soon'; check the URL's"),
        ("target_session_attrs=any-old", "invalid target_session_attrs value"),
        ("service=nosuch", 'service "nosuch" not found; check the URL\'s parameters; a service'),
        ("sslmode=require", "this server offers no SSL: lower the URL's sslmode"),
    ],
)
def test_a_url_parameter_libpq_refuses_is_pa030_saying_so(
    cli: Cli,
    postgres: pgserver.Server,
    *,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    parameter: str,
    words: str,
) -> None:
    """Not "is the server running?": the server runs; the URL is what to fix."""
    services = tmp_path / "pg_service.conf"
    services.write_text("[other]\nhost=127.0.0.1\n", encoding="utf-8")
    monkeypatch.setenv("PGSERVICEFILE", str(services))
    status, stdout, stderr = cli(
        "check", str(PLAN), "-a", f"{postgres.url(EXAMPLE_TABLE)}&{parameter}"
    )
    assert status == 2
    assert stderr.startswith(
        f"promoplan: error PA030 cannot connect to postgresql://postgres@127.0.0.1:{postgres.port}/"
    )
    assert words in stderr
    assert "is the server running" not in stderr
    assert stdout == ""
    assert "Traceback" not in stderr


def test_an_empty_table_is_pa001_as_an_empty_file_is_and_one_dated_outside_pa012(
    cli: Cli, postgres: pgserver.Server, tmp_path: Path
) -> None:
    """A load that left the table empty stops the run as a CSV export with no rows does;
    rows all dated outside the span read are PA012, as the file engine says them."""
    execute(
        postgres,
        "DROP TABLE IF EXISTS public.emptied",
        "CREATE TABLE public.emptied AS SELECT * FROM public.actuals LIMIT 0",
        "DROP TABLE IF EXISTS public.old_rows",
        "CREATE TABLE public.old_rows AS SELECT date - 3650 AS date, channel, gmv, spend "
        "FROM public.actuals WHERE channel = 'douyin'",
    )
    header = EXAMPLE_ACTUALS[0].read_text(encoding="utf-8").splitlines()[0]
    empty_csv = tmp_path / "empty.csv"
    empty_csv.write_text(header + "\n", encoding="utf-8")
    status, stdout, _ = cli("check", str(PLAN), "-a", postgres.url("public.emptied"), "-f", "json")
    from_csv = cli("check", str(PLAN), "-a", str(empty_csv), "-f", "json")
    assert status == from_csv[0] == 1
    table, csv = comparable(stdout)["plans"][0], comparable(from_csv[1])["plans"][0]
    [found] = [d for d in table["diagnostics"] if d["code"] == "PA001"]
    assert found["severity"] == "error"
    assert found["message"] == "public.emptied has no rows"
    for plan in (table, csv):  # the one error, which stops the run
        assert [d["code"] for d in plan["diagnostics"] if d["severity"] == "error"] == ["PA001"]
    for key in ("status", "as_of", "window", "goals", "budget", "alerts"):
        assert table[key] == csv[key], key  # nothing evaluated: no goal shows "no data"
    status, stdout, _ = cli("check", str(PLAN), "-a", postgres.url("public.old_rows"), "-f", "json")
    found = [d for d in json.loads(stdout)["plans"][0]["diagnostics"] if d["code"] == "PA012"]
    assert [(d["severity"], d["message"]) for d in found] == [
        (
            "info",
            "no row of public.old_rows is dated 2024-01-01 to 2025-12-31; "
            "the rows outside are not read",
        )
    ]


def test_missing_table_is_pa032_naming_the_tables(cli: Cli, postgres: pgserver.Server) -> None:
    status, stdout, _ = cli("check", str(PLAN), "-a", postgres.url("public.actual"))
    assert status == 1
    assert "error PA032 no table public.actual on postgresql://postgres@127.0.0.1:" in stdout
    meant = r"hint: did you mean actuals\? the tables in public are: .*\bactuals\b"
    assert re.search(meant, stdout)
    # A name differing in case only: PostgreSQL folds an unquoted name, promoplan quotes it.
    status, stdout, _ = cli("check", str(PLAN), "-a", postgres.url("public.Actuals"))
    assert status == 1
    assert "hint: did you mean actuals? a name is read as written, case included" in stdout


@pytest.mark.parametrize(
    "table",
    ['"Mkt. Data"."Daily ""Sales"""', 'promoplan."Mkt. Data"."Daily ""Sales"""', "plain_daily"],
    ids=["quoted", "with-database", "search-path"],
)
def test_table_names_that_need_quoting_are_found(
    cli: Cli, postgres: pgserver.Server, table: str
) -> None:
    """The catalog and the cube query name the same table: a schema with a dot and a space,
    upper case and a quote in the name, the database as a first part, none (search_path)."""
    execute(
        postgres,
        'CREATE SCHEMA IF NOT EXISTS "Mkt. Data"',
        'CREATE TABLE IF NOT EXISTS "Mkt. Data"."Daily ""Sales""" (date date, gmv numeric)',
        "CREATE TABLE IF NOT EXISTS public.plain_daily (date date, gmv numeric)",
        'CREATE TABLE IF NOT EXISTS "Mkt. Data".plain_daily (date date, gmv numeric)',
        'TRUNCATE "Mkt. Data"."Daily ""Sales""", public.plain_daily, "Mkt. Data".plain_daily',
        'INSERT INTO "Mkt. Data"."Daily ""Sales""" VALUES (\'2025-01-02\', 7.5)',
        "INSERT INTO public.plain_daily VALUES ('2025-01-02', 7.5)",
        "INSERT INTO \"Mkt. Data\".plain_daily VALUES ('2025-01-02', 1000)",
    )
    spec = example_spec(columns=("gmv",), dimensions=())
    actuals = read_warehouse(parse_url(postgres.url(table)), spec, timeout=60)
    assert [d.code for d in actuals.diagnostics] == []
    (row,) = actuals.cube.rows  # public's plain_daily, not the other schema's
    assert row.day == dt.date(2025, 1, 2)
    assert row.cells[0] is not None
    assert row.cells[0].total == Decimal("7.5")


def test_missing_date_column_is_pa033_and_missing_measure_pa002(
    cli: Cli, postgres: pgserver.Server
) -> None:
    execute(
        postgres,
        "CREATE TABLE IF NOT EXISTS public.nodate (day date, channel text, gmv numeric)",
        "CREATE TABLE IF NOT EXISTS public.nospend (date date, channel text, gmv numeric)",
        "INSERT INTO public.nospend VALUES ('2025-01-02', 'douyin', 1)",
    )
    status, stdout, _ = cli("check", str(FILTERS), "-a", postgres.url("public.nodate"))
    assert status == 1
    assert (
        'error PA033 no date column "date" in public.nodate '
        '(the columns are: "day", "channel", "gmv")' in stdout
    )
    status, stdout, _ = cli(
        "check", str(FILTERS), "-a", postgres.url("public.nospend"), "--as-of", "2025-01-02"
    )
    assert status == 0
    assert (
        'warning PA002 column "spend" is not in public.nospend; what reads it has no data' in stdout
    )
    assert 'hint: the columns are: "date", "channel", "gmv"' in stdout
    # A column spelt nearly so is offered; "gmv", which a metric reads, never is.
    execute(
        postgres,
        "CREATE TABLE IF NOT EXISTS public.spent (date date, channel text, gmv numeric, "
        "spent numeric)",
        "INSERT INTO public.spent VALUES ('2025-01-02', 'douyin', 1, 2)",
    )
    status, stdout, _ = cli(
        "check", str(FILTERS), "-a", postgres.url("public.spent"), "--as-of", "2025-01-02"
    )
    assert status == 0
    assert (
        'hint: did you mean "spent"? the columns are: "date", "channel", "gmv", "spent"' in stdout
    )


def test_wrong_column_type_is_pa034_naming_the_type(cli: Cli, postgres: pgserver.Server) -> None:
    execute(
        postgres,
        "CREATE TABLE IF NOT EXISTS public.texty (date text, channel text, gmv varchar(20), "
        "spend money, uv int, orders bigint, checkouts real, new_users numeric(10,2), "
        "wecom_adds smallint)",
    )
    status, stdout, _ = cli("check", str(FILTERS), "-a", postgres.url("public.texty"))
    assert status == 1
    assert 'error PA034 column "date" is text, not a date or timestamp' in stdout
    assert 'error PA034 column "gmv" is character varying(20), not a number' in stdout
    assert 'error PA034 column "spend" is money, not a number' in stdout
    assert stdout.count("PA034") == 3  # int, bigint, real, numeric, smallint are numbers


def test_timeout_is_pa035(cli: Cli, postgres: pgserver.Server) -> None:
    execute(
        postgres,
        # 1 ms per row, over 6,560 rows: several seconds.
        "CREATE OR REPLACE FUNCTION public.slowly(numeric) RETURNS numeric VOLATILE "
        "LANGUAGE sql AS 'SELECT pg_sleep(0.001); SELECT $1'",
        "CREATE OR REPLACE VIEW public.slow AS SELECT date, channel, public.slowly(gmv) AS gmv, "
        "spend FROM public.actuals",
    )
    status, stdout, stderr = cli(
        "check", str(FILTERS), "-a", postgres.url("public.slow"), "--timeout", "1s"
    )
    assert status == 2
    assert stderr.startswith(
        f"promoplan: error PA035 the query on {postgres.url('public.slow')} "
        "ran longer than the timeout (1 s)"
    ), stderr
    assert stdout == ""


def test_cube_cap_names_the_exploding_dimension(
    postgres: pgserver.Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    execute(
        postgres,
        "CREATE TABLE IF NOT EXISTS public.orders AS SELECT DATE '2025-01-01' + (i % 3) AS date, "
        "'shop' || (i % 2) AS channel, 'o' || i AS order_id, i::numeric AS gmv "
        "FROM generate_series(1, 300) AS i",
    )
    monkeypatch.setattr(columns, "MAX_CUBE_ROWS", 100)
    spec = example_spec(dimensions=(("channel", "channel"), ("order", "order_id")))
    actuals = read_warehouse(parse_url(postgres.url("public.orders")), spec, timeout=60)
    assert not actuals.ok
    assert actuals.cube.rows == ()
    (found,) = actuals.diagnostics
    assert found.code == "PA036"
    assert 'dimension "order" (column "order_id") has 101+ distinct values' in found.message
    monkeypatch.setattr(columns, "MAX_CUBE_ROWS", 300)
    actuals = read_warehouse(parse_url(postgres.url("public.orders")), spec, timeout=60)
    assert actuals.ok
    assert len(actuals.cube.rows) == 300


def test_cube_merges_trimmed_values_and_counts_repeats(postgres: pgserver.Server) -> None:
    execute(
        postgres,
        "CREATE TABLE IF NOT EXISTS public.spaced "
        "(date timestamp, channel text, gmv double precision, uv int)",
        "INSERT INTO public.spaced VALUES ('2025-01-02 08:00', 'douyin', 1.5, 3), "
        "('2025-01-02 20:00', ' douyin\u3000', 2.25, NULL), ('2025-01-02 09:00', '', 4, 1), "
        "('2025-01-02 09:00', NULL, 8, 1), ('2024-12-31 23:59', 'douyin', 100, 100)",
    )
    spec = example_spec(columns=("gmv", "uv"), extrema=frozenset({"gmv"}))
    actuals = read_warehouse(parse_url(postgres.url("public.spaced")), spec, timeout=60)
    rows = {row.dims: row for row in actuals.cube.rows}
    assert set(rows) == {("douyin",), (None,)}
    douyin = rows[("douyin",)]
    assert douyin.day == dt.date(2025, 1, 2)
    gmv, uv = douyin.cells
    assert gmv is not None
    assert (gmv.total, gmv.count, gmv.minimum, gmv.maximum) == (
        Decimal("3.75"),
        2,
        Decimal("1.5"),
        Decimal("2.25"),
    )
    assert uv is not None
    assert (uv.total, uv.count, uv.minimum) == (Decimal(3), 1, None)
    whole = rows[(None,)].cells[0]
    assert whole is not None
    assert whole.total == Decimal(12)
    assert actuals.files[0].rows == 4  # the row of 2024-12-31 is outside the dates kept
    (repeat,) = [d for d in actuals.diagnostics if d.code == "PA010"]
    assert repeat.message == (
        "repeated: 2025-01-02, no channel; 2 date and dimension values repeat, 2 extra rows in all"
    )


NFD_PLAN = """\
promoplan: 1
name: accents
period: 2025
actuals:
  dimensions: {channel: channel, region: region}
metrics:
  gmv: {column: gmv, unit: currency}
  spend: {column: spend, unit: currency}
  zurich_gmv: {column: gmv, where: {region: Zürich}}
  cafe_gmv: {column: gmv, where: {channel: café}}
goals:
  zurich: {metric: zurich_gmv, at_least: 10}
  cafe: {metric: cafe_gmv, at_least: 10}
budget: {total: 10000, lines: {ads: 100%}}
channels: {café: ads, douyin: ads}
"""


def test_values_in_nfd_are_read_in_nfc_as_from_a_file(
    cli: Cli, postgres: pgserver.Server, tmp_path: Path
) -> None:
    """Accents decomposed (NFD, as macOS exports write them) in a channel the plan maps and
    in a dimension read by name (``where: {region: Zürich}``, grouped by in the query):
    the values the plan names, composed, as a CSV file of the same rows gives them."""
    cafe, zurich = (unicodedata.normalize("NFD", text) for text in ("café", "Zürich"))
    assert (cafe, zurich) != ("café", "Zürich")
    rows = [
        ("2025-01-01", cafe, zurich, 100, 40),
        ("2025-01-02", "café", "Zürich", 10, 5),
        ("2025-01-03", "douyin", "Basel", 7, 1),
        ("2025-01-03", "douyin", zurich, 3, 1),
    ]
    values = [sql.SQL("({})").format(sql.SQL(", ").join(map(sql.Literal, row))) for row in rows]
    execute(
        postgres,
        "DROP TABLE IF EXISTS public.accents",
        "CREATE TABLE public.accents (date date, channel text, region text, gmv int, spend int)",
        sql.SQL("INSERT INTO public.accents VALUES {}").format(sql.SQL(", ").join(values)),
    )
    plan = tmp_path / "accents.yaml"
    plan.write_text(NFD_PLAN, encoding="utf-8")
    export = tmp_path / "accents.csv"
    lines = ["date,channel,region,gmv,spend", *(",".join(map(str, row)) for row in rows)]
    export.write_text("\n".join(lines) + "\n", encoding="utf-8")
    from_csv = cli("check", str(plan), "-a", str(export), "-f", "json")
    from_pg = cli("check", str(plan), "-a", postgres.url("public.accents"), "-f", "json")
    assert from_pg[0] == from_csv[0]
    assert comparable(from_pg[1]) == comparable(from_csv[1])
    found = comparable(from_pg[1])["plans"][0]
    goals = {g["id"]: g["actual"] for g in found["goals"]}
    assert goals == {"zurich": 100 + 10 + 3, "cafe": 100 + 10}
    assert [(b["line"], b["spent"]) for b in found["budget"]] == [("ads", 40 + 5 + 1 + 1)]
    assert found["diagnostics"] == []


def test_nan_infinity_and_numbers_past_the_sums_range_are_pa003(
    cli: Cli, postgres: pgserver.Server, tmp_path: Path
) -> None:
    """NUMERIC holds NaN (and, from PostgreSQL 14, infinities) and numbers far past
    10^34; float8 holds both infinities. A CSV export with such a cell is PA003, so the
    table is too, and it is not counted (its NaN made the whole group's sum NaN)."""
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "promoplan: 1\nname: sums\nperiod: 2025\ncurrency: USD\n"
        "actuals: {dimensions: {channel: channel}}\n"
        "metrics:\n  gmv: {column: gmv, unit: currency}\n"
        "goals:\n  gmv: {metric: gmv, at_least: 100}\n"
        "alerts:\n  quiet: {metric: gmv, below: 1, by: channel}\n",
        encoding="utf-8",
    )
    execute(
        postgres,
        "DROP TABLE IF EXISTS public.sums_nan, public.sums_inf, public.sums_huge; "
        "CREATE TABLE public.sums_nan (date date, channel text, gmv numeric); "
        "INSERT INTO public.sums_nan VALUES ('2025-01-01', 'web', 10), "
        "('2025-01-02', 'web', 'NaN'), ('2025-01-02', 'web', 5); "
        "CREATE TABLE public.sums_inf (date date, channel text, gmv float8); "
        "INSERT INTO public.sums_inf VALUES ('2025-01-01', 'app', '-Infinity'), "
        "('2025-01-03', 'web', 2); "
        "CREATE TABLE public.sums_huge (date date, channel text, gmv numeric); "
        "INSERT INTO public.sums_huge VALUES ('2025-01-05', 'web', 1e310), "
        "('2025-01-06', 'web', 1e40)",
    )
    expected = {
        "public.sums_nan": "sums to NaN on 2025-01-02 (channel 'web'): "
        "it holds a value that is not a finite number",
        "public.sums_inf": "sums to -Infinity on 2025-01-01 (channel 'app'): "
        "it holds a value that is not a finite number",
        "public.sums_huge": "sums to 1e+310 on 2025-01-05 (channel 'web') (and 1 more group): "
        "it holds a number past 10^34 (out of range)",
    }
    for table, message in expected.items():
        status, stdout, _ = cli("check", str(plan), "-a", postgres.url(table), "-f", "json")
        assert status == 1, table
        found = json.loads(stdout)["plans"][0]
        (problem,) = found["diagnostics"]
        assert problem["code"] == "PA003"
        assert problem["message"] == f'column "gmv" of {table} {message}'
        assert all(g["actual"] is None for g in found["goals"])
