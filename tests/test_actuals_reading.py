"""The actuals reader, one small committed file per reading rule (tests/cases/actuals/)."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from promoplan.actuals import read_actuals
from promoplan.actuals.model import Actuals, ActualsSpec, Cube
from promoplan.diagnostics import Diagnostic
from promoplan.errors import UsageProblem

CASES = Path(__file__).parent / "cases" / "actuals"
D = Decimal


def spec(**changes: Any) -> ActualsSpec:
    """The spec most cases use: date, channel, gmv."""
    values: dict[str, Any] = {
        "date_column": "date",
        "dimensions": (("channel", "channel"),),
        "columns": ("gmv",),
    }
    values.update(changes)
    return ActualsSpec(**values)


def read(*names: str, **changes: Any) -> Actuals:
    return read_actuals([CASES / n for n in names], spec(**changes))


def codes(actuals: Actuals) -> list[str]:
    return [d.code for d in actuals.diagnostics]


def only(actuals: Actuals, code: str) -> Diagnostic:
    found = [d for d in actuals.diagnostics if d.code == code]
    assert len(found) == 1, actuals.diagnostics
    return found[0]


def where(d: Diagnostic) -> tuple[str | None, int | None, int | None]:
    """(file name, line, column) of a diagnostic."""
    return (Path(d.file).name if d.file else None, d.line, d.column)


def sums(cube: Cube, column: str = "gmv") -> dict[tuple[dt.date, tuple[str | None, ...]], Decimal]:
    """(day, dims) -> total of one column, for cells that have values."""
    i = cube.columns.index(column)
    return {(r.day, r.dims): c.total for r in cube.rows if (c := r.cells[i]) is not None}


# --- encodings and what a file really is ---------------------------------------------


def test_utf8_with_bom_reads_chinese_channels_and_dirty_money() -> None:
    actuals = read("utf8_bom.csv", columns=("gmv", "spend"))
    assert actuals.ok
    assert codes(actuals) == []
    assert sums(actuals.cube) == {
        (dt.date(2025, 1, 5), ("抖音",)): D("1234.50"),
        (dt.date(2025, 1, 5), ("快手",)): D("88"),
        (dt.date(2025, 1, 6), ("抖音",)): D("100"),
    }
    assert sums(actuals.cube, "spend")[(dt.date(2025, 1, 6), ("抖音",))] == D("-10")
    assert actuals.files[0].encoding == "utf-8-sig"
    assert actuals.files[0].columns == ("date", "channel", "gmv", "spend")


def test_gbk_file_gives_the_same_cube_as_utf8_with_bom_and_says_pa005() -> None:
    gbk = read("gbk.csv", columns=("gmv", "spend"))
    bom = read("utf8_bom.csv", columns=("gmv", "spend"))
    assert gbk.cube == bom.cube
    note = only(gbk, "PA005")
    assert note.severity == "info"
    assert where(note) == ("gbk.csv", None, None)
    assert gbk.ok
    assert gbk.files[0].encoding == "gb18030"


def test_encoding_option_overrides_detection() -> None:
    actuals = read("gbk.csv", columns=("gmv", "spend"), encoding="GBK")
    assert codes(actuals) == []  # no PA005: the user said so
    assert sums(actuals.cube)[(dt.date(2025, 1, 5), ("快手",))] == D("88")
    assert actuals.files[0].encoding == "gbk"


def test_gbk_read_as_utf8_when_told_so_is_pa001_at_the_first_bad_byte() -> None:
    actuals = read("gbk.csv", encoding="utf-8")
    problem = only(actuals, "PA001")
    # Line 2 is "2025-01-05," (11 characters), then 抖 in GBK, 0xB6 0xB6: column 12.
    assert where(problem) == ("gbk.csv", 2, 12)
    assert problem.message.startswith("byte 0xB6 here is not UTF-8")
    assert "--encoding gb18030" in (problem.hint or "")
    assert "pass --encoding to name" not in (problem.hint or "")
    assert not actuals.ok


def test_unknown_encoding_is_a_usage_problem() -> None:
    with pytest.raises(UsageProblem, match="unknown encoding"):
        read("gbk.csv", encoding="klingon")


@pytest.mark.parametrize(
    ("name", "what"),
    [
        ("workbook.xlsx", "this is an Excel workbook (.xlsx)"),
        ("workbook.xls", "this is an Excel 97-2003 workbook (.xls)"),
        ("error_page.csv", "this is an HTML page"),
        ("utf16.csv", "this is UTF-16 text"),
        ("utf16_nobom.csv", "this is UTF-16 text without a BOM"),
        ("empty.csv", "the file is empty"),
        ("header_only.csv", "the file has a header but no data rows"),
    ],
)
def test_files_that_are_not_csv_data_are_pa001(name: str, what: str) -> None:
    actuals = read(name)
    problem = only(actuals, "PA001")
    assert problem.message.startswith(what)
    assert Path(problem.file or "").name == name
    assert not actuals.ok
    assert actuals.cube.rows == ()
    assert codes(actuals) == ["PA001"]


def test_utf16_is_read_when_the_encoding_is_given() -> None:
    actuals = read("utf16.csv", encoding="utf-16")
    assert codes(actuals) == []
    assert sums(actuals.cube) == {(dt.date(2025, 1, 5), ("douyin",)): D(1)}


# --- delimiters, quotes, line endings ----------------------------------------------


@pytest.mark.parametrize("name", ["semicolon.csv", "tab.tsv"])
def test_delimiter_is_detected_from_the_header(name: str) -> None:
    actuals = read(name)
    assert actuals.ok, actuals.diagnostics
    got = sums(actuals.cube)
    assert got[(dt.date(2025, 1, 5), ("kuaishou",))] == D(2)
    assert len(got) == 2


def test_crlf_and_quoted_fields_with_delimiter_and_newline() -> None:
    actuals = read("crlf.csv")
    assert actuals.ok, actuals.diagnostics
    assert sums(actuals.cube) == {
        (dt.date(2025, 1, 5), ("douyin, live",)): D(3),
        (dt.date(2025, 1, 6), ("kuai\r\nshou",)): D(4),
    }


def test_duplicate_header_is_pa006_at_the_second_column() -> None:
    actuals = read("duplicate_header.csv", columns=("spend",))
    problem = only(actuals, "PA006")
    assert where(problem) == ("duplicate_header.csv", 1, 4)
    assert problem.message == 'duplicate header "spend" (columns 2 and 4)'
    assert not actuals.ok


def test_ragged_row_is_pa006_with_its_line() -> None:
    actuals = read("ragged.csv")
    problem = only(actuals, "PA006")
    assert where(problem) == ("ragged.csv", 3, None)
    assert problem.message == "this row has 4 fields, the header has 3"
    assert actuals.cube.rows == ()  # nothing half-read is used


def test_unclosed_quote_is_pa006_at_the_line_where_it_opens() -> None:
    actuals = read("unclosed_quote.csv")
    problem = only(actuals, "PA006")
    assert where(problem) == ("unclosed_quote.csv", 3, None)
    assert "never closed" in problem.message


@pytest.mark.parametrize(
    ("data", "line", "message"),
    [
        # 1 header, 2-3 one record ("dou" LF "yin"), 4 the short row: DuckDB says 3.
        (
            b'date,channel,gmv\n2025-01-05,"dou\nyin",1\n2025-01-06,douyin\n',
            4,
            "this row has 2 fields, the header has 3",
        ),
        # CRLF: 1 header, 2-3 one record, 4 blank, 5 the short row: DuckDB says 4.
        (
            b'date,channel,gmv\r\n2025-01-05,"dou\r\nyin",1\r\n\r\n2025-01-06,douyin\r\n',
            5,
            "this row has 2 fields, the header has 3",
        ),
        # 1 header, 2-3 a record ("a" LF "b"), 4-6 a record ("c" LF LF "d"), 7 the long row:
        # DuckDB says 4.
        (
            b'date,channel,gmv\n2025-01-05,"a\nb",1\n2025-01-06,"c\n\nd",2\n'
            b"2025-01-07,douyin,3,4\n",
            7,
            "this row has 4 fields, the header has 3",
        ),
        # 1 header, 2-3 one record, 4 the quote never closed (to the end, line 5): DuckDB says 3.
        (
            b'date,channel,gmv\n2025-01-05,"dou\nyin",1\n2025-01-06,"douyin,3\n'
            b"2025-01-07,douyin,3\n",
            4,
            "a quoted field starting on this line is never closed, or has text after its "
            "closing quote",
        ),
    ],
    ids=["lf", "crlf-and-blank", "two-quoted-newlines", "unclosed-quote"],
)
def test_malformed_row_after_quoted_newlines_is_pa006_at_its_own_line(
    tmp_path: Path, data: bytes, line: int, message: str
) -> None:
    """DuckDB counts a record with a quoted line break as one line; the file's line is said."""
    path = tmp_path / "a.csv"
    path.write_bytes(data)
    problem = only(read_actuals([path], spec()), "PA006")
    assert where(problem) == ("a.csv", line, None)
    assert problem.message == message


