"""How names from files meet names from the plan.

- Headers: a plan's column matches a file's header exactly, else with case and
  surrounding spaces aside (``GMV `` is the column ``gmv``). An exact match wins
  over a folded one, so a file holding both ``gmv`` and ``GMV`` reads ``gmv``.
- Dimension values and plan names are compared in Unicode NFC: ``café`` typed
  with a combining accent (NFD, as macOS file exports write it) is ``café``. The
  engine normalises values in SQL (``nfc_normalize``); the plan's names are
  normalised here.
- A value that differs from a plan name only by character width (full-width
  ``ＷeChat``) or case is a look-alike: not the plan's name (its spend is
  unmapped), but PA011 says which name it probably means.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence

# A long number as a spreadsheet shows it once it has rounded it (1.23457E+18), or as
# a float prints it (1.234567890123e+18): a dimension value so written stood for ids
# that may have differed in the digits lost (bad-inputs C15, PA018). Short numbers
# are not written so, and a spreadsheet keeps their digits: from 1E+10 up (11 digits).
ROUNDED_ID = r"[0-9](\.[0-9]+)?[eE]\+0*[1-9][0-9]+"

# What read_header trims around a header cell, and what a plan's column may carry too.
_SPACES = " \t\r\n\u00a0\u202f\u3000\ufeff"


def nfc(text: str) -> str:
    """``text`` in Unicode normal form C (composed: ``e`` + U+0301 becomes ``é``)."""
    return unicodedata.normalize("NFC", text)


def trimmed_header(name: str) -> str:
    """A header cell as a file's header is read: surrounding spaces trimmed."""
    return name.strip(_SPACES)


def header_key(name: str) -> str:
    """A header as it is matched: NFC, surrounding spaces trimmed, case folded."""
    return nfc(name).strip(_SPACES).casefold()


class HeaderIndex:
    """The 1-based positions of a file's columns, looked up by a plan's column name."""

    def __init__(self, header: Sequence[str]) -> None:
        self._exact: dict[str, int] = {}
        self._folded: dict[str, int] = {}
        for position, name in enumerate(header, start=1):
            if not name:
                continue
            # A file's header cells are read trimmed; a table's column names are not,
            # so ``" gmv "`` is matched as its CSV export's ``gmv`` would be: exactly.
            self._exact.setdefault(trimmed_header(name), position)
            self._folded.setdefault(header_key(name), position)

    def get(self, name: str) -> int | None:
        """The position of the column ``name``: exact first (surrounding spaces aside, as
        a file's header is read), else case aside too."""
        found = self._exact.get(trimmed_header(name))
        if found is None:
            found = self._folded.get(header_key(name))
        return found

    def __getitem__(self, name: str) -> int:
        found = self.get(name)
        if found is None:
            raise KeyError(name)
        return found

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None


def lookalike_key(text: str) -> str:
    """What two look-alike names share: NFKC (width and compatibility forms) and case folded."""
    return unicodedata.normalize("NFKC", text).casefold().strip(_SPACES)


def did_you_mean(value: str, known: Iterable[str]) -> str | None:
    """The plan name ``value`` differs from only by width or case; None when there is none."""
    key = lookalike_key(value)
    matches = sorted(name for name in known if name != value and lookalike_key(name) == key)
    return matches[0] if matches else None


def unmapped_message(dimension: str, value: str, known: Iterable[str]) -> str:
    """PA011's message: the value, and the plan name it looks like, if any."""
    near = did_you_mean(value, known)
    looks = "" if near is None else f' (did you mean "{near}"? it differs only in case or width)'
    return (
        f'{dimension} "{value}" is not in the plan\'s channels{looks}; its spend counts as unmapped'
    )
