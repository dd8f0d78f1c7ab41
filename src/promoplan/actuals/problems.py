"""The wording of actuals problems: one function per kind of diagnostic the reader says.

Sources and the engine find what is wrong; this module says it, the same way
whatever the file's format, so that a bad cell reads alike in a CSV, an Excel
sheet or a Parquet file.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from promoplan.actuals import cellsql
from promoplan.actuals.model import ActualsSpec
from promoplan.actuals.names import header_key
from promoplan.diagnostics import Diagnostic, diagnostic
from promoplan.errors import UsageProblem

if TYPE_CHECKING:
    from promoplan.actuals.needs import Needed

_LINE = re.compile(r"CSV Error on Line: (\d+)")
_COLUMNS = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")
_AMBIGUOUS = re.compile(r"^\s*\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}(\s.*)?$")


def is_unicode_error(exc: Exception) -> bool:
    """DuckDB's error for bytes that are not UTF-8."""
    return "Invalid unicode" in str(exc)


def is_line_end_error(exc: Exception) -> bool:
    """DuckDB's error for a file whose line ends change (LF, then CRLF or CR)."""
    return "state machine reached an invalid state" in str(exc)


def csv_problem(
    exc: Exception,
    name: str,
    encoding: str,
    line_of: Callable[[int], int | None] | None = None,
) -> Diagnostic:
    """A DuckDB read error as PA006 (malformed CSV) or PA001 (cannot be decoded), with its line.

    ``line_of`` maps DuckDB's line (a row count) to the file's line where they can differ.
    """
    text = str(exc)
    match = _LINE.search(text)
    line = int(match.group(1)) if match else None
    if line is not None and line_of is not None:
        line = line_of(line)
    if is_unicode_error(exc):
        return diagnostic(
            "PA001",
            f"the file is not valid {encoding.upper().replace('-SIG', '')}",
            file=name,
            line=line,
            hint="re-save it as UTF-8, or pass --encoding to name its encoding",
        )
    columns = _COLUMNS.search(text)
    hint: str | None = None
    if columns:
        expected, found = int(columns.group(1)), int(columns.group(2))
        message = f"this row has {found} fields, the header has {expected}"
        hint = (
            "quote fields that contain the delimiter; every row needs as many fields as the header"
        )
    elif "unterminated quote" in text:
        # DuckDB says the same of "douyin"x: text after a closing quote.
        message = (
            "a quoted field starting on this line is never closed, or has text after its "
            "closing quote"
        )
        hint = (
            'close the quote, keep a field\'s text inside its quotes ("douyin x"), or double '
            "a quote character inside a quoted field"
        )
    elif "Maximum line size" in text:
        message = "a line is too long (over the engine's maximum line size)"
    else:
        first = text.splitlines()[0] if text else type(exc).__name__
        message = "the file cannot be read as CSV: " + first.split("Error: ", 1)[-1]
    return diagnostic("PA006", message, file=name, line=line, hint=hint)


def number_problem(name: str, line: int | None, col: int, measure: str, raw: str) -> Diagnostic:
    """PA003 for one cell, saying why when the reason is not obvious."""
    why = ""
    try:
        value: Decimal | None = Decimal(raw.strip())
    except InvalidOperation:
        value = None
    if value is not None and not value.is_finite():
        why = " (not a finite number)"
    elif value is not None and abs(value) >= cellsql.NUMBER_LIMIT:
        why = " (out of range)"
    return diagnostic(
        "PA003",
        f'column "{measure}": "{raw}" is not a number{why}',
        file=name,
        line=line,
        column=col,
        hint="numbers may have thousands separators, a currency sign, % or (parentheses) "
        "for negatives; "
        'leave a cell empty, or write "-" or "N/A", when there is no value',
    )


def date_problem(
    name: str,
    line: int | None,
    col: int,
    raw: str | None,
    *,
    date_column: str,
    date_format: str | None,
    week_start: str | None = None,
) -> Diagnostic:
    """PA004 for one date cell: empty, ambiguous (day or month first), not a date, or (weekly
    rows, ``week_start`` given) a date on another weekday than the week's first."""
    text = raw or ""
    day = _iso_date(text) if week_start is not None else None
    if day is not None and week_start is not None:
        other = "sunday" if week_start == "monday" else "monday"
        message = (
            f'column "{date_column}": {text.strip()} is a {day.strftime("%A")}, '
            f"not the first day of a week ({week_start.capitalize()})"
        )
        hint = (
            "weekly rows are dated by the first day of their week; set actuals.week_start: "
            f"{other} if the weeks start on {other.capitalize()}s"
        )
        return diagnostic("PA004", message, file=name, line=line, column=col, hint=hint)
    if not text.strip():
        message = f'column "{date_column}" is empty in a row that has values'
        hint = "give every row a date, or delete the row"
    elif date_format is not None:
        message = f'column "{date_column}": "{text}" does not match the date format "{date_format}"'
        hint = "fix the value, or actuals.date_format in the plan"
    elif _AMBIGUOUS.match(text):
        message = f'column "{date_column}": "{text}" is ambiguous: day or month first?'
        hint = 'write dates year first (2025-01-05), or set actuals.date_format (e.g. "%d/%m/%Y")'
    else:
        message = f'column "{date_column}": "{text}" is not a date'
        hint = "write dates year first: 2025-01-05, 2025/1/5, 20250105 or 2025.01.05"
    return diagnostic("PA004", message, file=name, line=line, column=col, hint=hint)


