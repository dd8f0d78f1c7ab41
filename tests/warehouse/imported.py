"""Run ``promoplan`` in a fresh interpreter and read which modules it imported."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import NamedTuple

from warehouse.conftest import ROOT

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


class Loaded(NamedTuple):
    """A run's exit status, the modules it imported and what it printed."""

    code: int
    modules: set[str]
    stdout: str


def loaded(args: list[str], env: dict[str, str] | None = None) -> Loaded:
    """``promoplan ARGS`` from the repository's root (exit 0 or 1 expected)."""
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
    return Loaded(report["code"], set(report["modules"]), done.stdout)
