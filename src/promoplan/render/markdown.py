"""``--format markdown``: GitHub-flavoured Markdown for a pull-request comment, chat or a wiki.

Every cell and every plan string goes through ``escape_markdown``, so a ``|``
or a newline in a name cannot break a table and no markup or HTML gets through.
"""

from __future__ import annotations

from collections.abc import Sequence

from promoplan.alertorder import shown_alerts
from promoplan.diagnostics import Diagnostic
from promoplan.render.cells import (
    budget_label,
    budget_order,
    entry_cells,
    goal_cells,
    goal_name,
    kpi_cells,
    own_window,
)
from promoplan.render.findings import diagnostic_text
from promoplan.render.options import RenderOptions
from promoplan.render.text import (
    count_words,
    escape_markdown,
    format_fraction,
    format_location,
    format_progress,
    format_value,
)
from promoplan.result import AlertResult, BudgetRow, GoalProgress, PlanResult, Run, Window

# Statuses that need a reader's attention are bold; the words themselves carry the meaning.
ATTENTION = frozenset({"off_track", "missed", "over_budget", "fail", "error"})
NOTICE = frozenset({"at_risk", "ahead", "behind", "unmapped", "warn", "warning"})
REPORT_KINDS = {"week": "Weekly", "month": "Monthly", "quarter": "Quarterly"}


def _status(word: str) -> str:
    escaped = escape_markdown(word)
    if word in ATTENTION:
        return f"**{escaped}**"
    if word in NOTICE:
        return f"*{escaped}*"
    return escaped


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[int] = ()) -> str:
    """A GFM table; cells must already be escaped. ``right`` lists right-aligned columns."""
    rule = ["---:" if index in right else "---" for index in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(rule) + " |"]
    lines.extend("| " + " | ".join(cell or " " for cell in row) + " |" for row in rows)
    return "\n".join(lines)


def _window_text(window: Window) -> str:
    rows = f", {window.summed}" if window.summed else ""  # whole weeks or months summed
    return (
        f"{escape_markdown(window.label)} "
        f"({window.start.isoformat()} to {window.end.isoformat()}{rows})"
    )


def _heading(plan: PlanResult) -> str:
    name = escape_markdown(plan.name or plan.file)
    if plan.report is not None:
        kind = REPORT_KINDS.get(plan.report.kind, "Periodic")
        return f"## {name}: {kind.lower()} report {escape_markdown(plan.report.window.label)}"
    return f"## {name}"


def _status_line(plan: PlanResult) -> str:
    parts = [f"Status: {_status(plan.status)}", escape_markdown(count_words(plan.counts))]
    if plan.report is not None:
        parts.append(f"report window {_window_text(plan.report.window)}")
    if plan.window is not None:
        parts.append(f"{'progress over' if plan.report else 'window'} {_window_text(plan.window)}")
    elif plan.period is not None:
        parts.append(f"period {plan.period[0].isoformat()} to {plan.period[1].isoformat()}")
    if plan.as_of is not None:
        parts.append(f"as of {plan.as_of.isoformat()}")
    parts.append(f"plan file {escape_markdown(plan.file)}")
    return " · ".join(parts)


def _kpis(plan: PlanResult, options: RenderOptions) -> str:
    assert plan.report is not None  # the caller checks
    report = plan.report
    rows = [
        [
            escape_markdown(cell)
            for cell in kpi_cells(kpi, currency=plan.currency, units=options.units_for(plan))
        ]
        for kpi in report.kpis
    ]
    header = [
        "KPI",
        escape_markdown(report.window.label),
        escape_markdown(report.previous.label),
        "change",
    ]
    return _table(header, rows, right=(1, 2, 3))


def _goal_name(goal: GoalProgress, plan: PlanResult) -> str:
    name = goal_name(goal)
    window = own_window(goal, plan)
    if window is not None:
        name += f" ({window})"
    return escape_markdown(name)


