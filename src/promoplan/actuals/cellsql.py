"""SQL expressions that clean one CSV cell as text: numbers, missing-value tokens, dates,
dimension values, and the quoting every SQL text of promoplan goes through.

Plan text never reaches SQL but through :func:`quote_ident` (identifiers); values
are bound parameters; :func:`sql_string` quotes only this module's own constants.
"""

from __future__ import annotations

# A cell is exact to 4 decimal places (a percentage to 0.01%), up to 10^14;
# sums are DECIMAL(38, 4). The 18-digit type keeps the scan fast (64-bit).
NUMBER_TYPE = "DECIMAL(18, 4)"
NUMBER_LIMIT = 10**14
SUM_TYPE = "DECIMAL(38, 4)"
MISSING_TOKENS = ("", "-", "n/a", "na", "null")  # compared lower-cased and trimmed
FIRST_ERRORS = 20

# Full-width digits and signs (as typed with a Chinese input method) -> ASCII:
# the part of NFKC that matters for numbers, done in SQL with translate().
_FULL_WIDTH = "０１２３４５６７８９．，－＋％（）　"
_ASCII = "0123456789.,-+%() "
SPACES = " \t\r\n\u00a0\u202f\u3000"

_CURRENCY = "[¥￥$€]"
_DIGITS = r"(?:\d{1,3}(?:[,\x{00A0}\x{202F} ]\d{3})+|\d+)(?:\.\d*)?|\.\d+"
# (1,234.50) | -¥1,234.50 | ¥-1,234.50 | 4.5% ; one sign at most, balanced parentheses.
NUMBER_PATTERN = (
    rf"\(\s*{_CURRENCY}?\s*(?:{_DIGITS})\s*%?\s*\)"
    rf"|(?:[+-]\s*{_CURRENCY}?|{_CURRENCY}?\s*[+-]?)\s*(?:{_DIGITS})\s*%?"
)
# 2025-01-05, 2025/1/5, 2025.01.05, 20250105, each with an optional time of day, which
# may carry a UTC offset or Z (2025-01-05T10:00:00+08:00): the date is taken as written.
# A time of day must be one (99:99:99 is a corrupt export, not noon): hours 0-23 or
# 24:00 (the day's end), minutes and seconds 0-59, an offset of at most 14 hours.
_TIME = (
    r"(?:(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:[.,]\d+)?)?|24:00(?::00(?:[.,]0+)?)?)"
    r"(?: ?(?:[Zz]|[+-](?:0\d|1[0-4])(?::?[0-5]\d)?))?"
)
DATE_PATTERN = (
    rf"^(\d{{4}})(?:[-/.](\d{{1,2}})[-/.](\d{{1,2}})|(\d{{2}})(\d{{2}}))(?:[ T]{_TIME})?$"
)
_DATE_REWRITE = r"\1-\2\4-\3\5"


def quote_ident(name: str) -> str:
    """A SQL identifier, double-quoted with any ``"`` doubled."""
    return '"' + name.replace('"', '""') + '"'


def sql_string(text: str) -> str:
    """A SQL string literal for one of this module's constants, with any ``'`` doubled."""
    return "'" + text.replace("'", "''") + "'"


def clean_text(raw: str) -> str:
    """``raw`` with full-width digits and signs made ASCII and surrounding spaces trimmed."""
    ascii_text = f"translate({raw}, {sql_string(_FULL_WIDTH)}, {sql_string(_ASCII)})"
    return f"trim({ascii_text}, {sql_string(SPACES)})"


def number_expr(raw: str, number_type: str = NUMBER_TYPE) -> str:
    """The exact value of a raw cell, NULL when missing or not a number.

    Clean cells take the cheap cast; only the cells it rejects pay for
    cleaning (COALESCE evaluates its second argument only for those rows).
    Of those, the shape exports write most (``￥1,234.50``: a currency sign,
    comma groups) takes :func:`money_expr`, which gives what the full
    cleaning (:func:`dirty_number_expr`) gives for every cell it accepts at
    a fraction of its cost; every other cell takes the full cleaning.
    """
    fast = f"TRY_CAST({raw} AS {number_type})"
    guard, money = money_expr(raw, number_type)
    dirty = dirty_number_expr(raw, number_type)
    return f"COALESCE({fast}, CASE WHEN {guard} THEN {money} ELSE {dirty} END)"


# The common dirty shape: an optional currency sign, then digits in comma groups of
# three (or plain), then an optional fraction; nothing else (no sign, space, percent,
# parenthesis or full-width character). NUMBER_PATTERN accepts every such cell.
MONEY_PATTERN = r"[¥￥$€]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?"


