"""Delivery to each robot, played by a server on 127.0.0.1 (tests/robot_server.py).

Sent once; tried again after a 500, a 429 (waiting its Retry-After), the
robot's "too fast" code or a connection that could not be made, then sent;
failed at once with the robot's own error, in one line; refused for a wrong
secret or an old timestamp; never sent twice once the request went out and the
answer did not come. Timeouts and backoff are injected, so the suite stays fast.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

import pytest

from notify_example import example_result
from promoplan.notify import dingtalk, feishu, slack, wecom
from promoplan.notify.config import Redactor, Target, TargetSpec
from promoplan.notify.deliver import Outcome, Policy, Prepared, deliver
from promoplan.notify.message import build_message
from promoplan.notify.run import READERS, prepare
from promoplan.render import RenderOptions
from robot_server import (
    DINGTALK_SECRET,
    FEISHU_SECRET,
    KEY,
    WEBHOOK_SECRET,
    Robots,
    running_robots,
)

ROBOTS = ("wecom", "dingtalk", "feishu", "slack", "webhook")
SIGNED = {"dingtalk": DINGTALK_SECRET, "feishu": FEISHU_SECRET, "webhook": WEBHOOK_SECRET}
ROBOT_ERRORS = {
    "wecom": "WeCom errcode 93017: robot is disabled by admin",
    "dingtalk": "DingTalk errcode 310000: keywords not in content",
    "feishu": "Feishu code 19024: Key Words Not Found",
    "slack": "Slack HTTP 410: channel_is_archived",
    "webhook": "HTTP 422: unprocessable",
}


@pytest.fixture
def robots(monkeypatch: pytest.MonkeyPatch) -> Iterator[Robots]:
    # A proxy from the environment must not take the requests away from 127.0.0.1.
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    with running_robots() as found:
        yield found


def target(robots: Robots, robot: str, *, secret: str | None = None, key: str = KEY) -> Target:
    spec = TargetSpec(
        kind=robot,  # type: ignore[arg-type]
        origin=f"--notify {robot}",
        webhook_var=f"PROMOPLAN_{robot.upper()}_WEBHOOK",
        secret_var=f"PROMOPLAN_{robot.upper()}_SECRET",
        secret_required=False,
    )
    return Target(spec, robots.url(robot, key), secret if secret is not None else SIGNED.get(robot))


class Sleeps:
    """Records the waits instead of sleeping."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def send(
    robots: Robots, robot: str, *, policy: Policy | None = None, **kwargs: str
) -> tuple[Outcome, Sleeps]:
    sleeps = Sleeps()
    policy = policy or Policy(timeout=2.0, backoff=0.5, sleep=sleeps, jitter=lambda: 0.5)
    found = target(robots, robot, **kwargs)
    message = build_message(example_result(), link=None, units="cn")
    request = prepare(found, message, example_result(), options=RenderOptions(), now=policy.clock())
    return deliver(request, READERS[robot], policy), sleeps


@pytest.mark.parametrize("robot", ROBOTS)
def test_sent_once(robots: Robots, robot: str) -> None:
    outcome, sleeps = send(robots, robot)
    assert outcome == Outcome(ok=True, tries=1)
    assert len(robots.received) == 1
    assert sleeps.waits == []
    got = robots.received[0]
    assert got.headers["Content-Type"] == "application/json; charset=utf-8"
    assert "缩减投放" in got.body.decode("utf-8")  # Chinese as UTF-8, not \u escapes


@pytest.mark.parametrize("robot", ROBOTS)
def test_retried_after_a_500_then_sent(robots: Robots, robot: str) -> None:
    robots.script = ["500", "ok"]
    outcome, sleeps = send(robots, robot)
    assert outcome == Outcome(ok=True, tries=2)
    # The first backoff is 0.5 s, half of it fixed and half jittered (jitter 0.5 -> 0.375 s).
    assert sleeps.waits == [pytest.approx(0.375)]
    assert len(robots.received) == 2


@pytest.mark.parametrize("robot", ROBOTS)
def test_retried_after_a_429_waiting_its_retry_after(robots: Robots, robot: str) -> None:
    robots.script = ["429", "429", "ok"]
    robots.retry_after = "2"
    outcome, sleeps = send(robots, robot)
    assert outcome == Outcome(ok=True, tries=3)
    assert sleeps.waits == [2.0, 2.0]


@pytest.mark.parametrize("robot", ["wecom", "dingtalk", "feishu"])
def test_the_robots_own_too_fast_code_is_retried(robots: Robots, robot: str) -> None:
    robots.script = ["busy", "ok"]
    outcome, _ = send(robots, robot)
    assert outcome == Outcome(ok=True, tries=2)


