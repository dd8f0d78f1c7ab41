"""``promoplan report``: the weekly (monthly, quarterly) report, for cron (SPEC section 7).

Orchestration only: choose the report window, load the plan and its actuals once
(:func:`promoplan.check.load_inputs`), evaluate year to date
(:func:`promoplan.evaluate.evaluate`), add the report's own data (headline KPIs,
chart series, stale-data notes) and write the result atomically under a lock.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import os
import re
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from promoplan.diagnostics import SEVERITY_ORDER, Diagnostic, diagnostic, without_codes
from promoplan.errors import Locked, UsageProblem
from promoplan.model import Goal, Plan
from promoplan.quantity import Quantity
from promoplan.result import (
    CumulativeSeries,
    GroupBar,
    GroupChart,
    Kpi,
    PlanResult,
    ReportData,
    Run,
    SeriesPoint,
    Window,
)
from promoplan.windows import (
    ONE_DAY,
    calendar_quarter,
    iso_week,
    last_complete_month,
    last_complete_week,
    month_of,
    plan_quarter,
    quarter_of,
    week_of,
    year_earlier,
)
from promoplan.windows import month as calendar_month

if TYPE_CHECKING:
    from promoplan.actuals.model import Actuals
    from promoplan.check import Inputs
    from promoplan.evaluate import Evaluator
    from promoplan.render import RenderOptions
    from promoplan.rollup import Rollup

Kind = Literal["week", "month", "quarter"]

STALE_DAYS = 7  # PA020: actuals end more than this many days before the report window ends
LOCK_WAIT_SECONDS = 5.0  # how long a second run waits for the lock before exit 75
LOCK_POLL_SECONDS = 0.1
EXTENSIONS = {"markdown": "md", "html": "html", "json": "json", "csv": "csv"}
FAIL_ON = ("error", "warning", "never")

_WEEK_RE = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)
_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER_RE = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)
_PLAN_QUARTER_RE = re.compile(r"^Q([1-4])$", re.IGNORECASE)
_SPELLINGS = {
    "week": "last, this, or an ISO week such as 2025-W23",
    "month": "last, this, or a month such as 2025-06",
    "quarter": "last, this, a quarter such as 2025-Q2, or a plan quarter such as Q2",
}


# -- the report window ----------------------------------------------------


def choose_kind(week: str | None, month_: str | None, quarter: str | None) -> tuple[Kind, str]:
    """Which report: ``--week`` (default ``last``), ``--month`` or ``--quarter``; one at most."""
    given = [(k, v) for k, v in (("week", week), ("month", month_), ("quarter", quarter)) if v]
    if len(given) > 1:
        names = " and ".join(f"--{k}" for k, _ in given)
        raise UsageProblem(f"{names} were both given; choose one of --week, --month or --quarter")
    if not given:
        return "week", "last"
    kind, value = given[0]
    return kind, value.strip()  # type: ignore[return-value]  # kind is one of the three literals


def report_window(kind: Kind, spec: str, plan: Plan, as_of: dt.date) -> Window:
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
            f"--{kind} {spec!r} is not a {kind} that exists; use {_SPELLINGS[kind]}"
        ) from None
    if window.start > as_of:
        raise UsageProblem(
            f"--{kind} {spec}: {window.label} starts after as-of {as_of.isoformat()}; "
            f"pass an earlier {kind} or a later --as-of"
        )
    return Window(window.label, window.start, min(window.end, as_of))


def _last(kind: Kind, plan: Plan, as_of: dt.date) -> Window:
    if kind == "week":
        return last_complete_week(as_of)
    if kind == "month":
        return last_complete_month(as_of)
    current = quarter_of(plan, as_of)
    return current if current.end <= as_of else quarter_of(plan, current.start - ONE_DAY)


def _containing(kind: Kind, plan: Plan, as_of: dt.date) -> Window:
    if kind == "week":
        return week_of(as_of)
    if kind == "month":
        return month_of(as_of)
    return quarter_of(plan, as_of)


def _named(kind: Kind, spec: str, plan: Plan) -> Window:
    if kind == "week" and (match := _WEEK_RE.match(spec)):
        return iso_week(int(match[1]), int(match[2]))
    if kind == "month" and (match := _MONTH_RE.match(spec)):
        return calendar_month(int(match[1]), int(match[2]))
    if kind == "quarter" and (match := _QUARTER_RE.match(spec)):
        return calendar_quarter(int(match[1]), int(match[2]))
    if kind == "quarter" and (match := _PLAN_QUARTER_RE.match(spec)):
        return plan_quarter(plan, f"Q{match[1]}")
    raise UsageProblem(f"unknown --{kind} {spec!r}; use {_SPELLINGS[kind]}")


def previous_report_window(kind: Kind, window: Window, plan: Plan) -> Window:
    """The window before: the previous week, month or quarter, as long as ``window`` so far."""
    before = window.start - ONE_DAY
    if kind == "week":
        whole = week_of(before)
    elif kind == "month":
        whole = month_of(before)
    else:
        whole = quarter_of(plan, before)
    # A window still in progress is compared with the same number of days of the one before.
    end = min(whole.end, whole.start + (window.end - window.start))
    return Window(whole.label, whole.start, end)


# -- output file, lock ----------------------------------------------------


def output_target(output: Path | None, plan_path: Path, label: str, fmt: str) -> Path | None:
    """``--output``: a file as given, or in a directory ``{plan-stem}-{period}.{ext}``."""
    if output is None:
        return None
    if output.is_dir():
        return output / f"{plan_path.stem}-{label}.{EXTENSIONS[fmt]}"
    return output


@contextlib.contextmanager
def output_lock(target: Path, wait: float | None = None) -> Iterator[None]:
    """Hold ``<target>.lock`` (``flock``) while writing; :class:`Locked` after ``wait`` seconds.

    The lock file is left in place (removing it would race with a waiting run);
    the kernel releases the lock when the process ends, however it ends.
    """
    try:
        import fcntl  # noqa: PLC0415  # POSIX only; elsewhere the report runs unlocked
    except ImportError:
        yield
        return
    lock_path = target.with_name(target.name + ".lock")
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as exc:
        raise UsageProblem(
            f"cannot create the lock file {lock_path}: {exc.strerror}; check the output directory"
        ) from None
    try:
        deadline = time.monotonic() + (LOCK_WAIT_SECONDS if wait is None else wait)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError:
                if time.monotonic() >= deadline:
                    raise Locked(
                        f"{target}: another promoplan report is writing it (lock {lock_path} "
                        "is held); gave up waiting, try again later"
                    ) from None
                time.sleep(LOCK_POLL_SECONDS)
        _remove_stale_temporaries(target)
        yield
    finally:
        os.close(fd)


def _remove_stale_temporaries(target: Path) -> None:
    """Temporary files a killed run left beside ``target`` (we hold the lock: none is live)."""
    directory = target.parent if str(target.parent) else Path(".")
    with contextlib.suppress(OSError):
        for leftover in directory.glob(f".{target.name}.*.tmp"):
            with contextlib.suppress(OSError):
                leftover.unlink()


# -- the report's data ----------------------------------------------------


def stale_diagnostics(actuals: Actuals, window: Window) -> tuple[Diagnostic, ...]:
    """PA020 when the actuals end more than 7 days before the window ends, or hold no date."""
    last = actuals.last_date
    hint = (
        "check the job that exports the actuals; to report an earlier week, pass --as-of"
    )
    if last is None:
        return (
            diagnostic(
                "PA020",
                f"stale data: the actuals hold no dated rows, and the report window "
                f"{window.label} ends {window.end.isoformat()}",
                hint=hint,
            ),
        )
    lag = (window.end - last).days
    if lag <= STALE_DAYS:
        return ()
    latest = [f.path for f in actuals.files if f.last_date == last]
    return (
        diagnostic(
            "PA020",
            f"stale data: the actuals end on {last.isoformat()}, {lag} days before the report "
            f"window {window.label} ends ({window.end.isoformat()})",
            file=sorted(latest)[0] if latest else None,
            hint=hint,
        ),
    )


def kpi_metrics(plan: Plan) -> list[str]:
    """``report.kpis``, else the metrics of the plan's goals (period goals, then quarters')."""
    if plan.report is not None and plan.report.kpis:
        wanted = list(plan.report.kpis)
    else:
        wanted = [goal.metric for goal in _all_goals(plan).values()]
    return [m for m in dict.fromkeys(wanted) if m in plan.metrics]


def _all_goals(plan: Plan) -> dict[str, Goal]:
    goals = dict(plan.goals)
    for name, quarter in plan.quarters.items():
        goals.update({f"{name}.{goal_id}": goal for goal_id, goal in quarter.goals.items()})
    return goals


def _ratio_change(value: float | None, previous: float | None) -> float | None:
    if value is None or previous is None or previous == 0:
        return None
    change = value / previous - 1
    return change if math.isfinite(change) else None


def build_kpis(plan: Plan, rollup: Rollup, window: Window, previous: Window) -> tuple[Kpi, ...]:
    """Each headline metric over the window and the one before, with the change."""
    directions: dict[str, Literal["at_least", "at_most"]] = {}
    for goal in _all_goals(plan).values():
        directions.setdefault(goal.metric, goal.direction)
    kpis = []
    for metric_id in kpi_metrics(plan):
        metric = plan.metrics[metric_id]
        value = rollup.value(metric_id, window.start, window.end)
        before = rollup.value(metric_id, previous.start, previous.end)
        kpis.append(
            Kpi(
                metric=metric_id,
                label=metric.label or metric_id,
                unit=metric.unit,
                value=value,
                previous=before,
                change=_ratio_change(value, before),
                direction=directions.get(metric_id),
            )
        )
    return tuple(kpis)


def build_series(plan: Plan, rollup: Rollup, as_of: dt.date) -> tuple[CumulativeSeries, ...]:
    """Each cumulative goal's metric, day by day: actual, paced target and last year, to date."""
    from promoplan.rollup import normalise_where  # noqa: PLC0415
    from promoplan.windows import Pacing  # noqa: PLC0415

    pacing = Pacing(plan)
    spans = {"period": plan.span, **plan.quarter_spans()}
    found = []
    for goal_id, goal in _all_goals(plan).items():
        target = goal.target
        if goal.per is not None or not isinstance(target, Quantity):
            continue  # per-window targets restart each window; unset targets have no line
        if not rollup.is_cumulative(goal.metric):
            continue
        start, end = spans[goal_id.split(".")[0] if "." in goal_id else "period"]
        where = normalise_where(goal.where)
        baseline = goal.baseline if isinstance(goal.baseline, Quantity) else None
        points = []
        for offset in range((end - start).days + 1):
            day = start + dt.timedelta(days=offset)
            fraction = pacing.fraction(start, end, day)
            actual = rollup.value(goal.metric, start, day, where) if day <= as_of else None
            last_year = rollup.value(goal.metric, year_earlier(start), year_earlier(day), where)
            if goal.growth is not None:
                base = baseline.value * fraction if baseline is not None else last_year
                paced = None if base is None else base * (1 + target.value)
            else:
                paced = target.value * fraction
            points.append(SeriesPoint(day=day, actual=actual, target=paced, last_year=last_year))
        full = points[-1].target if points else None
        metric = plan.metrics.get(goal.metric)
        label = (metric.label if metric is not None and metric.label else None) or goal.metric
        found.append(
            CumulativeSeries(
                goal=goal_id,
                label=f"{label} · {goal.label}" if goal.label else label,
                unit=metric.unit if metric is not None else "count",
                target=full,
                points=tuple(points),
            )
        )
    return tuple(found)


