"""The rendered cube queries kept between runs: the same SQL and values as rendering
afresh, for any query and dialect; a broken or unwritable cache renders again; a run
that finds its query kept imports no sqlglot."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from promoplan.actuals.warehouse import rendered as cache
from promoplan.actuals.warehouse.cubequery import CubeQuery, LongQuery, RowExpr, UnpivotQuery
from promoplan.actuals.warehouse.query import DIALECTS, render
from promoplan.actuals.warehouse.sqltext import Rendered
from promoplan.actuals.warehouse.tablenames import TableName
from promoplan.formula import parse_formula
from warehouse.conftest import ROOT
from warehouse.imported import loaded

# Names and values that quoting, placeholders and JSON must carry through unchanged.
TEXT = st.sampled_from(["gmv", 'a"b', "o'S", "100%", "%(x)s", "$1", ":p", "渠道", " sp ", "?"])
DATES = st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31))


@st.composite
def queries(draw: st.DrawFn) -> CubeQuery:
    """Cube queries of every shape the renderer takes: timestamps, months, exprs with
    numbers, unpivot, columns only counted, folded and kept dimensions."""
    measures = tuple(draw(st.lists(TEXT, min_size=1, max_size=3, unique=True)))
    dimensions = tuple(draw(st.lists(TEXT, max_size=2, unique=True)))
    exprs = tuple(
        RowExpr(parse_formula(text).root, extrema=draw(st.booleans()), counted=draw(st.booleans()))
        for text in draw(
            st.lists(st.sampled_from(["a * 1.1 / -b", "x + 2", "(y - z) * 0.25"]), max_size=2)
        )
    )
    grouped = len(measures) + len(exprs)
    unpivot = None
    if draw(st.booleans()):
        slot = st.one_of(st.none(), st.integers(0, grouped - 1))
        values = tuple(draw(st.lists(TEXT, min_size=1, max_size=2, unique=True)))
        width = draw(st.integers(1, 3))
        unpivot = UnpivotQuery(
            values=values,
            base=tuple(draw(slot) for _ in range(width)),
            split=tuple(tuple(draw(slot) for _ in range(width)) for _ in values),
            extrema=tuple(draw(st.booleans()) for _ in range(width)),
        )
    flags = st.one_of(st.none(), st.tuples(*(st.booleans() for _ in measures)))
    kept: tuple[tuple[int, tuple[str, ...]], ...] = ()
    if draw(st.booleans()) and dimensions:
        kept = ((0, tuple(draw(st.lists(TEXT, min_size=1, max_size=2, unique=True)))),)
    return CubeQuery(
        table=TableName(tuple(draw(st.lists(TEXT, min_size=1, max_size=2)))),
        date_column=draw(TEXT),
        date_is_timestamp=draw(st.booleans()),
        dimensions=dimensions,
        measures=measures,
        extrema=tuple(draw(st.booleans()) for _ in measures),
        keep_from=draw(st.one_of(st.none(), DATES)),
        keep_to=draw(st.one_of(st.none(), DATES)),
        limit=draw(st.one_of(st.none(), st.integers(1, 10**6))),
        exprs=exprs,
        period=draw(st.sampled_from(["day", "week", "month"])),
        unpivot=unpivot,
        summed=draw(flags),
        counted=draw(flags),
        folded=tuple(draw(st.lists(st.sampled_from(["sku", "store"]), max_size=2, unique=True))),
        kept=kept,
        renamed=tuple(
            (name, name.upper()) for name in (*measures, *dimensions) if draw(st.booleans())
        ),
    )


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PROMOPLAN_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("PROMOPLAN_NO_CACHE", raising=False)
    return tmp_path / "sql"


def _kept(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.json")) if folder.is_dir() else []


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=queries(), dialect=st.sampled_from(DIALECTS))
def test_a_kept_query_is_the_one_rendered(folder: Path, query: CubeQuery, dialect: str) -> None:
    fresh = render(query, dialect)  # type: ignore[arg-type]  # one of DIALECTS
    first = cache.rendered(query, dialect)  # type: ignore[arg-type]
    second = cache.rendered(query, dialect)  # type: ignore[arg-type]
    # The placeholders' marker is random per rendering, but never in the text.
    assert first == fresh == second
    assert [type(v) for v in _values(second)] == [type(v) for v in _values(fresh)]


def _values(rendered: Rendered) -> list[object]:
    given = rendered.parameters
    return list(given.values()) if isinstance(given, dict) else list(given)


EXAMPLE = CubeQuery(
    table=TableName(("sales", "daily")),
    date_column="day",
    date_is_timestamp=False,
    dimensions=("channel",),
    measures=("gmv",),
    extrema=(False,),
    keep_from=dt.date(2025, 1, 1),
    keep_to=dt.date(2025, 12, 31),
    exprs=(RowExpr(parse_formula("gmv * 1.5").root),),
)


def test_a_second_rendering_reads_the_file_and_not_sqlglot(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = cache.rendered(EXAMPLE, "postgres")
    (path,) = _kept(folder)
    kept = json.loads(path.read_text(encoding="utf-8"))
    assert kept["sql"] == first.sql
    assert kept["named"] is True
    assert sorted(kept["parameters"]) == [
        ["e0", "decimal", "1.5"],
        ["keep_from", "date", "2025-01-01"],
        ["keep_until", "date", "2026-01-01"],  # the day after keep_to: date < it
    ]

    def no_render(*_: object) -> None:
        raise AssertionError("rendered again")

    monkeypatch.setattr(cache, "_render", no_render)
    again = cache.rendered(EXAMPLE, "postgres")
    assert again == first
    assert isinstance(again.parameters, dict)
    assert again.parameters["e0"] == Decimal("1.5")
    assert again.parameters["keep_from"] == dt.date(2025, 1, 1)


def test_queries_that_differ_are_kept_apart(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = CubeQuery(**{**EXAMPLE.__dict__, "keep_to": dt.date(2025, 6, 30)})
    assert cache.rendered(EXAMPLE, "postgres") != cache.rendered(other, "postgres")
    assert cache.rendered(EXAMPLE, "duckdb").dialect == "duckdb"
    assert len(_kept(folder)) == 3
    # Another sqlglot renders the same query again, into a file of its own.
    key = cache._key(EXAMPLE, "postgres")
    monkeypatch.setattr(cache, "_sqlglot_version", lambda: "0.0.0")
    assert cache._key(EXAMPLE, "postgres") != key
    cache.rendered(EXAMPLE, "postgres")
    assert len(_kept(folder)) == 4


# EXAMPLE with one field changed at a time: every change is another query.
CHANGES: list[dict[str, Any]] = [
    {"table": TableName(("sales", "weekly"))},
    {"date_column": "date"},
    {"date_is_timestamp": True},
    {"dimensions": ("region",)},
    {"measures": ("spend",)},
    {"extrema": (True,)},
    {"keep_from": None},
    {"keep_to": dt.date(2025, 12, 30)},
    {"limit": 10},
    {"exprs": (RowExpr(parse_formula("gmv * 1.50").root),)},
    {"exprs": (RowExpr(parse_formula("gmv * 1.5").root, counted=False),)},
    {"period": "month"},
    {"summed": (False,)},
    {"counted": (True,)},
    {"folded": ("sku",)},
    {"kept": ((0, ("douyin",)),)},
    {"unpivot": UnpivotQuery(("a",), (0,), ((1,),), (False,))},
    {"renamed": (("gmv", "GMV"),)},
    {"long": LongQuery(("gmv",))},
]
VARIANTS = [dataclasses.replace(EXAMPLE, **change) for change in CHANGES]


def test_every_field_of_the_query_is_in_its_key() -> None:
    assert {name for change in CHANGES for name in change} == {
        field.name for field in dataclasses.fields(CubeQuery)
    }
    keys = {cache._key(query, "postgres") for query in [EXAMPLE, *VARIANTS]}
    assert len(keys) == len(VARIANTS) + 1
    assert cache._key(EXAMPLE, "duckdb") not in keys


@pytest.mark.parametrize(
    "damage", ["", "{", '{"sql": 1, "named": true, "parameters": []}', '{"sql": "x"}', "[1]",
               '{"sql": "x", "named": true, "parameters": [["a", "float", "1"]]}']
)  # fmt: skip
def test_a_damaged_file_is_rendered_again_and_replaced(folder: Path, damage: str) -> None:
    first = cache.rendered(EXAMPLE, "postgres")
    (path,) = _kept(folder)
    path.write_text(damage, encoding="utf-8")
    assert cache.rendered(EXAMPLE, "postgres") == first
    assert json.loads(path.read_text(encoding="utf-8"))["sql"] == first.sql


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX owners and modes")
def test_a_file_others_may_write_is_not_read(folder: Path) -> None:
    first = cache.rendered(EXAMPLE, "postgres")
    (path,) = _kept(folder)
    planted = json.loads(path.read_text(encoding="utf-8"))
    planted["sql"] = "SELECT 'planted'"
    path.write_text(json.dumps(planted), encoding="utf-8")
    for target, mode in ((path, 0o666), (folder, 0o777)):
        target.chmod(mode)
        assert cache.rendered(EXAMPLE, "postgres") == first  # rendered, not read
        target.chmod(0o600 if target == path else 0o700)
        path.write_text(json.dumps(planted), encoding="utf-8")
    assert cache.rendered(EXAMPLE, "postgres").sql == "SELECT 'planted'"  # the user's own


def test_an_unwritable_cache_still_renders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("PROMOPLAN_CACHE_DIR", str(blocked))
    assert cache.rendered(EXAMPLE, "postgres") == render(EXAMPLE, "postgres")
    assert blocked.read_text(encoding="utf-8") == "not a folder"
    assert list(tmp_path.iterdir()) == [blocked]


def test_the_cache_turned_off_writes_nothing(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROMOPLAN_NO_CACHE", "1")
    assert cache.rendered(EXAMPLE, "postgres") == render(EXAMPLE, "postgres")
    assert not folder.exists()


def test_where_the_cache_is(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("PROMOPLAN_NO_CACHE", raising=False)
    monkeypatch.delenv("PROMOPLAN_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.cache_folder() == tmp_path / "promoplan" / "sql"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert cache.cache_folder() == tmp_path / ".cache" / "promoplan" / "sql"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")  # not absolute: ignored
    assert cache.cache_folder() == tmp_path / ".cache" / "promoplan" / "sql"
    monkeypatch.setattr(os.path, "expanduser", lambda path: path)  # no home at all
    assert cache.cache_folder() is None
    monkeypatch.setenv("PROMOPLAN_CACHE_DIR", str(tmp_path / "own"))
    assert cache.cache_folder() == tmp_path / "own" / "sql"
    monkeypatch.setenv("PROMOPLAN_NO_CACHE", "0")
    assert cache.cache_folder() is not None
    monkeypatch.setenv("PROMOPLAN_NO_CACHE", "1")
    assert cache.cache_folder() is None


def test_past_the_limit_the_oldest_half_goes(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder.mkdir(parents=True)
    for i in range(cache._KEPT):
        old = folder / f"{i:064x}.json"
        old.write_text("{}", encoding="utf-8")
        os.utime(old, (1_000_000 + i, 1_000_000 + i))
    cache.rendered(EXAMPLE, "postgres")  # one more: past the limit
    left = _kept(folder)
    assert len(left) == cache._KEPT + 1 - (cache._KEPT + 1) // 2
    assert cache._key(EXAMPLE, "postgres") in {p.stem for p in left}  # the newest stays
    assert f"{0:064x}" not in {p.stem for p in left}


def test_a_check_that_finds_its_query_kept_imports_no_sqlglot(tmp_path: Path) -> None:
    """Two runs of ``check`` from a DuckDB database file: the first renders the query
    (and keeps it), the second reads it back; their outputs are the same."""
    database = tmp_path / "actuals.duckdb"
    con = duckdb.connect(str(database))
    rows = ROOT / "plans" / "actuals" / "channels-daily.csv"
    con.execute(f"CREATE TABLE actuals AS SELECT * FROM read_csv('{rows}')")
    con.close()
    args = ["check", "plans/ecommerce-2025.yaml", "--format", "json",
            "-a", f"duckdb:///{database}?table=actuals"]  # fmt: skip
    env = {**os.environ, "PROMOPLAN_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("PROMOPLAN_NO_CACHE", None)
    runs = [loaded(args, env) for _ in range(2)]
    outputs = [run.stdout for run in runs]
    imported = ["sqlglot" in run.modules for run in runs]
    assert imported == [True, False]
    assert outputs[0] == outputs[1]
    assert len(list((tmp_path / "cache" / "sql").glob("*.json"))) == 1
