"""The cube query's SQL text per dialect, kept between runs so that a run need not import sqlglot.

:func:`rendered` returns what :func:`promoplan.actuals.warehouse.query.render`
returns for a :class:`CubeQuery` and a dialect. sqlglot builds and renders the
query the first time; importing it is most of that (about 0.15 s, a tenth of
a run from PostgreSQL at a million rows), so the text and its bound values
are written to a file named by a digest of everything the rendering depends on:
the query's description in full (every field of every dataclass in it), the
dialect, the text of the modules that render it and sqlglot's version. A
later run that asks for the same query reads it back and never imports
sqlglot. The files are in ``PROMOPLAN_CACHE_DIR`` (else
``$XDG_CACHE_HOME/promoplan``, else ``~/.cache/promoplan``), under ``sql/``;
``PROMOPLAN_NO_CACHE=1`` turns the cache off. A file that cannot be read
or written is rendered again, silently: the cache never changes a result nor
stops a run. The SQL read back is sent to the server, so a file is read only
when it and its folder belong to the user and no one else may write them.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
import os
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from promoplan.actuals.warehouse.sqltext import Dialect, Rendered, Value

if TYPE_CHECKING:
    from promoplan.actuals.warehouse.cubequery import CubeQuery

_FORMAT = 1  # of the files: a change here renders every query again
# The modules whose text decides the SQL rendered from a description.
_RENDERERS = ("query.py", "cubequery.py", "sqltext.py")
_KEPT = 256  # files kept; past that, the oldest half are removed


def rendered(query: CubeQuery, dialect: Dialect) -> Rendered:
    """The cube query as ``dialect`` SQL with its parameters: from the cache, or rendered."""
    folder = cache_folder()
    key = _key(query, dialect) if folder is not None else None
    if folder is None or key is None:
        return _render(query, dialect)
    path = folder / f"{key}.json"
    found = _read(path, dialect)
    if found is not None:
        return found
    result = _render(query, dialect)
    _write(folder, path, result)
    return result


def cache_folder() -> Path | None:
    """Where rendered queries are kept; None when the cache is off."""
    if os.environ.get("PROMOPLAN_NO_CACHE", "") not in ("", "0"):
        return None
    base = os.environ.get("PROMOPLAN_CACHE_DIR")
    if base:
        return Path(base) / "sql"
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and os.path.isabs(xdg):  # relative: ignored, as the XDG spec says
        return Path(xdg) / "promoplan" / "sql"
    home = os.path.expanduser("~")
    if not os.path.isabs(home):  # no home (a service without HOME or passwd entry): none
        return None
    return Path(home) / ".cache" / "promoplan" / "sql"


def _render(query: CubeQuery, dialect: Dialect) -> Rendered:
    from promoplan.actuals.warehouse.query import render  # noqa: PLC0415  # sqlglot, on a miss

    return render(query, dialect)


def _key(query: CubeQuery, dialect: Dialect) -> str | None:
    """A digest of what the SQL depends on; None when the description holds a value this
    does not know how to write (the query is rendered, not kept)."""
    try:
        described = json.dumps(_canonical(query), separators=(",", ":"), ensure_ascii=False)
    except TypeError:
        return None
    digest = hashlib.sha256()
    here = Path(__file__).parent
    try:
        sources = [(here / name).read_bytes() for name in _RENDERERS]
    except OSError:  # not installed as files (a zip): no way to tell a change apart
        return None
    texts = (str(_FORMAT), dialect, _sqlglot_version(), described)
    for data in (*(t.encode() for t in texts), *sources):
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


def _sqlglot_version() -> str:
    from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415

    try:
        return version("sqlglot")
    except PackageNotFoundError:
        return "?"


def _canonical(value: Any) -> Any:
    """``value`` as JSON-able data that tells apart any two values that differ: every
    field of a dataclass (``repr=False`` ones too) under its class's name; tuples as
    lists; numbers, dates and strings tagged with their type."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: _canonical(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"class": type(value).__qualname__, "fields": fields}
    if isinstance(value, tuple):
        return ["tuple", [_canonical(v) for v in value]]
    if value is None or type(value) in (bool, int, str):
        return [type(value).__name__, value]
    if type(value) is Decimal:
        return ["decimal", str(value)]
    if type(value) is dt.date:
        return ["date", value.isoformat()]
    raise TypeError(f"{type(value).__name__} is not described")


def _decoded(kind: str, text: str) -> Value:
    """A bound value written by :func:`_canonical` (``["date", "2025-01-01"]``), read back."""
    if kind == "date":
        return dt.date.fromisoformat(text)
    if kind == "decimal":
        return Decimal(text)
    if kind == "str":
        return text
    raise ValueError(kind)


def _trusted(path: Path) -> bool:
    """Whether the file and its folder are the user's own and no one else may write them:
    the SQL read back is run, so a file another user could have written is not read."""
    if not hasattr(os, "getuid"):
        return True
    for stat in (path.stat(), path.parent.stat()):
        if stat.st_uid != os.getuid() or stat.st_mode & 0o022:
            return False
    return True


def _read(path: Path, dialect: Dialect) -> Rendered | None:
    """The query kept at ``path``; None when there is none, it cannot be read or it is
    not the user's own."""
    try:
        if not _trusted(path):
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        sql, named, values = data["sql"], data["named"], data["parameters"]
        if not isinstance(sql, str) or type(named) is not bool:
            return None
        decoded = [(name, _decoded(kind, text)) for name, kind, text in values]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    parameters: dict[str, Value] | tuple[Value, ...] = (
        {str(name): v for name, v in decoded} if named else tuple(v for _, v in decoded)
    )
    return Rendered(dialect, sql, parameters)


def _write(folder: Path, path: Path, result: Rendered) -> None:
    """Keep ``result`` at ``path`` (a whole file or none: written aside, then renamed)."""
    named = isinstance(result.parameters, dict)
    pairs = (
        list(result.parameters.items())
        if isinstance(result.parameters, dict)
        else [("", v) for v in result.parameters]
    )
    values = [[name, *_canonical(value)] for name, value in pairs]
    data = {"sql": result.sql, "named": named, "parameters": values}
    with contextlib.suppress(OSError):
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(data, out, ensure_ascii=False)
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
        _prune(folder)


def _prune(folder: Path) -> None:
    """Past :data:`_KEPT` files, remove the older half (the least recently written)."""
    entries = [e for e in os.scandir(folder) if e.name.endswith(".json")]
    if len(entries) <= _KEPT:
        return
    entries.sort(key=lambda e: e.stat().st_mtime)
    for entry in entries[: len(entries) // 2]:
        with contextlib.suppress(OSError):
            os.unlink(entry.path)
