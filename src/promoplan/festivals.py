"""The built-in calendar of Chinese shopping festivals (SPEC section 3).

An undated event whose name contains a known festival (``618大促``,
``双11预售``, ``Double 11 presale``) takes its date from here. Festival
numbers match only as whole tokens: ``618大促`` is 618 (a CJK character next
to the digits is a boundary), but ``2038周年庆`` is not 38 and ``6180`` is not
618. A number that is plainly an amount or a count (``满99减10``, ``38周年``,
``520元``) is not a festival either.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

# Lunar new year (正月初一), checked against two independent sources; a year
# outside the table gives no date rather than a guess.
LUNAR_NEW_YEAR: dict[int, dt.date] = {
    2010: dt.date(2010, 2, 14),
    2011: dt.date(2011, 2, 3),
    2012: dt.date(2012, 1, 23),
    2013: dt.date(2013, 2, 10),
    2014: dt.date(2014, 1, 31),
    2015: dt.date(2015, 2, 19),
    2016: dt.date(2016, 2, 8),
    2017: dt.date(2017, 1, 28),
    2018: dt.date(2018, 2, 16),
    2019: dt.date(2019, 2, 5),
    2020: dt.date(2020, 1, 25),
    2021: dt.date(2021, 2, 12),
    2022: dt.date(2022, 2, 1),
    2023: dt.date(2023, 1, 22),
    2024: dt.date(2024, 2, 10),
    2025: dt.date(2025, 1, 29),
    2026: dt.date(2026, 2, 17),
    2027: dt.date(2027, 2, 6),
    2028: dt.date(2028, 1, 26),
    2029: dt.date(2029, 2, 13),
    2030: dt.date(2030, 2, 3),
    2031: dt.date(2031, 1, 23),
    2032: dt.date(2032, 2, 11),
    2033: dt.date(2033, 1, 31),
    2034: dt.date(2034, 2, 19),
    2035: dt.date(2035, 2, 8),
    2036: dt.date(2036, 1, 28),
    2037: dt.date(2037, 2, 15),
    2038: dt.date(2038, 2, 4),
    2039: dt.date(2039, 1, 24),
    2040: dt.date(2040, 2, 12),
}

# A festival number stands alone: no digit, Latin letter or decimal point on
# either side, no currency sign, 满/减 ("spend X, save Y") or 第 ("the Xth")
# before it, and no unit after it that makes it an amount or an anniversary.
_BEFORE = r"(?<![0-9a-z.,¥$€£满滿减減第])"
_AFTER = r"(?![0-9a-z]|[.,][0-9]|\s*(?:元|块|塊|%|折|万|萬|亿|億|周年|週年|岁|歲))"


def _number(*spellings: str) -> str:
    return _BEFORE + "(?:" + "|".join(spellings) + ")" + _AFTER


@dataclass(frozen=True)
class Festival:
    """One shopping festival: its name and its day (fixed, or the lunar new year)."""

    name: str
    month: int | None  # None: the lunar new year, from LUNAR_NEW_YEAR
    day: int | None
    pattern: re.Pattern[str]

    def date_in(self, year: int) -> dt.date | None:
        """The festival's day in ``year``; None when the calendar does not cover that year."""
        if self.month is None or self.day is None:
            return LUNAR_NEW_YEAR.get(year)
        return dt.date(year, self.month, self.day)


FESTIVALS: tuple[Festival, ...] = (
    Festival(
        "Spring Festival",
        None,
        None,
        re.compile(
            r"春节|春節|新春|农历新年|農曆新年|spring\s*festival|(?:chinese|lunar)\s+new\s+year"
        ),
    ),
    Festival(
        "38",
        3,
        8,
        re.compile(
            _number("38", r"3\.8") + r"|三八节|三八節|女王节|女王節|女神节|女神節|妇女节|婦女節"
            r"|(?:women|queen)'?s\s+day"
        ),
    ),
    Festival("520", 5, 20, re.compile(_number("520"))),
    Festival("618", 6, 18, re.compile(_number("618", r"6\.18", "6·18"))),
    Festival("99", 9, 9, re.compile(_number("99"))),
    Festival(
        "Double 11",
        11,
        11,
        re.compile(
            r"[双雙](?:11|十一)(?![0-9])|光棍节|光棍節|"
            + _number(r"11\.11")
            + r"|double[\s_-]*(?:11(?![0-9])|eleven)|singles'?\s*day"
        ),
    ),
    Festival(
        "Double 12",
        12,
        12,
        re.compile(
            r"[双雙](?:12|十二)(?![0-9])|"
            + _number(r"12\.12")
            + r"|double[\s_-]*(?:12(?![0-9])|twelve)"
        ),
    ),
)


def _normalise(text: str) -> str:
    # NFKC folds full-width digits (６１８) and the full-width apostrophe; casefold the English.
    return unicodedata.normalize("NFKC", text).casefold().replace("’", "'")


def find_festival(event_name: str) -> Festival | None:
    """The festival an event's name refers to: the one written first, if any."""
    text = _normalise(event_name)
    best: tuple[int, int, Festival] | None = None
    for festival in FESTIVALS:
        match = festival.pattern.search(text)
        if match and (best is None or (match.start(), -len(match.group())) < best[:2]):
            best = (match.start(), -len(match.group()), festival)
    return best[2] if best else None


def festival_date(event_name: str, year: int) -> tuple[str, dt.date] | None:
    """The festival named in ``event_name`` and its day in ``year``, or None."""
    festival = find_festival(event_name)
    if festival is None:
        return None
    day = festival.date_in(year)
    return None if day is None else (festival.name, day)


def festival_dates(
    event_name: str, start: dt.date, end: dt.date
) -> tuple[str, tuple[dt.date, ...]] | None:
    """The festival named in ``event_name`` and its days between ``start`` and ``end`` (inclusive).

    None when the name is no festival; an empty tuple when the calendar has no
    day for it in that range (a lunar year outside the table, or a short range).
    """
    festival = find_festival(event_name)
    if festival is None:
        return None
    days = (festival.date_in(year) for year in range(start.year, end.year + 1))
    return festival.name, tuple(day for day in days if day is not None and start <= day <= end)
