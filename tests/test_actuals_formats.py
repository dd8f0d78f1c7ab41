"""Actuals in every file format: CSV, gzip and zstd CSV, Excel workbooks and Parquet.

The same data gives the same ``check --format json`` output in every format,
and a bad cell is located in each (line or row, column, and the sheet for Excel).
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from clirunner import run_cli
from promoplan.actuals import read_actuals
from promoplan.actuals.model import Actuals, ActualsSpec

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "plans" / "examples"
FORMATS = EXAMPLES / "formats"
CASES = Path(__file__).resolve().parent / "cases" / "actuals"
SPEC = ActualsSpec(
    date_column="date", dimensions=(("channel", "channel"),), columns=("gmv", "spend")
)


def check_json(data: Path) -> str:
    # In process: what is tested is the output, not the process.
    outcome = run_cli(
        "check", EXAMPLES / "formats.yaml", "--actuals", data, "--as-of", "2025-03-31", "-f", "json"
    )
    assert outcome.exit_code in (0, 1), outcome.stderr
    return outcome.stdout.replace(str(data), "DATA")


def located(actuals: Actuals) -> list[tuple[str, str | None, int | None, int | None]]:
    return [(d.code, d.file, d.line, d.column) for d in actuals.diagnostics]


def zstd_compress(data: bytes) -> bytes:
    try:
        from compression import zstd  # type: ignore[import-not-found,unused-ignore]  # noqa: PLC0415

        return zstd.compress(data)  # type: ignore[no-any-return,unused-ignore]
    except ImportError:
        import zstandard  # type: ignore[import-not-found,unused-ignore]  # noqa: PLC0415

        return zstandard.ZstdCompressor().compress(data)  # type: ignore[no-any-return,unused-ignore]


def test_csv_gzip_zstd_xlsx_and_parquet_give_byte_identical_check_output(tmp_path: Path) -> None:
    zst = tmp_path / "daily.csv.zst"
    zst.write_bytes(zstd_compress((FORMATS / "daily.csv").read_bytes()))
    reference = check_json(FORMATS / "daily.csv")
    entry = json.loads(reference)["plans"][0]
    assert entry["diagnostics"] == []
    assert entry["goals"][0]["actual"] > 0
    for other in ("daily.csv.gz", "daily.xlsx", "daily.parquet"):
        assert check_json(FORMATS / other) == reference, other
    assert check_json(zst) == reference


def test_the_example_files_hold_the_same_data() -> None:
    """The committed files agree cell for cell (in case one is regenerated alone)."""
    con = duckdb.connect()
    csv_rows = con.execute(
        "SELECT CAST(date AS DATE), channel, CAST(gmv AS DECIMAL(12,2)), "
        "CAST(spend AS DECIMAL(12,2)) FROM read_csv($p, all_varchar = true) ORDER BY 1, 2",
        {"p": str(FORMATS / "daily.csv")},
    ).fetchall()
    parquet_rows = con.execute(
        "SELECT date, channel, gmv, CAST(spend AS DECIMAL(12,2)) FROM read_parquet($p) "
        "ORDER BY 1, 2",
        {"p": str(FORMATS / "daily.parquet")},
    ).fetchall()
    assert csv_rows == parquet_rows
    assert len(csv_rows) == 270
    assert (
        gzip.decompress((FORMATS / "daily.csv.gz").read_bytes())
        == (FORMATS / "daily.csv").read_bytes()
    )


def test_a_bad_cell_in_a_workbook_is_located_by_sheet_row_and_column() -> None:
    actuals = read_actuals([CASES / "bad_cell.xlsx"], replace(SPEC, sheet="Sales"))
    name = str(CASES / "bad_cell.xlsx")
    assert located(actuals) == [("PA003", f"{name}:Sales", 5, 3)]
    assert '"12,3a" is not a number' in actuals.diagnostics[0].message


def test_workbook_serial_dates_and_date_cells_are_dates() -> None:
    spec = ActualsSpec(
        date_column="date", dimensions=(("channel", "channel"),), columns=("spend",), sheet="Sales"
    )
    actuals = read_actuals([CASES / "bad_cell.xlsx"], spec)
    assert actuals.ok  # gmv, with the bad cell, is not read
    days = {(row.day, row.dims[0]): row.cells[0].total for row in actuals.cube.rows if row.cells[0]}
    assert days == {
        (dt.date(2025, 1, 1), "search"): Decimal(20),
        (dt.date(2025, 1, 2), "social"): Decimal(10),  # serial 45659
        (dt.date(2025, 1, 3), "search"): Decimal(5),
    }


def test_a_missing_sheet_is_pa001_naming_the_sheets() -> None:
    spec = ActualsSpec(date_column="date", dimensions=(), columns=("spend",), sheet="Nope")
    actuals = read_actuals([CASES / "bad_cell.xlsx"], spec)
    [problem] = actuals.diagnostics
    assert problem.code == "PA001"
    assert 'no sheet "Nope" (its sheets are: "Cover", "Sales")' in problem.message


def test_the_first_sheet_is_read_by_default() -> None:
    actuals = read_actuals([CASES / "bad_cell.xlsx"], SPEC)
    assert [d.code for d in actuals.diagnostics][:1] == ["PA001"]
    assert 'no date column "date" (the columns are: "see Sales")' in actuals.diagnostics[0].message


@pytest.mark.parametrize(
    ("cell", "text"),
    [
        (123456789012345.0, "123456789012345"),  # 15 digits: Excel holds them all
        # 16 digits and more: Excel kept 15, so the id is rounded; in E notation, as
        # Excel shows it, which PA018 tells (from 1e16 a float's shortest text is so)
        (1234567890123450.0, "1.23456789012345e+15"),
        (1e15, "1e+15"),
        (1.2345678901234568e18, "1.2345678901234568e+18"),
        (12.5, "12.5"),
    ],
)
def test_a_workbook_number_is_the_text_excel_shows(cell: float, text: str) -> None:
    from promoplan.actuals.names import ROUNDED_ID  # noqa: PLC0415
    from promoplan.actuals.sources.excel import cell_text  # noqa: PLC0415

    assert cell_text(cell, as_date=False) == text
    assert bool(re.fullmatch(ROUNDED_ID, text)) == (abs(cell) >= 1e15)


def test_a_bad_cell_in_gzip_and_zstd_csv_has_the_plain_files_line(tmp_path: Path) -> None:
    text = b'date,channel,note,gmv,spend\n2025-01-01,a,"two\nlines",1,2\n2025-01-02,a,x,12x,3\n'
    plain, gz, zst = tmp_path / "a.csv", tmp_path / "a.csv.gz", tmp_path / "a.csv.zst"
    plain.write_bytes(text)
    gz.write_bytes(gzip.compress(text))
    zst.write_bytes(zstd_compress(text))
    for path in (plain, gz, zst):
        assert located(read_actuals([path], SPEC)) == [("PA003", str(path), 4, 4)], path


def test_compressed_gbk_csv_is_read_as_gb18030(tmp_path: Path) -> None:
    path = tmp_path / "gbk.csv.gz"
    path.write_bytes(gzip.compress("date,channel,gmv,spend\n2025-01-01,抖音,5,1\n".encode("gbk")))
    actuals = read_actuals([path], SPEC)
    assert [d.code for d in actuals.diagnostics] == ["PA005"]
    assert [row.dims for row in actuals.cube.rows] == [("抖音",)]


def test_a_cut_short_gzip_file_is_pa001(tmp_path: Path) -> None:
    path = tmp_path / "cut.csv.gz"
    body = gzip.compress(b"date,channel,gmv,spend\n" + b"2025-01-01,a,5,1\n" * 5000)
    path.write_bytes(body[: len(body) // 2])
    actuals = read_actuals([path], SPEC)
    assert [d.code for d in actuals.diagnostics] == ["PA001"]
    assert "gzip" in actuals.diagnostics[0].message
    assert not actuals.ok


def _parquet(tmp_path: Path, select: str) -> Path:
    path = tmp_path / "a.parquet"
    duckdb.sql(f"COPY ({select}) TO '{path}' (FORMAT parquet)")
    return path


def test_parquet_typed_columns_are_read_without_cleaning(tmp_path: Path) -> None:
    path = _parquet(
        tmp_path,
        "SELECT DATE '2025-01-01' + CAST(i % 3 AS INT) AS date, 'c' || (i % 2) AS channel, "
        "CAST(i AS BIGINT) AS gmv, i * 0.25 AS spend FROM range(10) t(i)",
    )
    actuals = read_actuals([path], replace(SPEC, grain="rows"))
    assert located(actuals) == []
    total = sum((row.cells[0].total for row in actuals.cube.rows if row.cells[0]), Decimal(0))
    spend = sum((row.cells[1].total for row in actuals.cube.rows if row.cells[1]), Decimal(0))
    assert total == sum(range(10))
    assert spend == Decimal("0.25") * sum(range(10))


def test_a_bad_text_cell_in_parquet_is_located_by_row_and_column(tmp_path: Path) -> None:
    path = _parquet(
        tmp_path,
        "SELECT DATE '2025-01-01' AS date, 'a' AS channel, "
        "CASE WHEN i = 6 THEN '12,3a' ELSE CAST(i AS VARCHAR) END AS gmv, 1 AS spend "
        "FROM range(10) t(i)",
    )
    assert located(read_actuals([path], replace(SPEC, grain="rows"))) == [
        ("PA003", str(path), 7, 3)
    ]


def test_a_parquet_column_of_the_wrong_type_is_pa003_naming_its_type(tmp_path: Path) -> None:
    path = _parquet(
        tmp_path, "SELECT DATE '2025-01-01' AS date, 'a' AS channel, true AS gmv, 1 AS spend"
    )
    actuals = read_actuals([path], SPEC)
    assert located(actuals) == [("PA003", str(path), None, 3)]
    assert 'column "gmv" holds BOOLEAN values, not numbers' in actuals.diagnostics[0].message


def test_a_damaged_parquet_file_is_pa001(tmp_path: Path) -> None:
    path = tmp_path / "bad.parquet"
    path.write_bytes(b"PAR1" + b"\x00" * 100)
    actuals = read_actuals([path], SPEC)
    assert [d.code for d in actuals.diagnostics] == ["PA001"]
    assert "Parquet" in actuals.diagnostics[0].message


@pytest.mark.parametrize("name", ["daily.csv.gz", "daily.xlsx", "daily.parquet"])
def test_the_source_is_picked_by_content_whatever_the_suffix(tmp_path: Path, name: str) -> None:
    renamed = tmp_path / "export.csv"
    renamed.write_bytes((FORMATS / name).read_bytes())
    spec = ActualsSpec(
        date_column="date", dimensions=(("channel", "channel"),), columns=("gmv",), sheet="Daily"
    )
    assert read_actuals([renamed], spec).cube == read_actuals([FORMATS / "daily.csv"], spec).cube


ZSTD_ROWS = b"date,channel,gmv,spend\n" + b"".join(
    b"2025-%02d-%02d,c%d,%d,%d\n" % (1 + i // 28 % 12, 1 + i % 28, i % 20, 1000 + i, 100 + i % 7)
    for i in range(20000)
)


@pytest.mark.parametrize(
    ("cut", "why"),
    [
        (lambda z: z[: len(z) // 2], "the file ends inside a block at byte"),
        (lambda z: z[: len(z) * 4 // 5], "the file ends inside a block at byte"),
        (lambda z: z[:4], "the file ends inside a frame header at byte 4"),
        (lambda z: z[:4] + b" garbage", "the file ends inside a block at byte 12"),
        (lambda z: z + z[:100], "after 1 whole frame"),
    ],
    ids=["half", "four-fifths", "magic-only", "garbage", "second-frame-cut"],
)
def test_a_cut_short_zstd_file_is_pa001_not_empty_or_ragged(
    tmp_path: Path, cut: Any, why: str
) -> None:
    """A zstd decompressor stops silently at the last whole block: the file was "empty",
    or a cut row was PA006 at a line that is not it. Its frames say it is cut."""
    path = tmp_path / "cut.csv.zst"
    path.write_bytes(cut(zstd_compress(ZSTD_ROWS)))
    (found,) = read_actuals([path], SPEC).diagnostics
    assert (found.code, found.file, found.line) == ("PA001", str(path), None)
    assert found.message.startswith("the zstd file cannot be decompressed: ")
    assert why in found.message
    assert "cut short" in (found.hint or "")


def test_whole_zstd_frames_one_after_another_and_a_skippable_frame_are_read(
    tmp_path: Path,
) -> None:
    half = ZSTD_ROWS.index(b"\n", len(ZSTD_ROWS) // 2) + 1
    skippable = (0x184D2A53).to_bytes(4, "little") + (3).to_bytes(4, "little") + b"abc"
    path = tmp_path / "frames.csv.zst"
    path.write_bytes(skippable + zstd_compress(ZSTD_ROWS[:half]) + zstd_compress(ZSTD_ROWS[half:]))
    actuals = read_actuals([path], SPEC)
    assert actuals.ok, actuals.diagnostics
    gmv = sum(row.cells[0].total for row in actuals.cube.rows if row.cells[0] is not None)
    assert gmv == sum(1000 + i for i in range(20000))


def test_corrupt_data_inside_a_whole_zstd_frame_is_pa001(tmp_path: Path) -> None:
    data = bytearray(zstd_compress(ZSTD_ROWS))
    for at in range(len(data) // 2, len(data) // 2 + 50):
        data[at] ^= 0xFF
    path = tmp_path / "flipped.csv.zst"
    path.write_bytes(bytes(data))
    outcome = run_cli("check", EXAMPLES / "formats.yaml", "--actuals", path)
    assert outcome.exit_code == 1
    assert f"{path}: error PA001 the zstd file cannot be decompressed: " in outcome.stdout
    assert "Traceback" not in outcome.stdout + outcome.stderr


def test_a_duckdb_database_given_as_a_file_is_pa001_with_its_url(tmp_path: Path) -> None:
    """It was "binary data"; the hint names the duckdb:// form that reads its tables."""
    path = tmp_path / "shop.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE t AS SELECT DATE '2025-01-01' AS date, 1 AS gmv")
    (found,) = read_actuals([path], SPEC).diagnostics
    assert (found.code, found.message) == (
        "PA001",
        "this is a DuckDB database file, not a CSV file",
    )
    assert found.hint == (
        f"read a table of it: --actuals 'duckdb://{path.resolve().as_posix()}?table=NAME'"
    )