def test_blank_lines_and_empty_rows_are_skipped_not_errors() -> None:
    actuals = read("blank_rows.csv")
    assert codes(actuals) == []
    assert actuals.files[0].rows == 2
    assert sum(sums(actuals.cube).values()) == D(3)


def test_missing_date_column_is_pa001_naming_the_columns() -> None:
    actuals = read("no_date_column.csv")
    problem = only(actuals, "PA001")
    assert problem.message == 'no date column "date" (the columns are: "day", "channel", "gmv")'
    assert where(problem) == ("no_date_column.csv", 1, None)


# --- dates -------------------------------------------------------------------------


def test_year_first_dates_in_every_accepted_form() -> None:
    actuals = read("dates.csv", dimensions=())
    assert codes(actuals) == []
    assert [r.day for r in actuals.cube.rows] == [dt.date(2025, 1, d) for d in range(5, 12)]
    assert [r.dims for r in actuals.cube.rows] == [()] * 7


def test_day_or_month_first_date_is_ambiguous_pa004() -> None:
    actuals = read("ambiguous_date.csv", dimensions=())
    problem = only(actuals, "PA004")
    assert where(problem) == ("ambiguous_date.csv", 3, 1)
    assert problem.message == 'column "date": "01/02/2025" is ambiguous: day or month first?'
    assert "date_format" in (problem.hint or "")
    assert not actuals.ok


