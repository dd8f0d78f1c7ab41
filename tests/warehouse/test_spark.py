"""Actuals from Spark through a Spark Connect server started from pyspark's own jars (slow)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from clirunner import Cli
from warehouse import daily_skus
from warehouse.conftest import EXAMPLE_ACTUALS
from warehouse.examples import FILTERS, PLAN, comparable, csv_args
from warehouse.pushdown_cases import CASES, TEXT_COLUMNS, weekly_csv

pytestmark = pytest.mark.slow

START_SECONDS = 240


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def spark_url() -> Iterator[str]:
    """A local Spark Connect server with the example actuals as ``global_temp.actuals``."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            import pyspark  # noqa: PLC0415  # optional: the spark extra
            from pyspark.sql import SparkSession  # noqa: PLC0415
    except ImportError:
        if os.environ.get("CI") == "true":  # .ci/run installs the spark extra: never skip there
            pytest.fail("pyspark is not installed, and CI installs the spark extra")
        pytest.skip("pyspark is not installed: pip install -e '.[test,spark]'")
    if shutil.which("java") is None:
        pytest.skip("no java on PATH: Spark needs Java 17")
    home = Path(pyspark.__file__).parent
    port = _free_port()
    work = Path(tempfile.mkdtemp(prefix="promoplan-spark-"))
    log = (work / "server.log").open("wb")
    process = subprocess.Popen(
        [
            str(home / "bin" / "spark-submit"),
            "--class",
            "org.apache.spark.sql.connect.service.SparkConnectServer",
            "--master",
            "local[2]",
            "--driver-memory",
            "1g",
            "--conf",
            f"spark.connect.grpc.binding.port={port}",
            "--conf",
            "spark.connect.grpc.binding.address=127.0.0.1",
            "--conf",
            "spark.ui.enabled=false",
            "--conf",
            f"spark.sql.warehouse.dir={work / 'warehouse'}",
            "spark-internal",
        ],
        cwd=work,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env={**os.environ, "SPARK_HOME": str(home)},
    )
    try:
        deadline = time.monotonic() + START_SECONDS
        while b"Spark Connect server started" not in (work / "server.log").read_bytes():
            if process.poll() is not None or time.monotonic() > deadline:
                text = (work / "server.log").read_text(errors="replace")[-2000:]
                message = f"the Spark Connect server did not start: {text}"
                if os.environ.get("CI") == "true":
                    pytest.fail(message, pytrace=False)
                pytest.skip(message)
            time.sleep(0.5)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            session = SparkSession.builder.remote(f"sc://127.0.0.1:{port}").create()
        _register(session, work)
        yield f"sc://127.0.0.1:{port}?table=global_temp.actuals"
        session.stop()
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()
        shutil.rmtree(work, ignore_errors=True)


@pytest.mark.parametrize("plan", [PLAN, FILTERS], ids=["example", "filters"])
def test_check_json_from_spark_is_the_csv_one(cli: Cli, spark_url: str, plan: Path) -> None:
    from_csv = cli("check", str(plan), *csv_args(plan), "-f", "json")
    from_spark = cli("check", str(plan), "-a", spark_url, "-f", "json")
    assert from_spark[0] == from_csv[0], from_spark[2]
    assert comparable(from_spark[1]) == comparable(from_csv[1])


def _typed(session: Any, path: Path, date: str, text: tuple[str, ...] = TEXT_COLUMNS) -> Any:
    """A CSV file as a typed frame: the date column a DATE, ``text`` as read (spaces kept),
    numbers DECIMAL."""
    frame = session.read.option("header", True).option("ignoreLeadingWhiteSpace", False)
    frame = frame.csv(str(path))
    return frame.selectExpr(
        *[
            f"CAST(`{c}` AS DATE) AS `{c}`"
            if c == date
            else f"`{c}`"
            if c in text
            else f"CAST(`{c}` AS DECIMAL(18, 4)) AS `{c}`"
            for c in frame.columns
        ]
    )


