"""Date windows and pacing (SPEC section 5): periods, quarters, months, ISO weeks.

A :class:`~promoplan.result.Window` is a closed date range with a label. Windows
named after the calendar (``2025-Q2``, ``2025-06``, ``2025-W23``, ``2025``) keep
their full span, and ``as_of`` closes them when they are evaluated; the to-date
windows (``ytd``, ``qtd``, ``mtd``) end at ``as_of`` itself, as their name says.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from promoplan.errors import UsageProblem
from promoplan.model import Plan
from promoplan.modeltypes import add_months
from promoplan.planindex import plan_index
from promoplan.result import Window
from promoplan.vocabulary import ReportKind

ONE_DAY = dt.timedelta(days=1)
TO_DATE_LABELS = ("ytd", "qtd", "mtd")

PERIOD_HELP = (
    "use ytd, qtd, mtd, last-week, a plan quarter (Q2), a year (2025), "
    "a quarter (2025-Q2), a month (2025-06) or an ISO week (2025-W23)"
)

_YEAR_RE = re.compile(r"^(\d{4})$")
_QUARTER_RE = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)
_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")
_WEEK_RE = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)
_PLAN_QUARTER_RE = re.compile(r"^Q([1-4])$", re.IGNORECASE)


def days_in(start: dt.date, end: dt.date) -> int:
    """Days from ``start`` to ``end`` inclusive (0 when ``end`` is before ``start``)."""
    return max(0, (end - start).days + 1)


def year_earlier(day: dt.date) -> dt.date:
    """The same date one year earlier; February 29 becomes February 28."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def each_day(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    """Every day from ``start`` to ``end`` inclusive."""
    day = start
    while day <= end:
        yield day
        day += ONE_DAY


def clip(window: Window, bounds: Window) -> Window | None:
    """The part of ``window`` inside ``bounds`` (keeping its label), or None when they miss."""
    start, end = max(window.start, bounds.start), min(window.end, bounds.end)
    return Window(window.label, start, end) if start <= end else None


def year_earlier_window(window: Window) -> Window:
    """The same dates one year earlier (same label: it is the comparison for ``window``)."""
    return Window(window.label, year_earlier(window.start), year_earlier(window.end))


def previous_window(window: Window) -> Window:
    """The window of the same number of days that ends the day before ``window`` starts."""
    length = days_in(window.start, window.end)
    end = window.start - ONE_DAY
    return Window(f"before {window.label}", end - dt.timedelta(days=length - 1), end)


def iso_week(year: int, week: int) -> Window:
    """ISO week ``week`` of ISO year ``year``, Monday to Sunday (``2025-W01`` starts 2024-12-30)."""
    monday = dt.date.fromisocalendar(year, week, 1)
    return Window(f"{year}-W{week:02d}", monday, monday + dt.timedelta(days=6))


def week_of(day: dt.date) -> Window:
    """The ISO week containing ``day``."""
    year, week, _ = day.isocalendar()
    return iso_week(year, week)


def last_complete_week(as_of: dt.date) -> Window:
    """The last ISO week that ends on or before ``as_of`` (a week in progress is noise)."""
    week = week_of(as_of)
    return week if week.end <= as_of else week_of(as_of - dt.timedelta(days=7))


def month(year: int, number: int) -> Window:
    """A calendar month, labelled ``2025-06``."""
    start = dt.date(year, number, 1)
    return Window(f"{year}-{number:02d}", start, add_months(start, 1) - ONE_DAY)


def month_of(day: dt.date) -> Window:
    """The calendar month containing ``day``."""
    return month(day.year, day.month)


def last_complete_month(as_of: dt.date) -> Window:
    """The last calendar month that ends on or before ``as_of``."""
    current = month_of(as_of)
    return current if current.end <= as_of else month_of(current.start - ONE_DAY)


def calendar_quarter(year: int, number: int) -> Window:
    """A calendar quarter, labelled ``2025-Q2``."""
    start = dt.date(year, 3 * number - 2, 1)
    return Window(f"{year}-Q{number}", start, add_months(start, 3) - ONE_DAY)


def calendar_year(year: int) -> Window:
    """A calendar year, labelled ``2025``."""
    return Window(str(year), dt.date(year, 1, 1), dt.date(year, 12, 31))


def period_window(plan: Plan) -> Window:
    """The plan's whole period, labelled like ``--period`` would name it."""
    start, end = plan.span
    label = (
        str(plan.period)
        if isinstance(plan.period, int)
        else f"{start.isoformat()}..{end.isoformat()}"
    )
    return Window(label, start, end)


