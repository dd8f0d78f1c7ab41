"""The summary: what it holds, how it is cut to a robot's limit, and how plan text is escaped."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from notify_example import example_result
from promoplan.notify import dingtalk, feishu, slack, wecom
from promoplan.notify.config import TargetSpec
from promoplan.notify.message import Item, Message, Section, build_message, escape, fit
from promoplan.notify.run import wanted
from promoplan.result import AlertResult, GoalProgress
from promoplan.vocabulary import Severity


def many_alerts(count: int) -> tuple[AlertResult, ...]:
    base = example_result().alerts
    found = []
    for index in range(count):
        severity: Severity = "warning" if index % 3 else "error"
        found.append(replace(base[0], severity=severity, group=(("channel", f"渠道{index:03d}"),)))
    return tuple(found)


def test_alerts_are_listed_worst_first() -> None:
    result = example_result()
    info = replace(result.alerts[1], severity="info", rule="late_info", label="late_info")
    reordered = replace(result, alerts=(info, result.alerts[1], result.alerts[0]))
    message = build_message(reordered, link=None, units="cn")
    alerts = message.sections[0]
    assert alerts.title == "Alerts"
    assert [item.lead for item in alerts.items] == ["error", "warning", "info"]


def test_off_track_goals_are_listed() -> None:
    result = example_result()
    goal = result.goals[0]
    off = replace(goal, status="off_track", progress=0.5)
    message = build_message(replace(result, goals=(off, *result.goals[1:])), link=None, units="cn")
    section = next(s for s in message.sections if s.title == "Goals off track")
    assert section.items == (
        Item("off track", "全年交易规模较去年增长30%: +28.2% of +30% (progress 50%)"),
    )
    assert "Goals: 1 off track, 9 at risk, 1 on track, 8 met, 1 pending" in message.facts
    # Only an amount has a pace ("of pace"); a growth's or a level's progress is its own.
    amount = replace(off, kind="cumulative", unit="currency", actual=500.0, target=1000.0)
    message = build_message(replace(result, goals=(amount,)), link=None, units="cn")
    section = next(s for s in message.sections if s.title == "Goals off track")
    assert section.items[0].text.endswith("(50% of pace)")


def test_units_apply() -> None:
    message = build_message(example_result(), link=None, units="intl")
    kpis = next(s for s in message.sections if s.title.startswith("Headline KPIs"))
    assert kpis.items[0].text == "GMV（交易规模）: ¥4.11M (-47.9%)"  # ¥411.3万 is 4.113 million


def test_no_alert_firing_is_said() -> None:
    message = build_message(replace(example_result(), alerts=()), link=None, units="cn")
    assert "Alerts: none firing" in message.facts
    assert all(section.title != "Alerts" for section in message.sections)


@pytest.mark.parametrize("count", [60, 400])
def test_wecom_is_cut_at_whole_lines_alerts_first(count: int) -> None:
    long = replace(example_result(), alerts=many_alerts(count))
    message = build_message(long, link="https://reports.example.com/r.html", units="cn")
    whole = wecom.content(message).split("\n")
    content = wecom.payload(message)["markdown"]["content"]  # type: ignore[index]
    assert len(content.encode("utf-8")) <= 4096
    lines = content.split("\n")
    # Every line is a whole line of the uncut message, in order, up to the "more" line.
    more_at = next(i for i, line in enumerate(lines) if line.endswith("more in the report*"))
    assert lines[: more_at - 1] == whole[: more_at - 1]
    kept = [line for line in lines if line.startswith("- ")]
    assert kept
    assert all("渠道" in line for line in kept)  # only alerts survive the cut
    # The count: every item of the message (alerts, KPIs, data notes) that was not kept.
    total = count + 9 + 2
    assert lines[more_at] == f"*{total - len(kept)} more in the report*"
    assert lines[-1] == "[Full report](https://reports.example.com/r.html)"


def test_the_cut_is_the_longest_that_fits() -> None:
    long = replace(example_result(), alerts=many_alerts(100))
    message = build_message(long, link=None, units="cn")
    found = wecom.payload(message)["markdown"]["content"]  # type: ignore[index]
    kept = found.count("\n- ")
    one_more = wecom.content(message.cut(kept + 1))
    assert len(one_more.encode("utf-8")) > 4096


@pytest.mark.parametrize("module", [dingtalk, feishu])
def test_dingtalk_and_feishu_bodies_stay_within_20000_bytes(module: object) -> None:
    long = replace(example_result(), alerts=many_alerts(500))
    message = build_message(long, link=None, units="cn")
    payload = module.payload(message)  # type: ignore[attr-defined]
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    assert 15_000 < len(body) <= 20_000
    assert "more in the report" in body.decode()


def test_slack_sections_are_split_at_lines() -> None:
    long = replace(example_result(), alerts=many_alerts(500))
    payload = slack.payload(build_message(long, link=None, units="cn"))
    blocks = payload["blocks"]
    assert isinstance(blocks, list)
    assert len(blocks) <= 50
    sections = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    assert all(len(text) <= 3000 for text in sections)
    assert all(line.startswith(("*", "•")) for text in sections[1:] for line in text.split("\n"))


def test_fit_keeps_a_header_when_nothing_else_fits() -> None:
    message = Message(
        "t", "fail", ("Status: fail",), (Section("Alerts", (Item("error", "x" * 50),)),)
    )
    found = fit(message, lambda m: m, lambda m: not m.sections)
    assert found.sections == ()
    assert found.more == 1
    assert found.more_line == "1 more in the report"


@pytest.mark.parametrize(
    ("text", "dialect", "expected"),
    [
        ("[click](http://evil.example)", "markdown", "［click］(http[:]//evil[.]example)"),
        ("http://evil.example/plain", "markdown", "http[:]//evil[.]example/plain"),
        ("see www.evil.com/x.html", "slack", "see www[.]evil[.]com/x[.]html"),
        ("HTTPS://EVIL.COM:8443/", "text", "HTTPS[:]//EVIL[.]COM:8443/"),
        ("evil.com.1 and 例子.中国", "markdown", "evil[.]com.1 and 例子[.]中国"),
        ("http://10.0.0.1/x", "slack", "http[:]//10[.]0[.]0[.]1/x"),
        ("evil.xn--p1ai", "markdown", "evil[.]xn--p1ai"),
        ("*粗体*_斜_~删~ **b** __u__", "markdown", "＊粗体＊＿斜＿～删～ ＊＊b＊＊ ＿＿u＿＿"),
        ("*粗体*_斜_~删~ `c`", "slack", "＊粗体＊＿斜＿～删～ ｀c｀"),
        ("low_roi, Q1.wecom_adds, wechat_mini", "markdown", "low_roi, Q1.wecom_adds, wechat_mini"),
        ("roi 1:2.26, ¥4.11M, 4.7%, v1.2, e.g.", "slack", "roi 1:2.26, ¥4.11M, 4.7%, v1.2, e.g."),
        ("10~20万", "markdown", "10～20万"),
        ('<font color="warning">x</font>', "markdown", '＜font color="warning"＞x＜/font＞'),
        ("<at id=all></at>", "markdown", "＜at id=all＞＜/at＞"),
        ("`code`", "markdown", "｀code｀"),
        ("<!channel> & <http://x|y>", "slack", "&lt;!channel&gt; &amp; &lt;http[:]//x|y&gt;"),
        ("line one\nline two\x1b[31m", "markdown", "line one line two\\u001b［31m"),
        ("缩减投放 (cut)", "markdown", "缩减投放 (cut)"),
    ],
)
def test_plan_text_is_inert(text: str, dialect: str, expected: str) -> None:
    assert escape(text, dialect) == expected  # type: ignore[arg-type]


def test_an_action_cannot_forge_a_line_or_a_link() -> None:
    result = example_result()
    evil = replace(result.alerts[0], action="ok\n- **error** forged [x](http://evil) <@all>")
    message = build_message(replace(result, alerts=(evil,)), link=None, units="cn")
    content = wecom.content(message)
    assert "\n- **error** forged" not in content
    assert "[x](http" not in content
    assert "<@all>" not in content


EVIL = (
    "http://evil.example/plain",
    "see www.evil.com",
    "*粗体*_斜_~删~",
    "<https://evil.example|点击>",
)
LINK = "https://reports.example.com/promo/r.html"


def _strings(found: object) -> list[str]:
    """Every string in a payload."""
    if isinstance(found, dict):
        return [text for value in found.values() for text in _strings(value)]
    if isinstance(found, list):
        return [text for value in found for text in _strings(value)]
    return [found] if isinstance(found, str) else []


@pytest.mark.parametrize("module", [wecom, dingtalk, feishu, slack])
def test_no_url_or_emphasis_from_the_data_reaches_a_robot(module: object) -> None:
    """Channel names from the CSV and an alert's action: no link a client could make, no
    emphasis; promoplan's own link to the report stays whole."""
    result = example_result()
    evil = tuple(
        replace(
            result.alerts[0],
            group=(("channel", text),),
            action=f"{text} or open http://evil.example/x",
            label="evil.example",
        )
        for text in EVIL
    )
    long_name = replace(result, name="Plan http://evil.example/name", alerts=evil)
    message = build_message(long_name, link=LINK, units="cn")
    payload = module.payload(message)  # type: ignore[attr-defined]
    texts = _strings(payload)
    assert any(LINK in text for text in texts)
    for text in texts:
        theirs = text.replace(LINK, "")
        assert "://" not in theirs, text
        assert "evil.example" not in theirs, text
        assert "evil.com" not in theirs, text
        assert "*粗体*" not in theirs, text
        assert "_斜_" not in theirs, text
        assert "~删~" not in theirs, text
    assert any("http[:]//evil[.]example/plain" in text for text in texts)


def _spec(when: str) -> TargetSpec:
    return TargetSpec("wecom", "notify[0]", "W", None, False, when=when)  # type: ignore[arg-type]


def test_when_always_alerts_errors() -> None:
    result = example_result()  # an error alert, a warning alert
    quiet = replace(result, alerts=(), diagnostics=())
    warned = replace(result, alerts=(result.alerts[1],), diagnostics=())
    assert [wanted(_spec(w), result) for w in ("always", "alerts", "errors")] == [True] * 3
    assert [wanted(_spec(w), quiet) for w in ("always", "alerts", "errors")] == [True, False, False]
    assert [wanted(_spec(w), warned) for w in ("always", "alerts", "errors")] == [True, True, False]


def test_goal_statuses_unknown_to_this_version_are_counted_last() -> None:
    result = example_result()
    goal: GoalProgress = replace(result.goals[0], status="behind2")  # type: ignore[arg-type]
    message = build_message(replace(result, goals=(goal,)), link=None, units="cn")
    assert "Goals: 1 behind2" in message.facts
