"""``diff --format json``: the versioned document of SPEC section 8 for ``promoplan diff``."""

from __future__ import annotations

import json
import re
from typing import Any

from promoplan.diagnostics import Diagnostic
from promoplan.diff import PlanDiff, Value
from promoplan.quantity import Placeholder, Quantity
from promoplan.render.json import SCHEMA_VERSION, plain_number

# Left raw by json.dumps(ensure_ascii=False) but acted on by terminals and editors.
_RAW_UNSAFE = re.compile(r"[\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ud800-\udfff]")


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


def _diagnostic(diag: Diagnostic) -> dict[str, Any]:
    return {
        "code": diag.code,
        "severity": diag.severity,
        "message": diag.message,
        "file": diag.file,
        "line": diag.line,
        "column": diag.column,
        "path": diag.path,
        "hint": diag.hint,
    }


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
        "diagnostics": [_diagnostic(d) for d in result.diagnostics],
        "old_loaded": result.old_loaded,
        "new_loaded": result.new_loaded,
    }


def render_diff_json(result: PlanDiff) -> str:
    """The diff as indented JSON, no NaN, terminal-safe strings."""
    text = json.dumps(diff_document(result), allow_nan=False, ensure_ascii=False, indent=2)
    return _RAW_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"
