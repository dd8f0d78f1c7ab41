"""Payload bytes, and the masked copy that ``--dry-run`` prints."""

from __future__ import annotations

import json
from collections.abc import Mapping

from promoplan.notify.config import Target, masked_url
from promoplan.notify.deliver import Prepared

MASK = "***"


def to_bytes(payload: Mapping[str, object]) -> bytes:
    """Compact UTF-8 JSON: Chinese text as it is, not as ``\\u`` escapes."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def shown(payload: Mapping[str, object]) -> str:
    """Indented JSON for people (and golden files)."""
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"


def prepared(
    target: Target,
    payload: Mapping[str, object],
    *,
    url: str | None = None,
    headers: Mapping[str, str] | None = None,
    masked: Mapping[str, object] | None = None,
    shown_query: str = "",
) -> Prepared:
    """A request for ``payload`` to ``url`` (the target's webhook by default)."""
    return Prepared(
        url=url or target.webhook,
        body=to_bytes(payload),
        headers=dict(headers or {}),
        shown_url=masked_url(target.webhook) + shown_query,
        shown_body=shown(masked if masked is not None else payload),
    )