def _goals(goals: Sequence[GoalProgress], plan: PlanResult, options: RenderOptions) -> str:
    rows = []
    for goal in goals:
        cells = goal_cells(goal, currency=plan.currency, units=options.units_for(plan))
        rows.append(
            [
                _goal_name(goal, plan),
                escape_markdown(cells.target),
                escape_markdown(cells.actual),
                escape_markdown(cells.expected),
                escape_markdown(format_progress(goal.progress)),
                escape_markdown(cells.projection),
                _status(goal.status),
            ]
        )
    header = ["goal", "target", "actual", "expected", "progress", "projection", "status"]
    return _table(header, rows, right=(1, 2, 3, 4, 5))


def _budget(rows: Sequence[BudgetRow], plan: PlanResult, options: RenderOptions) -> str:
    def money(value: float | None) -> str:
        return escape_markdown(
            format_value(value, "currency", currency=plan.currency, units=options.units_for(plan))
        )

    table = []
    # <unmapped> goes last, as hledger puts <unbudgeted>; the rest keep the plan's order.
    for row in budget_order(rows):
        label = budget_label(row)
        # Cells are trimmed of blanks (and, by some renderers, of U+00A0); an entity survives.
        indent = "&emsp;" * max(row.depth, 0)
        used = format_fraction(row.used)
        if row.planned is None and row.spent_share is not None:
            used = f"{format_fraction(row.spent_share)} of spend"
        table.append(
            [
                indent + escape_markdown(label),
                escape_markdown(format_fraction(row.share)),
                money(row.planned),
                money(row.spent),
                escape_markdown(used),
                money(row.expected),
                money(row.remaining),
                _status(row.status),
            ]
        )
    header = ["line", "share", "planned", "spent", "used", "expected", "remaining", "status"]
    return _table(header, table, right=(1, 2, 3, 4, 5, 6))


def _alerts(alerts: Sequence[AlertResult], plan: PlanResult, options: RenderOptions) -> str:
    rows = []
    for entry in shown_alerts(alerts):
        alert = entry.alert
        cells = entry_cells(entry, currency=plan.currency, units=options.units_for(plan))
        rows.append(
            [
                _status(alert.severity),
                escape_markdown(alert.label or alert.rule),
                escape_markdown(cells.where or "-"),
                escape_markdown(alert.window),
                "<br>".join(escape_markdown(value) for value in cells.values),
                escape_markdown(alert.action or "-"),
            ]
        )
    return _table(["severity", "alert", "group", "window", "value", "action"], rows)


def _diagnostics(diagnostics: Sequence[Diagnostic], plan: PlanResult) -> str:
    rows = []
    for diag in diagnostics:
        message = diagnostic_text(diag, "; hint: ")
        rows.append(
            [
                _status(diag.severity),
                escape_markdown(diag.code),
                escape_markdown(format_location(diag.file or plan.file, diag.line, diag.column)),
                escape_markdown(message),
            ]
        )
    return _table(["severity", "code", "where", "message"], rows)


def _plan(plan: PlanResult, options: RenderOptions, *, show_empty_alerts: bool) -> str:
    blocks = [_heading(plan), _status_line(plan)]
    if plan.report is not None and plan.report.kpis:
        blocks += ["### Headline KPIs", _kpis(plan, options)]
    if plan.goals:
        blocks += ["### Goals", _goals(plan.goals, plan, options)]
    if plan.budget:
        blocks += ["### Budget", _budget(plan.budget, plan, options)]
    if plan.alerts:
        blocks += ["### Alerts", _alerts(plan.alerts, plan, options)]
    elif show_empty_alerts:
        blocks += ["### Alerts", "No alert is firing."]
    if plan.diagnostics:
        blocks += ["### Diagnostics", _diagnostics(plan.diagnostics, plan)]
    return "\n\n".join(blocks)


def render_markdown(run: Run, options: RenderOptions) -> str:
    """One section per plan: heading, status line, then tables of KPIs, goals, budget, alerts."""
    sections = [
        _plan(plan, options, show_empty_alerts=run.command != "validate") for plan in run.plans
    ]
    return "\n\n".join(sections) + "\n"
