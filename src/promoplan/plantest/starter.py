"""``promoplan init --tests PLAN``: starter tests generated from the plan's own thresholds.

For each alert rule, two tests with inline fixture rows: one whose numbers
cross the rule's threshold (the alert must fire, with its value) and one whose
numbers stay on the safe side (nothing may fire). The rows hold one row (a day,
a week, a month: the plan's grain) per window the rule looks at, for one group
that passes every ``where`` filter, with enough of each ``min`` guard's metric;
one column is then solved for, by bisection on the evaluator itself, so that the
rule's metric lands where it should. The rows are written in the plan's layout
(:mod:`promoplan.plantest.starterrows`). A rule the generator cannot serve (a
threshold not set, a metric no single column moves, a window with no whole row)
gets a comment saying so instead of a test.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from promoplan.actuals.model import Cube
from promoplan.alerting import compared_window, rule_alerts
from promoplan.errors import UsageProblem
from promoplan.evaluate import Evaluator
from promoplan.formula import parse_formula
from promoplan.inputs import actuals_spec
from promoplan.loader import LoadedPlan, load_plan
from promoplan.model import AlertRule, Plan
from promoplan.plantest.starterrows import (
    FixtureShape,
    NoFixture,
    fixture_csv,
    fixture_cube,
    number_text,
    unpivot_value,
)
from promoplan.quantity import Quantity
from promoplan.render.text import format_value
from promoplan.result import AlertResult
from promoplan.rowspans import row_of
from promoplan.windows import parse_period

# Rows hold one value per column per day; with every column at this base value, a
# guard such as min: {spend: 1万} is met once the base is raised past twice its floor.
BASE_VALUE = 1000.0
_BISECTIONS = 80
_GRID = [10.0**k for k in range(-4, 7)]


@dataclass(frozen=True)
class Fixture:
    """Generated rows for one rule: CSV text, and what the rule makes of them."""

    csv: str
    alerts: tuple[AlertResult, ...]
    value: float  # the rule's metric (or change) for the group


@dataclass(frozen=True)
class RuleTests:
    """The two starter tests of one rule, or why there are none."""

    rule: str
    firing: Fixture | None
    quiet: Fixture | None
    reason: str | None = None


def starter_as_of(plan: Plan) -> dt.date:
    """As-of for the starter tests, near the middle of the period: a Sunday (weeks complete),
    over weekly rows one with a whole week of its month behind it (so a month or quarter
    window holds a row), over monthly rows the last day of a month (its row complete)."""
    start, end = plan.span
    middle = start + (end - start) / 2
    if plan.actuals.grain == "monthly":
        last = middle.replace(day=1) - dt.timedelta(days=1)
        return last if last >= start else end
    sunday = middle - dt.timedelta(days=(middle.weekday() + 1) % 7)
    if plan.actuals.grain == "weekly" and sunday.day < 8:  # a whole week of its month ends by it
        sunday -= dt.timedelta(days=7)
    return sunday if sunday >= start else end


def _leaf_metrics(plan: Plan, names: list[str]) -> list[str]:
    """The metrics behind ``names`` that are not formulas, formulas followed, each once."""
    found: list[str] = []
    seen: set[str] = set()
    while names:
        name = names.pop()
        if name in seen or name not in plan.metrics:
            continue
        seen.add(name)
        metric = plan.metrics[name]
        if metric.formula is not None:
            names.extend(sorted(parse_formula(metric.formula).names))
        else:
            found.append(name)
    return found


def _base_metrics(plan: Plan, names: list[str]) -> dict[str, None]:
    """The column metrics behind ``names``, formulas followed."""
    return dict.fromkeys(
        n for n in _leaf_metrics(plan, names) if plan.metrics[n].column is not None
    )


def _per_row_metrics(plan: Plan, names: list[str]) -> list[str]:
    """The ``expr`` metrics behind ``names``, formulas followed."""
    return [n for n in _leaf_metrics(plan, names) if plan.metrics[n].expr is not None]


def _as_strings(values: object) -> list[str] | None:
    if values is None:
        return None
    if isinstance(values, list):
        return [str(v) for v in values]
    return [str(values)]


def _dimension_values(plan: Plan, rule: AlertRule, metrics: dict[str, None]) -> dict[str, str]:
    """One value per constrained dimension that every filter lets through; {} when none can."""
    allowed: dict[str, list[list[str]]] = {}
    filters = [rule.where or {}] + [plan.metrics[name].where or {} for name in metrics]
    for where in filters:
        for dimension, values in where.items():
            strings = _as_strings(values)
            if strings is not None:
                allowed.setdefault(dimension, []).append(strings)
    if rule.by is not None:
        allowed.setdefault(rule.by, [])
    chosen: dict[str, str] = {}
    for dimension, lists in allowed.items():
        if lists:
            common = [v for v in lists[0] if all(v in other for other in lists[1:])]
            if not common:
                raise NoFixture(f"no {dimension} value passes every where filter")
            chosen[dimension] = common[0]
        elif dimension == "channel" and plan.channels:
            chosen[dimension] = next(iter(plan.channels))
        else:
            chosen[dimension] = "example"
    return chosen


class _Rows:
    """The rows of one fixture: one day per window looked at, one group, a column to solve."""

    def __init__(self, plan: Plan, rule_id: str, as_of: dt.date) -> None:
        self.plan = plan
        self.rule_id = rule_id
        self.rule = plan.alerts[rule_id]
        self.as_of = as_of
        self.window = parse_period(None, plan, as_of)
        self.spec = actuals_spec(plan)
        probe = Evaluator(plan, Cube((), (), ()), as_of=as_of, window=self.window)
        seen = probe.rule_window(self.rule)
        if seen.end < seen.start:
            raise NoFixture(f"its {seen.label} window holds no whole {plan.actuals.grain} row")
        windows = [seen]
        if self.rule.condition in ("drop_over", "rise_over"):
            windows.insert(0, compared_window(probe, seen))
        # A row's date is the first day it covers: the week's week_start, the 1st of a month.
        grain, week_start = plan.actuals.grain, plan.actuals.week_start
        self.days = [row_of(window.end, grain, week_start)[0] for window in windows]
        self.metrics = _base_metrics(plan, [self.rule.metric, *self.rule.min])
        self.columns = list(dict.fromkeys(plan.metrics[m].column or "" for m in self.metrics))
        self.dims = _dimension_values(plan, self.rule, self.metrics)
        floors = [f.value for f in self.rule.min.values() if isinstance(f, Quantity)]
        base = BASE_VALUE
        while floors and base < 2 * max(floors):
            base *= 10
        self.base = base
        self.shape = FixtureShape(
            plan,
            self.spec,
            tuple(self.days),
            self.dims,
            tuple(self.columns),
            base,
            unpivot_value(plan, self.spec, self.dims, tuple(self.columns)),
        )

    def evaluate(
        self, values: dict[tuple[int, str], float]
    ) -> tuple[float | None, list[AlertResult]]:
        """The rule's metric (or change) for the group, and the alerts it fires."""
        from promoplan.plantest.explain import why_quiet  # noqa: PLC0415  # a sibling, on use

        cube = fixture_cube(self.shape, values)
        evaluator = Evaluator(self.plan, cube, as_of=self.as_of, window=self.window)
        alerts = list(rule_alerts(evaluator, self.rule_id, self.rule))
        group = tuple(self.dims.items()) if self.rule.by is not None else None
        quiet = why_quiet(
            self.plan, cube, as_of=self.as_of, window=self.window, rule_id=self.rule_id, group=group
        )
        value = quiet.value if quiet is not None and quiet.kind == "not_crossed" else None
        return value, alerts