def money_expr(raw: str, number_type: str = NUMBER_TYPE) -> tuple[str, str]:
    """(guard, value): the common dirty shape and its value, equal to the full cleaning's.

    For a cell matching MONEY_PATTERN the full cleaning changes nothing
    (no full-width character, no space to trim), finds no sign and no
    percent, and keeps the digits and the point: exactly what deleting
    every other character gives here, with one regex instead of five
    translations and the long pattern.
    """
    guard = f"regexp_full_match({raw}, {sql_string(MONEY_PATTERN)})"
    value = f"TRY_CAST(regexp_replace({raw}, '[^0-9.]', '', 'g') AS {number_type})"
    return guard, value


def dirty_number_expr(raw: str, number_type: str = NUMBER_TYPE) -> str:
    """The full cleaning of a cell the cheap cast rejected: full-width digits, spaces,
    currency signs, comma groups, accounting parentheses, percent; NULL when the
    cleaned text is not a number of NUMBER_PATTERN."""
    text = clean_text(raw)
    sign = f"CASE WHEN starts_with({text}, '(') OR contains({text}, '-') THEN '-' ELSE '' END"
    digits = f"regexp_replace({text}, '[^0-9.]', '', 'g')"
    percent = f"CASE WHEN contains({text}, '%') THEN 'e-2' ELSE '' END"
    return (
        f"CASE WHEN regexp_full_match({text}, {sql_string(NUMBER_PATTERN)}) "
        f"THEN TRY_CAST({sign} || {digits} || {percent} AS {number_type}) END"
    )


def missing_expr(raw: str) -> str:
    """True when a raw measure cell means "no value" (empty, ``-``, ``N/A``, ``NA``, ``null``)."""
    tokens = ", ".join(sql_string(t) for t in MISSING_TOKENS)
    return f"({raw} IS NULL OR lower({clean_text(raw)}) IN ({tokens}))"


# A month written without a day (2025-01, 2025/1, 2025.01), as monthly exports label rows.
MONTH_PATTERN = r"^(\d{4})[-/.](0?[1-9]|1[0-2])$"


def date_expr(raw: str, *, with_format: bool, months: bool = False) -> str:
    """The date of a raw cell; NULL when not a year-first date (or not matching $date_format).

    ``months`` (monthly rows): a year and month without a day is that month's first day.
    """
    if with_format:
        # strptime maps 'infinity' and 'epoch' to dates: a real date has a digit.
        # The format may leave out a time of day that the cells have.
        text = f"trim({raw}, {sql_string(SPACES)})"
        return (
            f"CASE WHEN regexp_matches({raw}, '[0-9]') THEN COALESCE("
            f"TRY_CAST(TRY_STRPTIME({text}, $date_format) AS DATE), "
            f"TRY_CAST(TRY_STRPTIME(regexp_replace({text}, '[ T].*$', ''), $date_format) AS DATE)"
            ") END"
        )
    fast = (
        f"CASE WHEN {raw} LIKE '____-__-__' THEN TRY_CAST({raw} AS DATE) "
        # The day written, as the 'T' spelling reads it: 24:00:00 ends that day, it does not
        # start the next (a cast to TIMESTAMP would move 2024-12-31 24:00 into 2025).
        f"WHEN {raw} LIKE '____-__-__ __:__:__' AND TRY_CAST({raw} AS TIMESTAMP) IS NOT NULL "
        f"THEN TRY_CAST(left({raw}, 10) AS DATE) END"
    )
    text = f"trim({raw}, {sql_string(SPACES)})"
    pattern = sql_string(DATE_PATTERN)
    slow = (
        f"CASE WHEN regexp_full_match({text}, {pattern}) "
        f"THEN TRY_CAST(regexp_replace({text}, {pattern}, {sql_string(_DATE_REWRITE)}) AS DATE) END"
    )
    if months:
        month = sql_string(MONTH_PATTERN)
        slow += (
            f", CASE WHEN regexp_full_match({text}, {month}) "
            f"THEN TRY_CAST(regexp_replace({text}, {month}, '\\1-\\2-01') AS DATE) END"
        )
    return f"COALESCE({fast}, {slow})"


_SPACE_CLASS = r"[\s\x{00A0}\x{202F}\x{3000}]"
_EDGE_SPACES = f"^{_SPACE_CLASS}+|{_SPACE_CLASS}+$"


def dimension_expr(raw: str) -> str:
    """A dimension value: the trimmed text in NFC, NULL when empty. Null tokens are values
    here (``NA``).

    A regex guard is several times faster than trim() with a character set. NFC
    makes ``café`` with a combining accent (NFD) the plan's ``café``; the group
    query applies this to the few distinct raw values, not to every record.
    """
    edges = sql_string(_EDGE_SPACES)
    trimmed = (
        f"CASE WHEN regexp_matches({raw}, {edges}) "
        f"THEN regexp_replace({raw}, {edges}, '', 'g') ELSE {raw} END"
    )
    # ASCII is NFC already: only values with other characters (bytes > characters) pay
    # for nfc_normalize, which costs several times a plain read per value.
    normal = (
        f"CASE WHEN strlen({raw}) = length({raw}) THEN {trimmed} ELSE nfc_normalize({trimmed}) END"
    )
    return f"NULLIF({normal}, '')"
