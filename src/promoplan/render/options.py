"""How to render: the options every renderer takes, apart from the registry that picks one."""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

from promoplan.errors import UsageProblem
from promoplan.vocabulary import Units

if TYPE_CHECKING:
    from promoplan.result import PlanResult

UNITS: dict[str, Units] = {"cn": "cn", "intl": "intl"}
NARROWEST = 60  # columns: a narrower terminal or COLUMNS gets tables this wide


def _columns() -> int | None:
    """``COLUMNS`` as a positive number of columns, else None (unset, or not a number)."""
    text = os.environ.get("COLUMNS", "").strip()
    return int(text) if text.isdecimal() and int(text) > 0 else None


@dataclass(frozen=True)
class RenderOptions:
    """How to render: colour and width for the terminal, money units, quiet mode.

    ``units`` is ``--units``; None leaves each plan its own (its ``units:``, else its
    currency's default).
    """

    color: bool = False
    width: int = 100
    units: Units | None = None
    quiet: bool = False
    strict: bool = False  # under --quiet, warnings fail the run too: they are shown

    def shows(self, severity: str) -> bool:
        """Whether a diagnostic or alert of ``severity`` is shown: under ``--quiet``, only
        what fails the run (errors; warnings too with ``--strict``), so a failed CI job
        says why."""
        return not self.quiet or severity == "error" or (self.strict and severity == "warning")

    def units_for(self, plan: PlanResult) -> Units:
        """The units ``plan``'s numbers print in: ``--units``, else the plan's."""
        return self.units or plan.units


def options_for_stdout(
    fmt: str,
    *,
    to_stdout: bool,
    units: str | None = None,
    quiet: bool = False,
    strict: bool = False,
) -> RenderOptions:
    """Colour and width as stdout allows (one rule for every command), units and quiet mode.

    Colour only for ``table`` on a terminal, never with ``NO_COLOR`` set (and not empty)
    or ``TERM=dumb``; the width is ``COLUMNS`` when it is set (on a pipe too: a crontab's
    ``COLUMNS=80`` fits the mail it sends), else the terminal's, else 100
    columns; never below :data:`NARROWEST`.
    """
    if units is not None and units not in UNITS:
        raise UsageProblem(f"unknown --units {units!r}; choose cn or intl")
    on_terminal = to_stdout and sys.stdout.isatty()
    color = (
        fmt == "table"
        and on_terminal
        and not os.environ.get("NO_COLOR")  # no-color.org: set and not empty
        and os.environ.get("TERM") != "dumb"
    )
    width = _columns() or (shutil.get_terminal_size((100, 24)).columns if on_terminal else 100)
    width = max(NARROWEST, width)
    chosen = UNITS[units] if units is not None else None
    return RenderOptions(color=color, width=width, units=chosen, quiet=quiet, strict=strict)
