"""Which days a ``baseline: partial`` growth goal compares (promoplan.coverage.like_for_like)."""

from __future__ import annotations

import datetime as dt

from promoplan.coverage import like_for_like, missing_spans

D = dt.date
HALF = (D(2025, 1, 1), D(2025, 6, 29))
HALF_BEFORE = (D(2024, 1, 1), D(2024, 6, 29))


def test_an_export_starting_inside_the_baseline_compares_from_its_first_day() -> None:
    covered = (D(2024, 6, 1), D(2025, 6, 29))
    assert missing_spans(covered, *HALF_BEFORE) == ((D(2024, 1, 1), D(2024, 5, 31)),)
    assert like_for_like(HALF, HALF_BEFORE, covered, "daily") == (
        (D(2025, 6, 1), D(2025, 6, 29)),
        (D(2024, 6, 1), D(2024, 6, 29)),
    )


def test_an_export_starting_on_leap_day_compares_from_the_first_of_march() -> None:
    # 2025-02-28 is compared with 2024-02-28, which the export lacks: March on.
    found = like_for_like(HALF, HALF_BEFORE, (D(2024, 2, 29), D(2025, 6, 29)), "daily")
    assert found == ((D(2025, 3, 1), D(2025, 6, 29)), (D(2024, 2, 29), D(2024, 6, 29)))


def test_an_export_ending_inside_the_baseline_compares_up_to_its_last_day() -> None:
    # Last year's export ends on leap day: this year's days up to 02-28 compare with it.
    found = like_for_like(HALF, HALF_BEFORE, (D(2023, 1, 1), D(2024, 2, 29)), "daily")
    assert found == ((D(2025, 1, 1), D(2025, 2, 28)), (D(2024, 1, 1), D(2024, 2, 29)))


def test_no_covered_day_compares_nothing() -> None:
    assert like_for_like(HALF, HALF_BEFORE, (D(2024, 7, 1), D(2025, 6, 29)), "daily") is None
    assert like_for_like(HALF, HALF_BEFORE, None, "daily") is None


def test_weekly_rows_compare_52_weeks_apart_and_the_last_row_counts_whole() -> None:
    # Weeks dated by Monday; the measured weeks 2025-01-06..06-29, 364 days back.
    measured = (D(2025, 1, 6), D(2025, 6, 29))
    baseline = (D(2024, 1, 8), D(2024, 6, 30))
    # The export starts with the week of 2024-03-04 and its last row is 2025-06-23.
    found = like_for_like(measured, baseline, (D(2024, 3, 4), D(2025, 6, 23)), "weekly")
    assert found == ((D(2025, 3, 3), D(2025, 6, 29)), (D(2024, 3, 4), D(2024, 6, 30)))
    # Last year's export ends with the row of 2024-03-25: that week's days are in.
    found = like_for_like(measured, baseline, (D(2023, 1, 2), D(2024, 3, 25)), "weekly")
    assert found == ((D(2025, 1, 6), D(2025, 3, 30)), (D(2024, 1, 8), D(2024, 3, 31)))
