"""Pydantic validation errors as diagnostics a person can act on.

Each error's ``loc`` is walked through the loaded data to a key path, and the
path to a line and column of the YAML file; the message is rewritten in plain
words ("unknown key 'sharee' in goals.gmv; did you mean 'share'?"). Raw
pydantic text and URLs are never shown.
"""

from __future__ import annotations

import difflib
import re
import types
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, ForwardRef, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from promoplan.diagnostics import Diagnostic, diagnostic, dotted
from promoplan.model import Plan
from promoplan.yamlsafe import KeyPath, PositionIndex

# What a value of each pydantic error type should have been, in plain words.
_EXPECTED: dict[str, str] = {
    "string_type": "text",
    "string_unicode": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "finite_number": "a finite number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "dict_type": "a mapping (key: value)",
    "model_type": "a mapping (key: value)",
    "model_attributes_type": "a mapping (key: value)",
    "list_type": "a list",
    "date_type": "a date like 2025-01-31",
    "date_parsing": "a date like 2025-01-31",
    "date_from_datetime_parsing": "a date like 2025-01-31",
    "date_from_datetime_inexact": "a date like 2025-01-31",
    "none_required": "nothing",
}

# Range errors: the ctx key holding the bound, and how to say it.
_BOUNDS: dict[str, tuple[str, str]] = {
    "greater_than_equal": ("ge", "of at least"),
    "less_than_equal": ("le", "of at most"),
    "greater_than": ("gt", "above"),
    "less_than": ("lt", "below"),
}

_DATE_REASONS = {
    "day value is outside expected range": "day is out of range for month",
    "month value is outside expected range": "month must be 1 to 12",
}

# Extra words for fields whose shape is easy to get wrong.
_FIELD_HINTS: dict[str, str] = {
    "promoplan": "a plan starts with the line `promoplan: 1` (the format version)",
    "period": "write a calendar year (period: 2025) or {start: 2025-04-01, end: 2026-03-31}",
}


def schema_diagnostics(
    error: ValidationError,
    data: object,
    positions: PositionIndex,
    *,
    file: str | None = None,
    model: type[BaseModel] = Plan,
) -> list[Diagnostic]:
    """One diagnostic per problem in ``error``, located in the YAML that gave ``data``."""
    located = [_Located(details, data) for details in error.errors(include_url=False)]
    found: list[Diagnostic] = []
    for group in _union_groups(located):
        found.extend(_describe(group, positions, file, model))
    return found


class _Located:
    """A pydantic error with its loc walked through the data to a key path."""

    def __init__(self, details: ErrorDetails, data: object) -> None:
        self.details = details
        self.type = details["type"]
        self.on_key = False
        # Where the walk first stepped off the data: a union member's name, or a
        # key that a before-validator added (``influencers: 15%`` -> share).
        self.branch_at: KeyPath | None = None
        loc = tuple(details["loc"])
        if self.type == "missing" and loc:
            loc, missing = loc[:-1], loc[-1]
        else:
            missing = None
        path: list[str | int] = []
        current: object = data
        for part in loc:
            if part == "[key]":
                self.on_key = True
            elif _has(current, part):
                path.append(part)
                current = current[part]  # type: ignore[index]  # _has checked the container
            elif self.branch_at is None:
                self.branch_at = tuple(path)
        self.path: KeyPath = tuple(path) + ((missing,) if missing is not None else ())


def _has(container: object, part: str | int) -> bool:
    if isinstance(container, Mapping):
        return isinstance(part, str) and part in container
    if isinstance(container, list):
        return isinstance(part, int) and 0 <= part < len(container)
    return False


def _union_groups(located: list[_Located]) -> list[list[_Located]]:
    """Errors of one union field (``period: int | {start, end}``) go together."""
    groups: dict[KeyPath, list[_Located]] = {}
    order: list[list[_Located]] = []
    for item in located:
        if item.branch_at is None:
            order.append([item])
            continue
        if item.branch_at not in groups:
            groups[item.branch_at] = []
            order.append(groups[item.branch_at])
        groups[item.branch_at].append(item)
    return order


def _describe(
    group: list[_Located], positions: PositionIndex, file: str | None, model: type[BaseModel]
) -> list[Diagnostic]:
    if len(group) == 1:
        return [_one(group[0], positions, file, model)]
    field = group[0].branch_at or ()
    matched = [
        item
        for item in group
        if len(item.path) > len(field)
        or (item.type not in _EXPECTED and item.type != "literal_error")
    ]
    if matched:
        # One member of the union matched the shape: its errors are the real ones.
        return [_one(item, positions, file, model) for item in matched]
    expected: list[str] = []
    for item in group:
        wanted = _EXPECTED.get(item.type) or _literal_text(item) or "something else"
        if wanted not in expected:
            expected.append(wanted)
    line, column = positions.value_at(field)
    return [
        diagnostic(
            "PP003",
            f"expected {_either(expected)}, got {_show(group[0].details['input'])}",
            file=file,
            line=line,
            column=column,
            path=dotted(field) or None,
            hint=_hint_for(field),
        )
    ]


