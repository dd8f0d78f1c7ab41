"""A table's catalog meets the plan's names: the columns' SQL types, how a plan's
column name finds its column (as a file's header is matched), and what is missing
(PA032, no such table; PA002, no such column), each naming what is meant."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from promoplan.actuals.names import HeaderIndex
from promoplan.actuals.problems import closest_column, listing
from promoplan.actuals.warehouse.tablenames import TableName
from promoplan.actuals.warehouse.urls import WarehouseUrl
from promoplan.diagnostics import Diagnostic, diagnostic

# Type names as the catalogs print them (PostgreSQL's format_type, Spark's
# simpleString, DuckDB's information_schema), lower-cased.
NUMBER = re.compile(
    r"^(u?(tiny|small|big|huge)?int(eger)?\d*|u?(tiny|small|big|huge)int|int[248]|"
    r"numeric|decimal|number|real|float\d*|double( precision)?|long|short|byte)\b"
)
DATE = re.compile(r"^date$")
TIMESTAMP = re.compile(r"^(timestamp|datetime)")
# Tables a PA032 hint names (the catalog queries read no more, and count them all).
LISTED = 12


def no_table(
    url: WarehouseUrl,
    tables: Sequence[TableName] | None,
    where: str,
    *,
    on: str = "on",
    count: int | None = None,
) -> Diagnostic:
    """PA032: the URL's table is not in the catalog. The hint names the table meant when
    one of that name is in another schema (named with it in ``tables``), or differs
    from it only in case (a name is read as written: quoted, not folded), or is close
    to it, then the tables ``where`` (a schema, a file) has, of ``count`` in all
    (``len(tables)`` when not given); none when they are not known (a database that
    does not exist)."""
    import difflib  # noqa: PLC0415  # the error path only

    message = f"no table {url.table} {on} {url.display}"
    if tables is None:
        return diagnostic("PA032", message, file=url.display)
    name = url.table.name
    elsewhere = [str(t) for t in tables if t.name == name]
    same = [str(t) for t in tables if t.name.casefold() == name.casefold()]
    by_name = {t.name: str(t) for t in reversed(tables)}  # the first one of a name
    close = same or [
        by_name[n] for n in difflib.get_close_matches(name, list(by_name), n=2, cutoff=0.6)
    ]
    more = (len(tables) if count is None else count) - len(tables[:LISTED])
    listed = ", ".join(map(str, tables[:LISTED])) + (f" and {more} more" if more > 0 else "")
    if not tables:
        hint = f"{where} has no tables"
    elif elsewhere:
        hint = (
            f"did you mean {elsewhere[0]}? a table named without a schema is looked for "
            "in the current schema"
        )
    elif same:
        hint = f"did you mean {same[0]}? a name is read as written, case included"
    else:
        meant = f"did you mean {' or '.join(close)}? " if close else ""
        hint = f"{meant}the tables in {where} are: {listed}"
    return diagnostic("PA032", message, file=url.display, hint=hint)


class TableColumns:
    """The table's columns' SQL types (lower-cased), looked up by a plan's column name as
    a file's header is (:class:`~promoplan.actuals.names.HeaderIndex`): exactly, else
    with case and surrounding spaces aside, so that a table of ``"GMV"`` serves the
    plan's ``gmv`` as its CSV export would. The query names the table's spelling.

    A column of a domain (PostgreSQL's ``CREATE DOMAIN``) has its base type in
    ``domains``: that is its type here, and :meth:`shown` names both."""

    def __init__(
        self,
        table_columns: tuple[tuple[str, str], ...],
        domains: Mapping[str, str] | None = None,
    ) -> None:
        self.names = tuple(name for name, _ in table_columns)
        bases = domains or {}
        self._types = {name: bases.get(name, sql_type).lower() for name, sql_type in table_columns}
        self._shown = {
            name: f"{sql_type} (a domain over {bases[name].lower()})"
            for name, sql_type in table_columns
            if name in bases
        }
        self._index = HeaderIndex(self.names)

    def shown(self, name: str) -> str | None:
        """The type of the column the plan's ``name`` reads as a message names it: a
        domain with its base type; None when there is none."""
        spelled = self.spelling(name)
        return None if spelled is None else self._shown.get(spelled, self._types[spelled])

    def spelling(self, name: str) -> str | None:
        """The table's column the plan's ``name`` reads; None when there is none."""
        if name in self._types:
            return name
        position = self._index.get(name)
        return None if position is None else self.names[position - 1]

    def get(self, name: str) -> str | None:
        """The SQL type of the column the plan's ``name`` reads; None when there is none."""
        spelled = self.spelling(name)
        return None if spelled is None else self._types[spelled]

    def __contains__(self, name: str) -> bool:
        return self.spelling(name) is not None

    def renamed(self, used: Iterable[str]) -> tuple[tuple[str, str], ...]:
        """(the plan's name, the table's) for each of ``used`` spelled otherwise there."""
        pairs = set()
        for name in used:
            spelled = self.spelling(name)
            if spelled is not None and spelled != name:
                pairs.add((name, spelled))
        return tuple(sorted(pairs))


def columns_hint(column: str, names: Sequence[str], read: set[str | None]) -> str:
    """PA002's hint: the table's column ``column`` is probably a slip of, then them all."""
    close = closest_column(column, [n for n in names if n not in read])
    listed = f"the columns are: {listing(names)}"
    return listed if close is None else f'did you mean "{close}"? {listed}'


def not_in_table(
    url: WarehouseUrl, types: TableColumns, wanted: tuple[str, ...]
) -> list[Diagnostic]:
    """PA002 per column of ``wanted`` the table does not have."""
    read = {types.spelling(c) for c in wanted} - {None}
    return [
        diagnostic(
            "PA002",
            f'column "{column}" is not in {url.table}; what reads it has no data',
            file=url.display,
            hint=columns_hint(column, types.names, read),
        )
        for column in wanted
        if column not in types
    ]