def _targets(rule: AlertRule, threshold: float) -> tuple[float, float]:
    """(a value that fires, a value that does not), a quarter of the way off the threshold."""
    margin = abs(threshold) * 0.25 or 0.25
    if rule.condition == "below":
        return threshold - margin, threshold + margin
    if rule.condition == "above":
        return threshold + margin, threshold - margin
    if rule.condition == "drop_over":  # a drop is below 100%
        return threshold + (1 - threshold) / 2, threshold / 2
    return threshold + margin, threshold / 2


def _solve(
    rows: _Rows, target: float, fires: bool
) -> tuple[dict[tuple[int, str], float], float, list[AlertResult]] | None:
    """Values for which the rule's metric is near ``target`` and it fires (or not) as asked."""
    day = len(rows.days) - 1  # the current window's day; a previous window's stays at base
    guards = set(_base_metrics(rows.plan, list(rows.rule.min)))
    order = sorted(
        rows.columns, key=lambda c: any(rows.plan.metrics[g].column == c for g in guards)
    )
    for column in order:

        def at(x: float, column: str = column) -> tuple[float | None, list[AlertResult]]:
            return rows.evaluate({(day, column): x})

        found = _bisect(at, target, rows.base)
        if found is None:
            continue
        # The roundest number that still does what it should: 625, not 624.9999.
        for digits in range(2, 10):
            values = {(day, column): float(number_text(float(f"{found:.{digits}g}")))}
            value, alerts = rows.evaluate(values)
            mine = [a for a in alerts if a.rule == rows.rule_id]
            if value is not None and bool(mine) == fires:
                shown = mine[0].value if mine and mine[0].value is not None else value
                return values, shown, mine
    return None