@pytest.mark.parametrize("robot", ROBOTS)
def test_the_robots_own_error_fails_at_once_in_one_line(robots: Robots, robot: str) -> None:
    robots.script = ["error"]
    outcome, sleeps = send(robots, robot)
    assert outcome.ok is False
    assert outcome.tries == 1  # an error answer is not tried again
    assert outcome.error == f"{ROBOT_ERRORS[robot]} (1 try)"
    assert "\n" not in outcome.error
    assert sleeps.waits == []


def test_five_hundreds_give_up_after_three_tries(robots: Robots) -> None:
    robots.script = ["500", "500", "500"]
    outcome, sleeps = send(robots, "wecom")
    assert outcome == Outcome(ok=False, tries=3, error="HTTP 500: internal error (3 tries)")
    assert sleeps.waits == [pytest.approx(0.375), pytest.approx(0.75)]  # 0.5 then 1.0, jittered


def test_a_retry_after_beyond_the_cap_is_not_waited_for(robots: Robots) -> None:
    robots.script = ["429"]
    robots.retry_after = "120"
    outcome, sleeps = send(robots, "slack")
    assert not outcome.ok
    assert outcome.tries == 1
    assert "asked to retry after 120 s" in (outcome.error or "")
    assert sleeps.waits == []


def test_a_4xx_is_not_retried(robots: Robots) -> None:
    outcome, _ = send(robots, "slack", key="wrong-key-0000")
    assert outcome == Outcome(ok=False, tries=1, error="Slack HTTP 404: no_service (1 try)")


@pytest.mark.parametrize(
    ("robot", "error"),
    [
        ("dingtalk", "DingTalk errcode 310000: sign not match (1 try)"),
        (
            "feishu",
            "Feishu code 19021: sign match fail or timestamp is not within one hour from "
            "current time (1 try)",
        ),
        ("webhook", "HTTP 401: bad signature (1 try)"),
    ],
)
def test_a_wrong_secret_is_refused(robots: Robots, robot: str, error: str) -> None:
    outcome, _ = send(robots, robot, secret="SECnot-the-right-secret")
    assert outcome == Outcome(ok=False, tries=1, error=error)


@pytest.mark.parametrize(
    ("robot", "error"),
    [
        ("dingtalk", "DingTalk errcode 310000: invalid timestamp (1 try)"),
        (
            "feishu",
            "Feishu code 19021: sign match fail or timestamp is not within one hour from "
            "current time (1 try)",
        ),
    ],
)
def test_a_timestamp_over_an_hour_old_is_refused(robots: Robots, robot: str, error: str) -> None:
    old = Policy(clock=lambda: time.time() - 3601, sleep=Sleeps())
    outcome, _ = send(robots, robot, policy=old)
    assert outcome == Outcome(ok=False, tries=1, error=error)


@pytest.mark.parametrize("robot", ["dingtalk", "feishu"])
def test_a_timestamp_59_minutes_old_is_accepted(robots: Robots, robot: str) -> None:
    recent = Policy(clock=lambda: time.time() - 59 * 60, sleep=Sleeps())
    outcome, _ = send(robots, robot, policy=recent)
    assert outcome.ok


def test_a_robot_that_does_not_answer_in_time_is_not_posted_to_twice(robots: Robots) -> None:
    """The request went out whole: a slow robot may post it yet, so it is not sent again."""
    robots.script = ["hang", "hang", "hang"]
    policy = Policy(timeout=0.3, tries=3, backoff=0.05, jitter=lambda: 1.0)
    started = time.monotonic()
    outcome, sleeps = send(robots, "dingtalk", policy=policy)
    elapsed = time.monotonic() - started
    assert outcome == Outcome(
        ok=False,
        tries=1,
        error="no answer within 0.3 s (timed out); the message may have been delivered, "
        "so it was not sent again (1 try)",
    )
    # One try of 0.3 s (the read of the answer has its own 0.3 s); slack for the machine.
    assert 0.25 <= elapsed < 1.3
    assert len(robots.received) == 1
    assert sleeps.waits == []


def test_a_connection_closed_without_an_answer_is_not_retried(robots: Robots) -> None:
    robots.script = ["drop", "ok"]
    outcome, _ = send(robots, "wecom")
    assert outcome == Outcome(
        ok=False,
        tries=1,
        error="the server closed the connection without answering; the message may have "
        "been delivered, so it was not sent again (1 try)",
    )
    assert len(robots.received) == 1


def test_a_500_then_no_answer_stops_at_the_second_try(robots: Robots) -> None:
    robots.script = ["500", "hang", "ok"]
    outcome, _ = send(robots, "slack", policy=Policy(timeout=0.3, sleep=Sleeps()))
    assert not outcome.ok
    assert outcome.tries == 2
    assert (outcome.error or "").endswith("so it was not sent again (2 tries)")
    assert len(robots.received) == 2


