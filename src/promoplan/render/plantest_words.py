"""Test outcomes in words, shared by the ``promoplan test`` renderers.

:func:`failure_lines` lays out why a test failed: the alerts expected and
actual side by side, what is missing and what is unexpected, and the goal and
budget values that differ. The table prints these lines, ``junit`` puts them in
the failure's body and ``github`` in the annotation; each escapes them its own way.
"""

from __future__ import annotations

from promoplan.diagnostics import Diagnostic
from promoplan.plantest.result import AlertCheck, CaseResult, FieldValue, Quiet, ValueCheck
from promoplan.render.findings import diagnostic_location
from promoplan.render.text import (
    describe_alert,
    display_width,
    format_change,
    format_group,
    format_location,
    format_value,
    one_line,
)
from promoplan.result import AlertResult

_KIND_WORDS = {
    "matched": "ok",
    "missing": "missing",
    "unexpected": "unexpected",
    "also_firing": "also firing",
}


def _number(value: float | None, unit: str, currency: str, *, growth: bool = False) -> str:
    if value is None:
        return "-"
    if growth:
        return format_change(value)
    return format_value(value, unit, currency=currency)


def _exact(value: float) -> str:
    """All of a number's digits, for when its formatted form hides the difference."""
    return f"{value:.15g}"


def expected_text(
    fields: tuple[tuple[str, FieldValue], ...], *, unit: str = "number", currency: str = "CNY"
) -> str:
    """An expectation as its named fields: ``low_roi [channel=kuaishou] 2025-Q2 value 1:2.2``."""
    named = dict(fields)
    parts: list[str] = []
    if "rule" in named:
        parts.append(str(named["rule"]))
    group = named.get("group")
    if isinstance(group, tuple):
        parts.append(f"[{format_group(group)}]" if group else "[no group]")
    for name in ("window", "severity"):
        if name in named:
            parts.append(str(named[name]))
    for name, value in fields:
        if name in ("rule", "group", "window", "severity"):
            continue
        if isinstance(value, float):
            parts.append(f"{name} {_number(value, unit, currency)}")
        else:
            parts.append(f"{name} {'-' if value is None else one_line(str(value))}")
    return " ".join(parts) or "any alert"


def actual_text(alert: AlertResult, *, currency: str = "CNY") -> str:
    """An alert that fired: ``low_roi [channel=kuaishou] 2025-Q2 error roi 1:2.26 below 1:3``."""
    parts = [alert.rule]
    if alert.group:
        parts.append(f"[{format_group(alert.group)}]")
    parts.extend((alert.window, alert.severity))
    what = describe_alert(
        alert.condition, alert.value, alert.threshold, alert.unit, currency=currency
    )
    if alert.condition not in ("over_budget", "ahead"):
        what = f"{alert.metric} {what}"
    parts.append(what)
    return one_line(" ".join(parts))


def quiet_text(quiet: Quiet, *, currency: str = "CNY") -> str:  # noqa: PLR0911  # one per reason
    """Why the rule did not fire: ``not firing: roi 1:2.2 in 2025-Q2, not below 1:2``."""
    where = f" [{format_group(quiet.group)}]" if quiet.group else ""
    change = quiet.condition in ("drop_over", "rise_over")
    unit = "percent" if change else quiet.unit
    limit = _number(quiet.threshold, unit, currency)
    head = f"not firing: {quiet.rule}{where} {quiet.window}"
    if quiet.kind == "other_group":
        named = ", ".join(name for name, _ in quiet.group)
        if quiet.by is None:
            return f"not firing: {quiet.rule}: the rule has no by, so its alert has no group"
        return f"not firing: {quiet.rule}: the rule is split by {quiet.by}, not {named}"
    if quiet.kind == "unset":
        return f"{head}: the rule's threshold is not set yet"
    if quiet.kind == "not_started":
        return f"{head}: the window has not started by as-of"
    if quiet.kind == "no_data":
        return f"{head}: no {quiet.metric} in the window"
    if quiet.kind == "no_previous":
        return f"{head}: no {quiet.metric} in the previous window to compare with"
    value = _number(quiet.value, unit, currency)
    if quiet.kind == "below_min":
        guard = _number(quiet.guard_value, "number", currency)
        floor = _number(quiet.guard_floor, "number", currency)
        return (
            f"{head}: {quiet.metric} {value}, but skipped: "
            f"{quiet.guard_metric} {guard} is below the rule's min {floor}"
        )
    if change:
        way = "down" if quiet.condition == "drop_over" else "up"
        return f"{head}: {quiet.metric} {way} {value}, not more than {limit}"
    return f"{head}: {quiet.metric} {value}, not {quiet.condition} {limit}"


def _alert_unit(check: AlertCheck) -> str:
    """The unit of an alert's value and threshold: a change is a percentage."""
    if check.actual is not None:
        changes = check.actual.condition in ("drop_over", "rise_over")
        return "percent" if changes else check.actual.unit
    if check.quiet is not None:
        changes = check.quiet.condition in ("drop_over", "rise_over")
        return "percent" if changes else check.quiet.unit
    return "number"


