"""What a check yields, and how its messages write shares, amounts and suggestions."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Finding:
    """A problem a check found, before it is given a line and column."""

    code: str
    message: str
    path: Path
    hint: str | None = None
    key: bool = False  # located at the key of ``path`` (a name the plan wrote), not its value


def pct(fraction: float) -> str:
    """``0.9`` -> ``90%``, ``0.3333`` -> ``33.33%``."""
    text = f"{fraction * 100:.2f}".rstrip("0").rstrip(".")
    return ("0" if text == "-0" else text) + "%"


def plain(value: float) -> str:
    """An exact-looking amount: ``15,000,000``, ``1,234.5``."""
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def did_you_mean(name: str, known: list[str]) -> str | None:
    """``did you mean 'gmv'?`` for the closest of ``known``; None when nothing is close."""
    close = difflib.get_close_matches(name, known, n=1)
    return f"did you mean {close[0]!r}?" if close else None
