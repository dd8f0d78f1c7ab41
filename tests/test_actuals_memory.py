"""Actuals that do not fit DuckDB's memory cap on the first try are read again on one thread.

A file with a million distinct channel values and ``min`` or ``max`` metrics
groups into a million wide groups (sums, counts and extremes), which DuckDB,
under the 128 MB cap with two threads, fails to spill: with three measures and
one ``max`` (``check`` here), and with six measures each with both (the read
here). The read is then done again on one thread, the extremes held narrow,
within the same cap, and gives what a read without a cap gives; the numbers are
summed from the generated rows in Python. When
even that does not fit, the run stops with PA017 on one line (exit 2).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from clirunner import Cli
from promoplan.actuals import engine, read_actuals
from promoplan.actuals.duckengine import duckdb
from promoplan.actuals.model import OTHER_VALUE, ActualsSpec

START = dt.date(2025, 1, 1)
DAYS = 180
DISTINCT = 1_000_000
NAMED = ("c7", "c654321")  # the channel values the plan reads by name


COLUMNS = ("gmv", "spend", "orders", "items", "rating", "visits")
SCALES = (100, 100, 1, 1, 10, 1)  # gmv and spend in cents, rating in tenths


def _row(i: int) -> tuple[dt.date, str, int, int, int, int, int, int]:
    """Row ``i``: its day, channel, then each of COLUMNS in units of its scale."""
    day = START + dt.timedelta(days=i % DAYS)
    return day, f"c{i}", (i * 37) % 10_000, (i * 11) % 3_000, i % 7, i % 13, i % 101, i % 17


def _text(units: int, scale: int) -> str:
    if scale == 1:
        return str(units)
    places = len(str(scale)) - 1
    return f"{units // scale}.{units % scale:0{places}d}"


def _write(path: Path, rows: int, start: int = 0) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write(f"date,channel,{','.join(COLUMNS)}\n")
        for i in range(start, start + rows):
            day, channel, *values = _row(i)
            cells = ",".join(_text(v, scale) for v, scale in zip(values, SCALES, strict=True))
            out.write(f"{day.isoformat()},{channel},{cells}\n")


SPEC = ActualsSpec(
    date_column="date",
    dimensions=(("channel", "channel"),),
    columns=COLUMNS,
    keep_from=dt.date(2024, 1, 1),
    keep_to=dt.date(2025, 12, 31),
    extrema=frozenset(COLUMNS),  # a min or max metric of each
    read_values=(("channel", frozenset(NAMED)),),
)


Expected = dict[tuple[dt.date, str], tuple[tuple[Decimal, int, Decimal, Decimal], ...]]


def _expected(rows: range) -> Expected:
    """Per (day, channel as the cube keeps it), per measure: its sum, count, min and max."""
    out: dict[tuple[dt.date, str], list[list[int]]] = {}
    for i in rows:
        day, channel, *values = _row(i)
        key = (day, channel if channel in NAMED else OTHER_VALUE)
        cells = out.setdefault(key, [[0, 0, v, v] for v in values])
        for cell, value in zip(cells, values, strict=True):
            cell[0] += value
            cell[1] += 1
            cell[2] = min(cell[2], value)
            cell[3] = max(cell[3], value)
    return {
        key: tuple(
            (Decimal(s) / scale, n, Decimal(low) / scale, Decimal(high) / scale)
            for (s, n, low, high), scale in zip(cells, SCALES, strict=True)
        )
        for key, cells in out.items()
    }


def _cube(actuals: Any) -> Expected:
    """The cube in the shape of :func:`_expected`."""
    out: Expected = {}
    for row in actuals.cube.rows:
        out[(row.day, row.dims[0])] = tuple(
            (cell.total, cell.count, cell.minimum, cell.maximum) for cell in row.cells
        )
    return out


@pytest.fixture(scope="module")
def million(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The file of a million rows, each of its own channel value."""
    path = tmp_path_factory.mktemp("memory") / "channels.csv"
    _write(path, DISTINCT)
    return path


class _Connection:
    """A DuckDB connection whose group queries run out of memory while ``failing`` says so."""

    def __init__(self, con: Any, failing: Iterator[bool]) -> None:
        self._con = con
        self._failing = failing

    def execute(self, query: str, *args: Any) -> Any:
        if query.startswith("CREATE OR REPLACE TEMP TABLE") and next(self._failing):
            raise duckdb.OutOfMemoryException("Out of Memory Error: could not allocate block")
        return self._con.execute(query, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)