@contextmanager
def unanswered_port() -> Iterator[int]:
    """A port on 127.0.0.1 whose listen queue is full, so that a connect to it times out."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    port = server.getsockname()[1]
    waiting = []
    try:
        for _ in range(4):  # one fills the queue; the kernel drops the others' SYNs
            client = socket.socket()
            client.setblocking(False)
            client.connect_ex(("127.0.0.1", port))
            waiting.append(client)
        time.sleep(0.05)
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        except TimeoutError:
            yield port
        else:
            pytest.skip("this system completes connections beyond the listen queue")
    finally:
        for client in waiting:
            client.close()
        server.close()


def test_a_connect_timeout_is_retried() -> None:
    """No connection, nothing sent: another try cannot post the message twice."""
    with unanswered_port() as port:
        closed = Prepared(url=f"http://127.0.0.1:{port}/cgi-bin/webhook/send?key={KEY}", body=b"{}")
        sleeps = Sleeps()
        outcome = deliver(closed, wecom.read_answer, Policy(timeout=0.2, sleep=sleeps))
    assert outcome == Outcome(
        ok=False, tries=3, error="could not send the request within 0.2 s (timed out) (3 tries)"
    )
    assert len(sleeps.waits) == 2


def test_a_refused_connection_is_retried_and_named(robots: Robots) -> None:
    found = target(robots, "wecom")
    closed = Target(found.spec, "http://127.0.0.1:9/cgi-bin/webhook/send?key=" + KEY, None)
    sleeps = Sleeps()
    message = build_message(example_result(), link=None, units="cn")
    outcome = deliver(
        wecom.prepare(closed, message, now=time.time()),
        wecom.read_answer,
        Policy(timeout=1.0, sleep=sleeps),
    )
    assert outcome == Outcome(ok=False, tries=3, error="connection refused (3 tries)")
    assert len(sleeps.waits) == 2


def test_the_server_enforces_the_size_limits(robots: Robots) -> None:
    """The stand-in refuses what the services refuse: promoplan's cut is what keeps it out."""
    huge = "告警" * 3000  # 18,000 bytes of UTF-8
    request = Prepared(
        url=robots.url("wecom"),
        body=('{"msgtype":"markdown","markdown":{"content":"' + huge + '"}}').encode(),
    )
    outcome = deliver(request, wecom.read_answer, Policy(sleep=Sleeps()))
    assert outcome.error == "WeCom errcode 40058: markdown.content exceed max length 4096 (1 try)"


@pytest.mark.parametrize("module", [wecom, dingtalk, feishu, slack])
def test_a_long_report_is_cut_and_accepted(robots: Robots, module: object) -> None:
    result = example_result()
    alerts = tuple(
        replace(result.alerts[0], group=(("channel", f"渠道{index:03d}"),)) for index in range(400)
    )
    long = replace(result, alerts=alerts)
    robot = module.__name__.rsplit(".", 1)[1]  # type: ignore[attr-defined]
    found = target(robots, robot)
    message = build_message(long, link="https://reports.example.com/r.html", units="cn")
    request = prepare(found, message, long, options=RenderOptions(), now=time.time())
    outcome = deliver(request, READERS[robot], Policy(sleep=Sleeps()))
    assert outcome == Outcome(ok=True, tries=1)
    assert " more in the report" in robots.received[0].body.decode("utf-8")


def test_the_robots_words_are_masked_and_promoplans_are_not(robots: Robots) -> None:
    """A key that is also one of promoplan's words ("HTTP") is masked only where the robot
    repeats it."""
    robots.script = ["echo"]
    outcome, _ = send(robots, "wecom", key="HTTP")
    assert outcome == Outcome(ok=False, tries=1, error="HTTP 400: bad request to ***?*** (1 try)")


def test_a_short_key_is_masked_as_a_token_not_inside_a_word() -> None:
    spec = TargetSpec("wecom", "--notify wecom:TFAST", "TFAST_WEBHOOK", "TFAST_SECRET", False)
    short = Target(spec, "https://qyapi.weixin.qq.com/send?key=FAST", "S3CR")
    long = Target(spec, "https://qyapi.weixin.qq.com/send?key=FAST", DINGTALK_SECRET)
    assert Redactor([short])("invalid key FAST (key=FAST&sign=S3CR); FASTER, TFAST_WEBHOOK") == (
        "invalid key *** (***&sign=***); FASTER, TFAST_WEBHOOK"
    )
    assert Redactor([long])(f"token{DINGTALK_SECRET}x") == "token***x"  # a long one, anywhere


def test_fragments_too_short_to_be_a_key_are_not_hidden() -> None:
    spec = TargetSpec("webhook", "--notify webhook", "W_WEBHOOK", None, False)
    redact = Redactor([Target(spec, "https://hooks.example.com/?v=1")])
    assert redact("v=1 of 1 / 2") == "v=1 of 1 / 2"
