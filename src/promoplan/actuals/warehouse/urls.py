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
from urllib.parse import SplitResult, parse_qsl, unquote, urlencode, urlsplit

from promoplan.actuals.warehouse.schemes import SCHEME, SCHEMES, Kind, is_warehouse_url
from promoplan.errors import UsageProblem

_DEFAULT_PORTS = {"postgresql": 5432, "spark": 15002}
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


class PlanSecretProblem(UsageProblem):
    """A plan's ``actuals.source`` holding what a committed file must not: a password, a path."""


_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


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
        if host and ":" in host:
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
    query = _parameters(parts.query, text)
    table_text = query.pop("table", None) or table
    if not table_text:
        raise UsageProblem(
            f"{redacted(text)!r} names no table; add ?table=schema.table "
            "(or actuals.table in the plan)"
        )
    password = unquote(parts.password) if parts.password is not None else None
    if "password" in query:
        raise UsageProblem(
            "a password in the URL's parameters is not accepted; "
            "use PGPASSWORD, ~/.pgpass, a service file, or ${ENV_VAR} as the URL's password"
        )
    if password is not None:
        password = _expand_password(password, from_plan=from_plan, environment=environment)
    unknown = sorted(k for k in query if k not in LIBPQ_PARAMETERS or kind != "postgresql")
    if unknown:
        allowed = ", ".join(sorted(LIBPQ_PARAMETERS)) if kind == "postgresql" else "table"
        raise UsageProblem(
            f"unknown URL parameter {unknown[0]!r} in {redacted(text)!r}; "
            f"the parameters are table and {allowed}"
            if kind == "postgresql"
            else f"unknown URL parameter {unknown[0]!r} in {redacted(text)!r}; only table is read"
        )
    for value in (parts.username, parts.hostname, parts.path):
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
        host=parts.hostname,
        port=port if port is not None else _DEFAULT_PORTS.get(kind),
        user=unquote(parts.username) if parts.username else None,
        database=database,
        table=parse_table(table_text),
        parameters=tuple(sorted(query.items())),
        password=password,
    )


def _split(text: str, *, from_plan: bool) -> tuple[SplitResult, int | None]:
    """The URL's parts and port, refused when the parser reads a password typed raw
    otherwise than :func:`_password_span` does (its / ? # or @ taken for a port, a
    path or a query): a message built from those parts would show a piece of it."""
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
        f"{redacted(text)!r} is not a valid URL; a / ? # or @ in its password must be "
        "percent-encoded (%2F %3F %23 %40), or the password given as ${ENV_VAR}"
    ) from None


def _parameters(query: str, text: str) -> dict[str, str]:
    """A URL's parameters; one given twice is refused (which one counts is no guess to make)."""
    pairs = parse_qsl(query, keep_blank_values=True)
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            raise UsageProblem(f"{redacted(text)!r} gives {key}= twice; give it once")
        seen.add(key)
    return dict(pairs)


def _parse_duckdb(rest: str, table: str | None) -> WarehouseUrl:
    """``duckdb:///abs/file.duckdb?table=t`` (or ``duckdb://relative/file.duckdb``)."""
    path, _, query_text = rest.partition("?")
    query = _parameters(query_text, "duckdb://" + rest)
    table_text = query.pop("table", None) or table
    if query:
        raise UsageProblem(
            f"unknown URL parameter {sorted(query)[0]!r} in duckdb://{path}; only table is read"
        )
    if not path:
        raise UsageProblem("duckdb:// names no file; write duckdb:///path/to/file.duckdb?table=t")
    if not table_text:
        raise UsageProblem(f"duckdb://{path} names no table; add ?table=name")
    return WarehouseUrl(
        kind="duckdb",
        host=None,
        port=None,
        user=None,
        database=unquote(path),
        table=parse_table(table_text),
    )


