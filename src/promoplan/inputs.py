"""What the commands share: the plan and its actuals read once, as-of settled, lag noted.

The commands (:mod:`promoplan.commands`) stand side by side on this module and
never on each other: ``check`` and ``report`` load a plan, settle their windows
from it, then read its actuals once with :func:`read_inputs`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import glob
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from promoplan.actuals.pipes import is_pipe
from promoplan.actuals.warehouse import is_url, is_warehouse_url
from promoplan.diagnostics import Diagnostic, plan_ignorable, without_codes
from promoplan.errors import UsageProblem
from promoplan.formula import parse_formula
from promoplan.lag import lag_diagnostics
from promoplan.loader import LoadedPlan
from promoplan.model import Plan
from promoplan.modelactuals import Unpivot
from promoplan.modelpacing import CurvePacing
from promoplan.output import note_input
from promoplan.planindex import plan_index
from promoplan.result import PlanResult, Window
from promoplan.rowspans import row_span, summed
from promoplan.windows import check_year, clip, parse_period, year_earlier

if TYPE_CHECKING:
    from promoplan.actuals.model import Actuals, ActualsSpec, UnpivotSpec
    from promoplan.seasonal import DailyCurve

_GLOB_CHARS = frozenset("*?[")

Progress = Callable[[int, int], None]  # (bytes done, bytes in all), for a progress bar


@dataclass(frozen=True)
class Inputs:
    """A plan and its actuals, each read once, with every diagnostic so far."""

    loaded: LoadedPlan
    actuals: Actuals | None
    diagnostics: tuple[Diagnostic, ...]
    curves: dict[str, DailyCurve] = field(default_factory=dict)  # pacing curve files, read

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


def usable(loaded: LoadedPlan) -> Plan | None:
    """The loaded plan when it has no error (so its actuals may be read), else None."""
    if loaded.plan is None or any(d.severity == "error" for d in loaded.diagnostics):
        return None
    return loaded.plan


_NO_ACTUALS = "no actuals given: pass --actuals FILE (repeatable, or a glob such as 'data/*.csv')"


def expand_actuals(patterns: Sequence[str]) -> list[str]:
    """Files named by ``--actuals``: globs expanded (sorted), order kept.

    A file named twice (two globs matching it) is kept twice: the reader reads it
    once and says so (PA016), so that an overlap of the globs is not silent.

    None given is not an error yet: the plan may name a database source
    (``actuals.source``); :func:`read_inputs` decides once the plan is loaded.
    A database source URL is kept as given.
    """
    found: list[str] = []
    for pattern in patterns:
        if not pattern.strip():  # "" would be the current directory, " " a file named so
            raise UsageProblem(
                f"--actuals {pattern!r} is empty (an unset variable?); name a CSV file, "
                "a glob such as 'data/*.csv', or a database URL"
            )
        if is_warehouse_url(pattern):  # a database source, read by promoplan.actuals.warehouse
            if pattern not in found:
                found.append(pattern)
            continue
        if is_url(pattern):  # mysql://, file://: a URL, but of no source promoplan reads
            from promoplan.actuals.warehouse.urls import not_a_source  # noqa: PLC0415

            raise not_a_source(pattern)
        if any(char in pattern for char in _GLOB_CHARS):
            matches = sorted(p for p in glob.glob(pattern, recursive=True) if Path(p).is_file())
            if not matches:
                raise UsageProblem(f"--actuals {pattern!r} matches no file; check the pattern")
            found += matches
            continue
        path = Path(pattern)
        if path.is_dir():
            raise UsageProblem(
                f"--actuals {pattern}: is a directory; "
                f"name CSV files or a glob such as '{pattern}/*.csv'"
            )
        if not path.is_file() and not is_pipe(path):
            if path.exists():
                raise UsageProblem(
                    f"--actuals {pattern}: is neither a file nor a pipe; name a CSV file"
                )
            raise UsageProblem(f"--actuals {pattern}: no such file; check the path")
        found.append(pattern)
    for name in dict.fromkeys(found):
        note_input(Path(name))  # --output may not name it
    return found


def parse_as_of(text: str | None) -> dt.date | None:
    """``--as-of YYYY-MM-DD`` (None when not given); :class:`UsageProblem` for anything else."""
    if text is None:
        return None
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise UsageProblem(
            f"--as-of {text!r} is not a date; write it as YYYY-MM-DD, e.g. 2025-06-29"
        ) from None
    # Windows around as-of (a week, a month, last year) must stay valid dates.
    check_year(day.year, "--as-of", text.strip())
    return day


def needed_metrics(plan: Plan) -> list[str]:
    """Metrics that goals, alerts, the budget and the report use, with those their formulas name."""
    wanted: list[str] = [ref.goal.metric for ref in plan_index(plan).goals]
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
    if plan.actuals.unpivot is not None:
        used.add(plan.actuals.unpivot.dimension)
    for metric in plan.metrics.values():
        used.update(metric.where or {})
    for ref in plan_index(plan).goals:
        used.update(ref.goal.where or {})
    for rule in plan.alerts.values():
        used.update(rule.where or {})
        if rule.by is not None:
            used.add(rule.by)
    return sorted(used)


def read_values(plan: Plan) -> tuple[tuple[str, frozenset[str]], ...]:
    """The dimensions the plan reads only by value, with those values.

    ``where`` filters and the budget's channels name the values they read; an
    alert's ``by`` reads every value of its dimension, so such a dimension is not
    listed. A dimension ``actuals.dimensions`` declares that nothing reads is
    listed with no values. The engine sums the other values of a listed dimension
    into one (after the repeated-row checks, which see every value).
    """
    by = {rule.by for rule in plan.alerts.values() if rule.by is not None}
    named: dict[str, set[str]] = {}
    wheres = [metric.where for metric in plan.metrics.values()]
    wheres += [ref.goal.where for ref in plan_index(plan).goals]
    wheres += [rule.where for rule in plan.alerts.values()]
    for where in wheres:
        for dimension, raw in (where or {}).items():
            values = raw if isinstance(raw, (list, tuple)) else [raw]
            named.setdefault(dimension, set()).update(str(v).strip() for v in values)
    if plan.channels or plan.budget is not None:
        named.setdefault("channel", set()).update(plan.channels or {})
    used = set(used_dimensions(plan))
    for dimension in plan.actuals.dimensions:
        if dimension not in used:  # declared, read by nothing: one value per day
            named.setdefault(dimension, set())
    return tuple(
        (dimension, frozenset(values))
        for dimension, values in sorted(named.items())
        if dimension not in by
    )


def actuals_spec(
    plan: Plan,
    *,
    encoding: str | None = None,
    span: tuple[dt.date, dt.date] | None = None,
    timeout: float | None = None,
) -> ActualsSpec:
    """What to read from the actuals for this plan; ``span`` widens the dates kept."""
    # keep validate's imports light
    from promoplan.actuals.model import (  # noqa: PLC0415
        ActualsSpec,
        Computed,
        LongSpec,
        measure_key,
    )

    section = plan.actuals
    dimensions = dict(section.dimensions)
    for name in used_dimensions(plan):
        dimensions.setdefault(name, name)  # undeclared: the column of the same name
    columns: dict[str, None] = {}
    computed: dict[str, Computed] = {}
    extrema: set[str] = set()  # only min/max metrics need per-cell extremes, which cost a scan
    counted: set[str] = set()  # only means and counts of cells read the counts of values
    for name in needed_metrics(plan):
        metric = plan.metrics[name]
        key = measure_key(metric.column, metric.agg, metric.expr)
        if key is None:
            continue
        if metric.expr is not None:
            computed[key] = Computed(key, "expr", expr=metric.expr)
            columns.update(dict.fromkeys(sorted(parse_formula(metric.expr).names)))
        elif metric.agg == "count":
            computed[key] = Computed(
                key, "rows" if metric.column is None else "present", metric.column
            )
            if metric.column is not None:
                counted.add(metric.column)
        else:
            columns[key] = None
        if metric.agg in ("min", "max"):
            extrema.add(key)
        if metric.agg == "mean":
            counted.add(key)
    start, end = plan.span
    if span is not None:
        start, end = min(start, span[0]), max(end, span[1])
    return ActualsSpec(
        date_column=section.date,
        dimensions=tuple(dimensions.items()),
        columns=tuple(columns),
        grain=section.grain,
        week_start=section.week_start,
        date_format=section.date_format,
        encoding=encoding,
        keep_from=year_earlier(start),
        keep_to=end,
        channel_dimension="channel" if plan.channels else None,
        known_channels=frozenset(plan.channels) if plan.channels else None,
        extrema=frozenset(extrema),
        counted=frozenset(counted),
        timeout=timeout,
        computed=tuple(computed.values()),
        sheet=section.sheet,
        unpivot=_unpivot_spec(section.unpivot),
        long=LongSpec(section.metric_column, section.value_column)
        if section.layout == "long"
        else None,
        read_values=read_values(plan),
    )


def _unpivot_spec(unpivot: Unpivot | None) -> UnpivotSpec | None:
    """The plan's ``actuals.unpivot`` for the engine: patterns with ``{}``, names as pairs."""
    from promoplan.actuals.model import UnpivotSpec  # noqa: PLC0415  # keep validate's imports light

    if unpivot is None:
        return None
    slot = "{" + unpivot.dimension + "}"
    measures = tuple(
        (name, how.replace(slot, "{}"), ())
        if isinstance(how, str)
        else (name, None, tuple(how.items()))
        for name, how in unpivot.measures.items()
    )
    return UnpivotSpec(unpivot.dimension, measures)


