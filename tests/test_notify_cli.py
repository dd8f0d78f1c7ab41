"""``report --notify`` end to end: the report is written first, the summary is sent (or not).

The robots are played by tests/robot_server.py on 127.0.0.1; delivery timeouts
and backoff are shortened through the policy the command uses.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from promoplan.cli import app
from promoplan.notify import run as notify_run
from promoplan.notify.config import Target, cli_target
from promoplan.notify.deliver import Policy
from robot_server import (
    DINGTALK_SECRET,
    FEISHU_SECRET,
    KEY,
    SECRETS,
    WEBHOOK_SECRET,
    Robots,
    running_robots,
)

ROOT = Path(__file__).resolve().parents[1]
PLAN = ROOT / "plans" / "ecommerce-2025.yaml"
ACTUALS = str(ROOT / "plans" / "actuals" / "*.csv")
AS_OF = "2025-06-30"
REPORT_NAME = "ecommerce-2025-2025-W26.md"
ROBOTS = ("wecom", "dingtalk", "feishu", "slack", "webhook")
SIGNED = {"dingtalk": DINGTALK_SECRET, "feishu": FEISHU_SECRET, "webhook": WEBHOOK_SECRET}


@pytest.fixture
def robots(monkeypatch: pytest.MonkeyPatch) -> Iterator[Robots]:
    # A proxy from the environment must not take the requests away from 127.0.0.1.
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setattr(
        notify_run, "DEFAULT_POLICY", Policy(timeout=0.3, backoff=0.01, jitter=lambda: 0.5)
    )
    with running_robots() as found:
        yield found


def environment(robots: Robots, **overrides: str) -> dict[str, str]:
    env = {"NO_COLOR": "1", "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
    for robot in ROBOTS:
        env[f"PROMOPLAN_{robot.upper()}_WEBHOOK"] = robots.url(robot)
        if robot in SIGNED:
            env[f"PROMOPLAN_{robot.upper()}_SECRET"] = SIGNED[robot]
    env.update(overrides)
    return env


def report(
    out: Path, *extra: str, env: dict[str, str], plan: Path = PLAN, debug: bool = False
) -> tuple[int, str, str]:
    args = [*(["--debug"] if debug else []), "report", str(plan), "--actuals", ACTUALS]
    args += ["--as-of", AS_OF, "-o", str(out), *extra]
    result = CliRunner().invoke(app, args, env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def plain_report(tmp_path: Path) -> bytes:
    """The report as written without --notify, to compare with."""
    out = tmp_path / "plain"
    out.mkdir()
    status, _, _ = report(out, env={"NO_COLOR": "1"})
    assert status == 0
    return (out / REPORT_NAME).read_bytes()


def test_the_report_is_written_then_sent(robots: Robots, tmp_path: Path) -> None:
    status, stdout, stderr = report(tmp_path, "--notify", "dingtalk", env=environment(robots))
    assert status == 0
    assert (tmp_path / REPORT_NAME).read_bytes() == plain_report(tmp_path)
    assert stdout == ""
    # After the report's own summary line.
    assert stderr.endswith("promoplan: sent to dingtalk ($PROMOPLAN_DINGTALK_WEBHOOK) (1 try)\n")
    assert len(robots.received) == 1


def test_every_kind_at_once(robots: Robots, tmp_path: Path) -> None:
    args = [arg for robot in ROBOTS for arg in ("--notify", robot)]
    status, _, stderr = report(tmp_path, *args, env=environment(robots))
    assert status == 0, stderr
    assert [r.robot for r in robots.received] == list(ROBOTS)
    assert stderr.count("promoplan: sent to ") == 5


def test_retried_then_sent(robots: Robots, tmp_path: Path) -> None:
    robots.script = ["500", "ok"]
    status, _, stderr = report(tmp_path, "--notify", "feishu", env=environment(robots))
    assert status == 0
    assert stderr.endswith("promoplan: sent to feishu ($PROMOPLAN_FEISHU_WEBHOOK) (2 tries)\n")


def test_a_failed_notification_exits_4_and_keeps_the_report(robots: Robots, tmp_path: Path) -> None:
    robots.script = ["error"]
    status, stdout, stderr = report(tmp_path, "--notify", "dingtalk", env=environment(robots))
    assert status == 4
    assert (tmp_path / REPORT_NAME).read_bytes() == plain_report(tmp_path)
    assert stdout == ""
    # The first line is the report's own summary (the window it covers).
    assert stderr.splitlines()[0].startswith("promoplan: weekly report 2025-W26")
    assert stderr.splitlines()[1:] == [
        "promoplan: notification to dingtalk ($PROMOPLAN_DINGTALK_WEBHOOK) failed: "
        "DingTalk errcode 310000: keywords not in content (1 try)"
    ]


def test_notify_optional_keeps_the_exit_status(robots: Robots, tmp_path: Path) -> None:
    robots.script = ["error"]
    status, _, stderr = report(
        tmp_path, "--notify", "wecom", "--notify-optional", env=environment(robots)
    )
    assert status == 0
    assert "failed: WeCom errcode 93017: robot is disabled by admin (1 try)" in stderr
    assert "--notify-optional: exit status unchanged" in stderr


def test_exit_4_takes_precedence_over_fail_on(robots: Robots, tmp_path: Path) -> None:
    robots.script = ["error"]
    status, _, _ = report(
        tmp_path, "--notify", "slack", "--fail-on", "error", env=environment(robots)
    )
    assert status == 4
    robots.script = []
    status, _, _ = report(
        tmp_path, "--notify", "slack", "--fail-on", "error", env=environment(robots)
    )
    assert status == 1  # sent; the error alert fails the run as asked


def test_a_hanging_robot_times_out_within_the_bound(robots: Robots, tmp_path: Path) -> None:
    robots.script = ["hang", "hang", "hang"]
    started = time.monotonic()
    status, _, stderr = report(tmp_path, "--notify", "slack", env=environment(robots))
    elapsed = time.monotonic() - started
    assert status == 4
    assert (tmp_path / REPORT_NAME).exists()
    assert stderr.endswith(
        "failed: no answer within 0.3 s (timed out); the message may have been delivered, "
        "so it was not sent again (1 try)\n"
    )
    assert len(robots.received) == 1  # a slow robot that posts it in the end posts it once
    # The report itself takes a few seconds on a busy machine; the notification 0.3 s.
    assert elapsed < 15


def test_a_webhook_not_set_fails_that_target_after_the_report(
    robots: Robots, tmp_path: Path
) -> None:
    env = environment(robots)
    del env["PROMOPLAN_WECOM_WEBHOOK"]
    status, _, stderr = report(tmp_path, "--notify", "wecom", "--notify", "slack", env=env)
    assert status == 4
    assert (tmp_path / REPORT_NAME).exists()
    # The first line is the report's own summary (the window it covers).
    assert stderr.splitlines()[0].startswith("promoplan: weekly report 2025-W26")
    assert stderr.splitlines()[1:] == [
        "promoplan: notification to wecom ($PROMOPLAN_WECOM_WEBHOOK) failed: "
        "$PROMOPLAN_WECOM_WEBHOOK is not set; export the robot's webhook URL in it",
        "promoplan: sent to slack ($PROMOPLAN_SLACK_WEBHOOK) (1 try)",
    ]


@pytest.mark.parametrize(
    "webhook",
    [
        "https://qyapi.weixin.qq.com:abc/x?key=KEY-123456",  # a port of letters
        "https://qyapi.weixin.qq.com:99999/x?key=KEY-123456",  # past 65535
        "https://[::1/x?key=KEY-123456",  # a bracket left open
    ],
)
def test_a_webhook_that_is_no_valid_url_fails_that_target_in_words(
    robots: Robots, tmp_path: Path, webhook: str
) -> None:
    env = {**environment(robots), "PROMOPLAN_WECOM_WEBHOOK": webhook}
    status, _, stderr = report(tmp_path, "--notify", "wecom", env=env)
    assert status == 4  # not 3, an internal error
    assert stderr.splitlines()[1:] == [
        "promoplan: notification to wecom ($PROMOPLAN_WECOM_WEBHOOK) failed: "
        "$PROMOPLAN_WECOM_WEBHOOK does not hold a valid URL (its host or port)"
    ]
    assert "KEY-123456" not in stderr


def test_a_prefix_names_other_variables(robots: Robots, tmp_path: Path) -> None:
    env = {
        "OPS_DINGTALK_WEBHOOK": robots.url("dingtalk"),
        "OPS_DINGTALK_SECRET": DINGTALK_SECRET,
    }
    status, _, stderr = report(tmp_path, "--notify", "dingtalk:OPS_DINGTALK", env=env)
    assert status == 0, stderr
    assert stderr.endswith("promoplan: sent to dingtalk ($OPS_DINGTALK_WEBHOOK) (1 try)\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--notify", "teams"], "unknown --notify 'teams'"),
        (["--notify", "dingtalk:OPS-X"], "is not an environment variable prefix"),
        (["--link", "https://x.example/"], "--link goes with --notify TARGET"),
        (["--dry-run"], "--dry-run goes with --notify TARGET"),
        (["--notify", "wecom", "--link", "ftp://x.example/"], "--link must be an http(s) URL"),
        (["--notify", "wecom", "--link", "https://x.example/{name}"], "unknown field {name}"),
        (["--notify", "plan"], "the plan has no notify: entries"),
    ],
)
def test_settings_that_cannot_work_exit_2_before_writing(
    tmp_path: Path, args: list[str], message: str
) -> None:
    status, _, stderr = report(tmp_path, *args, env={"NO_COLOR": "1"})
    assert status == 2
    assert message in stderr
    assert list(tmp_path.iterdir()) == [] or all(p.suffix == ".lock" for p in tmp_path.iterdir())


def test_a_file_link_needs_an_output_file() -> None:
    args = ["report", str(PLAN), "--actuals", ACTUALS, "--as-of", AS_OF, "--notify", "wecom"]
    result = CliRunner().invoke(app, [*args, "--link", "https://r.example/{file}"])
    assert result.exit_code == 2
    assert "uses {file}, but the report goes to stdout" in result.stderr


def test_the_link_gets_the_file_name(robots: Robots, tmp_path: Path) -> None:
    status, _, _ = report(
        tmp_path,
        "--notify",
        "wecom",
        "--link",
        "https://reports.example.com/promo/{period}/{file}",
        env=environment(robots),
    )
    assert status == 0
    content = robots.received[0].json["markdown"]["content"]  # type: ignore[index]
    assert content.endswith(
        f"[Full report](https://reports.example.com/promo/2025-W26/{REPORT_NAME})"
    )


NOTIFY_SECTION = """
notify:
  - {to: dingtalk, webhook: "${OPS_DINGTALK_WEBHOOK}", secret: "${OPS_DINGTALK_SECRET}",
     link: "https://reports.example.com/{file}"}
  - {to: feishu, webhook: "${OPS_FEISHU_WEBHOOK}", secret: "${OPS_FEISHU_SECRET}", when: errors}
  - {to: slack, webhook: "${OPS_SLACK_WEBHOOK}", when: alerts}
  - {to: wecom}