def _expand_password(password: str, *, from_plan: bool, environment: bool) -> str:
    """``${NAME}`` read from the environment; a literal password only outside a plan."""
    match = _ENV.fullmatch(password)
    if match is None:
        if from_plan:
            raise PlanSecretProblem(
                "actuals.source holds a password; plans are committed, so write "
                "${ENV_VAR} in its place, or use PGPASSWORD, ~/.pgpass or a service file"
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
    """Where the password of the URL ``text`` stands (between ``://user:`` and ``@``), if any.

    Wider than libpq reads it, since this decides what a message may show: the
    user part ends at the last ``@`` that is not in a parameter's value
    (``?table=a@b``), so whatever a password typed raw holds (``? # : @ /``,
    which libpq reads in part or takes for the path) is hidden with the rest:
    ``u:12/34@h`` hides ``12/34``, ``u:p@/x@h`` hides ``p@/x``, and
    ``h:15002?table=a@b`` hides nothing. (A raw password holding ``?`` and then
    ``=`` reads as a parameter: write it percent-encoded, or as ``${ENV_VAR}``;
    an ``@`` in a database's name hides what comes before it.)
    """
    start = text.find("://")
    if start < 0:
        return None
    start += 3
    end = _last_user_at(text, start)
    if end < 0:
        return None
    colon = text.find(":", start, end)
    return None if colon < 0 else (colon + 1, end)


def _last_user_at(text: str, start: int) -> int:
    """The last ``@`` after ``start`` that is not in a URL parameter's value; -1 for none."""
    at = text.rfind("@", start)
    while at >= 0:
        question = text.rfind("?", start, at)
        if question < 0 or "=" not in text[question:at]:
            return at
        at = text.rfind("@", start, at)
    return -1


def masked(text: str) -> str:
    """``text`` with a literal password shown as ``***`` (a ``${NAME}`` reference stays):
    for showing a URL as written, where a changed password must still show as a change."""
    span = _password_span(text)
    if span is None or _ENV.fullmatch(text[span[0] : span[1]]):
        return text
    return f"{text[: span[0]]}***{text[span[1] :]}"


def redacted(text: str) -> str:
    """``text`` without what stands between ``://user:`` and ``@``: for messages about bad URLs."""
    span = _password_span(text)
    return text if span is None else f"{text[: span[0] - 1]}{text[span[1] :]}"


def _has_table(text: str) -> bool:
    _, _, query = text.partition("?")
    return any(key == "table" for key, _ in parse_qsl(query, keep_blank_values=True))


def with_table(text: str, table: str | None) -> str:
    """``text`` with ``table`` as its ``?table=`` when it names none."""
    if table is None or _has_table(text):
        return text
    return text + ("&" if "?" in text else "?") + urlencode({"table": table})


# Hosts a plan's actuals.source may name besides the local ones: comma-separated
# host or host:port, or "*" for any (the environment's choice, never the plan's).
SOURCE_HOSTS = "PROMOPLAN_SOURCE_HOSTS"
_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
# URL parameters that name files on this machine: a plan names no paths.
_PATH_PARAMETERS = frozenset({"passfile", "sslcert", "sslkey", "sslrootcert"})


def _host_allowed(url: WarehouseUrl) -> bool:
    """A plan may name a local server (or none: libpq's PGHOST), or a host allowed here."""
    host = (url.host or "").lower()
    if not host or host.startswith("/") or host in _LOCAL_HOSTS:
        return True
    allowed = {h.strip().lower() for h in os.environ.get(SOURCE_HOSTS, "").split(",")}
    return bool({"*", host, f"{host}:{url.port}"} & allowed)


def _check_plan_url(url: WarehouseUrl) -> None:
    """Refuse what a plan (perhaps in a pull request) could use to take this machine's secrets.

    libpq sends the environment's password (PGPASSWORD, ~/.pgpass) to whatever
    host it connects to, and a ``${ENV_VAR}`` password is read from this
    environment: a plan naming any host could send them to its own server.
    """
    _check_plan_paths(url)
    if not _host_allowed(url):
        raise UsageProblem(
            f"actuals.source names the host {url.host}, which this environment does not allow: "
            "a plan could send the database password (PGPASSWORD, ~/.pgpass, ${ENV_VAR}) to "
            f"any server. Pass the URL with --actuals, or set {SOURCE_HOSTS}={url.host}"
        )


def _check_plan_paths(url: WarehouseUrl) -> None:
    """Refuse a path in a plan's URL: a DuckDB file, a libpq parameter naming a file."""
    if url.kind == "duckdb":
        raise PlanSecretProblem(
            "actuals.source may not name a DuckDB file (a plan names no paths); "
            "pass it with --actuals duckdb:///path/file.duckdb?table=t"
        )
    paths = sorted(k for k, _ in url.parameters if k in _PATH_PARAMETERS)
    if paths:
        raise PlanSecretProblem(
            f"actuals.source may not set {paths[0]} (a plan names no paths); "
            "pass the URL with --actuals, or use a service file (?service=name)"
        )


def plan_source(files: list[str], source: str | None, table: str | None) -> list[str]:
    """The sources to read: ``--actuals`` as given, else the plan's ``actuals.source``.

    The plan's ``actuals.table`` fills in a URL's missing ``?table=``. A source
    from the plan is checked here: no literal password, no path (a DuckDB file,
    a ``passfile``), and a host that is local or allowed by
    ``PROMOPLAN_SOURCE_HOSTS``; a URL on the command line is the operator's own.
    """
    if not files and source is not None:
        _check_plan_url(parse_url(source, table=table, from_plan=True))
        return [with_table(source, table)]
    return [with_table(f, table) if is_warehouse_url(f) else f for f in files]


def plan_source_problem(source: str, table: str | None) -> UsageProblem | None:
    """Why a plan's ``actuals.source`` cannot be read wherever the plan runs, else None.

    What its text alone decides (``validate`` reads no environment): a scheme of
    no source, a URL that does not parse, no table, a password or a path written
    in it (:class:`PlanSecretProblem`). Whether its host is allowed and its
    ``${ENV_VAR}`` set are ``check``'s to say, where the plan runs.
    """
    try:
        _check_plan_paths(parse_url(source, table=table, from_plan=True, environment=False))
    except UsageProblem as problem:
        return problem
    return None
