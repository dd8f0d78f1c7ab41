"""How files are scanned: many files with one header in one scan, the typed fast path with
its fallback, and the first record of an unknown channel found without a second full scan.

Whichever way a file is scanned, the cube and every diagnostic (its file, line and
column) must be what reading that file alone, as text, gives.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from promoplan.actuals import batch, read_actuals
from promoplan.actuals.model import Actuals, ActualsSpec, Cube
from promoplan.diagnostics import Diagnostic

D = Decimal
HEADER = "date,channel,gmv,spend\n"


def spec(**changes: Any) -> ActualsSpec:
    values: dict[str, Any] = {
        "date_column": "date",
        "dimensions": (("channel", "channel"),),
        "columns": ("gmv", "spend"),
    }
    values.update(changes)
    return ActualsSpec(**values)


def sums(cube: Cube, column: str = "gmv") -> dict[tuple[dt.date, tuple[str | None, ...]], D]:
    i = cube.columns.index(column)
    return {(r.day, r.dims): c.total for r in cube.rows if (c := r.cells[i]) is not None}


def where(d: Diagnostic) -> tuple[str | None, int | None, int | None]:
    return (Path(d.file).name if d.file else None, d.line, d.column)


def daily(folder: Path, days: int, rows: int, last: dict[int, str] | None = None) -> list[Path]:
    """``days`` files of ``rows`` rows; row r of day d: douyin, gmv r+1, spend 1.
    ``last`` replaces the last line of some files."""
    files = []
    for d in range(days):
        day = dt.date(2025, 1, 1) + dt.timedelta(days=d)
        lines = [f"{day},douyin,{r + 1},1\n" for r in range(rows)]
        if last and d in last:
            lines[-1] = last[d]
        path = folder / f"day-{d:02d}.csv"
        path.write_text(HEADER + "".join(lines), encoding="utf-8")
        files.append(path)
    return files


def one_by_one(monkeypatch: pytest.MonkeyPatch, files: list[Path], s: ActualsSpec) -> Actuals:
    """The same read with every file scanned alone."""
    monkeypatch.setattr(batch, "batch_key", lambda reader, member: None)
    return read_actuals(files, s)


def test_many_daily_files_give_the_cube_of_each_file_read_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = daily(tmp_path, 5, 4)
    scans: list[int] = []
    read_batch = batch.read_batch

    def counted(reader: Any, members: Any, tick: Any) -> Any:
        got = read_batch(reader, members, tick)
        scans.append(len(got or []))
        return got

    monkeypatch.setattr(batch, "read_batch", counted)
    together = read_actuals(files, spec())
    assert scans == [5]  # one scan for all five files
    assert together.ok
    # Each day: gmv 1+2+3+4 = 10, spend 4 (hand sums).
    days = [dt.date(2025, 1, 1) + dt.timedelta(days=d) for d in range(5)]
    assert sums(together.cube) == {(day, ("douyin",)): D(10) for day in days}
    assert sums(together.cube, "spend") == {(day, ("douyin",)): D(4) for day in days}
    assert [f.rows for f in together.files] == [4] * 5
    assert [f.first_date for f in together.files] == days
    alone = one_by_one(monkeypatch, files, spec())
    assert together.cube == alone.cube
    assert together.files == alone.files
    assert together.diagnostics == alone.diagnostics


def test_a_bad_cell_in_the_last_row_of_one_of_many_files_names_that_file_and_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = daily(tmp_path, 4, 50, last={2: "2025-01-03,douyin,12abc,1\n"})
    together = read_actuals(files, spec())
    bad = [d for d in together.diagnostics if d.code == "PA003"]
    assert [where(d) for d in bad] == [("day-02.csv", 51, 3)]
    assert not together.ok
    # The file with the error contributes nothing; the other three do: 1+..+50 = 1275.
    assert set(sums(together.cube).values()) == {D(1275)}
    assert len(sums(together.cube)) == 3
    assert together.diagnostics == one_by_one(monkeypatch, files, spec()).diagnostics


def test_a_malformed_file_among_many_is_named_by_reading_them_one_by_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = daily(tmp_path, 3, 5, last={1: '2025-01-02,"douyin,5,1\n'})
    together = read_actuals(files, spec())
    broken = [d for d in together.diagnostics if d.severity == "error"]
    assert {Path(d.file).name for d in broken if d.file} == {"day-01.csv"}
    assert together.diagnostics == one_by_one(monkeypatch, files, spec()).diagnostics


def test_a_header_only_file_among_many_is_pa001(tmp_path: Path) -> None:
    files = daily(tmp_path, 3, 2)
    files[1].write_text(HEADER, encoding="utf-8")
    got = read_actuals(files, spec())
    assert [where(d) for d in got.diagnostics if d.code == "PA001"] == [("day-01.csv", 1, None)]
    assert [f.rows for f in got.files] == [2, 0, 2]


def test_an_unknown_channel_first_seen_in_the_last_row_is_located_exactly(tmp_path: Path) -> None:
    rows = 30_000
    path = tmp_path / "orders.csv"
    lines = [f"2025-01-{1 + r % 28:02d},douyin,1,1\n" for r in range(rows - 1)]
    lines.append("2025-01-05,brand_new,1,1\n")
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    got = read_actuals([path], spec(channel_dimension="channel", known_channels={"douyin"}))
    unknown = [d for d in got.diagnostics if d.code == "PA011"]
    assert [where(d) for d in unknown] == [("orders.csv", rows + 1, 2)]
    assert got.ok


def test_an_unknown_channel_is_located_at_its_first_kept_record(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(
        HEADER
        + "2024-12-31,new_one,1,1\n"  # line 2: dated before keep_from, so not counted
        + "2025-01-01,douyin,1,1\n"
        + "2025-01-02, new_one ,1,1\n",  # line 4: the first kept record (trimmed)
        encoding="utf-8",
    )
    got = read_actuals(
        [path],
        spec(
            channel_dimension="channel",
            known_channels={"douyin"},
            keep_from=dt.date(2025, 1, 1),
        ),
    )
    assert [where(d) for d in got.diagnostics if d.code == "PA011"] == [("orders.csv", 4, 2)]


def test_typed_and_text_reads_agree_on_every_number_a_typed_read_accepts(
    tmp_path: Path,
) -> None:
    cells = ["12.5", " 12.5 ", "+5", "-5", "1e3", "12.34567", ".5", "5.", "1_000", "00012", ""]
    path = tmp_path / "clean.csv"
    path.write_text(
        HEADER + "".join(f'2025-01-05,douyin,"{c}",1\n' for c in cells), encoding="utf-8"
    )
    got = read_actuals([path], spec())
    assert got.ok
    # 12.5 + 12.5 + 5 - 5 + 1000 + 12.3457 + 0.5 + 5 + 1000 + 12 (the empty cell is missing)
    assert sums(got.cube) == {(dt.date(2025, 1, 5), ("douyin",)): D("2054.8457")}
    assert got.cube.rows[0].cells[0] is not None
    assert got.cube.rows[0].cells[0].count == len(cells) - 1


def test_a_dirty_cell_in_the_last_row_falls_back_to_cleaning_that_column(tmp_path: Path) -> None:
    rows = 2_000
    path = tmp_path / "orders.csv"
    lines = ["2025-01-05,douyin,1.25,2\n" for _ in range(rows - 1)]
    lines.append('2025-01-05,douyin,"1,000.50",-\n')
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    got = read_actuals([path], spec())
    assert got.ok, got.diagnostics
    # gmv: 1999 * 1.25 + 1000.50 = 3499.25; spend: 1999 * 2 (the "-" is missing).
    assert sums(got.cube) == {(dt.date(2025, 1, 5), ("douyin",)): D("3499.25")}
    assert sums(got.cube, "spend") == {(dt.date(2025, 1, 5), ("douyin",)): D(3998)}


def test_a_date_the_typed_reader_would_take_is_still_a_bad_date(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(HEADER + "2025-01-05,douyin,1,1\ninfinity,douyin,2,1\n", encoding="utf-8")
    got = read_actuals([path], spec())
    assert [(d.code, where(d)) for d in got.diagnostics] == [("PA004", ("orders.csv", 3, 1))]


def test_a_date_outside_four_digit_years_is_a_bad_date_and_a_blank_line_is_not(
    tmp_path: Path,
) -> None:
    # The scan groups by the date before checking its year: the check, made per day
    # after grouping, must still count every record of such a day, and only those.
    path = tmp_path / "orders.csv"
    path.write_text(
        HEADER
        + "2025-01-05,douyin,1,1\n"  # line 2
        + "0999-01-05,douyin,2,1\n"  # line 3: year 999
        + ",,,\n"  # line 4: blank, skipped
        + "0999-01-05,kuaishou,3,1\n"  # line 5: the same day, another channel
        + "  ,douyin,4,1\n"  # line 6: no date but values
        + "0999-01-05,douyin,5,1\n",  # line 7: the first day's second record
        encoding="utf-8",
    )
    got = read_actuals([path], spec())
    assert [(d.code, where(d)) for d in got.diagnostics] == [
        ("PA004", ("orders.csv", line, 1)) for line in (3, 5, 6, 7)
    ]
    assert [f.rows for f in got.files] == [5]  # six records, one of them blank


def test_only_the_day_with_an_out_of_range_year_is_bad_in_a_typed_read(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    rows = [f"2025-01-{d % 28 + 1:02d},douyin,{d},1\n" for d in range(30)]
    path.write_text(HEADER + "".join(rows) + "0999-12-31,douyin,1,1\n", encoding="utf-8")
    got = read_actuals([path], spec(grain="rows"))
    assert [(d.code, where(d)) for d in got.diagnostics] == [("PA004", ("orders.csv", 32, 1))]
