"""``--format table``: rich terminal output for validate and check.

Every string from a plan or a CSV goes through :func:`_plain` into a
``rich.text.Text``: never markup, never a raw control character.
Diagnostics print one per line (``file:line:col: error PP101 message (path)``)
and are not hard-wrapped, so that editors and ``grep`` see whole lines; the
terminal wraps them. Everything else fits ``options.width``.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any, Protocol

from rich import box
from rich.table import Table
from rich.text import Text

from promoplan.alertorder import shown_alerts
from promoplan.diagnostics import Diagnostic, overall_status
from promoplan.render.cells import (
    alert_value,
    budget_label,
    budget_order,
    entry_cells,
    goal_cells,
    goal_name,
    kpi_cells,
    own_window,
)
from promoplan.render.findings import diagnostic_message
from promoplan.render.fit import fitted_table, label_column, shorten, shorten_label
from promoplan.render.options import RenderOptions
from promoplan.render.plainlayout import NeedsRich, PlainConsole
from promoplan.render.text import (
    count_words,
    format_fraction,
    format_group,
    format_location,
    format_progress,
    format_value,
    one_line,
)
from promoplan.result import AlertResult, BudgetRow, GoalProgress, PlanResult, Run, Window

if TYPE_CHECKING:
    from rich.console import Console


class Printer(Protocol):
    """What the renderer prints on: rich's console, or the plain one without colour."""

    def print(self, *objects: Any, soft_wrap: bool = False) -> None:
        """Print one text or table (none: an empty line)."""


BAR_CELLS = 10
WIDE = 90  # below this many columns the progress bar is half as long
_EIGHTHS = " ▏▎▍▌▋▊▉"

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
STATUS_STYLE = {
    "met": "bold green",
    "on_track": "green",
    "at_risk": "yellow",
    "off_track": "bold red",
    "missed": "bold red",
    "behind": "yellow",
    "unmapped": "yellow",
    "unset": "dim",
    "no_data": "dim",
    "pending": "cyan",
    "ahead": "yellow",
    "over_budget": "bold red",
    "pass": "bold green",
    "warn": "bold yellow",
    "fail": "bold red",
}


def _plain(text: str | None) -> str:
    """Untrusted text made safe for one terminal line (tabs too, which rich would expand)."""
    return one_line(text or "").replace("\t", " ")


def _text(text: str | None, style: str = "") -> Text:
    return Text(_plain(text), style=style)


def progress_bar(fraction: float | None, cells: int = BAR_CELLS) -> str:
    """A bar of block characters with the percentage: ``██████▌░░░  65%``; past 100% it is full."""
    if fraction is None:
        return "-"
    filled = max(0.0, min(fraction, 1.0)) * cells
    whole = int(filled)
    eighths = round((filled - whole) * 8)
    if eighths == 8:
        whole, eighths = whole + 1, 0
    bar = "█" * whole
    if whole < cells:
        bar += (_EIGHTHS[eighths] if eighths else "░") + "░" * (cells - whole - 1)
    return f"{bar} {format_progress(fraction):>4}"


def _console(options: RenderOptions) -> Console:
    from rich.console import Console  # noqa: PLC0415  # only with colour, or for what plain lines cannot lay out

    return Console(
        file=io.StringIO(),
        width=options.width,
        color_system="standard" if options.color else None,
        force_terminal=options.color,
        force_interactive=False,
        legacy_windows=False,
        markup=False,
        emoji=False,
        highlight=False,
        soft_wrap=False,
    )


def _table() -> Table:
    """A plain table: a rule under the header, two spaces between columns."""
    return Table(
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        collapse_padding=True,
        header_style="bold",
    )


def _window_text(window: Window) -> str:
    rows = f", {window.summed}" if window.summed else ""  # whole weeks or months summed
    return f"{window.label} {window.start.isoformat()}..{window.end.isoformat()}{rows}"


