"""What ``validate`` and ``check`` import: no driver or SQL renderer for CSV files, and no
file engine (DuckDB) for a database source."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from warehouse import pgserver
from warehouse.conftest import EXAMPLE_ACTUALS, EXAMPLE_TABLE
from warehouse.imported import loaded

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
    modules = loaded(args).modules
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
    code, modules, _ = loaded(
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
    runs = [loaded(args, env) for _ in range(2)]
    assert [run.code for run in runs] == [1, 1]
    assert ["sqlglot" in run.modules for run in runs] == [True, False]
    assert "psycopg" in runs[1].modules