def alert_rows(case: CaseResult) -> list[tuple[str, str, str]]:
    """(what, expected, actual) per alert row; a row may span lines (``\\n``)."""
    rows: list[tuple[str, str, str]] = []
    for check in case.alerts:
        unit = _alert_unit(check)
        expected = (
            expected_text(check.expected, unit=unit, currency=case.currency)
            if check.expected is not None
            else "-"
        )
        if check.actual is not None:
            actual = actual_text(check.actual, currency=case.currency)
            if check.differing:
                actual += "\n(differs in: " + ", ".join(check.differing) + ")"
            if check.expected is not None and check.differing:
                expected, actual = _with_digits(check, expected, actual, unit, case.currency)
        elif check.quiet is not None:
            actual = quiet_text(check.quiet, currency=case.currency)
        else:
            actual = "no such alert fired"
        rows.append((_KIND_WORDS[check.kind], expected, actual))
    return rows


def _with_digits(
    check: AlertCheck, expected: str, actual: str, unit: str, currency: str
) -> tuple[str, str]:
    """Add every digit of a differing value or threshold that prints the same on both sides."""
    assert check.expected is not None
    assert check.actual is not None
    named = dict(check.expected)
    for name in ("value", "threshold"):
        want, got = named.get(name), getattr(check.actual, name)
        if name not in check.differing or not isinstance(want, float) or got is None:
            continue
        if _number(want, unit, currency) == _number(got, unit, currency):
            expected += f"\n({name} {_exact(want)})"
            actual += f"\n({name} {_exact(got)})"
    return expected, actual


def value_text(check: ValueCheck, value: float | str | None, *, currency: str = "CNY") -> str:
    """An expected or actual goal or budget value in its unit (a status as it is)."""
    if value is None or isinstance(value, str):
        return "-" if value is None else value
    shown = _number(value, check.unit, currency, growth=check.growth)
    other = check.actual if value is check.expected else check.expected
    if (
        isinstance(other, float)
        and other != value
        and _number(other, check.unit, currency, growth=check.growth) == shown
    ):
        shown += f" ({_exact(value)})"
    return shown


def _columns(rows: list[tuple[str, str, str]], header: tuple[str, str, str]) -> list[str]:
    """Rows laid out in three columns; multi-line cells continue under their column."""
    split = [tuple(cell.split("\n") for cell in row) for row in [header, *rows]]
    first = max(display_width(line) for row in split for line in row[0])
    second = max(display_width(line) for row in split for line in row[1])
    lines: list[str] = []
    for what, expected, actual in split:
        for number in range(max(len(what), len(expected), len(actual))):
            cells = [
                part[number] if number < len(part) else "" for part in (what, expected, actual)
            ]
            text = (
                cells[0]
                + " " * (first - display_width(cells[0]) + 2)
                + cells[1]
                + " " * (second - display_width(cells[1]) + 2)
                + cells[2]
            )
            lines.append(text.rstrip())
    return lines


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def failure_lines(case: CaseResult) -> list[str]:
    """Why ``case`` failed (or could not run), as lines without indentation."""
    lines: list[str] = []
    context = []
    if case.as_of is not None:
        context.append(f"as of {case.as_of.isoformat()}")
    if case.window is not None:
        context.append(f"window {case.window}")
    if case.rules:
        context.append("rules " + ", ".join(case.rules))
    if context:
        lines.append("; ".join(context))
    lines.extend(case.problems)
    alert_table = alert_rows(case)
    if alert_table and any(check.kind != "matched" for check in case.alerts):
        lines.extend(_columns(alert_table, ("alerts", "expected", "actual")))
        missing = sum(1 for a in case.alerts if a.kind == "missing")
        unexpected = sum(1 for a in case.alerts if a.kind == "unexpected")
        lines.append(f"missing: {missing}, unexpected: {unexpected}")
    wrong = [check for check in case.values if not check.ok]
    if wrong:
        rows = [
            (
                f"{check.subject} {check.id} {check.field}",
                value_text(check, check.expected, currency=case.currency),
                value_text(check, check.actual, currency=case.currency),
            )
            for check in wrong
        ]
        lines.extend(_columns(rows, ("value", "expected", "actual")))
    # Warnings about fixtures (columns the plan reads that a fixture lacks) are the norm.
    lines.extend(diagnostic_line(d) for d in case.diagnostics if d.severity == "error")
    return lines


def diagnostic_line(diag: Diagnostic) -> str:
    """``file:line:col: severity CODE message (key.path)``, the hint on an indented line."""
    text = f"{diagnostic_location(diag, '')}: {diag.severity} {diag.code} {one_line(diag.message)}"
    if diag.path:
        text += f" ({diag.path})"
    if diag.hint:
        text += f"\n    hint: {one_line(diag.hint)}"
    return text


def case_location(file: str, case: CaseResult) -> str:
    """``file:line:col`` of a test."""
    return format_location(file, case.line, case.column)


def summary(passed: int, failed: int, errors: int, broken: int) -> str:
    """``3 passed, 1 failed`` (with errors and broken files when there are any)."""
    words = [f"{passed} passed", f"{failed} failed"]
    if errors:
        words.append(_plural(errors, "error"))
    if broken:
        words.append(_plural(broken, "broken test file"))
    return ", ".join(words)
