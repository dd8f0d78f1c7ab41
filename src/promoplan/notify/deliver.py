"""Posting a payload with the standard library: timeout, retries with backoff, robots' answers.

One POST per try, ``urllib.request`` only. A try is repeated only when the
message certainly did not arrive: the connection failed (refused, the host
unknown, no connection within the timeout), or the robot answered 429, a 5xx or
its own "too fast" code. Up to three tries, after an exponential backoff with
jitter, or after the ``Retry-After`` the server asked for. Once the request went
out whole, a timeout or a dropped connection while waiting for the answer is not
retried: the robot may have posted the message already, and a second try would
post it twice. Any other 4xx, and a robot's error code in a 200, fail at once. No
redirect is followed (a webhook URL that redirects is misconfigured, and the
redirect would carry the key elsewhere). Errors are written here, in words,
never from exception text that could hold the URL; the robot's own words are
quoted only through the caller's ``redact``.
"""

from __future__ import annotations

import email.utils
import http.client
import json
import random
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from promoplan import __version__
from promoplan.notify.config import Redactor

ANSWER_LIMIT = 64 * 1024  # bytes of a robot's answer read; robots answer a few dozen
USER_AGENT = f"promoplan/{__version__} (+notify)"


@dataclass(frozen=True)
class Policy:
    """How hard to try: per-try timeout, tries, backoff, and the clock and sleep (for tests)."""

    timeout: float = 10.0  # seconds for each connect and each read
    tries: int = 3
    backoff: float = 1.0  # the first retry waits about this long, then twice as long ...
    max_wait: float = 60.0  # a longer Retry-After is not waited for: the run gives up
    sleep: Callable[[float], None] = time.sleep
    jitter: Callable[[], float] = random.random  # in [0, 1): spreads retries of many jobs
    clock: Callable[[], float] = time.time  # the signing timestamps of DingTalk and Feishu


DEFAULT_POLICY = Policy()


@dataclass(frozen=True)
class Prepared:
    """One request ready to post: the URL (kept out of ``repr``), body and headers."""

    url: str = field(repr=False)
    body: bytes = field(repr=False)
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)
    shown_url: str = ""  # the URL as it may be printed: the key masked
    shown_body: str = ""  # the body as it may be printed: signatures masked


@dataclass(frozen=True)
class Answer:
    """What a robot's answer means: sent, worth another try, or failed (with its words).

    ``error`` is promoplan's words (``DingTalk errcode 310000``); ``said`` the robot's
    own (``sign not match``), which :func:`deliver` quotes after it, masked.
    """

    ok: bool
    retry: bool = False
    error: str | None = None
    said: str = ""


@dataclass(frozen=True)
class Outcome:
    """How one delivery ended."""

    ok: bool
    tries: int
    error: str | None = None


ReadAnswer = Callable[[int, bytes], Answer]
MAYBE_DELIVERED = "the message may have been delivered, so it was not sent again"


