"""Bad cells deep inside larger files (generated into tmp_path) keep their line and column."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from promoplan.actuals import read_actuals
from promoplan.actuals.model import ActualsSpec

SPEC = ActualsSpec(
    date_column="date",
    dimensions=(("channel", "channel"),),
    columns=("gmv", "spend"),
    grain="rows",
)
ROWS = 50_000


def generate(path: Path, *, bad_rows: dict[int, str], note_every: int = 0) -> None:
    """ROWS data rows; ``bad_rows`` maps a data row number (1-based) to its spend cell."""
    start = dt.date(2025, 1, 1)
    lines = ["date,channel,note,gmv,spend"]
    for n in range(1, ROWS + 1):
        day = start + dt.timedelta(days=n % 365)
        note = '"two\nlines"' if note_every and n % note_every == 0 else "x"
        spend = bad_rows.get(n, f"{n % 97}.5")
        lines.append(f"{day.isoformat()},ch{n % 5},{note},{n % 1000},{spend}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_bad_value_at_row_30000_of_50000_is_reported_and_fails(tmp_path: Path) -> None:
    file = tmp_path / "orders.csv"
    generate(file, bad_rows={30_000: '"12,3a"'})  # quoted: the comma is in the value
    actuals = read_actuals([file], SPEC)
    assert not actuals.ok
    [problem] = actuals.diagnostics
    assert (problem.code, problem.file, problem.line, problem.column) == (
        "PA003",
        str(file),
        30_001,
        5,
    )
    assert problem.message == 'column "spend": "12,3a" is not a number'
    assert actuals.cube.rows == ()
    assert actuals.files[0].rows == ROWS


def test_many_bad_cells_first_20_listed_then_a_count(tmp_path: Path) -> None:
    file = tmp_path / "orders.csv"
    generate(file, bad_rows={n: "n/a?" for n in range(100, 50_000, 100)})
    actuals = read_actuals([file], SPEC)
    listed = [d for d in actuals.diagnostics if d.line is not None]
    assert [d.line for d in listed] == [n + 1 for n in range(100, 2_100, 100)]
    assert {d.column for d in listed} == {5}
    [rest] = [d for d in actuals.diagnostics if d.line is None]
    assert rest.code == "PA003"
    assert rest.message == '479 more bad numbers not listed (499 in all: 499 in "spend")'


def test_bad_dates_and_numbers_not_listed_are_counted_under_their_own_codes(
    tmp_path: Path,
) -> None:
    # 12 rows, each with a bad date and a bad gmv: 24 bad cells, the first 20 (rows 1-10,
    # both cells of each) listed; 2 dates and 2 numbers remain.
    file = tmp_path / "mixed.csv"
    rows = "".join(f"2025-13-{n:02d},ch1,x,{n}k?,1\n" for n in range(1, 13))
    file.write_text("date,channel,note,gmv,spend\n" + rows, encoding="utf-8")
    actuals = read_actuals([file], SPEC)
    listed = [d for d in actuals.diagnostics if d.line is not None]
    assert [d.code for d in listed] == ["PA004", "PA003"] * 10
    rest = [(d.code, d.message) for d in actuals.diagnostics if d.line is None]
    assert rest == [
        ("PA004", '2 more bad dates not listed (12 in all: 12 in "date")'),
        ("PA003", '2 more bad numbers not listed (12 in all: 12 in "gmv")'),
    ]


def test_lines_stay_right_after_quoted_newlines(tmp_path: Path) -> None:
    file = tmp_path / "orders.csv"
    generate(file, bad_rows={30_000: "oops"}, note_every=1_000)
    actuals = read_actuals([file], SPEC)
    [problem] = actuals.diagnostics
    assert problem.line == 30_001 + 29  # rows 1000, 2000, ... 29000 each span two lines
    assert problem.column == 5


def test_totals_of_a_clean_large_file_are_exact(tmp_path: Path) -> None:
    file = tmp_path / "orders.csv"
    generate(file, bad_rows={})
    actuals = read_actuals([file], SPEC)
    assert actuals.ok
    spend = sum(r.cells[1].total for r in actuals.cube.rows if r.cells[1] is not None)
    assert spend == sum(Decimal(f"{n % 97}.5") for n in range(1, ROWS + 1))
    assert sum(r.cells[0].count for r in actuals.cube.rows if r.cells[0] is not None) == ROWS


def test_gb18030_after_a_long_utf8_looking_start_is_read_with_pa005(tmp_path: Path) -> None:
    """The first 64 KiB are ASCII; the engine meets the GBK bytes later and the file is reread."""
    file = tmp_path / "late.csv"
    ascii_rows = "".join(f"2025-01-{1 + n % 28:02d},douyin,1\n" for n in range(5_000))
    gbk_rows = "2025-02-01,抖音,2\n2025-02-02,快手,3\n"
    file.write_bytes(("date,channel,gmv\n" + ascii_rows + gbk_rows).encode("gbk"))
    actuals = read_actuals([file], replace(SPEC, columns=("gmv",)))
    assert [d.code for d in actuals.diagnostics] == ["PA005"]
    assert actuals.files[0].encoding == "gb18030"
    channels = {r.dims[0] for r in actuals.cube.rows}
    assert channels == {"douyin", "抖音", "快手"}


def test_progress_is_reported_in_bytes_while_reading(tmp_path: Path) -> None:
    file = tmp_path / "orders.csv"
    generate(file, bad_rows={})
    calls: list[tuple[int, int]] = []
    read_actuals([file], SPEC, progress=lambda done, total: calls.append((done, total)))
    size = file.stat().st_size
    assert calls[0] == (0, size)
    assert calls[-1] == (size, size)
    assert all(0 <= done <= size and total == size for done, total in calls)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)
