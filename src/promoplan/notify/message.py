"""The summary a robot posts, written from the same result as the report.

:func:`build_message` turns a :class:`~promoplan.result.PlanResult` into a
:class:`Message`: the plan's name and the window, status and counts, the firing
alerts worst first (each with its action), the goals off track or missed, the
headline KPIs with their change, and data notes. Every text in it is plain and
on one line; each robot module marks it up in its own dialect, escaping what
came from the plan or the CSV with :func:`escape`.

:func:`fit` cuts a message at whole items (alerts first, so they are cut last)
until the robot's payload is within its limit; the cut message ends with
"N more in the report".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal, TypeVar

from promoplan.diagnostics import SEVERITY_ORDER
from promoplan.render.cells import alert_value, goal_cells, goal_name
from promoplan.render.text import (
    count_words,
    format_change,
    format_fraction,
    format_group,
    format_value,
    one_line,
)
from promoplan.result import PlanResult
from promoplan.vocabulary import RunStatus, Units

T = TypeVar("T")
Dialect = Literal["markdown", "slack", "text"]

REPORT_KINDS = {"week": "weekly", "month": "monthly", "quarter": "quarterly"}
# Goal statuses a team must hear about in the chat (the rest are counted in one line).
ATTENTION_GOALS = ("off_track", "missed")
GOAL_ORDER = (
    "missed",
    "off_track",
    "behind",
    "at_risk",
    "on_track",
    "met",
    "pending",
    "unset",
    "no_data",
)
TITLE_LIMIT = 150  # characters: Slack's header limit, and plenty for a chat preview
ITEM_LIMIT = 600  # characters of one item: a runaway label cannot take the whole message
# Characters that start a link, an HTML tag, an @mention, code or emphasis in the robots'
# Markdown become their full-width forms, which read the same in Chinese text and mark
# nothing up: WeCom's markdown has **bold**, DingTalk's and Feishu's lark_md *italic* and
# ~~strike~~ too, Slack's mrkdwn *bold*, _italic_, ~strike~ and `code` (and no escape
# but &amp; &lt; &gt;).
_EMPHASIS = {"*": "＊", "~": "～", "`": "｀"}
_MARKDOWN_SAFE = str.maketrans({"[": "［", "]": "］", "<": "＜", ">": "＞", **_EMPHASIS})
_SLACK_SAFE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", **_EMPHASIS})
# An underscore emphasises only at the edge of a word (CommonMark, and Slack, leave
# snake_case alone): a run of them inside a word stays, so ``low_roi`` reads as it is.
_UNDERSCORES = re.compile(r"_+")
# Every robot turns a bare URL, or a bare domain such as evil.com, into a link. In plan
# and CSV text they are defanged as security reports write them: the scheme's "://"
# becomes "[:]//", a dot before a name that can be a top-level domain (two or more
# letters, or xn--) becomes "[.]", and so do the dots of an IPv4 address. Brackets are
# punctuation at which every link finder stops; an invisible joiner would not do, as
# browsers drop U+200D and U+2060 from host names (UTS #46), so a finder that kept one
# in a link would still lead to evil.com.
_SCHEME = re.compile(r":(?=//)")
_HOST_DOT = re.compile(r"(?<=[\w-])\.(?=(?:[^\W\d_]{2,}|xn--[\w-]+)(?![\w-]))", re.IGNORECASE)
_IPV4 = re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}\b")


@dataclass(frozen=True)
class Item:
    """One line of a section: an emphasised lead word (severity, status) and plain text."""

    lead: str | None
    text: str


@dataclass(frozen=True)
class Section:
    """A titled list of items: Alerts, Goals off track, Headline KPIs, Data notes."""

    title: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Message:
    """The summary of one report, before any robot's markup."""

    title: str
    status: RunStatus
    facts: tuple[str, ...]  # status and counts, window, goals in one line
    sections: tuple[Section, ...]
    link: str | None = None
    more: int = 0  # items cut off to fit: "N more in the report"

    @property
    def item_count(self) -> int:
        """Items in every section."""
        return sum(len(section.items) for section in self.sections)

    def cut(self, keep: int) -> Message:
        """The first ``keep`` items (sections in order); the rest counted in ``more``."""
        sections = []
        left = keep
        for section in self.sections:
            if left <= 0:
                break
            sections.append(replace(section, items=section.items[:left]))
            left -= len(section.items)
        dropped = self.item_count - sum(len(s.items) for s in sections)
        return replace(self, sections=tuple(sections), more=self.more + dropped)

    @property
    def more_line(self) -> str | None:
        """``3 more in the report`` when items were cut off."""
        return f"{self.more} more in the report" if self.more else None