def quarter_label(plan: Plan, name: str) -> str:
    """``2025-Q2`` when the plan quarter is that calendar quarter, else the plan's name (``Q2``)."""
    return plan_index(plan).quarter(name).window.label


def plan_quarter(plan: Plan, name: str) -> Window:
    """Plan quarter ``Q1``..``Q4`` with its dates."""
    return plan_index(plan).quarter(name).window


def plan_quarter_name_of(plan: Plan, day: dt.date) -> str | None:
    """The name of the plan quarter containing ``day``, if any."""
    for ref in plan_index(plan).quarters:
        if ref.window.start <= day <= ref.window.end:
            return ref.name
    return None


def quarter_of(plan: Plan, day: dt.date) -> Window:
    """The plan quarter containing ``day``; the calendar quarter outside the plan."""
    name = plan_quarter_name_of(plan, day)
    if name is not None:
        return plan_quarter(plan, name)
    return calendar_quarter(day.year, (day.month + 2) // 3)


def last_complete_quarter(plan: Plan, as_of: dt.date) -> Window | None:
    """The last plan quarter that ends on or before ``as_of``, if any."""
    complete = [ref.window for ref in plan_index(plan).quarters if ref.window.end <= as_of]
    return max(complete, key=lambda w: w.end) if complete else None


def pacing_span(plan: Plan, window: Window) -> Window:
    """The full span a window is paced over: the period for ``ytd``, the quarter for ``qtd``,
    the month for ``mtd``, else the window itself."""
    if window.label == "ytd":
        start, end = plan.span
        return Window(window.label, start, end)
    if window.label == "qtd":
        quarter = quarter_of(plan, window.start)
        return Window(window.label, quarter.start, quarter.end)
    if window.label == "mtd":
        current = month_of(window.start)
        return Window(window.label, current.start, current.end)
    return window


def parse_period(text: str | None, plan: Plan, as_of: dt.date) -> Window:
    """The evaluation window named by ``--period`` (``ytd`` when not given).

    Raise :class:`UsageProblem` with the accepted spellings for anything else.
    """
    not_empty(text, "--period", "ytd, qtd, mtd, last-week, Q2, 2025, 2025-06 or 2025-W23")
    raw = (text or "ytd").strip()
    relative = _relative_window(raw.lower(), plan, as_of)
    period_start, period_end = plan.span
    if relative is not None:
        if as_of < period_start:
            raise UsageProblem(
                f"--as-of {as_of.isoformat()} is before the plan period "
                f"{period_start.isoformat()}..{period_end.isoformat()}: --period {raw} has no "
                "day in it yet; pass an --as-of within it"
            )
        if relative.end < max(relative.start, period_start) or relative.start > period_end:
            raise UsageProblem(
                f"--period {raw} as of {as_of.isoformat()} "
                f"({relative.start.isoformat()}..{relative.end.isoformat()}) lies outside the "
                f"plan period {period_start.isoformat()}..{period_end.isoformat()}; "
                "pass an --as-of within it"
            )
        return relative
    if match := _PLAN_QUARTER_RE.match(raw):
        return plan_quarter(plan, f"Q{match[1]}")
    window = _calendar_window(raw)
    if window.end < period_start or window.start > period_end:
        raise UsageProblem(
            f"--period {raw!r} ({window.start.isoformat()}..{window.end.isoformat()}) lies outside "
            f"the plan period {period_start.isoformat()}..{period_end.isoformat()}"
        )
    return window


_LAST_WEEK = ("last-week", "lastweek", "last_week")


def not_empty(value: str | None, option: str, accepted: str) -> None:
    """:class:`UsageProblem` for an option given as blank text: ``--month "$MONTH"`` with
    MONTH unset made a weekly report instead, without a word."""
    if value is not None and not value.strip():
        raise UsageProblem(f"{option} {value!r} is empty (an unset variable?); use {accepted}")


def window_to_read(text: str | None, plan: Plan, as_of: dt.date | None) -> Window:
    """The window ``--period`` names, as far as it is known before the actuals are read.

    Raise :class:`UsageProblem` as :func:`parse_period` does. Without ``--as-of``, a
    relative window (``ytd``, ``qtd``, ``mtd``, ``last-week``) is as of the actuals'
    latest day, not known yet: any of the period's (for last week, from the week before
    it, as of the period's first days).
    """
    raw = (text or "ytd").strip()
    key = raw.lower()
    if as_of is None and _relative_window(key, plan, plan.span[0]) is not None:
        start, end = plan.span
        if key in _LAST_WEEK:
            start -= dt.timedelta(days=6)
        return Window(raw, start, end)
    return parse_period(text, plan, as_of or plan.span[0])


def _relative_window(key: str, plan: Plan, as_of: dt.date) -> Window | None:
    """``ytd``, ``qtd``, ``mtd`` or ``last-week`` as of ``as_of``; None for another key."""
    period_start, period_end = plan.span
    if key == "ytd":
        return Window("ytd", period_start, min(as_of, period_end))
    if key == "qtd":
        quarter = quarter_of(plan, min(max(as_of, period_start), period_end))
        return Window("qtd", quarter.start, min(as_of, quarter.end))
    if key == "mtd":
        current = month_of(as_of)
        return Window("mtd", current.start, as_of)
    if key in _LAST_WEEK:
        return last_complete_week(as_of)
    return None


def check_year(year: int, option: str, raw: str) -> None:
    """:class:`UsageProblem` unless ``year`` lies in the years a plan may cover (1900-2999)."""
    from promoplan.modeltypes import FIRST_YEAR, LAST_YEAR  # noqa: PLC0415

    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise UsageProblem(
            f"{option} {raw!r} is outside the dates promoplan works with: "
            f"{FIRST_YEAR}-01-01 to {LAST_YEAR}-12-31"
        )


def _calendar_window(raw: str) -> Window:
    if match := re.match(r"^(\d{4})", raw):
        check_year(int(match[1]), "--period", raw)
    try:
        if match := _YEAR_RE.match(raw):
            return calendar_year(int(match[1]))
        if match := _QUARTER_RE.match(raw):
            return calendar_quarter(int(match[1]), int(match[2]))
        if match := _MONTH_RE.match(raw):
            return month(int(match[1]), int(match[2]))
        if match := _WEEK_RE.match(raw):
            return iso_week(int(match[1]), int(match[2]))
    except ValueError:
        raise UsageProblem(f"--period {raw!r} is not a window that exists; {PERIOD_HELP}") from None
    raise UsageProblem(f"unknown --period {raw!r}; {PERIOD_HELP}")


# -- report windows (``report --week/--month/--quarter``) ---------------------

_REPORT_SPELLINGS = {
    "week": "last, this, or an ISO week such as 2025-W23",
    "month": "last, this, or a month such as 2025-06",
    "quarter": "last, this, a quarter such as 2025-Q2, or a plan quarter such as Q2",
}


def choose_kind(
    week: str | None, month_: str | None, quarter: str | None
) -> tuple[ReportKind, str]:
    """Which report: ``--week`` (default ``last``), ``--month`` or ``--quarter``; one at most."""
    options: tuple[tuple[ReportKind, str | None], ...] = (
        ("week", week),
        ("month", month_),
        ("quarter", quarter),
    )
    for kind, value in options:
        spelled = "2025-W23" if kind == "week" else "2025-06" if kind == "month" else "2025-Q2"
        not_empty(value, f"--{kind}", f"last, this or {spelled}")
    given = [(kind, value) for kind, value in options if value]
    if len(given) > 1:
        names = " and ".join(f"--{k}" for k, _ in given)
        raise UsageProblem(f"{names} were both given; choose one of --week, --month or --quarter")
    if not given:
        return "week", "last"
    kind, value = given[0]
    assert value is not None  # kept above
    return kind, value.strip()


def report_window(kind: ReportKind, spec: str, plan: Plan, as_of: dt.date) -> Window:
    """The window a report covers, closed by ``as_of`` when it is still in progress."""
    key = spec.lower()
    try:
        if key == "last":
            window = _last(kind, plan, as_of)
        elif key == "this":
            window = _containing(kind, plan, as_of)
        else:
            window = _named(kind, spec, plan)
    except ValueError:
        raise UsageProblem(
            f"--{kind} {spec!r} is not a {kind} that exists; use {_REPORT_SPELLINGS[kind]}"
        ) from None
    if window.start > as_of:
        raise UsageProblem(
            f"--{kind} {spec}: {window.label} starts after as-of {as_of.isoformat()}; "
            f"pass an earlier {kind} or a later --as-of"
        )
    return Window(window.label, window.start, min(window.end, as_of))


def _last(kind: ReportKind, plan: Plan, as_of: dt.date) -> Window:
    if kind == "week":
        return last_complete_week(as_of)
    if kind == "month":
        return last_complete_month(as_of)
    current = quarter_of(plan, as_of)
    return current if current.end <= as_of else quarter_of(plan, current.start - ONE_DAY)


def _containing(kind: ReportKind, plan: Plan, as_of: dt.date) -> Window:
    if kind == "week":
        return week_of(as_of)
    if kind == "month":
        return month_of(as_of)
    return quarter_of(plan, as_of)


def _named(kind: ReportKind, spec: str, plan: Plan) -> Window:
    if year := re.match(r"^(\d{4})", spec):
        check_year(int(year[1]), f"--{kind}", spec)
    if kind == "week" and (match := _WEEK_RE.match(spec)):
        return iso_week(int(match[1]), int(match[2]))
    if kind == "month" and (match := _MONTH_RE.match(spec)):
        return month(int(match[1]), int(match[2]))
    if kind == "quarter" and (match := _QUARTER_RE.match(spec)):
        return calendar_quarter(int(match[1]), int(match[2]))
    if kind == "quarter" and (match := _PLAN_QUARTER_RE.match(spec)):
        return plan_quarter(plan, f"Q{match[1]}")
    raise UsageProblem(f"unknown --{kind} {spec!r}; use {_REPORT_SPELLINGS[kind]}")


def span_text(start: dt.date, end: dt.date) -> str:
    """``2025-01-01..01-31`` (the year once when both dates share it), else both in full."""
    if start.year == end.year:
        return f"{start.isoformat()}..{end.strftime('%m-%d')}"
    return f"{start.isoformat()}..{end.isoformat()}"


def _report_unit(kind: ReportKind, window: Window, plan: Plan) -> Window:
    """The whole week, month or quarter a report window belongs to (before as-of closed it)."""
    if kind == "week":
        return week_of(window.start)
    if kind == "month":
        return month_of(window.start)
    if _QUARTER_RE.match(window.label):
        return calendar_quarter(window.start.year, (window.start.month + 2) // 3)
    return quarter_of(plan, window.start)


def previous_report_window(kind: ReportKind, window: Window, plan: Plan) -> Window:
    """What a report window is compared with; the label states its exact dates.

    A complete window is compared with the whole previous unit of its kind (February
    with all of January, 2025-Q1 with all of 2024-Q4); a window still in progress with
    the same elapsed days of the previous unit (March 1-15 with February 1-15).
    """
    unit = _report_unit(kind, window, plan)
    before = unit.start - ONE_DAY
    if kind == "week":
        whole = week_of(before)
    elif kind == "month":
        whole = month_of(before)
    elif _QUARTER_RE.match(unit.label):
        whole = calendar_quarter(before.year, (before.month + 2) // 3)
    else:
        whole = quarter_of(plan, before)
    end = whole.end
    if window.end < unit.end:
        end = min(whole.end, whole.start + (window.end - window.start))
    return Window(f"{whole.label} ({span_text(whole.start, end)})", whole.start, end)
