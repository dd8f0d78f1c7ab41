"""Forecast backtest: seasonal naive against run rate, cut at each month end.

The actuals are cut at each month end of the plan's period (each cut sees only
the days up to it, last year's included); each method forecasts the metric's
period-to-date value at the last date of the actuals. The error is that of the
days forecast (from the day after the cut to the last date: the days up to the
cut are known to both methods), side by side, then the mean absolute error of
each. The 80% interval of each forecast is checked too ("in" when the actual
value falls inside it).

    python bench/forecast.py [--plan plans/ecommerce-2025.yaml]
        [--actuals 'plans/actuals/*.csv'] [--metric gmv] [--to 2025-06-29]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
from pathlib import Path

from promoplan.backtest import METHODS, backtest
from promoplan.inputs import expand_actuals, read_inputs
from promoplan.loader import load_plan
from promoplan.rollup import Rollup

ROOT = Path(__file__).resolve().parents[1]


def percent(value: float | None) -> str:
    """``+2.4%``, or ``-`` when there is no value."""
    return "-" if value is None else f"{value * 100:+.1f}%"


def main() -> int:
    """Run the backtest and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plan", default=str(ROOT / "plans" / "ecommerce-2025.yaml"))
    parser.add_argument("--actuals", action="append", default=None)
    parser.add_argument("--metric", default="gmv")
    parser.add_argument("--to", type=dt.date.fromisoformat, default=None)
    args = parser.parse_args()
    actuals = args.actuals or [str(ROOT / "plans" / "actuals" / "*.csv")]
    inputs = read_inputs(load_plan(Path(args.plan)), expand_actuals(actuals))
    if not inputs.ok or inputs.plan is None or inputs.actuals is None:
        for found in inputs.diagnostics:
            print(f"{found.file}:{found.line}: {found.severity} {found.code} {found.message}")
        return 1
    rollup = Rollup(inputs.plan, inputs.actuals.cube)
    rows = backtest(inputs.plan, rollup, args.metric, to=args.to)
    if not rows:
        print(f"no month end before the last date of {args.metric}: nothing to backtest")
        return 1
    print(f"{args.metric} from {inputs.plan.span[0]} to {rows[0].to}: {rows[0].actual:,.2f}")
    header = "| cut | " + " | ".join(f"{m} error | 80% interval" for m in METHODS) + " |"
    print(header)
    print("|---" * (1 + 2 * len(METHODS)) + "|")
    errors: dict[str, list[float]] = {m: [] for m in METHODS}
    for row in rows:
        cells = [row.cut.isoformat()]
        for method, forecast in row.forecasts:
            error = row.error(method)
            if error is not None:
                errors[method].append(abs(error))
            inside = "-"
            if forecast is not None and forecast.low is not None and forecast.high is not None:
                inside = "in" if forecast.low <= row.actual <= forecast.high else "out"
            cells += [percent(error), inside]
        print("| " + " | ".join(cells) + " |")
    means = [f"{statistics.fmean(errors[m]) * 100:.1f}%" if errors[m] else "-" for m in METHODS]
    print("| mean absolute error | " + " | ".join(f"{m} | " for m in means) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
