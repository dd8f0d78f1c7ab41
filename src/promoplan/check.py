"""``promoplan check``: load a plan and its actuals, evaluate them, collect every finding.

The pieces are public for ``report``: :func:`load_inputs` reads the plan and
the actuals once, :func:`resolve_as_of` and :func:`lag_diagnostics` settle the
date, and :func:`promoplan.evaluate.evaluate` takes any window.
"""

from __future__ import annotations

import datetime as dt
import glob
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from promoplan.diagnostics import Diagnostic, diagnostic, without_codes
from promoplan.errors import UsageProblem
from promoplan.formula import parse_formula
from promoplan.loader import LoadedPlan, load_plan
from promoplan.model import Plan
from promoplan.result import PlanResult, Run, Window
from promoplan.validate import plan_result
from promoplan.windows import parse_period, year_earlier

if TYPE_CHECKING:
    from promoplan.actuals.model import Actuals, ActualsSpec

LAG_DAYS = 7
PROGRESS_DELAY = 1.0  # seconds before a progress bar appears: short reads stay quiet
_GLOB_CHARS = frozenset("*?[")


@dataclass(frozen=True)
class Inputs:
    """A plan and its actuals, each read once, with every diagnostic so far."""

    loaded: LoadedPlan
    actuals: Actuals | None
    diagnostics: tuple[Diagnostic, ...]

    @property
    def plan(self) -> Plan | None:
        """The plan, when it loaded."""
        return self.loaded.plan

    @property
    def ok(self) -> bool:
        """True when the plan and the actuals have no error, so evaluation may run."""
        return (
            self.loaded.plan is not None
            and self.actuals is not None
            and not any(d.severity == "error" for d in self.diagnostics)
        )


def expand_actuals(patterns: Sequence[str]) -> list[str]:
    """Files named by ``--actuals``: globs expanded (sorted), duplicates dropped, order kept."""
    if not patterns:
        raise UsageProblem(
            "no actuals given: pass --actuals FILE (repeatable, or a glob such as 'data/*.csv')"
        )
    found: dict[str, None] = {}
    for pattern in patterns:
        if any(char in pattern for char in _GLOB_CHARS):
            matches = sorted(p for p in glob.glob(pattern, recursive=True) if Path(p).is_file())
            if not matches:
                raise UsageProblem(f"--actuals {pattern!r} matches no file; check the pattern")
            found.update(dict.fromkeys(matches))
            continue
        path = Path(pattern)
        if path.is_dir():
            raise UsageProblem(
                f"--actuals {pattern}: is a directory; "
                f"name CSV files or a glob such as '{pattern}/*.csv'"
            )
        if not path.is_file():
            raise UsageProblem(f"--actuals {pattern}: no such file; check the path")
        found[pattern] = None
    return list(found)


def parse_as_of(text: str | None) -> dt.date | None:
    """``--as-of YYYY-MM-DD``; :class:`UsageProblem` for anything else."""
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise UsageProblem(
            f"--as-of {text!r} is not a date; write it as YYYY-MM-DD, e.g. 2025-06-29"
        ) from None


def needed_metrics(plan: Plan) -> list[str]:
    """Metrics that goals, alerts, the budget and the report use, with those their formulas name."""
    wanted: list[str] = [goal.metric for goal in plan.goals.values()]
    for quarter in plan.quarters.values():
        wanted.extend(goal.metric for goal in quarter.goals.values())
    for rule in plan.alerts.values():
        wanted.append(rule.metric)
        wanted.extend(rule.min)
    if plan.budget is not None:
        wanted.append(plan.budget.spend_metric)
    if plan.report is not None:
        wanted.extend(plan.report.kpis)
    ordered: dict[str, None] = {}
    while wanted:
        name = wanted.pop(0)
        metric = plan.metrics.get(name)
        if name in ordered or metric is None:
            continue
        ordered[name] = None
        if metric.formula is not None:
            wanted.extend(sorted(parse_formula(metric.formula).names))
    return list(ordered)


