"""``validate PLAN_OR_DIR...``: which files are plans, each once, and hidden ones left out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clirunner import Cli
from promoplan.commands.validate import expand_paths

PLAN = "promoplan: 1\nname: ok\nperiod: 2025\n"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository root: plans, git's internals, CI configuration and a dot-file."""
    monkeypatch.chdir(tmp_path)
    for name in ("a.yaml", "plans/b.yml", ".git/x.yaml", ".github/ci.yaml", ".hidden.yaml"):
        Path(name).parent.mkdir(parents=True, exist_ok=True)
        Path(name).write_text(PLAN, encoding="utf-8")
    return tmp_path


def test_a_directory_walk_leaves_out_hidden_directories_and_files(repo: Path) -> None:
    assert expand_paths([Path()]) == [Path("a.yaml"), Path("plans/b.yml")]


def test_a_hidden_file_or_directory_named_on_the_command_line_is_read(repo: Path) -> None:
    assert expand_paths([Path(".hidden.yaml"), Path(".github")]) == [
        Path(".hidden.yaml"),
        Path(".github/ci.yaml"),
    ]


def test_a_file_named_twice_or_also_reached_through_its_directory_is_listed_once(
    repo: Path,
) -> None:
    # First seen wins: a.yaml as named, then what the walk adds, ./a.yaml dropped.
    found = expand_paths([Path("a.yaml"), Path(), Path("./a.yaml"), Path("plans/../a.yaml")])
    assert found == [Path("a.yaml"), Path("plans/b.yml")]
    assert expand_paths([Path("plans"), Path("plans/b.yml")]) == [Path("plans/b.yml")]


def test_a_duplicate_name_gives_one_sarif_result_and_one_junit_suite(repo: Path, cli: Cli) -> None:
    Path("bad.yaml").write_text("promoplan: 1\nname: x\nperiod: 2025\nmood: 1\n", encoding="utf-8")
    sarif = cli("validate", "bad.yaml", ".", "./bad.yaml", "-f", "sarif")
    assert sarif.exit_code == 1
    results = json.loads(sarif.stdout)["runs"][0]["results"]
    # One PP003 for 'mood' at line 4, column 1, not three.
    assert [(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]) for r in results] == [
        ("PP003", {"startLine": 4, "startColumn": 1})
    ]
    junit = cli("validate", "bad.yaml", "bad.yaml", "-f", "junit")
    assert junit.stdout.count("<testsuite ") == 1
