"""Fuzz target: arbitrary bytes as an actuals CSV file, through the DuckDB reader.

Run (atheris, from the repository root)::

    .venv/bin/python fuzz/fuzz_csv.py -max_total_time=600 -timeout=60 \
        -dict=fuzz/csv.dict /tmp/csv-corpus tests/cases/actuals

The first input byte picks the reading options (date format, grain, encoding);
the rest is the file. A finding is any exception out of ``read_actuals``, a
diagnostic without a known code, or a cube that breaks its own invariants
(a cell without values, minimum above maximum, a date outside the kept span), or
a malformed-CSV diagnostic without a line or in the engine's words.
With ``PROMOPLAN_FUZZ_KEEP_GOING=1`` findings are written to
``$PROMOPLAN_FUZZ_FINDINGS`` (default ``fuzz-findings/``) and the run goes on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sys
import tempfile
import traceback
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["promoplan"]):
    import promoplan.actuals.engine  # noqa: F401  # read_actuals imports it lazily: instrument it
    from promoplan.actuals import read_actuals
    from promoplan.actuals.model import ActualsSpec, Cube
    from promoplan.diagnostics import CODES, Diagnostic
    from promoplan.errors import UsageProblem

KEEP_GOING = os.environ.get("PROMOPLAN_FUZZ_KEEP_GOING") == "1"
FINDINGS = Path(os.environ.get("PROMOPLAN_FUZZ_FINDINGS", "fuzz-findings"))
WORK = Path(tempfile.mkdtemp(prefix="promoplan-fuzz-"))
KEEP_FROM = dt.date(2024, 1, 1)
KEEP_TO = dt.date(2025, 12, 31)


def spec_for(options: int) -> ActualsSpec:
    """Reading options from one byte: date format, grain, encoding, a second dimension."""
    formats = (None, None, "%d/%m/%Y", "%Y%m%d")
    encodings = (None, None, None, "gb18030", "utf-8", "latin-1", "utf-16", None)
    dimensions: tuple[tuple[str, str], ...] = (("channel", "channel"),)
    if options & 0x40:
        dimensions += (("category", "category"),)
    return ActualsSpec(
        date_column="date",
        dimensions=dimensions,
        columns=("gmv", "spend", "gmv"),
        grain="rows" if options & 0x80 else "daily",
        date_format=formats[options & 0x03],
        encoding=encodings[(options >> 2) & 0x07],
        keep_from=KEEP_FROM,
        keep_to=KEEP_TO,
        channel_dimension="channel",
        known_channels=frozenset({"douyin", "wecom"}),
        extrema=frozenset({"gmv"}) if options & 0x20 else None,
    )


def check_csv_bytes(options: int, data: bytes) -> None:
    """Read ``data`` as one actuals file and check what comes back."""
    path = WORK / "actuals.csv"
    path.write_bytes(data)
    spec = spec_for(options)
    try:
        actuals = read_actuals([path], spec)
    except UsageProblem:
        return  # only for files that do not exist or unknown --encoding names
    for found in actuals.diagnostics:
        check_diagnostic(found)
    if actuals.ok:
        check_cube(actuals.cube)


def check_diagnostic(found: Diagnostic) -> None:
    """A known code, a sensible line; malformed CSV always located and in plain words."""
    if found.code not in CODES:
        raise AssertionError(f"unknown code {found.code}")
    if found.line is not None and found.line < 1:
        raise AssertionError(f"line {found.line}")
    if found.code == "PA006" and found.line is None:
        raise AssertionError(f"malformed CSV without a line: {found.message}")
    if "cannot be read as CSV" in found.message:
        raise AssertionError(f"the engine's own words: {found.message}")
    found.message.encode("utf-8")


def check_cube(cube: Cube) -> None:
    """Rows inside the kept span; cells with values, finite totals, minimum <= maximum."""
    for row in cube.rows:
        if not KEEP_FROM <= row.day <= KEEP_TO:
            raise AssertionError(f"{row.day} outside the kept span")
        for cell in row.cells:
            if cell is None:
                continue
            if cell.count < 1 or not cell.total.is_finite():
                raise AssertionError(f"bad cell {cell}")
            low, high = cell.minimum, cell.maximum
            if low is not None and high is not None and low > high:
                raise AssertionError(f"minimum above maximum: {cell}")


def record(data: bytes, exc: BaseException) -> None:
    """Save a finding: the input and its traceback, named by the input's hash."""
    FINDINGS.mkdir(parents=True, exist_ok=True)
    name = "csv-" + hashlib.sha1(data).hexdigest()[:16]
    (FINDINGS / f"{name}.bin").write_bytes(data)
    (FINDINGS / f"{name}.txt").write_text(
        "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)), encoding="utf-8"
    )


def test_one_input(data: bytes) -> None:
    """The atheris entry point."""
    if not data:
        return
    try:
        check_csv_bytes(data[0], data[1:])
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
