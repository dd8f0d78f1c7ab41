"""Fuzz target: arbitrary bytes as a plan file, through the loader and every validate format.

Run (atheris, from the repository root)::

    .venv/bin/python fuzz/fuzz_plan.py -max_total_time=600 -timeout=30 \
        -dict=fuzz/yaml.dict /tmp/plan-corpus tests/cases/plans plans

A finding is any exception out of ``load_plan`` or a renderer, a diagnostic
without a line and column, JSON that is not strict JSON, or an output line that
GitHub would read as a workflow command. With ``PROMOPLAN_FUZZ_KEEP_GOING=1``
findings are written to ``$PROMOPLAN_FUZZ_FINDINGS`` (default ``fuzz-findings/``)
and the run goes on.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import traceback
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["promoplan", "yaml"]):
    from promoplan.diagnostics import CODES
    from promoplan.loader import load_plan, unevaluated
    from promoplan.render import RenderOptions, render
    from promoplan.result import Run

FORMATS = ("table", "json", "github", "junit", "sarif")
OPTIONS = RenderOptions(width=100)
KEEP_GOING = os.environ.get("PROMOPLAN_FUZZ_KEEP_GOING") == "1"
FINDINGS = Path(os.environ.get("PROMOPLAN_FUZZ_FINDINGS", "fuzz-findings"))


def _no_constant(name: str) -> None:
    raise ValueError(f"JSON output holds {name}")


def check_plan_bytes(data: bytes) -> None:
    """Load ``data`` as a plan and render the result in every validate format."""
    loaded = load_plan(Path("fuzz.yaml"), display="fuzz.yaml", data=data)
    for found in loaded.diagnostics:
        if found.code not in CODES or not found.line or not found.column:
            raise AssertionError(f"diagnostic without a place: {found}")
    run = Run(command="validate", plans=(unevaluated(loaded),))
    for fmt in FORMATS:
        text = render(fmt, run, OPTIONS)  # type: ignore[arg-type]  # one of the Format names
        text.encode("utf-8")  # no lone surrogates
        if fmt == "json":
            json.loads(text, parse_constant=_no_constant)
        if fmt != "github":
            for line in re.split(r"\r\n|\r|\n", text):
                if line.lstrip().startswith("::") or "##[" in line:
                    raise AssertionError(f"{fmt}: a workflow command: {line!r}")


def record(data: bytes, exc: BaseException) -> None:
    """Save a finding: the input and its traceback, named by the input's hash."""
    FINDINGS.mkdir(parents=True, exist_ok=True)
    name = "plan-" + hashlib.sha1(data).hexdigest()[:16]
    (FINDINGS / f"{name}.yaml").write_bytes(data)
    (FINDINGS / f"{name}.txt").write_text(
        "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)), encoding="utf-8"
    )


def test_one_input(data: bytes) -> None:
    """The atheris entry point."""
    try:
        check_plan_bytes(data)
    except Exception as exc:
        if not KEEP_GOING:
            raise
        record(data, exc)


def main() -> None:
    """Start libFuzzer with the command-line arguments."""
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
