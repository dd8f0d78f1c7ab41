"""``validate`` and ``check`` on CSV files import no database driver and no SQL renderer."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from warehouse.conftest import EXAMPLE_ACTUALS, ROOT

SCRIPT = """
import json, sys
from promoplan.cli import main
sys.argv = ["promoplan", *json.loads(sys.argv[1])]
try:
    main()
except SystemExit as exit:
    code = exit.code
heavy = sorted(
    name for name in sys.modules
    if name.split(".")[0] in ("psycopg", "psycopg_binary", "sqlglot", "pyspark", "grpc")
    or name.startswith("promoplan.actuals.warehouse.")
    and name.rsplit(".", 1)[1] not in ("schemes", "problem")
)
print(json.dumps({"code": code, "heavy": heavy}), file=sys.stderr)
"""


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
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, json.dumps(args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=120,
    )
    report = json.loads(done.stderr.strip().splitlines()[-1])
    assert report["code"] in (0, 1), done.stderr
    assert report["heavy"] == []
