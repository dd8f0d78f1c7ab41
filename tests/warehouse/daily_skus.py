"""Daily rows per channel and SKU, where the plan declares the SKU (so that its rows are
not repeats) but reads it nowhere: the database query groups by it in an inner query and
sums it away. Shared by the PostgreSQL and Spark tests, which compare with the CSV file."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

PLAN = """promoplan: 1
name: Unread daily
period: 2025
actuals: {date: date, dimensions: {channel: channel, sku: sku}}
metrics:
  gmv: {column: gmv, unit: currency}
  units: {column: units, agg: mean}
goals:
  gmv: {metric: gmv, at_least: 30000}
  gmv_a: {metric: gmv, at_least: 20000, where: {channel: a}}
  units: {metric: units, at_least: 1}
"""
SKUS = 60  # a row per day (5), channel (a, b) and sku: 600 rows, 10 (date, channel) pairs
# s7 twice more on Jan 2 (channel a); " s9 " is s9 once trimmed (Jan 4, channel b):
# 2 (date, channel, sku) values repeat, 3 rows beyond the first of each.
REPEATS = [(2, "a", "s7"), (2, "a", "s7"), (4, "b", " s9 ")]
REPEATED = "2 date and dimension values repeat, 3 extra rows in all"


def write(path: Path, repeats: list[tuple[int, str, str]]) -> Path:
    """Rows per (day, channel, sku) with gmv = 100 * day + sku number, units = sku % 4
    (an odd SKU written with a space before it, which the comparison trims); then
    ``repeats``: (day, channel, sku as written) rows once more, gmv 1, units 1."""
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["date", "channel", "sku", "gmv", "units"])
        for day in range(1, 6):
            for channel in "ab":
                for sku in range(SKUS):
                    written = f" s{sku}" if sku % 2 else f"s{sku}"
                    day_text = dt.date(2025, 1, day).isoformat()
                    writer.writerow([day_text, channel, written, 100 * day + sku, sku % 4])
        for day, channel, written in repeats:
            writer.writerow([dt.date(2025, 1, day).isoformat(), channel, written, 1, 1])
    return path
