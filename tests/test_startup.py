"""What ``validate``, ``--help`` and ``--version`` import: only what they use.

Each run is a fresh interpreter through the console script's entry point; the
modules it loaded are read from ``sys.modules`` at the end. A module that comes
back (typer's rich help pulling in ``rich.markdown`` and pygments, rich on a run
without colour, pydantic's plugin discovery) fails here, not only in
``bench/startup.py``'s figures.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from promoplan.process import YOUNG_OBJECTS

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = """
import gc, json, sys, tokenize
sys.argv = ["promoplan", *json.loads(sys.argv[1])]
from promoplan.process import main
try:
    main()
except SystemExit as stop:
    code = stop.code
compiled = getattr(tokenize, "_compile", None)
tokenizer = compiled.cache_info().currsize if hasattr(compiled, "cache_info") else 0
collector = {"threshold": gc.get_threshold()[0], "frozen": gc.get_freeze_count()}
print(json.dumps({"code": code, "modules": sorted(sys.modules), "tokenizer": tokenizer,
                  "collector": collector}), file=sys.stderr)
"""
HELP_NEVER = ("rich.markdown", "markdown_it", "pygments", "rich.traceback", "rich.pretty")
VALIDATE_NEVER = (
    *HELP_NEVER,
    "typer",
    "click",
    "rich",
    "importlib.metadata",
    "pydantic.type_adapter",
    "duckdb",
    "_duckdb",
    "psycopg",
    "sqlglot",
    "pyspark",
    "promoplan.schema_errors",
    "promoplan.render.table",
    # check's and report's results: validate builds none of their dataclasses
    "promoplan.resultrows",
    "promoplan.resultreport",
)
# The README's main command: its table, and no report data, quick validate reader or
# database source parser.
CHECK_NEVER = (
    *HELP_NEVER,
    "promoplan.resultreport",
    "promoplan.quickargs",
    "promoplan.actuals.warehouse.urls",
)
MODEL_MODULES = ("model", "modeltypes", "modelnotify", "modelpacing")


def _run(args: list[str]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, json.dumps(args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=120,
    )
    report: dict[str, Any] = json.loads(done.stderr.strip().splitlines()[-1])
    return report


def _loaded(args: list[str]) -> tuple[int, set[str]]:
    report = _run(args)
    return report["code"], set(report["modules"])


def _packages(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == n or m.startswith(n + ".") for n in names))


@pytest.mark.parametrize(
    "args",
    [
        ["validate", "plans/ecommerce-2025.yaml"],
        *(["validate", "plans/seed-2025.yaml", "-f", fmt] for fmt in ("json", "github", "sarif")),
    ],
    ids=["ok", "json", "github", "sarif"],
)
def test_validate_imports_no_typer_rich_or_heavy_module(args: list[str]) -> None:
    code, modules = _loaded(args)
    assert code in (0, 1)
    assert _packages(modules, VALIDATE_NEVER) == []
    assert "pydantic.main" in modules  # it did validate


def test_validate_never_runs_the_tokenizer() -> None:
    """pydantic reads a list default's factory's signature: ``list``'s would be parsed by
    ``inspect`` with the tokenizer, whose expressions compile on first use."""
    report = _run(["validate", "plans/ecommerce-2025.yaml"])
    assert report["code"] == 0
    assert report["tokenizer"] == 0


def test_check_imports_no_report_data_or_quick_reader() -> None:
    code, modules = _loaded(
        ["check", "plans/ecommerce-2025.yaml", "--actuals", "plans/actuals/*.csv"]
    )
    assert code == 1  # the example's low_roi alert: the check ran
    assert "promoplan.render.table" in modules
    assert _packages(modules, CHECK_NEVER) == []


def test_a_run_collects_rarely_and_not_at_the_exit() -> None:
    # The collector's default young generation (700) cost the README's check ~30 ms of
    # collections that freed nothing, and its final collection ~50 ms more.
    report = _run(["check", "plans/ecommerce-2025.yaml", "--actuals", "plans/actuals/*.csv"])
    assert report["code"] == 1  # the example's findings: the run went to its end
    assert report["collector"]["threshold"] == YOUNG_OBJECTS > 700
    # Everything alive at the end is frozen: the exit's collections have nothing to do.
    assert report["collector"]["frozen"] > 10_000


def test_check_runs_duckdb_without_its_python_layer() -> None:
    """DuckDB's engine module alone: the package's relational API and version lookup
    (``importlib.metadata``) are not what a check uses."""
    if importlib.util.find_spec("_duckdb") is None:
        pytest.skip("this DuckDB has no engine module of its own")
    code, modules = _loaded(
        ["check", "plans/ecommerce-2025.yaml", "--actuals", "plans/actuals/*.csv"]
    )
    assert code == 1
    assert "_duckdb" in modules
    assert _packages(modules, ("duckdb", "importlib.metadata")) == []


def test_the_plan_models_keep_evaluated_annotations() -> None:
    """As strings, pydantic compiles and evaluates each field's annotation at every start-up."""
    for name in MODEL_MODULES:
        tree = ast.parse((ROOT / "src" / "promoplan" / f"{name}.py").read_text(encoding="utf-8"))
        future = [
            alias.name
            for node in tree.body
            if isinstance(node, ast.ImportFrom) and node.module == "__future__"
            for alias in node.names
        ]
        assert "annotations" not in future, name


def test_validate_with_schema_errors_explains_them() -> None:
    code, modules = _loaded(["validate", "tests/cases/plans"])
    assert code == 1
    assert "promoplan.schema_errors" in modules
    assert _packages(modules, ("typer", "rich", "importlib.metadata")) == []


@pytest.mark.parametrize(
    "args", [["--help"], ["validate", "--help"], ["check", "-h"], ["--version"]], ids=repr
)
def test_help_and_version_draw_without_markdown_or_pygments(args: list[str]) -> None:
    code, modules = _loaded(args)
    assert code == 0
    assert _packages(modules, HELP_NEVER) == []
    assert _packages(modules, ("pydantic.main", "typer._adapters", "importlib.metadata")) == []
    assert _packages(modules, ("promoplan.commands", "promoplan.model")) == []


def test_the_plugin_loader_in_pydantics_place_answers_as_pydantics() -> None:
    """With every plugin disabled, pydantic's loader finds none, and neither does ours."""
    code = (
        "import os, sys\n"
        "os.environ['PYDANTIC_DISABLE_PLUGINS'] = '__all__'\n"
        "from pydantic.plugin import _loader\n"
        "real = list(_loader.get_plugins())\n"
        "del sys.modules['pydantic.plugin._loader']\n"
        "import promoplan.cli\n"
        "ours = sys.modules['pydantic.plugin._loader']\n"
        "assert ours is not _loader and list(ours.get_plugins()) == real == [], real\n"
        "from pydantic import BaseModel\n"
        "class M(BaseModel):\n"
        "    x: int\n"
        "assert type(M.__pydantic_validator__).__name__ == 'SchemaValidator'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    # The module stands in for all pydantic uses of the loader: get_plugins, no other name.
    import pydantic.plugin  # noqa: PLC0415

    folder = Path(pydantic.plugin.__file__).parent
    uses: set[str] = set()
    for source in folder.parent.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").endswith("_loader"):
                uses.update(alias.name for alias in node.names)
    assert uses == {"get_plugins"}


def test_plugins_left_alone_unless_all_are_disabled() -> None:
    code = (
        "import os, sys\n"
        "os.environ['PYDANTIC_DISABLE_PLUGINS'] = 'some_plugin'\n"
        "import promoplan.cli\n"
        "assert 'pydantic.plugin._loader' not in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
