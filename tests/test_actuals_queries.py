"""Which queries reading actuals runs: none whose answer is known before it runs.

A connection is spied on and every SQL text it is given recorded. The overlap
queries run only when two files can meet (a measure in common, dates that
intersect); the cube is summed and fetched in one query; the channel values come
with a file's statistics; a small file is read typed without a sample first;
and the whole read uses one connection. The numbers are worked out by hand.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from promoplan.actuals import engine, read_actuals
from promoplan.actuals.model import Actuals, ActualsSpec
from promoplan.inputs import actuals_spec
from promoplan.loader import load_plan

ROOT = Path(__file__).resolve().parents[1]
D = Decimal


class _Recording:
    """A DuckDB connection that records every SQL text it is given."""

    def __init__(self, con: Any, seen: list[str]) -> None:
        self._con = con
        self._seen = seen

    def execute(self, query: str, *args: Any) -> Any:
        self._seen.append(" ".join(query.split()))
        return self._con.execute(query, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)


@pytest.fixture
def seen(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The queries of each connection the engine opens, one list per connection."""
    connections: list[list[str]] = []
    connect = engine._connect

    def spy(*args: Any) -> _Recording:
        connections.append([])
        return _Recording(connect(*args), connections[-1])

    monkeypatch.setattr(engine, "_connect", spy)
    return connections


def _spec(**changes: Any) -> ActualsSpec:
    values: dict[str, Any] = {
        "date_column": "date",
        "dimensions": (("channel", "channel"),),
        "columns": ("gmv",),
    }
    values.update(changes)
    return ActualsSpec(**values)


def _gmv(got: Actuals) -> dict[tuple[dt.date, str | None], Decimal]:
    i = got.cube.columns.index("gmv")
    return {
        (row.day, row.dims[0]): cell.total
        for row in got.cube.rows
        if (cell := row.cells[i]) is not None
    }


def _overlap_queries(queries: list[str]) -> list[str]:
    return [q for q in queries if "overlap_" in q]


def test_the_readme_command_reads_with_one_connection_and_no_foregone_query(
    seen: list[list[str]],
) -> None:
    loaded = load_plan(ROOT / "plans" / "ecommerce-2025.yaml")
    assert loaded.plan is not None
    files = sorted((ROOT / "plans" / "actuals").glob("*.csv"))
    got = read_actuals(files, actuals_spec(loaded.plan))
    assert [d.code for d in got.diagnostics] == ["PA010", "PA011"]  # both real, both kept
    assert len(seen) == 1
    queries = seen[0]
    # brand-daily.csv and channels-daily.csv have no measure in common.
    assert _overlap_queries(queries) == []
    assert not [q for q in queries if q.startswith('CREATE TEMP TABLE "cube"')]
    # No key is in both files (brand-daily.csv has no channel column, every row of
    # channels-daily.csv has a channel): the groups are the cube's rows as they are.
    assert not [q for q in queries if "GROUP BY ALL" in q]
    assert not [q for q in queries if "max(abs(" in q or q.startswith("DROP")]
    assert not [q for q in queries if q.startswith("SELECT DISTINCT")]  # with the statistics
    assert not [q for q in queries if "bool_and(" in q]  # both files are small: no sample
    assert not [q for q in queries if "duckdb_optimizers()" in q]


def test_files_with_the_same_measure_on_other_dates_are_not_checked_for_overlap(
    tmp_path: Path, seen: list[list[str]]
) -> None:
    jan, feb = tmp_path / "jan.csv", tmp_path / "feb.csv"
    jan.write_text("date,channel,gmv\n2025-01-30,a,1\n2025-01-31,a,2\n", encoding="utf-8")
    feb.write_text("date,channel,gmv\n2025-02-01,a,4\n2025-02-02,a,8\n", encoding="utf-8")
    got = read_actuals([jan, feb], _spec())
    assert got.diagnostics == ()
    assert _gmv(got) == {
        (dt.date(2025, 1, 30), "a"): D(1),
        (dt.date(2025, 1, 31), "a"): D(2),
        (dt.date(2025, 2, 1), "a"): D(4),
        (dt.date(2025, 2, 2), "a"): D(8),
    }
    assert _overlap_queries(seen[0]) == []


