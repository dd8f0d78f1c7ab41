"""Quantities as people write them in plans: ``35%``, ``"1:3"``, ``5000万``, ``1.2M``, ``X万``.

``parse_quantity`` turns one written value into a :class:`Quantity` or a
:class:`Placeholder`, or raises :class:`QuantityError` with a plain message.
``format_quantity`` writes a value back in a form that parses to the same value.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
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
# Powers of ten of each suffix, for exact decimal scaling.
_SHIFTS: dict[str, int] = {"": 0, "k": 3, "K": 3, "M": 6, "B": 9, "万": 4, "亿": 8, "%": -2}
CURRENCY_SYMBOLS = "¥$€£"  # NFKC folds the full-width ￥ and ＄ into these

# Digits are ASCII only: NFKC folds full-width digits to ASCII, and other scripts'
# digits (Arabic-Indic ...) are not accepted.
_NUMBER = (
    r"(?P<num>(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+(?:_[0-9]+)*)(?:\.[0-9]+)?|\.[0-9]+)"
    r"(?P<exp>[eE][+-]?[0-9]+)?"
)
_QUANTITY_RE = re.compile(
    rf"^(?P<sign>[+-]?)\s*(?P<cur>[{CURRENCY_SYMBOLS}]?)\s*{_NUMBER}\s*"
    r"(?P<suffix>%|[kKMB万亿]?)\s*(?:元)?$"
)
_RATIO_RE = re.compile(r"^\s*(?P<a>[0-9]+(?:\.[0-9]+)?)\s*:\s*(?P<b>[0-9]+(?:\.[0-9]+)?)\s*$")
_PLACEHOLDER_RE = re.compile(r"^(?:[xX]+\s*(?:[万亿kKMB]|%)?(?:元)?|TBD|tbd|待定|\?|？)$")


class QuantityError(ValueError):
    """A value that is not a quantity; the message says what was expected."""


@dataclass(frozen=True)
class Quantity:
    """A parsed quantity: its value and how it was written."""

    value: float
    kind: Kind = "number"
    # The currency sign written (``$5``), if any: checked against the metric's unit and
    # the plan's currency, not part of the value (``¥5`` equals ``5``).
    symbol: str | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Placeholder:
    """A target not set yet (``X``, ``X万``, ``TBD``, ``待定``, ``?``)."""

    text: str


def is_placeholder(text: str) -> bool:
    """True for the placeholder spellings of an unset target."""
    return bool(_PLACEHOLDER_RE.match(unicodedata.normalize("NFKC", text).strip()))


def parse_quantity(raw: object) -> Quantity | Placeholder:  # noqa: PLR0912  # one branch per spelling
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
        first, second = Decimal(ratio["a"]), Decimal(ratio["b"])
        if first == 0:
            raise QuantityError(f"ratio {raw!r} has a zero first term")
        value = float(second / first) if first != 1 else float(second)
        if not math.isfinite(value):
            raise QuantityError(f"{raw!r} is too large")
        return Quantity(value, "ratio")
    match = _QUANTITY_RE.match(text)
    if not match:
        raise QuantityError(
            f'{raw!r} is not a quantity (write e.g. 35%, 0.35, "1:3", 5000万, 1.2M)'
        )
    suffix = match["suffix"]
    exponent = match["exp"][1:] if match["exp"] else "0"
    if len(exponent.lstrip("+-")) > 6:
        raise QuantityError(f"{raw!r} is out of range")
    # Decimal scaling makes "1.1%" the double nearest 0.011 (1.1 / 100 is not).
    shift = int(exponent) + _SHIFTS[suffix]
    number = float(Decimal(f"{match['num'].replace(',', '').replace('_', '')}E{shift}"))
    if match["sign"] == "-":
        number = -number
    if not math.isfinite(number):
        raise QuantityError(f"{raw!r} is too large")
    return Quantity(number, "percent" if suffix == "%" else "number", match["cur"] or None)


def format_quantity(value: float, kind: Kind = "number") -> str:
    """Write a finite value so that :func:`parse_quantity` reads it back exactly.

    A negative ratio has no ``1:x`` spelling and is written as a plain number.
    """
    if kind == "percent":
        shifted = Decimal(repr(value)).scaleb(2)  # exact: repr has at most 17 digits
        if -20 < shifted.adjusted() < 20:
            return f"{shifted:f}%"
        return f"{shifted}%"
    if kind == "ratio" and math.copysign(1.0, value) > 0:
        return f"1:{Decimal(repr(value)):f}"
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


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """``numerator / denominator``; None when either is unknown or the denominator is 0."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator
