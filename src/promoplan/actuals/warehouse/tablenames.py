"""A table's name as a source URL's ``?table=`` (or a plan's ``actuals.table``) writes it:
``table``, ``schema.table`` or ``catalog.schema.table``, a part holding a dot or a quote
in double quotes."""

from __future__ import annotations

import re
from dataclasses import dataclass

from promoplan.errors import UsageProblem


@dataclass(frozen=True)
class TableName:
    """A table's name as parts: ``(table,)``, ``(schema, table)``, ``(catalog, schema, table)``."""

    parts: tuple[str, ...]

    @property
    def name(self) -> str:
        """The last part: the table itself."""
        return self.parts[-1]

    @property
    def schema(self) -> str | None:
        """The schema (database, for Spark) part, when given."""
        return self.parts[-2] if len(self.parts) >= 2 else None

    @property
    def catalog(self) -> str | None:
        """The catalog part, when given."""
        return self.parts[-3] if len(self.parts) == 3 else None

    def __str__(self) -> str:
        return ".".join(
            p if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", p) else _quoted(p) for p in self.parts
        )


def _quoted(part: str) -> str:
    return '"' + part.replace('"', '""') + '"'


def parse_table(text: str) -> TableName:
    """``schema.table``; ``"double quotes"`` around parts holding dots or quotes (``""`` inside)."""
    parts: list[str] = []
    i, n = 0, len(text)
    while True:
        if i < n and text[i] == '"':
            j, part = i + 1, []
            while True:
                k = text.find('"', j)
                if k < 0:
                    raise UsageProblem(f"table {text!r}: a quoted name is never closed")
                part.append(text[j:k])
                if k + 1 < n and text[k + 1] == '"':
                    part.append('"')
                    j = k + 2
                    continue
                i = k + 1
                break
            parts.append("".join(part))
        else:
            k = text.find(".", i)
            k = n if k < 0 else k
            parts.append(text[i:k].strip())
            i = k
        if i >= n:
            break
        if text[i] != ".":
            raise UsageProblem(f"table {text!r}: expected a dot after a quoted name")
        i += 1
    if not parts or any(not p for p in parts) or len(parts) > 3:
        raise UsageProblem(
            f"table {text!r} is not a table name; write table, schema.table or catalog.schema.table"
        )
    return TableName(tuple(parts))
