"""What ``validate`` and ``check`` import: no driver or SQL renderer for CSV files, and no
file engine (DuckDB) for a database source."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from warehouse import pgserver
from warehouse.conftest import EXAMPLE_ACTUALS, EXAMPLE_TABLE, ROOT

SCRIPT = """
import json, sys
from promoplan.cli import main
sys.argv = ["promoplan", *json.loads(sys.argv[1])]
try:
    main()
except SystemExit as exit:
    code = exit.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""
DRIVERS = ("psycopg", "psycopg_binary", "sqlglot", "pyspark", "grpc")
# promoplan's own modules that read files: DuckDB and the SQL it runs over CSV text.
FILE_ENGINE = (
    "duckdb",
    "_duckdb",
    "promoplan.actuals.engine",
    "promoplan.actuals.layout",
    "promoplan.actuals.sql",
    "promoplan.actuals.session",
    "promoplan.actuals.sources",
)


def _loaded(args: list[str], env: dict[str, str] | None = None) -> tuple[int, set[str]]:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, json.dumps(args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=120,
        env=env,
    )
    report = json.loads(done.stderr.strip().splitlines()[-1])
    assert report["code"] in (0, 1), done.stderr
    return report["code"], set(report["modules"])


def _within(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == n or m.startswith(n + ".") for n in names))


@pytest.mark.parametrize(
    "args",
    [
        ["validate", "plans/ecommerce-2025.yaml"],
        [
            "check",
            "plans/ecommerce-2025.yaml",
            *[a for p in EXAMPLE_ACTUALS for a in ("-a", str(p))],
        ],
    ],
    ids=["validate", "check-csv"],
)
def test_no_driver_is_imported(args: list[str]) -> None:
    _, modules = _loaded(args)
    assert _within(modules, DRIVERS) == []
    # Of the database sources, only the scheme test that tells a URL from a file.
    warehouse = _within(modules, ("promoplan.actuals.warehouse",))
    assert set(warehouse) <= {
        "promoplan.actuals.warehouse",
        "promoplan.actuals.warehouse.problem",
        "promoplan.actuals.warehouse.schemes",
    }


def test_a_check_against_postgres_imports_no_file_engine(postgres: pgserver.Server) -> None:
    """The cube comes from the server: neither DuckDB nor the CSV scan's modules load."""
    code, modules = _loaded(
        ["check", "plans/ecommerce-2025.yaml", "-a", postgres.url(EXAMPLE_TABLE)]
    )
    assert code == 1  # the example's low_roi alert: the check ran
    assert "promoplan.actuals.warehouse.postgres" in modules
    assert _within(modules, FILE_ENGINE) == []
    assert _within(modules, ("pyspark", "grpc")) == []


def test_a_second_check_against_postgres_imports_no_sqlglot(
    postgres: pgserver.Server, tmp_path: Path
) -> None:
    """The first run renders the cube query (sqlglot) and keeps it; the next one reads it."""
    env = {**os.environ, "PROMOPLAN_CACHE_DIR": str(tmp_path)}
    env.pop("PROMOPLAN_NO_CACHE", None)
    args = ["check", "plans/ecommerce-2025.yaml", "-a", postgres.url(EXAMPLE_TABLE)]
    loaded = [_loaded(args, env) for _ in range(2)]
    assert [code for code, _ in loaded] == [1, 1]
    assert ["sqlglot" in modules for _, modules in loaded] == [True, False]
    assert "psycopg" in loaded[1][1]