def test_bad_dates_each_reported_with_line_and_column() -> None:
    actuals = read("bad_date.csv", dimensions=())
    found = [(d.code, d.line, d.column, d.message) for d in actuals.diagnostics]
    assert found == [
        ("PA004", 2, 1, 'column "date": "2025-02-30" is not a date'),
        ("PA004", 3, 1, 'column "date": "yesterday" is not a date'),
        ("PA004", 4, 1, 'column "date" is empty in a row that has values'),
    ]


def test_date_format_reads_day_first_dates() -> None:
    actuals = read("day_first.csv", dimensions=(), date_format="%d/%m/%Y")
    assert [r.day for r in actuals.cube.rows] == [dt.date(2025, 1, 5), dt.date(2025, 2, 13)]
    assert codes(actuals) == []


def test_with_date_format_other_forms_are_pa004(tmp_path: Path) -> None:
    file = tmp_path / "mixed.csv"
    file.write_text("date,gmv\n05/01/2025,1\n2025-01-05,3\n", encoding="utf-8")
    actuals = read_actuals([file], spec(dimensions=(), date_format="%d/%m/%Y"))
    problem = only(actuals, "PA004")
    assert where(problem) == ("mixed.csv", 3, 1)
    assert (
        problem.message == 'column "date": "2025-01-05" does not match the date format "%d/%m/%Y"'
    )


# --- values ------------------------------------------------------------------------


def test_dirty_numbers_are_converted_exactly() -> None:
    actuals = read("values.csv")
    assert codes(actuals) == []
    got = [r.cells[0].total if r.cells[0] else None for r in actuals.cube.rows]
    assert got == [
        D("1234.50"),
        D("2000"),
        D("1"),
        D("3.25"),
        D("4"),
        D("0.045"),
        D("123"),
        D("-1234.50"),
        D("42"),
        D("-7"),
        D("-1000"),
        D("1234.5"),
        D("1000"),
    ]
    assert all(isinstance(v, Decimal) for v in got)


