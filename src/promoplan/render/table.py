"""``--format table``: rich terminal output for validate and check.

Every string from a plan or a CSV goes through :func:`~promoplan.render.tablebase.plain`
into a ``rich.text.Text``: never markup, never a raw control character (the budget
section is :mod:`promoplan.render.budgettable`). Diagnostics print one per line
(``file:line:col: error PP101 message (path)``) and are not hard-wrapped, so that
editors and ``grep`` see whole lines; the terminal wraps them. Everything else fits
``options.width``.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text

from promoplan.alertorder import shown_alerts
from promoplan.diagnostics import Diagnostic, overall_status
from promoplan.render.budgettable import fitted_budget
from promoplan.render.cells import (
    alert_value,
    entry_cells,
    goal_cells,
    goal_name,
    kpi_cells,
    own_window,
)
from promoplan.render.findings import diagnostic_message
from promoplan.render.fit import fitted_table, label_column, shorten_label
from promoplan.render.options import RenderOptions
from promoplan.render.plainlayout import NeedsRich, PlainConsole
from promoplan.render.tablebase import (
    SEVERITY_STYLE,
    STATUS_STYLE,
    Printer,
    plain,
    plain_table,
    styled,
)
from promoplan.render.text import (
    count_words,
    format_group,
    format_location,
    format_progress,
)
from promoplan.result import AlertResult, GoalProgress, PlanResult, Run, Window

if TYPE_CHECKING:
    from rich.console import Console


BAR_CELLS = 10
WIDE = 90  # below this many columns the progress bar is half as long
_EIGHTHS = " ▏▎▍▌▋▊▉"


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


def _window_text(window: Window) -> str:
    rows = f", {window.summed}" if window.summed else ""  # whole weeks or months summed
    return f"{window.label} {window.start.isoformat()}..{window.end.isoformat()}{rows}"


def _diagnostic_lines(console: Printer, diag: Diagnostic, plan_file: str) -> None:
    """``file:line:col: error PP101 message (path)`` and an indented hint, yamllint-style."""
    line = Text()
    line.append(plain(format_location(diag.file or plan_file, diag.line, diag.column)), "bold")
    line.append(": ")
    line.append(diag.severity, SEVERITY_STYLE.get(diag.severity, ""))
    line.append(" ")
    line.append(diag.code, "dim")
    line.append(" ")
    line.append(plain(diagnostic_message(diag)))
    console.print(line, soft_wrap=True)
    if diag.hint:
        console.print(Text.assemble("    hint: ", styled(diag.hint)), soft_wrap=True)


def _alert_line(
    console: Printer, alert: AlertResult, plan: PlanResult, options: RenderOptions
) -> None:
    """One alert on one line, for ``--quiet``."""
    line = Text()
    line.append(plain(plan.file), "bold")
    line.append(": ")
    line.append(alert.severity, SEVERITY_STYLE.get(alert.severity, ""))
    line.append(" alert ")
    line.append(plain(alert.rule))
    group = format_group(alert.group)
    line.append(f" [{plain(group)}]" if group else "")
    line.append(f" {plain(alert.window)}: ")
    line.append(plain(alert_value(alert, currency=plan.currency, units=options.units_for(plan))))
    if alert.action:
        line.append("; action: ")
        line.append(plain(alert.action))
    console.print(line, soft_wrap=True)


def _render_validate(console: Printer, run: Run, options: RenderOptions) -> None:
    for plan in run.plans:
        shown = [d for d in plan.diagnostics if options.shows(d.severity)]
        for diag in shown:
            _diagnostic_lines(console, diag, plan.file)
        if not plan.diagnostics and not options.quiet:
            console.print(Text.assemble(styled(plan.file, "bold"), ": ", ("ok", "green")))
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
        console.print(Text.assemble(styled(plan.name, "bold"), " (", styled(plan.file), ")"))
    else:
        console.print(styled(plan.file, "bold"))
    parts = []
    if plan.window is not None:
        parts.append(f"window {plain(_window_text(plan.window))}")
    elif plan.period is not None:
        parts.append(f"period {plan.period[0].isoformat()}..{plan.period[1].isoformat()}")
    if plan.as_of is not None:
        parts.append(f"as of {plan.as_of.isoformat()}")
    if parts:
        console.print(Text(", ".join(parts)))


# Narrower layouts, tried in this order when a table does not fit the terminal (the
# README's "Narrow terminals"): the expected column goes first (progress already says
# how actual compares with it); last, labels are shortened with "…" (the budget's
# layouts are in budgettable.py).
GOAL_LAYOUTS = ("full", "no-expected")
MIN_GOAL_LABEL = 12


def _goal_label(goal: GoalProgress, plan: PlanResult, cap: int | None = None) -> Text:
    name = styled(goal_name(goal))
    window = own_window(goal, plan)
    suffix = Text(f" ({plain(window)})", "dim") if window is not None else None
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
    table = plain_table()
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
            "target": styled(shown.target),
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
        detail = styled(alert.label or alert.rule, "bold")
        if cells.where:
            detail.append(f" [{plain(cells.where)}]")
        detail.append(f" {plain(alert.window)}: ")
        if entry.folded:
            for value in cells.values:
                detail.append("\n  " + plain(value))
        else:
            detail.append(plain(cells.values[0]))
        if alert.action:
            detail.append("\naction: ")
            detail.append(plain(alert.action))
        table.add_row(Text(alert.severity, style=SEVERITY_STYLE.get(alert.severity, "")), detail)
    return table


def _kpi_table(plan: PlanResult, options: RenderOptions) -> Table | None:
    if plan.report is None or not plan.report.kpis:
        return None
    table = plain_table()
    table.add_column("KPI", overflow="fold", min_width=10)
    table.add_column(plain(plan.report.window.label), justify="right", no_wrap=True)
    table.add_column(plain(plan.report.previous.label), justify="right", no_wrap=True)
    table.add_column("change", justify="right", no_wrap=True)
    for kpi in plan.report.kpis:
        label, value, previous, change = kpi_cells(
            kpi, currency=plan.currency, units=options.units_for(plan)
        )
        table.add_row(styled(label), Text(value), Text(previous), Text(change))
    return table


def _render_plan(console: Printer, plan: PlanResult, options: RenderOptions) -> None:
    if options.quiet:
        for diag in plan.diagnostics:
            if options.shows(diag.severity):
                _diagnostic_lines(console, diag, plan.file)
        for alert in plan.alerts:
            if options.shows(alert.severity):
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
        console.print(fitted_budget(plan.budget, plan, options))
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
