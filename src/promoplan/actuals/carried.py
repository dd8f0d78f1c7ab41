"""The measures a file carries: what PA013 judges lag by, per metric.

A file's own last date says little alone when files are split by day (one
file per day, the usual cron layout) or by metric (``nps.csv`` beside the
sales export): a metric lags when every file that carries it (has its
column, empty cells or not) ends more than 7 days before as-of
(:func:`promoplan.lag.lag_diagnostics`). An event metric whose column is in
a file that runs to as-of (incident hours, filled on the days there is one)
does not lag.
"""

from __future__ import annotations

from promoplan.actuals.needs import Needed, Unpivoted
from promoplan.actuals.sql import Layout


def carried(needed: Needed, layout: Layout, unpivoted: Unpivoted | None) -> tuple[str, ...]:
    """The measures the file has a column (or a way to compute) for, in the cube's order.

    An unpivoted file's columns count for the measure they are split from.
    """
    owners = list(range(len(needed.measures)))
    if unpivoted is not None:
        owners += [j for j, _, _ in unpivoted.columns]
    have = {owners[e] for e, column in enumerate(layout.measures) if column is not None}
    return tuple(m for j, m in enumerate(needed.measures) if j in have)