def test_missing_tokens_are_missing_not_zero_and_not_applied_to_dimensions() -> None:
    actuals = read("missing.csv")
    assert codes(actuals) == []
    by_day = {r.day.day: r for r in actuals.cube.rows}
    assert [by_day[d].dims for d in range(1, 8)] == [
        ("NA",),
        ("N/A",),
        ("null",),
        ("-",),
        ("NA",),
        ("NA",),
        ("NA",),
    ]
    assert [by_day[d].cells[0] for d in range(1, 7)] == [None] * 6
    seventh = by_day[7].cells[0]
    assert seventh is not None
    assert (seventh.total, seventh.count) == (D(0), 1)


def test_bad_numbers_are_pa003_with_file_line_column_and_raw_value() -> None:
    actuals = read("bad_values.csv", columns=("spend",))
    found = [(where(d), d.message) for d in actuals.diagnostics]
    assert found == [
        (("bad_values.csv", 3, 3), 'column "spend": "nan" is not a number (not a finite number)'),
        (("bad_values.csv", 4, 3), 'column "spend": "inf" is not a number (not a finite number)'),
        (("bad_values.csv", 5, 3), 'column "spend": "1e400" is not a number (out of range)'),
        (("bad_values.csv", 6, 3), 'column "spend": "12,3a" is not a number'),
        (("bad_values.csv", 7, 3), 'column "spend": "12,3" is not a number'),
        (("bad_values.csv", 8, 3), 'column "spend": "1.234,5" is not a number'),
    ]
    assert {d.code for d in actuals.diagnostics} == {"PA003"}
    assert not actuals.ok
    assert actuals.cube.rows == ()


def test_line_numbers_count_quoted_newlines_and_blank_lines() -> None:
    actuals = read("embedded_newline.csv")
    problem = only(actuals, "PA003")
    assert where(problem) == ("embedded_newline.csv", 6, 4)
    assert problem.message == 'column "gmv": "oops" is not a number'


# --- several files, diagnostics about content ----------------------------------------


def test_files_with_different_columns_are_combined_by_name() -> None:
    actuals = read("part_a.csv", "part_b.csv", columns=("gmv", "spend", "uv", "orders"))
    cube = actuals.cube
    assert cube.columns == ("gmv", "spend", "uv", "orders")
    assert sums(cube, "gmv") == {
        (dt.date(2025, 1, 5), ("douyin",)): D(10),
        (dt.date(2025, 1, 6), ("douyin",)): D(20),
    }
    assert sums(cube, "spend") == {
        (dt.date(2025, 1, 5), ("douyin",)): D(5),
        (dt.date(2025, 1, 6), ("kuaishou",)): D(7),
    }
    missing = only(actuals, "PA002")
    assert missing.message == 'column "orders" is in no actuals file; what reads it has no data'
    assert missing.severity == "warning"
    assert actuals.ok
    assert [f.path for f in actuals.files] == [str(CASES / "part_a.csv"), str(CASES / "part_b.csv")]


def test_pa002_once_per_column_over_several_files() -> None:
    actuals = read("part_a.csv", "part_b.csv", columns=("gmv", "nps", "nps"))
    # Once for the column "nps"; part_b.csv holds neither gmv nor nps, which is said of it.
    assert codes(actuals) == ["PA002", "PA002"]
    column, file = sorted(actuals.diagnostics, key=lambda d: d.file or "")
    assert (column.file, column.message) == (
        None,
        'column "nps" is in no actuals file; what reads it has no data',
    )
    assert file.file is not None
    assert file.file.endswith("part_b.csv")