def test_files_whose_dates_meet_are_still_checked_and_counted_once(
    tmp_path: Path, seen: list[list[str]]
) -> None:
    jan, feb = tmp_path / "jan.csv", tmp_path / "feb.csv"
    jan.write_text("date,channel,gmv\n2025-01-31,a,2\n2025-02-01,a,3\n", encoding="utf-8")
    feb.write_text("date,channel,gmv\n2025-02-01,a,4\n2025-02-02,a,8\n", encoding="utf-8")
    got = read_actuals([jan, feb], _spec())
    # 2025-02-01 is in both: counted once, from the later file (4, not 3 + 4).
    assert _gmv(got) == {
        (dt.date(2025, 1, 31), "a"): D(2),
        (dt.date(2025, 2, 1), "a"): D(4),
        (dt.date(2025, 2, 2), "a"): D(8),
    }
    assert [(d.code, d.file, d.line) for d in got.diagnostics] == [("PA010", str(feb), 2)]
    assert _overlap_queries(seen[0]) != []


def test_a_file_without_a_dimension_meets_the_rows_of_another_that_leave_it_blank(
    tmp_path: Path, seen: list[list[str]]
) -> None:
    brand, channels = tmp_path / "brand.csv", tmp_path / "channels.csv"
    brand.write_text("date,gmv\n2025-01-01,10\n", encoding="utf-8")
    channels.write_text("date,channel,spend\n2025-01-01,,5\n2025-01-01,x,7\n", encoding="utf-8")
    got = read_actuals([brand, channels], _spec(columns=("gmv", "spend")))
    # The blank channel's row and brand.csv's row are one key: summed into one cube row.
    rows = {
        (row.day, row.dims): tuple(None if c is None else c.total for c in row.cells)
        for row in got.cube.rows
    }
    assert rows == {
        (dt.date(2025, 1, 1), (None,)): (D(10), D(5)),
        (dt.date(2025, 1, 1), ("x",)): (None, D(7)),
    }
    assert len(got.cube) == 2
    assert [q for q in seen[0] if "GROUP BY ALL" in q]


def test_a_sum_past_a_bigint_is_fetched_exactly_from_a_cube_table(
    tmp_path: Path, seen: list[list[str]]
) -> None:
    path = tmp_path / "big.csv"
    # 10 x 99,999,999,999,999.5 = 999,999,999,999,995: its units (x 10^4) pass 2^63.
    path.write_text(
        "date,channel,gmv\n" + "2025-01-01,a,99999999999999.5\n" * 10 + "2025-01-02,a,1.25\n",
        encoding="utf-8",
    )
    got = read_actuals([path], _spec())
    assert _gmv(got) == {
        (dt.date(2025, 1, 1), "a"): D("999999999999995"),
        (dt.date(2025, 1, 2), "a"): D("1.25"),
    }
    # The one-query fetch failed on the conversion; the table path fetched it as HUGEINT.
    assert [q for q in seen[0] if q.startswith('CREATE TEMP TABLE "cube"')]
    assert [q for q in seen[0] if "HUGEINT" in q]


def test_a_year_of_daily_files_is_one_cube(tmp_path: Path, seen: list[list[str]]) -> None:
    """365 daily exports (the cron case): every day in the cube, the totals summed by hand.

    The cube of that many files once ran out of DuckDB's memory cap in one query
    over all of them; it must read within the cap whatever the number of files,
    and read the files of one multi-file scan from its table in one go, not from
    a view per file (365 views took more than a second to combine).
    """
    first = dt.date(2025, 1, 1)
    expected: dict[tuple[dt.date, str | None], Decimal] = {}
    for i in range(365):
        day = first + dt.timedelta(days=i)
        lines = ["date,channel,gmv"]
        for channel, cents in (("douyin", 100 + i), ("wecom", 7 * i + 1)):
            lines.append(f"{day.isoformat()},{channel},{cents / 100:.2f}")
            expected[(day, channel)] = D(cents) / 100
        (tmp_path / f"orders-{i:03d}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    files = sorted(tmp_path.glob("*.csv"))
    got = read_actuals(files, _spec(keep_from=first, keep_to=dt.date(2025, 12, 31)))
    assert got.ok, got.diagnostics
    assert _gmv(got) == expected
    assert len(got.files) == 365
    (queries,) = seen
    fetches = [q for q in queries if "CAST(n0 AS BIGINT)" in q]
    assert len(fetches) == 1
    assert "WHERE f IN (1, 2, 3," in fetches[0]
    assert '"g1"' not in fetches[0]