def used_dimensions(plan: Plan) -> list[str]:
    """Dimensions that ``channels``, the budget, ``by`` and ``where`` refer to."""
    used: set[str] = set()
    if plan.channels or plan.budget is not None:
        used.add("channel")
    for metric in plan.metrics.values():
        used.update(metric.where or {})
    goals = list(plan.goals.values())
    for quarter in plan.quarters.values():
        goals.extend(quarter.goals.values())
    for goal in goals:
        used.update(goal.where or {})
    for rule in plan.alerts.values():
        used.update(rule.where or {})
        if rule.by is not None:
            used.add(rule.by)
    return sorted(used)


def actuals_spec(
    plan: Plan, *, encoding: str | None = None, span: tuple[dt.date, dt.date] | None = None
) -> ActualsSpec:
    """What to read from the actuals for this plan; ``span`` widens the dates kept."""
    from promoplan.actuals.model import ActualsSpec  # noqa: PLC0415  # keep check's imports light

    section = plan.actuals
    dimensions = dict(section.dimensions)
    for name in used_dimensions(plan):
        dimensions.setdefault(name, name)  # undeclared: the column of the same name
    columns: dict[str, None] = {}
    extrema: set[str] = set()  # only min/max metrics need per-cell extremes, which cost a scan
    for name in needed_metrics(plan):
        metric = plan.metrics[name]
        if metric.column is not None:
            columns[metric.column] = None
            if metric.agg in ("min", "max"):
                extrema.add(metric.column)
    start, end = plan.span
    if span is not None:
        start, end = min(start, span[0]), max(end, span[1])
    return ActualsSpec(
        date_column=section.date,
        dimensions=tuple(dimensions.items()),
        columns=tuple(columns),
        grain=section.grain,
        date_format=section.date_format,
        encoding=encoding,
        keep_from=year_earlier(start),
        keep_to=end,
        channel_dimension="channel" if plan.channels else None,
        known_channels=frozenset(plan.channels) if plan.channels else None,
        extrema=frozenset(extrema),
    )


