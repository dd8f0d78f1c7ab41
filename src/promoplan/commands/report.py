"""``promoplan report``: the weekly (monthly, quarterly) report, for cron (SPEC section 7).

Two steps, so that the CLI can hold the output lock between them: :func:`prepare`
loads the plan and settles the report window and the output file before any
actuals are read; :func:`evaluate_report` reads the actuals once, evaluates year
to date once and adds the report's own data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from promoplan.diagnostics import Diagnostic, stopped_by, without_codes
from promoplan.errors import UsageProblem
from promoplan.inputs import (
    Progress,
    expand_actuals,
    ignored_codes,
    parse_as_of,
    read_inputs,
)
from promoplan.lag import lag_diagnostics
from promoplan.loader import LoadedPlan, load_plan
from promoplan.output import EXTENSIONS, output_target
from promoplan.result import PlanResult, Run, Window
from promoplan.rowspans import report_windows
from promoplan.vocabulary import ReportKind
from promoplan.windows import choose_kind

FAIL_ON = ("error", "warning", "never")


@dataclass(frozen=True)
class ReportJob:
    """A report settled before the read: the plan, the window, the one before and the file."""

    loaded: LoadedPlan
    files: tuple[str, ...]
    as_of: dt.date
    kind: ReportKind
    window: Window | None  # None when the plan has errors: nothing is read or written
    previous: Window | None
    target: Path | None  # None: stdout
    fail_on: str


@dataclass(frozen=True)
class ReportOutcome:
    """The report's run, or the diagnostics that stopped it (then no report is written)."""

    run: Run | None
    failures: tuple[Diagnostic, ...] = ()


def report_day(text: str | None) -> dt.date:
    """``--as-of``, else today (UTC), so that a dead feed shows as stale data."""
    given = parse_as_of(text)
    return given if given is not None else dt.datetime.now(dt.timezone.utc).date()


def prepare(
    plan_path: Path,
    actuals: Sequence[str],
    *,
    fmt: str,
    as_of: str | None,
    week: str | None,
    month: str | None,
    quarter: str | None,
    output: Path | None,
    fail_on: str,
    output_directory: bool = False,
) -> ReportJob:
    """Check the options, load the plan, settle the window and the output file."""
    if fail_on not in FAIL_ON:
        raise UsageProblem(f"unknown --fail-on {fail_on!r}; choose error, warning or never")
    if fmt not in EXTENSIONS:
        raise UsageProblem(
            f"unknown format {fmt!r} for report; choose one of: {', '.join(EXTENSIONS)}"
        )
    kind, spec = choose_kind(week, month, quarter)
    day = report_day(as_of)
    files = tuple(expand_actuals(actuals))
    loaded = load_plan(plan_path)
    plan = loaded.plan
    if plan is None or any(d.severity == "error" for d in loaded.diagnostics):
        return ReportJob(loaded, files, day, kind, None, None, None, fail_on)
    window, previous = report_windows(kind, spec, plan, day)
    target = output_target(output, plan_path, window.label, fmt, directory=output_directory)
    return ReportJob(loaded, files, day, kind, window, previous, target, fail_on)


def evaluate_report(
    job: ReportJob,
    *,
    ignore: Sequence[str] = (),
    encoding: str | None = None,
    progress: Progress | None = None,
    timeout: float | None = None,
) -> ReportOutcome:
    """Read the actuals, evaluate year to date as of the job's day, add the report's data."""
    window, previous = job.window, job.previous
    span = None
    if window is not None and previous is not None:
        span = (previous.start, max(window.end, job.as_of))
    inputs = read_inputs(
        job.loaded, job.files, encoding=encoding, span=span, progress=progress, timeout=timeout
    )
    codes = ignored_codes(ignore, inputs.plan)
    if not inputs.ok or window is None or previous is None:
        return ReportOutcome(None, stopped_by(inputs.diagnostics, codes))

    from promoplan.evaluate import Evaluator  # noqa: PLC0415  # the evaluation core, on use
    from promoplan.reportdata import (  # noqa: PLC0415
        kpi_baseline_diagnostics,
        report_data,
        stale_diagnostics,
    )
    from promoplan.rowspans import summed  # noqa: PLC0415
    from promoplan.windows import parse_period  # noqa: PLC0415

    plan, actuals = inputs.plan, inputs.actuals
    assert plan is not None  # inputs.ok
    assert actuals is not None
    # Over weekly or monthly rows, the whole rows inside: the window summed.
    ytd = summed(parse_period("ytd", plan, job.as_of), plan.actuals.grain, plan.actuals.week_start)
    latest = actuals.last_date
    # PA020 when the whole feed lags the window. PA013 for a metric that lags the others,
    # or, when the window is covered, that lags as-of: the goals are as of it (a past
    # week reported today judges the year on the data there is).
    stale = stale_diagnostics(actuals, window, plan.actuals.grain)
    lag_day = latest if stale or latest is None else max(latest, job.as_of)
    lagging = lag_diagnostics(plan, actuals, lag_day) if lag_day is not None else ()
    evaluator = Evaluator(
        plan,
        actuals.cube,
        as_of=job.as_of,
        window=ytd,
        locate=inputs.loaded.locate,
        curves=inputs.curves,
        file=inputs.loaded.file,
    )
    result = evaluator.result(
        file=inputs.loaded.file,
        diagnostics=inputs.diagnostics
        + lagging
        + stale
        + kpi_baseline_diagnostics(plan, evaluator.rollup, previous),
    )
    result = replace(
        result,
        diagnostics=without_codes(result.diagnostics, codes),
        report=report_data(
            evaluator, kind=job.kind, window=window, previous=previous, goals=result.goals
        ),
    )
    return ReportOutcome(Run("report", (result,)))


def report_exit_status(result: PlanResult, fail_on: str) -> int:
    """0 unless ``--fail-on`` names a severity that was found."""
    counts = result.counts
    if fail_on == "error":
        return 1 if counts["error"] else 0
    if fail_on == "warning":
        return 1 if counts["error"] or counts["warning"] else 0
    return 0


def report_notice(result: PlanResult, job: ReportJob) -> str:
    """What a report run says on stderr: stale data (PA020) or an empty window (PA022), then
    one line naming the window.

    A report on last year's data without ``--as-of`` would otherwise "succeed" silently
    with empty KPIs; the warning is inside the file, where cron never looks.
    """
    from promoplan.render.findings import diagnostic_listing  # noqa: PLC0415
    from promoplan.render.text import count_words  # noqa: PLC0415
    from promoplan.windows import span_text  # noqa: PLC0415

    stale = [d for d in result.diagnostics if d.code in ("PA020", "PA022")]
    lines = diagnostic_listing(stale, job.loaded.file) if stale else ""
    window = result.report.window if result.report is not None else job.window
    if window is None:
        return lines
    where = f", written to {job.target}" if job.target is not None else ""
    words = count_words(result.counts)
    shown = [span_text(window.start, window.end)] if window.start <= window.end else []
    shown += [window.summed] if window.summed else []  # "no whole month" alone when empty
    return (
        lines + f"promoplan: {job.kind}ly report {window.label} ({', '.join(shown)}), "
        f"as of {job.as_of.isoformat()}{where}: {words}\n"
    )