def build_group_charts(plan: Plan, evaluator: Evaluator) -> tuple[GroupChart, ...]:
    """Each ``below`` rule with ``by``: the metric per group in the rule's window, and its floor.

    Groups that the rule's ``min`` skips are left out, as they are from the alerts.
    """
    from promoplan.rollup import normalise_where  # noqa: PLC0415

    charts = []
    for rule_id, rule in plan.alerts.items():
        floor = rule.threshold
        if rule.condition != "below" or rule.by is None or not isinstance(floor, Quantity):
            continue
        window = evaluator.rule_window(rule)
        if window.end < window.start:
            continue
        where = normalise_where(rule.where)
        rollup = evaluator.rollup
        values = rollup.by_group(rule.metric, rule.by, window.start, window.end, where)
        minimums = [
            (q.value, rollup.by_group(name, rule.by, window.start, window.end, where))
            for name, q in rule.min.items()
            if isinstance(q, Quantity)
        ]
        bars = []
        for group, value in values.items():
            if group is None:
                continue
            small = any(
                (seen := found.get(group)) is None or seen < least for least, found in minimums
            )
            if not small:
                bars.append(GroupBar(group=group, value=value))
        metric = plan.metrics.get(rule.metric)
        charts.append(
            GroupChart(
                rule=rule_id,
                label=rule.label or rule_id,
                metric=rule.metric,
                unit=metric.unit if metric is not None else "count",
                dimension=rule.by,
                window=window.label,
                floor=floor.value,
                bars=tuple(sorted(bars, key=lambda bar: bar.group)),
            )
        )
    return tuple(charts)