"""


def plan_with_notify(tmp_path: Path, section: str = NOTIFY_SECTION) -> Path:
    plan = tmp_path / "plan-notify.yaml"
    plan.write_text(PLAN.read_text(encoding="utf-8") + section, encoding="utf-8")
    return plan


def test_notify_plan_sends_to_the_plans_entries(robots: Robots, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    env = {
        "OPS_DINGTALK_WEBHOOK": robots.url("dingtalk"),
        "OPS_DINGTALK_SECRET": DINGTALK_SECRET,
        "OPS_FEISHU_WEBHOOK": robots.url("feishu"),
        "OPS_FEISHU_SECRET": FEISHU_SECRET,
        "OPS_SLACK_WEBHOOK": robots.url("slack"),
        "PROMOPLAN_WECOM_WEBHOOK": robots.url("wecom"),
    }
    status, _, stderr = report(out, "--notify", "plan", env=env, plan=plan_with_notify(tmp_path))
    assert status == 0, stderr
    assert [r.robot for r in robots.received] == ["dingtalk", "feishu", "slack", "wecom"]
    text = robots.received[0].json["markdown"]["text"]  # type: ignore[index]
    assert text.endswith("[Full report](https://reports.example.com/plan-notify-2025-W26.md)")


def test_a_plan_secret_that_is_not_set_fails(robots: Robots, tmp_path: Path) -> None:
    section = '\nnotify:\n  - {to: dingtalk, webhook: "${A_HOOK}", secret: "${A_SECRET}"}\n'
    env = {"A_HOOK": robots.url("dingtalk")}
    status, _, stderr = report(
        tmp_path, "--notify", "plan", env=env, plan=plan_with_notify(tmp_path, section)
    )
    assert status == 4
    assert "failed: $A_SECRET is not set; export the robot's signing secret in it" in stderr
    assert robots.received == []


def test_when_alerts_leaves_a_quiet_week_out(robots: Robots, tmp_path: Path) -> None:
    """With the alerts switched off, ``when: alerts`` sends nothing and says so."""
    text = PLAN.read_text(encoding="utf-8")
    quiet = re.sub(r"\nalerts:\n(?:  .*\n|\s*#.*\n|\n)*", "\n", text)
    assert "low_roi" not in quiet
    plan = tmp_path / "quiet.yaml"
    plan.write_text(quiet + "\nnotify:\n  - {to: slack, when: alerts}\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    status, _, stderr = report(out, "--notify", "plan", env=environment(robots), plan=plan)
    assert status == 0, stderr
    assert robots.received == []
    assert stderr.endswith(
        "promoplan: slack ($PROMOPLAN_SLACK_WEBHOOK): not sent (when: alerts, and none found)\n"
    )


def test_dry_run_prints_masked_payloads_and_sends_nothing(robots: Robots, tmp_path: Path) -> None:
    args = [arg for robot in ROBOTS for arg in ("--notify", robot)]
    status, stdout, stderr = report(tmp_path, *args, "--dry-run", env=environment(robots))
    assert status == 0, stderr
    assert robots.received == []
    heads = [line for line in stdout.splitlines() if line.startswith("# ")]
    port = robots.port
    assert heads == [
        f"# wecom ($PROMOPLAN_WECOM_WEBHOOK): POST http://127.0.0.1:{port}/***",
        f"# dingtalk ($PROMOPLAN_DINGTALK_WEBHOOK): POST http://127.0.0.1:{port}/***"
        f"?access_token=***&timestamp={heads[1].split('timestamp=')[1].split('&')[0]}&sign=***",
        f"# feishu ($PROMOPLAN_FEISHU_WEBHOOK): POST http://127.0.0.1:{port}/***",
        f"# slack ($PROMOPLAN_SLACK_WEBHOOK): POST http://127.0.0.1:{port}/***",
        f"# webhook ($PROMOPLAN_WEBHOOK_WEBHOOK): POST http://127.0.0.1:{port}/***"
        " (X-Promoplan-Signature: ***)",
    ]
    assert '"sign": "***"' in stdout  # Feishu's signature, masked
    assert "缩减投放" in stdout
    assert (tmp_path / REPORT_NAME).exists()


# -- nothing secret in any output -------------------------------------------------------

SCENARIOS = {
    "sent": [],
    "robot error": ["error"] * 5,
    "echoes the URL": ["echo"] * 5,
    "429 then 500": ["429", "500", "500"] * 5,
    "hang": ["hang"] * 15,
}


def _forms(secret: str) -> set[str]:
    return {secret, urllib.parse.quote(secret, safe=""), urllib.parse.quote_plus(secret)}


RUNS = [(scenario, False, True) for scenario in sorted(SCENARIOS)]
RUNS += [("sent", False, False), ("sent", True, True)]


@pytest.mark.parametrize(("scenario", "dry_run", "debug"), RUNS)
def test_no_secret_in_any_output(
    robots: Robots, tmp_path: Path, scenario: str, dry_run: bool, debug: bool
) -> None:
    robots.script = list(SCENARIOS[scenario])
    robots.retry_after = "0"
    env = environment(robots)
    args = [arg for robot in ROBOTS for arg in ("--notify", robot)]
    args += ["--link", "https://reports.example.com/{file}"] + (["--dry-run"] if dry_run else [])
    status, stdout, stderr = report(tmp_path, *args, env=env, debug=debug)
    assert status == (0 if scenario == "sent" else 4), stderr
    outputs = {"stdout": stdout, "stderr": stderr}
    outputs.update(
        {p.name: p.read_text(encoding="utf-8") for p in tmp_path.iterdir() if p.is_file()}
    )
    if scenario == "echoes the URL":
        assert "failed: HTTP 400: bad request to ***" in stderr  # the robot's words, masked
    hidden = set().union(*(_forms(secret) for secret in SECRETS))
    hidden |= {env[f"PROMOPLAN_{robot.upper()}_WEBHOOK"] for robot in ROBOTS}
    for name, text in outputs.items():
        for secret in hidden:
            assert secret not in text, f"{secret[:6]}... in {name}"


@pytest.mark.parametrize("dry_run", [False, True], ids=["sent", "dry-run"])
def test_a_short_key_is_masked_in_answers_not_in_variable_names(
    robots: Robots, tmp_path: Path, dry_run: bool
) -> None:
    """``key=FAST`` in ``$TFAST_WEBHOOK``: the variable's name is promoplan's words."""
    robots.script = ["echo"]
    env = {"TFAST_WEBHOOK": robots.url("wecom", key="FAST")}
    extra = ["--dry-run"] if dry_run else []
    status, stdout, stderr = report(tmp_path, "--notify", "wecom:TFAST", *extra, env=env)
    if dry_run:
        assert status == 0, stderr
        assert stdout.startswith(
            f"# wecom ($TFAST_WEBHOOK): POST http://127.0.0.1:{robots.port}/***"
        )
    else:
        assert status == 4
        assert stderr.splitlines()[-1] == (
            "promoplan: notification to wecom ($TFAST_WEBHOOK) failed: HTTP 400: bad request "
            "to ***?*** (1 try)"
        )
    assert "FAST" not in (stdout + stderr).replace("$TFAST_WEBHOOK", "")


def test_a_target_does_not_show_its_url_or_secret_in_repr(robots: Robots) -> None:
    target = Target(cli_target("dingtalk"), robots.url("dingtalk"), DINGTALK_SECRET)
    assert KEY not in repr(target)
    assert DINGTALK_SECRET not in repr(target)


# -- the README's cron line -------------------------------------------------------------

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_readme_cron_line_dry_runs(robots: Robots, tmp_path: Path) -> None:
    """The cron line that notifies DingTalk, with --dry-run, prints the payload."""
    line = next(
        line for line in README.splitlines() if line.startswith("15 6 * * 1") and "--notify" in line
    )
    command = line.split("&& promoplan ", 1)[1].split(" 2>>", 1)[0]
    args = shlex.split(command)
    assert args[:2] == ["report", "plans/ecommerce-2025.yaml"]
    variables = re.findall(r"^export (PROMOPLAN_\w+)=", README, flags=re.MULTILINE)
    assert variables == ["PROMOPLAN_DINGTALK_WEBHOOK", "PROMOPLAN_DINGTALK_SECRET"]
    # The example's data instead of /srv/promo's; a fixed as-of; the dry run.
    args[args.index("data/*.csv")] = ACTUALS
    args[args.index("-o") + 1] = str(tmp_path)
    args[1] = str(PLAN)
    env = environment(robots)
    env = {name: env[name] for name in variables}
    result = CliRunner().invoke(app, [*args, "--as-of", AS_OF, "--dry-run"], env=env)
    assert result.exit_code == 0, result.stderr
    assert robots.received == []
    assert result.stdout.startswith("# dingtalk ($PROMOPLAN_DINGTALK_WEBHOOK): POST ")
    assert '"msgtype": "markdown"' in result.stdout
    assert "[Full report](https://reports.example.com/promo/ecommerce-2025-2025-W26.html)" in (
        result.stdout
    )
    assert (tmp_path / "ecommerce-2025-2025-W26.html").exists()


# -- validate and check stay offline, and do not even import the notification code ------


@pytest.mark.parametrize(
    "args",
    [
        ["validate", str(PLAN)],
        ["check", str(PLAN), "--actuals", ACTUALS, "-f", "json"],
        ["report", str(PLAN), "--actuals", ACTUALS, "--as-of", AS_OF],
    ],
    ids=["validate", "check", "report-without-notify"],
)
def test_commands_do_not_import_the_notification_code(args: list[str]) -> None:
    code = (
        "import sys\n"
        "from promoplan.cli import main\n"
        f"sys.argv = ['promoplan', *{args!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('promoplan.notify')"
        " or m in ('urllib.request', 'http.client'))\n"
        "assert not loaded, loaded\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ},
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-2000:]


# -- PP140 ---------------------------------------------------------------------------------


def test_a_literal_webhook_in_the_plan_is_pp130_without_repeating_it(tmp_path: Path) -> None:
    token = "0123456789abcdef0123456789abcdef"
    section = (
        "\nnotify:\n"
        f'  - {{to: dingtalk, webhook: "https://oapi.dingtalk.com/robot/send?access_token={token}",'
        f' secret: "SEC{token}"}}\n'
        "  - {to: wecom, webhook: WECOM_WEBHOOK}\n"
    )
    plan = plan_with_notify(tmp_path, section)
    lines = plan.read_text(encoding="utf-8").splitlines()
    line = next(i for i, text in enumerate(lines, 1) if "access_token" in text)
    result = CliRunner().invoke(app, ["validate", str(plan)], env={"NO_COLOR": "1"})
    assert result.exit_code == 1
    output = result.stdout + result.stderr
    assert token not in output
    found = [text for text in output.splitlines() if "PP140" in text]
    assert len(found) == 3
    column = lines[line - 1].index('"https') + 1
    assert found[0].startswith(
        f"{plan}:{line}:{column}: error PP140 notify[0].webhook is a "
        'literal URL with its key; write webhook: "${DINGTALK_WEBHOOK}"'
    )
    assert "notify[0].secret is a literal secret" in found[1]
    assert "notify[1].webhook is not a ${NAME} reference" in found[2]
    # The report refuses to run such a plan, and posts nothing.
    status, _, stderr = report(tmp_path, "--notify", "plan", env={}, plan=plan)
    assert status == 1
    assert token not in stderr


def test_a_secret_that_is_not_text_is_not_repeated(tmp_path: Path) -> None:
    section = '\nnotify:\n  - {to: feishu, webhook: "${F}", secret: 98765432109876}\n'
    result = CliRunner().invoke(app, ["validate", str(plan_with_notify(tmp_path, section))])
    assert result.exit_code == 1
    assert "98765432109876" not in result.stdout + result.stderr
    assert "expected a ${NAME} reference to an environment variable" in result.stdout


def test_diff_does_not_repeat_a_literal_webhook(tmp_path: Path) -> None:
    """A pull request's diff comment would carry the key to everyone: it shows ``***``."""
    token = "fedcba9876543210fedcba9876543210"
    section = (
        "\nnotify:\n"
        f'  - {{to: wecom, webhook: "https://qyapi.weixin.qq.com/x?key={token}",'
        f' secret: "s{token}"}}\n'
        '  - {to: dingtalk, webhook: "${DINGTALK_WEBHOOK}"}\n'
    )
    new = plan_with_notify(tmp_path, section)
    for fmt in ("table", "markdown", "json"):
        result = CliRunner().invoke(app, ["diff", str(PLAN), str(new), "-f", fmt])
        assert result.exit_code == 1  # PP140 is a new error
        assert token not in result.stdout + result.stderr, fmt
    shown = CliRunner().invoke(app, ["diff", str(PLAN), str(new), "-f", "json"]).stdout
    assert '"webhook": "***"' in shown
    assert '"webhook": "${DINGTALK_WEBHOOK}"' in shown  # a reference is no secret


def test_a_dry_run_touches_no_socket(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket  # noqa: PLC0415  # patched for this test only

    attempts: list[str] = []

    def refused(*args: object, **kwargs: object) -> None:
        attempts.append("socket")
        raise OSError("network used")

    for name in ("socket", "create_connection", "getaddrinfo"):
        monkeypatch.setattr(socket, name, refused)
    env = {
        "PROMOPLAN_DINGTALK_WEBHOOK": "https://oapi.dingtalk.com/robot/send?access_token=" + KEY,
        "PROMOPLAN_DINGTALK_SECRET": DINGTALK_SECRET,
    }
    status, stdout, _ = report(tmp_path, "--notify", "dingtalk", "--dry-run", env=env)
    assert status == 0
    assert stdout.startswith(
        "# dingtalk ($PROMOPLAN_DINGTALK_WEBHOOK): POST https://oapi.dingtalk.com/***?access_token=***"
    )
    assert attempts == []
