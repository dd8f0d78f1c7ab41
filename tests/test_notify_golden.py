"""The example plan's weekly report as each robot receives it: golden payloads, and what they say.

``tests/golden/notify/<robot>.json`` holds the body promoplan posts for
``report plans/ecommerce-2025.yaml --actuals 'plans/actuals/*.csv' --as-of 2025-06-30
--link https://reports.example.com/promo/ecommerce-2025-2025-W26.html``, signed at
2025-06-30 06:15 UTC with the test secrets (``pytest --update-golden`` rewrites them).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.parse

import pytest

from notify_example import SENT_AT, example_result
from promoplan.notify.config import Target, TargetSpec
from promoplan.notify.deliver import Prepared
from promoplan.notify.message import build_message
from promoplan.notify.payload import shown
from promoplan.notify.run import prepare
from promoplan.render import RenderOptions
from robot_server import DINGTALK_SECRET, FEISHU_SECRET, WEBHOOK_SECRET

LINK = "https://reports.example.com/promo/ecommerce-2025-2025-W26.html"
WEBHOOKS = {
    "wecom": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=00000000-test",
    "dingtalk": "https://oapi.dingtalk.com/robot/send?access_token=0000test",
    "feishu": "https://open.feishu.cn/open-apis/bot/v2/hook/00000000-test",
    "slack": "https://hooks.slack.com/services/T0000/B0000/test",
    "webhook": "https://hooks.example.com/promoplan/test",
}
SECRETS = {"dingtalk": DINGTALK_SECRET, "feishu": FEISHU_SECRET, "webhook": WEBHOOK_SECRET}
ROBOTS = tuple(WEBHOOKS)
# What every robot's message must carry from the example's report (see README: the example).
MUST_SAY = (
    "电商平台运营年度推广计划",
    "2025-W26",
    "Status: fail",
    "1 error, 3 warnings",
    "low_roi (channel=kuaishou, 2025-Q2): roi 1:2.26 below 1:3; action: 缩减投放 (cut this "
    "channel's spend)",
    "traffic_drop (2025-W26): uv down 34% (more than 20%); action: "
    '启动"备用渠道"（如知乎信息流、B站UP主合作），同时加大私域裂变力度 (switch on backup channels)',
    "GMV（交易规模）: ¥411.3万 (-47.9%)",
    "Goals: 10 at risk, 1 on track, 8 met, 1 pending",  # counted by hand from the README
)


def request_for(robot: str) -> Prepared:
    spec = TargetSpec(
        kind=robot,  # type: ignore[arg-type]
        origin=f"--notify {robot}",
        webhook_var=f"PROMOPLAN_{robot.upper()}_WEBHOOK",
        secret_var=None,
        secret_required=False,
    )
    target = Target(spec, WEBHOOKS[robot], SECRETS.get(robot))
    message = build_message(example_result(), link=LINK, units="cn")
    return prepare(target, message, example_result(), options=RenderOptions(), now=SENT_AT)


def text_of(robot: str, payload: dict[str, object]) -> str:
    """All the text a reader sees, whatever the robot's structure."""
    return json.dumps(payload, ensure_ascii=False).replace("\\n", "\n").replace('\\"', '"')


@pytest.mark.parametrize("robot", ROBOTS)
def test_golden_payload(robot: str, golden) -> None:  # type: ignore[no-untyped-def]
    request = request_for(robot)
    payload = json.loads(request.body.decode("utf-8"))
    golden(f"notify/{robot}.json", shown(payload))


@pytest.mark.parametrize("robot", ROBOTS)
def test_the_payload_says_what_matters(robot: str) -> None:
    request = request_for(robot)
    body = request.body.decode("utf-8")
    assert "\\u" not in body  # Chinese intact, not escaped
    text = text_of(robot, json.loads(body))
    for words in MUST_SAY:
        assert words in text, (robot, words)
    assert text.index("low_roi") < text.index("traffic_drop") < text.index("GMV")  # worst first
    assert LINK in text
    assert "more in the report" not in text  # the example fits every robot whole


def test_wecom_within_4096_bytes() -> None:
    payload = json.loads(request_for("wecom").body)
    content = payload["markdown"]["content"]
    assert payload["msgtype"] == "markdown"
    assert len(content.encode("utf-8")) <= 4096
    assert content.startswith("### 电商平台运营年度推广计划: weekly report 2025-W26\n")


def test_dingtalk_markdown_is_signed_in_the_query() -> None:
    request = request_for("dingtalk")
    payload = json.loads(request.body)
    assert payload["msgtype"] == "markdown"
    assert payload["markdown"]["title"] == "电商平台运营年度推广计划: weekly report 2025-W26"
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(request.url).query))
    assert query["access_token"] == "0000test"
    assert query["timestamp"] == "1751264100000"  # 2025-06-30T06:15:00Z in milliseconds
    expected = base64.b64encode(
        hmac.new(
            DINGTALK_SECRET.encode(),
            f"1751264100000\n{DINGTALK_SECRET}".encode(),
            hashlib.sha256,
        ).digest()
    ).decode()
    assert query["sign"] == expected
    # Sent URL-encoded: Base64's + / = are escaped in the query string.
    assert "sign=" + urllib.parse.quote_plus(expected) in request.url


def test_feishu_card_is_signed_in_the_body_and_within_20kb() -> None:
    request = request_for("feishu")
    assert len(request.body) <= 20_000
    payload = json.loads(request.body)
    assert payload["timestamp"] == "1751264100"
    key = f"1751264100\n{FEISHU_SECRET}".encode()
    assert payload["sign"] == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    card = payload["card"]
    assert payload["msg_type"] == "interactive"
    assert card["header"]["template"] == "red"  # status fail
    assert card["elements"][-1]["actions"][0]["url"] == LINK


def test_slack_blocks_within_limits() -> None:
    payload = json.loads(request_for("slack").body)
    assert payload["text"].startswith("电商平台运营年度推广计划: weekly report 2025-W26")
    assert payload["blocks"][0]["type"] == "header"
    assert len(payload["blocks"]) <= 50
    for block in payload["blocks"]:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= 3000
    assert payload["blocks"][-1]["text"]["text"] == f"<{LINK}|Full report>"


def test_generic_webhook_summary_is_signed_in_a_header() -> None:
    request = request_for("webhook")
    payload = json.loads(request.body)
    assert payload["kind"] == "promoplan.report.summary"
    assert payload["counts"] == {"error": 1, "warning": 3, "info": 0}
    assert payload["window"] == {"label": "2025-W26", "start": "2025-06-23", "end": "2025-06-29"}
    assert [a["severity"] for a in payload["alerts"]] == ["error", "warning"]
    digest = hmac.new(WEBHOOK_SECRET.encode(), request.body, hashlib.sha256).hexdigest()
    assert request.headers["X-Promoplan-Signature"] == f"sha256={digest}"