# -- the command ----------------------------------------------------------


def parse_as_of(text: str | None) -> dt.date:
    """``--as-of``, else today (UTC), so that a dead feed shows as stale data."""
    from promoplan.check import parse_as_of as parse_date  # noqa: PLC0415

    given = parse_date(text)
    return given if given is not None else dt.datetime.now(dt.timezone.utc).date()


def report_exit_status(result: PlanResult, fail_on: str) -> int:
    """0 unless ``--fail-on`` names a severity that was found."""
    counts = result.counts
    if fail_on == "error":
        return 1 if counts["error"] else 0
    if fail_on == "warning":
        return 1 if counts["error"] or counts["warning"] else 0
    return 0


def print_diagnostics(diagnostics: Sequence[Diagnostic], file: str) -> None:
    """Findings on stderr, one per line (``file:line:col: error CODE message``), hints indented."""
    from promoplan.render.findings import diagnostic_location  # noqa: PLC0415
    from promoplan.render.text import (  # noqa: PLC0415
        count_words,
        neutralise_workflow_commands,
        one_line,
    )

    ordered = sorted(diagnostics, key=lambda d: (SEVERITY_ORDER[d.severity], *d.sort_key()))
    lines = []
    for diag in ordered:
        path = f" ({one_line(diag.path)})" if diag.path else ""
        where = one_line(diagnostic_location(diag, file))
        lines.append(f"{where}: {diag.severity} {diag.code} {one_line(diag.message)}{path}\n")
        if diag.hint:
            lines.append(f"    hint: {one_line(diag.hint)}\n")
    sys.stderr.write(neutralise_workflow_commands("".join(lines)))
    counts = {"error": 0, "warning": 0, "info": 0}
    for diag in diagnostics:
        counts[diag.severity] += 1
    sys.stderr.write(f"promoplan: no report written ({count_words(counts)})\n")


