"""``render.prepare``: what a format's rendering imports, imported ahead of it, and no more.

``check`` from a database calls it while the server computes the cube; the
render that follows then imports nothing of promoplan, and a table without
colour still leaves rich's console unimported (as a check from CSV does).
Each case is a fresh interpreter, so that what is imported can be seen.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from promoplan.render import FORMATS_BY_COMMAND

ROOT = Path(__file__).resolve().parents[1]

_CODE = """
import json, sys
from pathlib import Path
from promoplan.commands.check import run_check
from promoplan.render import prepare, render
from promoplan.render.options import RenderOptions

fmt, color = sys.argv[1], sys.argv[2] == "color"
run = run_check(Path("plans/ecommerce-2025.yaml"), ["plans/actuals/*.csv"], as_of=None,
                period=None, encoding=None, ignore=())
options = RenderOptions(color=color)
before = set(sys.modules)
prepare(fmt, options)
prepared = set(sys.modules)
assert render(fmt, run, options)
rendered = set(sys.modules) - prepared
print(json.dumps({"prepared": sorted(prepared - before), "rendered": sorted(rendered)}))
"""


def _imports(fmt: str, color: bool) -> dict[str, list[str]]:
    done = subprocess.run(
        [sys.executable, "-c", _CODE, fmt, "color" if color else "plain"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    found: dict[str, list[str]] = json.loads(done.stdout)
    return found


@pytest.mark.parametrize(
    ("fmt", "color"),
    [(f, False) for f in FORMATS_BY_COMMAND["check"]] + [("table", True)],
    ids=str,
)
def test_prepare_leaves_the_render_nothing_of_promoplan_to_import(fmt: str, color: bool) -> None:
    found = _imports(fmt, color)
    assert [m for m in found["rendered"] if m.startswith("promoplan")] == []
    assert any(m.startswith("promoplan.render.") for m in found["prepared"])
    if fmt == "table":
        assert ("rich.console" in found["prepared"]) is color
        assert "rich.console" not in found["rendered"]