@contextlib.contextmanager
def engine_ahead(files: Sequence[str]) -> Iterator[None]:
    """When ``files`` (from :func:`expand_actuals`) are files, the file engine's database
    opens on a thread while the block reads the plan, for :func:`read_inputs` to take;
    one the block did not take is closed at its end."""
    if not files or any(is_warehouse_url(f) for f in files):
        yield
        return
    from promoplan.actuals.session import drop_ahead, open_ahead  # noqa: PLC0415  # DuckDB only when actuals are read

    open_ahead()
    try:
        yield
    finally:
        drop_ahead()


def read_inputs(
    loaded: LoadedPlan,
    files: Sequence[str],
    *,
    encoding: str | None = None,
    span: tuple[dt.date, dt.date] | None = None,
    progress: Progress | None = None,
    timeout: float | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> Inputs:
    """Read the actuals of a loaded plan once (when it has no error); ``span`` widens the dates.

    ``meanwhile`` (work that does not need the actuals) runs while a database
    computes them; see :func:`promoplan.actuals.read_actuals`.
    """
    plan = usable(loaded)
    if plan is None:
        return Inputs(loaded, None, loaded.diagnostics)
    curves: dict[str, DailyCurve] = {}
    if _names_curves(plan):
        from promoplan.curvefile import read_curves  # noqa: PLC0415  # only plans that name curves

        # ``loaded.file`` is the plan's path as given: curve files are beside it.
        curves, problems = read_curves(plan, Path(loaded.file), loaded.file, loaded.locate)
        if problems:
            return Inputs(loaded, None, loaded.diagnostics + problems)
    from promoplan.actuals import read_actuals  # noqa: PLC0415  # DuckDB only when actuals are read

    # A database source in the plan (actuals.source) stands in for --actuals; a
    # URL's missing ?table= comes from actuals.table.
    if plan.actuals.source is not None or any(is_warehouse_url(f) for f in files):
        from promoplan.actuals.warehouse.plansource import plan_source  # noqa: PLC0415  # a database

        files = plan_source(list(files), plan.actuals.source, plan.actuals.table)
    if not files:
        raise UsageProblem(_NO_ACTUALS)
    spec = actuals_spec(plan, encoding=encoding, span=span, timeout=timeout)
    read = read_actuals(files, spec, progress=progress, meanwhile=meanwhile)
    return Inputs(loaded, read, loaded.diagnostics + tuple(read.diagnostics), curves)


def _names_curves(plan: Plan) -> bool:
    """True when the plan, a goal or the budget paces by a curve file."""
    given = [plan.pacing, *(ref.goal.pacing for ref in plan_index(plan).goals)]
    if plan.budget is not None:
        given.append(plan.budget.pacing)
    return any(isinstance(value, CurvePacing) for value in given)


def latest_date_within(actuals: Actuals, start: dt.date, end: dt.date) -> dt.date | None:
    """The latest date with data between ``start`` and ``end``."""
    days = [day for day in actuals.cube.days if start <= day <= end]
    return max(days) if days else None


def resolve_as_of(plan: Plan, actuals: Actuals, given: dt.date | None) -> dt.date:
    """``--as-of``, else the latest date in the actuals within the period (else its first day)."""
    if given is not None:
        return given
    start, end = plan.span
    latest = latest_date_within(actuals, start, end)
    if latest is None:
        return start
    return row_span(latest, plan.actuals.grain)[1]  # the last day the latest row covers


def ignored_codes(ignore: Iterable[str], plan: Plan | None) -> list[str]:
    """The codes to leave out: ``--ignore`` and the plan's own ``ignore:``."""
    return [*ignore, *(plan_ignorable(plan.ignore) if plan is not None else ())]


def prepare_evaluation() -> None:
    """Import the evaluation core ahead of :func:`check_inputs` (while a database computes)."""
    import promoplan.evaluate  # noqa: F401, PLC0415  # imported for check_inputs, ahead of time


def check_inputs(
    inputs: Inputs, *, as_of: dt.date | None, period: str | None, ignore: Sequence[str] = ()
) -> PlanResult:
    """Evaluate loaded inputs (no errors among them) over ``--period`` as of ``--as-of``.

    What ``check`` evaluates, and each test of ``promoplan test``.
    """
    from promoplan.evaluate import evaluate  # noqa: PLC0415  # the evaluation core, only when evaluating

    plan, actuals = inputs.plan, inputs.actuals
    assert plan is not None  # callers check Inputs.ok
    assert actuals is not None
    day = resolve_as_of(plan, actuals, as_of)
    # The window inside the plan period, as every goal and budget line sums it:
    # 2025-W01 of a 2025 plan is 2025-01-01..05, not from 2024-12-30.
    parsed = parse_period(period, plan, day)
    named = clip(parsed, Window("period", *plan.span)) or parsed
    result = evaluate(
        plan,
        actuals,
        file=inputs.loaded.file,
        locate=inputs.loaded.locate,
        as_of=day,
        # Over weekly or monthly rows the window is the whole rows inside it: printed as summed.
        window=summed(named, plan.actuals.grain, plan.actuals.week_start),
        named=named,
        diagnostics=inputs.diagnostics + lag_diagnostics(plan, actuals, day),
        curves=inputs.curves,
    )
    codes = ignored_codes(ignore, plan)
    return replace(result, diagnostics=without_codes(result.diagnostics, codes))