def _spy(monkeypatch: pytest.MonkeyPatch, failing: Iterator[bool]) -> list[int]:
    """Connections whose group queries fail as ``failing`` says; their thread counts."""
    threads: list[int] = []
    connect = engine._connect

    def spy(*args: Any) -> _Connection:
        con = connect(*args)
        [(count,)] = con.execute("SELECT current_setting('threads')").fetchall()
        threads.append(int(count))
        return _Connection(con, failing)

    monkeypatch.setattr(engine, "_connect", spy)
    return threads


def test_a_read_out_of_memory_is_read_again_on_one_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = tmp_path / "small.csv"
    _write(file, 2_000)
    plain = read_actuals([file], SPEC)
    threads = _spy(monkeypatch, iter([True] + [False] * 100))
    again = read_actuals([file], SPEC)
    assert threads[1:] == [1]  # the second connection: one thread
    assert len(threads) == 2
    assert again == plain
    assert _cube(again) == _expected(range(2_000))


def test_files_scanned_together_are_read_again_on_one_thread_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = [tmp_path / f"day{n}.csv" for n in range(3)]
    for n, file in enumerate(files):
        _write(file, 700, start=700 * n)  # one header: the three are scanned as one
    plain = read_actuals(files, SPEC)
    threads = _spy(monkeypatch, iter([True] + [False] * 100))
    again = read_actuals(files, SPEC)
    assert threads[1:] == [1]
    assert again == plain
    assert _cube(again) == _expected(range(2_100))


def test_a_read_out_of_memory_on_one_thread_too_stops_with_pa017(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Cli
) -> None:
    file = tmp_path / "small.csv"
    _write(file, 2_000)
    plan = tmp_path / "plan.yaml"
    plan.write_text(_PLAN, encoding="utf-8")
    threads = _spy(monkeypatch, iter(lambda: True, False))
    status, out, err = cli("check", plan, "--actuals", file)
    assert threads[1:] == [1]
    assert status == 2
    assert out == ""
    assert err == (
        "promoplan: error PA017 reading the actuals ran out of DuckDB's memory (128MB), "
        "on one thread too; split the files by date, or read fewer dimensions or "
        "min/max metrics\n"
    )


_PLAN = """promoplan: 1
name: Many channels
period: 2025
currency: CNY
actuals:
  date: date
  dimensions: {channel: channel}
metrics:
  gmv: {column: gmv, unit: currency}
  spend: {column: spend, unit: currency}
  orders: {column: orders}
  peak: {column: orders, agg: max}
  top_gmv: {column: gmv, agg: max, unit: currency}
  low_spend: {column: spend, agg: min, unit: currency}
goals:
  gmv: {metric: gmv, at_least: 100000000}
  c7: {metric: gmv, at_least: 1, where: {channel: c7}}
  peak: {metric: peak, at_most: 10}
  top_gmv: {metric: top_gmv, at_most: 1000}
  low_spend: {metric: low_spend, at_least: 0}
  orders: {metric: orders, at_least: 1}
  spend: {metric: spend, at_least: 1, where: {channel: c654321}}
"""


@pytest.mark.slow
def test_a_million_channel_values_with_min_max_metrics_read_within_the_cap(million: Path) -> None:
    actuals = read_actuals([million], SPEC)
    assert actuals.ok
    assert actuals.diagnostics == ()
    assert _cube(actuals) == _expected(range(DISTINCT))
    assert actuals.files[0].rows == DISTINCT


@pytest.mark.slow
def test_check_of_a_million_channel_values_with_min_max_metrics(
    million: Path, tmp_path: Path, cli: Cli
) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(_PLAN, encoding="utf-8")
    status, out, _ = cli("check", plan, "--actuals", million, "-f", "json")
    assert status == 0  # off track is not an error
    [result] = json.loads(out)["plans"]
    actual = {goal["id"]: goal["actual"] for goal in result["goals"]}
    rows = [_row(i) for i in range(DISTINCT)]  # all within the ytd window to 2025-06-29
    assert actual == {
        "gmv": float(Decimal(sum(r[2] for r in rows)) / 100),
        "c7": float(Decimal(_row(7)[2]) / 100),
        "peak": max(r[4] for r in rows),
        "top_gmv": float(Decimal(max(r[2] for r in rows)) / 100),
        "low_spend": float(Decimal(min(r[3] for r in rows)) / 100),
        "orders": sum(r[4] for r in rows),
        "spend": float(Decimal(_row(654321)[3]) / 100),
    }