def run_report(
    plan: Path,
    actuals: Sequence[str],
    *,
    fmt: str,
    options: RenderOptions,
    as_of: str | None,
    week: str | None,
    month: str | None,
    quarter: str | None,
    output: Path | None,
    fail_on: str,
    ignore: Sequence[str],
    encoding: str | None,
) -> int:
    """``promoplan report``: write the report (stdout or ``--output``); return the exit status."""
    from promoplan.check import load_inputs  # noqa: PLC0415  # DuckDB only when a report runs

    if fail_on not in FAIL_ON:
        raise UsageProblem(f"unknown --fail-on {fail_on!r}; choose error, warning or never")
    if fmt not in EXTENSIONS:
        raise UsageProblem(
            f"unknown format {fmt!r} for report; choose one of: markdown, html, json, csv"
        )
    kind, spec = choose_kind(week, month, quarter)
    day = parse_as_of(as_of)
    chosen: dict[str, object] = {}

    with contextlib.ExitStack() as stack:

        def before_read(loaded: Plan) -> tuple[dt.date, dt.date]:
            # Settle the window and take the lock before a long read of the actuals.
            window = report_window(kind, spec, loaded, day)
            previous = previous_report_window(kind, window, loaded)
            target = output_target(output, plan, window.label, fmt)
            if target is not None:
                stack.enter_context(output_lock(target))
            chosen.update(window=window, previous=previous, target=target)
            return previous.start, max(window.end, day)

        inputs = load_inputs(
            plan, actuals, encoding=encoding, show_progress=sys.stderr.isatty(),
            before_read=before_read,
        )
        codes = [*ignore, *(inputs.plan.ignore if inputs.plan is not None else ())]
        if not inputs.ok:
            print_diagnostics(without_codes(inputs.diagnostics, codes), inputs.loaded.file)
            return 1
        result = build_result(
            inputs, as_of=day, kind=kind,
            window=chosen["window"], previous=chosen["previous"],  # type: ignore[arg-type]  # set by before_read
        )
        result = replace(result, diagnostics=without_codes(result.diagnostics, codes))
        from promoplan.render import render  # noqa: PLC0415

        text = render(fmt, Run("report", (result,)), options)  # type: ignore[arg-type]  # checked above
        target = chosen["target"]
        if isinstance(target, Path):
            from promoplan.output import write_atomic  # noqa: PLC0415

            write_atomic(target, text.encode("utf-8"))
        else:
            from promoplan.output import emit  # noqa: PLC0415

            emit(text, None)
    return report_exit_status(result, fail_on)


def build_result(
    inputs: Inputs, *, as_of: dt.date, kind: Kind, window: Window, previous: Window
) -> PlanResult:
    """Evaluate year to date as of ``as_of`` and add the report window's data."""
    from promoplan.check import lag_diagnostics  # noqa: PLC0415
    from promoplan.evaluate import Evaluator, evaluate  # noqa: PLC0415
    from promoplan.windows import parse_period  # noqa: PLC0415

    plan, actuals = inputs.plan, inputs.actuals
    assert plan is not None
    assert actuals is not None
    ytd = parse_period("ytd", plan, as_of)
    latest = actuals.last_date
    # PA013 for a file that lags the others; PA020 when the whole feed lags the window.
    lagging = lag_diagnostics(plan, actuals, latest) if latest is not None else ()
    result = evaluate(
        plan,
        actuals,
        file=inputs.loaded.file,
        locate=inputs.loaded.locate,
        as_of=as_of,
        window=ytd,
        diagnostics=inputs.diagnostics + lagging + stale_diagnostics(actuals, window),
    )
    evaluator = Evaluator(plan, actuals.cube, as_of=as_of, window=ytd)
    report = ReportData(
        kind=kind,
        window=window,
        previous=previous,
        kpis=build_kpis(plan, evaluator.rollup, window, previous),
        series=build_series(plan, evaluator.rollup, as_of),
        group_charts=build_group_charts(plan, evaluator),
    )
    return replace(result, report=report)

