"""``--format html``: the report as one self-contained page (inline CSS and SVG, no scripts).

Nothing is fetched: no fonts, images, links or scripts, so the page renders the
same offline, in a browser and in an email archive. Every plan and CSV string
goes through :func:`promoplan.render.svg.esc` (``html.escape`` with quotes).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from promoplan import __version__
from promoplan.diagnostics import SEVERITY_ORDER, Diagnostic
from promoplan.render import RenderOptions
from promoplan.render.cells import alert_value, goal_cells
from promoplan.render.svg import cumulative_chart, esc, group_chart
from promoplan.render.text import (
    count_words,
    format_change,
    format_fraction,
    format_group,
    format_location,
    format_value,
)
from promoplan.result import (
    AlertResult,
    BudgetRow,
    GoalProgress,
    Kpi,
    PlanResult,
    ReportData,
    Run,
)

# Codes shown under "Data quality": the feed and the files, not the plan.
DATA_QUALITY_CODES = ("PA020", "PA013", "PA011", "PA010", "PA012", "PA002", "PA005")

STATUS_TEXT = {
    "met": "met",
    "on_track": "on track",
    "at_risk": "at risk",
    "off_track": "off track",
    "unset": "unset",
    "no_data": "no data",
    "pending": "pending",
    "ahead": "ahead of pace",
    "over_budget": "over budget",
}
KIND_TEXT = {"week": "Weekly report", "month": "Monthly report", "quarter": "Quarterly report"}
OVERALL_TEXT = {"pass": "All clear", "warn": "Warnings", "fail": "Errors"}

CSS = """
:root{--ink:#1f2328;--muted:#59636e;--line:#d1d9e0;--soft:#f6f8fa;--card:#fff;
--good:#1a7f37;--good-bg:#dafbe1;--warn:#9a6700;--warn-bg:#fff8c5;--bad:#cf222e;--bad-bg:#ffebe9;
--info:#0969da;--info-bg:#ddf4ff;--grey:#818b98;--grey-bg:#eff2f5;--accent:#0969da;--target:#8250df}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;background:var(--soft);color:var(--ink);line-height:1.5;font-size:15px;
font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"PingFang SC",
"Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC","Source Han Sans SC","WenQuanYi Micro Hei",
"Noto Sans CJK JP","Noto Sans CJK KR",sans-serif;
-webkit-print-color-adjust:exact;print-color-adjust:exact}
main{max-width:1120px;margin:0 auto;padding:24px 20px 40px}
header.top{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:20px 24px;
display:flex;flex-wrap:wrap;gap:12px 24px;align-items:flex-start;justify-content:space-between}
header.top h1{margin:0 0 4px;font-size:1.55rem;line-height:1.25;overflow-wrap:anywhere}
.kicker{margin:0;color:var(--muted);font-size:.8rem;font-weight:600;letter-spacing:.06em;text-transform:uppercase}
.meta{margin:0;color:var(--muted);font-size:.92rem}
.meta b{color:var(--ink);font-weight:600}
.overall{text-align:right}
.overall .counts{display:block;margin-top:6px;color:var(--muted);font-size:.85rem}
.badge{display:inline-block;padding:2px 10px;border-radius:999px;font-size:.8rem;font-weight:600;
white-space:nowrap;border:1px solid transparent}
.badge.big{font-size:1rem;padding:5px 16px}
.s-pass,.s-met,.s-on_track,.s-good{background:var(--good-bg);color:var(--good);border-color:#aceebb}
.s-warn,.s-at_risk,.s-ahead,.s-warning{background:var(--warn-bg);color:var(--warn);border-color:#f5e0a0}
.s-fail,.s-off_track,.s-over_budget,.s-error{background:var(--bad-bg);color:var(--bad);border-color:#ffcecb}
.s-info{background:var(--info-bg);color:var(--info);border-color:#b6e3ff}
.s-unset,.s-no_data,.s-pending{background:var(--grey-bg);color:var(--muted);border-color:var(--line)}
section{margin-top:28px}
h2{font-size:1.15rem;margin:0 0 12px;display:flex;align-items:baseline;gap:10px;flex-wrap:wrap}
h2 small{font-size:.85rem;font-weight:400;color:var(--muted)}
h3{font-size:1rem;margin:0 0 8px;overflow-wrap:anywhere}
h3 small{font-weight:400;color:var(--muted);font-size:.85rem}
.kpis{display:grid;grid-template-columns:repeat(auto-fill,minmax(190px,1fr));gap:12px}
.kpi{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:14px 16px}
.kpi .name{color:var(--muted);font-size:.85rem;overflow-wrap:anywhere}
.kpi .value{font-size:1.6rem;font-weight:650;line-height:1.2;margin:4px 0;
font-variant-numeric:tabular-nums}
.kpi .change{font-size:.85rem;color:var(--muted);font-variant-numeric:tabular-nums}
.kpi .change b{font-weight:600}
.up-good,.down-good{color:var(--good)}.up-bad,.down-bad{color:var(--bad)}.flat{color:var(--muted)}
.panel{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:16px}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
table{border-collapse:collapse;width:100%;font-size:.9rem;font-variant-numeric:tabular-nums}
th,td{padding:7px 10px;border-bottom:1px solid var(--line);text-align:left;vertical-align:middle}
th{font-size:.78rem;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);font-weight:600;
white-space:nowrap;background:var(--soft)}
td.num,th.num{text-align:right;white-space:nowrap}
tr:last-child td{border-bottom:none}
td.name{min-width:9em;overflow-wrap:anywhere}
td.name .id{display:block;color:var(--muted);font-size:.78rem}
.depth-1 td.name{padding-left:26px}.depth-2 td.name{padding-left:42px}
.bar{position:relative;height:8px;min-width:90px;background:var(--grey-bg);border-radius:4px;overflow:hidden}
.bar span{position:absolute;left:0;top:0;bottom:0;border-radius:4px}
.bar i{position:absolute;top:-2px;bottom:-2px;width:2px;background:var(--ink);opacity:.55}
.f-met,.f-on_track{background:var(--good)}.f-at_risk,.f-ahead{background:#d4a72c}
.f-off_track,.f-over_budget{background:var(--bad)}.f-unset,.f-no_data,.f-pending{background:var(--grey)}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,460px),1fr));gap:12px}
figure{margin:0}
figcaption{font-size:.85rem;color:var(--muted);margin-top:6px}
.legend{display:flex;flex-wrap:wrap;gap:4px 14px;font-size:.82rem;color:var(--muted);margin-top:6px}
.legend span::before{content:"";display:inline-block;width:14px;height:3px;margin-right:5px;
vertical-align:middle;background:currentColor}
.legend .l-actual{color:var(--accent)}.legend .l-target{color:var(--target)}
.legend .l-last-year{color:var(--grey)}.legend .l-ok{color:var(--accent)}
.legend .l-below{color:var(--bad)}.legend .l-floor{color:var(--ink)}
svg.chart{display:block;width:100%;height:auto;overflow:visible}
svg.chart text{font-size:13px;fill:var(--muted);font-family:inherit}
svg.chart text.axis.y,svg.chart text.axis.group{text-anchor:end}
svg.chart text.axis.x,svg.chart text.floor-label{text-anchor:middle}
svg.chart text.axis.group{fill:var(--ink)}
svg.chart text.value{fill:var(--ink);font-weight:600}
svg.chart text.value.low{fill:var(--bad)}
svg.chart text.floor-label{fill:var(--ink);font-weight:600}
svg.chart .grid{stroke:var(--line);stroke-width:1}
svg.chart .tick,svg.chart .axis-line{stroke:var(--grey);stroke-width:1}
svg.chart .series{fill:none;stroke-width:2.5;stroke-linejoin:round;stroke-linecap:round}
svg.chart .series.actual{stroke:var(--accent);stroke-width:3}
svg.chart circle.series.actual{fill:var(--accent)}
svg.chart .series.target{stroke:var(--target);stroke-dasharray:7 5}
svg.chart .series.last-year{stroke:var(--grey);stroke-width:2}
svg.chart .as-of{stroke:var(--ink);stroke-dasharray:2 4;opacity:.6}
svg.chart rect.bar.ok{fill:var(--accent)}
svg.chart rect.bar.below{fill:var(--bad)}
svg.chart .floor{stroke:var(--ink);stroke-width:2;stroke-dasharray:6 4}
.alerts{list-style:none;margin:0;padding:0;display:grid;gap:10px}
.alert{background:var(--card);border:1px solid var(--line);border-left:5px solid var(--grey);
border-radius:8px;padding:12px 14px}
.alert.error{border-left-color:var(--bad)}.alert.warning{border-left-color:#d4a72c}
.alert.info{border-left-color:var(--info)}
.alert .head{display:flex;flex-wrap:wrap;gap:6px 10px;align-items:center}
.alert .rule{font-weight:600;overflow-wrap:anywhere}
.alert .where{color:var(--muted);font-size:.88rem}
.alert .numbers{margin:4px 0 0;font-size:.92rem;font-variant-numeric:tabular-nums}
.alert .action{margin:6px 0 0;padding:6px 10px;background:var(--soft);border-radius:6px;
font-size:.92rem;overflow-wrap:anywhere}
.alert .action b{color:var(--muted);font-weight:600;margin-right:6px}
.notes{list-style:none;margin:0;padding:0}
.notes li{padding:8px 0;border-bottom:1px solid var(--line);display:flex;gap:10px;
align-items:baseline}
.notes li:last-child{border-bottom:none}
.notes .msg{overflow-wrap:anywhere}
.notes .loc{display:block;color:var(--muted);font-size:.8rem;overflow-wrap:anywhere}
.notes .hint{display:block;color:var(--muted);font-size:.85rem}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;
font-size:.85em}
.empty{color:var(--muted);margin:0}
footer{margin-top:32px;color:var(--muted);font-size:.8rem;text-align:center;overflow-wrap:anywhere}
@media (max-width:600px){
body{font-size:14px}
main{padding:12px 10px 28px}
header.top{padding:16px}
header.top h1{font-size:1.3rem}
.overall{text-align:left}
.kpis{grid-template-columns:repeat(2,minmax(0,1fr));gap:8px}
.kpi{padding:10px 12px}
.kpi .value{font-size:1.25rem}
.panel{padding:10px}
th,td{padding:6px 7px}
svg.chart text{font-size:18px}
table.stack thead{display:none}
table.stack,table.stack tbody{display:block}
table.stack tr{display:grid;grid-template-columns:repeat(4,minmax(0,1fr));gap:4px 8px;
padding:10px 2px;border-bottom:1px solid var(--line)}
table.stack tr:last-child{border-bottom:none}
table.stack td{display:block;border:none;padding:0;text-align:left}
table.stack td.num{white-space:normal}
table.stack td.name{grid-column:1/-1;font-weight:600;min-width:0}
table.stack td.wide{grid-column:span 2}
table.stack .badge{white-space:normal;padding:2px 8px}
table.stack td[data-label]::before{content:attr(data-label);display:block;font-size:.7rem;
color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
.depth-1 td.name,.depth-2 td.name{padding-left:0}
table.stack tr.depth-1,table.stack tr.depth-2{padding-left:14px}
svg.chart .minor{display:none}
}
@media print{
body{background:#fff;font-size:11pt}
main{max-width:none;padding:0}
header.top,.kpi,.alert,figure.panel{break-inside:avoid}
section{break-inside:auto}
figure,tr{break-inside:avoid}
h2{break-after:avoid}
.scroll{overflow:visible}
.charts{grid-template-columns:1fr 1fr}
}
"""


def render_html(run: Run, options: RenderOptions) -> str:
    """The whole page: one section per plan (a report has one)."""
    title = "promoplan report"
    if run.plans and run.plans[0].name:
        title = f"{run.plans[0].name} · {_window_label(run.plans[0])}"
    body = "".join(_plan_page(plan, options) for plan in run.plans)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="color-scheme" content="light">\n'
        f'<meta name="generator" content="promoplan {esc(__version__)}">\n'
        f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
        f"{body}"
        f"<footer>Generated by promoplan {esc(__version__)}. Self-contained page: "
        "no scripts, nothing fetched.</footer>\n</main>\n</body>\n</html>\n"
    )


def _window_label(plan: PlanResult) -> str:
    if plan.report is not None:
        return plan.report.window.label
    return plan.window.label if plan.window else "validate"


def _plan_page(plan: PlanResult, options: RenderOptions) -> str:
    report = plan.report
    parts = [_header(plan, report)]
    if report is not None:
        parts.append(_kpi_section(plan, report, options))
    parts.append(_goal_section(plan, report, options))
    if report is not None:
        parts.append(_chart_section(plan, report, options))
    parts.append(_budget_section(plan, options))
    parts.append(_alert_section(plan, report, options))
    parts.append(_quality_section(plan))
    return "".join(parts)


def _header(plan: PlanResult, report: ReportData | None) -> str:
    status = plan.status
    counts = plan.counts
    kicker = KIND_TEXT[report.kind] if report else "Plan check"
    lines = []
    if report is not None:
        window = report.window
        lines.append(
            f"<b>{esc(window.label)}</b> · {window.start.isoformat()} to {window.end.isoformat()}"
            f" <span>(compared with {esc(report.previous.label)})</span>"
        )
    facts = []
    if plan.as_of is not None:
        facts.append(f"as of <b>{plan.as_of.isoformat()}</b>")
    if plan.period is not None:
        facts.append(f"plan period {plan.period[0].isoformat()} to {plan.period[1].isoformat()}")
    facts.append(f"<code>{esc(plan.file)}</code>")
    lines.append(" · ".join(facts))
    meta = "".join(f'<p class="meta">{line}</p>' for line in lines)
    count_text = count_words(counts)
    return (
        '<header class="top"><div>'
        f'<p class="kicker">{esc(kicker)}</p>'
        f"<h1>{esc(plan.name or plan.file)}</h1>{meta}</div>"
        f'<div class="overall"><span class="badge big s-{status}">{OVERALL_TEXT[status]}</span>'
        f'<span class="counts">{count_text}</span></div></header>\n'
    )


def _value(value: float | None, unit: str, plan: PlanResult, options: RenderOptions) -> str:
    return esc(format_value(value, unit, currency=plan.currency, units=options.units))


def _kpi_section(plan: PlanResult, report: ReportData, options: RenderOptions) -> str:
    cards = []
    for kpi in report.kpis:
        cards.append(
            '<div class="kpi">'
            f'<div class="name" title="{esc(kpi.metric)}">{esc(kpi.label)}</div>'
            f'<div class="value">{_value(kpi.value, kpi.unit, plan, options)}</div>'
            f'<div class="change">{_kpi_change(kpi, plan, options)}</div></div>'
        )
    body = (
        f'<div class="kpis">{"".join(cards)}</div>'
        if cards
        else '<p class="empty">No KPIs: the plan has no goals and no report.kpis.</p>'
    )
    return (
        f"<section><h2>Headline KPIs <small>{esc(report.window.label)} against "
        f"{esc(report.previous.label)}</small></h2>{body}</section>\n"
    )


def _kpi_change(kpi: Kpi, plan: PlanResult, options: RenderOptions) -> str:
    previous = _value(kpi.previous, kpi.unit, plan, options)
    if kpi.change is None or not math.isfinite(kpi.change):
        return f"previous {previous}"
    if abs(kpi.change) < 0.0005:
        css, arrow = "flat", "→"
    else:
        rising = kpi.change > 0
        arrow = "▲" if rising else "▼"
        if kpi.direction is None:
            css = "flat"
        else:
            good = rising == (kpi.direction == "at_least")
            css = ("up-" if rising else "down-") + ("good" if good else "bad")
    return f'<b class="{css}">{arrow} {esc(format_change(kpi.change))}</b> vs {previous}'


def _progress_bar(fraction: float | None, status: str, marker: float | None = None) -> str:
    width = 0.0
    if fraction is not None and math.isfinite(fraction):
        width = max(0.0, min(fraction, 1.0)) * 100
    tick = ""
    if marker is not None and math.isfinite(marker) and 0 <= marker <= 1:
        tick = f'<i style="left:{marker * 100:.1f}%"></i>'
    return (
        f'<div class="bar" role="img" aria-label="{esc(format_fraction(fraction))}">'
        f'<span class="f-{status}" style="width:{width:.1f}%"></span>{tick}</div>'
    )


def _goal_section(plan: PlanResult, report: ReportData | None, options: RenderOptions) -> str:
    window = plan.window
    where = ""
    if window is not None:
        where = (
            f"{window.start.isoformat()} to {window.end.isoformat()}"
            if window.start <= window.end
            else f"the period starts {window.start.isoformat()}"
        )
    if not plan.goals:
        table = '<p class="empty">The plan has no goals.</p>'
    else:
        rows = [_goal_row(goal, plan, options) for goal in plan.goals]
        table = (
            '<div class="panel scroll"><table class="stack"><thead><tr><th>Goal</th><th>Scope</th>'
            '<th class="num">Target</th><th class="num">Actual</th><th class="num">Expected</th>'
            '<th>Progress</th><th class="num">Projection</th><th>Status</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table></div>"
        )
    return (
        f"<section><h2>Goals, year to date <small>{where}</small></h2>{table}</section>\n"
    )


def _chart_section(plan: PlanResult, report: ReportData, options: RenderOptions) -> str:
    """Each cumulative goal against its paced target, then each floor rule per group."""
    figures = []
    for series in report.series:
        svg = cumulative_chart(
            series, as_of=plan.as_of, currency=plan.currency, units=options.units
        )
        target = _value(series.target, series.unit, plan, options)
        figures.append(
            f'<figure class="panel"><h3>{esc(series.label)} <small>cumulative</small></h3>{svg}'
            '<figcaption class="legend"><span class="l-actual">actual</span>'
            f'<span class="l-target">paced target (full: {target})</span>'
            '<span class="l-last-year">last year</span></figcaption></figure>'
        )
    for chart in report.group_charts:
        svg = group_chart(chart, currency=plan.currency, units=options.units)
        floor = _value(chart.floor, chart.unit, plan, options)
        figures.append(
            f'<figure class="panel"><h3>{esc(chart.label)} '
            f"<small>{esc(chart.metric)} per {esc(chart.dimension)}, "
            f"{esc(chart.window)}</small></h3>{svg}"
            '<figcaption class="legend"><span class="l-ok">at or above the floor</span>'
            '<span class="l-below">below the floor</span>'
            f'<span class="l-floor">floor {floor}</span></figcaption></figure>'
        )
    if not figures:
        return ""
    return f'<section><h2>Charts</h2><div class="charts">{"".join(figures)}</div></section>\n'


def _goal_row(goal: GoalProgress, plan: PlanResult, options: RenderOptions) -> str:
    shown = goal_cells(goal, currency=plan.currency, units=options.units)
    target = esc(shown.target)
    actual = esc(shown.actual)
    projection = _value(goal.projection, goal.unit, plan, options)
    label = esc(goal.label)
    ident = f'<span class="id">{esc(goal.id)}</span>' if goal.label != goal.id else ""
    if goal.notes:
        ident += f'<span class="id">{esc(goal.notes)}</span>'
    return (
        f'<tr><td class="name">{label}{ident}</td><td data-label="Scope">{esc(goal.scope)}</td>'
        f'<td class="num" data-label="Target">{target}</td>'
        f'<td class="num" data-label="Actual">{actual}</td>'
        f'<td class="num" data-label="Expected">{esc(shown.expected)}</td>'
        f'<td class="wide" data-label="Progress">{_progress_bar(goal.progress, goal.status)}'
        f'<span class="id">{esc(format_fraction(goal.progress))}</span></td>'
        f'<td class="num" data-label="Projection">{projection}</td>'
        f'<td data-label="Status"><span class="badge s-{goal.status}">'
        f"{STATUS_TEXT[goal.status]}</span></td></tr>"
    )


def _budget_section(plan: PlanResult, options: RenderOptions) -> str:
    if not plan.budget:
        return ""
    rows = [_budget_row(row, plan, options) for row in plan.budget]
    return (
        "<section><h2>Budget burn <small>spent to date against the planned amount</small></h2>"
        '<div class="panel scroll"><table class="stack"><thead><tr><th>Line</th>'
        '<th class="num">Share</th>'
        '<th class="num">Planned</th><th class="num">Spent</th><th class="num">Expected</th>'
        '<th class="num">Remaining</th><th>Burn</th><th>Status</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div></section>\n"
    )


def _budget_row(row: BudgetRow, plan: PlanResult, options: RenderOptions) -> str:
    money = "currency"
    used = row.used
    if used is None and row.planned and row.spent is not None:
        used = row.spent / row.planned
    marker = None
    if row.planned and row.expected is not None:
        marker = row.expected / row.planned
    label = esc(row.label)
    ident = f'<span class="id">{esc(row.line)}</span>' if row.label != row.line else ""
    return (
        f'<tr class="depth-{min(row.depth, 2)}"><td class="name">{label}{ident}</td>'
        f'<td class="num" data-label="Share">{esc(format_fraction(row.share))}</td>'
        f'<td class="num" data-label="Planned">{_value(row.planned, money, plan, options)}</td>'
        f'<td class="num" data-label="Spent">{_value(row.spent, money, plan, options)}</td>'
        f'<td class="num" data-label="Expected">{_value(row.expected, money, plan, options)}</td>'
        f'<td class="num" data-label="Remaining">{_value(row.remaining, money, plan, options)}</td>'
        f'<td class="wide" data-label="Burn">{_progress_bar(used, row.status, marker)}'
        f'<span class="id">{esc(format_fraction(used))}{" used" if used is not None else ""}'
        "</span></td>"
        f'<td data-label="Status"><span class="badge s-{row.status}">'
        f"{STATUS_TEXT[row.status]}</span></td></tr>"
    )


def _alert_section(plan: PlanResult, report: ReportData | None, options: RenderOptions) -> str:
    alerts = sorted(plan.alerts, key=_alert_key)
    if alerts:
        items = "".join(_alert_item(alert, plan, options) for alert in alerts)
        body = f'<ul class="alerts">{items}</ul>'
    else:
        body = '<p class="empty">No alert fires.</p>'
    return (
        f"<section><h2>Alerts <small>{len(alerts)} firing</small></h2>{body}</section>\n"
    )


def _alert_key(alert: AlertResult) -> tuple[int, str, tuple[tuple[str, str], ...], str]:
    return (SEVERITY_ORDER[alert.severity], alert.rule, alert.group, alert.window)


def _alert_item(alert: AlertResult, plan: PlanResult, options: RenderOptions) -> str:
    where = " · ".join(part for part in (format_group(alert.group), alert.window) if part)
    what = alert_value(alert, currency=plan.currency, units=options.units)
    action = (
        f'<p class="action"><b>Action</b>{esc(alert.action)}</p>' if alert.action else ""
    )
    return (
        f'<li class="alert {alert.severity}"><div class="head">'
        f'<span class="badge s-{alert.severity}">{alert.severity}</span>'
        f'<span class="rule">{esc(alert.label)}</span>'
        f'<span class="where">{esc(where)}</span></div>'
        f'<p class="numbers">{esc(what)}</p>{action}</li>'
    )


def _quality_section(plan: PlanResult) -> str:
    quality = [d for d in plan.diagnostics if d.code in DATA_QUALITY_CODES]
    other = [d for d in plan.diagnostics if d.code not in DATA_QUALITY_CODES]
    quality.sort(key=lambda d: (DATA_QUALITY_CODES.index(d.code), *d.sort_key()))
    other.sort(key=lambda d: (SEVERITY_ORDER[d.severity], *d.sort_key()))
    body = (
        f'<ul class="notes">{_notes(quality)}</ul>'
        if quality
        else '<p class="empty">No data-quality issues: the feed is fresh, every channel is '
        "mapped, no duplicate rows.</p>"
    )
    parts = [f'<section><h2>Data quality</h2><div class="panel">{body}</div></section>\n']
    if other:
        parts.append(
            '<section><h2>Plan notes</h2><div class="panel">'
            f'<ul class="notes">{_notes(other)}</ul></div></section>\n'
        )
    return "".join(parts)


def _notes(diagnostics: Iterable[Diagnostic]) -> str:
    items = []
    for diag in diagnostics:
        location = format_location(diag.file, diag.line, diag.column)
        if diag.path:
            location += f" ({diag.path})" if location else diag.path
        loc = f'<span class="loc">{esc(location)}</span>' if location else ""
        hint = f'<span class="hint">{esc(diag.hint)}</span>' if diag.hint else ""
        items.append(
            f'<li><span class="badge s-{diag.severity}">{esc(diag.code)}</span>'
            f'<span class="msg">{esc(diag.message)}{loc}{hint}</span></li>'
        )
    return "".join(items)

