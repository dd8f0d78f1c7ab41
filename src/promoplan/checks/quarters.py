"""Quarter checks PP110-PP112: the quarters tile the period, events lie in their quarter.

PP111 also places an undated festival event (618, 双11) on its calendar date;
PP112 checks the quarter weights.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Mapping

from promoplan.checks.finding import Finding, Path, pct
from promoplan.checks.reading import SHARE_TOLERANCE, bare_fraction, number_of
from promoplan.festivals import find_festival
from promoplan.model import QUARTER_NAMES, Plan, Quarter
from promoplan.planindex import plan_index


def _span(start: dt.date, end: dt.date) -> str:
    return f"{start.isoformat()} to {end.isoformat()}"


def _quarter_path(plan: Plan, name: str, key: str) -> Path | None:
    """The most precise path for a quarter's date: the key if written, else the quarter."""
    quarter: Quarter | None = plan.quarters.get(name)  # type: ignore[call-overload]  # str key of a Literal dict
    if quarter is None:
        return None
    if getattr(quarter, key) is not None:
        return ("quarters", name, key)
    return ("quarters", name)


def _first_path(plan: Plan, *candidates: Path | None) -> Path:
    for candidate in candidates:
        if candidate is not None:
            return candidate
    return ("quarters",) if plan.quarters else ("period",)


def checked_quarters(plan: Plan) -> dict[str, tuple[dt.date, dt.date]]:
    """The quarters the tiling check looks at: those the plan writes, and the default
    3-month blocks that start inside the period; none when the plan writes no quarter.

    A campaign of 20 days or a one-month plan has no quarters to tile; a half-year
    plan that writes Q1 and Q2 is not asked about a Q3 or Q4 after its end.
    """
    if not plan.quarters:
        return {}
    _, end = plan.span
    return {
        name: span
        for name, span in plan_index(plan).spans.items()
        if name in plan.quarters or span[0] <= end
    }


def check_quarter_tiling(plan: Plan) -> Iterator[Finding]:
    """PP110: the quarters tile the period: no gap, no overlap, nothing outside.

    Only quarters the plan writes are checked (with the default blocks between
    them); a plan without ``quarters`` has nothing to tile.
    Fails (2025-04-01 to 2025-04-14 belong to no quarter)::

        period: 2025
        quarters:
          Q2: {start: 2025-04-15}
    """
    start, end = plan.span
    if end < start:
        yield Finding("PP110", f"the period ends ({end}) before it starts ({start})", ("period",))
        return
    hint = "give the quarters start/end dates that follow each other with no gap or overlap"
    spans = checked_quarters(plan)
    if not spans:
        return
    backwards = False
    for name, (first, last) in spans.items():
        if last < first:
            backwards = True
            yield Finding(
                "PP110",
                f"{name} ends ({last}) before it starts ({first})",
                _first_path(plan, _quarter_path(plan, name, "end")),
                hint,
            )
    if backwards:
        return
    previous: str | None = None
    covered_to = start - dt.timedelta(days=1)
    for name in QUARTER_NAMES:
        if name not in spans:
            continue
        first, last = spans[name]
        due = covered_to + dt.timedelta(days=1)
        here = _quarter_path(plan, name, "start")
        there = _quarter_path(plan, previous, "end") if previous else None
        if first > due:
            message = (
                f"{name} starts on {first}, after the period starts ({start}): "
                if previous is None
                else f"gap between {previous} and {name}: "
            ) + f"{_span(due, first - dt.timedelta(days=1))} belong to no quarter"
            yield Finding(
                "PP110",
                message,
                _first_path(plan, here, there, ("period",) if previous is None else None),
                hint,
            )
        elif first < due:
            message = (
                f"{name} starts on {first}, before the period starts ({start})"
                if previous is None
                else f"{name} overlaps {previous}: both hold {_span(first, min(covered_to, last))}"
            )
            yield Finding("PP110", message, _first_path(plan, here, there), hint)
        previous, covered_to = name, last
    if previous is not None and covered_to != end:
        relation = "before" if covered_to < end else "after"
        message = f"{previous} ends on {covered_to}, {relation} the period ends ({end})"
        if covered_to < end:
            message += f": {_span(covered_to + dt.timedelta(days=1), end)} belong to no quarter"
        yield Finding(
            "PP110", message, _first_path(plan, _quarter_path(plan, previous, "end")), hint
        )


