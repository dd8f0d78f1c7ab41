"""A generic JSON webhook: the summary (default) or the report's whole JSON document.

The summary is ``{"schema_version": 1, "kind": "promoplan.report.summary",
"title", "status", "counts", "window", "as_of", "text", "link", "alerts": [...]}``;
``body: report`` sends the document of ``report --format json``. With a secret,
``X-Promoplan-Signature: sha256=<hex HMAC-SHA256 of the body, keyed by the secret>``
lets the receiver check it. Any 2xx is sent.
"""

from __future__ import annotations

import hashlib
import hmac

from promoplan.notify.config import Target
from promoplan.notify.deliver import Answer, Prepared, http_answer
from promoplan.notify.message import Message, plain_text
from promoplan.notify.payload import MASK, prepared, to_bytes
from promoplan.result import PlanResult

SIGNATURE_HEADER = "X-Promoplan-Signature"


def summary(message: Message, result: PlanResult) -> dict[str, object]:
    """The summary document of one report."""
    report = result.report
    window = report.window if report is not None else result.window
    alerts = next((s for s in message.sections if s.title == "Alerts"), None)
    return {
        "schema_version": 1,
        "kind": "promoplan.report.summary",
        "plan": {"file": result.file, "name": result.name},
        "title": message.title,
        "status": result.status,
        "counts": result.counts,
        "window": None
        if window is None
        else {
            "label": window.label,
            "start": window.start.isoformat(),
            "end": window.end.isoformat(),
        },
        "as_of": result.as_of.isoformat() if result.as_of else None,
        "text": plain_text(message),
        "link": message.link,
        "alerts": [
            {"severity": item.lead, "text": item.text} for item in (alerts.items if alerts else ())
        ],
    }


def signature(secret: str, body: bytes) -> str:
    """``sha256=`` and the hex HMAC-SHA256 of ``body`` keyed by ``secret``."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def prepare_document(target: Target, document: dict[str, object]) -> Prepared:
    """The request for ``target``: ``document`` as JSON, signed in a header with a secret."""
    if target.secret is None:
        return prepared(target, document)
    body = to_bytes(document)
    return prepared(
        target,
        document,
        headers={SIGNATURE_HEADER: signature(target.secret, body)},
        shown_query=f" ({SIGNATURE_HEADER}: {MASK})",
    )


def read_answer(status: int, body: bytes) -> Answer:
    """Any 2xx is sent."""
    return http_answer(status, body)
