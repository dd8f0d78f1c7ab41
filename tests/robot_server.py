"""A stand-in for the chat robots on 127.0.0.1: WeCom, DingTalk, Feishu, Slack and a webhook.

Each robot checks what the real service checks (written here from the services'
documentation, not from promoplan's code): the payload's shape, its size limit,
the key in the URL, and for DingTalk and Feishu the signature made with the
secret and a timestamp no more than an hour off. It answers as the service does:
a 200 with the robot's own error code when something is wrong. A script of
answers makes it misbehave on purpose: its own error, "too fast", 429 with
Retry-After, 500, a hang, or a connection closed without an answer.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TypeGuard

KEY = "k3y-7f3a9c2e5b1d4e6f8a0b"  # the key in every robot's URL (WeCom key, DingTalk token ...)
DINGTALK_SECRET = "SECd1ngta1k-s3cret-0123456789abcdef"
FEISHU_SECRET = "fe1shu-s3cret-0123456789"
WEBHOOK_SECRET = "w3bhook-s3cret-0123456789"
SECRETS = (KEY, DINGTALK_SECRET, FEISHU_SECRET, WEBHOOK_SECRET)
PATHS = {
    "wecom": f"/cgi-bin/webhook/send?key={KEY}",
    "dingtalk": f"/robot/send?access_token={KEY}",
    "feishu": f"/open-apis/bot/v2/hook/{KEY}",
    "slack": f"/services/T0001/B0001/{KEY}",
    "webhook": f"/hooks/{KEY}",
}
HOUR_MS = 3_600_000


@dataclass
class Received:
    """One request as the robot saw it."""

    robot: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> object:
        """The body as JSON."""
        return json.loads(self.body.decode("utf-8"))


@dataclass
class Robots:
    """The server's state: what it received, and the script of answers still to give."""

    port: int = 0
    # Answers to give, in order: "ok", "error", "busy", "429", "500", "hang", "drop", "echo".
    script: list[str] = field(default_factory=list)
    retry_after: str = "1"
    hang_seconds: float = 5.0
    clock: Callable[[], float] = time.time
    received: list[Received] = field(default_factory=list)
    released: threading.Event = field(default_factory=threading.Event)

    def url(self, robot: str, key: str = KEY) -> str:
        """The webhook URL of ``robot`` on this server (with another key, to test refusals)."""
        return f"http://127.0.0.1:{self.port}/{robot}" + PATHS[robot].replace(KEY, key)


def _dingtalk_sign(timestamp: str, secret: str) -> str:
    string = f"{timestamp}\n{secret}".encode()
    return base64.b64encode(hmac.new(secret.encode(), string, hashlib.sha256).digest()).decode()


def _feishu_sign(timestamp: str, secret: str) -> str:
    key = f"{timestamp}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def _is_text(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and bool(value)