def _one(  # noqa: PLR0912, PLR0915  # one branch per kind of pydantic error
    item: _Located, positions: PositionIndex, file: str | None, model: type[BaseModel]
) -> Diagnostic:
    details, path = item.details, item.path
    kind, given = item.type, details["input"]
    where = f"in {dotted(path[:-1])}" if path[:-1] else "at the top level"
    position = positions.value_at(path)
    code = "PP003"
    hint = _hint_for(path)

    if kind == "quantity":
        code, message = "PP004", details["msg"]
    elif kind == "extra_forbidden":
        key = str(path[-1]) if path else "?"
        message = f"unknown key '{key}' {where}"
        message += _suggestion(key, _field_names(model, path[:-1]))
        position = positions.locate_key(path)
    elif kind == "missing":
        message = f"missing key '{path[-1]}' {where}"
        position = positions.locate_key(path[:-1]) if path[:-1] else positions.value_at(())
    elif kind == "literal_error" and item.on_key:
        choices = _literal_choices(details)
        message = f"unknown key {_show(given)} {where}"
        message += f"; expected one of {', '.join(choices)}" if choices else ""
        position = positions.locate_key(path)
    elif kind == "literal_error" and path == ("promoplan",):
        shown = repr(given) if isinstance(given, str) else str(given)
        message = f"unsupported plan format version {shown}; this promoplan reads version 1"
        if isinstance(given, bool):
            message = f"expected the plan format version 1, got {_show(given)}"
        hint = "write promoplan: 1"
    elif kind == "literal_error":
        choices = _literal_choices(details)
        message = f"expected one of {', '.join(choices)}, got {_show(given)}"
        if isinstance(given, str):
            message += _suggestion(given, choices, list_known=False)
    elif kind.startswith("date_"):
        reason = str((details.get("ctx") or {}).get("error", ""))
        reason = _DATE_REASONS.get(reason, "")
        message = f"expected a date like 2025-01-31, got {_show(given)}"
        message += f" ({reason})" if reason else ""
    elif kind in _EXPECTED:
        message = f"expected {_EXPECTED[kind]}, got {_show(given)}"
        if kind in ("string_type", "string_unicode") and isinstance(given, (int, float, bool)):
            hint = hint or "quote the value"
    elif kind in _BOUNDS:
        bound = (details.get("ctx") or {}).get(_BOUNDS[kind][0])
        message = f"expected a number {_BOUNDS[kind][1]} {bound}, got {_show(given)}"
    elif kind == "recursion_loop":
        message = "a value refers to itself"
    elif kind in ("value_error", "assertion_error"):
        message = re.sub(r"^(Value|Assertion) error, ", "", details["msg"])
    elif details["msg"].startswith("Input should"):
        message = "expected" + details["msg"][len("Input should be") :] + f", got {_show(given)}"
    else:
        # The plan model's own validators (one_target, column_or_formula ...) write
        # plain messages about a whole mapping: point at its key.
        message = details["msg"]
        position = positions.locate_key(path)
    line, column = position
    return diagnostic(
        code, message, file=file, line=line, column=column, path=dotted(path) or None, hint=hint
    )


def _either(choices: list[str]) -> str:
    if len(choices) <= 2:
        return " or ".join(choices)
    return ", ".join(choices[:-1]) + " or " + choices[-1]


def _suggestion(word: str, choices: Sequence[str], *, list_known: bool = True) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if close:
        return f"; did you mean '{close[0]}'?"
    if list_known and choices and len(choices) <= 16:
        return f" (known keys: {', '.join(choices)})"
    return ""


def _literal_choices(details: ErrorDetails) -> list[str]:
    expected = str((details.get("ctx") or {}).get("expected", ""))
    return [a or b for a, b in re.findall(r"'([^']*)'|(\w+)", expected) if (a or b) != "or"]


def _literal_text(item: _Located) -> str | None:
    if item.type != "literal_error":
        return None
    return "one of " + ", ".join(_literal_choices(item.details))


def _hint_for(path: KeyPath) -> str | None:
    return _FIELD_HINTS.get(str(path[-1])) if len(path) == 1 else None


def _show(value: object) -> str:  # noqa: PLR0911  # one return per kind of value
    """A short, plain description of a value as the user wrote it."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"'{shown}'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "a mapping"
    return type(value).__name__


# --- the model's field names at a key path, for "did you mean" ---------------------


def _field_names(model: type[BaseModel], path: KeyPath) -> list[str]:
    annotation: Any = model
    for part in path:
        annotation = _step(annotation, part)
        if annotation is None:
            return []
    found = _as_model(annotation)
    return list(found.model_fields) if found is not None else []


def _step(annotation: Any, part: str | int) -> Any:
    """The annotation of the value found at ``part`` inside a value of ``annotation``."""
    for candidate in _members(annotation):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            if isinstance(part, str) and part in candidate.model_fields:
                return _field_annotation(candidate, part)
            continue
        origin = get_origin(candidate)
        args = get_args(candidate)
        if origin is dict and isinstance(part, str) and len(args) == 2:
            return args[1]
        if origin is list and isinstance(part, int) and args:
            return args[0]
    return None


def _field_annotation(model: type[BaseModel], name: str) -> Any:
    """The field's type; a model whose own fields name it before it is defined
    (``BudgetLine.lines``) resolves them here, on this error path, not at import."""
    annotation = model.model_fields[name].annotation
    if isinstance(annotation, ForwardRef):
        model.model_rebuild()
        annotation = model.model_fields[name].annotation
    return annotation


def _as_model(annotation: Any) -> type[BaseModel] | None:
    for candidate in _members(annotation):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _members(annotation: Any) -> list[Any]:
    """The alternatives of an annotation, with ``Annotated`` and ``Optional`` taken off."""
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    if get_origin(annotation) in (Union, types.UnionType):
        found: list[Any] = []
        for member in get_args(annotation):
            found.extend(_members(member))
        return found
    return [annotation]