def _short(text: str, limit: int) -> str:
    text = one_line(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _facts(result: PlanResult) -> list[str]:
    facts = [f"Status: {result.status} · {count_words(result.counts)}"]
    report = result.report
    if report is not None:
        window = report.window
        as_of = f" · as of {result.as_of.isoformat()}" if result.as_of else ""
        facts.append(
            f"Window: {window.label} ({window.start.isoformat()} to {window.end.isoformat()})"
            + as_of
        )
    statuses: dict[str, int] = {}
    for goal in result.goals:
        statuses[goal.status] = statuses.get(goal.status, 0) + 1
    if statuses:
        order = sorted(statuses, key=lambda s: GOAL_ORDER.index(s) if s in GOAL_ORDER else 99)
        facts.append("Goals: " + ", ".join(f"{statuses[s]} {s.replace('_', ' ')}" for s in order))
    if not result.alerts:
        facts.append("Alerts: none firing")
    return facts


def _alerts(result: PlanResult, units: Units) -> Section:
    items = []
    # sorted() is stable: within a severity, the report's order.
    for alert in sorted(result.alerts, key=lambda a: SEVERITY_ORDER[a.severity]):
        where = ", ".join(part for part in (format_group(alert.group), alert.window) if part)
        text = f"{alert.label or alert.rule} ({where}): "
        text += alert_value(alert, currency=result.currency, units=units)
        if alert.action:
            text += f"; action: {alert.action}"
        items.append(Item(alert.severity, _short(text, ITEM_LIMIT)))
    return Section("Alerts", tuple(items))


def _goals(result: PlanResult, units: Units) -> Section:
    items = []
    for goal in result.goals:
        if goal.status not in ATTENTION_GOALS:
            continue
        cells = goal_cells(goal, currency=result.currency, units=units)
        text = f"{goal_name(goal)}: {cells.actual} of {cells.target}"
        if goal.progress is not None:
            # Only an amount has a pace; a level's or a growth's progress is toward its target.
            shown = format_fraction(goal.progress)
            text += f" ({shown} of pace)" if goal.kind == "cumulative" else f" (progress {shown})"
        items.append(Item(goal.status.replace("_", " "), _short(text, ITEM_LIMIT)))
    return Section("Goals off track", tuple(items))


def _kpis(result: PlanResult, units: Units) -> Section:
    report = result.report
    if report is None:
        return Section("Headline KPIs", ())
    items = []
    for kpi in report.kpis:
        value = format_value(kpi.value, kpi.unit, currency=result.currency, units=units)
        change = format_change(kpi.change, kpi.change_kind, kpi.unit)
        text = f"{kpi.label or kpi.metric}: {value} ({change})"
        items.append(Item(None, _short(text, ITEM_LIMIT)))
    heading = f"Headline KPIs, {report.window.label} vs {report.previous.label}"
    return Section(heading, tuple(items))


def _notes(result: PlanResult) -> Section:
    ordered = sorted(result.diagnostics, key=lambda d: SEVERITY_ORDER[d.severity])
    items = [Item(d.severity, _short(f"{d.code} {d.message}", ITEM_LIMIT)) for d in ordered]
    return Section("Data notes", tuple(items))


def build_message(result: PlanResult, *, link: str | None, units: Units) -> Message:
    """The summary of ``result`` (a report's result), in the order a chat reader needs it."""
    name = result.name or result.file
    report = result.report
    title = name
    if report is not None:
        title = f"{name}: {REPORT_KINDS.get(report.kind, 'periodic')} report {report.window.label}"
    sections = [
        _alerts(result, units),
        _goals(result, units),
        _kpis(result, units),
        _notes(result),
    ]
    return Message(
        title=_short(title, TITLE_LIMIT),
        status=result.status,
        facts=tuple(_short(fact, ITEM_LIMIT) for fact in _facts(result)),
        sections=tuple(section for section in sections if section.items),
        link=link,
    )


def escape(text: str, dialect: Dialect) -> str:
    """Plan or CSV text made inert for a robot: one line, no links, tags, mentions, code or
    emphasis; a URL or host name in it defanged (``http[:]//evil[.]example``)."""
    text = one_line(text)
    if dialect == "markdown":
        text = _underscores(text.translate(_MARKDOWN_SAFE))
    elif dialect == "slack":
        text = _underscores(text.translate(_SLACK_SAFE))
    return defang(text)


def defang(text: str) -> str:
    """``http://evil.example/x`` as ``http[:]//evil[.]example/x``: read as it is, linked by none."""
    text = _SCHEME.sub("[:]", text)
    text = _IPV4.sub(lambda match: match[0].replace(".", "[.]"), text)
    return _HOST_DOT.sub("[.]", text)


def _underscores(text: str) -> str:
    def inert(match: re.Match[str]) -> str:
        start, end = match.span()
        inside = start > 0 and end < len(text) and text[start - 1].isalnum() and text[end].isalnum()
        return match[0] if inside else "＿" * len(match[0])

    return _UNDERSCORES.sub(inert, text)


def fit(message: Message, build: Callable[[Message], T], fits: Callable[[T], bool]) -> T:
    """The payload of the longest cut of ``message`` that ``fits`` (whole items, alerts kept first).

    Payload size grows with every item kept, so a binary search finds the cut.
    """
    whole = build(message)
    if fits(whole):
        return whole
    low, high = 0, message.item_count - 1  # the answer is in [low, high]
    while low < high:
        middle = (low + high + 1) // 2
        if fits(build(message.cut(middle))):
            low = middle
        else:
            high = middle - 1
    return build(message.cut(low))


def plain_text(message: Message) -> str:
    """The message as plain text: title, facts, sections as ``- lead text`` lines, then the link."""
    lines = [message.title, *message.facts]
    for section in message.sections:
        lines += ["", section.title]
        lines += [
            f"- {item.lead} {item.text}" if item.lead else f"- {item.text}"
            for item in section.items
        ]
    tail = [line for line in (message.more_line, message.link) if line]
    if tail:
        lines += ["", *tail]
    return "\n".join(lines)
