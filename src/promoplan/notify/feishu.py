"""Feishu / Lark (飞书) custom bot: a signed ``interactive`` card, body at most 20 KB.

With a secret ("签名校验"), ``timestamp`` (seconds, as text) and ``sign`` go in
the JSON body: ``sign`` is the Base64 of HMAC-SHA256 keyed by
``"{timestamp}\\n{secret}"`` over an empty message; Feishu refuses a timestamp
more than an hour off. The bot answers ``{"code": 0, "msg": "success"}``;
11232 ("frequency limited") is tried again, any other code is a failure.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from promoplan.notify.config import Target
from promoplan.notify.deliver import Answer, Prepared, coded_failure, http_answer, json_answer
from promoplan.notify.markup import markdown_lines, section_lines
from promoplan.notify.message import Message, escape, fit
from promoplan.notify.payload import MASK, prepared, to_bytes

BODY_LIMIT = 20_000  # bytes: "20 KB", read as the smaller of 20,000 and 20,480
RATE_LIMITED = {11232}
TEMPLATES = {"fail": "red", "warn": "orange", "pass": "green"}


def sign(secret: str, timestamp_s: int) -> str:
    """Base64 of HMAC-SHA256(key="{timestamp}\\n{secret}", message=b"")."""
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode("ascii")


def card(message: Message) -> dict[str, object]:
    """The card: a coloured header with the title, a block per section, the link as a button."""

    def div(lines: list[str]) -> dict[str, object]:
        return {"tag": "div", "text": {"tag": "lark_md", "content": "\n".join(lines)}}

    facts = markdown_lines(message.cut(0), heading=False, more_and_link=False)
    elements: list[dict[str, object]] = [div(facts)]
    elements += [div(section_lines(section)) for section in message.sections]
    if message.more_line:
        elements.append(
            {"tag": "note", "elements": [{"tag": "plain_text", "content": message.more_line}]}
        )
    if message.link:
        elements.append(
            {
                "tag": "action",
                "actions": [
                    {
                        "tag": "button",
                        "text": {"tag": "plain_text", "content": "Full report"},
                        "type": "primary",
                        "url": message.link,
                    }
                ],
            }
        )
    return {
        "config": {"wide_screen_mode": True},
        "header": {
            "template": TEMPLATES.get(message.status, "blue"),
            "title": {"tag": "plain_text", "content": escape(message.title, "text")},
        },
        "elements": elements,
    }


def payload(
    message: Message, limit: int = BODY_LIMIT, signature: dict[str, str] | None = None
) -> dict[str, object]:
    """The message cut so that the whole body (signature included) is within ``limit`` bytes."""

    def build(cut: Message) -> dict[str, object]:
        return {**(signature or {}), "msg_type": "interactive", "card": card(cut)}

    return fit(message, build, lambda found: len(to_bytes(found)) <= limit)


def prepare(target: Target, message: Message, *, now: float) -> Prepared:
    """The request for ``target``, signed in the body when it has a secret."""
    if target.secret is None:
        return prepared(target, payload(message))
    timestamp = int(now)
    found = payload(
        message, signature={"timestamp": str(timestamp), "sign": sign(target.secret, timestamp)}
    )
    return prepared(target, found, masked={**found, "sign": MASK})


def read_answer(status: int, body: bytes) -> Answer:
    """``code`` (or the older ``StatusCode``) 0 is sent; any other is a failure with its ``msg``."""
    if status != 200:
        return http_answer(status, body)
    found = json_answer(body)
    if found is None:
        return Answer(ok=False, error="Feishu answered something that is not JSON")
    code = found.get("code", found.get("StatusCode"))
    if code == 0:
        return Answer(ok=True)
    words = found.get("msg", found.get("StatusMessage", ""))
    return coded_failure("Feishu code", code, words, RATE_LIMITED)