def _iso_date(text: str) -> dt.date | None:
    """The date of a year-first cell (a time of day allowed), for the weekday message."""
    try:
        return dt.date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None


def no_date_column(name: str, date: str, header: tuple[str, ...]) -> Diagnostic:
    """PA001: the file has no column of the date header the plan names."""
    return diagnostic(
        "PA001",
        f'no date column "{date}" (the columns are: {listing(header)})',
        file=name,
        line=1,
        hint="set actuals.date in the plan to the date column's header",
    )


def no_needed_column(name: str, needed: Needed, header: tuple[str, ...]) -> Diagnostic:
    """PA002: the file holds none of the measure columns the plan reads; it is left out."""
    wanted = [h for h in needed.headers if h != needed.date and h not in needed.dimensions]
    return diagnostic(
        "PA002",
        f"the file has none of the columns the plan reads ({listing(wanted)}); "
        "it is not counted and its dates do not set as-of",
        file=name,
        line=1,
        hint=f"the columns are: {listing(header)}",
    )


def count(n: int, noun: str) -> str:
    """``1 row``, ``2 rows``, ``1,000 rows``."""
    if n == 1:
        return f"1 {noun}"
    plural = noun if noun.endswith("values") else noun + "s"
    return f"{n:,} {plural}"


def span(spec: ActualsSpec) -> str:
    """The dates kept, in words."""
    if spec.keep_from and spec.keep_to:
        return f"{spec.keep_from.isoformat()} to {spec.keep_to.isoformat()}"
    if spec.keep_from:
        return f"from {spec.keep_from.isoformat()} on"
    return f"up to {spec.keep_to.isoformat()}" if spec.keep_to else "the period"


def listing(names: Sequence[str], limit: int = 12) -> str:
    """Quoted names, the first ``limit`` of them, then how many more."""
    shown = [f'"{n}"' for n in names[:limit]]
    return ", ".join(shown) + (f" and {len(names) - limit} more" if len(names) > limit else "")


def missing_columns(
    headers: Sequence[tuple[str, ...]], names: Sequence[str], wanted: Sequence[str]
) -> list[Diagnostic]:
    """PA002 once per wanted column that no readable file has.

    ``headers`` are the readable files' headers and ``names`` their names, aligned.
    """
    if not headers:
        return []
    have = {header_key(column) for header in headers for column in header}
    wanted_keys = {header_key(column) for column in wanted}
    unread: dict[str, str] = {}  # a column no metric reads -> the first file with it
    for header, name in zip(headers, names, strict=True):
        for column in header:
            if header_key(column) not in wanted_keys:
                unread.setdefault(column, name)
    out = []
    for column in dict.fromkeys(wanted):
        if header_key(column) not in have:
            close = closest_column(column, list(unread))
            hint = []
            if close is not None:
                where = f" (a column of {unread[close]})" if len(headers) > 1 else ""
                hint.append(f'did you mean "{close}"{where}?')
            if len(headers) == 1:
                hint.append(f"the columns are: {listing(headers[0])}")
            elif close is None and unread:  # a column renamed (花费 for spend), say
                hint.append(f"the files' columns no metric reads: {listing(list(unread))}")
            out.append(
                diagnostic(
                    "PA002",
                    f'column "{column}" is in no actuals file; what reads it has no data',
                    file=names[0] if len(names) == 1 else None,
                    hint=" ".join(hint) or None,
                )
            )
    return out


def closest_column(column: str, candidates: Sequence[str]) -> str | None:
    """The column among ``candidates`` whose name ``column`` is most likely a slip of
    (``new_customer_orders`` for ``new_customers_orders``), matched as headers are."""
    keys: dict[str, str] = {}
    for candidate in candidates:
        keys.setdefault(header_key(candidate), candidate)
    close = difflib.get_close_matches(header_key(column), list(keys), n=1, cutoff=0.75)
    return keys[close[0]] if close else None


def rounded_id(  # noqa: PLR0917  # where, then what
    file: str,
    line: int | None,
    column: int | None,
    header: str,
    value: str,
    values: int,
    other_files: int,
) -> Diagnostic:
    """PA018: a dimension's values look like long ids rounded as numbers (bad-inputs C15)."""
    others = f" (and {count(values - 1, 'more such value')})" if values > 1 else ""
    also = f" ({count(other_files, 'other file')} too)" if other_files else ""
    return diagnostic(
        "PA018",
        f'column "{header}": "{value}"{others} is a long id rounded as a number; '
        f"ids that differed in the lost digits are counted as one{also}",
        file=file,
        line=line,
        column=column,
        hint="a spreadsheet (or a float column) rounds long ids: export the column as text, "
        "or from the source system; in Excel, format the column as Text before the ids go in",
    )


def out_of_memory(limit: str) -> UsageProblem:
    """PA017, which stops the run (exit 2): the files did not fit DuckDB's memory cap
    even when read again on one thread."""
    return UsageProblem(
        f"error PA017 reading the actuals ran out of DuckDB's memory ({limit}), "
        "on one thread too; split the files by date, or read fewer dimensions "
        "or min/max metrics"
    )