def _quarter_of(day: dt.date, spans: Mapping[str, tuple[dt.date, dt.date]]) -> str | None:
    for name, (first, last) in spans.items():
        if first <= day <= last:
            return name
    return None


def check_event_quarters(plan: Plan) -> Iterator[Finding]:
    """PP111: an event lies inside its quarter; an undated festival's calendar date too.

    Fails (618 is June 18, in Q2)::

        period: 2025
        quarters:
          Q3: {events: [{name: 618大促}]}
    """
    spans = plan_index(plan).spans
    period_start, period_end = plan.span
    for quarter_name, quarter in plan.quarters.items():
        first, last = spans[quarter_name]
        if last < first:
            continue  # PP110
        where = f"{quarter_name} ({_span(first, last)})"
        for index, event in enumerate(quarter.events):
            path: Path = ("quarters", quarter_name, "events", index)
            if event.start is not None or event.end is not None:
                for key, day in (("start", event.start), ("end", event.end)):
                    if day is not None and not first <= day <= last:
                        home = _quarter_of(day, spans)
                        yield Finding(
                            "PP111",
                            f"event {event.name!r} {key}s on {day}, outside {where}",
                            (*path, key),
                            f"move it to {home}"
                            if home
                            else "its date lies outside the plan period",
                        )
                        break
                continue
            festival = find_festival(event.name)
            if festival is None:
                continue
            days = [
                festival.date_in(year) for year in range(period_start.year, period_end.year + 1)
            ]
            if any(day is None for day in days):
                continue  # the calendar does not cover the period: cannot tell
            in_period = [
                day for day in days if day is not None and period_start <= day <= period_end
            ]
            if any(first <= day <= last for day in in_period):
                continue
            if in_period:
                day = in_period[0]
                home = _quarter_of(day, spans)
                message = (
                    f"event {event.name!r} is {festival.name}, on {day}, "
                    f"which falls in {home}, not {where}"
                )
                hint = f"move it to {home}, or give it dates if it is not on the festival itself"
            else:
                message = (
                    f"event {event.name!r} is {festival.name}, which does not fall in the plan "
                    f"period ({_span(period_start, period_end)})"
                )
                hint = "give it start/end dates, or remove it"
            yield Finding("PP111", message, (*path, "name"), hint)


def check_quarter_weights(plan: Plan) -> Iterator[Finding]:
    """PP112: weights are given for all four quarters or for none, and sum to 100%.

    Fails (Q3 and Q4 have none)::

        quarters:
          Q1: {weight: 20%}
          Q2: {weight: 25%}
    """
    weights = {
        name: quarter.weight
        for name, quarter in plan.quarters.items()
        if quarter.weight is not None
    }
    if not weights:
        return
    missing = [name for name in QUARTER_NAMES if name not in weights]
    if missing:
        listed = [name for name in missing if name in plan.quarters]
        path: Path = ("quarters", listed[0]) if listed else ("quarters",)
        yield Finding(
            "PP112",
            f"weights are given for {', '.join(weights)} but not for {', '.join(missing)}",
            path,
            "give all four quarters a weight, or none (then pacing is by days)",
        )
        return
    values = [number_of(weight) for weight in weights.values()]
    if any(value is None for value in values) or any(bare_fraction(w) for w in weights.values()):
        return  # placeholders (PP120) or bare numbers (PP004)
    summed = math.fsum(values)  # type: ignore[arg-type]  # None ruled out
    if abs(summed - 1) > SHARE_TOLERANCE:
        yield Finding(
            "PP112",
            f"quarter weights sum to {pct(summed)}, not 100%",
            ("quarters",),
            f"add the missing {pct(1 - summed)} to a quarter"
            if summed < 1
            else f"take {pct(summed - 1)} off the quarters",
        )
