"""``diff --format json``: the versioned document of SPEC section 8 for ``promoplan diff``."""

from __future__ import annotations

from typing import Any

from promoplan.diff import PlanDiff, Value
from promoplan.quantity import Placeholder, Quantity
from promoplan.render.json import SCHEMA_VERSION, diagnostic_document, json_text, plain_number


def plain_value(value: Value | None) -> Any:
    """Tree values as JSON: quantities as plain numbers (fractions for percentages)."""
    if isinstance(value, Quantity):
        return plain_number(value.value)
    if isinstance(value, Placeholder):
        return value.text
    if isinstance(value, dict):
        return {key: plain_value(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain_value(item) for item in value]
    if isinstance(value, float):
        return plain_number(value)
    return value


def diff_document(result: PlanDiff) -> dict[str, Any]:
    """The document as plain data."""
    return {
        "schema_version": SCHEMA_VERSION,
        "old": result.old,
        "new": result.new,
        "changes": [
            {
                "path": change.path,
                "kind": change.kind,
                "old": plain_value(change.old),
                "new": plain_value(change.new),
                "line": change.line,
            }
            for change in result.changes
        ],
        "diagnostics": [diagnostic_document(d) for d in result.diagnostics],
        "old_loaded": result.old_loaded,
        "new_loaded": result.new_loaded,
        "changed_diagnostics": [
            {"old": diagnostic_document(c.old), "new": diagnostic_document(c.new)}
            for c in result.changed_diagnostics
        ],
    }


def render_diff_json(result: PlanDiff) -> str:
    """The diff as indented JSON, no NaN, terminal-safe strings."""
    return json_text(diff_document(result))
