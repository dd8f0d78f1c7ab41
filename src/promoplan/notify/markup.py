"""The robots' Markdown: one writer for WeCom, DingTalk and Feishu's ``lark_md``, one for Slack.

Plan and CSV text goes through :func:`promoplan.notify.message.escape`; the
markup around it is promoplan's own.
"""

from __future__ import annotations

from promoplan.notify.message import Message, Section, escape


def markdown_lines(message: Message, *, heading: bool, more_and_link: bool = True) -> list[str]:
    """Title (``### ...`` when ``heading``), facts, then each section: bold title, ``- `` items."""
    lines: list[str] = []
    if heading:
        lines += [f"### {escape(message.title, 'markdown')}", ""]
    first, *rest = message.facts or ("",)
    lines.append(f"**{escape(first, 'markdown')}**")
    lines += [escape(fact, "markdown") for fact in rest]
    for section in message.sections:
        lines += ["", *section_lines(section)]
    if more_and_link:
        lines += tail_lines(message)
    return lines


def section_lines(section: Section) -> list[str]:
    """``**Alerts**`` and one ``- **error** text`` line per item."""
    lines = [f"**{escape(section.title, 'markdown')}**"]
    for item in section.items:
        lead = f"**{escape(item.lead, 'markdown')}** " if item.lead else ""
        lines.append(f"- {lead}{escape(item.text, 'markdown')}")
    return lines


def tail_lines(message: Message) -> list[str]:
    """``N more in the report`` and the link to the full report, when there are any."""
    tail = []
    if message.more_line:
        tail.append(f"*{message.more_line}*")
    if message.link:
        tail.append(f"[Full report]({message.link})")
    return ["", *tail] if tail else []


def slack_section(section: Section) -> list[str]:
    """``*Alerts*`` and one ``• *error* text`` line per item, in Slack's mrkdwn."""
    lines = [f"*{escape(section.title, 'slack')}*"]
    for item in section.items:
        lead = f"*{escape(item.lead, 'slack')}* " if item.lead else ""
        lines.append(f"• {lead}{escape(item.text, 'slack')}")
    return lines
