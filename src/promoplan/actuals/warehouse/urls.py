"""Warehouse source URLs: parsing, ``${ENV}`` references, and the printable (password-free) form.

Three kinds, each with the table to read in ``?table=``:

- ``postgresql://user@host:5432/db?table=schema.table`` (also ``postgres://``),
- ``sc://host:15002?table=db.table`` (Spark Connect),
- ``duckdb:///path/to/file.duckdb?table=t`` (a DuckDB database file, opened read-only).

Which text is a URL at all is :mod:`promoplan.actuals.warehouse.schemes`' to say:
a check of CSV files does not import this module.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from urllib.parse import SplitResult, parse_qsl, quote, unquote, unquote_plus, urlencode, urlsplit

from promoplan.actuals.warehouse.schemes import SCHEME, SCHEMES, Kind
from promoplan.actuals.warehouse.tablenames import TableName, parse_table
from promoplan.errors import UsageProblem

# Spark Connect's port when the URL names none; PostgreSQL's is libpq's to choose
# (PGPORT, a service file, 5432).
_SPARK_PORT = 15002
# libpq keywords a URL may carry besides ``table``: transport and service settings only.
# Options such as ``options`` (which could lift the statement timeout or the
# read-only setting) are not passed through.
LIBPQ_PARAMETERS = frozenset(
    {
        "sslmode",
        "sslrootcert",
        "sslcert",
        "sslkey",
        "service",
        "connect_timeout",
        "target_session_attrs",
        "gssencmode",
        "passfile",
    }
)
# Parameters whose values a message may show; any other's (``sslpassword=``, a
# misspelt ``pasword=``, Spark Connect's ``;token=``) could be a secret.
_SHOWN_PARAMETERS = LIBPQ_PARAMETERS | {"table"}


class PlanSecretProblem(UsageProblem):
    """A plan's ``actuals.source`` holding what a committed file must not: a password, a path.

    ``hint`` says what to do about the one found (PP141's hint).
    """

    def __init__(self, message: str, *, hint: str) -> None:
        super().__init__(message)
        self.hint = hint


_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class WarehouseUrl:
    """A parsed source URL. ``password`` is never part of ``display`` or ``repr``."""

    kind: Kind
    host: str | None
    port: int | None
    user: str | None
    database: str | None  # PostgreSQL: the database; DuckDB: the file path
    table: TableName
    parameters: tuple[tuple[str, str], ...] = ()
    password: str | None = field(default=None, repr=False)

    @property
    def display(self) -> str:
        """The URL as printed in diagnostics: no password, ever."""
        if self.kind == "duckdb":
            return f"duckdb://{self.database}?table={self.table}"
        scheme = "postgresql" if self.kind == "postgresql" else "sc"
        user = f"{self.user}@" if self.user else ""
        host = self.host or ""
        if host.startswith("/"):
            host = quote(host, safe="")  # a socket directory, written as libpq reads it
        elif ":" in host:
            host = f"[{host}]"  # IPv6
        port = f":{self.port}" if self.port is not None else ""
        path = f"/{self.database}" if self.database else ""
        return f"{scheme}://{user}{host}{port}{path}?table={self.table}"

    def __str__(self) -> str:
        return self.display


def not_a_source(text: str) -> UsageProblem:
    """The problem with ``text``, a URL whose scheme names no source promoplan reads."""
    return UsageProblem(
        f"{redacted(text)!r} is not a source URL; use postgresql://, sc:// (Spark Connect) "
        "or duckdb:///path/file.duckdb (a file is named by its path)"
    )


def parse_url(
    text: str, *, table: str | None = None, from_plan: bool = False, environment: bool = True
) -> WarehouseUrl:
    """Parse a source URL; ``table`` (the plan's ``actuals.table``) fills in a missing ``?table=``.

    A password written in a URL that comes from a plan is refused: plans are
    committed. ``${NAME}`` is allowed only as the password, and is read from the
    environment here (with ``environment=False``, as ``validate`` parses, it is
    left as written).
    """
    text = text.strip()
    match = SCHEME.match(text)
    if match is None or match.group(1).lower() not in SCHEMES:
        raise not_a_source(text)
    kind = SCHEMES[match.group(1).lower()]
    if kind == "duckdb":
        return _parse_duckdb(text[match.end() :], table)
    parts, port = _split(text, from_plan=from_plan)
    if "#" in text:  # not in the password: _split has refused that
        raise UsageProblem(_fragment(text))
    query = _parameters(parts.query, text)
    table_text = query.pop("table", None) or table
    if "password" in query:
        raise UsageProblem(
            "a password in the URL's parameters is not accepted; "
            "use PGPASSWORD, ~/.pgpass, a service file, or ${ENV_VAR} as the URL's password"
        )
    # Named before a missing table: ?TABLE=t or ?tabel=t is the table meant.
    known = LIBPQ_PARAMETERS if kind == "postgresql" else frozenset()
    unknown = sorted(k for k in query if k not in known)
    if unknown:
        raise _unknown_parameter(unknown[0], repr(redacted(text)), known)
    if not table_text:
        raise UsageProblem(
            f"{redacted(text)!r} names no table; add ?table=schema.table "
            "(or actuals.table in the plan)"
        )
    password = unquote(parts.password) if parts.password is not None else None
    if password is not None:
        password = _expand_password(password, from_plan=from_plan, environment=environment)
    host = _host(parts)
    _refuse_env_table(table_text, redacted(text))
    for value in (parts.username, host, parts.path):
        if value and _ENV.search(unquote(value)):
            raise UsageProblem(
                f"${{ENV_VAR}} references are read only as the URL's password: {redacted(text)!r}"
            )
    database = unquote(parts.path.lstrip("/")) or None
    if kind == "spark" and database:
        raise UsageProblem(
            f"{redacted(text)!r}: a Spark Connect URL has no path; "
            "name the table as ?table=db.table"
        )
    return WarehouseUrl(
        kind=kind,
        host=host,
        port=_SPARK_PORT if port is None and kind == "spark" else port,
        user=unquote(parts.username) if parts.username else None,
        database=database,
        table=parse_table(table_text),
        parameters=tuple(sorted(query.items())),
        password=password,
    )


def _split(text: str, *, from_plan: bool) -> tuple[SplitResult, int | None]:
    """The URL's parts and port, refused when the parser reads a password typed raw
    otherwise than :func:`_password_span` does (its / ? # or @ taken for a port, a
    path or a query, or an @ after it for the password's end): a message built from
    those parts would show a piece of it."""
    span = _password_span(text)
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        if span is None:
            raise UsageProblem(f"{redacted(text)!r} is not a valid URL: {exc}") from None
    else:
        if span is None or parts.password == text[span[0] : span[1]]:
            return parts, port
    # In a plan the password is the thing to say (this raises for a literal one);
    # elsewhere not the parser's words, which may quote a piece of it.
    _expand_password(text[span[0] : span[1]], from_plan=from_plan, environment=False)
    raise UsageProblem(
        f"{redacted(text)!r} is not a valid URL, or not one read as meant: a / ? # or @ in "
        "its password must be percent-encoded (%2F %3F %23 %40), and so must an @ after "
        "its host (%40), or the password given as ${ENV_VAR}"
    ) from None


def _host(parts: SplitResult) -> str | None:
    """The URL's host percent-decoded as libpq decodes it (``%2Ftmp%2Fpg`` is the socket
    directory ``/tmp/pg``), its case kept; None when it names none."""
    host = parts.netloc.rpartition("@")[2]
    host = host[1 : host.find("]")] if host.startswith("[") else host.partition(":")[0]
    return unquote(host) or None


def _fragment(text: str) -> str:
    return (
        f"{redacted(text)!r} ends in a #fragment, which no source URL has; "
        "write a # in a name or a value as %23"
    )


def _parameters(query: str, text: str) -> dict[str, str]:
    """A URL's parameters; one given twice is refused (which one counts is no guess to make)."""
    pairs = parse_qsl(query, keep_blank_values=True)
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            raise UsageProblem(f"{redacted(text)!r} gives {key}= twice; give it once")
        seen.add(key)
    return dict(pairs)


def _unknown_parameter(key: str, shown: str, known: frozenset[str]) -> UsageProblem:
    """``key`` is no parameter of the URL ``shown``, whose parameters are table and ``known``;
    one that differs from them only in case is told so (they are case-sensitive)."""
    meant = [k for k in ("table", *sorted(known)) if k.casefold() == key.casefold()]
    rest = f"the parameters are table and {', '.join(sorted(known))}" if known else ""
    rest = rest or "only table is read"
    if meant:
        rest = f"parameters are case-sensitive: write {meant[0]}=; {rest}"
    return UsageProblem(f"unknown URL parameter {key!r} in {shown}; {rest}")


def _parse_duckdb(rest: str, table: str | None) -> WarehouseUrl:
    """``duckdb:///abs/file.duckdb?table=t`` (or ``duckdb://relative/file.duckdb``)."""
    if "#" in rest:
        raise UsageProblem(_fragment("duckdb://" + rest))
    path, _, query_text = rest.partition("?")
    query = _parameters(query_text, "duckdb://" + rest)
    table_text = query.pop("table", None) or table
    if query:
        raise _unknown_parameter(sorted(query)[0], f"duckdb://{path}", frozenset())
    if not path:
        raise UsageProblem("duckdb:// names no file; write duckdb:///path/to/file.duckdb?table=t")
    if not table_text:
        raise UsageProblem(f"duckdb://{path} names no table; add ?table=name")
    _refuse_env_table(table_text, f"duckdb://{path}")
    return WarehouseUrl(
        kind="duckdb",
        host=None,
        port=None,
        user=None,
        database=unquote(path),
        table=parse_table(table_text),
    )


def _refuse_env_table(table: str, shown: str) -> None:
    """A ``${NAME}`` in the table (``?table=``, a plan's ``actuals.table``) is not read."""
    if _ENV.search(table):
        raise UsageProblem(
            "${ENV_VAR} references are read only as the URL's password, not in the table "
            f"name {table!r}: {shown!r}"
        )


def _expand_password(password: str, *, from_plan: bool, environment: bool) -> str:
    """``${NAME}`` read from the environment; a literal password only outside a plan."""
    match = _ENV.fullmatch(password)
    if match is None:
        if from_plan:
            raise PlanSecretProblem(
                "actuals.source holds a password; plans are committed, so write "
                "${ENV_VAR} in its place, or use PGPASSWORD, ~/.pgpass or a service file",
                hint="a plan is read by everyone with the repository: no password in it; "
                "change a password that was committed",
            )
        return password
    if not environment:
        return password
    name = match.group(1)
    value = os.environ.get(name)
    if value is None:
        raise UsageProblem(f"the source URL's password is ${{{name}}}, but {name} is not set")
    return value


def _password_span(text: str) -> tuple[int, int] | None:
    """Where the password of the URL ``text`` may stand (from the ``:`` after ``://user``
    to the last ``@``), if anywhere.

    Wider than libpq reads it, since this decides what a message may show. A
    password typed raw may hold ``? # : @ /``, so that any ``@`` after it may be
    its end: ``u:12/34@h`` hides ``12/34``, ``u:p@/x@h`` hides ``p@/x``, and
    ``u:Hunter2@Pass?wo=rd9@h`` hides ``Hunter2@Pass?wo=rd9`` (an ``@`` in a
    parameter's value, ``?table=a@b``, hides all before it when a ``:`` comes
    first; :func:`parse_url` refuses such a URL, read otherwise by the parser).
    """
    start = text.find("://")
    if start < 0:
        return None
    start += 3
    end = text.rfind("@", start)
    if end < 0:
        return None
    colon = text.find(":", start, end)
    return None if colon < 0 else (colon + 1, end)


def _shown(text: str, password: str) -> str:
    """``text`` with ``password`` for what :func:`_password_span` finds (no ``:`` when it is
    empty) and ``***`` for the value of every parameter a message may not show."""
    span = _password_span(text)
    if span is not None:
        text = f"{text[: span[0] - 1]}{':' if password else ''}{password}{text[span[1] :]}"
    rest, hash_, fragment = text.partition("#")
    rest, question, query = rest.partition("?")
    # Spark Connect's parameters, /;token=...: all may be secrets.
    head, *path_parameters = rest.split(";")
    return ";".join([head, *(_hidden(p, frozenset()) for p in path_parameters)]) + "".join(
        mark + "&".join(_hidden(p, _SHOWN_PARAMETERS) for p in part.split("&"))
        for mark, part in ((question, query), (hash_, fragment))
    )


def _hidden(parameter: str, shown: frozenset[str]) -> str:
    """``key=value`` as ``key=***`` unless ``key`` is of those ``shown``."""
    key, equals, _ = parameter.partition("=")
    return parameter if not equals or unquote_plus(key) in shown else f"{key}=***"


def masked(text: str) -> str:
    """``text`` with a literal password shown as ``***`` (a ``${NAME}`` reference stays), and
    the values of parameters that may be secrets: for showing a URL as written, where a
    changed password must still show as a change."""
    span = _password_span(text)
    if span is None:
        return _shown(text, "")
    password = text[span[0] : span[1]]
    return _shown(text, password if _ENV.fullmatch(password) else "***")


def redacted(text: str) -> str:
    """``text`` without what stands between ``://user:`` and the last ``@``, nor the values
    of parameters that may be secrets (``***``): for messages about bad URLs."""
    return _shown(text, "")


def with_table(text: str, table: str | None) -> str:
    """``text`` with ``table`` as its ``?table=`` when it names none."""
    if table is None:
        return text
    span = _password_span(text)  # a ? typed raw in a password starts no query
    _, question, query = text[span[1] if span else 0 :].partition("#")[0].partition("?")
    if any(key == "table" for key, _ in parse_qsl(query, keep_blank_values=True)):
        return text
    return text + ("&" if question else "?") + urlencode({"table": table})
