"""The one order of alerts, and how many groups of one rule a reader is shown.

Every format lists alerts in the same order: severity, then how far past its
threshold an alert is (the worst first), then the natural order of its group
(``Geo2`` before ``Geo11``). The human formats (table, markdown, html) show at
most :data:`SHOWN_GROUPS` groups of one rule and say how many more fire; JSON and
the CI formats keep every group.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from promoplan.diagnostics import SEVERITY_ORDER

if TYPE_CHECKING:  # for types only: validate's CI formats load no result rows
    from promoplan.resultrows import AlertResult

SHOWN_GROUPS = 5  # more firing groups of one rule than this are folded into one alert
_DIGITS = re.compile(r"(\d+)")


def excess(alert: AlertResult) -> float:
    """How far past its threshold an alert is, as a share of the threshold (0 when unknown)."""
    value, limit = alert.value, alert.threshold
    if value is None or limit is None:
        return 0.0
    if alert.condition in ("drop_over", "rise_over", "unmapped"):
        return value - limit  # both are already fractions
    below = alert.condition in ("below", "behind")
    gap = limit - value if below else value - limit
    return gap / abs(limit) if limit else gap


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """``Geo2`` before ``Geo11``: digit runs compare as numbers."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part.casefold())
        for part in _DIGITS.split(text)
        if part
    )


def _group_key(alert: AlertResult) -> tuple[tuple[tuple[int, int | str], ...], ...]:
    return tuple(natural_key(f"{name}={value}") for name, value in alert.group)


def alert_order(alerts: Iterable[AlertResult]) -> tuple[AlertResult, ...]:
    """Severity, then the worst first, then the group's natural order."""
    return tuple(
        sorted(
            alerts,
            key=lambda a: (SEVERITY_ORDER[a.severity], -excess(a), _group_key(a), a.rule),
        )
    )


@dataclass(frozen=True)
class AlertEntry:
    """One entry of a human-readable alert list: one alert, or the worst groups of a rule."""

    alert: AlertResult  # the worst of its members
    members: tuple[AlertResult, ...]  # the alerts shown (the worst 5 when folded)
    more: int = 0  # firing groups of the same rule not shown

    @property
    def folded(self) -> bool:
        """True when several groups of one rule share this entry."""
        return len(self.members) > 1


def shown_alerts(
    alerts: Sequence[AlertResult], limit: int = SHOWN_GROUPS
) -> tuple[AlertEntry, ...]:
    """``alerts`` (in :func:`alert_order`) for a reader: a rule firing for more than ``limit``
    groups becomes one entry with its worst ``limit`` groups and the count of the rest."""
    ordered = alert_order(alerts)
    by_rule: dict[tuple[str, str, str], list[AlertResult]] = {}
    for alert in ordered:
        if alert.group:
            by_rule.setdefault((alert.rule, alert.severity, alert.window), []).append(alert)
    entries: list[AlertEntry] = []
    done: set[tuple[str, str, str]] = set()
    for alert in ordered:
        key = (alert.rule, alert.severity, alert.window)
        same = by_rule.get(key, [])
        if not alert.group or len(same) <= limit:
            entries.append(AlertEntry(alert, (alert,)))
        elif key not in done:
            done.add(key)
            entries.append(AlertEntry(alert, tuple(same[:limit]), len(same) - limit))
    return tuple(entries)
