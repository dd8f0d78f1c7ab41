"""After the report is written: send (or, with ``--dry-run``, print) each notification.

:func:`plan_notifications` runs before the report is written, so that a bad
``--notify`` setting stops the run (exit 2) before anything happens;
:func:`send_notifications` runs after, and says in one line per target on stderr
whether it was sent. A failed notification leaves the report in place.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TextIO

from promoplan.errors import Interrupted, Interruptible, UsageProblem, settle
from promoplan.modelnotify import NotifyTarget
from promoplan.notify import dingtalk, feishu, slack, webhook, wecom
from promoplan.notify.config import (
    NotifyRequest,
    Redactor,
    Target,
    TargetSpec,
    check_link,
    fill_link,
    requested_targets,
    resolve,
)
from promoplan.notify.deliver import (
    DEFAULT_POLICY,
    Outcome,
    Policy,
    Prepared,
    ReadAnswer,
    deliver,
)
from promoplan.notify.message import Message, build_message
from promoplan.render import RenderOptions
from promoplan.render.text import neutralise_workflow_commands, one_line
from promoplan.result import PlanResult, Run

READERS: dict[str, ReadAnswer] = {
    "wecom": wecom.read_answer,
    "dingtalk": dingtalk.read_answer,
    "feishu": feishu.read_answer,
    "slack": slack.read_answer,
    "webhook": webhook.read_answer,
}
NOTIFY_FAILED = 4  # exit status: the report was written, a notification was not sent
# Stands in for a webhook that is not set, so that --dry-run can still show the payload.
UNSET_WEBHOOK = "https://unset.invalid/"


def plan_notifications(
    request: NotifyRequest, entries: Sequence[NotifyTarget], *, to_file: bool
) -> list[TargetSpec]:
    """The targets asked for; ``UsageProblem`` (exit 2) for a setting that cannot work."""
    specs = requested_targets(request, entries)
    for spec in specs:
        link = request.link or spec.link
        if link is None:
            continue
        check_link(link, "--link" if request.link else f"{spec.origin}.link")
        if "{file}" in link and not to_file:
            where = "--link" if request.link else f"{spec.origin}.link"
            raise UsageProblem(
                f"{where} uses {{file}}, but the report goes to stdout; give --output"
            )
    return specs


def wanted(spec: TargetSpec, result: PlanResult) -> bool:
    """``when: always``; ``alerts``: some alert fires; ``errors``: some error was found."""
    if spec.when == "alerts":
        return bool(result.alerts)
    if spec.when == "errors":
        return result.counts["error"] > 0
    return True


def prepare(
    target: Target,
    message: Message,
    result: PlanResult,
    *,
    options: RenderOptions,
    now: float,
) -> Prepared:
    """The request for one target, in its robot's terms."""
    kind = target.spec.kind
    if kind == "wecom":
        return wecom.prepare(target, message, now=now)
    if kind == "dingtalk":
        return dingtalk.prepare(target, message, now=now)
    if kind == "feishu":
        return feishu.prepare(target, message, now=now)
    if kind == "slack":
        return slack.prepare(target, message, now=now)
    if target.spec.body == "report":
        from promoplan.render import render  # noqa: PLC0415  # only for body: report

        document = json.loads(render("json", Run("report", (result,)), options))
    else:
        document = webhook.summary(message, result)
    return webhook.prepare_document(target, document)


def send_notifications(
    request: NotifyRequest,
    specs: Sequence[TargetSpec],
    result: PlanResult,
    *,
    report_file: Path | None,
    options: RenderOptions,
    environ: Mapping[str, str] | None = None,
    policy: Policy | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> bool:
    """Send to each target (or print, for ``--dry-run``); False when one failed and counts.

    Called once the report is out. A SIGINT or SIGTERM then stops the delivery under
    way and every one still to come: each fails as ``interrupted``, and the report
    stays in place.
    """
    # The report is written: a signal from now on interrupts only a delivery, never
    # the lines that say what happened to each target.
    settle()
    environ = os.environ if environ is None else environ
    policy = policy or DEFAULT_POLICY
    err = err or sys.stderr
    # The payloads go to stdout unless the report itself went there.
    shown = out or (sys.stdout if report_file is not None else err)
    report = result.report
    period = report.window.label if report else (result.window.label if result.window else "")
    file = report_file.name if report_file is not None else None
    resolved = [(spec, resolve(spec, environ)) for spec in specs]
    redact = Redactor([target for _, target in resolved if isinstance(target, Target)])
    failed = 0
    for spec, found in resolved:
        if not wanted(spec, result):
            err.write(f"promoplan: {spec.name}: not sent (when: {spec.when}, and none found)\n")
            continue
        link = fill_link(request.link or spec.link, file=file, period=period)
        message = build_message(result, link=link, units=options.units_for(result))
        target = found if isinstance(found, Target) else Target(spec, UNSET_WEBHOOK, "unset")
        if request.dry_run:
            request_ = prepare(target, message, result, options=options, now=policy.clock())
            where = request_.shown_url if isinstance(found, Target) else f"(${spec.webhook_var})"
            # Only the payload is masked: the target's name is promoplan's words.
            text = f"# {spec.name}: POST {where}\n{redact(request_.shown_body)}"
            shown.write(neutralise_workflow_commands(text))
        if isinstance(found, str):
            err.write(f"promoplan: notification to {spec.name} failed: {found}\n")
            failed += 1
            continue
        if request.dry_run:
            continue
        outcome = _deliver_interruptibly(
            prepare(target, message, result, options=options, now=policy.clock()),
            READERS[spec.kind],
            policy,
            redact,
        )
        if outcome.ok:
            tries = f"{outcome.tries} {'try' if outcome.tries == 1 else 'tries'}"
            err.write(f"promoplan: sent to {spec.name} ({tries})\n")
        else:
            # The robot's words in the error are masked already; the rest is promoplan's.
            line = f"notification to {spec.name} failed: {outcome.error}"
            err.write(neutralise_workflow_commands(f"promoplan: {one_line(line)}\n"))
            failed += 1
    shown.flush()
    if failed and request.optional:
        err.write(
            f"promoplan: {failed} notification(s) failed; --notify-optional: exit status "
            "unchanged\n"
        )
        return True
    return failed == 0


def _deliver_interruptibly(
    request: Prepared, read: ReadAnswer, policy: Policy, redact: Redactor
) -> Outcome:
    """:func:`deliver`, where a signal (one now, or one that came since the report was
    written) makes a failed delivery, ``interrupted``, instead of ending the run."""
    try:
        with Interruptible():
            return deliver(request, read, policy, redact=redact)
    except Interrupted:
        return Outcome(ok=False, tries=0, error="interrupted")