class _Handler(BaseHTTPRequestHandler):
    robots: Robots  # set on the subclass made per server

    def log_message(self, format: str, *args: object) -> None:  # the base's name
        """Quiet: nothing on stderr."""

    def do_POST(self) -> None:
        """Record the request, follow the script, then check it as the robot would."""
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        split = urllib.parse.urlsplit(self.path)
        robot, _, rest = split.path.lstrip("/").partition("/")
        query = dict(urllib.parse.parse_qsl(split.query))
        self.robots.received.append(
            Received(robot, "/" + rest, query, dict(self.headers.items()), body)
        )
        action = self.robots.script.pop(0) if self.robots.script else "ok"
        if action == "hang":
            self.robots.released.wait(self.robots.hang_seconds)
            return
        if action == "drop":  # the request read whole, the connection closed unanswered
            self.close_connection = True
            return
        if action == "echo":  # a careless robot that repeats the request's URL in its error
            self._send(400, f"bad request to {self.path}".encode(), "text/plain")
            return
        if action == "500":
            self._send(500, b"internal error", "text/plain")
            return
        if action == "429":
            self._send(
                429, b'{"error": "rate limited"}', extra={"Retry-After": self.robots.retry_after}
            )
            return
        check = getattr(self, f"_{robot}", None)
        if check is None:
            self._send(404, b"no such robot", "text/plain")
            return
        check("/" + rest, query, body, action)

    # -- the answers ------------------------------------------------------------

    def _send(
        self,
        status: int,
        body: bytes,
        kind: str = "application/json",
        extra: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, document: dict[str, object], status: int = 200) -> None:
        self._send(status, json.dumps(document, ensure_ascii=False).encode())

    # -- the robots -------------------------------------------------------------

    def _wecom(self, path: str, query: dict[str, str], body: bytes, action: str) -> None:
        if query.get("key") != KEY:
            return self._json({"errcode": 93000, "errmsg": "invalid webhook url"})
        payload = json.loads(body)
        content = payload.get("markdown", {}).get("content") if isinstance(payload, dict) else None
        if payload.get("msgtype") != "markdown" or not _is_text(content):
            return self._json({"errcode": 40008, "errmsg": "invalid message type"})
        if len(content.encode("utf-8")) > 4096:
            return self._json(
                {"errcode": 40058, "errmsg": "markdown.content exceed max length 4096"}
            )
        if action == "error":
            return self._json({"errcode": 93017, "errmsg": "robot is disabled by admin"})
        if action == "busy":
            return self._json({"errcode": 45009, "errmsg": "api freq out of limit"})
        return self._json({"errcode": 0, "errmsg": "ok"})

    def _dingtalk(  # noqa: PLR0911  # one answer per check
        self, path: str, query: dict[str, str], body: bytes, action: str
    ) -> None:
        if query.get("access_token") != KEY:
            return self._json({"errcode": 300001, "errmsg": "token is not exist"})
        timestamp, sign = query.get("timestamp"), query.get("sign")
        if timestamp is None or sign is None:
            return self._json({"errcode": 310000, "errmsg": "sign not match, more: missing"})
        if abs(int(self.robots.clock() * 1000) - int(timestamp)) > HOUR_MS:
            return self._json({"errcode": 310000, "errmsg": "invalid timestamp"})
        if not hmac.compare_digest(sign, _dingtalk_sign(timestamp, DINGTALK_SECRET)):
            return self._json({"errcode": 310000, "errmsg": "sign not match"})
        payload = json.loads(body)
        markdown = payload.get("markdown", {}) if isinstance(payload, dict) else {}
        if payload.get("msgtype") != "markdown" or not (
            _is_text(markdown.get("title")) and _is_text(markdown.get("text"))
        ):
            return self._json({"errcode": 40035, "errmsg": "缺少参数 markdown"})
        if len(body) > 20_000:
            return self._json({"errcode": 460101, "errmsg": "message too long"})
        if action == "error":
            return self._json({"errcode": 310000, "errmsg": "keywords not in content"})
        if action == "busy":
            return self._json(
                {"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"}
            )
        return self._json({"errcode": 0, "errmsg": "ok"})

    def _feishu(  # noqa: PLR0911  # one answer per check
        self, path: str, query: dict[str, str], body: bytes, action: str
    ) -> None:
        if path != f"/open-apis/bot/v2/hook/{KEY}":
            return self._json(
                {"code": 19001, "msg": "param invalid: incoming webhook access token invalid"}
            )
        if len(body) > 20_000:
            return self._json({"code": 9499, "msg": "request body too large"}, status=400)
        payload = json.loads(body)
        timestamp, sign = payload.get("timestamp"), payload.get("sign")
        if not isinstance(timestamp, str) or not isinstance(sign, str):
            return self._json(
                {
                    "code": 19021,
                    "msg": "sign match fail or timestamp is not within one hour from current time",
                }
            )
        if abs(int(self.robots.clock()) - int(timestamp)) > 3600 or not hmac.compare_digest(
            sign, _feishu_sign(timestamp, FEISHU_SECRET)
        ):
            return self._json(
                {
                    "code": 19021,
                    "msg": "sign match fail or timestamp is not within one hour from current time",
                }
            )
        card = payload.get("card")
        if payload.get("msg_type") != "interactive" or not (
            isinstance(card, dict)
            and _is_text(card.get("header", {}).get("title", {}).get("content"))
            and isinstance(card.get("elements"), list)
        ):
            return self._json({"code": 9499, "msg": "Bad Request"}, status=400)
        if action == "error":
            return self._json({"code": 19024, "msg": "Key Words Not Found"})
        if action == "busy":
            return self._json({"code": 11232, "msg": "frequency limited"})
        return self._json({"code": 0, "msg": "success", "data": {}})

    def _slack(self, path: str, query: dict[str, str], body: bytes, action: str) -> None:
        if not path.endswith(f"/{KEY}"):
            return self._send(404, b"no_service", "text/plain")
        payload = json.loads(body)
        blocks = payload.get("blocks")
        if not _is_text(payload.get("text")) or not isinstance(blocks, list):
            return self._send(400, b"invalid_payload", "text/plain")
        for block in blocks:
            text = block.get("text", {}).get("text", "")
            if len(blocks) > 50 or (block.get("type") == "section" and len(text) > 3000):
                return self._send(400, b"invalid_blocks", "text/plain")
        if action == "error":
            return self._send(410, b"channel_is_archived", "text/plain")
        return self._send(200, b"ok", "text/html")

    def _webhook(self, path: str, query: dict[str, str], body: bytes, action: str) -> None:
        if not path.endswith(f"/{KEY}"):
            return self._send(404, b"not found", "text/plain")
        expected = "sha256=" + hmac.new(WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()
        given = self.headers.get("X-Promoplan-Signature", "")
        if not hmac.compare_digest(given, expected):
            return self._send(401, b"bad signature", "text/plain")
        json.loads(body)
        if action == "error":
            return self._send(422, b"unprocessable", "text/plain")
        return self._send(204, b"", "text/plain")


@contextmanager
def running_robots() -> Iterator[Robots]:
    """Start the robots on a free port of 127.0.0.1; stop them (and end any hang) afterwards."""
    robots = Robots()
    handler = type("Handler", (_Handler,), {"robots": robots})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    robots.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield robots
    finally:
        robots.released.set()
        server.shutdown()
        server.server_close()
        thread.join(5)
