"""No network at any point: every command on the example plans runs with sockets disabled.

``socket.socket``, ``socket.create_connection`` and name lookups raise; a command that
tried to reach the network (a version check, a schema fetch, a DuckDB extension
download) would fail here. DuckDB is also checked to run with external access off.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from clirunner import Cli
from promoplan.actuals import engine

ROOT = Path(__file__).resolve().parents[2]
PLAN = ROOT / "plans" / "ecommerce-2025.yaml"
SEED = ROOT / "plans" / "seed-2025.yaml"
ACTUALS = str(ROOT / "plans" / "actuals" / "*.csv")

# name -> (arguments, exit statuses that mean "ran as designed")
RUNS: dict[str, tuple[list[str], set[int]]] = {
    "validate-directory": (["validate", str(ROOT / "plans")], {1}),
    "validate-sarif": (["validate", str(PLAN), "-f", "sarif"], {0}),
    "check-table": (["check", str(PLAN), "--actuals", ACTUALS], {1}),
    "check-json": (["check", str(PLAN), "--actuals", ACTUALS, "-f", "json"], {1}),
    "check-github": (["check", str(PLAN), "--actuals", ACTUALS, "-f", "github"], {1}),
    "check-junit": (["check", str(PLAN), "--actuals", ACTUALS, "-f", "junit"], {1}),
    "report-markdown": (
        ["report", str(PLAN), "--actuals", ACTUALS, "--as-of", "2025-06-30"],
        {0},
    ),
    "report-html": (
        ["report", str(PLAN), "--actuals", ACTUALS, "--as-of", "2025-06-30", "-f", "html"],
        {0},
    ),
    "diff": (["diff", str(SEED), str(PLAN), "-f", "markdown"], {0, 1}),
    "diff-git": (["diff", "HEAD:plans/ecommerce-2025.yaml", str(PLAN)], {0, 1}),
    "schema": (["schema"], {0}),
}


class NetworkUsed(AssertionError):
    """Raised by the disabled socket functions."""


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Disable sockets and name lookups; return the list of attempts."""
    attempts: list[str] = []

    def refuse(name: str):  # type: ignore[no-untyped-def]
        def refused(*args: object, **kwargs: object) -> None:
            attempts.append(name)
            raise NetworkUsed(f"{name} called")

        return refused

    monkeypatch.setattr(socket, "socket", refuse("socket.socket"))
    monkeypatch.setattr(socket, "create_connection", refuse("socket.create_connection"))
    monkeypatch.setattr(socket, "getaddrinfo", refuse("socket.getaddrinfo"))
    monkeypatch.setattr(socket, "gethostbyname", refuse("socket.gethostbyname"))
    return attempts


def test_the_sockets_are_really_off(no_network: list[str]) -> None:
    with pytest.raises(NetworkUsed):
        socket.create_connection(("example.com", 80))
    assert no_network == ["socket.create_connection"]


@pytest.mark.parametrize("name", sorted(RUNS))
def test_command_runs_offline(
    cli: Cli, name: str, no_network: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)  # diff REV:path reads git from the repository
    args, statuses = RUNS[name]
    outcome = cli(*args)
    assert outcome.exit_code in statuses, (outcome.exit_code, outcome.stderr[-500:])
    assert outcome.stdout.strip()
    assert no_network == []


def test_init_runs_offline(cli: Cli, no_network: list[str], tmp_path: Path) -> None:
    target = tmp_path / "plan.yaml"
    assert cli("init", target).exit_code == 0
    assert cli("validate", target).exit_code == 0
    assert no_network == []


def test_duckdb_runs_with_external_access_off(
    cli: Cli, no_network: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """No extension is installed or loaded on demand, and no file outside the allow-list."""
    settings: dict[str, object] = {}
    connect = engine._connect

    def spy(*args: object) -> object:
        con = connect(*args)  # type: ignore[arg-type]
        for key in (
            "enable_external_access",
            "autoinstall_known_extensions",
            "autoload_known_extensions",
            "lock_configuration",
        ):
            row = con.execute(f"SELECT current_setting('{key}')").fetchone()
            assert row is not None
            settings[key] = row[0]
        return con

    monkeypatch.setattr(engine, "_connect", spy)
    outcome = cli("check", str(PLAN), "--actuals", ACTUALS, "-f", "json")
    assert outcome.exit_code == 1
    assert settings == {
        "enable_external_access": False,
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
        "lock_configuration": True,
    }