def _diagnostic_lines(console: Printer, diag: Diagnostic, plan_file: str) -> None:
    """``file:line:col: error PP101 message (path)`` and an indented hint, yamllint-style."""
    line = Text()
    line.append(_plain(format_location(diag.file or plan_file, diag.line, diag.column)), "bold")
    line.append(": ")
    line.append(diag.severity, SEVERITY_STYLE.get(diag.severity, ""))
    line.append(" ")
    line.append(diag.code, "dim")
    line.append(" ")
    line.append(_plain(diagnostic_message(diag)))
    console.print(line, soft_wrap=True)
    if diag.hint:
        console.print(Text.assemble("    hint: ", _text(diag.hint)), soft_wrap=True)


def _alert_line(
    console: Printer, alert: AlertResult, plan: PlanResult, options: RenderOptions
) -> None:
    """One alert on one line, for ``--quiet``."""
    line = Text()
    line.append(_plain(plan.file), "bold")
    line.append(": ")
    line.append(alert.severity, SEVERITY_STYLE.get(alert.severity, ""))
    line.append(" alert ")
    line.append(_plain(alert.rule))
    group = format_group(alert.group)
    line.append(f" [{_plain(group)}]" if group else "")
    line.append(f" {_plain(alert.window)}: ")
    line.append(_plain(alert_value(alert, currency=plan.currency, units=options.units_for(plan))))
    if alert.action:
        line.append("; action: ")
        line.append(_plain(alert.action))
    console.print(line, soft_wrap=True)


def _render_validate(console: Printer, run: Run, options: RenderOptions) -> None:
    for plan in run.plans:
        shown = [d for d in plan.diagnostics if d.severity == "error" or not options.quiet]
        for diag in shown:
            _diagnostic_lines(console, diag, plan.file)
        if not plan.diagnostics and not options.quiet:
            console.print(Text.assemble(_text(plan.file, "bold"), ": ", ("ok", "green")))
    if options.quiet:
        return
    plans = len(run.plans)
    status = overall_status(run.counts)
    console.print()
    console.print(
        Text(
            f"{count_words(run.counts)} in {plans} plan{'s' if plans != 1 else ''}",
            style=STATUS_STYLE[status],
        )
    )


def _section(console: Printer, title: str) -> None:
    console.print()
    console.print(Text(title, style="bold"))


def _title(console: Printer, plan: PlanResult) -> None:
    if plan.name:
        console.print(Text.assemble(_text(plan.name, "bold"), " (", _text(plan.file), ")"))
    else:
        console.print(_text(plan.file, "bold"))
    parts = []
    if plan.window is not None:
        parts.append(f"window {_plain(_window_text(plan.window))}")
    elif plan.period is not None:
        parts.append(f"period {plan.period[0].isoformat()}..{plan.period[1].isoformat()}")
    if plan.as_of is not None:
        parts.append(f"as of {plan.as_of.isoformat()}")
    if parts:
        console.print(Text(", ".join(parts)))


# Narrower layouts, tried in this order when a table does not fit the terminal (the
# README's "Narrow terminals"): the expected column goes first (progress already says
# how actual compares with it), then the budget's remaining column (planned less spent),
# then the spent cell splits before its bracket; last, labels are shortened with "…".
GOAL_LAYOUTS = ("full", "no-expected")
BUDGET_LAYOUTS = ("full", "no-expected", "no-remaining", "split-spent")
MIN_GOAL_LABEL = 12
MIN_BUDGET_LABEL = 8


def _goal_label(goal: GoalProgress, plan: PlanResult, cap: int | None = None) -> Text:
    name = _text(goal_name(goal))
    window = own_window(goal, plan)
    suffix = Text(f" ({_plain(window)})", "dim") if window is not None else None
    if cap is not None:
        return shorten_label(name, cap, suffix)
    if suffix is not None:
        name.append_text(suffix)
    return name


def _goals_table(
    goals: tuple[GoalProgress, ...],
    plan: PlanResult,
    options: RenderOptions,
    layout: str = "full",
    cap: int | None = None,
) -> Table:
    table = _table()
    label_column(table, "goal", 10, cap)
    shown_columns = ("target", "actual", "expected")[: 2 if layout == "no-expected" else 3]
    for name in shown_columns:
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column("progress", no_wrap=True)
    table.add_column("status", no_wrap=True, min_width=len("off_track"))
    cells = BAR_CELLS if options.width >= WIDE else BAR_CELLS // 2
    for goal in goals:
        style = STATUS_STYLE.get(goal.status, "")
        shown = goal_cells(goal, currency=plan.currency, units=options.units_for(plan))
        numbers = {
            "target": _text(shown.target),
            "actual": Text(shown.actual),
            "expected": Text(shown.expected),
        }
        table.add_row(
            _goal_label(goal, plan, cap),
            *(numbers[name] for name in shown_columns),
            Text(progress_bar(goal.progress, cells), style=style),
            Text(goal.status, style=style),
        )
    return table


