"""The built-in shopping-festival calendar."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from promoplan.festivals import LUNAR_NEW_YEAR, festival_date, festival_dates, find_festival

# The lunar new year, 2020-2035, as the almanac gives it.
ALMANAC = {
    2020: "2020-01-25", 2021: "2021-02-12", 2022: "2022-02-01", 2023: "2023-01-22",
    2024: "2024-02-10", 2025: "2025-01-29", 2026: "2026-02-17", 2027: "2027-02-06",
    2028: "2028-01-26", 2029: "2029-02-13", 2030: "2030-02-03", 2031: "2031-01-23",
    2032: "2032-02-11", 2033: "2033-01-31", 2034: "2034-02-19", 2035: "2035-02-08",
}  # fmt: skip


@pytest.mark.parametrize(("year", "day"), sorted(ALMANAC.items()))
def test_spring_festival_table(year: int, day: str) -> None:
    assert festival_date("春节", year) == ("Spring Festival", dt.date.fromisoformat(day))


def test_lunar_table_is_sane() -> None:
    assert set(range(2020, 2036)) <= set(LUNAR_NEW_YEAR)
    for year, day in LUNAR_NEW_YEAR.items():
        assert day.year == year
        assert dt.date(year, 1, 21) <= day <= dt.date(year, 2, 20)  # always in that window


def test_year_outside_the_table_gives_no_date() -> None:
    assert festival_date("春节", 1999) is None
    assert festival_date("618", 1999) == ("618", dt.date(1999, 6, 18))


@pytest.mark.parametrize(
    ("name", "festival", "month_day"),
    [
        ("618", "618", (6, 18)),
        ("618大促", "618", (6, 18)),
        ("618年中大促", "618", (6, 18)),
        ("6.18 trade-in", "618", (6, 18)),
        ("６１８", "618", (6, 18)),  # full-width digits
        ("年中618", "618", (6, 18)),
        ("618 presale", "618", (6, 18)),
        ("双11", "Double 11", (11, 11)),
        ("双11预售", "Double 11", (11, 11)),
        ("雙11", "Double 11", (11, 11)),
        ("双十一狂欢", "Double 11", (11, 11)),
        ("Double 11 presale", "Double 11", (11, 11)),
        ("double-11", "Double 11", (11, 11)),
        ("Double11", "Double 11", (11, 11)),
        ("Singles Day", "Double 11", (11, 11)),
        ("Singles’ Day", "Double 11", (11, 11)),
        ("双12", "Double 12", (12, 12)),
        ("雙12社区折扣", "Double 12", (12, 12)),
        ("Double 12", "Double 12", (12, 12)),
        ("38", "38", (3, 8)),
        ("38女王节", "38", (3, 8)),
        ("女王节", "38", (3, 8)),
        ("520", "520", (5, 20)),
        ("520告白日", "520", (5, 20)),
        ("99", "99", (9, 9)),
        ("99划算节", "99", (9, 9)),
        ("春节不打烊", "Spring Festival", None),
        ("春節", "Spring Festival", None),
        ("Spring Festival blind box", "Spring Festival", None),
        ("双11双12返场", "Double 11", (11, 11)),  # the first one written
        ("返场 双12 双11", "Double 12", (12, 12)),
    ],
)
def test_names_that_are_festivals(
    name: str, festival: str, month_day: tuple[int, int] | None
) -> None:
    found = festival_date(name, 2025)
    assert found is not None
    assert found[0] == festival
    if month_day is not None:
        assert (found[1].month, found[1].day) == month_day


@pytest.mark.parametrize(
    "name",
    [
        "2038周年庆",  # 2038 is not 38
        "6180",
        "1618",
        "6189大促",
        "5200",
        "1999",
        "W38",
        "v520",
        "38周年庆",  # an anniversary, not 女王节
        "第38届",
        "满99减10",  # spend 99, save 10
        "99元包邮",
        "¥520红包",
        "3.14",
        "双110",
        "Double 110",
        "年货节",
        "非遗文创节",
        "品牌周年庆",
        "绿色消费周",
        "",
    ],
)
def test_names_that_are_not_festivals(name: str) -> None:
    assert find_festival(name) is None
    assert festival_date(name, 2025) is None


def test_festival_dates_in_a_range() -> None:
    fiscal = (dt.date(2025, 4, 1), dt.date(2026, 3, 31))
    assert festival_dates("春节", *fiscal) == ("Spring Festival", (dt.date(2026, 2, 17),))
    assert festival_dates("618", *fiscal) == ("618", (dt.date(2025, 6, 18),))
    assert festival_dates("618", dt.date(2024, 1, 1), dt.date(2025, 12, 31)) == (
        "618",
        (dt.date(2024, 6, 18), dt.date(2025, 6, 18)),
    )
    assert festival_dates("618", dt.date(2025, 7, 1), dt.date(2025, 12, 31)) == ("618", ())
    assert festival_dates("年货节", *fiscal) is None


@given(st.text(max_size=40), st.integers(1900, 2100))
def test_any_name_gives_a_date_or_none(name: str, year: int) -> None:
    found = festival_date(name, year)
    assert found is None or found[1].year == year


@given(st.integers(0, 99999).filter(lambda n: str(n) not in {"38", "520", "618", "99"}))
def test_other_numbers_are_never_festivals(number: int) -> None:
    assert find_festival(f"{number}大促") is None
    assert find_festival(f"促销{number}") is None
