"""The DuckDB session: a database opened ahead is taken once, with every restriction."""

from __future__ import annotations

from pathlib import Path

import _duckdb as duckdb
import pytest

from promoplan.actuals import session


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A temp directory for the session, a file it may read and one it may not."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    named = tmp_path / "named.csv"
    named.write_text("date,gmv\n2025-01-01,1\n", encoding="utf-8")
    other = tmp_path / "other.csv"
    other.write_text("date,gmv\n2025-01-01,2\n", encoding="utf-8")
    return tmp, named, other


def _assert_restricted(con: duckdb.DuckDBPyConnection, tmp: Path, named: Path, other: Path) -> None:
    setting = con.execute("SELECT current_setting('temp_directory')").fetchone()
    assert setting == (str(tmp / "spill"),)
    assert con.execute("SELECT sum(gmv) FROM read_csv($p)", {"p": str(named)}).fetchone() == (1,)
    with pytest.raises(duckdb.PermissionException):
        con.execute("SELECT * FROM read_csv($p)", {"p": str(other)})
    with pytest.raises(duckdb.Error):  # the configuration is locked
        con.execute("SET enable_external_access = true")


def test_the_database_opened_ahead_is_taken_once_and_restricted(
    files: tuple[Path, Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(session, "_ahead", None)
    tmp, named, other = files
    opened: list[duckdb.DuckDBPyConnection] = []
    real = session._open_database

    def counted() -> duckdb.DuckDBPyConnection:
        opened.append(real())
        return opened[-1]

    monkeypatch.setattr(session, "_open_database", counted)
    session.open_ahead()
    session.open_ahead()  # a second call while one is pending opens nothing more
    con = session.connect(tmp, [named])
    assert len(opened) == 1
    assert con is opened[0]
    _assert_restricted(con, tmp, named, other)
    again = session.connect(tmp, [named])  # nothing pending: a database of its own
    assert len(opened) == 2
    assert again is not con
    _assert_restricted(again, tmp, named, other)
    con.close()
    again.close()


def test_a_failure_opening_ahead_is_opened_again_by_connect(
    files: tuple[Path, Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(session, "_ahead", None)
    tmp, named, other = files
    calls: list[str] = []
    real = session._open_database

    def first_fails() -> duckdb.DuckDBPyConnection:
        calls.append("open")
        if len(calls) == 1:
            raise duckdb.IOException("no memory for a database")
        return real()

    monkeypatch.setattr(session, "_open_database", first_fails)
    session.open_ahead()
    con = session.connect(tmp, [named])
    assert calls == ["open", "open"]
    _assert_restricted(con, tmp, named, other)
    con.close()


ROOT = Path(__file__).resolve().parents[1]


def test_check_opens_the_database_ahead_and_its_read_takes_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from promoplan.actuals.warehouse.problem import WarehouseProblem  # noqa: PLC0415
    from promoplan.commands.check import run_check  # noqa: PLC0415

    started: list[object] = []
    real = session.open_ahead

    def spy() -> None:
        real()
        started.append(session._ahead)

    monkeypatch.setattr(session, "_ahead", None)
    monkeypatch.setattr(session, "open_ahead", spy)
    plan = ROOT / "plans" / "ecommerce-2025.yaml"
    actuals = [str(ROOT / "plans" / "actuals" / "brand-daily.csv")]
    run = run_check(plan, actuals, as_of=None, period=None, encoding=None, ignore=())
    assert run.plans[0].goals  # evaluated: the read took place
    assert len(started) == 1
    assert started[0] is not None
    assert session._ahead is None  # taken by the read
    # A database source reads no file: nothing is opened ahead for it.
    with pytest.raises(WarehouseProblem, match="cannot reach"):  # no server on port 1
        run_check(
            plan,
            ["postgresql://nobody@127.0.0.1:1/none?table=t"],
            as_of=None,
            period=None,
            encoding=None,
            ignore=(),
        )
    assert len(started) == 1


def test_a_check_that_reads_nothing_closes_the_database_opened_ahead(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from promoplan.commands.check import run_check  # noqa: PLC0415

    started: list[session._Ahead] = []
    real = session.open_ahead

    def spy() -> None:
        real()
        assert session._ahead is not None
        started.append(session._ahead)

    monkeypatch.setattr(session, "_ahead", None)
    monkeypatch.setattr(session, "open_ahead", spy)
    plan = tmp_path / "plan.yaml"
    plan.write_text("name: broken\nperiod: {start: 2025-01-01}\n", encoding="utf-8")
    actuals = [str(ROOT / "plans" / "actuals" / "brand-daily.csv")]
    run = run_check(plan, actuals, as_of=None, period=None, encoding=None, ignore=())
    assert run.plans[0].status == "fail"  # the plan's errors: nothing was read
    assert len(started) == 1
    assert session._ahead is None
    con = started[0].con
    assert con is not None
    with pytest.raises(duckdb.ConnectionException):  # closed, not left to the exit
        con.execute("SELECT 1")