class _DelayedProgress:
    """A rich progress bar on stderr that appears only once a read has taken over a second."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.progress: Any = None
        self.task: Any = None

    def __call__(self, done: int, total: int) -> None:
        """Report ``done`` of ``total`` bytes read."""
        if self.progress is None:
            if time.monotonic() - self.started < PROGRESS_DELAY:
                return
            from rich.console import Console  # noqa: PLC0415  # only for long reads
            from rich.progress import Progress  # noqa: PLC0415

            self.progress = Progress(console=Console(stderr=True), transient=True)
            self.progress.start()
            self.task = self.progress.add_task("reading actuals", total=total)
        self.progress.update(self.task, completed=done, total=total)

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()


def read_files(files: Sequence[str], spec: ActualsSpec, *, show_progress: bool) -> Actuals:
    """Read the actuals, with a delayed progress bar on a terminal."""
    from promoplan.actuals import read_actuals  # noqa: PLC0415  # DuckDB only when actuals are read

    bar = _DelayedProgress() if show_progress else None
    try:
        return read_actuals(files, spec, progress=bar)
    finally:
        if bar is not None:
            bar.close()


def load_inputs(
    plan_path: Path,
    actuals: Sequence[str],
    *,
    encoding: str | None = None,
    show_progress: bool = False,
    span: tuple[dt.date, dt.date] | None = None,
    before_read: Callable[[Plan], tuple[dt.date, dt.date] | None] | None = None,
) -> Inputs:
    """Load the plan, then (when it has no error) read its actuals once.

    ``before_read`` runs on the loaded plan before the actuals are read, so that
    option errors that need the plan surface without waiting for a long read; the
    dates it returns, like ``span``, widen what is kept beyond the period.
    """
    files = expand_actuals(actuals)
    loaded = load_plan(plan_path)
    plan = loaded.plan
    if plan is None or any(d.severity == "error" for d in loaded.diagnostics):
        return Inputs(loaded, None, loaded.diagnostics)
    if before_read is not None:
        extra = before_read(plan)
        if extra is not None:
            span = extra if span is None else (min(span[0], extra[0]), max(span[1], extra[1]))
    read = read_files(
        files, actuals_spec(plan, encoding=encoding, span=span), show_progress=show_progress
    )
    return Inputs(loaded, read, loaded.diagnostics + tuple(read.diagnostics))


def latest_date_within(actuals: Actuals, start: dt.date, end: dt.date) -> dt.date | None:
    """The latest date with data between ``start`` and ``end``."""
    days = [row.day for row in actuals.cube.rows if start <= row.day <= end]
    return max(days) if days else None


def resolve_as_of(plan: Plan, actuals: Actuals, given: dt.date | None) -> dt.date:
    """``--as-of``, else the latest date in the actuals within the period (else its first day)."""
    if given is not None:
        return given
    start, end = plan.span
    return latest_date_within(actuals, start, end) or start


def lag_diagnostics(plan: Plan, actuals: Actuals, as_of: dt.date) -> tuple[Diagnostic, ...]:
    """PA013 for each file that reaches into the period but ends more than 7 days before as-of."""
    period_start, _ = plan.span
    found: list[Diagnostic] = []
    for summary in actuals.files:
        last = summary.last_date
        if last is None or last < period_start:
            continue  # no dates, or a file of last year's baseline only
        lag = (as_of - last).days
        if lag > LAG_DAYS:
            found.append(
                diagnostic(
                    "PA013",
                    f"{summary.path} ends on {last.isoformat()}, {lag} days before as-of "
                    f"{as_of.isoformat()}: its metrics lag",
                    file=summary.path,
                    hint=f"add the missing days, or pass --as-of {last.isoformat()}",
                )
            )
    return tuple(found)


def _ignored(result: PlanResult, ignore: Iterable[str], plan: Plan | None) -> PlanResult:
    codes = [*ignore, *(plan.ignore if plan is not None else ())]
    return replace(result, diagnostics=without_codes(result.diagnostics, codes))


def run_check(
    plan_path: Path,
    actuals: Sequence[str],
    *,
    as_of: str | None,
    period: str | None,
    encoding: str | None,
    ignore: Sequence[str],
    show_progress: bool,
) -> Run:
    """``promoplan check``: diagnostics, goals, budget and alerts of one plan."""
    given = parse_as_of(as_of)

    def check_period(plan: Plan) -> tuple[dt.date, dt.date]:
        # A bad --period fails before a long read; a window outside the period widens what is kept.
        window = parse_period(period, plan, given or plan.span[0])
        return window.start, window.end

    inputs = load_inputs(
        plan_path, actuals, encoding=encoding, show_progress=show_progress, before_read=check_period
    )
    plan = inputs.plan
    if inputs.actuals is None:
        return Run("check", (plan_result(inputs.loaded, ignore),))
    if plan is None or not inputs.ok:
        result = PlanResult(
            file=inputs.loaded.file,
            name=plan.name if plan is not None else None,
            period=plan.span if plan is not None else None,
            currency=plan.currency if plan is not None else "CNY",
            diagnostics=inputs.diagnostics,
        )
        return Run("check", (_ignored(result, ignore, plan),))
    return Run("check", (check_inputs(inputs, as_of=given, period=period, ignore=ignore),))


def check_inputs(
    inputs: Inputs, *, as_of: dt.date | None, period: str | None, ignore: Sequence[str] = ()
) -> PlanResult:
    """Evaluate loaded inputs (no errors among them) over ``--period`` as of ``--as-of``."""
    from promoplan.evaluate import evaluate  # noqa: PLC0415  # the evaluation core, only when evaluating

    plan, actuals = inputs.plan, inputs.actuals
    assert plan is not None  # callers check Inputs.ok
    assert actuals is not None
    day = resolve_as_of(plan, actuals, as_of)
    window: Window = parse_period(period, plan, day)
    result = evaluate(
        plan,
        actuals,
        file=inputs.loaded.file,
        locate=inputs.loaded.locate,
        as_of=day,
        window=window,
        diagnostics=inputs.diagnostics + lag_diagnostics(plan, actuals, day),
    )
    return _ignored(result, ignore, plan)