def _fitted_goals(
    console: Printer, goals: tuple[GoalProgress, ...], plan: PlanResult, options: RenderOptions
) -> Table:
    texts = ["goal", *(_goal_label(goal, plan).plain for goal in goals)]
    return fitted_table(
        options.width,
        GOAL_LAYOUTS,
        lambda layout, cap: _goals_table(goals, plan, options, layout, cap),
        labels=texts,
        min_label=MIN_GOAL_LABEL,
    )


def _budget_used(
    row: BudgetRow, plan: PlanResult, options: RenderOptions, *, split: bool = False
) -> Text:
    """hledger's ``412 [82% of 500]``; without a total, the share of spend against the plan's.

    ``split`` puts the bracket on a line of its own, the one place the cell may break.
    """
    units = options.units_for(plan)
    spent = format_value(row.spent, "currency", currency=plan.currency, units=units)
    gap = "\n" if split else " "
    if row.planned is not None:
        planned = format_value(row.planned, "currency", currency=plan.currency, units=units)
        used = f"{format_fraction(row.used)} " if row.used is not None else ""
        return Text(f"{spent}{gap}[{used}of {planned}]")
    if row.spent_share is not None and row.share is not None:
        spent_share, share = format_fraction(row.spent_share), format_fraction(row.share)
        return Text(f"{spent}{gap}[{spent_share} of spend, plan {share}]")
    return Text(spent)


def _budget_line(row: BudgetRow, cap: int | None) -> Text:
    indent = "  " * max(row.depth, 0)
    label = _plain(budget_label(row))
    if cap is not None:
        label = shorten(label, max(cap - len(indent), 1))
    return Text(indent + label)


def _budget_table(
    rows: tuple[BudgetRow, ...],
    plan: PlanResult,
    options: RenderOptions,
    layout: str = "full",
    cap: int | None = None,
) -> Table:
    table = _table()
    label_column(table, "line", 8, cap)
    table.add_column("share", justify="right", no_wrap=True)
    # One line (or two, split before the bracket) so that only the label column wraps;
    # folded as before on a terminal too narrow for any layout.
    fold = layout == "folded"
    narrow = BUDGET_LAYOUTS.index("full" if fold else layout)
    table.add_column("spent [of planned]", justify="right", overflow="fold", no_wrap=not fold)
    money_columns = ("expected", "remaining")[narrow:]  # layouts 1 and 2 drop one each
    for name in money_columns:
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column("status", no_wrap=True, min_width=len("over_budget"))
    split = layout == "split-spent"

    def money(value: float | None) -> Text:
        return Text(
            format_value(value, "currency", currency=plan.currency, units=options.units_for(plan))
        )

    for row in budget_order(rows):
        style = STATUS_STYLE.get(row.status, "")
        cells = [
            _budget_line(row, cap),
            Text(format_fraction(row.share)),
            _budget_used(row, plan, options, split=split),
        ]
        amounts = {"expected": row.expected, "remaining": row.remaining}
        cells += [money(amounts[name]) for name in money_columns]
        table.add_row(*cells, Text(row.status, style=style))
    return table


def _fitted_budget(
    console: Printer, rows: tuple[BudgetRow, ...], plan: PlanResult, options: RenderOptions
) -> Table:
    texts = ["line", *(_budget_line(row, None).plain for row in rows)]
    return fitted_table(
        options.width,
        BUDGET_LAYOUTS,
        lambda layout, cap: _budget_table(rows, plan, options, layout, cap),
        labels=texts,
        min_label=MIN_BUDGET_LABEL,
        fallback="folded",
    )


