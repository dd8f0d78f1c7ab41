"""Quantities as people write them in plans: ``35%``, ``"1:3"``, ``5000万``, ``1.2M``, ``X万``.

``parse_quantity`` turns one written value into a :class:`Quantity` or a
:class:`Placeholder`, or raises :class:`QuantityError` with a plain message.
``format_quantity`` writes a value back in a form that parses to the same value.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

Kind = Literal["number", "percent", "ratio"]

SCALES: dict[str, float] = {
    "": 1.0,
    "k": 1e3,
    "K": 1e3,
    "M": 1e6,
    "B": 1e9,
    "万": 1e4,
    "亿": 1e8,
}
CURRENCY_SYMBOLS = "¥$€£"  # NFKC folds the full-width ￥ and ＄ into these

_NUMBER = r"(?P<num>(?:\d{1,3}(?:,\d{3})+|\d+(?:_\d+)*)(?:\.\d+)?|\.\d+)(?P<exp>[eE][+-]?\d+)?"
_QUANTITY_RE = re.compile(
    rf"^(?P<sign>[+-]?)\s*(?P<cur>[{CURRENCY_SYMBOLS}]?)\s*{_NUMBER}\s*"
    r"(?P<suffix>%|[kKMB万亿]?)\s*(?:元)?$"
)
_RATIO_RE = re.compile(r"^\s*(?P<a>\d+(?:\.\d+)?)\s*:\s*(?P<b>\d+(?:\.\d+)?)\s*$")
_PLACEHOLDER_RE = re.compile(r"^(?:[xX]+\s*(?:[万亿kKMB]|%)?(?:元)?|TBD|tbd|待定|\?|？)$")


class QuantityError(ValueError):
    """A value that is not a quantity; the message says what was expected."""


@dataclass(frozen=True)
class Quantity:
    """A parsed quantity: its value and how it was written."""

    value: float
    kind: Kind = "number"


@dataclass(frozen=True)
class Placeholder:
    """A target not set yet (``X``, ``X万``, ``TBD``, ``待定``, ``?``)."""

    text: str


def is_placeholder(text: str) -> bool:
    """True for the placeholder spellings of an unset target."""
    return bool(_PLACEHOLDER_RE.match(unicodedata.normalize("NFKC", text).strip()))


def parse_quantity(raw: object) -> Quantity | Placeholder:
    """Parse one written quantity; raise :class:`QuantityError` on anything else."""
    if isinstance(raw, bool) or raw is None:
        raise QuantityError(f"expected a number, got {_describe(raw)}")
    if isinstance(raw, int):
        return Quantity(float(raw))
    if isinstance(raw, float):
        if not math.isfinite(raw):
            raise QuantityError(f"expected a finite number, got {raw}")
        return Quantity(raw)
    if not isinstance(raw, str):
        raise QuantityError(f"expected a number, got {_describe(raw)}")
    text = unicodedata.normalize("NFKC", raw).strip()
    if not text:
        raise QuantityError("expected a number, got an empty string")
    if _PLACEHOLDER_RE.match(text):
        return Placeholder(raw.strip())
    ratio = _RATIO_RE.match(text)
    if ratio:
        first, second = float(ratio["a"]), float(ratio["b"])
        if first == 0:
            raise QuantityError(f"ratio {raw!r} has a zero first term")
        return Quantity(second / first, "ratio")
    match = _QUANTITY_RE.match(text)
    if not match:
        raise QuantityError(
            f"{raw!r} is not a quantity (write e.g. 35%, 0.35, \"1:3\", 5000万, 1.2M)"
        )
    number = float(match["num"].replace(",", "").replace("_", "") + (match["exp"] or ""))
    suffix = match["suffix"]
    if suffix == "%":
        number /= 100
    else:
        number *= SCALES[suffix]
    if match["sign"] == "-":
        number = -number
    if not math.isfinite(number):
        raise QuantityError(f"{raw!r} is too large")
    return Quantity(number, "percent" if suffix == "%" else "number")


def format_quantity(value: float, kind: Kind = "number") -> str:
    """Write a value so that :func:`parse_quantity` reads it back exactly."""
    if kind == "percent":
        return f"{value * 100!r}%"
    if kind == "ratio":
        return f"1:{value!r}"
    return repr(value)


def _describe(raw: object) -> str:
    if raw is None:
        return "nothing (null)"
    if isinstance(raw, bool):
        return f"the boolean {str(raw).lower()}"
    if isinstance(raw, (list, tuple)):
        return "a list"
    if isinstance(raw, dict):
        return "a mapping"
    return type(raw).__name__
