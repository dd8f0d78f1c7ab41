"""Delivery to each robot, played by a server on 127.0.0.1 (tests/robot_server.py).

Sent once; tried again after a 500, a 429 (waiting its Retry-After) or the
robot's "too fast" code, then sent; failed at once with the robot's own error,
in one line; refused for a wrong secret or an old timestamp; timed out within
the bound. Timeouts and backoff are injected, so the suite stays fast.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace

import pytest

from notify_example import example_result
from promoplan.notify import dingtalk, feishu, slack, wecom
from promoplan.notify.config import Target, TargetSpec
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


def test_a_hanging_robot_times_out_within_the_bound(robots: Robots) -> None:
    robots.script = ["hang", "hang", "hang"]
    policy = Policy(timeout=0.3, tries=3, backoff=0.05, jitter=lambda: 1.0)
    started = time.monotonic()
    outcome, _ = send(robots, "dingtalk", policy=policy)
    elapsed = time.monotonic() - started
    assert outcome == Outcome(
        ok=False, tries=3, error="no answer within 0.3 s (timed out) (3 tries)"
    )
    # Three tries of 0.3 s and waits of 0.05 and 0.1 s: 1.05 s; a second of slack for the machine.
    assert 0.9 <= elapsed < 2.05
    assert len(robots.received) == 3


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