def _register(session: Any, work: Path) -> None:
    """The example actuals as ``global_temp.actuals``, each pushed-down case as its table."""
    frames = [_typed(session, path, "date") for path in EXAMPLE_ACTUALS]
    combined = frames[0].unionByName(frames[1], allowMissingColumns=True)
    combined.createOrReplaceGlobalTempView("actuals")
    combined.limit(0).createOrReplaceGlobalTempView("emptied")
    combined.where("channel = 'douyin'").selectExpr(
        "date_sub(date, 3650) AS date", "channel", "gmv", "spend"
    ).createOrReplaceGlobalTempView("old_rows")
    for name, path in case_files(work).items():
        view = CASES[name][1].split(".")[1]
        _typed(session, path, CASES[name][3]).createOrReplaceGlobalTempView(view)
    for view, repeats in (("daily_clean", []), ("daily_repeated", daily_skus.REPEATS)):
        path = daily_skus.write(work / f"{view}.csv", repeats)
        _typed(session, path, "date", ("channel", "sku")).createOrReplaceGlobalTempView(view)


def case_files(work: Path) -> dict[str, Path]:
    """Each pushed-down case's CSV file (the weekly one written from the example actuals)."""
    files = {name: given for name, (_, _, given, _) in CASES.items() if given is not None}
    files["weekly-expr"] = weekly_csv(work / "weekly-expr.csv")
    return files


@pytest.mark.parametrize("case", list(CASES))
def test_pushed_down_check_json_from_spark_is_the_csv_one(
    cli: Cli, spark_url: str, case: str
) -> None:
    """expr, unpivot, weekly and monthly rows, and the weekly plan with filters and expr."""
    plan, table, given, _ = CASES[case]
    work = Path(tempfile.mkdtemp(prefix="promoplan-case-"))
    try:
        csv_file = given if given is not None else weekly_csv(work / "weekly-expr.csv")
        from_csv = cli("check", str(plan), "-a", str(csv_file), "-f", "json")
        url = spark_url.replace("global_temp.actuals", f"global_temp.{table.split('.')[1]}")
        from_spark = cli("check", str(plan), "-a", url, "-f", "json")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    assert from_spark[0] == from_csv[0], from_spark[2]
    assert comparable(from_spark[1]) == comparable(from_csv[1])
    assert all(g["actual"] is not None for g in comparable(from_spark[1])["plans"][0]["goals"])


def test_spark_missing_table_and_stopped_server(cli: Cli, spark_url: str) -> None:
    status, stdout, _ = cli("check", str(PLAN), "-a", spark_url.replace("actuals", "nope"))
    assert status == 1
    assert "error PA032 no table global_temp.nope on sc://127.0.0.1:" in stdout
    status, stdout, stderr = cli("check", str(PLAN), "-a", f"sc://127.0.0.1:{_free_port()}?table=t")
    assert status == 2
    assert stderr.startswith("promoplan: error PA030 cannot reach sc://127.0.0.1:")
    assert "Traceback" not in stderr


def test_spark_an_empty_view_is_pa001_and_one_dated_outside_pa012(cli: Cli, spark_url: str) -> None:
    status, stdout, _ = cli("check", str(PLAN), "-a", spark_url.replace("actuals", "emptied"))
    assert status == 1
    assert "error PA001 global_temp.emptied has no rows" in stdout
    assert "Goals" not in stdout
    _, stdout, _ = cli("check", str(PLAN), "-a", spark_url.replace("actuals", "old_rows"))
    assert "info PA012 no row of global_temp.old_rows is dated 2024-01-01 to 2025-12-31" in stdout


def test_an_unread_dimension_is_summed_away_in_spark_too(
    cli: Cli, spark_url: str, tmp_path: Path
) -> None:
    """The daily SKU rows: grouped by SKU (trimmed) inside the query, the JSON the CSV's;
    with repeated rows, PA010 counts them as the file engine does."""
    plan = tmp_path / "plan.yaml"
    plan.write_text(daily_skus.PLAN, encoding="utf-8")
    args = ("--as-of", "2025-01-05", "-f", "json")
    for view, repeats in (("daily_clean", []), ("daily_repeated", daily_skus.REPEATS)):
        data = daily_skus.write(tmp_path / f"{view}.csv", repeats)
        from_csv = comparable(cli("check", str(plan), "-a", str(data), *args)[1])
        url = spark_url.replace("global_temp.actuals", f"global_temp.{view}")
        status, stdout, stderr = cli("check", str(plan), "-a", url, *args)
        assert status in (0, 1), stderr
        from_spark = comparable(stdout)
        found = [d for d in from_spark["plans"][0]["diagnostics"] if d["code"] == "PA010"]
        first = 'repeated: 2025-01-02, channel "a", sku "s7"'
        expected = [f"{first}; {daily_skus.REPEATED}"] if repeats else []
        assert [d["message"] for d in found] == expected
        assert from_spark == from_csv  # the CSV's PA010 also says its line, left out here