def _alerts_table(
    alerts: tuple[AlertResult, ...], plan: PlanResult, options: RenderOptions
) -> Table:
    """One alert per entry: severity, then rule, group, window and value; the action below."""
    table = Table.grid(padding=(0, 2))
    table.add_column("severity", no_wrap=True)
    table.add_column("alert", overflow="fold")
    for entry in shown_alerts(alerts):
        alert = entry.alert
        cells = entry_cells(entry, currency=plan.currency, units=options.units_for(plan))
        detail = _text(alert.label or alert.rule, "bold")
        if cells.where:
            detail.append(f" [{_plain(cells.where)}]")
        detail.append(f" {_plain(alert.window)}: ")
        if entry.folded:
            for value in cells.values:
                detail.append("\n  " + _plain(value))
        else:
            detail.append(_plain(cells.values[0]))
        if alert.action:
            detail.append("\naction: ")
            detail.append(_plain(alert.action))
        table.add_row(Text(alert.severity, style=SEVERITY_STYLE.get(alert.severity, "")), detail)
    return table


def _kpi_table(plan: PlanResult, options: RenderOptions) -> Table | None:
    if plan.report is None or not plan.report.kpis:
        return None
    table = _table()
    table.add_column("KPI", overflow="fold", min_width=10)
    table.add_column(_plain(plan.report.window.label), justify="right", no_wrap=True)
    table.add_column(_plain(plan.report.previous.label), justify="right", no_wrap=True)
    table.add_column("change", justify="right", no_wrap=True)
    for kpi in plan.report.kpis:
        label, value, previous, change = kpi_cells(
            kpi, currency=plan.currency, units=options.units_for(plan)
        )
        table.add_row(_text(label), Text(value), Text(previous), Text(change))
    return table


def _render_plan(console: Printer, plan: PlanResult, options: RenderOptions) -> None:
    if options.quiet:
        for diag in plan.diagnostics:
            if diag.severity == "error":
                _diagnostic_lines(console, diag, plan.file)
        for alert in plan.alerts:
            if alert.severity == "error":
                _alert_line(console, alert, plan, options)
        return
    _title(console, plan)
    kpis = _kpi_table(plan, options)
    if kpis is not None:
        _section(
            console, f"Headline KPIs, {_window_text(plan.report.window)}" if plan.report else ""
        )
        console.print(kpis)
    if plan.goals:
        _section(console, "Goals")
        console.print(_fitted_goals(console, plan.goals, plan, options))
    if plan.budget:
        _section(console, "Budget")
        console.print(_fitted_budget(console, plan.budget, plan, options))
    if plan.alerts:
        _section(console, "Alerts")
        console.print(_alerts_table(plan.alerts, plan, options))
    elif plan.goals or plan.budget:
        _section(console, "Alerts")
        console.print(Text("none firing", style="green"))
    if plan.diagnostics:
        _section(console, "Diagnostics")
        for diag in plan.diagnostics:
            _diagnostic_lines(console, diag, plan.file)
    console.print()
    console.print(
        Text(f"{plan.status}: {count_words(plan.counts)}", style=STATUS_STYLE.get(plan.status, ""))
    )


def render_table(run: Run, options: RenderOptions) -> str:
    """The terminal view: diagnostic lines for validate; title, goals, budget, alerts for check."""
    if not options.color:
        # Without colour, plain lines laid out as rich lays them out, without its console.
        plain = PlainConsole(options.width)
        try:
            _render_run(plain, run, options)
        except NeedsRich:
            pass
        else:
            return _lines("".join(line + "\n" for line in plain.lines()))
    return render_with_rich(run, options)


def render_with_rich(run: Run, options: RenderOptions) -> str:
    """The terminal view drawn by rich's console: with colour, and whatever the plain
    layout leaves to rich (tests compare the two without colour)."""
    console = _console(options)
    _render_run(console, run, options)
    output = console.file
    assert isinstance(output, io.StringIO)  # built above; narrows the type for mypy
    return _lines(output.getvalue())


def _render_run(console: Printer, run: Run, options: RenderOptions) -> None:
    if run.command == "validate":
        _render_validate(console, run, options)
        return
    for index, plan in enumerate(run.plans):
        if index and not options.quiet:
            console.print()
        _render_plan(console, plan, options)


def _lines(text: str) -> str:
    # rich pads every table cell to its column's width; trailing blanks are noise in a diff.
    return "".join(line.rstrip(" ") + "\n" for line in text.splitlines())