def test_pa002_names_the_column_a_header_is_probably_a_slip_of(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("date,channel,gmv\n2025-01-05,douyin,10\n")
    (tmp_path / "b.csv").write_text(
        "date,channel,gmv,New_Customers_Orders,clicks\n2025-01-06,douyin,20,3,9\n"
    )
    wanted = ("gmv", "new_customer_orders", "uv")
    both = read_actuals([tmp_path / "a.csv", tmp_path / "b.csv"], spec(columns=wanted))
    hints = {d.message.split('"')[1]: d.hint for d in both.diagnostics if d.code == "PA002"}
    # The header as the file spells it, and the file that has it; "gmv", which a
    # metric reads, is never offered.
    assert hints == {
        "new_customer_orders": (
            f'did you mean "New_Customers_Orders" (a column of {tmp_path / "b.csv"})?'
        ),
        # Close to nothing: the columns the files have that no metric reads (a column
        # renamed, 访客数 for uv, is among them).
        "uv": "the files' columns no metric reads: " + '"New_Customers_Orders", "clicks"',
    }
    one = read_actuals([tmp_path / "b.csv"], spec(columns=wanted))
    hints = {d.message.split('"')[1]: d.hint for d in one.diagnostics if d.code == "PA002"}
    columns = 'the columns are: "date", "channel", "gmv", "New_Customers_Orders", "clicks"'
    assert hints == {
        "new_customer_orders": f'did you mean "New_Customers_Orders"? {columns}',
        "uv": columns,
    }


def test_ids_a_spreadsheet_rounded_are_pa018_once_per_column(tmp_path: Path) -> None:
    skus = spec(
        dimensions=(("channel", "channel"), ("sku", "sku_id")),
        grain="rows",
        keep_from=dt.date(2025, 1, 1),
    )
    (tmp_path / "a.csv").write_text(
        "date,channel,sku_id,gmv\n"
        "2025-01-05,douyin,00123,1\n"  # as written: text, not a number
        "2025-01-05,douyin,123456789012345678901,2\n"  # a long id kept whole
        "2025-01-05,douyin,1E+3,4\n"  # short: no spreadsheet writes 1000 so
        "2025-01-06,douyin,1.23458E+18,8\n"
        "2024-01-01,douyin,9.9E+18,16\n"  # outside the period: not read
        "2025-01-06,douyin, 1.23457E+18 ,32\n"
        "2025-01-07,douyin,1.23458E+18,64\n"
        "2025-01-07,tmall+,00123,128\n"  # a "+" alone is no rounded id
    )
    actuals = read_actuals([tmp_path / "a.csv"], skus)
    problem = only(actuals, "PA018")
    # The least such value (1.23457E+18 < 1.23458E+18), at its first record: line 7, column 3.
    assert where(problem) == ("a.csv", 7, 3)
    assert problem.message == (
        'column "sku_id": "1.23457E+18" (and 1 more such value) is a long id rounded as a '
        "number; ids that differed in the lost digits are counted as one"
    )
    by_sku: dict[str | None, Decimal] = {}
    for (_, dims), total in sums(actuals.cube).items():
        by_sku[dims[1]] = by_sku.get(dims[1], D(0)) + total
    assert by_sku == {
        "00123": 1 + 128,
        "123456789012345678901": 2,
        "1E+3": 4,
        "1.23458E+18": 8 + 64,
        "1.23457E+18": 32,
    }


def test_pa018_over_files_and_from_a_float_column(tmp_path: Path) -> None:
    skus = spec(dimensions=(("channel", "channel"), ("sku", "sku_id")))
    header = "date,channel,sku_id,gmv\n"
    (tmp_path / "b1.csv").write_text(header + "2025-01-05,douyin,00123,1\n")
    (tmp_path / "b2.csv").write_text(
        header + "2025-01-06,douyin,00123,1\n2025-01-06,douyin,2.5E+11,1\n"
    )
    (tmp_path / "b3.csv").write_text(header + "2025-01-07,douyin,1.1E+11,1\n")
    files = [tmp_path / n for n in ("b1.csv", "b2.csv", "b3.csv")]
    problem = only(read_actuals(files, skus), "PA018")
    # Once, in the first file that has one, at its least value's record; b3.csv's
    # smaller 1.1E+11 is counted as a file, not searched for.
    assert where(problem) == ("b2.csv", 3, 3)
    assert problem.message.startswith('column "sku_id": "2.5E+11" is a long id')
    assert problem.message.endswith("counted as one (1 other file too)")
    # A float column prints a long id in the same notation.
    import duckdb  # noqa: PLC0415

    duckdb.execute(
        "COPY (SELECT DATE '2025-01-05' AS date, 'douyin' AS channel, "
        "CAST(1234567890123456789 AS DOUBLE) AS sku_id, 3 AS gmv) TO $p (FORMAT parquet)",
        {"p": str(tmp_path / "f.parquet")},
    )
    problem = only(read_actuals([tmp_path / "f.parquet"], skus), "PA018")
    assert problem.message.startswith('column "sku_id": "1.2345678901234568e+18" is a long id')


def test_repeats_in_a_daily_file_are_one_pa010_at_the_second_occurrence() -> None:
    actuals = read("duplicate_daily.csv")
    problem = only(actuals, "PA010")
    assert where(problem) == ("duplicate_daily.csv", 5, None)
    assert problem.message == (
        'repeated: 2025-01-05, channel "douyin" (first at line 2); '
        "2 date and dimension values repeat, 2 extra rows in all"
    )
    assert actuals.ok  # a warning
    assert sums(actuals.cube)[(dt.date(2025, 1, 5), ("douyin",))] == D(5)


def test_rows_grain_has_no_pa010() -> None:
    actuals = read("duplicate_daily.csv", grain="rows")
    assert codes(actuals) == []
    cell = actuals.cube.rows[0].cells[0]
    assert cell is not None
    assert (cell.total, cell.count, cell.minimum, cell.maximum) == (D(5), 2, D(1), D(4))


def test_unknown_channels_are_pa011_once_per_value() -> None:
    actuals = read(
        "part_a.csv",
        "part_b.csv",
        "duplicate_daily.csv",
        # spend too: a file with none of the columns read (part_b has no gmv) is not counted
        columns=("gmv", "spend"),
        grain="rows",
        channel_dimension="channel",
        known_channels=frozenset({"douyin"}),
    )
    unknown = [d for d in actuals.diagnostics if d.code == "PA011"]
    assert [(Path(d.file or "").name, d.message) for d in unknown] == [
        (
            "part_b.csv",
            'channel "kuaishou" is not in the plan\'s channels; its spend counts as unmapped',
        )
    ]
    assert unknown[0].severity == "warning"
    assert where(unknown[0]) == ("part_b.csv", 3, 3)  # channel is part_b's third column


def test_pa011_is_at_the_first_kept_record_of_each_value(tmp_path: Path) -> None:
    file = tmp_path / "x.csv"
    file.write_bytes(
        b"date,note,channel,gmv\n"
        b"2024-12-31,,bilibili,1\n"  # line 2: outside the kept span
        b'2025-01-05,"two\nlines",douyin,1\n'  # lines 3-4
        b"\n"  # line 5: blank
        b"2025-01-06,, bilibili ,2\n"
        b"2025-01-07,,kuaishou,3\n"
        b"2025-01-08,,bilibili,4\n"
    )
    actuals = read_actuals(
        [file],
        spec(
            keep_from=dt.date(2025, 1, 1),
            channel_dimension="channel",
            known_channels=frozenset({"douyin"}),
        ),
    )
    unknown = [d for d in actuals.diagnostics if d.code == "PA011"]
    assert [(*where(d), d.message.split('"')[1]) for d in unknown] == [
        ("x.csv", 6, 3, "bilibili"),
        ("x.csv", 7, 3, "kuaishou"),
    ]


def test_a_file_with_errors_gets_no_pa011(tmp_path: Path) -> None:
    bad, good = tmp_path / "bad.csv", tmp_path / "good.csv"
    bad.write_bytes(b"date,channel,gmv\n2025-01-05,kuaishou,1\n2025-01-06,douyin,x\n")
    good.write_bytes(b"date,channel,gmv\n2025-01-05,douyin,1\n2025-01-06,kuaishou,2\n")
    only_bad = read_actuals(
        [bad], spec(channel_dimension="channel", known_channels=frozenset({"douyin"}))
    )
    assert codes(only_bad) == ["PA003"]
    both = read_actuals(
        [bad, good], spec(channel_dimension="channel", known_channels=frozenset({"douyin"}))
    )
    assert codes(both) == ["PA003", "PA011"]
    assert where(only(both, "PA011")) == ("good.csv", 3, 2)


def test_rows_outside_the_kept_span_are_ignored_with_one_pa012() -> None:
    actuals = read("outside.csv", keep_from=dt.date(2024, 1, 1), keep_to=dt.date(2025, 12, 31))
    problem = only(actuals, "PA012")
    assert problem.severity == "info"
    assert problem.message == "3 rows dated outside 2024-01-01 to 2025-12-31 ignored"
    assert sorted(sums(actuals.cube).values()) == [D(2), D(3)]
    summary = actuals.files[0]
    assert (summary.first_date, summary.last_date, summary.rows) == (
        dt.date(2024, 1, 1),
        dt.date(2025, 12, 31),
        5,
    )


def test_extrema_only_for_the_columns_asked() -> None:
    actuals = read("part_b.csv", columns=("spend", "uv"), extrema=frozenset({"uv"}), dimensions=())
    spend, uv = actuals.cube.rows[0].cells
    assert spend is not None
    assert uv is not None
    assert (spend.minimum, spend.maximum) == (None, None)
    assert (uv.minimum, uv.maximum) == (D(100), D(100))


def test_the_same_file_twice_is_read_once() -> None:
    actuals = read_actuals([CASES / "part_a.csv", str(CASES / "part_a.csv")], spec())
    assert len(actuals.files) == 1
    assert sum(sums(actuals.cube).values()) == D(30)


def test_a_file_that_does_not_exist_is_a_usage_problem(tmp_path: Path) -> None:
    with pytest.raises(UsageProblem, match="does not exist"):
        read_actuals([tmp_path / "nope.csv"], spec())


# --- safety ------------------------------------------------------------------------


def test_sql_in_values_and_headers_is_data() -> None:
    """A channel named like SQL and headers with quotes are read as text, nothing else."""
    header_quote = 'say "hi"'
    header_sql = 'x"); DROP TABLE g0; --'
    actuals = read(
        "injection.csv",
        "part_a.csv",
        columns=(header_quote, header_sql, "gmv"),
    )
    assert codes(actuals) == []
    cube = actuals.cube
    assert cube.columns == (header_quote, header_sql, "gmv")
    day = dt.date(2025, 1, 5)
    assert sums(cube, header_quote) == {
        (day, ("'); DROP TABLE x; --",)): D(1),
        (day, ("douyin",)): D(3),
    }
    assert sums(cube, header_sql)[(day, ("'); DROP TABLE x; --",))] == D(2)
    assert sums(cube, "gmv")[(day, ("douyin",))] == D(10)  # part_a.csv, read after injection.csv


def test_importing_the_package_does_not_import_duckdb() -> None:
    code = (
        "import sys, promoplan.actuals, promoplan.actuals.model; "
        "print('duckdb' in sys.modules or '_duckdb' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def _allocator_setting(environ: dict[str, str]) -> str:
    """DUCKDB_JE_MALLOC_CONF as a fresh process has it once promoplan's engine is loaded."""
    code = (
        "import os; from promoplan.actuals.duckengine import duckdb; "
        "duckdb.connect().execute('SELECT 1').fetchall(); "
        "print(os.environ.get('DUCKDB_JE_MALLOC_CONF'))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=environ
    )
    return done.stdout.strip()


def test_the_engine_loads_with_large_allocations_in_their_own_arena() -> None:
    # From 16 MiB up: DuckDB's CSV reader reads in 32,000,000-byte buffers, which jemalloc's
    # dedicated arena gives back when freed; the buffer manager's 256 KiB blocks stay as they were.
    environ = {k: v for k, v in os.environ.items() if k != "DUCKDB_JE_MALLOC_CONF"}
    assert _allocator_setting(environ) == f"oversize_threshold:{16 * 2**20}"


def test_an_allocator_setting_of_the_user_is_kept() -> None:
    environ = {**os.environ, "DUCKDB_JE_MALLOC_CONF": "narenas:1"}
    assert _allocator_setting(environ) == "narenas:1"


def test_progress_reports_bytes_up_to_the_total() -> None:
    calls: list[tuple[int, int]] = []
    files = [CASES / "part_a.csv", CASES / "part_b.csv"]
    read_actuals(files, spec(), progress=lambda done, total: calls.append((done, total)))
    total = sum(f.stat().st_size for f in files)
    assert calls[0] == (0, total)
    assert calls[-1] == (total, total)
    assert all(a[0] <= b[0] for a, b in itertools.pairwise(calls))


def test_text_after_a_closing_quote_is_said_to_be_possible(tmp_path: Path) -> None:
    """DuckDB reports "douyin"x as an unterminated quote: the message names both causes."""
    path = tmp_path / "a.csv"
    path.write_text('date,channel,gmv\n2025-01-01,"douyin"x,1\n', encoding="utf-8")
    problem = only(read_actuals([path], spec()), "PA006")
    assert problem.line == 2
    assert problem.message.endswith("or has text after its closing quote")
