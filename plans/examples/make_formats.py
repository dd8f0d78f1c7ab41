"""Write the same small daily data as CSV, gzip CSV, an Excel workbook and Parquet.

    python plans/examples/make_formats.py

The CSV (formats/daily.csv) is the source; the others are made from it:
formats/daily.csv.gz (gzip), formats/daily.xlsx (a "Notes" sheet first, the data
on the second sheet "Daily", dates as date cells; needs openpyxl) and
formats/daily.parquet (typed: DATE, VARCHAR, DECIMAL, DOUBLE; written by DuckDB).
`check` gives the same output on each (tests/test_actuals_formats.py).
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent / "formats"
CHANNELS = ("search", "social", "video")


def write_csv(path: Path) -> list[list[str]]:
    """Ninety days of three channels: gmv and spend with cents."""
    rows = [["date", "channel", "gmv", "spend"]]
    start = dt.date(2025, 1, 1)
    for day in range(90):
        for k, channel in enumerate(CHANNELS):
            gmv = Decimal(1000 + (day * 37 + k * 211) % 900) + Decimal((day + k) % 100) / 100
            spend = Decimal(200 + (day * 13 + k * 71) % 300) + Decimal((day * 7 + k) % 4) / 4
            rows.append(
                [(start + dt.timedelta(days=day)).isoformat(), channel, str(gmv), str(spend)]
            )
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    return rows


def main() -> None:
    """Write the four files."""
    import duckdb  # noqa: PLC0415
    import openpyxl  # noqa: PLC0415  # only to make the example workbook

    HERE.mkdir(exist_ok=True)
    rows = write_csv(HERE / "daily.csv")
    with gzip.GzipFile(HERE / "daily.csv.gz", "wb", mtime=0) as handle:
        handle.write((HERE / "daily.csv").read_bytes())
    book = openpyxl.Workbook()
    notes = book.active
    notes.title = "Notes"
    notes.append(["The data is on the sheet Daily."])
    sheet = book.create_sheet("Daily")
    sheet.append(rows[0])
    for day, channel, gmv, spend in rows[1:]:
        sheet.append([dt.date.fromisoformat(day), channel, float(gmv), float(spend)])
    book.save(HERE / "daily.xlsx")
    duckdb.sql(
        f"COPY (SELECT CAST(date AS DATE) AS date, channel, CAST(gmv AS DECIMAL(12, 2)) AS gmv, "
        f"CAST(spend AS DOUBLE) AS spend FROM read_csv('{HERE / 'daily.csv'}', all_varchar = true)) "
        f"TO '{HERE / 'daily.parquet'}' (FORMAT parquet)"
    )


if __name__ == "__main__":
    main()
