"""What the table format's sections share: safe cell text, styles, the plain table.

Every string from a plan or a CSV goes through :func:`plain` into a
``rich.text.Text``: never markup, never a raw control character. Sections print on
a :class:`Printer`: rich's console, or the plain one without colour
(:mod:`promoplan.render.plainlayout`).
"""

from __future__ import annotations

from typing import Any, Protocol

from rich import box
from rich.table import Table
from rich.text import Text

from promoplan.render.text import one_line


class Printer(Protocol):
    """What the renderer prints on: rich's console, or the plain one without colour."""

    def print(self, *objects: Any, soft_wrap: bool = False) -> None:
        """Print one text or table (none: an empty line)."""


SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
STATUS_STYLE = {
    "met": "bold green",
    "on_track": "green",
    "at_risk": "yellow",
    "off_track": "bold red",
    "missed": "bold red",
    "behind": "yellow",
    "unmapped": "yellow",
    "unset": "dim",
    "no_data": "dim",
    "pending": "cyan",
    "ahead": "yellow",
    "over_budget": "bold red",
    "pass": "bold green",
    "warn": "bold yellow",
    "fail": "bold red",
}


def plain(text: str | None) -> str:
    """Untrusted text made safe for one terminal line (tabs too, which rich would expand)."""
    return one_line(text or "").replace("\t", " ")


def styled(text: str | None, style: str = "") -> Text:
    """Untrusted text as one safe line of rich text in ``style``."""
    return Text(plain(text), style=style)


def plain_table() -> Table:
    """A plain table: a rule under the header, two spaces between columns."""
    return Table(
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        collapse_padding=True,
        header_style="bold",
    )
