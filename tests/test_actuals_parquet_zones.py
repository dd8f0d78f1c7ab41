"""Parquet TIMESTAMP WITH TIME ZONE dates: the same on every machine.

Such a column holds instants (``2025-01-02 00:30+08`` is stored as 2025-01-01 16:30
UTC), not the offset it was written with; its date is taken in the zone
``PROMOPLAN_TZ`` names, else in UTC, never in the machine's time zone.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from promoplan.actuals import read_actuals
from promoplan.actuals.model import ActualsSpec

SPEC = ActualsSpec(date_column="date", dimensions=(), columns=("spend",), grain="rows")
# Written in Beijing time: two just after midnight (the previous day in UTC), one at noon.
WRITTEN = ("2025-01-02 00:30:00+08", "2025-01-02 07:59:00+08", "2025-01-02 12:00:00+08")


def zoned_parquet(tmp_path: Path) -> Path:
    path = tmp_path / "zoned.parquet"
    values = ", ".join(f"(TIMESTAMPTZ '{w}', {i + 1})" for i, w in enumerate(WRITTEN))
    duckdb.sql(
        f"COPY (SELECT * FROM (VALUES {values}) t(date, spend)) TO '{path}' (FORMAT parquet)"
    )
    return path


def days(path: Path) -> dict[str, int]:
    actuals = read_actuals([path], SPEC)
    assert actuals.ok, actuals.diagnostics
    return {
        row.day.isoformat(): int(row.cells[0].total) for row in actuals.cube.rows if row.cells[0]
    }


_READ = """
import json, sys
from pathlib import Path
from promoplan.actuals import read_actuals
from promoplan.actuals.model import ActualsSpec
spec = ActualsSpec(date_column="date", dimensions=(), columns=("spend",), grain="rows")
actuals = read_actuals([Path(sys.argv[1])], spec)
print(json.dumps(sorted((r.day.isoformat(), int(r.cells[0].total)) for r in actuals.cube.rows)))
"""


def test_zoned_timestamps_give_the_same_dates_whatever_the_machines_zone(tmp_path: Path) -> None:
    """A subprocess per zone: DuckDB takes the machine's zone when it starts."""
    path = zoned_parquet(tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "PROMOPLAN_TZ"}
    seen = {
        zone: subprocess.run(
            [sys.executable, "-c", _READ, str(path)],
            env={**env, "TZ": zone},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for zone in ("UTC", "Asia/Shanghai", "America/Los_Angeles")
    }
    assert len(set(seen.values())) == 1, seen
    assert json.loads(seen["UTC"]) == [["2025-01-01", 3], ["2025-01-02", 3]]


def test_zoned_timestamps_are_read_in_utc_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PROMOPLAN_TZ", raising=False)
    assert days(zoned_parquet(tmp_path)) == {"2025-01-01": 3, "2025-01-02": 3}


def test_promoplan_tz_names_the_zone_the_dates_are_taken_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An analyst in Beijing gets the dates as written."""
    monkeypatch.setenv("PROMOPLAN_TZ", "Asia/Shanghai")
    assert days(zoned_parquet(tmp_path)) == {"2025-01-02": 6}


def test_an_unknown_promoplan_tz_is_pa001(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROMOPLAN_TZ", "+08:00")
    path = zoned_parquet(tmp_path)
    actuals = read_actuals([path], SPEC)
    assert [(d.code, d.file) for d in actuals.diagnostics] == [("PA001", str(path))]
    assert 'PROMOPLAN_TZ names no time zone the engine knows: "+08:00"' in (
        actuals.diagnostics[0].message
    )
    assert not actuals.ok


def test_a_timestamp_without_a_zone_is_its_date_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROMOPLAN_TZ", "Asia/Shanghai")  # applies to zoned columns only
    path = tmp_path / "naive.parquet"
    duckdb.sql(
        "COPY (SELECT TIMESTAMP '2025-01-02 23:30:00' AS date, 5 AS spend, "
        f"TIMESTAMPTZ '2025-01-02 23:30:00+00' AS seen) TO '{path}' (FORMAT parquet)"
    )
    assert days(path) == {dt.date(2025, 1, 2).isoformat(): 5}
