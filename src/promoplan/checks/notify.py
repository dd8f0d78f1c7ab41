"""Notification check PP140: webhook URLs and secrets are named, never written, in a plan.

A robot's webhook URL carries its key (``?access_token=``, ``?key=``, a token in
the path), and a plan lives in version control where everyone can read it. So a
plan names the environment variable that holds each one: ``${DINGTALK_WEBHOOK}``.
The message never repeats the value it found.
"""

from __future__ import annotations

from collections.abc import Iterator

from promoplan.checks.finding import Finding
from promoplan.model import Plan
from promoplan.modelnotify import ENV_REFERENCE


def _looks_like_url(value: str) -> bool:
    return "://" in value or value.lower().startswith(("http:", "https:", "www."))


def check_notify_references(plan: Plan) -> Iterator[Finding]:
    """PP140: ``webhook`` and ``secret`` of every ``notify`` entry are ``${NAME}`` references.

    Fails (a literal URL with its key)::

        notify:
          - {to: dingtalk, webhook: "https://oapi.dingtalk.com/robot/send?access_token=..."}
    """
    for index, target in enumerate(plan.notify):
        for key in ("webhook", "secret"):
            value = getattr(target, key)
            if value is None or ENV_REFERENCE.match(value):
                continue
            variable = f"{target.to.upper()}_{key.upper()}"
            if key == "webhook" and _looks_like_url(value):
                what = "is a literal URL with its key"
            elif key == "secret":
                what = "is a literal secret"
            else:
                what = "is not a ${NAME} reference"
            yield Finding(
                "PP140",
                f"notify[{index}].{key} {what}; write {key}: "
                f'"${{{variable}}}" and set {variable} in the environment',
                ("notify", index, key),
                hint="a plan is read by everyone with the repository: keep webhook URLs and "
                "secrets in environment variables, and rotate a key that was committed",
            )
