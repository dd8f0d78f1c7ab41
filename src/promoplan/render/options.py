"""How to render: the options every renderer takes, apart from the registry that picks one."""

from __future__ import annotations

from dataclasses import dataclass

from promoplan.vocabulary import Units


@dataclass(frozen=True)
class RenderOptions:
    """How to render: colour and width for the terminal, money units, quiet mode."""

    color: bool = False
    width: int = 100
    units: Units = "cn"
    quiet: bool = False
