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

import pytest

from warehouse.conftest import EXAMPLE_ACTUALS
from warehouse.test_postgres import FILTERS, PLAN, cli, comparable, csv_args

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
        frames = []
        for path in EXAMPLE_ACTUALS:
            frame = session.read.option("header", True).csv(str(path))
            typed = [
                f"CAST(`{c}` AS DATE) AS `{c}`"
                if c == "date"
                else f"`{c}`"
                if c == "channel"
                else f"CAST(`{c}` AS DECIMAL(18, 4)) AS `{c}`"
                for c in frame.columns
            ]
            frames.append(frame.selectExpr(*typed))
        combined = frames[0].unionByName(frames[1], allowMissingColumns=True)
        combined.createOrReplaceGlobalTempView("actuals")
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
def test_check_json_from_spark_is_the_csv_one(spark_url: str, plan: Path) -> None:
    from_csv = cli("check", str(plan), *csv_args(plan), "-f", "json")
    from_spark = cli("check", str(plan), "-a", spark_url, "-f", "json")
    assert from_spark[0] == from_csv[0], from_spark[2]
    assert comparable(from_spark[1]) == comparable(from_csv[1])


def test_spark_missing_table_and_stopped_server(spark_url: str) -> None:
    status, stdout, _ = cli("check", str(PLAN), "-a", spark_url.replace("actuals", "nope"))
    assert status == 1
    assert "error PA032 no table global_temp.nope on sc://127.0.0.1:" in stdout
    status, stdout, stderr = cli("check", str(PLAN), "-a", f"sc://127.0.0.1:{_free_port()}?table=t")
    assert status == 2
    assert stderr.startswith("promoplan: error PA030 cannot reach sc://127.0.0.1:")
    assert "Traceback" not in stderr
