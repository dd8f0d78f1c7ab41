"""Slack incoming webhook: ``{"text": ..., "blocks": [...]}`` in mrkdwn.

``text`` is the notification's fallback (title and status); the blocks hold a
header, the facts, one section per part (split at whole lines to stay within
3,000 characters a section), "N more in the report" and the link. At most 50
blocks. Slack answers ``ok`` (HTTP 200) or an error word with a 4xx
(``invalid_payload``, ``no_service``); 429 comes with ``Retry-After``.
"""

from __future__ import annotations

from promoplan.notify.config import Target
from promoplan.notify.deliver import Answer, Prepared, answer_text, http_answer
from promoplan.notify.markup import slack_section
from promoplan.notify.message import Message, escape, fit
from promoplan.notify.payload import prepared

HEADER_LIMIT = 150  # characters of a header block
SECTION_LIMIT = 3000  # characters of a section's text
BLOCK_LIMIT = 50
TEXT_LIMIT = 40_000  # characters of the whole message's text


def _section(text: str) -> dict[str, object]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _chunks(lines: list[str], limit: int) -> list[str]:
    """Lines joined into texts of at most ``limit`` characters, split between lines."""
    chunks: list[str] = []
    current = ""
    for whole in lines:
        line = whole if len(whole) <= limit else whole[: limit - 1] + "…"
        joined = f"{current}\n{line}" if current else line
        if len(joined) > limit and current:
            chunks.append(current)
            joined = line
        current = joined
    if current:
        chunks.append(current)
    return chunks


def build(message: Message) -> dict[str, object]:
    """The payload of ``message`` as it is (see :func:`payload` for the cut)."""
    title = escape(message.title, "text")[:HEADER_LIMIT]
    facts = [escape(fact, "slack") for fact in message.facts]
    if facts:
        facts[0] = f"*{facts[0]}*"
    blocks: list[dict[str, object]] = [
        {"type": "header", "text": {"type": "plain_text", "text": title}},
        *[_section(text) for text in _chunks(facts, SECTION_LIMIT)],
    ]
    for section in message.sections:
        blocks += [_section(text) for text in _chunks(slack_section(section), SECTION_LIMIT)]
    if message.more_line:
        blocks.append(
            {"type": "context", "elements": [{"type": "mrkdwn", "text": f"_{message.more_line}_"}]}
        )
    if message.link:
        blocks.append(_section(f"<{message.link}|Full report>"))
    fallback = escape(f"{message.title}: {message.facts[0] if message.facts else ''}", "slack")
    return {"text": fallback, "blocks": blocks}


def fits(found: dict[str, object]) -> bool:
    """Within Slack's limits on blocks, section text and whole text."""
    blocks = found["blocks"]
    assert isinstance(blocks, list)
    total = 0
    for block in blocks:
        text = block.get("text", {}).get("text", "") if isinstance(block, dict) else ""
        if block.get("type") == "section" and len(text) > SECTION_LIMIT:
            return False
        total += len(text)
    return len(blocks) <= BLOCK_LIMIT and total <= TEXT_LIMIT


def payload(message: Message) -> dict[str, object]:
    """The message cut at whole items until it is within Slack's limits."""
    return fit(message, build, fits)


def prepare(target: Target, message: Message, *, now: float) -> Prepared:
    """The request for ``target`` (Slack signs nothing: the key is in the URL's path)."""
    return prepared(target, payload(message))


def read_answer(status: int, body: bytes) -> Answer:
    """HTTP 200 is sent; a 4xx carries Slack's error word."""
    if status == 200:
        return Answer(ok=True)
    found = http_answer(status, body)
    word = answer_text(body)
    if not word:
        return Answer(ok=False, retry=found.retry, error=f"Slack HTTP {status}: error")
    return Answer(ok=False, retry=found.retry, error=f"Slack HTTP {status}", said=word)