@dataclass(frozen=True)
class _Reply:
    """One POST: the robot's answer, or what went wrong in words and whether it was sent."""

    status: int | None
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    failure: str = ""
    sent: bool = False  # the request went out whole before the failure: it may have arrived


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Refuse redirects: the answer is taken as the 3xx it is."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        """Follow nothing."""
        return None


def _opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(_NoRedirect())


def http_answer(status: int, body: bytes) -> Answer:
    """The generic reading of an HTTP status: 2xx sent, 429 and 5xx retried, the rest failed."""
    if 200 <= status < 300:
        return Answer(ok=True)
    return Answer(
        ok=False,
        retry=status == 429 or status >= 500,
        error=f"HTTP {status}",
        said=answer_text(body),
    )


def answer_text(body: bytes, limit: int = 200) -> str:
    """The first line of an answer body, short, as text (robots answer JSON or a word)."""
    text = body[: limit * 4].decode("utf-8", errors="replace").strip()
    line = text.splitlines()[0] if text else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def json_answer(body: bytes) -> dict[str, object] | None:
    """The answer as a JSON object, or None."""
    try:
        found = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return found if isinstance(found, dict) else None


def retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)


def _plural(tries: int) -> str:
    return f"{tries} {'try' if tries == 1 else 'tries'}"


def deliver(
    request: Prepared,
    read: ReadAnswer,
    policy: Policy = DEFAULT_POLICY,
    *,
    redact: Callable[[str], str] | None = None,
) -> Outcome:
    """Post ``request`` until it is sent, it fails for good, or the tries run out.

    The robot's own words in the error go through ``redact`` (by default, one that
    masks the request's URL and its parts).
    """
    if redact is None:
        redact = Redactor()
        redact.add(request.url)
    opener = _opener()
    error = "not tried"
    for attempt in range(1, max(1, policy.tries) + 1):
        wait: float | None = None
        reply = _post(opener, request, policy.timeout)
        if reply.status is None:
            if reply.sent:
                return Outcome(
                    ok=False,
                    tries=attempt,
                    error=f"{reply.failure}; {MAYBE_DELIVERED} ({_plural(attempt)})",
                )
            answer = Answer(ok=False, retry=True, error=reply.failure)
        else:
            answer = read(reply.status, reply.body)
            if reply.status == 429 or reply.status >= 500 or answer.retry:
                wait = retry_after(reply.headers.get("Retry-After"), policy.clock())
        if answer.ok:
            return Outcome(ok=True, tries=attempt)
        error = answer.error or "failed"
        if answer.said:
            error += f": {redact(answer.said)}"
        if not answer.retry:
            return Outcome(ok=False, tries=attempt, error=f"{error} ({_plural(attempt)})")
        if attempt == policy.tries:
            break
        if wait is not None and wait > policy.max_wait:
            return Outcome(
                ok=False,
                tries=attempt,
                error=f"{error}; the robot asked to retry after {wait:.0f} s, longer than "
                f"{policy.max_wait:.0f} s ({_plural(attempt)})",
            )
        if wait is None:
            # Exponential backoff with "equal jitter": half fixed, half random.
            base = policy.backoff * 2 ** (attempt - 1)
            wait = base / 2 + base / 2 * policy.jitter()
        policy.sleep(wait)
    tries = max(1, policy.tries)
    return Outcome(ok=False, tries=tries, error=f"{error} ({_plural(tries)})")


def _post(opener: urllib.request.OpenerDirector, request: Prepared, timeout: float) -> _Reply:
    """One POST: the answer, or what went wrong (and whether the request had gone out)."""
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        **request.headers,
    }
    req = urllib.request.Request(request.url, data=request.body, headers=headers, method="POST")
    try:
        with opener.open(req, timeout=timeout) as response:
            body = _read(response, timeout)
            return _Reply(response.status, body, dict(response.headers.items()))
    except urllib.error.HTTPError as exc:
        with exc:
            try:
                body = exc.read(ANSWER_LIMIT)
            except (OSError, http.client.HTTPException):
                body = b""
            return _Reply(exc.code, body, dict(exc.headers.items()) if exc.headers else {})
    except urllib.error.URLError as exc:
        # urllib wraps in URLError what fails while it connects and sends the request
        # (DNS, refused, connect timeout, TLS, a write cut short): the robot did not get
        # the whole request, so another try cannot post the message twice.
        return _Reply(None, failure=_reason(exc.reason, timeout, sent=False))
    except (ValueError, http.client.InvalidURL):
        # urllib's ValueError and InvalidURL messages repeat the URL: say it in our words.
        return _Reply(None, failure="the webhook URL is not valid")
    except (OSError, http.client.HTTPException) as exc:
        # Raised as they are by getresponse() and the reading of the answer: the request
        # was sent whole, and the robot may have posted it before the answer was lost.
        return _Reply(None, failure=_reason(exc, timeout, sent=True), sent=True)


def _read(response: http.client.HTTPResponse, timeout: float) -> bytes:
    """The answer, at most :data:`ANSWER_LIMIT` bytes, within about ``timeout`` seconds overall."""
    deadline = time.monotonic() + timeout
    chunks: list[bytes] = []
    size = 0
    while size < ANSWER_LIMIT and time.monotonic() < deadline:
        chunk = response.read1(min(8192, ANSWER_LIMIT - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _reason(  # noqa: PLR0911  # one per failure
    reason: object, timeout: float, *, sent: bool
) -> str:
    """A connection failure in words, without the exception's own text."""
    if isinstance(reason, TimeoutError):
        if not sent:
            return f"could not send the request within {timeout:g} s (timed out)"
        return f"no answer within {timeout:g} s (timed out)"
    if isinstance(reason, socket.gaierror):
        return "the webhook's host name could not be resolved"
    if isinstance(reason, http.client.RemoteDisconnected):  # before its base classes
        return "the server closed the connection without answering"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, ConnectionResetError):
        return "connection reset"
    if isinstance(reason, OSError) and reason.strerror:
        return f"connection failed: {reason.strerror}"
    if isinstance(reason, http.client.HTTPException):
        return "the server's answer was not valid HTTP"
    return "connection failed"


def errcode_answer(
    status: int, body: bytes, *, robot: str, rate_limited: frozenset[int] | set[int]
) -> Answer:
    """A WeCom or DingTalk answer: ``errcode`` 0 is sent; any other is a failure named with
    its ``errmsg`` (retried when it is the robot's "too fast")."""
    if status != 200:
        return http_answer(status, body)
    found = json_answer(body)
    if found is None:
        return Answer(ok=False, error=f"{robot} answered something that is not JSON")
    code = found.get("errcode")
    if code == 0:
        return Answer(ok=True)
    return coded_failure(f"{robot} errcode", code, found.get("errmsg", ""), rate_limited)


def coded_failure(
    name: str, code: object, words: object, rate_limited: frozenset[int] | set[int]
) -> Answer:
    """``DingTalk errcode 310000: sign not match``: a number from the robot's documented
    codes is promoplan's words; anything else it answered is quoted as its own."""
    if isinstance(code, int) and not isinstance(code, bool):
        return Answer(ok=False, retry=code in rate_limited, error=f"{name} {code}", said=str(words))
    return Answer(ok=False, error=name, said=f"{code}: {words}")
