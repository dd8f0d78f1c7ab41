"""The plan's notify: section: where the report's summary goes (URLs from the environment only)."""

import re
from typing import Annotated, get_args

from pydantic import (
    BeforeValidator,
    Field,
    StrictStr,
)
from pydantic_core import PydanticCustomError

from promoplan.modeltypes import (
    Model,
)
from promoplan.vocabulary import (
    NotifyBody,
    NotifyKind,
    NotifyWhen,
)

ENV_REFERENCE = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")
NOTIFY_KINDS: tuple[NotifyKind, ...] = get_args(NotifyKind)


def _text_without_echo(raw: object) -> object:
    """A webhook or secret that is not text: say so without showing the value (it may be secret)."""
    if not isinstance(raw, str):
        raise PydanticCustomError(
            "env_reference", "expected a ${NAME} reference to an environment variable"
        )
    return raw


EnvReference = Annotated[
    StrictStr,
    BeforeValidator(_text_without_echo),
    Field(
        description="${NAME}: the environment variable that holds the value (PP140 otherwise).",
        examples=["${DINGTALK_WEBHOOK}"],
    ),
]


class NotifyTarget(Model):
    """A group chat robot (or webhook) that ``report --notify plan`` posts the summary to."""

    to: NotifyKind = Field(
        description="The kind of robot: wecom, dingtalk, feishu, slack, or a generic webhook."
    )
    webhook: EnvReference | None = Field(
        None, description="The webhook URL's variable (default: ${PROMOPLAN_<TO>_WEBHOOK})."
    )
    secret: EnvReference | None = Field(
        None, description="The signing secret's variable (DingTalk, Feishu, webhook)."
    )
    when: NotifyWhen = Field(
        "always", description="always, alerts (some alert fires) or errors (some error found)."
    )
    link: StrictStr | None = Field(
        None,
        description="URL of the full report; {file} and {period} are filled in.",
        examples=["https://reports.example.com/promo/{file}"],
    )
    body: NotifyBody = Field(
        "summary", description="webhook only: the summary (default) or the report's JSON document."
    )