def _bisect(
    at: Callable[[float], tuple[float | None, list[AlertResult]]], target: float, base: float
) -> float | None:
    """An x where ``at(x)``'s value crosses ``target``, searched from base/10^4 to base*10^6."""
    points = [base * k for k in _GRID]
    samples = [(x, at(x)[0]) for x in points]
    for (start, f_start), (stop, f_stop) in itertools.pairwise(samples):
        if f_start is None or f_stop is None or (f_start - target) * (f_stop - target) > 0:
            continue
        lo, f_lo, hi = start, f_start, stop
        for _ in range(_BISECTIONS):
            middle = (lo + hi) / 2
            f_mid = at(middle)[0]
            if f_mid is None:
                break
            if (f_lo - target) * (f_mid - target) <= 0:
                hi = middle
            else:
                lo, f_lo = middle, f_mid
        return hi
    return None


def rule_tests(plan: Plan, rule_id: str, as_of: dt.date) -> RuleTests:
    """The firing and the quiet fixture of one rule."""
    rule = plan.alerts[rule_id]
    threshold = rule.threshold
    if not isinstance(threshold, Quantity):
        return RuleTests(rule_id, None, None, "its threshold is not set yet")
    try:
        rows = _Rows(plan, rule_id, as_of)
    except NoFixture as exc:
        return RuleTests(rule_id, None, None, str(exc))
    if not rows.columns:
        return RuleTests(rule_id, None, None, f"metric {rule.metric!r} reads no column")
    fire_at, quiet_at = _targets(rule, threshold.value)
    fixtures: list[Fixture | None] = []
    for target, fires in ((fire_at, True), (quiet_at, False)):
        solved = _solve(rows, target, fires)
        if solved is None:
            fixtures.append(None)
            continue
        values, value, alerts = solved
        fixtures.append(Fixture(fixture_csv(rows.shape, values), tuple(alerts), value))
    firing, quiet = fixtures
    reason = None
    if firing is None or quiet is None:
        reason = f"no single column of {rule.metric!r} moves it across the threshold"
        computed = _per_row_metrics(plan, [rule.metric, *rule.min])
        if computed:  # an expr has no column of its own for a fixture row to fill
            reason = f"metric {computed[0]!r} is computed per row (expr), not read from a column"
    return RuleTests(rule_id, firing, quiet, reason)


# --- the file --------------------------------------------------------------------------


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is YAML's)."""
    return json.dumps(text, ensure_ascii=False)


def _number(value: float) -> str:
    return f"{value:.12g}"


def _shown(plan: Plan, rule: AlertRule, value: float) -> str:
    if rule.condition in ("drop_over", "rise_over"):
        return format_value(value, "percent")
    metric = plan.metrics.get(rule.metric)
    return format_value(
        value, metric.unit if metric is not None else "count", currency=plan.currency
    )


def _test_name(plan: Plan, rule_id: str, value: float, *, fires: bool) -> str:
    """``low_roi fires: roi 1:2.25, below 1:3``; ``traffic_drop stays quiet: uv down 10%, ...``."""
    rule = plan.alerts[rule_id]
    threshold = rule.threshold
    assert isinstance(threshold, Quantity)
    limit = _shown(plan, rule, threshold.value)
    seen = _shown(plan, rule, value)
    verdict = "fires" if fires else "stays quiet"
    negation = "" if fires else "not "
    if rule.condition in ("drop_over", "rise_over"):
        way = "down" if rule.condition == "drop_over" else "up"
        return f"{rule_id} {verdict}: {rule.metric} {way} {seen}, {negation}more than {limit}"
    return f"{rule_id} {verdict}: {rule.metric} {seen}, {negation}{rule.condition} {limit}"


