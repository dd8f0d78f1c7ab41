"""Plan values as a person reads them, for the diff renderers: ``15%``, ``1:3``, ``¥2,000万``."""

from __future__ import annotations

from promoplan.diff import Value
from promoplan.quantity import Placeholder, Quantity
from promoplan.render.text import format_amount, format_value
from promoplan.vocabulary import default_units


def _number(value: float) -> str:
    text = f"{value:,.6g}" if abs(value) < 1e15 else f"{value:.6g}"
    return text


def show_value(  # noqa: PLR0911  # one return per kind of value
    value: Value | None, unit: str | None = None, currency: str = "CNY"
) -> str:
    """A value for a person: ``15%``, ``1:3``, ``¥2,000万``, ``{metric: nps, at_least: 45}``."""
    if value is None:
        return ""
    if isinstance(value, Placeholder):
        return value.text
    if isinstance(value, Quantity):
        return _show_quantity(value, unit, currency)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        inner = ", ".join(
            f"{key}: {show_value(item, None, currency)}" for key, item in value.items()
        )
        return "{" + inner + "}"
    if isinstance(value, list):
        return "[" + ", ".join(show_value(item, None, currency) for item in value) + "]"
    if isinstance(value, float):
        return _number(value)
    return str(value)


def _show_quantity(quantity: Quantity, unit: str | None, currency: str) -> str:
    value = quantity.value
    if quantity.kind == "ratio" or unit == "ratio":
        return f"1:{_number(value)}"
    if unit == "percent" or (unit is None and quantity.kind == "percent"):
        return f"{_number(value * 100)}%"
    if unit == "currency":
        return format_value(value, "currency", currency=currency)
    if abs(value) >= 1e4:
        return format_amount(value, default_units(currency))
    return _number(value)
