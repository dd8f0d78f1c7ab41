"""DingTalk (钉钉) custom robot: a signed ``markdown`` message.

``{"msgtype": "markdown", "markdown": {"title": ..., "text": ...}}``. With a
secret ("加签"), ``timestamp`` (milliseconds) and ``sign`` go in the query:
``sign`` is the URL-encoded Base64 of HMAC-SHA256, keyed by the secret, over
``"{timestamp}\\n{secret}"``; DingTalk refuses a timestamp more than an hour off.
The robot answers ``{"errcode": 0, "errmsg": "ok"}``; 130101 ("send too fast") is
tried again, any other errcode is a failure. DingTalk publishes no size limit for
markdown; promoplan keeps the body within 20,000 bytes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import urllib.parse

from promoplan.notify.config import Target
from promoplan.notify.deliver import Answer, Prepared, errcode_answer
from promoplan.notify.markup import markdown_lines
from promoplan.notify.message import Message, escape, fit
from promoplan.notify.payload import MASK, prepared, to_bytes

BODY_LIMIT = 20_000  # bytes of the JSON body
RATE_LIMITED = {130101}


def sign(secret: str, timestamp_ms: int) -> str:
    """Base64 of HMAC-SHA256(key=secret, message="{timestamp}\\n{secret}"), before URL-encoding."""
    digest = hmac.new(
        secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode("ascii")


def payload(message: Message, limit: int = BODY_LIMIT) -> dict[str, object]:
    """The message cut to ``limit`` bytes of body, as DingTalk's markdown payload."""

    def build(cut: Message) -> dict[str, object]:
        # DingTalk's Markdown breaks a line only after two spaces (or at a blank line).
        lines = markdown_lines(cut, heading=True)
        text = "\n".join(
            f"{line}  " if line and index + 1 < len(lines) and lines[index + 1] else line
            for index, line in enumerate(lines)
        )
        return {
            "msgtype": "markdown",
            "markdown": {"title": escape(cut.title, "markdown"), "text": text},
        }

    return fit(message, build, lambda found: len(to_bytes(found)) <= limit)


def signed_url(webhook: str, secret: str, timestamp_ms: int) -> str:
    """The webhook with ``timestamp`` and ``sign`` added to its query."""
    parts = urllib.parse.urlsplit(webhook)
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    query = [(k, v) for k, v in query if k not in ("timestamp", "sign")]
    query += [("timestamp", str(timestamp_ms)), ("sign", sign(secret, timestamp_ms))]
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def prepare(target: Target, message: Message, *, now: float) -> Prepared:
    """The request for ``target``, signed when it has a secret."""
    found = payload(message)
    if target.secret is None:
        return prepared(target, found)
    timestamp = round(now * 1000)
    return prepared(
        target,
        found,
        url=signed_url(target.webhook, target.secret, timestamp),
        shown_query=f"?access_token={MASK}&timestamp={timestamp}&sign={MASK}",
    )


def read_answer(status: int, body: bytes) -> Answer:
    """``errcode`` 0 is sent; any other is a failure named with its ``errmsg``."""
    return errcode_answer(status, body, robot="DingTalk", rate_limited=RATE_LIMITED)