def _test_lines(
    plan: Plan, rule_id: str, fixture: Fixture, as_of: dt.date, *, fires: bool
) -> Iterator[str]:
    name = _test_name(plan, rule_id, fixture.value, fires=fires)
    yield f"  - name: {_q(name)}"
    yield "    rows: |"
    for line in fixture.csv.splitlines():
        yield f"      {line}"
    yield f"    as_of: {as_of.isoformat()}"
    yield f"    rules: [{_q(rule_id)}]"
    if not fires:
        yield "    expect_alerts: []"
        return
    yield "    strict: true"
    yield "    expect_alerts:"
    for alert in fixture.alerts:
        fields = [f"rule: {_q(alert.rule)}"]
        if alert.group:
            pairs = ", ".join(f"{_q(k)}: {_q(v)}" for k, v in alert.group)
            fields.append(f"group: {{{pairs}}}")
        fields.append(f"window: {_q(alert.window)}")
        fields.append(f"severity: {alert.severity}")
        if alert.value is not None:
            fields.append(f"value: {_number(alert.value)}")
        yield f"      - {{{', '.join(fields)}}}"


def starter_tests_text(plan: Plan, plan_ref: str, source: str) -> str:
    """The starter test file for ``plan``; ``plan_ref`` is its path from the test file."""
    as_of = starter_as_of(plan)
    lines = [
        f"# Starter tests for {source}, written by `promoplan init --tests`.",
        "# Per alert rule: one test whose rows cross the rule's threshold (the alert must",
        "# fire, with this value) and one whose rows stay on the safe side (nothing fires).",
        "# The numbers come from the plan's own thresholds: edit them into the cases your",
        "# team cares about, add expect_goals / expect_budget, then run",
        "#   promoplan test <this file>",
        "promoplan_test: 1",
        f"plan: {_q(plan_ref)}",
        "tests:",
    ]
    skipped: list[str] = []
    written = 0
    for rule_id in plan.alerts:
        made = rule_tests(plan, rule_id, as_of)
        if made.firing is None or made.quiet is None:
            skipped.append(f"# {rule_id}: no starter tests ({made.reason}); write them by hand")
            continue
        lines.extend(_test_lines(plan, rule_id, made.firing, as_of, fires=True))
        lines.append("")
        lines.extend(_test_lines(plan, rule_id, made.quiet, as_of, fires=False))
        lines.append("")
        written += 2
    if not written:
        raise UsageProblem(
            f"{source}: no alert rule to write starter tests for"
            + (f" ({'; '.join(s[2:] for s in skipped)})" if skipped else "")
        )
    return "\n".join(lines + skipped).rstrip("\n") + "\n"


def default_target(plan_path: Path) -> Path:
    """``plans/x.yaml`` -> ``plans/tests/x.test.yaml``."""
    return plan_path.parent / "tests" / f"{plan_path.stem}.test.yaml"


def _usable(plan_path: Path) -> LoadedPlan:
    """The plan loaded, or :class:`UsageProblem` when it has errors."""
    loaded = load_plan(plan_path)
    errors = [d for d in loaded.diagnostics if d.severity == "error"]
    if loaded.plan is None or errors:
        raise UsageProblem(
            f"{plan_path} has errors; fix them first (promoplan validate {plan_path})"
        )
    return loaded


def write_starter_tests(plan_path: Path, target: Path | None) -> Path:
    """Write the starter tests for ``plan_path`` to ``target`` (never over an existing file)."""
    from promoplan.starter import write_new_file  # noqa: PLC0415  # the exclusive writer of init

    loaded = _usable(plan_path)
    path = target if target is not None else default_target(plan_path)
    if path.exists() or path.is_symlink():
        raise UsageProblem(
            f"{path} already exists; promoplan init never overwrites a file, "
            "so give another path: promoplan init --tests PLAN OTHER.test.yaml"
        )
    if target is None and not path.parent.exists() and path.parent.parent.is_dir():
        path.parent.mkdir()
    write_new_file(path, _text(plan_path, loaded, path.parent).encode("utf-8"))
    return path


def starter_tests_for(plan_path: Path, directory: Path) -> str:
    """The starter tests for ``plan_path`` as a file in ``directory`` would hold them
    (``init --tests PLAN -``: printed, for the current directory)."""
    return _text(plan_path, _usable(plan_path), directory)


def _text(plan_path: Path, loaded: LoadedPlan, directory: Path) -> str:
    assert loaded.plan is not None  # _usable refuses a plan with errors
    reference = os.path.relpath(plan_path.resolve(), directory.resolve())
    return starter_tests_text(loaded.plan, Path(reference).as_posix(), str(plan_path))
