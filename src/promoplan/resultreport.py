"""What a report adds to a check's results: its window, headline KPIs and chart data.

Built by :mod:`promoplan.reportdata` for ``report`` only; imported as
``promoplan.result``'s names too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from promoplan.result import Window
    from promoplan.resultrows import Forecast
    from promoplan.vocabulary import ChangeKind, Direction, ReportKind, Unit


@dataclass(frozen=True)
class SeriesPoint:
    """One day of a cumulative chart: actual to date, paced target, last year to date."""

    day: dt.date
    actual: float | None
    target: float | None
    last_year: float | None
    forecast: float | None = None  # after as-of: the forecast to the end of the span


@dataclass(frozen=True)
class CumulativeSeries:
    """A cumulative goal's metric against its paced target line (report chart)."""

    goal: str
    label: str
    unit: Unit
    target: float | None
    points: tuple[SeriesPoint, ...]
    forecast: Forecast | None = None  # at the end of the span


@dataclass(frozen=True)
class GroupBar:
    """One group's value in a by-dimension chart."""

    group: str
    value: float | None


@dataclass(frozen=True)
class GroupChart:
    """A ``below`` rule's metric per group against its floor (ROI per channel vs 1:3)."""

    rule: str
    label: str
    metric: str
    unit: Unit
    dimension: str
    window: str
    floor: float
    bars: tuple[GroupBar, ...]


@dataclass(frozen=True)
class Kpi:
    """A headline number of the report window, with the previous window's."""

    metric: str
    label: str
    unit: Unit
    value: float | None
    previous: float | None
    change: float | None  # value / previous - 1; value - previous for a percent or ratio
    direction: Direction | None = None  # from a goal on the metric: which way is good
    change_kind: ChangeKind = "relative"  # "points": percentage (or ratio) points


@dataclass(frozen=True)
class ReportData:
    """What a report adds to a check: its window, headline KPIs and chart data."""

    kind: ReportKind
    window: Window
    previous: Window
    kpis: tuple[Kpi, ...]
    series: tuple[CumulativeSeries, ...] = ()
    group_charts: tuple[GroupChart, ...] = ()
