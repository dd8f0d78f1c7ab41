"""WeCom (企业微信) group robot: a ``markdown`` message, at most 4096 bytes of UTF-8.

``{"msgtype": "markdown", "markdown": {"content": ...}}``; the robot answers
``{"errcode": 0, "errmsg": "ok"}``, and a 200 with another errcode is a failure
(45009, "api freq out of limit", is tried again).
"""

from __future__ import annotations

from promoplan.notify.config import Target
from promoplan.notify.deliver import Answer, Prepared, errcode_answer
from promoplan.notify.markup import markdown_lines
from promoplan.notify.message import Message, fit
from promoplan.notify.payload import prepared

CONTENT_LIMIT = 4096  # bytes of UTF-8 in markdown.content
RATE_LIMITED = {45009}


def content(message: Message) -> str:
    """The markdown content: heading, facts, sections, "N more", link."""
    return "\n".join(markdown_lines(message, heading=True))


def payload(message: Message, limit: int = CONTENT_LIMIT) -> dict[str, object]:
    """The message cut to ``limit`` bytes, as WeCom's markdown payload."""
    text = fit(message, content, lambda text: len(text.encode("utf-8")) <= limit)
    return {"msgtype": "markdown", "markdown": {"content": text}}


def prepare(target: Target, message: Message, *, now: float) -> Prepared:
    """The request for ``target`` (WeCom signs nothing: the key is in the URL)."""
    return prepared(target, payload(message))


def read_answer(status: int, body: bytes) -> Answer:
    """``errcode`` 0 is sent; any other is a failure named with its ``errmsg``."""
    return errcode_answer(status, body, robot="WeCom", rate_limited=RATE_LIMITED)
